//! The Metadata API over SOAP (metadata-soap.md): describe, list, read, retrieve and deploy.
//!
//! Requests are built as strings with escaped leaves (`xml.rs`), responses read through a
//! namespace-agnostic tree. Status checks and reads are marked idempotent (retried on 5xx
//! and network errors); `deploy`, `cancelDeploy` and `deployRecentValidation` are never
//! retried, because a second deploy is a second change to a production org.

mod deploy_result;
mod types;
mod wait;
pub(crate) mod xml;

use base64::Engine;

pub use deploy_result::{
    CodeCoverage, CoverageWarning, DeployMessage, DeployResult, RunTestsResult, TestFailure,
    TestSuccess,
};
pub use types::{
    AsyncResult, DeployOptions, DescribeMetadataResult, FileProperties, ListMetadataQuery,
    MetadataObject, MetadataRecord, RetrieveMessage, RetrieveRequest, RetrieveResult,
};
pub use wait::Poll;

use crate::error::{Error, Result};
use crate::session::{Call, Session};
use xml::{METADATA_NS, leaf};

/// Salesforce answers at most 3 queries per listMetadata call.
pub const MAX_LIST_QUERIES: usize = 3;
/// readMetadata takes at most 10 names per call (200 for CustomMetadata/CustomApplication).
pub const MAX_READ_NAMES: usize = 10;

/// The Metadata API of one session.
#[derive(Debug, Clone, Copy)]
pub struct Metadata<'a> {
    session: &'a Session,
}

impl Session {
    pub fn metadata(&self) -> Metadata<'_> {
        Metadata { session: self }
    }
}

