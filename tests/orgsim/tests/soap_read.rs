//! Metadata API read side over real HTTP: describeMetadata, listMetadata, readMetadata, and
//! the session and envelope faults, against a started orgsim. retrieve/checkRetrieveStatus
//! are in `soap_retrieve.rs`; the helpers both use are in `soap_read_support`.

mod soap_read_support;

use base64::Engine;
use orgfleet_metadata::xml::Element;
use soap_read_support::*;

#[tokio::test]
async fn describe_lists_registry_types() {
    let e = env("describe").await;
    let result = e
        .results(
            "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion></met:describeMetadata>",
        )
        .await;
    let r = &result[0];
    assert_eq!(r.child_text("testRequired").as_deref(), Some("true"));
    assert_eq!(r.child_text("partialSaveAllowed").as_deref(), Some("false"));
    assert_eq!(r.child_text("organizationNamespace").as_deref(), Some(""));
    let objects: Vec<&Element> = r.children_named("metadataObjects").collect();
    let obj = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("CustomObject"))
        .unwrap();
    assert!(texts(obj, "childXmlNames").contains(&"CustomField".to_owned()));
    assert_eq!(obj.child_text("directoryName").as_deref(), Some("objects"));
    assert_eq!(obj.child_text("suffix").as_deref(), Some("object"));
    let report = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("Report"))
        .unwrap();
    assert_eq!(report.child_text("inFolder").as_deref(), Some("true"));
    let lwc = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("LightningComponentBundle"))
        .unwrap();
    assert!(lwc.child("suffix").is_none(), "bundles have no suffix");
    assert!(
        !objects
            .iter()
            .any(|o| o.child_text("xmlName").as_deref() == Some("ReportFolder"))
    );
}

#[tokio::test]
async fn list_metadata_types_children_and_folders() {
    let e = env("list").await;
    let rows = e.results("<met:listMetadata><met:queries><met:type>ApexClass</met:type></met:queries></met:listMetadata>").await;
    assert_eq!(rows.len(), 2);
    let foo = rows
        .iter()
        .find(|r| r.child_text("fullName").as_deref() == Some("Foo"))
        .unwrap();
    let fields: Vec<&str> = foo.elements().map(|c| c.name.as_str()).collect();
    assert_eq!(
        fields,
        [
            "createdById",
            "createdByName",
            "createdDate",
            "fileName",
            "fullName",
            "id",
            "lastModifiedById",
            "lastModifiedByName",
            "lastModifiedDate",
            "manageableState",
            "type"
        ]
    );
    assert_eq!(
        foo.child_text("fileName").as_deref(),
        Some("classes/Foo.cls")
    );
    assert_eq!(foo.child_text("id").unwrap().len(), 18);
    assert_eq!(
        foo.child_text("manageableState").as_deref(),
        Some("unmanaged")
    );

    let body = "<met:listMetadata><met:queries><met:type>CustomField</met:type></met:queries>\
                <met:queries><met:type>CustomLabel</met:type></met:queries>\
                <met:queries><met:type>Report</met:type><met:folder>Sales</met:folder></met:queries></met:listMetadata>";
    let rows = e.results(body).await;
    let names: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.child_text("type").unwrap(),
                r.child_text("fullName").unwrap(),
            )
        })
        .collect();
    for expected in [
        ("CustomField", "Account.Industry"),
        ("CustomField", "Account.Foo__c"),
        ("CustomField", "Broker__c.X__c"),
        ("CustomLabel", "Hello"),
        ("CustomLabel", "Bye"),
        ("Report", "Sales/Pipe"),
    ] {
        assert!(
            names.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {names:?}"
        );
    }
    let field = rows
        .iter()
        .find(|r| r.child_text("fullName").as_deref() == Some("Account.Foo__c"))
        .unwrap();
    assert_eq!(
        field.child_text("fileName").as_deref(),
        Some("objects/Account.object")
    );
    assert!(field.child_text("id").unwrap().starts_with("00N"));

    let rows = e.results("<met:listMetadata><met:queries><met:type>ReportFolder</met:type></met:queries></met:listMetadata>").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].child_text("fullName").as_deref(), Some("Sales"));
    // Empty result: no result elements at all.
    let rows = e.results("<met:listMetadata><met:queries><met:type>Flow</met:type></met:queries></met:listMetadata>").await;
    assert!(rows.is_empty());
}

