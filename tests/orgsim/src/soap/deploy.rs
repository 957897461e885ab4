//! Metadata API deploys: `deploy`, `checkDeployStatus`, `cancelDeploy`, `deployRecentValidation`,
//! and `checkStatus` for deploy ids.
//!
//! `deploy` answers at once with an `AsyncResult` (`0Af…`, `Queued`) and a tokio task then
//! runs the job in steps (`step_delay_ms` apart): Pending → InProgress → component batches
//! (`numberComponentsDeployed` grows) → test batches (`numberTestsCompleted` grows) → a
//! terminal status. The outcome is decided once, at the start of InProgress, from the org as it
//! is then (validation in `deploy_validate.rs`, tests in `deploy_tests.rs`); the org changes
//! only at the end, in one write (`deploy_apply.rs`), and only for a successful, non-checkOnly
//! deploy. Rules not spelled out in the protocol docs (marked **UNCONFIRMED** there):
//! * production forces `rollbackOnError=true`; `testLevel=NoTestRun` in production faults with
//!   `INVALID_OPERATION` (deploy-errors.md §1.1), and so does `purgeOnDelete=true` (`purgeOnDelete
//!   option can only be used on a non-active org`, as CumulusCI#260 and IlluminatedCloud#583
//!   recorded it); orgsim has no Recycle Bin, so elsewhere purging changes nothing visible;
//! * with rollbackOnError, any component error (or a Warning without `ignoreWarnings`) fails
//!   the deploy before tests run; without it, failed components are skipped and the rest is
//!   applied (`SucceededPartial`); failing tests or missed coverage always fail the deploy;
//! * an unknown or other org's async id faults `INVALID_ID_FIELD`; canceling a finished deploy
//!   faults `INVALID_ID_FIELD`; a queued deploy cancels at once, a running one goes through
//!   `Canceling` (cancelDeploy answers `done=false`) to `Canceled` at its next step;
//! * quick deploy needs a `Succeeded` checkOnly deploy of the same org, younger than 10 days,
//!   that ran tests, and that was not quick-deployed already; the new deploy skips tests;
//! * `checkDeployStatus` with `includeDetails=false` omits `details` (metadata-soap.md §6.2);
//!   component rows appear in `details` as the counters move;
//! * `checkStatus` (deprecated but in the v63 WSDL; jsforce's generic `AsyncResultLocator.check()`
//!   and older jsforce's `complete()` poll it)
//!   reports deploys as `AsyncResult`s: Queued → InProgress → Completed.
//!
//! This file holds the SOAP operations: it reads their requests and answers them. The job
//! table and the task that steps a job are in `deploy_job.rs`; the XML of the answers is
//! written by `deploy_render.rs`.

#[path = "deploy_apex.rs"]
mod apex;
#[path = "deploy_apply.rs"]
mod apply;
#[path = "deploy_asserts.rs"]
mod asserts;
#[path = "deploy_builtins.rs"]
mod builtins;
#[path = "deploy_cascade.rs"]
mod cascade;
#[path = "deploy_job.rs"]
mod job;
#[path = "deploy_model.rs"]
pub mod model;
#[path = "deploy_package.rs"]
mod package;
#[path = "deploy_plan.rs"]
mod plan;
#[path = "deploy_render.rs"]
mod render;
#[path = "deploy_schema.rs"]
mod schema;
#[path = "deploy_tests.rs"]
mod tests_sim;
#[path = "deploy_validate.rs"]
mod validate;
#[path = "deploy_xml.rs"]
mod xml;

use std::sync::Arc;

use axum::response::Response;
use base64::Engine;

use super::envelope::{self, SoapRequest};
use crate::model::OrgKind;
use crate::server::{SessionInfo, Sim};
pub use job::DeployJobs;
use job::{jobs, start_job};
use model::{DeployOptions, DeployStatus, TestLevel};
use package::DeployPackage;