impl Metadata<'_> {
    async fn call(&self, operation: &str, inner: String, idempotent: bool) -> Result<xml::Element> {
        let version = self.session.api_version().await?;
        let body = format!("<{operation}>{inner}</{operation}>");
        let call = Call::soap(
            format!("/services/Soap/m/{version}"),
            METADATA_NS,
            body,
            idempotent,
        );
        let reply = self.session.execute(call).await?;
        xml::response_body(&reply.body, operation)
    }

    fn result(body: &xml::Element, operation: &str) -> Result<xml::Element> {
        body.child("result")
            .cloned()
            .ok_or_else(|| Error::unexpected(operation, "no <result> in the answer"))
    }

    pub async fn describe_metadata(&self) -> Result<DescribeMetadataResult> {
        let version = self.session.api_version().await?;
        let body = self
            .call("describeMetadata", leaf("asOfVersion", &version), true)
            .await?;
        Ok(DescribeMetadataResult::from_xml(&Self::result(
            &body,
            "describeMetadata",
        )?))
    }

    /// Lists components; more than [`MAX_LIST_QUERIES`] queries are split into several calls.
    pub async fn list_metadata(
        &self,
        queries: &[ListMetadataQuery],
    ) -> Result<Vec<FileProperties>> {
        let version = self.session.api_version().await?;
        let mut out = Vec::new();
        for chunk in queries.chunks(MAX_LIST_QUERIES) {
            let inner: String = chunk
                .iter()
                .map(ListMetadataQuery::to_xml)
                .collect::<String>()
                + &leaf("asOfVersion", &version);
            let body = self.call("listMetadata", inner, true).await?;
            out.extend(body.children("result").map(FileProperties::from_xml));
        }
        Ok(out)
    }

    /// Reads components of one type; names are sent in chunks of [`MAX_READ_NAMES`].
    /// Records without a fullName (names that do not exist) are dropped.
    pub async fn read_metadata(
        &self,
        type_name: &str,
        full_names: &[String],
    ) -> Result<Vec<MetadataRecord>> {
        let mut out = Vec::new();
        for chunk in full_names.chunks(MAX_READ_NAMES) {
            let inner = leaf("type", type_name)
                + &chunk
                    .iter()
                    .map(|n| leaf("fullNames", n))
                    .collect::<String>();
            let version = self.session.api_version().await?;
            let call = Call::soap(
                format!("/services/Soap/m/{version}"),
                METADATA_NS,
                format!("<readMetadata>{inner}</readMetadata>"),
                true,
            );
            let reply = self.session.execute(call).await?;
            let body = xml::response_body(&reply.body, "readMetadata")?;
            let Some(result) = body.child("result") else {
                continue;
            };
            for record in result.children("records") {
                let full_name = record.string("fullName");
                if full_name.is_empty() {
                    continue;
                }
                let raw = reply.body.get(record.span.clone()).unwrap_or_default();
                out.push(MetadataRecord {
                    type_name: record
                        .attr("type")
                        .map(|t| t.rsplit(':').next().unwrap_or(t).to_owned())
                        .unwrap_or_else(|| type_name.to_owned()),
                    full_name,
                    xml: String::from_utf8_lossy(raw).into_owned(),
                });
            }
        }
        Ok(out)
    }

    /// Starts a retrieve. Read-only on the org, so it is retried like a read.
    pub async fn retrieve(&self, request: &RetrieveRequest) -> Result<AsyncResult> {
        let body = self.call("retrieve", request.to_xml(), true).await?;
        Ok(AsyncResult::from_xml(&Self::result(&body, "retrieve")?))
    }

    /// Polls a retrieve. Ask for the zip only once `done` (the server deletes it after).
    pub async fn check_retrieve_status(
        &self,
        id: &str,
        include_zip: bool,
    ) -> Result<RetrieveResult> {
        let inner = leaf("asyncProcessId", id)
            + &leaf("includeZip", if include_zip { "true" } else { "false" });
        let body = self.call("checkRetrieveStatus", inner, true).await?;
        let r = Self::result(&body, "checkRetrieveStatus")?;
        let zip = match r.opt_string("zipFile") {
            Some(b64) => {
                let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
                Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(clean)
                        .map_err(|e| Error::unexpected("checkRetrieveStatus zipFile", e))?,
                )
            }
            None => None,
        };
        Ok(RetrieveResult {
            id: r.string("id"),
            done: r.bool("done"),
            status: r.string("status"),
            success: r.bool("success"),
            error_message: r.opt_string("errorMessage"),
            error_status_code: r.opt_string("errorStatusCode"),
            file_properties: r
                .children("fileProperties")
                .map(FileProperties::from_xml)
                .collect(),
            messages: r
                .children("messages")
                .map(|m| RetrieveMessage {
                    file_name: m.string("fileName"),
                    problem: m.string("problem"),
                })
                .collect(),
            zip,
        })
    }

    /// Starts a deploy of `zip` (package.xml at the root with `single_package`). Never retried.
    pub async fn deploy(&self, zip: &[u8], options: &DeployOptions) -> Result<AsyncResult> {
        let inner = leaf(
            "ZipFile",
            &base64::engine::general_purpose::STANDARD.encode(zip),
        ) + &options.to_xml();
        let body = self.call("deploy", inner, false).await?;
        Ok(AsyncResult::from_xml(&Self::result(&body, "deploy")?))
    }

    pub async fn check_deploy_status(
        &self,
        id: &str,
        include_details: bool,
    ) -> Result<DeployResult> {
        let inner = leaf("asyncProcessId", id)
            + &leaf(
                "includeDetails",
                if include_details { "true" } else { "false" },
            );
        let body = self.call("checkDeployStatus", inner, true).await?;
        Ok(DeployResult::from_xml(&Self::result(
            &body,
            "checkDeployStatus",
        )?))
    }

    /// Requests cancellation; `done=false` means keep polling for `Canceled`.
    pub async fn cancel_deploy(&self, id: &str) -> Result<AsyncResult> {
        let body = self.call("cancelDeploy", leaf("String", id), false).await?;
        Ok(AsyncResult::from_xml(&Self::result(&body, "cancelDeploy")?))
    }

    /// Quick-deploys a validated (checkOnly) deploy; returns the new deploy's id.
    pub async fn deploy_recent_validation(&self, validation_id: &str) -> Result<String> {
        let body = self
            .call(
                "deployRecentValidation",
                leaf("validationId", validation_id),
                false,
            )
            .await?;
        body.text_of("result")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::unexpected("deployRecentValidation", "no deploy id in the answer")
            })
    }
}
