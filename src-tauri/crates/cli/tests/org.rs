//! `orgfleet org ...` against orgsim: JWT login, list, check, logout of a protected org.

use std::process::Command;

use orgfleet_testkit::register_jwt_app;
use orgsim::config::Config;
use serde_json::{Value, json};

fn orgfleet(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_orgfleet"))
        .args(args)
        .env("ORGFLEET_HOME", home)
        .env("ORGFLEET_SECRET_STORE", "file")
        .output()
        .expect("run orgfleet")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_login_list_check_and_protected_logout() {
    let config: Config = serde_json::from_value(json!({"orgs": [
        {"alias": "prod", "name": "Acme Production", "kind": "production",
         "users": [{"username": "ci@acme.test", "password": "pw"}]}
    ]}))
    .unwrap();
    let (sim, _) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let key_arg = register_jwt_app(&sim.sim, "ci-app", home.path());
    let home_path = home.path().to_path_buf();
    let login_url = sim.login_url.clone();

    let run = move |args: Vec<String>| {
        let home = home_path.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            orgfleet(&home, &args)
        })
    };
    let s = |v: &[&str]| v.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();

    let login = run(s(&[
        "org",
        "login",
        "jwt",
        "--alias",
        "acme",
        "--username",
        "ci@acme.test",
        "--client-id",
        "ci-app",
        "--key-file",
        &key_arg,
        "--instance-url",
        &login_url,
        "--tags",
        "client-acme,ci",
    ]))
    .await
    .unwrap();
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    assert!(
        String::from_utf8_lossy(&login.stdout)
            .contains("Connected acme (Acme Production, production)")
    );

    let list = run(s(&["org", "list", "--json"])).await.unwrap();
    let orgs: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(orgs[0]["alias"], "acme");
    assert_eq!(orgs[0]["protected"], true);
    assert_eq!(orgs[0]["tags"], json!(["ci", "client-acme"]));

    let check = run(s(&["org", "check", "acme"])).await.unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("acme is reachable"));

    let refused = run(s(&["org", "logout", "acme"])).await.unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("type its alias"));
    let logout = run(s(&["org", "logout", "acme", "--confirm", "acme"]))
        .await
        .unwrap();
    assert!(
        logout.status.success(),
        "{}",
        String::from_utf8_lossy(&logout.stderr)
    );
    let empty = run(s(&["org", "list"])).await.unwrap();
    assert!(String::from_utf8_lossy(&empty.stdout).contains("No orgs connected"));

    let unreachable = run(s(&["org", "check", "nope"])).await.unwrap();
    assert_eq!(unreachable.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unreachable.stderr).contains("no connected org `nope`"));
}
