//! The admin API under `/_orgsim/` on the login host: tests and the demo use it to create
//! and delete orgs, edit metadata behind the client's back (a direct production edit, with
//! its SetupAuditTrail row), inject faults, tune OAuth, read the request log and seed
//! records. JSON in and out; errors are `{"error", "message"}` with a 4xx status.
//!
//! | Method & path | Body → answer |
//! |---|---|
//! | `GET /_orgsim/orgs` | → `[{id, alias, name, kind, instance_name, instance_url, users[], components, records, audit_trail}]` |
//! | `POST /_orgsim/orgs` | [`OrgSpec`] (`alias`, `name`, `kind`, `users`, `metadata: {generator: {seed, size}} \| {path}`, `faults`, `api_limit`) → 201 org |
//! | `GET` / `DELETE /_orgsim/orgs/{org}` | org id or alias → org / 204 |
//! | `PUT /_orgsim/orgs/{org}/components/{type}/{fullName}` | `{user, files: {path: text}, files_base64: {path: b64}}` → `{id, created}`; stamps last-modified + audit row |
//! | `DELETE /_orgsim/orgs/{org}/components/{type}/{fullName}?user=` | → 204; audit row |
//! | `GET` / `PUT` / `DELETE /_orgsim/orgs/{org}/faults` | [`Faults`] |
//! | `POST /_orgsim/orgs/{org}/expire-tokens` | → `{expired: n}` |
//! | `GET` / `PUT /_orgsim/orgs/{org}/api-usage` | `{max?, used?}` → `{used, max}` |
//! | `POST /_orgsim/orgs/{org}/records/{sobject}` | object or array of objects → 201 `{ids}` |
//! | `GET` / `PUT /_orgsim/settings` | `{token_lifetime_secs?, auto_approve_username?}` (null turns auto-approve off) |
//! | `GET /_orgsim/connected-apps`, `PUT /_orgsim/connected-apps/{client_id}` | `{client_secret?, public_key_pem?, callback_urls[]}` |
//! | `GET /_orgsim/requests?org=&limit=` | → request log, oldest first |

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{AppSpec, OrgSpec};
use crate::faults::{self, Faults};
use crate::model::{Component, ComponentKey, Org};
use crate::server::Sim;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/_orgsim/orgs", get(list_orgs).post(create_org))
        .route("/_orgsim/orgs/{org}", get(get_org).delete(delete_org))
        .route(
            "/_orgsim/orgs/{org}/components/{type_name}/{*full_name}",
            put(put_component).delete(delete_component),
        )
        .route(
            "/_orgsim/orgs/{org}/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route("/_orgsim/orgs/{org}/expire-tokens", post(expire_tokens))
        .route(
            "/_orgsim/orgs/{org}/api-usage",
            get(get_usage).put(put_usage),
        )
        .route(
            "/_orgsim/orgs/{org}/records/{sobject}",
            post(create_records),
        )
        .route("/_orgsim/settings", get(get_settings).put(put_settings))
        .route("/_orgsim/connected-apps", get(list_apps))
        .route("/_orgsim/connected-apps/{client_id}", put(put_app))
        .route("/_orgsim/requests", get(requests))
        .merge(crate::rest::login_host_routes())
        .merge(crate::oauth::login_host_routes())
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}

fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", message)
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("invalid JSON body: {e}")))
}

fn resolve(sim: &Sim, org: &str) -> Result<String, Response> {
    sim.resolve_org(org).map_err(|_| {
        error(
            StatusCode::NOT_FOUND,
            "unknown_org",
            format!("no org with id or alias `{org}`"),
        )
    })
}

