//! Job runner behaviour through the public engine API: progress, success, cancellation,
//! failure, and recovery after a crash.

use std::time::Duration;

use orgfleet_engine::{Engine, JobFailure, JobKind, JobStatus};

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("db.sqlite3")).unwrap();
    (dir, engine)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_job_reaches_100_percent_and_reports_events() {
    let (_dir, engine) = engine();
    let mut events = engine.jobs().subscribe();
    let handle = engine.start_store_maintenance().unwrap();
    let job = handle.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{job:?}");
    assert_eq!(job.progress_total, Some(6));
    assert_eq!(job.progress_done, 6);
    let report: serde_json::Value = job.result.clone().unwrap();
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["compacted"], true);

    let mut statuses = Vec::new();
    while let Ok(event) = events.try_recv() {
        statuses.push(event.job.status);
    }
    assert_eq!(statuses.first(), Some(&JobStatus::Queued));
    assert!(statuses.contains(&JobStatus::Running));
    assert_eq!(statuses.last(), Some(&JobStatus::Succeeded));
    assert_eq!(engine.jobs().list(10).unwrap()[0].id, handle.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_job_ends_cancelled_and_cannot_be_cancelled_twice() {
    let (_dir, engine) = engine();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = engine
        .jobs()
        .start(
            JobKind::StoreMaintenance,
            "waits for cancel",
            move |ctx| async move {
                let _ = tx.send(());
                ctx.cancellation().cancelled().await;
                ctx.checkpoint()?;
                Ok(serde_json::Value::Null)
            },
        )
        .unwrap();
    rx.await.unwrap();
    engine.jobs().cancel(handle.id).unwrap();
    let job = handle.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
    let again = engine.jobs().cancel(job.id).unwrap_err();
    assert!(again.to_string().contains("already finished"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_panicking_work_is_recorded_as_failed_with_its_message() {
    let (_dir, engine) = engine();
    let failed = engine
        .jobs()
        .start(JobKind::StoreMaintenance, "fails", |_ctx| async move {
            Err(JobFailure::Failed("the org refused the login".into()))
        })
        .unwrap();
    let job = failed.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(job.error.as_deref(), Some("the org refused the login"));

    let panicked = engine
        .jobs()
        .start(JobKind::StoreMaintenance, "panics", |_ctx| async move {
            if std::hint::black_box(true) {
                panic!("boom");
            }
            Ok(serde_json::Value::Null)
        })
        .unwrap();
    let job = panicked.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(job.error.unwrap().contains("crashed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_running_when_the_process_dies_are_interrupted_at_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let id = {
        let engine = Engine::open(&path).unwrap();
        let handle = engine
            .jobs()
            .start(JobKind::StoreMaintenance, "never ends", |ctx| async move {
                ctx.progress(1, Some(10), "working");
                std::future::pending::<()>().await;
                Ok(serde_json::Value::Null)
            })
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        handle.done.abort();
        handle.id
    };
    // A new process opens the same store.
    let engine = Engine::open(&path).unwrap();
    assert_eq!(engine.jobs().get(id).unwrap().status, JobStatus::Running);
    assert_eq!(engine.recover_after_restart().unwrap(), 1);
    let job = engine.jobs().get(id).unwrap();
    assert_eq!(job.status, JobStatus::Interrupted);
    assert!(job.error.unwrap().contains("Start it again"));
}
