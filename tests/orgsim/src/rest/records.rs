//! Record CRUD on `/sobjects/{Type}[/{id}]` for the record store (rest-tooling.md §3).
//! Derived sObjects (Organization, User, ApexClass, ...) are read-only here.

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::{api_error, not_found, parse_version};
use crate::model::{Org, Record};
use crate::server::{OrgScope, Sim};
use crate::sobjects;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/services/data/{version}/sobjects/{sobject}",
            get(object_info).post(create),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/",
            get(object_info).post(create),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/{id}",
            get(read).patch(update).delete(remove),
        )
        .route(
            "/services/data/{version}/sobjects/{sobject}/{key}/{leaf}",
            get(blob_field).patch(upsert),
        )
}

/// A REST error as data, so non-HTTP callers (admin API) can reuse the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RecordError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn into_response(self) -> Response {
        api_error(self.status, self.code, &self.message)
    }
}

const SYSTEM_FIELDS: &[&str] = &[
    "Id",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
    "IsDeleted",
];

/// Checks the fields of a write: known to the describe when the object is declared in
/// metadata, and not system fields. Returns the object's canonical name.
fn check_write(
    org: &Org,
    sobject: &str,
    fields: &Map<String, Value>,
) -> Result<String, RecordError> {
    let Some(desc) = sobjects::describe::describe_declared(org, sobject) else {
        return Err(RecordError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ));
    };
    if !desc.writable {
        return Err(RecordError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "HTTP Method not allowed. Allowed are GET,HEAD",
        ));
    }
    let declared = org
        .metadata
        .keys()
        .any(|k| k.type_name == "CustomObject" && k.full_name == desc.name);
    for key in fields.keys().filter(|k| *k != "attributes") {
        if SYSTEM_FIELDS.iter().any(|s| s.eq_ignore_ascii_case(key)) {
            return Err(RecordError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to create/update fields: {key}. Please check the security settings of this field and verify that it is read/write for your profile or permission set."
                ),
            ));
        }
        if declared && !desc.fields.iter().any(|f| f.name.eq_ignore_ascii_case(key)) {
            return Err(RecordError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", desc.name),
            ));
        }
    }
    Ok(desc.name)
}

/// Standard objects whose Name field must be given on create.
const NAME_REQUIRED: &[&str] = &[
    "Account",
    "Opportunity",
    "Campaign",
    "Product2",
    "Pricebook2",
];

/// A create that leaves out required fields fails as Salesforce does:
/// `REQUIRED_FIELD_MISSING`, "Required fields are missing: [Name]". Required are the Name of
/// the standard objects above and of custom objects with a Text name field, and custom
/// fields declared `<required>true</required>`.
fn missing_required(org: &Org, sobject: &str, fields: &Map<String, Value>) -> Option<RecordError> {
    let desc = sobjects::describe::describe_declared(org, sobject)?;
    let given = |name: &str| {
        fields
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null())
    };
    let text_name = org
        .metadata
        .iter()
        .find(|(k, _)| k.type_name == "CustomObject" && k.full_name == desc.name)
        .and_then(|(_, c)| c.files.values().next())
        .and_then(|xml| std::str::from_utf8(xml).ok())
        .and_then(|xml| xml.split("<nameField>").nth(1))
        .is_some_and(|name_field| name_field.contains("<type>Text</type>"));
    let mut missing: Vec<&str> = Vec::new();
    if (NAME_REQUIRED.contains(&desc.name.as_str()) || text_name) && !given("Name") {
        missing.push("Name");
    }
    missing.extend(
        desc.fields
            .iter()
            .filter(|f| f.custom && !f.nillable && f.createable && f.field_type != "boolean")
            .filter(|f| !given(&f.name))
            .map(|f| f.name.as_str()),
    );
    (!missing.is_empty()).then(|| {
        RecordError::new(
            StatusCode::BAD_REQUEST,
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        )
    })
}

