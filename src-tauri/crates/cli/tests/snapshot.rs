//! `orgfleet snapshot ...` against orgsim: take → list → show → export → delete, with
//! `--json`, progress on stderr and the exit codes of the rest of the CLI.

use std::process::Command;
use std::time::Duration;

use orgfleet_metadata::mdapi::Package;
use orgfleet_testkit::register_jwt_app;
use orgsim::config::Config;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};
use serde_json::{Value, json};

fn orgfleet(home: &std::path::Path, args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_orgfleet"))
        .args(args)
        .env("ORGFLEET_HOME", home)
        .env("ORGFLEET_SECRET_STORE", "file")
        .output()
        .expect("run orgfleet")
}

const CLASS: &str = "public class Hello {\n    // byte for byte\n}\n";

fn project(dir: &std::path::Path) {
    let ns = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";
    let files = [
        (
            "package.xml".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package {ns}><types><members>*</members><name>ApexClass</name></types><version>63.0</version></Package>\n"
            ),
        ),
        ("classes/Hello.cls".to_owned(), CLASS.to_owned()),
        (
            "classes/Hello.cls-meta.xml".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass {ns}>\n    <apiVersion>63.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n"
            ),
        ),
    ];
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn take_list_show_export_delete() {
    let src = tempfile::tempdir().unwrap();
    project(src.path());
    let config: Config = serde_json::from_value(json!({"orgs": [
        {"alias": "uat", "kind": "sandbox",
         "users": [{"username": "ci@acme.test.uat", "password": "pw"}],
         "metadata": {"path": src.path()}}
    ]}))
    .unwrap();
    let (sim, _) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    set_retrieve_settings(
        &sim.sim,
        RetrieveSettings {
            delay: Duration::from_millis(0),
            max_files: 10_000,
        },
    );
    let home = tempfile::tempdir().unwrap();
    let key_arg = register_jwt_app(&sim.sim, "ci-app", home.path());
    let home_path = home.path().to_path_buf();
    let run = move |args: &[&str]| {
        let home = home_path.clone();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        tokio::task::spawn_blocking(move || orgfleet(&home, &args))
    };
    let ok = |o: &std::process::Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<Value>(&o.stdout).unwrap_or(Value::Null)
    };

    let login = run(&[
        "org",
        "login",
        "jwt",
        "--alias",
        "uat",
        "--username",
        "ci@acme.test.uat",
        "--client-id",
        "ci-app",
        "--key-file",
        &key_arg,
        "--instance-url",
        &sim.login_url,
    ])
    .await
    .unwrap();
    ok(&login);

    let take = run(&["snapshot", "take", "uat", "--json"]).await.unwrap();
    let taken = ok(&take);
    let stderr = String::from_utf8_lossy(&take.stderr);
    assert!(
        stderr.contains("[uat] Retrieving"),
        "progress on stderr: {stderr}"
    );
    assert_eq!(taken[0]["status"], "succeeded", "{taken}");
    let id = taken[0]["snapshot"]["id"].as_i64().unwrap();
    assert_eq!(taken[0]["snapshot"]["componentCount"], 1);
    assert_eq!(taken[0]["snapshot"]["orgAlias"], "uat");

    let list = ok(&run(&["snapshot", "list", "--json"]).await.unwrap());
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);

    let show = ok(&run(&["snapshot", "show", &id.to_string(), "--json"])
        .await
        .unwrap());
    assert_eq!(show["components"][0]["typeName"], "ApexClass");
    assert_eq!(show["components"][0]["fullName"], "Hello");

    let zip = home.path().join("out.zip");
    let zip_arg = zip.display().to_string();
    ok(&run(&[
        "snapshot",
        "export",
        &id.to_string(),
        &zip_arg,
        "--format",
        "mdapi",
    ])
    .await
    .unwrap());
    let pkg = Package::from_zip(&std::fs::read(&zip).unwrap()).unwrap();
    assert_eq!(
        pkg.components.values().next().unwrap()["classes/Hello.cls"],
        CLASS.as_bytes()
    );

    let project_dir = home.path().join("project");
    let project_arg = project_dir.display().to_string();
    ok(&run(&[
        "snapshot",
        "export",
        &id.to_string(),
        &project_arg,
        "--format",
        "source",
    ])
    .await
    .unwrap());
    assert_eq!(
        std::fs::read_to_string(project_dir.join("force-app/main/default/classes/Hello.cls"))
            .unwrap(),
        CLASS
    );

    let deleted = ok(&run(&["snapshot", "delete", &id.to_string(), "--json"])
        .await
        .unwrap());
    assert!(deleted["blobsRemoved"].as_i64().unwrap() > 0, "{deleted}");
    let list = ok(&run(&["snapshot", "list", "--json"]).await.unwrap());
    assert_eq!(list, json!([]));

    // A snapshot that does not exist fails with exit code 1; an unknown format is usage (2).
    let missing = run(&["snapshot", "show", "999"]).await.unwrap();
    assert_eq!(
        missing.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let bad = run(&["snapshot", "export", "1", &zip_arg, "--format", "tar"])
        .await
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // An org that does not exist.
    let nobody = run(&["snapshot", "take", "nobody"]).await.unwrap();
    assert_ne!(nobody.status.code(), Some(0));

    // Import round trip.
    let src_arg = src.path().display().to_string();
    let imported = ok(&run(&["snapshot", "import", &src_arg, "--json"])
        .await
        .unwrap());
    assert_eq!(imported["componentCount"], 1);
    assert_eq!(imported["source"]["kind"], "import");

    // `drift <org alias> <folder>`: the org is snapshotted afresh, then compared with the
    // project it was loaded from: no drift (0). A class edited in the project is drift (1).
    let same = run(&["drift", "uat", &src_arg]).await.unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&same.stdout),
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(String::from_utf8_lossy(&same.stderr).contains("[uat] "));
    std::fs::write(
        src.path().join("classes/Hello.cls"),
        "public class Hello {}\n",
    )
    .unwrap();
    let drifted = run(&["drift", "uat", &src_arg]).await.unwrap();
    assert_eq!(drifted.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&drifted.stdout).contains("~ ApexClass Hello"));
    // Neither a snapshot, a path nor an org: usage (2), saying what it could have been.
    let unknown = run(&["drift", "uat", "nobody"]).await.unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("alias of a connected org"));
}