/// The admin view of an org.
pub fn org_json(org: &Org) -> Value {
    let users: Vec<Value> = org
        .users
        .iter()
        .map(|u| {
            json!({"id": u.id, "username": u.username, "name": u.name, "email": u.email,
                   "profile": u.profile_name, "active": u.is_active})
        })
        .collect();
    json!({
        "id": org.id,
        "alias": org.alias,
        "name": org.name,
        "kind": org.kind,
        "instance_name": org.instance_name,
        "instance_url": org.instance_url,
        "users": users,
        "components": org.metadata.len(),
        "records": org.records.values().map(BTreeMap::len).sum::<usize>(),
        "audit_trail": org.audit_trail.len(),
    })
}

async fn list_orgs(State(sim): State<Sim>) -> Response {
    let orgs = sim.inner.orgs.read().expect("orgs lock");
    Json(orgs.values().map(org_json).collect::<Vec<_>>()).into_response()
}

async fn create_org(State(sim): State<Sim>, body: Bytes) -> Response {
    let spec: OrgSpec = match parse(&body) {
        Ok(s) => s,
        Err(e) => return e,
    };
    match crate::config::create_org(&sim, &spec).await {
        Ok(id) => match sim.with_org(&id, org_json) {
            Ok(org) => (StatusCode::CREATED, Json(org)).into_response(),
            Err(e) => error(StatusCode::CONFLICT, "conflict", e.to_string()),
        },
        Err(e @ crate::Error::Bind { .. }) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "bind", e.to_string())
        }
        Err(e) => error(StatusCode::CONFLICT, "invalid_org", e.to_string()),
    }
}

async fn get_org(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    match sim.with_org(&id, org_json) {
        Ok(org) => Json(org).into_response(),
        Err(_) => error(
            StatusCode::NOT_FOUND,
            "unknown_org",
            format!("no org `{org}`"),
        ),
    }
}

async fn delete_org(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    sim.inner.orgs.write().expect("orgs lock").remove(&id);
    if let Some(handle) = sim
        .inner
        .listeners
        .lock()
        .expect("listeners lock")
        .remove(&id)
    {
        handle.abort();
    }
    faults::expire_tokens(&sim, &id);
    faults::set_faults(&sim, &id, Faults::default());
    StatusCode::NO_CONTENT.into_response()
}

/// Body of a component edit: text files and/or base64 files, and who made the change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentEdit {
    /// Username or user id of the org's user making the edit.
    user: String,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    files_base64: BTreeMap<String, String>,
}

/// Key prefix of a new component's id, by metadata type (as in FileProperties.id).
fn component_id_prefix(type_name: &str) -> &'static str {
    match type_name {
        "CustomObject" => "01I",
        "CustomField" => "00N",
        "Layout" => "00h",
        "Profile" => "00e",
        "PermissionSet" => "0PS",
        "ApexClass" => "01p",
        "ApexTrigger" => "01q",
        "ApexPage" => "066",
        "Flow" => "301",
        "CustomLabels" => "101",
        "CustomMetadata" => "m00",
        _ => "000",
    }
}

fn user_of(org: &Org, user: &str) -> Option<(String, String)> {
    org.user_by_username(user)
        .or_else(|| org.user_by_id(user))
        .map(|u| (u.id.clone(), u.name.clone()))
}