/// `Foo__c`, `My_Thing__c`: a well-formed custom object API name.
fn is_custom_name(name: &str) -> bool {
    name.strip_suffix("__c").is_some_and(|base| {
        base.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Inserts a record as `user_id`; returns its id. Used by REST and the admin API.
pub fn insert_record(
    org: &mut Org,
    sobject: &str,
    fields: &Map<String, Value>,
    user_id: &str,
) -> Result<String, RecordError> {
    let name = match check_write(org, sobject, fields) {
        Ok(name) => name,
        // A type nobody declared yet: the admin API may create ad-hoc objects.
        Err(e)
            if e.status == StatusCode::NOT_FOUND
                && user_id.is_empty()
                && is_custom_name(sobject) =>
        {
            sobject.to_owned()
        }
        Err(e) => return Err(e),
    };
    let id = org.mint_id(&sobjects::describe::key_prefix(&name));
    let now = crate::audit::rest_datetime(&crate::audit::now_iso());
    let mut stored: Map<String, Value> = fields
        .iter()
        .filter(|(k, _)| *k != "attributes")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let by = if user_id.is_empty() {
        org.users.first().map(|u| u.id.clone()).unwrap_or_default()
    } else {
        user_id.to_owned()
    };
    for (k, v) in [
        ("CreatedDate", json!(now)),
        ("LastModifiedDate", json!(now)),
        ("SystemModstamp", json!(now)),
    ] {
        stored.insert(k.into(), v);
    }
    stored.insert("CreatedById".into(), json!(by));
    stored.insert("LastModifiedById".into(), json!(by));
    stored.entry("OwnerId").or_insert_with(|| json!(by));
    stored.insert("IsDeleted".into(), json!(false));
    org.records.entry(name.clone()).or_default().insert(
        id.clone(),
        Record {
            id: id.clone(),
            sobject: name,
            fields: stored,
        },
    );
    Ok(id)
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(api_error(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            "Expected a JSON object at [line:1, column:1]",
        )),
        Err(e) => Err(api_error(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            &format!(
                "Unexpected character: {e} at [line:{}, column:{}]",
                e.line(),
                e.column()
            ),
        )),
    }
}

async fn object_info(
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
        Ok(Some(d)) => {
            Json(json!({"objectDescribe": super::describe::summary(v, &d), "recentItems": []}))
                .into_response()
        }
        _ => super::describe::invalid_type(&sobject),
    }
}

async fn create(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let session = match crate::auth::bearer_session(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    if let Err(e) = parse_version(&version) {
        return e;
    }
    let fields = match json_object(&body) {
        Ok(f) => f,
        Err(e) => return e,
    };
    match sim.with_org_mut(&scope.org_id, |org| {
        match missing_required(org, &sobject, &fields) {
            Some(e) => Err(e),
            None => insert_record(org, &sobject, &fields, &session.user_id),
        }
    }) {
        Ok(Ok(id)) => (
            StatusCode::CREATED,
            Json(json!({"id": id, "success": true, "errors": []})),
        )
            .into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => crate::auth::invalid_session(),
    }
}

async fn read(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let found = sim.with_org(&scope.org_id, |org| {
        sobjects::canonical_name(org, &sobject).map(|_| sobjects::row_by_id(org, &sobject, &id))
    });
    let mut row = match found {
        Ok(Some(Some(row))) => row,
        Ok(Some(None)) => return not_found(),
        _ => return super::describe::invalid_type(&sobject),
    };
    if let Some(list) = params.get("fields") {
        let wanted: Vec<String> = list
            .split(',')
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        row.retain(|k, _| k == "attributes" || wanted.contains(&k.to_ascii_lowercase()));
    }
    let mut value = Value::Object(row);
    super::query::set_version_pub(&mut value, v);
    Json(value).into_response()
}

async fn update(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let session = match crate::auth::bearer_session(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    if let Err(e) = parse_version(&version) {
        return e;
    }
    let fields = match json_object(&body) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let result = sim.with_org_mut(&scope.org_id, |org| {
        let name = check_write(org, &sobject, &fields)?;
        let now = crate::audit::rest_datetime(&crate::audit::now_iso());
        let record = org
            .records
            .get_mut(&name)
            .and_then(|m| m.values_mut().find(|r| sobjects::same_id(&r.id, &id)))
            .ok_or_else(|| {
                RecordError::new(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    "The requested resource does not exist",
                )
            })?;
        for (k, v) in fields.iter().filter(|(k, _)| *k != "attributes") {
            record.fields.insert(k.clone(), v.clone());
        }
        record.fields.insert("LastModifiedDate".into(), json!(now));
        record.fields.insert("SystemModstamp".into(), json!(now));
        record
            .fields
            .insert("LastModifiedById".into(), json!(session.user_id));
        Ok::<(), RecordError>(())
    });
    match result {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => crate::auth::invalid_session(),
    }
}

async fn remove(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject, id)): Path<(String, String, String)>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    if let Err(e) = parse_version(&version) {
        return e;
    }
    let result = sim.with_org_mut(&scope.org_id, |org| {
        let name = check_write(org, &sobject, &Map::new())?;
        let records = org.records.get_mut(&name);
        let key = records
            .as_ref()
            .and_then(|m| m.keys().find(|k| sobjects::same_id(k, &id)).cloned());
        match (records, key) {
            (Some(m), Some(k)) => {
                m.remove(&k);
                Ok(())
            }
            _ => Err(RecordError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            )),
        }
    });
    match result {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => crate::auth::invalid_session(),
    }
}

