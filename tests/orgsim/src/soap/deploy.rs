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

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::response::Response;
use base64::Engine;

use super::envelope::{self, SoapRequest};
use crate::model::OrgKind;
use crate::server::{SessionInfo, Sim};
use model::{DeployOptions, DeployResult, DeployStatus, TestLevel};
use package::DeployPackage;

/// Step delay when none is configured.
const DEFAULT_STEP_MS: u64 = 120;
/// How long a validation can be quick-deployed (Salesforce: 10 days).
const VALIDATION_WINDOW_MS: u128 = 10 * 24 * 60 * 60 * 1000;

/// All deploy jobs of one simulator (held in `SoapState`).
#[derive(Debug, Default)]
pub struct DeployJobs {
    jobs: Mutex<BTreeMap<String, Job>>,
    /// 0 = default.
    step_ms: AtomicU64,
}

impl DeployJobs {
    /// Sets the delay between progress steps (tests use small values).
    pub fn set_step_delay_ms(&self, ms: u64) {
        self.step_ms.store(ms.max(1), Ordering::Relaxed);
    }

    fn step(&self) -> std::time::Duration {
        let ms = match self.step_ms.load(Ordering::Relaxed) {
            0 => DEFAULT_STEP_MS,
            ms => ms,
        };
        std::time::Duration::from_millis(ms)
    }

    /// A snapshot of a job's visible result (for the admin API and tests).
    pub fn result(&self, id: &str) -> Option<DeployResult> {
        self.jobs
            .lock()
            .expect("deploy jobs lock")
            .get(id)
            .map(|j| j.result.clone())
    }

    /// Ages a validation (tests of the quick-deploy window).
    pub fn age_validation(&self, id: &str, by_ms: u128) {
        if let Some(j) = self.jobs.lock().expect("deploy jobs lock").get_mut(id) {
            j.finished_at_ms = j.finished_at_ms.saturating_sub(by_ms);
        }
    }
}

#[derive(Debug)]
struct Job {
    org_id: String,
    result: DeployResult,
    cancel_requested: bool,
    pkg: Arc<DeployPackage>,
    opts: DeployOptions,
    /// Quick deploy of a validation: skip tests.
    quick: bool,
    finished_at_ms: u128,
    tests_ran_ok: bool,
    quick_deployed: bool,
}

fn jobs(sim: &Sim) -> &DeployJobs {
    &sim.inner.soap.deploys
}

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

