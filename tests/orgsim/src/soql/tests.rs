//! Unit tests of the SOQL subset.

use serde_json::{Map, Value, json};

use super::*;

fn rows() -> Vec<Map<String, Value>> {
    let v = json!([
        {"attributes": {"type": "Account", "url": "/x/001A"}, "Id": "001000000000001AAA", "Name": "Acme",
         "AnnualRevenue": 500, "IsActive__c": true, "CreatedDate": "2020-10-13T05:39:43.000+0000",
         "CreatedBy": {"attributes": {"type": "User"}, "Name": "Jane"}, "Industry": null},
        {"Id": "001000000000002AAA", "Name": "beta corp", "AnnualRevenue": 100, "IsActive__c": false,
         "CreatedDate": "2021-01-01T00:00:00.000Z", "CreatedBy": {"Name": "Bob"}, "Industry": "Tech"},
        {"Id": "001000000000003AAA", "Name": "Gamma", "AnnualRevenue": null, "IsActive__c": true,
         "CreatedDate": "2030-01-01T00:00:00Z", "CreatedBy": null, "Industry": "Energy"}
    ]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_object().unwrap().clone())
        .collect()
}

fn names(q: &str) -> Vec<String> {
    let q = parse(q).unwrap();
    execute(&q, &rows())
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn parses_fields_paths_and_clauses() {
    let q = parse("select Id, CreatedBy.Name from Account where Name = 'x' order by Name desc nulls last limit 5 offset 2")
        .unwrap();
    assert_eq!(q.object, "Account");
    assert_eq!(q.fields.len(), 2);
    assert!(matches!(&q.fields[1], SelectItem::Field(f) if f.dotted() == "CreatedBy.Name"));
    assert_eq!(q.limit, Some(5));
    assert_eq!(q.offset, Some(2));
    assert!(q.order_by[0].descending);
    assert_eq!(q.order_by[0].nulls_first, Some(false));
}

#[test]
fn malformed_query_reports_token_and_position() {
    let e = parse("SELECT Id FORM Account").unwrap_err();
    assert_eq!(e.error_code(), "MALFORMED_QUERY");
    assert_eq!(e.detail(), "unexpected token: 'FORM'");
    assert!(
        e.message().contains("ERROR at Row:1:Column:11"),
        "{}",
        e.message()
    );
    let e = parse("SELECT Id FROM").unwrap_err();
    assert_eq!(e.detail(), "unexpected token: '<EOF>'");
    let e = parse("SELECT Id FROM Account WHERE").unwrap_err();
    assert_eq!(e.error_code(), "MALFORMED_QUERY");
    let e = parse("SELECT FROM Account").unwrap_err();
    assert_eq!(e.detail(), "unexpected token: 'FROM'");
}

#[test]
fn invalid_field_and_type_messages() {
    let q = parse("SELECT Id, Nme FROM Account").unwrap();
    let e = q
        .validate_fields(&|f| ["Id", "Name"].iter().any(|k| k.eq_ignore_ascii_case(f)))
        .unwrap_err();
    assert_eq!(e.error_code(), "INVALID_FIELD");
    assert!(
        e.message()
            .contains("No such column 'Nme' on entity 'Account'")
    );
    assert!(
        e.message().contains("ERROR at Row:1:Column:12"),
        "{}",
        e.message()
    );
    let e = SoqlError::invalid_type(&parse("SELECT Id FROM Foo__c").unwrap());
    assert_eq!(e.error_code(), "INVALID_TYPE");
    assert!(
        e.message()
            .contains("sObject type 'Foo__c' is not supported.")
    );
    let q = parse("SELECT Owner.Name FROM Account").unwrap();
    assert!(
        q.validate_fields(&|f| f.eq_ignore_ascii_case("OwnerId"))
            .is_ok()
    );
}

#[test]
fn filters_comparisons_and_logic() {
    assert_eq!(
        names("SELECT Name FROM Account WHERE name = 'ACME'"),
        ["Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Name != 'Acme' ORDER BY Name"),
        ["beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE AnnualRevenue > 100"),
        ["Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE AnnualRevenue <= 100"),
        ["beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE AnnualRevenue = null"),
        ["Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE IsActive__c = false"),
        ["beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Name LIKE '%a' ORDER BY Name"),
        ["Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Name LIKE 'b_ta%'"),
        ["beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Industry IN ('tech', 'Energy') ORDER BY Name"),
        ["beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Industry NOT IN ('Tech')"),
        ["Gamma"]
    );
    assert_eq!(
        names(
            "SELECT Name FROM Account WHERE (IsActive__c = true AND AnnualRevenue > 200) OR Name = 'beta corp' ORDER BY Name"
        ),
        ["Acme", "beta corp"]
    );
    assert_eq!(
        names(
            "SELECT Name FROM Account WHERE NOT Name = 'Acme' AND Industry != null ORDER BY Name"
        ),
        ["beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE CreatedBy.Name = 'bob'"),
        ["beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Id = '001000000000001'"),
        ["Acme"]
    );
}

#[test]
fn date_literals() {
    assert_eq!(
        names("SELECT Name FROM Account WHERE CreatedDate < 2021-01-01T00:00:00Z"),
        ["Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE CreatedDate >= 2021-01-01 ORDER BY Name"),
        ["beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE CreatedDate > TODAY"),
        ["Gamma"]
    );
    assert!(names("SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:30").is_empty());
    assert_eq!(
        names("SELECT Name FROM Account WHERE CreatedDate < LAST_N_DAYS:3 ORDER BY Name"),
        ["Acme", "beta corp"]
    );
}

#[test]
fn ordering_limit_offset() {
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS LAST"),
        ["Acme", "beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY Name"),
        ["Acme", "beta corp", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY AnnualRevenue"),
        ["Gamma", "beta corp", "Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY AnnualRevenue DESC"),
        ["Gamma", "Acme", "beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY AnnualRevenue ASC NULLS LAST"),
        ["beta corp", "Acme", "Gamma"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY IsActive__c DESC, Name DESC"),
        ["Gamma", "Acme", "beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY CreatedDate DESC LIMIT 2"),
        ["Gamma", "beta corp"]
    );
    assert_eq!(
        names("SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1"),
        ["beta corp"]
    );
}

#[test]
fn projection_nests_relationships_and_keeps_attributes() {
    let q =
        parse("SELECT id, NAME, CreatedBy.Name, Missing__c FROM Account ORDER BY Name").unwrap();
    let out = execute(&q, &rows()).unwrap();
    assert_eq!(out[0]["attributes"]["url"], "/x/001A");
    assert_eq!(out[0]["Id"], "001000000000001AAA");
    assert_eq!(out[0]["Name"], "Acme");
    assert_eq!(out[0]["CreatedBy"]["Name"], "Jane");
    assert_eq!(out[0]["CreatedBy"]["attributes"]["type"], "User");
    assert_eq!(out[1]["attributes"]["type"], "Account");
    assert_eq!(out[1]["CreatedBy"]["attributes"]["type"], "User");
    assert!(out[2]["CreatedBy"].is_null());
    assert!(out[0]["Missing__c"].is_null());
    assert!(!out[0].contains_key("AnnualRevenue"));
}

#[test]
fn flat_dotted_keys_are_nested_on_output() {
    let row = json!({"Id": "07L000000000001AAA", "LogUser.Name": "Jane"})
        .as_object()
        .unwrap()
        .clone();
    let out = execute(
        &parse("SELECT Id, LogUser.Name FROM ApexLog").unwrap(),
        &[row],
    )
    .unwrap();
    assert_eq!(out[0]["LogUser"]["Name"], "Jane");
    assert_eq!(out[0]["LogUser"]["attributes"]["type"], "User");
}

#[test]
fn counts() {
    let q = parse("SELECT COUNT() FROM Account WHERE IsActive__c = true").unwrap();
    assert!(q.is_count());
    assert_eq!(execute(&q, &rows()).unwrap().len(), 2);
    let out = execute(
        &parse("SELECT COUNT(AnnualRevenue) FROM Account").unwrap(),
        &rows(),
    )
    .unwrap();
    assert_eq!(out[0]["expr0"], 2);
    assert_eq!(
        parse("SELECT COUNT(), Id FROM Account")
            .unwrap_err()
            .error_code(),
        "MALFORMED_QUERY"
    );
}

#[test]
fn binds_resolve_values_and_lists() {
    let q = parse("SELECT Name FROM Account WHERE Name = :n OR Id IN :ids").unwrap();
    let bound = q
        .bind(&|name| match name {
            "n" => Some(Literal::Text("Gamma".into())),
            "ids" => Some(Literal::List(vec![Literal::Text(
                "001000000000001AAA".into(),
            )])),
            _ => None,
        })
        .unwrap();
    let mut got: Vec<_> = execute(&bound, &rows())
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    assert_eq!(got, ["Acme", "Gamma"]);
    assert!(q.bind(&|_| None).is_err());
}

#[test]
fn hostile_queries_fail_cleanly() {
    let deep = format!(
        "SELECT Id FROM Account WHERE {}Name = 'x'{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_eq!(parse(&deep).unwrap_err().error_code(), "MALFORMED_QUERY");
    let nots = format!(
        "SELECT Id FROM Account WHERE {}Name = 'x'",
        "NOT ".repeat(10_000)
    );
    assert_eq!(parse(&nots).unwrap_err().error_code(), "MALFORMED_QUERY");
    // Long OR chains are fine (and evaluate without deep recursion).
    let terms: Vec<String> = (0..20_000).map(|i| format!("Name = 'n{i}'")).collect();
    let q = parse(&format!(
        "SELECT Name FROM Account WHERE {} OR Name = 'Gamma'",
        terms.join(" OR ")
    ))
    .unwrap();
    let out = execute(&q, &rows()).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["Name"], "Gamma");
    // Non-ASCII values never break datetime sniffing while ordering.
    let mut r = rows();
    r[0].insert("Name".into(), json!("Ünïcödé ñame ✓✓"));
    r[1].insert("Name".into(), json!("日本語の名前です"));
    let out = execute(
        &parse("SELECT Name FROM Account WHERE Name != '2020-01-01' ORDER BY Name").unwrap(),
        &r,
    )
    .unwrap();
    assert_eq!(out.len(), 3);
}

#[test]
fn relative_date_ranges() {
    use time::macros::datetime;
    let r = |f: DateFn, now: time::OffsetDateTime| {
        let (a, b) = super::eval::date_range(f, now);
        (a.date().to_string(), b.date().to_string())
    };
    let wed = datetime!(2026-03-04 15:30 UTC);
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(r(DateFn::ThisWeek, wed), pair("2026-03-01", "2026-03-08"));
    assert_eq!(r(DateFn::LastWeek, wed), pair("2026-02-22", "2026-03-01"));
    assert_eq!(r(DateFn::ThisMonth, wed), pair("2026-03-01", "2026-04-01"));
    assert_eq!(r(DateFn::LastMonth, wed), pair("2026-02-01", "2026-03-01"));
    assert_eq!(
        r(DateFn::NDaysAgo(2), wed),
        pair("2026-03-02", "2026-03-03")
    );
    assert_eq!(r(DateFn::ThisYear, wed), pair("2026-01-01", "2027-01-01"));
    assert_eq!(r(DateFn::LastYear, wed), pair("2025-01-01", "2026-01-01"));
    let jan = datetime!(2026-01-15 00:00 UTC);
    assert_eq!(r(DateFn::LastMonth, jan), pair("2025-12-01", "2026-01-01"));
    assert_eq!(
        r(DateFn::ThisMonth, datetime!(2026-12-31 23:59 UTC)),
        pair("2026-12-01", "2027-01-01")
    );
    let q = parse("SELECT Id FROM Account WHERE CreatedDate = LAST_WEEK OR CreatedDate = N_DAYS_AGO:3 OR CreatedDate < THIS_YEAR").unwrap();
    assert!(q.where_clause.is_some());
}
