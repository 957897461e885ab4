//! TraceFlag and DebugLevel rules: field names, restricted picklists, required fields,
//! unique DeveloperName, the 24-hour window, overlapping flags, the date formats clients
//! send (epoch ms, ISO 8601, RFC 1123), and which flag makes a user's run logged now.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

use super::debug_log::{LEVELS, Levels, rest_time};

pub const LOG_TYPES: &[&str] = &["USER_DEBUG", "DEVELOPER_LOG", "CLASS_TRACING", "PROFILING"];
pub const LEVEL_FIELDS: &[&str] = &[
    "ApexCode",
    "ApexProfiling",
    "Callout",
    "Database",
    "System",
    "Validation",
    "Visualforce",
    "Workflow",
    "Wave",
    "Nba",
    "DataAccess",
];
pub const TRACE_FIELDS: &[&str] = &[
    "TracedEntityId",
    "LogType",
    "DebugLevelId",
    "StartDate",
    "ExpirationDate",
];
/// Parses a date as clients send it: epoch ms, ISO 8601 / `+0000`, or RFC 1123.
pub fn parse_when(v: &Value) -> Option<OffsetDateTime> {
    if let Some(ms) = v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)) {
        return OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
    }
    let s = v.as_str()?.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&s.replace("GMT", "+0000"), &Rfc2822) {
        return Some(t);
    }
    if s.len() > 5 && s.is_ascii() {
        let fixed = format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..]);
        if let Ok(t) = OffsetDateTime::parse(&fixed, &Rfc3339) {
            return Some(t);
        }
    }
    if s.len() == 10 && s.is_ascii() {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        return time::Date::parse(s, &fmt)
            .ok()
            .map(|d| d.midnight().assume_utc());
    }
    None
}

fn bad(code: &str, message: String) -> (StatusCode, &'static str, String) {
    let code: &'static str = match code {
        "INVALID_FIELD" => "INVALID_FIELD",
        "REQUIRED_FIELD_MISSING" => "REQUIRED_FIELD_MISSING",
        "INVALID_CROSS_REFERENCE_KEY" => "INVALID_CROSS_REFERENCE_KEY",
        "DUPLICATE_DEVELOPER_NAME" => "DUPLICATE_DEVELOPER_NAME",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        _ => "FIELD_INTEGRITY_EXCEPTION",
    };
    (StatusCode::BAD_REQUEST, code, message)
}

