//! Org snapshots against orgsim: profiles complete across chunks, a type that cannot be
//! listed becomes a warning, cancelling leaves no snapshot, an unchanged org adds no blobs,
//! and import/export round-trips.

mod support;

use std::path::Path;
use std::time::Duration;

use orgfleet_engine::{ExportFormat, JobStatus, SnapshotRecord, SnapshotSource};
use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::xml::Element;
use support::{comparable_files, env, options};

const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

fn object(fields: &[&str]) -> String {
    let fields: String = fields
        .iter()
        .map(|f| format!("<fields><fullName>{f}</fullName><label>{f}</label><length>10</length><type>Text</type></fields>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject {NS}><deploymentStatus>Deployed</deploymentStatus>{fields}\
         <label>L</label><nameField><label>Name</label><type>Text</type></nameField><pluralLabel>Ls</pluralLabel>\
         <sharingModel>ReadWrite</sharingModel></CustomObject>\n"
    )
}

/// A small mdapi folder: two objects, a class, a profile referring to all of them, and the
/// values of the standard Industry picklist (never listed by listMetadata).
fn write_project(dir: &Path) {
    let files = [
        (
            "package.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package {NS}><types><members>*</members><name>CustomObject</name></types>\
             <types><members>*</members><name>ApexClass</name></types><types><members>*</members><name>Profile</name></types>\
             <types><members>Industry</members><name>StandardValueSet</name></types>\
             <version>63.0</version></Package>\n"
            ),
        ),
        ("objects/A__c.object", object(&["X__c"])),
        (
            "standardValueSets/Industry.standardValueSet",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StandardValueSet {NS}><sorted>false</sorted>\
             <standardValue><fullName>Drones</fullName><default>false</default><label>Drones</label></standardValue>\
             </StandardValueSet>\n"
            ),
        ),
        ("objects/B__c.object", object(&["Y__c", "Z__c"])),
        (
            "classes/Hello.cls",
            "public class Hello {\n    // kept byte for byte\n}\n".to_owned(),
        ),
        (
            "classes/Hello.cls-meta.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass {NS}><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>\n"
            ),
        ),
        (
            "profiles/Admin.profile",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile {NS}>\
             <classAccesses><apexClass>Hello</apexClass><enabled>true</enabled></classAccesses>\
             <custom>false</custom>\
             <fieldPermissions><editable>true</editable><field>A__c.X__c</field><readable>true</readable></fieldPermissions>\
             <fieldPermissions><editable>false</editable><field>B__c.Y__c</field><readable>true</readable></fieldPermissions>\
             <fieldPermissions><editable>true</editable><field>B__c.Z__c</field><readable>true</readable></fieldPermissions>\
             <objectPermissions><allowCreate>true</allowCreate><allowDelete>false</allowDelete><allowEdit>true</allowEdit>\
             <allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords><object>A__c</object>\
             <viewAllRecords>false</viewAllRecords></objectPermissions>\
             <objectPermissions><allowCreate>false</allowCreate><allowDelete>false</allowDelete><allowEdit>false</allowEdit>\
             <allowRead>true</allowRead><modifyAllRecords>false</modifyAllRecords><object>B__c</object>\
             <viewAllRecords>false</viewAllRecords></objectPermissions>\
             <userLicense>Salesforce</userLicense>\
             <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions></Profile>\n"
            ),
        ),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn small_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path());
    dir
}

async fn finish(handle: orgfleet_engine::JobHandle) -> orgfleet_engine::JobRecord {
    tokio::time::timeout(Duration::from_secs(120), handle.done)
        .await
        .expect("the snapshot job ends")
        .unwrap()
        .unwrap()
}

