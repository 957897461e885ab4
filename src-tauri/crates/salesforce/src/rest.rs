//! The REST API (rest-tooling.md §1–§4): versions, SOQL query with queryMore paging,
//! sObject describe and org limits. The query machinery is shared with Tooling, whose
//! query endpoint has the same shape under `/tooling`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::session::{Call, Session};

/// One entry of `GET /services/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiVersionInfo {
    pub version: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub url: String,
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    pub total_size: u64,
    pub done: bool,
    #[serde(default)]
    pub next_records_url: Option<String>,
    #[serde(default)]
    pub records: Vec<Value>,
}

/// A query read page by page: `while let Some(page) = pages.next_page().await? { … }`.
/// Holds a session clone, so it can outlive the borrow that created it.
#[derive(Debug)]
pub struct QueryPages {
    session: Session,
    first: Option<Call>,
    next: Option<String>,
    total_size: Option<u64>,
}

impl QueryPages {
    /// The next page of records, `None` when the query is exhausted.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>> {
        let call = match (self.first.take(), self.next.take()) {
            (Some(call), _) => call,
            (None, Some(url)) => Call::get(url),
            (None, None) => return Ok(None),
        };
        let page: QueryResult = self.session.execute(call).await?.json("query result")?;
        self.total_size = Some(page.total_size);
        if !page.done {
            self.next = Some(page.next_records_url.ok_or_else(|| {
                Error::unexpected("query result", "done=false without nextRecordsUrl")
            })?);
        }
        Ok(Some(page.records))
    }

    /// `totalSize` once the first page has been read.
    pub fn total_size(&self) -> Option<u64> {
        self.total_size
    }

    /// Reads every remaining page.
    pub async fn collect_all(mut self) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}

/// `sobjects/{Type}/describe`, the fields the engine uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_plural: String,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub queryable: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub deletable: bool,
    #[serde(default)]
    pub fields: Vec<FieldDescribe>,
    #[serde(default)]
    pub record_type_infos: Vec<RecordTypeInfo>,
    #[serde(default)]
    pub child_relationships: Vec<ChildRelationship>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(rename = "type", default)]
    pub field_type: String,
    #[serde(default)]
    pub length: Option<u64>,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeInfo {
    pub name: String,
    #[serde(default)]
    pub developer_name: Option<String>,
    #[serde(default)]
    pub record_type_id: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub master: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRelationship {
    pub child_s_object: String,
    pub field: String,
    #[serde(default)]
    pub relationship_name: Option<String>,
}

/// One entry of `/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    #[serde(rename = "Max")]
    pub max: i64,
    #[serde(rename = "Remaining")]
    pub remaining: i64,
}

/// The REST API of one session.
#[derive(Debug, Clone, Copy)]
pub struct Rest<'a> {
    session: &'a Session,
}

impl Session {
    pub fn rest(&self) -> Rest<'_> {
        Rest { session: self }
    }
}

/// Builds a paged query on `{data}{prefix}/query`.
pub(crate) async fn pages(
    session: &Session,
    prefix: &str,
    soql: &str,
    batch_size: Option<u32>,
) -> Result<QueryPages> {
    let mut call =
        Call::get(format!("{}{prefix}/query", session.data_path().await?)).query("q", soql);
    if let Some(n) = batch_size {
        call.headers
            .push(("Sforce-Query-Options", format!("batchSize={n}")));
    }
    Ok(QueryPages {
        session: session.clone(),
        first: Some(call),
        next: None,
        total_size: None,
    })
}

impl Rest<'_> {
    /// `GET /services/data`: the versions the org serves, oldest first.
    pub async fn versions(&self) -> Result<Vec<ApiVersionInfo>> {
        self.session
            .execute(Call::get("/services/data"))
            .await?
            .json("/services/data")
    }

    /// One page of a query (the first).
    pub async fn query(&self, soql: &str) -> Result<QueryResult> {
        let path = format!("{}/query", self.session.data_path().await?);
        self.session
            .execute(Call::get(path).query("q", soql))
            .await?
            .json("query result")
    }

    /// The page at a `nextRecordsUrl`.
    pub async fn query_more(&self, next_records_url: &str) -> Result<QueryResult> {
        if !next_records_url.starts_with("/services/data/") {
            return Err(Error::Invalid(format!(
                "`{next_records_url}` is not a nextRecordsUrl (/services/data/…)"
            )));
        }
        self.session
            .execute(Call::get(next_records_url))
            .await?
            .json("query result")
    }

    /// The query as pages (`batch_size` 200–2000 asks for smaller pages).
    pub async fn query_pages(&self, soql: &str, batch_size: Option<u32>) -> Result<QueryPages> {
        pages(self.session, "", soql, batch_size).await
    }

    /// Every record of the query, following nextRecordsUrl.
    pub async fn query_all(&self, soql: &str) -> Result<Vec<Value>> {
        self.query_pages(soql, None).await?.collect_all().await
    }

    pub async fn describe_sobject(&self, sobject: &str) -> Result<SObjectDescribe> {
        if sobject.is_empty()
            || !sobject
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::Invalid(format!(
                "`{sobject}` is not an sObject API name"
            )));
        }
        let path = format!(
            "{}/sobjects/{sobject}/describe",
            self.session.data_path().await?
        );
        self.session
            .execute(Call::get(path))
            .await?
            .json("describe")
    }

    /// `/limits`: every org limit with Max and Remaining.
    pub async fn limits(&self) -> Result<BTreeMap<String, Limit>> {
        let path = format!("{}/limits", self.session.data_path().await?);
        let raw: BTreeMap<String, Value> = self
            .session
            .execute(Call::get(path))
            .await?
            .json("limits")?;
        Ok(raw
            .into_iter()
            .filter_map(|(k, v)| serde_json::from_value::<Limit>(v).ok().map(|l| (k, l)))
            .collect())
    }
}