/// `GET /sobjects/{Type}/{id}/{Field}`: a blob/text field's raw content.
async fn blob_field(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject, id, field)): Path<(String, String, String, String)>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    if let Err(e) = parse_version(&version) {
        return e;
    }
    let row = sim
        .with_org(&scope.org_id, |org| sobjects::row_by_id(org, &sobject, &id))
        .ok()
        .flatten();
    let value = row.and_then(|r| {
        r.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&field))
            .map(|(_, v)| v.clone())
    });
    match value {
        Some(Value::String(text)) => (
            [(axum::http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            text,
        )
            .into_response(),
        _ => not_found(),
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `PATCH /sobjects/{Type}/{ExternalIdField}/{value}`: upsert by external id.
async fn upsert(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject, field, value)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Response {
    let session = match crate::auth::bearer_session(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut fields = match json_object(&body) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let result = sim.with_org_mut(&scope.org_id, |org| {
        let name = check_write(org, &sobject, &fields)?;
        let declared = org
            .metadata
            .keys()
            .any(|k| k.type_name == "CustomObject" && k.full_name == name);
        let desc = sobjects::describe::describe_declared(org, &name);
        let known = desc.as_ref().and_then(|d| {
            d.fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(&field))
                .map(|f| (f.name.clone(), f.external_id || f.name == "Id"))
        });
        let field_name = match known {
            Some((name, true)) => name,
            None if !declared => field.clone(),
            _ => {
                return Err(RecordError::new(
                    StatusCode::NOT_FOUND,
                    "NOT_FOUND",
                    format!(
                        "Provided external ID field does not exist or is not accessible: {field}"
                    ),
                ));
            }
        };
        let matches: Vec<String> = org
            .records
            .get(&name)
            .map(|m| {
                m.values()
                    .filter(|r| {
                        let current = if field_name == "Id" {
                            Some(r.id.clone())
                        } else {
                            r.fields
                                .iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(&field_name))
                                .and_then(|(_, v)| as_text(v))
                        };
                        current.is_some_and(|c| {
                            c == value || (field_name == "Id" && sobjects::same_id(&c, &value))
                        })
                    })
                    .map(|r| r.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        match matches.as_slice() {
            [] => {
                if field_name != "Id" {
                    fields.insert(field_name.clone(), Value::String(value.clone()));
                }
                insert_record(org, &name, &fields, &session.user_id).map(Upserted::Created)
            }
            [id] => {
                let now = crate::audit::rest_datetime(&crate::audit::now_iso());
                if let Some(record) = org.records.get_mut(&name).and_then(|m| m.get_mut(id)) {
                    for (k, val) in fields.iter().filter(|(k, _)| *k != "attributes") {
                        record.fields.insert(k.clone(), val.clone());
                    }
                    record.fields.insert("LastModifiedDate".into(), json!(now));
                    record.fields.insert("SystemModstamp".into(), json!(now));
                    record
                        .fields
                        .insert("LastModifiedById".into(), json!(session.user_id));
                }
                Ok(Upserted::Updated(id.clone()))
            }
            many => Ok(Upserted::Ambiguous(
                many.iter()
                    .map(|id| format!("/services/data/v{v}.0/sobjects/{name}/{id}"))
                    .collect(),
            )),
        }
    });
    match result {
        Ok(Ok(Upserted::Created(id))) => (
            StatusCode::CREATED,
            Json(json!({"id": id, "success": true, "errors": [], "created": true})),
        )
            .into_response(),
        Ok(Ok(Upserted::Updated(id))) => (
            StatusCode::OK,
            Json(json!({"id": id, "success": true, "errors": [], "created": false})),
        )
            .into_response(),
        Ok(Ok(Upserted::Ambiguous(urls))) => {
            (StatusCode::MULTIPLE_CHOICES, Json(urls)).into_response()
        }
        Ok(Err(e)) => e.into_response(),
        Err(_) => crate::auth::invalid_session(),
    }
}

enum Upserted {
    Created(String),
    Updated(String),
    Ambiguous(Vec<String>),
}