fn record_of(job: &orgfleet_engine::JobRecord) -> SnapshotRecord {
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    serde_json::from_value(job.result.clone().expect("a result")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_are_complete_when_their_objects_come_in_other_chunks() {
    let project = small_project();
    let env = env(&[("small", Some(project.path().to_path_buf()))]).await;
    let org = env.connect("small").await;
    // One file per half-request: every object is retrieved in its own chunk.
    let job = env
        .engine
        .start_snapshot_with(org.id, options(Some(2)))
        .unwrap();
    let job = finish(job).await;
    assert!(job.title.contains("Snapshot small"), "{}", job.title);
    let record = record_of(&job);
    assert_eq!(record.source, SnapshotSource::Org { org_row_id: org.id });
    // Standard value sets are asked for by name (listMetadata never lists them); those the
    // org lacks are not warnings.
    assert!(record.warnings.is_empty(), "{:?}", record.warnings);

    let files = env
        .engine
        .snapshot_file(record.id, "Profile", "Admin")
        .unwrap();
    let profile = Element::parse_bytes(&files[0].1, "Admin.profile").unwrap();
    let fields: Vec<String> = profile
        .children_named("fieldPermissions")
        .filter_map(|e| e.child_text("field"))
        .collect();
    assert_eq!(fields, ["A__c.X__c", "B__c.Y__c", "B__c.Z__c"]);
    let objects: Vec<String> = profile
        .children_named("objectPermissions")
        .filter_map(|e| e.child_text("object"))
        .collect();
    assert_eq!(objects, ["A__c", "B__c"]);
    assert_eq!(
        profile
            .children_named("classAccesses")
            .filter_map(|e| e.child_text("apexClass"))
            .collect::<Vec<_>>(),
        ["Hello"]
    );
    assert_eq!(profile.children_named("userPermissions").count(), 1);

    // Export → the same files as the project, after canonicalization.
    let zip = env.dir.path().join("small.zip");
    env.engine
        .export_snapshot(record.id, &zip, ExportFormat::Mdapi)
        .unwrap();
    let exported = Package::from_zip(&std::fs::read(&zip).unwrap()).unwrap();
    let original = Package::from_dir(project.path()).unwrap();
    assert_eq!(comparable_files(&exported), comparable_files(&original));
    assert_eq!(
        exported.manifest.unwrap().version.as_deref(),
        record.api_version.as_deref()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_type_that_cannot_be_listed_is_a_warning() {
    let project = small_project();
    let env = env(&[("warn", Some(project.path().to_path_buf()))]).await;
    let org = env.connect("warn").await;
    let mut opts = options(None);
    opts.types = Some(vec!["ApexClass".into(), "NoSuchType".into()]);
    let record = record_of(&finish(env.engine.start_snapshot_with(org.id, opts).unwrap()).await);
    assert_eq!(record.warnings.len(), 1, "{:?}", record.warnings);
    assert_eq!(record.warnings[0].type_name, "NoSuchType");
    assert!(
        record.warnings[0].message.contains("could not be listed"),
        "{}",
        record.warnings[0].message
    );
    let components = env.engine.snapshot_components(record.id).unwrap();
    assert_eq!(components.len(), 1, "{components:?}");
    assert_eq!(components[0].type_name, "ApexClass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_mid_snapshot_leaves_no_snapshot() {
    let project = small_project();
    let env = env(&[("stuck", Some(project.path().to_path_buf()))]).await;
    let org = env.connect("stuck").await;
    orgsim::faults::set_faults(
        &env.sim.sim,
        &env.org_ids[0],
        orgsim::faults::Faults {
            retrieve_never_finishes: true,
            ..Default::default()
        },
    );
    let job = env
        .engine
        .start_snapshot_with(org.id, options(None))
        .unwrap();
    let id = job.id;
    // Wait until the retrieves are running, then cancel.
    for _ in 0..500 {
        let row = env.engine.jobs().get(id).unwrap();
        if row
            .phase
            .as_deref()
            .is_some_and(|p| p.starts_with("Retrieving"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    env.engine.jobs().cancel(id).unwrap();
    let job = finish(job).await;
    assert_eq!(job.status, JobStatus::Cancelled, "{:?}", job.error);
    assert!(env.engine.snapshots().unwrap().is_empty());
}

fn blob_count(engine: &orgfleet_engine::Engine) -> i64 {
    engine
        .store()
        .conn()
        .query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_snapshot_of_an_unchanged_org_adds_no_blobs() {
    let project = small_project();
    let env = env(&[("same", Some(project.path().to_path_buf()))]).await;
    let org = env.connect("same").await;
    let first = record_of(
        &finish(
            env.engine
                .start_snapshot_with(org.id, options(Some(2)))
                .unwrap(),
        )
        .await,
    );
    let blobs = blob_count(&env.engine);
    assert!(blobs > 0);
    let handles = env.engine.start_snapshots(vec![org.id]).unwrap();
    assert_eq!(handles.len(), 1);
    let mut handles = handles;
    let second = record_of(&finish(handles.remove(0)).await);
    assert_ne!(first.id, second.id);
    assert_eq!(blob_count(&env.engine), blobs, "no new content stored");
    assert_eq!(
        env.engine.snapshot_components(first.id).unwrap(),
        env.engine.snapshot_components(second.id).unwrap()
    );
    assert_eq!(env.engine.snapshots().unwrap().len(), 2);
    // Deleting one keeps the other's content.
    env.engine.delete_snapshot(first.id).unwrap();
    assert_eq!(blob_count(&env.engine), blobs);
    assert_eq!(env.engine.snapshots().unwrap().len(), 1);
}

#[tokio::test]
async fn imports_a_folder_and_a_zip_alike() {
    let project = small_project();
    let dir = tempfile::tempdir().unwrap();
    let engine = orgfleet_engine::Engine::open(&dir.path().join("db.sqlite3")).unwrap();
    let from_dir = engine.import_snapshot(project.path()).unwrap();
    assert!(matches!(from_dir.source, SnapshotSource::Import { .. }));
    assert_eq!(from_dir.component_count, 5);
    let zip = dir.path().join("p.zip");
    engine
        .export_snapshot(from_dir.id, &zip, ExportFormat::Mdapi)
        .unwrap();
    let from_zip = engine.import_snapshot(&zip).unwrap();
    assert_eq!(
        engine.snapshot_components(from_dir.id).unwrap(),
        engine.snapshot_components(from_zip.id).unwrap()
    );
    let err = engine
        .import_snapshot(&dir.path().join("missing.zip"))
        .unwrap_err();
    assert!(err.to_string().contains("missing.zip"), "{err}");
}

#[tokio::test]
async fn exports_a_source_project_that_imports_back_identical() {
    let project = small_project();
    let dir = tempfile::tempdir().unwrap();
    let engine = orgfleet_engine::Engine::open(&dir.path().join("db.sqlite3")).unwrap();
    let original = engine.import_snapshot(project.path()).unwrap();
    let dest = dir.path().join("project");
    engine
        .export_snapshot(original.id, &dest, ExportFormat::Source)
        .unwrap();
    assert!(dest.join("sfdx-project.json").is_file());
    assert!(
        dest.join("force-app/main/default/objects/B__c/fields/Y__c.field-meta.xml")
            .is_file()
    );
    let back = engine.import_snapshot(&dest).unwrap();
    assert_eq!(
        engine.snapshot_components(original.id).unwrap(),
        engine.snapshot_components(back.id).unwrap()
    );
    // A non-empty destination is refused, and left as it was.
    let err = engine
        .export_snapshot(original.id, &dest, ExportFormat::Source)
        .unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(dest.join("sfdx-project.json").is_file());
}
