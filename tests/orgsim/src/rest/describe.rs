//! `GET /sobjects` (global describe) and `GET /sobjects/{Type}/describe` (rest-tooling.md §3).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::{api_error, parse_version};
use crate::server::{OrgScope, Sim};
use crate::sobjects::{self, FieldDesc, ObjectDesc};

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/services/data/{version}/sobjects", get(global))
        .route("/services/data/{version}/sobjects/", get(global))
        .route(
            "/services/data/{version}/sobjects/{sobject}/describe",
            get(object),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/describe/",
            get(object),
        )
}

/// 404 INVALID_TYPE for an unknown sObject in a URL.
pub fn invalid_type(name: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "INVALID_TYPE",
        &format!("sObject type '{name}' is not supported."),
    )
}

fn object_urls(v: u32, name: &str) -> Value {
    let base = format!("/services/data/v{v}.0/sobjects/{name}");
    json!({
        "sobject": base,
        "describe": format!("{base}/describe"),
        "rowTemplate": format!("{base}/{{ID}}"),
    })
}

/// The summary every describe shares (global describe entries, the `objectDescribe` block).
pub fn summary(v: u32, d: &ObjectDesc) -> Value {
    json!({
        "activateable": false,
        "createable": d.writable,
        "custom": d.custom,
        "customSetting": false,
        "deepCloneable": false,
        "deletable": d.writable,
        "deprecatedAndHidden": false,
        "feedEnabled": false,
        "hasSubtypes": false,
        "isInterface": false,
        "isSubtype": false,
        "keyPrefix": d.key_prefix,
        "label": d.label,
        "labelPlural": d.label_plural,
        "layoutable": d.writable,
        "mergeable": false,
        "mruEnabled": d.writable,
        "name": d.name,
        "queryable": true,
        "replicateable": d.writable,
        "retrieveable": true,
        "searchable": d.writable,
        "triggerable": d.writable,
        "undeletable": d.writable,
        "updateable": d.writable,
        "urls": object_urls(v, &d.name),
    })
}

fn field_json(f: &FieldDesc) -> Value {
    let picklist: Vec<Value> = f
        .picklist_values
        .iter()
        .map(|p| json!({"active": true, "defaultValue": false, "label": p, "validFor": null, "value": p}))
        .collect();
    json!({
        "aggregatable": f.field_type != "textarea",
        "autoNumber": false,
        "byteLength": f.length * 3,
        "calculated": f.calculated_formula.is_some(),
        "calculatedFormula": f.calculated_formula,
        "cascadeDelete": false,
        "caseSensitive": false,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": if f.field_type == "boolean" { json!(false) } else { Value::Null },
        "defaultedOnCreate": f.field_type == "boolean" || f.name == "OwnerId",
        "dependentPicklist": false,
        "digits": 0,
        "externalId": f.external_id,
        "filterable": f.field_type != "textarea",
        "groupable": !matches!(f.field_type.as_str(), "textarea" | "double" | "currency" | "percent" | "datetime"),
        "htmlFormatted": false,
        "idLookup": f.name == "Id" || f.external_id,
        "label": f.label,
        "length": f.length,
        "name": f.name,
        "nameField": f.name == "Name",
        "namePointing": false,
        "nillable": f.nillable,
        "permissionable": f.custom && f.nillable,
        "picklistValues": picklist,
        "precision": if matches!(f.field_type.as_str(), "double" | "currency" | "percent") { 18 } else { 0 },
        "referenceTo": f.reference_to,
        "relationshipName": f.relationship_name,
        "restrictedPicklist": false,
        "scale": if matches!(f.field_type.as_str(), "currency") { 2 } else { 0 },
        "soapType": soap_type(&f.field_type),
        "sortable": f.field_type != "textarea",
        "type": f.field_type,
        "unique": false,
        "updateable": f.updateable,
    })
}

fn soap_type(describe_type: &str) -> &'static str {
    match describe_type {
        "id" | "reference" => "tns:ID",
        "boolean" => "xsd:boolean",
        "double" | "currency" | "percent" => "xsd:double",
        "int" => "xsd:int",
        "date" => "xsd:date",
        "datetime" => "xsd:dateTime",
        "time" => "xsd:time",
        _ => "xsd:string",
    }
}

/// The full describe of one object.
pub fn describe_json(v: u32, d: &ObjectDesc) -> Value {
    let mut out = summary(v, d);
    if let Value::Object(map) = &mut out {
        map.insert(
            "fields".into(),
            Value::Array(d.fields.iter().map(field_json).collect()),
        );
        map.insert("childRelationships".into(), json!([]));
        map.insert(
            "recordTypeInfos".into(),
            json!([{
                "active": true, "available": true, "defaultRecordTypeMapping": true,
                "developerName": "Master", "master": true, "name": "Master",
                "recordTypeId": "012000000000000AAA",
                "urls": {"layout": format!("/services/data/v{v}.0/sobjects/{}/describe/layouts/012000000000000AAA", d.name)}
            }]),
        );
        map.insert(
            "supportedScopes".into(),
            json!([{"label": "All", "name": "everything"}]),
        );
        map.insert("networkScopeFieldName".into(), Value::Null);
        map.insert("actionOverrides".into(), json!([]));
        map.insert("namedLayoutInfos".into(), json!([]));
        map.insert("compactLayoutable".into(), json!(d.writable));
        map.insert("searchLayoutable".into(), json!(d.writable));
        map.insert("listviewable".into(), Value::Null);
        map.insert("lookupLayoutable".into(), Value::Null);
        map.insert("sobjectDescribeOption".into(), json!("FULL"));
    }
    out
}

async fn global(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let descs = sim.with_org(&scope.org_id, |org| {
        sobjects::describable_objects(org)
            .iter()
            .filter_map(|name| sobjects::describe(org, name))
            .map(|d| summary(v, &d))
            .collect::<Vec<Value>>()
    });
    match descs {
        Ok(list) => Json(json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list}))
            .into_response(),
        Err(_) => crate::auth::invalid_session(),
    }
}

async fn object(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject)): Path<(String, String)>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    match sim.with_org(&scope.org_id, |org| sobjects::describe(org, &sobject)) {
        Ok(Some(d)) => Json(describe_json(v, &d)).into_response(),
        _ => invalid_type(&sobject),
    }
}