pub type Check = Result<(), (StatusCode, &'static str, String)>;

/// Validates and normalizes a TraceFlag/DebugLevel body (merged over `existing` on update).
pub fn validate(
    t: &super::OrgTooling,
    sobject: &str,
    fields: &mut Map<String, Value>,
    self_id: Option<&str>,
) -> Check {
    let allowed: Vec<&str> = match sobject {
        "TraceFlag" => TRACE_FIELDS.to_vec(),
        _ => LEVEL_FIELDS
            .iter()
            .copied()
            .chain(["DeveloperName", "MasterLabel", "Language"])
            .collect(),
    };
    let mut norm = Map::new();
    for (k, v) in fields.iter() {
        let Some(canon) = allowed.iter().find(|a| a.eq_ignore_ascii_case(k)) else {
            return Err(bad(
                "INVALID_FIELD",
                format!("No such column '{k}' on sobject of type {sobject}"),
            ));
        };
        norm.insert((*canon).to_owned(), v.clone());
    }
    *fields = norm;
    let missing: Vec<&str> = match sobject {
        "TraceFlag" => vec![
            "TracedEntityId",
            "LogType",
            "DebugLevelId",
            "ExpirationDate",
        ],
        _ => vec!["DeveloperName", "MasterLabel"],
    }
    .into_iter()
    .filter(|f| {
        fields
            .get(*f)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
    })
    .collect();
    if !missing.is_empty() {
        return Err(bad(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        ));
    }
    if sobject == "DebugLevel" {
        for f in LEVEL_FIELDS {
            let v = fields
                .get(*f)
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase)
                .unwrap_or_else(|| "INFO".into());
            if !LEVELS.contains(&v.as_str()) {
                return Err(bad(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!("{f}: bad value for restricted picklist field: {v}"),
                ));
            }
            fields.insert((*f).to_owned(), json!(v));
        }
        fields.entry("Language").or_insert(json!("en_US"));
        let name = fields
            .get("DeveloperName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let dup = t.records.get("DebugLevel").is_some_and(|m| {
            m.values().any(|r| {
                r.get("DeveloperName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    && r.get("Id").and_then(Value::as_str) != self_id
            })
        });
        if dup {
            return Err(bad(
                "DUPLICATE_DEVELOPER_NAME",
                format!(
                    "The DeveloperName field must be unique. Another DebugLevel already uses {name}."
                ),
            ));
        }
        return Ok(());
    }
    let log_type = fields
        .get("LogType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !LOG_TYPES.contains(&log_type.as_str()) {
        return Err(bad(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            format!("Log Type: bad value for restricted picklist field: {log_type}"),
        ));
    }
    fields.insert("LogType".into(), json!(log_type));
    let level_id = fields
        .get("DebugLevelId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if find(t, "DebugLevel", &level_id).is_none() {
        return Err(bad(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("invalid cross reference id: {level_id}"),
        ));
    }
    let start = match fields.get("StartDate").filter(|v| !v.is_null()) {
        Some(v) => parse_when(v).ok_or_else(|| {
            bad(
                "INVALID_FIELD",
                "Start Date: value not of required type".into(),
            )
        })?,
        None => OffsetDateTime::now_utc(),
    };
    let Some(end) = fields.get("ExpirationDate").and_then(parse_when) else {
        return Err(bad(
            "INVALID_FIELD",
            "Expiration Date: value not of required type".into(),
        ));
    };
    if end <= start {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "Expiration Date: The end time must be after the start time.".into(),
        ));
    }
    // The 24-hour cap counts from the later of start and now, so an old flag can be
    // extended (what `sf apex` does with a PATCH of ExpirationDate).
    if end - start.max(OffsetDateTime::now_utc()) > time::Duration::hours(24) {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "Expiration Date: The end time can't be more than 24 hours after the start time."
                .into(),
        ));
    }
    let entity = fields
        .get("TracedEntityId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let overlapping = t.records.get("TraceFlag").is_some_and(|m| {
        m.values().any(|r| {
            r.get("Id").and_then(Value::as_str) != self_id
                && r.get("TracedEntityId")
                    .and_then(Value::as_str)
                    .is_some_and(|e| crate::sobjects::same_id(e, &entity))
                && r.get("LogType").and_then(Value::as_str) == Some(log_type.as_str())
                && window(r).is_some_and(|(s, e)| s < end && start < e)
        })
    });
    if overlapping {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "This entity is already being traced.".into(),
        ));
    }
    fields.insert("StartDate".into(), json!(rest_time(start)));
    fields.insert("ExpirationDate".into(), json!(rest_time(end)));
    Ok(())
}

fn window(r: &Map<String, Value>) -> Option<(OffsetDateTime, OffsetDateTime)> {
    Some((
        parse_when(r.get("StartDate")?)?,
        parse_when(r.get("ExpirationDate")?)?,
    ))
}

pub fn find<'a>(
    t: &'a super::OrgTooling,
    sobject: &str,
    id: &str,
) -> Option<&'a Map<String, Value>> {
    t.records.get(sobject)?.values().find(|r| {
        r.get("Id")
            .and_then(Value::as_str)
            .is_some_and(|rid| crate::sobjects::same_id(rid, id))
    })
}

/// The levels of the trace flag that makes `user_id`'s runs logged now, if any.
pub fn active_levels(t: &super::OrgTooling, user_id: &str) -> Option<Levels> {
    let now = OffsetDateTime::now_utc();
    let flag = t.records.get("TraceFlag")?.values().find(|r| {
        r.get("TracedEntityId")
            .and_then(Value::as_str)
            .is_some_and(|e| crate::sobjects::same_id(e, user_id))
            && matches!(
                r.get("LogType").and_then(Value::as_str),
                Some("USER_DEBUG" | "DEVELOPER_LOG")
            )
            && window(r).is_some_and(|(s, e)| s <= now && now < e)
    })?;
    let level_id = flag.get("DebugLevelId")?.as_str()?;
    find(t, "DebugLevel", level_id).map(Levels::from_debug_level)
}
