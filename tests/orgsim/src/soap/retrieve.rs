//! retrieve and checkRetrieveStatus: the asynchronous retrieve job (metadata-soap.md §5).
//!
//! `retrieve` resolves the request at once ([`super::retrieve_build`]) but, like Salesforce,
//! only answers an AsyncResult (`09S…`, Queued). `checkRetrieveStatus` never reports done on
//! its first poll (Pending), then InProgress until the configured delay has passed, then
//! Succeeded (or Failed). The zip is returned once, on the first done call with
//! `includeZip` (default true, as jsforce omits it) and then deleted from the server. The
//! per-org fault `retrieve_never_finishes` keeps a job InProgress forever.

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::response::Response;
use base64::Engine;

pub use super::retrieve_build::{Requester, RetrieveOutcome, RetrieveRequest, build_retrieve};

use super::envelope::{self, SoapRequest, XmlWriter};
use crate::server::{SessionInfo, Sim};

/// Timing and limits of retrieve jobs (per simulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrieveSettings {
    /// Wall-clock time after the retrieve call before a poll may report done.
    pub delay: Duration,
    /// Files one retrieve may return (Salesforce: 10,000).
    pub max_files: usize,
}

impl Default for RetrieveSettings {
    fn default() -> Self {
        Self {
            delay: Duration::from_millis(200),
            max_files: 10_000,
        }
    }
}

#[derive(Debug)]
struct Job {
    org_id: String,
    started: Instant,
    polls: u32,
    outcome: RetrieveOutcome,
    zip_taken: bool,
}

/// Retrieve jobs of all orgs, by 09S id.
#[derive(Debug, Default)]
pub struct RetrieveJobs {
    jobs: Mutex<BTreeMap<String, Job>>,
    settings: RwLock<RetrieveSettings>,
}

/// Changes the retrieve delay and file limit (tests, demo config).
pub fn set_retrieve_settings(sim: &Sim, settings: RetrieveSettings) {
    *sim.inner
        .soap
        .retrieves
        .settings
        .write()
        .expect("retrieve settings lock") = settings;
}

pub fn retrieve_settings(sim: &Sim) -> RetrieveSettings {
    *sim.inner
        .soap
        .retrieves
        .settings
        .read()
        .expect("retrieve settings lock")
}

/// `2026-11-03T10:15:00.000Z`.
pub fn now_iso() -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&fmt)
        .unwrap_or_default()
}

pub fn retrieve(sim: &Sim, org_id: &str, session: &SessionInfo, req: &SoapRequest) -> Response {
    // WSDL name `retrieveRequest`; jsforce sends `request` — bind by position, as Salesforce.
    let Some(request_el) = req
        .body
        .child("retrieveRequest")
        .or_else(|| req.body.elements().next())
    else {
        return envelope::fault(
            "INVALID_CROSS_REFERENCE_KEY",
            "retrieve requires a RetrieveRequest",
        );
    };
    let request = match RetrieveRequest::from_element(request_el) {
        Ok(r) => r,
        Err(message) => return envelope::fault("UNKNOWN_EXCEPTION", &message),
    };
    if request.unpackaged.is_some() && !request.package_names.is_empty() {
        return envelope::fault(
            "INVALID_CROSS_REFERENCE_KEY",
            "Cannot specify both packageNames and unpackaged in a retrieve request",
        );
    }
    if !request.specific_files.is_empty()
        && (!request.package_names.is_empty() || !request.single_package)
    {
        return envelope::fault(
            "INVALID_CROSS_REFERENCE_KEY",
            "specificFiles requires packageNames to be null and singlePackage to be true",
        );
    }
    let settings = retrieve_settings(sim);
    let built = sim.with_org_mut(org_id, |org| {
        let user_name = org
            .user_by_id(&session.user_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let who = Requester {
            user_id: session.user_id.clone(),
            user_name,
            now: now_iso(),
        };
        let outcome = build_retrieve(org, &request, &who, settings.max_files);
        (org.mint_id("09S"), outcome)
    });
    let Ok((id, outcome)) = built else {
        return envelope::fault("UNKNOWN_EXCEPTION", "organization not found");
    };
    let job = Job {
        org_id: org_id.to_owned(),
        started: Instant::now(),
        polls: 0,
        outcome,
        zip_taken: false,
    };
    sim.inner
        .soap
        .retrieves
        .jobs
        .lock()
        .expect("retrieve jobs lock")
        .insert(id.clone(), job);
    let mut w = XmlWriter::new();
    w.open("result")
        .leaf_bool("done", false)
        .leaf("id", &id)
        .leaf("state", "Queued")
        .close("result");
    envelope::ok("retrieve", &w.finish())
}

pub fn check_retrieve_status(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let id = req.arg("asyncProcessId").or_else(|| {
        req.body
            .elements()
            .next()
            .map(|e| e.text().trim().to_owned())
    });
    let id = id.unwrap_or_default();
    let include_zip = req
        .arg("includeZip")
        .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
    let never_finishes = crate::faults::faults_for(sim, org_id).retrieve_never_finishes;
    let delay = retrieve_settings(sim).delay;
    let mut jobs = sim
        .inner
        .soap
        .retrieves
        .jobs
        .lock()
        .expect("retrieve jobs lock");
    let Some(job) = jobs.get_mut(&id).filter(|j| j.org_id == org_id) else {
        return envelope::fault("INVALID_ID_FIELD", &format!("Invalid retrieve id: {id}"));
    };
    if job.zip_taken {
        return envelope::fault("INVALID_ID_FIELD", "Retrieve result has been deleted.");
    }
    job.polls += 1;
    let status = if never_finishes {
        "InProgress"
    } else if job.polls == 1 {
        "Pending"
    } else if job.started.elapsed() < delay {
        "InProgress"
    } else if job.outcome.error.is_some() {
        "Failed"
    } else {
        "Succeeded"
    };
    let done = matches!(status, "Succeeded" | "Failed");
    let mut w = XmlWriter::new();
    w.open("result").leaf_bool("done", done);
    if done && let Some((code, message)) = &job.outcome.error {
        w.leaf("errorMessage", message)
            .leaf("errorStatusCode", code);
    }
    if done {
        for fp in &job.outcome.file_properties {
            fp.write(&mut w, "fileProperties");
        }
    }
    w.leaf("id", &id);
    if done {
        for (file_name, problem) in &job.outcome.messages {
            w.open("messages")
                .leaf("fileName", file_name)
                .leaf("problem", problem)
                .close("messages");
        }
    }
    w.leaf("status", status)
        .leaf_bool("success", status == "Succeeded");
    if status == "Succeeded" && include_zip {
        w.leaf(
            "zipFile",
            &base64::engine::general_purpose::STANDARD.encode(&job.outcome.zip),
        );
        job.zip_taken = true;
    }
    w.close("result");
    envelope::ok("checkRetrieveStatus", &w.finish())
}