/// How long a validation can be quick-deployed (Salesforce: 10 days).
const VALIDATION_WINDOW_MS: u128 = 10 * 24 * 60 * 60 * 1000;

fn now() -> String {
    crate::audit::now_iso()
}

/// The first child's text: Salesforce binds body parameters by position (metadata-soap.md §1.2).
fn positional(req: &SoapRequest, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| req.arg(n))
        .or_else(|| {
            req.body
                .elements()
                .next()
                .map(|e| e.text().trim().to_owned())
        })
        .filter(|s| !s.is_empty())
}

/// `deploy(ZipFile, DeployOptions)`.
pub fn deploy(sim: &Sim, org_id: &str, session: &SessionInfo, req: &SoapRequest) -> Response {
    let zip_b64 = positional(req, &["ZipFile", "zipFile"]).unwrap_or_default();
    let opts_el = req
        .body
        .child("DeployOptions")
        .or_else(|| req.body.child("deployOptions"));
    let mut opts = match DeployOptions::from_element(opts_el) {
        Ok(o) => o,
        Err(level) => {
            return envelope::client_fault(&format!(
                "'{level}' is not a valid value for the enum 'TestLevel'"
            ));
        }
    };
    let compact: String = zip_b64.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(zip) = base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) else {
        return envelope::client_fault("Unable to decode the ZipFile element: not valid base64");
    };
    let Ok(kind) = sim.with_org(org_id, |o| o.kind) else {
        return envelope::invalid_session();
    };
    if kind == OrgKind::Production {
        if opts.test_level == Some(TestLevel::NoTestRun) {
            return envelope::fault(
                "INVALID_OPERATION",
                "testLevel of NoTestRun cannot be used in production organizations",
            );
        }
        if opts.purge_on_delete {
            return envelope::fault(
                "INVALID_OPERATION",
                "purgeOnDelete option can only be used on a non-active org",
            );
        }
        opts.rollback_on_error = true;
    }
    // An unreadable zip holds no package.xml: the job fails with that row.
    let files =
        orgfleet_metadata::mdapi::read_zip_entries(&zip, &Default::default()).unwrap_or_default();
    let pkg = Arc::new(DeployPackage::from_files(files));
    match start_job(sim, org_id, session, pkg, opts, false) {
        Some(id) => envelope::ok("deploy", &render::async_result(&id)),
        None => envelope::invalid_session(),
    }
}

/// `checkDeployStatus(asyncProcessId, includeDetails)`.
pub fn check_deploy_status(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let id = positional(req, &["asyncProcessId", "id"]).unwrap_or_default();
    let include = req
        .arg("includeDetails")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let all = jobs(sim).jobs.lock().expect("deploy jobs lock");
    match all.get(&id).filter(|j| j.org_id == org_id) {
        Some(job) => envelope::ok(
            "checkDeployStatus",
            &render::deploy_result(&job.result, include),
        ),
        None => envelope::fault("INVALID_ID_FIELD", &format!("Invalid id: {id}")),
    }
}

/// The `AsyncResult` view of a job, as `checkStatus` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncState {
    pub done: bool,
    /// `Queued`, `InProgress`, `Completed` or `Error`.
    pub state: &'static str,
    pub message: Option<String>,
    pub status_code: Option<String>,
}

/// The `AsyncResult` state of a deploy of `org_id`: Pending → `Queued`, InProgress/Canceling →
/// `InProgress`, any terminal status → `Completed` (the outcome is read with checkDeployStatus).
pub fn deploy_async_state(sim: &Sim, org_id: &str, id: &str) -> Option<AsyncState> {
    let all = jobs(sim).jobs.lock().expect("deploy jobs lock");
    let job = all.get(id).filter(|j| j.org_id == org_id)?;
    let state = match job.result.status {
        DeployStatus::Pending => "Queued",
        DeployStatus::InProgress | DeployStatus::Canceling => "InProgress",
        _ => "Completed",
    };
    Some(AsyncState {
        done: job.result.done(),
        state,
        message: None,
        status_code: None,
    })
}