fn start_job(
    sim: &Sim,
    org_id: &str,
    session: &SessionInfo,
    pkg: Arc<DeployPackage>,
    opts: DeployOptions,
    quick: bool,
) -> Option<String> {
    let (id, user_name) = sim
        .with_org_mut(org_id, |o| {
            let name = o
                .user_by_id(&session.user_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            (o.mint_id("0Af"), name)
        })
        .ok()?;
    let created = now();
    let result = DeployResult {
        canceled_by: None,
        canceled_by_name: None,
        check_only: opts.check_only,
        completed_date: None,
        created_by: session.user_id.chars().take(15).collect(),
        created_by_name: user_name,
        created_date: created.clone(),
        component_failures: Vec::new(),
        component_successes: Vec::new(),
        run_test_result: None,
        error_message: None,
        error_status_code: None,
        id: id.clone(),
        ignore_warnings: opts.ignore_warnings,
        last_modified_date: created,
        number_component_errors: 0,
        number_components_deployed: 0,
        number_components_total: 0,
        number_test_errors: 0,
        number_tests_completed: 0,
        number_tests_total: 0,
        rollback_on_error: opts.rollback_on_error,
        run_tests_enabled: false,
        start_date: None,
        state_detail: None,
        status: DeployStatus::Pending,
        success: false,
    };
    let job = Job {
        org_id: org_id.to_owned(),
        result,
        cancel_requested: false,
        pkg,
        opts,
        quick,
        finished_at_ms: 0,
        tests_ran_ok: false,
        quick_deployed: false,
    };
    jobs(sim)
        .jobs
        .lock()
        .expect("deploy jobs lock")
        .insert(id.clone(), job);
    let (sim2, id2, user) = (sim.clone(), id.clone(), session.user_id.clone());
    tokio::spawn(async move { run(sim2, id2, user).await });
    Some(id)
}

/// Applies `f` to the job; returns `false` (and stops the runner) once it was canceled.
fn update(sim: &Sim, id: &str, f: impl FnOnce(&mut Job)) -> bool {
    let mut all = jobs(sim).jobs.lock().expect("deploy jobs lock");
    let Some(job) = all.get_mut(id) else {
        return false;
    };
    if job.cancel_requested {
        let r = &mut job.result;
        r.status = DeployStatus::Canceled;
        r.success = false;
        r.state_detail = None;
        r.completed_date = Some(now());
        r.last_modified_date = now();
        return false;
    }
    f(job);
    job.result.last_modified_date = now();
    true
}

async fn run(sim: Sim, id: String, user_id: String) {
    let step = jobs(&sim).step();
    tokio::time::sleep(step).await;
    let Some((org_id, pkg, opts, quick)) = ({
        let all = jobs(&sim).jobs.lock().expect("deploy jobs lock");
        all.get(&id)
            .map(|j| (j.org_id.clone(), j.pkg.clone(), j.opts.clone(), j.quick))
    }) else {
        return;
    };
    if !update(&sim, &id, |j| {
        j.result.status = DeployStatus::InProgress;
        j.result.start_date = Some(now());
    }) {
        return;
    }
    let fail_component = crate::faults::faults_for(&sim, &org_id).deploy_fail_component;
    let Ok(minted) = sim.with_org_mut(&org_id, |org| plan::mint_new_ids(org, &pkg)) else {
        return;
    };
    // Validation and the test run are CPU work under a read lock: keep them off the async workers.
    let (sim2, org2, pkg2, opts2) = (sim.clone(), org_id.clone(), pkg.clone(), opts.clone());
    let planned = tokio::task::spawn_blocking(move || {
        sim2.with_org(&org2, |org| {
            plan::make_plan(
                org,
                &pkg2,
                &opts2,
                fail_component.as_deref(),
                quick,
                &minted,
            )
        })
    })
    .await;
    let Ok(Ok(plan)) = planned else {
        return;
    };
    // Components, in up to four batches.
    let deployed = plan
        .successes
        .iter()
        .filter(|m| m.full_name != "package.xml" || !m.component_type.is_empty())
        .count();
    let errors = plan.failures.len();
    let total = deployed + errors;
    let batches = 4usize.min(total.max(1));
    for b in 1..=batches {
        tokio::time::sleep(step).await;
        let done_n = total * b / batches;
        let detail = plan
            .successes
            .iter()
            .chain(&plan.failures)
            .nth(done_n.saturating_sub(1))
            .map(|m| m.component_type.clone());
        // Rows appear with the counters (package.xml's row comes first, as on Salesforce).
        let shown_successes = (plan.successes.len() * b).div_ceil(batches);
        let shown_failures = errors * b / batches;
        if !update(&sim, &id, |j| {
            let r = &mut j.result;
            r.number_components_total = total;
            r.number_components_deployed = deployed * b / batches;
            r.number_component_errors = shown_failures;
            r.component_successes = plan.successes[..shown_successes].to_vec();
            r.component_failures = plan.failures[..shown_failures].to_vec();
            r.state_detail = detail
                .filter(|t| !t.is_empty())
                .map(|t| format!("Processing Type: {t}"));
        }) {
            return;
        }
    }
    // Tests, in up to four batches.
    if let Some(t) = &plan.tests {
        let n = t.num_tests_run();
        let batches = 4usize.min(n.max(1));
        for b in 1..=batches {
            tokio::time::sleep(step).await;
            let name = t
                .successes
                .iter()
                .map(|s| format!("{}.{}", s.name, s.method_name))
                .nth((n * b / batches).saturating_sub(1));
            if !update(&sim, &id, |j| {
                let r = &mut j.result;
                r.run_tests_enabled = true;
                r.number_tests_total = n;
                r.number_tests_completed =
                    (n * b / batches).saturating_sub(t.failures.len() * b / batches);
                r.number_test_errors = t.failures.len() * b / batches;
                r.state_detail = name.map(|n| format!("Running Test: {n}"));
            }) {
                return;
            }
        }
    }
    tokio::time::sleep(step).await;
    // Finish: the cancel check and the apply happen under the jobs lock, so a cancel cannot
    // slip in between.
    let mut all = jobs(&sim).jobs.lock().expect("deploy jobs lock");
    let Some(job) = all.get_mut(&id) else { return };
    let r = &mut job.result;
    if job.cancel_requested {
        r.status = DeployStatus::Canceled;
        r.state_detail = None;
        r.completed_date = Some(now());
        r.last_modified_date = now();
        return;
    }
    let applied = matches!(
        plan.status,
        DeployStatus::Succeeded | DeployStatus::SucceededPartial
    );
    if applied && !job.opts.check_only {
        let actor_name = sim
            .with_org(&org_id, |o| o.user_by_id(&user_id).map(|u| u.name.clone()))
            .ok()
            .flatten();
        let actor = apply::Actor {
            user_id: user_id.clone(),
            user_name: actor_name.unwrap_or_default(),
            now: now(),
        };
        let _ = sim.with_org_mut(&org_id, |org| {
            apply::apply(
                org,
                &pkg,
                &plan.apply_keys,
                &plan.ids,
                &plan.deletions,
                &actor,
            )
        });
    }
    r.status = plan.status;
    r.success = applied;
    r.component_successes = plan.successes;
    r.component_failures = plan.failures;
    r.number_component_errors = errors;
    r.number_components_deployed = deployed;
    r.number_components_total = total;
    if let Some(t) = &plan.tests {
        r.run_tests_enabled = true;
        r.number_tests_total = t.num_tests_run();
        r.number_tests_completed = t.successes.len();
        r.number_test_errors = t.failures.len();
    }
    job.tests_ran_ok = plan
        .tests
        .as_ref()
        .is_some_and(|t| t.failures.is_empty() && t.code_coverage_warnings.is_empty());
    r.run_test_result = plan.tests;
    r.state_detail = None;
    r.completed_date = Some(now());
    r.last_modified_date = now();
    job.finished_at_ms = Sim::now_ms();
    // Only a validation that can still be quick-deployed needs its package.
    let quick_deployable =
        job.opts.check_only && job.result.status == DeployStatus::Succeeded && job.tests_ran_ok;
    if !quick_deployable {
        job.pkg = Arc::new(DeployPackage::default());
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
