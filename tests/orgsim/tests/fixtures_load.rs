//! Every shared fixture set (mdapi, source, drift) loads into an org; a retrieve of all its
//! components over HTTP returns them; and retrieve → load → retrieve gives the same files
//! after canonicalisation (XML re-serialised with normalised whitespace).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use orgfleet_metadata::mdapi::{ComponentId, Package};
use orgfleet_metadata::package_xml::Manifest;
use orgfleet_metadata::registry;
use orgfleet_metadata::xml::Element;
use orgsim::Sim;
use orgsim::server::SessionInfo;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};

const NS: &str = "http://soap.sforce.com/2006/04/metadata";

fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared not found at {} (required on CI)", dir.display());
    }
    eprintln!("SKIP: ../shared not found");
    None
}

fn fixture_sets(shared: &Path) -> Vec<PathBuf> {
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

/// A manifest naming everything in the org the way a client must: `*` per type, standard
/// objects by name, folders and folder contents explicitly.
fn manifest_for(org_keys: &[(String, String)]) -> Manifest {
    let mut m = Manifest::new(Some("63.0"));
    for (t, n) in org_keys {
        let ty = registry::by_name(t).unwrap();
        if let Some(content) = ty.folder_content_type {
            m.add(content, n);
        } else if ty.in_folder || (t == "CustomObject" && !n.contains("__")) {
            m.add(t, n);
        } else {
            m.add(t, "*");
        }
    }
    m
}

fn canonical_files(pkg: &Package) -> BTreeMap<String, String> {
    pkg.components
        .values()
        .flatten()
        .map(|(path, bytes)| {
            let text = match Element::parse_bytes(bytes, path) {
                Ok(el) => el.canonical(),
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            };
            (path.clone(), text)
        })
        .collect()
}

struct Org {
    id: String,
    url: String,
    token: String,
}

async fn new_org(sim: &Sim, alias: &str) -> Org {
    let spec: orgsim::config::OrgSpec =
        serde_json::from_value(serde_json::json!({"alias": alias, "kind": "sandbox"})).unwrap();
    let id = orgsim::config::create_org(sim, &spec).await.unwrap();
    let (url, user_id) = sim
        .with_org(&id, |o| (o.instance_url.clone(), o.users[0].id.clone()))
        .unwrap();
    let token = format!("{id}!FIX{alias}");
    sim.inner.sessions.write().unwrap().insert(
        token.clone(),
        SessionInfo {
            org_id: id.clone(),
            user_id,
            expires_at_ms: Sim::now_ms() + 3_600_000,
        },
    );
    Org { id, url, token }
}

async fn soap(http: &reqwest::Client, org: &Org, body: &str) -> Element {
    let envelope = format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Header xmlns=\"{NS}\">\
         <SessionHeader><sessionId>{}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns=\"{NS}\">{body}</soapenv:Body></soapenv:Envelope>",
        org.token
    );
    let resp = http
        .post(format!("{}/services/Soap/m/63.0", org.url))
        .body(envelope)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let env = Element::parse_str(&text, "response").unwrap();
    env.child("Body")
        .unwrap()
        .elements()
        .next()
        .unwrap()
        .child("result")
        .unwrap()
        .clone()
}

