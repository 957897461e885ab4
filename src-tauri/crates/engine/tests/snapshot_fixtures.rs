//! Every shared fixture set (mdapi, source, drift), loaded into an orgsim org, is snapshotted
//! through the real API path (JWT session, describe, list, chunked retrieves), exported as an
//! mdapi zip and compared with the original after canonicalization. Profiles and permission
//! sets are compared with one all-in-one retrieve instead: the org filters their entries to
//! what exists there, and chunked retrieves merged must give exactly that. The snapshot is
//! also exported as an sfdx project and imported back.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use orgfleet_engine::{ExportFormat, JobStatus, SnapshotRecord};
use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::package_xml::Manifest;
use orgfleet_metadata::registry;
use orgfleet_salesforce::metadata::{Poll, RetrieveRequest};
use orgfleet_testkit::shared_dir;
use support::{comparable_files, env, is_profile_path, options};

fn fixture_sets(shared: &std::path::Path) -> Vec<PathBuf> {
    let mut sets = Vec::new();
    for group in ["mdapi", "source", "drift"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(shared.join("fixtures").join(group))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        sets.extend(dirs);
    }
    sets
}

/// Everything in the org in one request, named as a client must (folders and standard
/// objects explicitly).
fn everything(keys: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut m = Manifest::new(Some("63.0"));
    for (t, n) in keys {
        let ty = registry::by_name(t).unwrap();
        m.add(ty.folder_content_type.unwrap_or(t), n);
    }
    m.types
        .into_iter()
        .map(|(t, members)| (t, members.into_iter().collect()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fixture_set_round_trips_through_a_snapshot() {
    let Some(shared) = shared_dir() else { return };
    let sets = fixture_sets(&shared);
    assert_eq!(sets.len(), 7, "{sets:?}");
    let aliases: Vec<String> = (0..sets.len()).map(|i| format!("fix{i}")).collect();
    let specs: Vec<(&str, Option<PathBuf>)> = aliases
        .iter()
        .zip(&sets)
        .map(|(a, s)| (a.as_str(), Some(s.clone())))
        .collect();
    let env = env(&specs).await;
    for (i, set) in sets.iter().enumerate() {
        let name = set.file_name().unwrap().to_string_lossy().into_owned();
        let org = env.connect(&aliases[i]).await;
        // Small chunks, so profiles are merged from many fragments.
        let job = env
            .engine
            .start_snapshot_with(org.id, options(Some(400)))
            .unwrap();
        let job = tokio::time::timeout(Duration::from_secs(600), job.done)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(job.status, JobStatus::Succeeded, "{name}: {:?}", job.error);
        let record: SnapshotRecord = serde_json::from_value(job.result.unwrap()).unwrap();
        assert!(record.warnings.is_empty(), "{name}: {:?}", record.warnings);

        let zip = env.dir.path().join(format!("{name}.zip"));
        env.engine
            .export_snapshot(record.id, &zip, ExportFormat::Mdapi)
            .unwrap();
        let exported = comparable_files(&Package::from_zip(&std::fs::read(&zip).unwrap()).unwrap());

        let original = comparable_files(&orgsim::load::read_package(set).unwrap());
        let keys: Vec<(String, String)> = env
            .sim
            .sim
            .with_org(&env.org_ids[i], |o| {
                o.metadata
                    .keys()
                    .map(|k| (k.type_name.clone(), k.full_name.clone()))
                    .collect()
            })
            .unwrap();
        assert_eq!(
            record.component_count as usize,
            keys.len(),
            "{name}: every component of the org is in the snapshot"
        );
        let session = env.engine.session(&org).await.unwrap();
        let whole = session
            .metadata()
            .retrieve_and_wait(
                &RetrieveRequest {
                    api_version: "63.0".into(),
                    single_package: true,
                    types: everything(&keys),
                    package_names: vec![],
                },
                &Poll {
                    interval: Duration::from_millis(10),
                    ..Poll::default()
                },
                &Default::default(),
            )
            .await
            .unwrap();
        let whole = comparable_files(&Package::from_zip(&whole.zip.unwrap()).unwrap());

        let mut profiles = 0;
        for (path, text) in &exported {
            let expected = if is_profile_path(path) {
                profiles += 1;
                whole.get(path)
            } else {
                original.get(path)
            };
            let expected = expected.unwrap_or_else(|| panic!("{name}: {path} is not expected"));
            assert!(
                text == expected,
                "{name}: {path} differs: {}",
                support::first_difference(text, expected)
            );
        }
        // The snapshot as an sfdx project imports back to the same content, except
        // components the source format cannot express: code without its -meta.xml (the
        // project reader recognises classes by `.cls-meta.xml`, as the Salesforce CLI does).
        let project = env.dir.path().join(format!("{name}-source"));
        env.engine
            .export_snapshot(record.id, &project, ExportFormat::Source)
            .unwrap();
        let back = env.engine.import_snapshot(&project).unwrap();
        let back = env.engine.snapshot_components(back.id).unwrap();
        let ours = env.engine.snapshot_components(record.id).unwrap();
        assert!(
            back.iter().all(|c| ours.contains(c)),
            "{name}: source import adds or changes components"
        );
        for lost in ours.iter().filter(|c| !back.contains(c)) {
            let files = env
                .engine
                .snapshot_file(record.id, &lost.type_name, &lost.full_name)
                .unwrap();
            let needs_meta = registry::by_name(&lost.type_name).is_some_and(|t| t.meta_file);
            assert!(
                needs_meta && !files.iter().any(|(p, _)| p.ends_with("-meta.xml")),
                "{name}: {} {} does not survive a source export",
                lost.type_name,
                lost.full_name
            );
        }
        let missing: Vec<&String> = original
            .keys()
            .filter(|p| !exported.contains_key(*p))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: not in the snapshot: {missing:?}"
        );
        eprintln!(
            "{name}: {} components, {} files, {profiles} profiles/permission sets",
            record.component_count, record.file_count
        );
    }
}
