//! The drift benchmark of issue 6: `cargo bench -p orgfleet-engine --bench drift`.
//!
//! Measures, on generated data ([`generate`], deterministic) in a temporary store, what a
//! reviewer waits for:
//! 1. two stored 50k-component snapshots with 2% of components changed, added or removed:
//!    the component-level summary (< 100 ms) and the semantic diff of every change (< 1 s);
//! 2. one 5 MB Profile against a drifted, reordered copy (< 50 ms);
//! 3. the matrix of a baseline against 20 orgs of 10k components (< 2 s);
//! 4. `git diff --no-index --stat` over the same two snapshots exported as sfdx projects, and
//!    over the folders they were imported from, for comparison; with the files git flags for
//!    components whose only difference is element order (there are about a hundred).
//!
//! Each figure is the median of several runs after a warm-up (`ORGFLEET_BENCH_RUNS`, default
//! 7), with the CPU time per run and the machine's load average, since a busy machine
//! inflates wall-clock times. `ORGFLEET_BENCH_COMPONENTS` (default 50,000) shrinks the
//! snapshots for a quick try; `ORGFLEET_BENCH_ONLY=snapshots|profile|matrix` runs one part
//! (`snapshots` is items 1 and 4). Setup (generating, importing, exporting) is not timed. Not run
//! in CI; it prints a markdown table for the README.

mod generate;
mod git;
mod timing;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use orgfleet_engine::{ChangeKind, DriftReport, DriftSide, Engine, ExportFormat};
use orgfleet_metadata::diff::{ComponentDiff, DiffOptions, diff_component};

use generate::{Drift, Variant};
use timing::{Row, measure, measure_each};

type Error = Box<dyn std::error::Error>;