/// retrieve (singlePackage) + poll; returns the zip's package.
async fn retrieve(http: &reqwest::Client, org: &Org, manifest: &Manifest) -> Package {
    let mut unpackaged = manifest.to_element();
    unpackaged.name = "unpackaged".into();
    unpackaged.attrs.clear();
    let mut inner = String::new();
    unpackaged.write_compact(&mut inner);
    let body = format!(
        "<retrieve><retrieveRequest><apiVersion>63.0</apiVersion><singlePackage>true</singlePackage>{inner}</retrieveRequest></retrieve>"
    );
    let id = soap(http, org, &body).await.child_text("id").unwrap();
    let check =
        format!("<checkRetrieveStatus><asyncProcessId>{id}</asyncProcessId></checkRetrieveStatus>");
    for _ in 0..200 {
        let r = soap(http, org, &check).await;
        if r.child_text("done").as_deref() == Some("true") {
            assert_eq!(r.child_text("status").as_deref(), Some("Succeeded"));
            let problems: Vec<String> = r
                .children_named("messages")
                .filter_map(|m| m.child_text("problem"))
                .collect();
            assert!(problems.is_empty(), "{problems:?}");
            let zip = base64::engine::general_purpose::STANDARD
                .decode(r.child_text("zipFile").unwrap())
                .unwrap();
            return Package::from_zip(&zip).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("retrieve {id} never finished");
}

#[tokio::test]
async fn every_fixture_set_loads_and_round_trips() {
    let Some(shared) = shared_dir() else { return };
    let sim = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
        .sim;
    set_retrieve_settings(
        &sim,
        RetrieveSettings {
            delay: Duration::from_millis(0),
            max_files: 10_000,
        },
    );
    let http = reqwest::Client::new();
    let sets = fixture_sets(&shared);
    assert_eq!(sets.len(), 7, "{sets:?}");
    for (i, set) in sets.iter().enumerate() {
        let name = set.file_name().unwrap().to_string_lossy().into_owned();
        let source = new_org(&sim, &format!("src{i}")).await;
        let pkg = orgsim::load::read_package(set).unwrap();
        assert!(
            pkg.unclassified.is_empty(),
            "{name}: {:?}",
            pkg.unclassified.keys().take(5).collect::<Vec<_>>()
        );
        let loaded = sim
            .with_org_mut(&source.id, |o| orgsim::load::load_package(o, &pkg))
            .unwrap();
        assert!(loaded > 20, "{name}: only {loaded} components");
        let keys: Vec<(String, String)> = sim
            .with_org(&source.id, |o| {
                o.metadata
                    .keys()
                    .map(|k| (k.type_name.clone(), k.full_name.clone()))
                    .collect()
            })
            .unwrap();
        let manifest = manifest_for(&keys);

        let first = retrieve(&http, &source, &manifest).await;
        let got: Vec<(String, String)> = first
            .components
            .keys()
            .map(|k| (k.type_name.clone(), k.full_name.clone()))
            .collect();
        assert_eq!(got, keys, "{name}: retrieve returns every component");
        // Components other than profiles/permission sets come back byte-for-byte in meaning.
        let original = canonical_files(&pkg);
        for (path, text) in canonical_files(&first) {
            if !path.starts_with("profiles/") && !path.starts_with("permissionsets/") {
                assert_eq!(Some(&text), original.get(&path), "{name}: {path}");
            }
        }

        let target = new_org(&sim, &format!("dst{i}")).await;
        sim.with_org_mut(&target.id, |o| orgsim::load::load_package(o, &first))
            .unwrap();
        let second = retrieve(&http, &target, &manifest).await;
        assert_eq!(
            canonical_files(&second),
            canonical_files(&first),
            "{name}: retrieve → load → retrieve"
        );
    }
}

#[tokio::test]
async fn source_sets_carry_their_special_cases() {
    let Some(shared) = shared_dir() else { return };
    let ebikes =
        orgsim::load::read_package(&shared.join("fixtures/source/ebikes-lwc-4b9e2bc")).unwrap();
    assert!(
        ebikes
            .components
            .contains_key(&ComponentId::new("CustomObject", "Case"))
    );
    assert!(
        !ebikes.components.keys().any(|k| k.type_name == "Profile"),
        "guest-profile-metadata is not a package dir"
    );
    let dahlia =
        orgsim::load::read_package(&shared.join("fixtures/mdapi/sf-dahlia-salesforce-6a8c41e"))
            .unwrap();
    assert_eq!(
        dahlia
            .components
            .keys()
            .filter(|k| k.type_name == "Profile")
            .count(),
        9
    );
    let old =
        orgsim::load::read_package(&shared.join("fixtures/drift/dreamhouse-lwc-76acf69")).unwrap();
    let new =
        orgsim::load::read_package(&shared.join("fixtures/drift/dreamhouse-lwc-5e0fbd6")).unwrap();
    for added in [
        ("ApexClass", "GeocodingService"),
        ("Flow", "Create_property"),
        ("RemoteSiteSetting", "nominatim_openstreetmap"),
    ] {
        let id = ComponentId::new(added.0, added.1);
        assert!(
            new.components.contains_key(&id) && !old.components.contains_key(&id),
            "{added:?}"
        );
    }
}
