//! The Tooling API (rest-tooling.md §2, §5, §6): query, executeAnonymous, and the debug-log
//! trio DebugLevel → TraceFlag → ApexLog. executeAnonymous is never retried: Apex may have
//! changed data before a connection dropped.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::rest::{QueryPages, QueryResult, pages};
use crate::session::{Call, Session};

/// `ExecuteAnonymousResult` (rest-tooling.md §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteAnonymousResult {
    pub compiled: bool,
    pub success: bool,
    pub line: i64,
    pub column: i64,
    #[serde(default)]
    pub compile_problem: Option<String>,
    #[serde(default)]
    pub exception_message: Option<String>,
    #[serde(default)]
    pub exception_stack_trace: Option<String>,
}

/// A DebugLevel to create; levels are `NONE`…`FINEST`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DebugLevel {
    pub developer_name: String,
    pub master_label: String,
    pub apex_code: String,
    pub apex_profiling: String,
    pub callout: String,
    pub database: String,
    pub system: String,
    pub validation: String,
    pub visualforce: String,
    pub workflow: String,
}

impl DebugLevel {
    /// A level that logs Apex at FINEST and the rest at INFO.
    pub fn apex_finest(developer_name: &str) -> Self {
        let info = || "INFO".to_owned();
        Self {
            developer_name: developer_name.to_owned(),
            master_label: developer_name.to_owned(),
            apex_code: "FINEST".into(),
            apex_profiling: info(),
            callout: info(),
            database: info(),
            system: "DEBUG".into(),
            validation: info(),
            visualforce: info(),
            workflow: info(),
        }
    }
}

/// A TraceFlag to create. Dates are ISO 8601 (`2026-01-01T10:00:00.000Z`); Salesforce caps
/// a flag at 24 hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TraceFlag {
    pub traced_entity_id: String,
    /// `DEVELOPER_LOG`, `USER_DEBUG`, `CLASS_TRACING` or `PROFILING`.
    pub log_type: String,
    pub debug_level_id: String,
    pub start_date: String,
    pub expiration_date: String,
}

/// An ApexLog row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApexLog {
    pub id: String,
    #[serde(default)]
    pub application: Option<String>,
    #[serde(default)]
    pub duration_milliseconds: Option<i64>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub log_length: Option<i64>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub request: Option<String>,
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// The Tooling API of one session.
#[derive(Debug, Clone, Copy)]
pub struct Tooling<'a> {
    session: &'a Session,
}

impl Session {
    pub fn tooling(&self) -> Tooling<'_> {
        Tooling { session: self }
    }
}

#[derive(Deserialize)]
struct SaveResult {
    id: Option<String>,
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<Value>,
}

impl<'a> Tooling<'a> {
    pub(crate) fn session(&self) -> &'a Session {
        self.session
    }

    async fn base(&self) -> Result<String> {
        Ok(format!("{}/tooling", self.session.data_path().await?))
    }

    /// The first page of a Tooling query.
    pub async fn query(&self, soql: &str) -> Result<QueryResult> {
        let path = format!("{}/query", self.base().await?);
        self.session
            .execute(Call::get(path).query("q", soql))
            .await?
            .json("tooling query result")
    }

    pub async fn query_pages(&self, soql: &str) -> Result<QueryPages> {
        pages(self.session, "/tooling", soql, None).await
    }

    pub async fn query_all(&self, soql: &str) -> Result<Vec<Value>> {
        self.query_pages(soql).await?.collect_all().await
    }

    /// Runs anonymous Apex (`GET tooling/executeAnonymous`). Not retried.
    pub async fn execute_anonymous(&self, apex: &str) -> Result<ExecuteAnonymousResult> {
        let path = format!("{}/executeAnonymous/", self.base().await?);
        self.session
            .execute(
                Call::get(path)
                    .query("anonymousBody", apex)
                    .not_idempotent(),
            )
            .await?
            .json("executeAnonymous result")
    }

    async fn create(&self, sobject: &str, body: Value) -> Result<String> {
        let path = format!("{}/sobjects/{sobject}", self.base().await?);
        let saved: SaveResult = self
            .session
            .execute(Call::post_json(path, body))
            .await?
            .json("create result")?;
        match saved.id {
            Some(id) if saved.success => Ok(id),
            _ => Err(Error::unexpected(
                format!("create {sobject}"),
                format!("not created: {}", Value::Array(saved.errors)),
            )),
        }
    }

    /// Creates a DebugLevel; returns its id (`7dl…`).
    pub async fn create_debug_level(&self, level: &DebugLevel) -> Result<String> {
        let body = serde_json::to_value(level).map_err(|e| Error::Invalid(e.to_string()))?;
        self.create("DebugLevel", body).await
    }

    /// Creates a TraceFlag; returns its id (`7tf…`).
    pub async fn create_trace_flag(&self, flag: &TraceFlag) -> Result<String> {
        let body = serde_json::to_value(flag).map_err(|e| Error::Invalid(e.to_string()))?;
        self.create("TraceFlag", body).await
    }

    /// The newest Apex logs first (the CLI's query), at most `limit`.
    pub async fn list_apex_logs(&self, limit: u32) -> Result<Vec<ApexLog>> {
        let soql = format!(
            "SELECT Id, Application, DurationMilliseconds, Location, LogLength, LogUser.Name, \
             Operation, Request, StartTime, Status FROM ApexLog ORDER BY StartTime DESC LIMIT {}",
            limit.max(1)
        );
        let rows = self.query_all(&soql).await?;
        rows.into_iter()
            .map(|r| serde_json::from_value(r).map_err(|e| Error::unexpected("ApexLog row", e)))
            .collect()
    }

    /// The raw text of one log (`/tooling/sobjects/ApexLog/{id}/Body`).
    pub async fn apex_log_body(&self, id: &str) -> Result<String> {
        if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::Invalid(format!("`{id}` is not an ApexLog id")));
        }
        let path = format!("{}/sobjects/ApexLog/{id}/Body", self.base().await?);
        Ok(self.session.execute(Call::get(path)).await?.text())
    }
}