#[tokio::test]
async fn list_metadata_faults() {
    let e = env("listfault").await;
    let body = "<met:listMetadata><met:queries><met:type>ApexClass</met:type></met:queries>\
                <met:queries><met:type>NoSuchType</met:type></met:queries></met:listMetadata>";
    let (status, text) = e.call(&e.token, body).await;
    assert_eq!(status, 500);
    assert_eq!(fault_code(&text), "sf:INVALID_TYPE");
    assert!(text.contains("<faultstring>INVALID_TYPE: "));
    let four = "<met:queries><met:type>ApexClass</met:type></met:queries>".repeat(4);
    let (status, _) = e
        .call(
            &e.token,
            &format!("<met:listMetadata>{four}</met:listMetadata>"),
        )
        .await;
    assert_eq!(status, 500);
}

#[tokio::test]
async fn read_metadata_records() {
    let e = env("read").await;
    let body = "<met:readMetadata><met:type>ApexClass</met:type><met:fullNames>Foo</met:fullNames><met:fullNames>Nope</met:fullNames></met:readMetadata>";
    let result = e.results(body).await;
    let records: Vec<&Element> = result[0].children_named("records").collect();
    assert_eq!(records.len(), 1, "missing names are left out");
    assert_eq!(records[0].attr("type"), Some("ApexClass"));
    assert_eq!(records[0].elements().next().unwrap().name, "fullName");
    let content = base64::engine::general_purpose::STANDARD
        .decode(records[0].child_text("content").unwrap())
        .unwrap();
    assert_eq!(content, b"public class Foo {}");
    assert_eq!(records[0].child_text("status").as_deref(), Some("Active"));

    let body = "<met:readMetadata><met:type>CustomField</met:type><met:fullNames>Account.Foo__c</met:fullNames></met:readMetadata>";
    let result = e.results(body).await;
    let rec = result[0].child("records").unwrap();
    assert_eq!(rec.attr("type"), Some("CustomField"));
    assert_eq!(
        rec.child_text("fullName").as_deref(),
        Some("Account.Foo__c")
    );
    assert_eq!(rec.child_text("label").as_deref(), Some("Foo"));

    let eleven = "<met:fullNames>A</met:fullNames>".repeat(11);
    let (status, text) = e
        .call(
            &e.token,
            &format!("<met:readMetadata><met:type>ApexClass</met:type>{eleven}</met:readMetadata>"),
        )
        .await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "sf:EXCEEDED_ID_LIMIT")
    );
}

#[tokio::test]
async fn session_and_envelope_faults() {
    let e = env("faults").await;
    let (status, text) = e.call("bogus", "<met:describeMetadata/>").await;
    assert_eq!(status, 500);
    assert_eq!(fault_code(&text), "sf:INVALID_SESSION_ID");
    assert!(text.contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"));
    let no_header = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><describeMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\"/></soapenv:Body></soapenv:Envelope>";
    let (status, text) = e.post(no_header).await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "sf:INVALID_SESSION_ID")
    );
    let (status, text) = e.post("<soapenv:Envelope><oops").await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "soapenv:Client")
    );
    let (status, text) = e.call(&e.token, "<met:frobnicate/>").await;
    assert_eq!(status, 500);
    assert!(text.contains("No operation available"), "{text}");
    // A token of this org is refused by another org's instance.
    let other = env("faults2").await;
    let (status, _) = other.call(&e.token, "<met:describeMetadata/>").await;
    assert_eq!(status, 500);
}

#[tokio::test]
async fn large_envelopes_are_accepted() {
    // Deploy zips arrive base64-encoded in the body; axum's 2 MB default would refuse them.
    let e = env("large").await;
    let padding = "A".repeat(5 * 1024 * 1024);
    let body = format!(
        "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion><met:pad>{padding}</met:pad></met:describeMetadata>"
    );
    let (status, text) = e.call(&e.token, &body).await;
    assert_eq!(status, 200, "{}", &text[..text.len().min(300)]);
}
