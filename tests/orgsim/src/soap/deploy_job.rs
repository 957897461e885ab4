//! The deploy job and its state machine, split from `deploy.rs` so that file keeps the SOAP
//! operations (reading requests, answering them) and this one keeps what runs between them:
//! the job table ([`DeployJobs`]), starting a job, and the tokio task that steps it through
//! Pending → InProgress → component and test batches → a terminal status, applying the
//! package to the org at the end.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::model::{DeployOptions, DeployResult, DeployStatus};
use super::package::DeployPackage;
use super::{apply, now, plan};
use crate::server::{SessionInfo, Sim};

/// Step delay when none is configured.
const DEFAULT_STEP_MS: u64 = 120;

/// All deploy jobs of one simulator (held in `SoapState`).
#[derive(Debug, Default)]
pub struct DeployJobs {
    pub(super) jobs: Mutex<BTreeMap<String, Job>>,
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
pub(super) struct Job {
    pub(super) org_id: String,
    pub(super) result: DeployResult,
    pub(super) cancel_requested: bool,
    pub(super) pkg: Arc<DeployPackage>,
    pub(super) opts: DeployOptions,
    /// Quick deploy of a validation: skip tests.
    quick: bool,
    pub(super) finished_at_ms: u128,
    pub(super) tests_ran_ok: bool,
    pub(super) quick_deployed: bool,
}

pub(super) fn jobs(sim: &Sim) -> &DeployJobs {
    &sim.inner.soap.deploys
}

pub(super) fn start_job(
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