fn main() {
    if let Err(e) = run() {
        eprintln!("drift benchmark failed: {e}");
        std::process::exit(1);
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn run() -> Result<(), Error> {
    let runs = env_number("ORGFLEET_BENCH_RUNS", 7);
    let n = env_number("ORGFLEET_BENCH_COMPONENTS", 50_000);
    let root = std::env::temp_dir().join(format!("orgfleet-drift-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root)?;
    let load_at_start = timing::load_average();
    eprintln!("load average at start: {load_at_start}");
    let result = bench(&root, n, runs);
    let _ = std::fs::remove_dir_all(&root);
    let rows = result?;
    println!("\n{}", timing::table(&rows));
    println!(
        "machine: {} cores; load average (1, 5, 15 min) {load_at_start} at the start, {} at the \
         end. Medians of {runs} runs after a warm-up, wall clock; CPU is per run, all threads of \
         the benchmark and the processes it waited for.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        timing::load_average()
    );
    Ok(())
}

fn bench(root: &Path, n: usize, runs: usize) -> Result<Vec<Row>, Error> {
    let only = std::env::var("ORGFLEET_BENCH_ONLY").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only == name;
    let engine = Engine::open(&root.join("orgfleet.sqlite"))?;
    let mut rows = Vec::new();
    if part("snapshots") {
        rows.extend(snapshots(root, &engine, n, runs)?);
    }
    if part("profile") {
        rows.push(big_profile(runs));
    }
    if part("matrix") {
        rows.push(matrix(root, &engine, runs)?);
    }
    Ok(rows)
}

/// Items 1 and 4: two 50k snapshots, our summary and diffs, and git over the same trees.
fn snapshots(root: &Path, engine: &Engine, n: usize, runs: usize) -> Result<Vec<Row>, Error> {
    let drift = Drift {
        seed: 1,
        change_every: 67,
        remove_every: 400,
        shuffle_every: 200,
        added: n / 400,
    };
    let step = Instant::now();
    write_org(&root.join("left"), generate::org(n, None))?;
    write_org(&root.join("right"), generate::org(n, Some(&drift)))?;
    let a = engine.import_snapshot(&root.join("left"))?;
    let b = engine.import_snapshot(&root.join("right"))?;
    eprintln!(
        "setup: two snapshots of {} and {} components generated and imported in {:.1} s",
        a.component_count,
        b.component_count,
        step.elapsed().as_secs_f64()
    );
    let (left, right) = (DriftSide::snapshot(a.id), DriftSide::snapshot(b.id));
    let mut rows = Vec::new();

    // 1. The summary and the semantic diff of every change.
    let report = engine.compare(left.clone(), right.clone())?;
    let count = |k: ChangeKind| report.changes.iter().filter(|c| c.change == k).count();
    let top = top_level_differing(n, &drift);
    let changes = format!(
        "{top} of {n} components differ ({:.1}%); {} changes counting child components: \
         {} changed, {} added, {} removed",
        top as f64 * 100.0 / n as f64,
        report.changes.len(),
        count(ChangeKind::Changed),
        count(ChangeKind::Added),
        count(ChangeKind::Removed)
    );
    // "First call": a freshly opened engine, which has listed neither snapshot yet.
    let db = root.join("orgfleet.sqlite");
    let fresh = || Engine::open(&db).expect("engine");
    let sides = || (left.clone(), right.clone());
    let cold = |f: fn(&Engine, DriftSide, DriftSide) -> orgfleet_engine::Result<DriftReport>| {
        measure_each(runs, fresh, |e: Engine| {
            let (l, r) = sides();
            (f(&e, l, r).expect("compare"), e)
        })
    };
    let warm = |f: fn(&Engine, DriftSide, DriftSide) -> orgfleet_engine::Result<DriftReport>| {
        measure(runs, || {
            let (l, r) = sides();
            f(engine, l, r).expect("compare")
        })
    };
    let summary = |e: &Engine, l, r| e.compare_summary(l, r);
    let full = |e: &Engine, l, r| e.compare(l, r);
    rows.push(Row {
        what: format!("summary of {n} vs {n} components (`Engine::compare_summary`), first call"),
        target: Some(Duration::from_millis(100)),
        timing: Some(cold(summary)),
        note: format!("{changes}; both snapshots listed from the store"),
    });
    rows.push(Row {
        what: "the same summary, snapshots already listed (later calls)".into(),
        target: Some(Duration::from_millis(100)),
        timing: Some(warm(summary)),
        note: "listings cached by the engine".into(),
    });
    rows.push(Row {
        what: "full report with summary lines and every risk flag (`Engine::compare`), first call"
            .into(),
        target: None,
        timing: Some(cold(full)),
        note: "a semantic diff of every changed component included".into(),
    });
    rows.push(Row {
        what: "the same full report, snapshots already listed".into(),
        target: None,
        timing: Some(warm(full)),
        note: String::new(),
    });
    let diffs = engine.compare_details(&report)?;
    let edits: usize = diffs.iter().map(|d| d.change_count()).sum();
    let details = measure_each(runs, fresh, |e: Engine| {
        (e.compare_details(&report).expect("diffs"), e)
    });
    rows.push(Row {
        what: "semantic diff of every change (`Engine::compare_details`), first call".into(),
        target: Some(Duration::from_secs(1)),
        timing: Some(details),
        note: format!(
            "{} components diffed (each side's files read and parents split), {edits} visible changes",
            diffs.len()
        ),
    });

    // 4. git, and the components whose only difference is order.
    let order_only = order_only(n, &drift);
    let flagged_by_us: BTreeSet<(String, String)> = report
        .changes
        .iter()
        .filter_map(|c| {
            let folder = order_only_folder(&order_only, &c.type_name, &c.full_name)?;
            Some((folder, c.full_name.clone()))
        })
        .collect();
    let order_only_diffs: Vec<&ComponentDiff> = report
        .changes
        .iter()
        .zip(&diffs)
        .filter(|(c, _)| order_only_folder(&order_only, &c.type_name, &c.full_name).is_some())
        .map(|(_, d)| d)
        .collect();
    let visible: usize = order_only_diffs.iter().map(|d| d.change_count()).sum();
    let hidden: usize = order_only_diffs.iter().map(|d| d.reordered_hidden()).sum();
    rows.push(Row {
        what: format!(
            "{} components that differ only in element order ({}): ours",
            order_only.len(),
            describe(&order_only)
        ),
        target: None,
        timing: None,
        note: format!(
            "the summary lists {} of them ({}); their semantic diffs show {visible} edits \
             ({hidden} reorderings hidden)",
            flagged_by_us.len(),
            describe(&flagged_by_us)
        ),
    });
    let step = Instant::now();
    engine.export_snapshot(a.id, &root.join("export-left"), ExportFormat::Source)?;
    engine.export_snapshot(b.id, &root.join("export-right"), ExportFormat::Source)?;
    eprintln!(
        "setup: both snapshots exported as sfdx projects in {:.1} s",
        step.elapsed().as_secs_f64()
    );
    for (what, l, r) in [
        (
            "the two snapshots exported as sfdx projects",
            "export-left",
            "export-right",
        ),
        (
            "the two mdapi folders they were imported from (raw retrieves)",
            "left",
            "right",
        ),
    ] {
        rows.push(git_row(root, runs, what, l, r, &order_only));
    }
    Ok(rows)
}

/// Writes components as an mdapi folder.
fn write_org(
    dir: &Path,
    components: impl Iterator<Item = generate::Component>,
) -> Result<(), Error> {
    for c in components {
        for (path, bytes) in c.files {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
    }
    Ok(())
}

/// Top-level components the drift changes, adds or removes.
fn top_level_differing(n: usize, drift: &Drift) -> usize {
    let touched = (0..n)
        .filter(|&i| matches!(drift.variant(i), None | Some(Variant::Changed)))
        .count();
    touched + drift.added
}

/// (mdapi folder, full name) of the components the drift only reorders.
fn order_only(n: usize, drift: &Drift) -> BTreeSet<(String, String)> {
    (0..n)
        .filter(|&i| drift.variant(i) == Some(Variant::Shuffled))
        .map(|i| {
            let (_, folder, name) = generate::identity(i);
            (folder.to_owned(), name)
        })
        .collect()
}

/// The folder of a reported change when it is (or is a child of) an order-only component.
fn order_only_folder(
    order_only: &BTreeSet<(String, String)>,
    type_name: &str,
    full_name: &str,
) -> Option<String> {
    let top = full_name.split('.').next().unwrap_or(full_name);
    order_only
        .iter()
        .find(|(folder, name)| {
            name == top
                && orgfleet_metadata::registry::by_name(type_name)
                    .is_none_or(|t| t.directory_name == folder)
        })
        .map(|(folder, _)| folder.clone())
}

/// "flows: 3, profiles: 1": counts per mdapi folder.
fn describe(set: &BTreeSet<(String, String)>) -> String {
    let mut per: std::collections::BTreeMap<&str, usize> = Default::default();
    for (folder, _) in set {
        *per.entry(folder).or_default() += 1;
    }
    if per.is_empty() {
        return "none".into();
    }
    per.iter()
        .map(|(f, c)| format!("{f}: {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn git_row(
    root: &Path,
    runs: usize,
    what: &str,
    l: &str,
    r: &str,
    order_only: &BTreeSet<(String, String)>,
) -> Row {
    if !git::available() {
        return Row {
            what: format!("`git diff --no-index --stat` over {what}"),
            target: None,
            timing: None,
            note: "git not found: skipped".into(),
        };
    }
    let timing = git::time_stat(runs, root, l, r);
    let (files, stat) = git::flagged(root, l, r);
    let noise: BTreeSet<(String, String)> = files
        .iter()
        .filter_map(|p| git::component_of(p))
        .filter(|c| order_only.contains(c))
        .collect();
    let noise_files = files
        .iter()
        .filter(|p| git::component_of(p).is_some_and(|c| order_only.contains(&c)))
        .count();
    Row {
        what: format!("`git diff --no-index --stat` over {what}"),
        target: None,
        timing: Some(timing),
        note: format!(
            "{stat}; {noise_files} of those files belong to {} order-only components ({})",
            noise.len(),
            describe(&noise)
        ),
    }
}

fn big_profile(runs: usize) -> Row {
    let (before, fields) = generate::big_profile(5_000_000, false);
    let (after, _) = generate::big_profile(5_000_000, true);
    let size = before.len();
    let before = vec![("profiles/Big.profile".to_owned(), before)];
    let after = vec![("profiles/Big.profile".to_owned(), after)];
    let options = DiffOptions::default();
    let diff = || diff_component("Profile", &before, &after, &options).expect("valid XML");
    let edits = diff().change_count();
    Row {
        what: format!(
            "one {:.1} MB Profile vs a drifted, reordered copy (`diff_component`)",
            size as f64 / 1e6
        ),
        target: Some(Duration::from_millis(50)),
        timing: Some(measure(runs, diff)),
        note: format!("{fields} fieldPermissions, {edits} visible edits"),
    }
}

/// A baseline of 10k components and 20 orgs drifted from it, each in its own way.
fn matrix(root: &Path, engine: &Engine, runs: usize) -> Result<Row, Error> {
    const ORGS: u64 = 20;
    const SIZE: usize = 10_000;
    let step = Instant::now();
    let import = |name: &str, drift: Option<&Drift>| -> Result<i64, Error> {
        let dir = root.join(name);
        write_org(&dir, generate::org(SIZE, drift))?;
        let id = engine.import_snapshot(&dir)?.id;
        std::fs::remove_dir_all(&dir)?;
        Ok(id)
    };
    let baseline = import("baseline", None)?;
    let orgs = (1..=ORGS)
        .map(|k| {
            let drift = Drift {
                seed: 100 + k,
                change_every: 40 + k,
                remove_every: 300,
                shuffle_every: 500,
                added: 10 * k as usize,
            };
            import(&format!("org-{k}"), Some(&drift))
        })
        .collect::<Result<Vec<_>, _>>()?;
    eprintln!(
        "setup: baseline and {ORGS} org snapshots of {SIZE} components in {:.1} s",
        step.elapsed().as_secs_f64()
    );
    let run = || {
        engine
            .matrix(DriftSide::snapshot(baseline), orgs.clone())
            .expect("matrix")
    };
    let report = run();
    let conformance: Vec<f64> = report.columns.iter().map(|c| c.conformance).collect();
    let min = conformance.iter().copied().fold(1.0, f64::min);
    Ok(Row {
        what: format!("matrix: baseline vs {ORGS} orgs × {SIZE} components (`Engine::matrix`)"),
        target: Some(Duration::from_secs(2)),
        timing: Some(measure(runs, run)),
        note: format!(
            "{} rows not the same everywhere, {} the same everywhere; lowest conformance {:.1}%",
            report.rows.len(),
            report.same_everywhere,
            min * 100.0
        ),
    })
}