async fn put_component(
    State(sim): State<Sim>,
    Path((org, type_name, full_name)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let edit: ComponentEdit = match parse(&body) {
        Ok(e) => e,
        Err(e) => return e,
    };
    let mut files: BTreeMap<String, Vec<u8>> = edit
        .files
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    for (path, b64) in edit.files_base64 {
        match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
            Ok(bytes) => {
                files.insert(path, bytes);
            }
            Err(e) => return bad_request(format!("files_base64[{path}]: {e}")),
        }
    }
    if files.is_empty() {
        return bad_request("give at least one file in `files` or `files_base64`");
    }
    if let Some(bad) = files
        .keys()
        .find(|p| p.starts_with('/') || p.split('/').any(|s| s == ".." || s.is_empty()))
    {
        return bad_request(format!(
            "file path `{bad}` must be relative to the package root"
        ));
    }
    let result = sim.with_org_mut(&id, |org| {
        let Some((user_id, user_name)) = user_of(org, &edit.user) else {
            return Err(format!("no user `{}` in org {}", edit.user, org.alias));
        };
        let key = ComponentKey::new(type_name.clone(), full_name.clone());
        let now = crate::audit::now_iso();
        let created = !org.metadata.contains_key(&key);
        if created {
            let cid = org.mint_id(component_id_prefix(&type_name));
            org.metadata.insert(
                key.clone(),
                Component {
                    id: cid,
                    files: BTreeMap::new(),
                    created_by_id: user_id.clone(),
                    created_by_name: user_name.clone(),
                    created_date: now.clone(),
                    last_modified_by_id: user_id.clone(),
                    last_modified_by_name: user_name.clone(),
                    last_modified_date: now.clone(),
                    namespace_prefix: None,
                },
            );
        }
        let component = org.metadata.get_mut(&key).expect("inserted above");
        component.files = files;
        component.last_modified_by_id = user_id.clone();
        component.last_modified_by_name = user_name;
        component.last_modified_date = now;
        let cid = component.id.clone();
        let verb = if created { "created" } else { "changed" };
        crate::audit::record_component_change(org, &user_id, verb, &type_name, &full_name);
        Ok(json!({"id": cid, "created": created, "type": type_name, "full_name": full_name}))
    });
    match result {
        Ok(Ok(v)) => (StatusCode::OK, Json(v)).into_response(),
        Ok(Err(msg)) => bad_request(msg),
        Err(e) => error(StatusCode::NOT_FOUND, "unknown_org", e.to_string()),
    }
}

async fn delete_component(
    State(sim): State<Sim>,
    Path((org, type_name, full_name)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let Some(user) = params.get("user") else {
        return bad_request("query parameter `user` (username or id) is required");
    };
    let result = sim.with_org_mut(&id, |org| {
        let Some((user_id, _)) = user_of(org, user) else {
            return Err((
                StatusCode::BAD_REQUEST,
                format!("no user `{user}` in org {}", org.alias),
            ));
        };
        let key = ComponentKey::new(type_name.clone(), full_name.clone());
        if org.metadata.remove(&key).is_none() {
            return Err((
                StatusCode::NOT_FOUND,
                format!("no component {type_name}:{full_name}"),
            ));
        }
        crate::audit::record_component_change(org, &user_id, "deleted", &type_name, &full_name);
        Ok(())
    });
    match result {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err((status, msg))) => error(status, "bad_component", msg),
        Err(e) => error(StatusCode::NOT_FOUND, "unknown_org", e.to_string()),
    }
}

async fn get_faults(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    match resolve(&sim, &org) {
        Ok(id) => Json(faults::faults_for(&sim, &id)).into_response(),
        Err(e) => e,
    }
}

async fn put_faults(State(sim): State<Sim>, Path(org): Path<String>, body: Bytes) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let f: Faults = match parse(&body) {
        Ok(f) => f,
        Err(e) => return e,
    };
    if let Err(msg) = f.validate() {
        return bad_request(msg);
    }
    faults::set_faults(&sim, &id, f.clone());
    Json(f).into_response()
}

