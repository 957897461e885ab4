//! Anonymous Apex with its debug log, through the SOAP Apex API (rest-tooling.md §5.2) —
//! what `sf apex run` uses. The Tooling REST call returns no log; this one returns the log
//! text in the `DebuggingInfo` response header, which is what an operator running a script
//! across orgs wants to see. Never retried: the Apex may have changed data.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metadata::xml::{self, leaf};
use crate::session::Call;
use crate::tooling::{ExecuteAnonymousResult, Tooling};

const APEX_NS: &str = "http://soap.sforce.com/2006/08/apex";

/// The outcome of a SOAP executeAnonymous.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApexRun {
    pub result: ExecuteAnonymousResult,
    /// The debug log (`DebuggingInfo/debugLog`), when the server sent one.
    pub debug_log: Option<String>,
}

/// Log detail of the `DebuggingHeader` (apex.wsdl `LogType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogLevel {
    None,
    Debugonly,
    Db,
    Profiling,
    Callout,
    Detail,
}

impl LogLevel {
    fn wire(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Debugonly => "Debugonly",
            Self::Db => "Db",
            Self::Profiling => "Profiling",
            Self::Callout => "Callout",
            Self::Detail => "Detail",
        }
    }
}

impl Tooling<'_> {
    /// Runs anonymous Apex over the SOAP Apex API and returns the result with the debug log.
    pub async fn execute_anonymous_with_log(&self, apex: &str, level: LogLevel) -> Result<ApexRun> {
        let session = self.session();
        let version = session.api_version().await?;
        let org_id = session.org_id().ok_or_else(|| {
            Error::Invalid(format!("the org id of {} is unknown", session.label()))
        })?;
        let mut call = Call::soap(
            format!("/services/Soap/s/{version}/{org_id}"),
            APEX_NS,
            format!(
                "<executeAnonymous>{}</executeAnonymous>",
                leaf("String", apex)
            ),
            false,
        );
        if let crate::session::Body::Soap { header, .. } = &mut call.body {
            *header = format!(
                "<DebuggingHeader>{}</DebuggingHeader>",
                leaf("debugLevel", level.wire())
            );
        }
        let reply = session.execute(call).await?;
        let root = xml::parse(&reply.body)?;
        let r = root
            .path(&["Body", "executeAnonymousResponse", "result"])
            .ok_or_else(|| Error::unexpected("executeAnonymous", "no <result> in the answer"))?;
        Ok(ApexRun {
            result: ExecuteAnonymousResult {
                compiled: r.bool("compiled"),
                success: r.bool("success"),
                line: r.int("line"),
                column: r.int("column"),
                compile_problem: r.opt_string("compileProblem"),
                exception_message: r.opt_string("exceptionMessage"),
                exception_stack_trace: r.opt_string("exceptionStackTrace"),
            },
            debug_log: root
                .path(&["Header", "DebuggingInfo", "debugLog"])
                .filter(|l| !l.is_nil())
                .map(|l| l.text.clone()),
        })
    }
}
