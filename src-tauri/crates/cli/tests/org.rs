//! `orgfleet org ...` against orgsim: JWT login, list, check, logout of a protected org.

use std::process::Command;

use orgsim::config::{AppSpec, Config};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
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
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    orgsim::config::register_app(
        &sim.sim,
        &AppSpec {
            client_id: "ci-app".into(),
            client_secret: None,
            public_key_pem: Some(
                key.to_public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .unwrap(),
            ),
            public_key_pem_file: None,
            callback_urls: vec![],
            run_as_username: None,
        },
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let key_file = home.path().join("server.key");
    std::fs::write(
        &key_file,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let home_path = home.path().to_path_buf();
    let login_url = sim.login_url.clone();
    let key_arg = key_file.display().to_string();

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
