//! Shared set-up of the engine's orgsim tests: orgsim in-process with a JWT connected app,
//! orgs connected over JWT, fast retrieve polling, and canonical comparison of files.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use orgfleet_engine::snapshot::{canonical_file, is_metadata_xml};
use orgfleet_engine::snapshot_plan::ChunkLimits;
use orgfleet_engine::{Engine, JobStatus, OrgRecord, SnapshotOptions};
use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::xml::Element;
use orgfleet_salesforce::metadata::Poll;
use orgfleet_store::secrets::FileSecretStore;
use orgfleet_testkit::register_jwt_app;
use orgsim::config::Config;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};
use serde_json::json;

pub const APP: &str = "orgfleet-snapshot-test";

pub struct Env {
    pub sim: orgsim::RunningSim,
    pub dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
    pub key_path: String,
    /// orgsim org ids, in the order of the specs.
    pub org_ids: Vec<String>,
}

/// Starts orgsim with one sandbox per alias (user `u@<alias>.test`), each loaded from the
/// matching path when given.
pub async fn env(orgs: &[(&str, Option<PathBuf>)]) -> Env {
    let specs: Vec<serde_json::Value> = orgs
        .iter()
        .map(|(alias, path)| {
            let mut spec = json!({"alias": alias, "kind": "sandbox",
                "users": [{"username": format!("u@{alias}.test"), "password": "pw-123456"}]});
            if let Some(p) = path {
                spec["metadata"] = json!({"path": p});
            }
            spec
        })
        .collect();
    let config: Config = serde_json::from_value(json!({ "orgs": specs })).unwrap();
    let (sim, org_ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    set_retrieve_settings(
        &sim.sim,
        RetrieveSettings {
            delay: Duration::from_millis(0),
            max_files: 10_000,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let key_path = register_jwt_app(&sim.sim, APP, dir.path());
    let engine = Arc::new(Engine::open(&dir.path().join("orgfleet.sqlite3")).unwrap());
    engine.use_secret_store(Arc::new(FileSecretStore::new(
        dir.path().join("secrets.json"),
    )));
    Env {
        sim,
        engine,
        key_path,
        org_ids,
        dir,
    }
}

impl Env {
    /// Connects `alias` over JWT and returns its record.
    pub async fn connect(&self, alias: &str) -> OrgRecord {
        use orgfleet_engine::connect_request::{ConnectRequest, JwtConnect};
        let request = ConnectRequest::Jwt(JwtConnect {
            alias: alias.into(),
            login_host: self.sim.login_url.clone(),
            client_id: APP.into(),
            username: format!("u@{alias}.test"),
            key_path: self.key_path.clone(),
            tags: vec![],
        });
        let job = self
            .engine
            .start_connect(request, Arc::new(|_: &str| {}))
            .unwrap();
        let job = job.done.await.unwrap().unwrap();
        assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
        self.engine.org(alias).unwrap()
    }
}

/// Options for tests: fast polling, and small chunks when asked.
pub fn options(max_files: Option<usize>) -> SnapshotOptions {
    let mut o = SnapshotOptions {
        poll: Poll {
            interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            timeout: Duration::from_secs(120),
        },
        ..SnapshotOptions::default()
    };
    if let Some(n) = max_files {
        o.limits = ChunkLimits {
            max_files: n,
            max_bytes: u64::MAX,
        };
    }
    o
}

/// A file in comparable form: the snapshot's canonical form ([`canonical_file`]), as text.
pub fn comparable(path: &str, bytes: &[u8]) -> String {
    let type_name = orgfleet_metadata::mdapi::classify_path(path)
        .map(|id| id.type_name)
        .unwrap_or_default();
    let stored = canonical_file(&type_name, path, bytes.to_vec());
    match Element::parse_bytes(&stored, path) {
        Ok(el) if is_metadata_xml(&type_name, path) => el.canonical(),
        _ => String::from_utf8_lossy(&stored).into_owned(),
    }
}

/// Path → comparable content of every component file of a package.
pub fn comparable_files(pkg: &Package) -> BTreeMap<String, String> {
    pkg.components
        .values()
        .flatten()
        .map(|(p, b)| (p.clone(), comparable(p, b)))
        .collect()
}

pub fn is_profile_path(path: &str) -> bool {
    path.starts_with("profiles/") || path.starts_with("permissionsets/")
}

/// Where two texts first differ, with some context from each.
pub fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    let from = a[..at].char_indices().rev().nth(200).map_or(0, |(i, _)| i);
    let end = |s: &str| s[at.min(s.len())..].chars().take(300).collect::<String>();
    format!(
        "at byte {at} (lengths {} / {}):\n  common: …{}\n  left:  {}\n  right: {}",
        a.len(),
        b.len(),
        &a[from..at],
        end(a),
        end(b)
    )
}