/// `checkStatus(asyncProcessId*)` (deprecated, still in the v63 WSDL; jsforce's generic
/// `AsyncResultLocator.check()` and older jsforce's `complete()` poll it). Deploy ids are answered here;
/// other ids by `other` (the retrieve side); an id nobody knows faults `INVALID_ID_FIELD`.
pub fn check_status_with(
    sim: &Sim,
    org_id: &str,
    req: &SoapRequest,
    other: impl Fn(&str) -> Option<AsyncState>,
) -> Response {
    let mut ids: Vec<String> = req
        .body
        .elements()
        .map(|e| e.text().trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    ids.dedup();
    let mut out = String::new();
    for id in &ids {
        let Some(st) = deploy_async_state(sim, org_id, id).or_else(|| other(id)) else {
            return envelope::fault("INVALID_ID_FIELD", &format!("Invalid id: {id}"));
        };
        out.push_str(&render::async_state(id, &st));
    }
    envelope::ok("checkStatus", &out)
}

/// [`check_status_with`] for deploy ids only.
pub fn check_status(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    check_status_with(sim, org_id, req, |_| None)
}

/// `cancelDeploy(String)` (jsforce sends `<id>`).
pub fn cancel_deploy(
    sim: &Sim,
    org_id: &str,
    session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let id = positional(req, &["String", "id"]).unwrap_or_default();
    let user_name = sim
        .with_org(org_id, |o| {
            o.user_by_id(&session.user_id).map(|u| u.name.clone())
        })
        .ok()
        .flatten();
    let mut all = jobs(sim).jobs.lock().expect("deploy jobs lock");
    let Some(job) = all.get_mut(&id).filter(|j| j.org_id == org_id) else {
        return envelope::fault("INVALID_ID_FIELD", &format!("Invalid id: {id}"));
    };
    if job.result.done() {
        return envelope::fault(
            "INVALID_ID_FIELD",
            "Deployment is already complete and can't be canceled",
        );
    }
    job.cancel_requested = true;
    let r = &mut job.result;
    r.canceled_by = Some(session.user_id.chars().take(15).collect());
    r.canceled_by_name = user_name;
    r.last_modified_date = now();
    let done = r.status == DeployStatus::Pending;
    if done {
        r.status = DeployStatus::Canceled;
        r.completed_date = Some(now());
    } else {
        r.status = DeployStatus::Canceling;
    }
    envelope::ok("cancelDeploy", &render::cancel_result(&id, done))
}

/// `deployRecentValidation(validationId)`: quick deploy. The result is the new deploy's id.
pub fn deploy_recent_validation(
    sim: &Sim,
    org_id: &str,
    session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let id = positional(req, &["validationId"]).unwrap_or_default();
    let source = {
        let mut all = jobs(sim).jobs.lock().expect("deploy jobs lock");
        match all.get_mut(&id).filter(|j| j.org_id == org_id) {
            Some(j)
                if j.result.check_only
                    && j.result.status == DeployStatus::Succeeded
                    && j.tests_ran_ok
                    && !j.quick_deployed
                    && Sim::now_ms().saturating_sub(j.finished_at_ms) <= VALIDATION_WINDOW_MS =>
            {
                j.quick_deployed = true;
                Some((std::mem::take(&mut j.pkg), j.opts.clone()))
            }
            _ => None,
        }
    };
    let Some((pkg, mut opts)) = source else {
        return envelope::fault(
            "INVALID_ID_FIELD",
            &format!(
                "The validation {id} is not eligible for quick deploy: it must be a successful validation with tests, run in the last 10 days"
            ),
        );
    };
    opts.check_only = false;
    match start_job(sim, org_id, session, pkg, opts, true) {
        Some(new_id) => envelope::ok(
            "deployRecentValidation",
            &format!("<result>{}</result>", xml::escape(&new_id)),
        ),
        None => envelope::invalid_session(),
    }
}
