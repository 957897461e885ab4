//! Snapshot store benchmark: ingest speed, size of 30 snapshots with 1% churn versus one, and
//! peak memory, for generated orgs of 1k, 10k and 50k components.
//!
//! Run once in release (not in CI): `cargo run --release -p orgfleet-store --bin snapshot-bench`.
//! The components are synthetic but shaped like a real org (Apex classes with their meta
//! files, custom objects with fields, layouts, flows, permission sets) and fully
//! deterministic, so two runs measure the same work. Generation happens lazily inside the
//! measured ingest, so the rates shown include it (a conservative figure).

use std::path::{Path, PathBuf};
use std::time::Instant;

use orgfleet_store::snapshots::{self, ComponentFiles, NewSnapshot, SnapshotSource};
use orgfleet_store::{Result, Store};

const SIZES: &[usize] = &[1_000, 10_000, 50_000];
const SNAPSHOTS: usize = 30;
const CHURN_PERCENT: usize = 1;

fn main() {
    if let Err(e) = run() {
        eprintln!("snapshot-bench failed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let root = std::env::temp_dir().join(format!("orgfleet-snapshot-bench-{}", std::process::id()));
    println!(
        "| components | first snapshot | ingest (components/s) | store, 1 snapshot | store, {SNAPSHOTS} snapshots ({CHURN_PERCENT}% churn each) | ratio | later snapshot (avg) | peak RSS so far |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in SIZES {
        let dir = root.join(n.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let result = bench_size(&dir, n);
        let _ = std::fs::remove_dir_all(&dir);
        let row = result?;
        println!(
            "| {n} | {:.2} s | {:.0} | {} | {} | {:.2}x | {:.2} s | {} |",
            row.first_secs,
            n as f64 / row.first_secs,
            mib(row.size_one),
            mib(row.size_all),
            row.size_all as f64 / row.size_one as f64,
            row.later_secs,
            mib(peak_rss()),
        );
    }
    let _ = std::fs::remove_dir_all(&root);
    let n = SIZES.last().copied().unwrap_or(0);
    let start = Instant::now();
    let bytes: usize = org(n, 0)
        .map(|c| c.files.iter().map(|(_, b)| b.len()).sum::<usize>())
        .sum();
    println!(
        "\ngenerating the {n}-component org alone takes {:.2} s ({:.0} MiB of files, {:.1} KiB per component)",
        start.elapsed().as_secs_f64(),
        bytes as f64 / 1048576.0,
        bytes as f64 / n.max(1) as f64 / 1024.0
    );
    println!(
        "machine: {} cores; ingest includes generating the files; sizes are the database file \
         after a WAL checkpoint; peak RSS is VmHWM of this process",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    Ok(())
}

struct Row {
    first_secs: f64,
    later_secs: f64,
    size_one: u64,
    size_all: u64,
}

fn bench_size(dir: &Path, n: usize) -> Result<Row> {
    std::fs::create_dir_all(dir).map_err(|source| orgfleet_store::Error::DataDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let db: PathBuf = dir.join("orgfleet.db");
    let store = Store::open(&db)?;
    let meta = |i: usize| NewSnapshot {
        source: SnapshotSource::Import {
            path: format!("bench-{n}"),
        },
        label: format!("snapshot {i}"),
        api_version: Some("64.0".into()),
        warnings: vec![],
    };

    let start = Instant::now();
    let first = snapshots::write_snapshot(&store, &meta(0), org(n, 0))?;
    let first_secs = start.elapsed().as_secs_f64();
    assert_eq!(first.component_count as usize, n);
    let size_one = db_size(&store, &db)?;

    let start = Instant::now();
    for version in 1..SNAPSHOTS {
        snapshots::write_snapshot(&store, &meta(version), org(n, version))?;
    }
    let later_secs = start.elapsed().as_secs_f64() / (SNAPSHOTS - 1) as f64;
    let size_all = db_size(&store, &db)?;
    Ok(Row {
        first_secs,
        later_secs,
        size_one,
        size_all,
    })
}

/// The database file's size once the WAL is folded into it.
fn db_size(store: &Store, db: &Path) -> Result<u64> {
    store
        .conn()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(|source| orgfleet_store::Error::Sqlite {
            context: "checkpointing the benchmark database",
            source,
        })?;
    Ok(std::fs::metadata(db).map(|m| m.len()).unwrap_or(0))
}

/// The org at `version`: component `i` was last edited at the newest version `v <= version`
/// whose churn set contains `i` (1% of components per version, deterministic).
fn org(n: usize, version: usize) -> impl Iterator<Item = ComponentFiles> {
    let per_version = (n * CHURN_PERCENT / 100).max(1);
    (0..n).map(move |i| {
        let edited = (1..=version)
            .rev()
            .find(|&v| churned(i, v, n, per_version))
            .unwrap_or(0);
        component(i, edited)
    })
}

fn churned(i: usize, version: usize, n: usize, per_version: usize) -> bool {
    // A different pseudo-random window of components each version.
    let start = (mix(version as u64) as usize) % n;
    (i + n - start) % n < per_version
}

/// splitmix64: deterministic pseudo-random numbers without a dependency.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const WORDS: &[&str] = &[
    "Account",
    "Opportunity",
    "Amount",
    "Stage",
    "Owner",
    "Region",
    "Invoice",
    "Contract",
    "Renewal",
    "Discount",
    "Approval",
    "Status",
    "Priority",
    "Territory",
    "Forecast",
    "Quote",
];

fn word(seed: u64, k: u64) -> &'static str {
    WORDS[(mix(seed ^ k.wrapping_mul(0x51)) % WORDS.len() as u64) as usize]
}

const META_NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

/// Component `i` as edited at `edit` (the edit changes a value inside its main file).
fn component(i: usize, edit: usize) -> ComponentFiles {
    let seed = mix(i as u64);
    let name = format!("{}{}{i}", word(seed, 1), word(seed, 2));
    let edit_note = format!("revision {edit}");
    match i % 10 {
        0..=3 => {
            let mut body = format!("public with sharing class {name} {{\n    // {edit_note}\n");
            for m in 0..(4 + seed % 12) {
                body.push_str(&format!(
                    "    public static {w1} get{w2}{m}(Id recordId) {{\n        List<{w1}> rows = [SELECT Id, {w2}__c, {w3}__c FROM {w1} WHERE Id = :recordId LIMIT {lim}];\n        if (rows.isEmpty()) {{ throw new AuraHandledException('No {w2} for ' + recordId); }}\n        return rows[0];\n    }}\n",
                    w1 = word(seed, m * 3),
                    w2 = word(seed, m * 3 + 1),
                    w3 = word(seed, m * 3 + 2),
                    lim = 1 + (mix(seed ^ m) % 200),
                ));
            }
            body.push_str("}\n");
            ComponentFiles {
                type_name: "ApexClass".into(),
                full_name: name.clone(),
                files: vec![
                    (format!("classes/{name}.cls"), body.into_bytes()),
                    (
                        format!("classes/{name}.cls-meta.xml"),
                        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass {META_NS}>\n    <apiVersion>{}.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n", 58 + seed % 7).into_bytes(),
                    ),
                ],
            }
        }
        4 | 5 => xml_component(
            "CustomObject",
            "objects",
            "object",
            &name,
            seed,
            &edit_note,
            |k| {
                format!(
                    "    <fields>\n        <fullName>{w}_{k}__c</fullName>\n        <label>{w} {k}</label>\n        <length>{len}</length>\n        <required>false</required>\n        <type>Text</type>\n        <description>{edit}</description>\n    </fields>\n",
                    w = word(seed, k),
                    len = 10 + mix(seed ^ k) % 245,
                    edit = if k == 0 { edit_note.as_str() } else { "" },
                )
            },
        ),
        6 | 7 => xml_component(
            "Layout",
            "layouts",
            "layout",
            &name,
            seed,
            &edit_note,
            |k| {
                format!(
                    "    <layoutSections>\n        <label>{w}</label>\n        <layoutColumns>\n            <layoutItems>\n                <behavior>Edit</behavior>\n                <field>{w}_{k}__c</field>\n            </layoutItems>\n        </layoutColumns>\n        <style>TwoColumnsTopToBottom</style>\n    </layoutSections>\n",
                    w = word(seed, k),
                )
            },
        ),
        8 => xml_component("Flow", "flows", "flow", &name, seed, &edit_note, |k| {
            format!(
                "    <decisions>\n        <name>Check_{w}_{k}</name>\n        <label>Check {w}</label>\n        <locationX>{x}</locationX>\n        <locationY>{y}</locationY>\n        <defaultConnectorLabel>Default</defaultConnectorLabel>\n    </decisions>\n",
                w = word(seed, k),
                x = mix(seed ^ k) % 1200,
                y = mix(seed ^ (k << 8)) % 900,
            )
        }),
        _ => xml_component(
            "PermissionSet",
            "permissionsets",
            "permissionset",
            &name,
            seed,
            &edit_note,
            |k| {
                format!(
                    "    <fieldPermissions>\n        <editable>{e}</editable>\n        <field>{w}.{w2}_{k}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n",
                    e = mix(seed ^ k).is_multiple_of(2),
                    w = word(seed, k),
                    w2 = word(seed, k + 1),
                )
            },
        ),
    }
}

fn xml_component(
    type_name: &str,
    dir: &str,
    suffix: &str,
    name: &str,
    seed: u64,
    edit_note: &str,
    entry: impl Fn(u64) -> String,
) -> ComponentFiles {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{type_name} {META_NS}>\n    <description>{edit_note}</description>\n"
    );
    for k in 0..(6 + seed % 30) {
        xml.push_str(&entry(k));
    }
    xml.push_str(&format!("</{type_name}>\n"));
    ComponentFiles {
        type_name: type_name.into(),
        full_name: name.into(),
        files: vec![(format!("{dir}/{name}.{suffix}"), xml.into_bytes())],
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Peak resident memory of this process (VmHWM), in bytes; 0 where /proc is unavailable.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