async fn clear_faults(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    match resolve(&sim, &org) {
        Ok(id) => {
            faults::set_faults(&sim, &id, Faults::default());
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

async fn expire_tokens(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    match resolve(&sim, &org) {
        Ok(id) => Json(json!({"expired": faults::expire_tokens(&sim, &id)})).into_response(),
        Err(e) => e,
    }
}

async fn get_usage(State(sim): State<Sim>, Path(org): Path<String>) -> Response {
    match resolve(&sim, &org) {
        Ok(id) => Json(crate::limits::usage(&sim, &id)).into_response(),
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsagePatch {
    max: Option<u64>,
    used: Option<u64>,
}

async fn put_usage(State(sim): State<Sim>, Path(org): Path<String>, body: Bytes) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let patch: UsagePatch = match parse(&body) {
        Ok(p) => p,
        Err(e) => return e,
    };
    Json(crate::limits::set_usage(&sim, &id, patch.max, patch.used)).into_response()
}

/// Seeds records: a JSON object or an array of objects; created by the org's first user.
async fn create_records(
    State(sim): State<Sim>,
    Path((org, sobject)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let id = match resolve(&sim, &org) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let items = match parse::<Value>(&body) {
        Ok(Value::Array(items)) => items,
        Ok(obj @ Value::Object(_)) => vec![obj],
        Ok(_) => return bad_request("body must be a JSON object or an array of objects"),
        Err(e) => return e,
    };
    let result = sim.with_org_mut(&id, |org| {
        let mut ids = Vec::new();
        for item in &items {
            let Value::Object(fields) = item else {
                return Err(crate::rest::records::RecordError {
                    status: StatusCode::BAD_REQUEST,
                    code: "JSON_PARSER_ERROR",
                    message: "each record must be a JSON object".into(),
                });
            };
            ids.push(crate::rest::records::insert_record(
                org, &sobject, fields, "",
            )?);
        }
        Ok::<_, crate::rest::records::RecordError>(ids)
    });
    match result {
        Ok(Ok(ids)) => (StatusCode::CREATED, Json(json!({"ids": ids}))).into_response(),
        Ok(Err(e)) => error(StatusCode::BAD_REQUEST, e.code, e.message),
        Err(e) => error(StatusCode::NOT_FOUND, "unknown_org", e.to_string()),
    }
}

async fn get_settings(State(sim): State<Sim>) -> Response {
    Json(crate::oauth::settings(&sim)).into_response()
}

/// Updates only the keys given; `auto_approve_username: null` turns auto-approve off.
async fn put_settings(State(sim): State<Sim>, body: Bytes) -> Response {
    let patch = match parse::<Value>(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return bad_request("body must be a JSON object"),
        Err(e) => return e,
    };
    let mut settings = crate::oauth::settings(&sim);
    for (key, value) in patch {
        match (key.as_str(), value) {
            ("token_lifetime_secs", Value::Number(n)) if n.as_u64().is_some() => {
                settings.token_lifetime_secs = n.as_u64().unwrap_or_default();
            }
            ("auto_approve_username", Value::Null) => settings.auto_approve_username = None,
            ("auto_approve_username", Value::String(u)) => {
                if crate::oauth::find_user(&sim, &u).is_none() {
                    return bad_request(format!("no user `{u}` in any org"));
                }
                settings.auto_approve_username = Some(u);
            }
            (key, value) => return bad_request(format!("invalid setting `{key}`: {value}")),
        }
    }
    crate::oauth::set_settings(&sim, settings.clone());
    Json(settings).into_response()
}

async fn list_apps(State(sim): State<Sim>) -> Response {
    Json(crate::oauth::apps(&sim)).into_response()
}

async fn put_app(State(sim): State<Sim>, Path(client_id): Path<String>, body: Bytes) -> Response {
    let mut spec: AppSpec = match parse(&body) {
        Ok(s) => s,
        Err(e) => return e,
    };
    if spec.public_key_pem_file.is_some() {
        return bad_request("public_key_pem_file is for config files; send public_key_pem");
    }
    spec.client_id = client_id;
    match crate::config::register_app(&sim, &spec) {
        Ok(()) => Json(crate::oauth::app(&sim, &spec.client_id)).into_response(),
        Err(e) => bad_request(e.to_string()),
    }
}

async fn requests(
    State(sim): State<Sim>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let limit = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(faults::REQUEST_LOG_CAPACITY);
    let org = match params.get("org") {
        Some(o) => match resolve(&sim, o) {
            Ok(id) => Some(id),
            Err(e) => return e,
        },
        None => None,
    };
    Json(faults::request_log(&sim, org.as_deref(), limit)).into_response()
}
