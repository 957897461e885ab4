use super::*;
use crate::Store;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    (dir, store)
}

fn prod(alias: &str) -> NewOrg {
    NewOrg {
        alias: alias.into(),
        org_id: "00D000000000001AAA".into(),
        username: "admin@acme.com".into(),
        user_id: Some("005000000000001AAA".into()),
        name: "Acme".into(),
        instance_url: "https://acme.my.salesforce.com".into(),
        login_url: "https://login.salesforce.com".into(),
        kind: OrgKind::Production,
        colour: "#dc2626".into(),
        protected: true,
        auth_method: AuthMethod::Web,
        client_id: "PlatformCLI".into(),
        instance_name: Some("NA139".into()),
        organization_type: Some("Enterprise Edition".into()),
        trial_expires_at: None,
        tags: vec!["Client-Acme".into(), " client-acme ".into(), "".into()],
    }
}

#[test]
fn reconnecting_the_same_org_updates_it_and_keeps_user_choices() {
    let (_d, store) = store();
    let mut conn = store.conn();
    let (first, created) = upsert(&mut conn, &prod("acme-prod")).unwrap();
    assert!(created);
    assert_eq!(first.tags, vec!["client-acme"]);
    update_settings(&conn, first.id, "acme", "#16a34a", true).unwrap();
    let again = NewOrg {
        alias: "whatever".into(),
        instance_url: "https://new.my.salesforce.com".into(),
        ..prod("x")
    };
    let (second, created) = upsert(&mut conn, &again).unwrap();
    assert!(!created);
    assert_eq!(second.id, first.id);
    assert_eq!(second.alias, "acme");
    assert_eq!(second.colour, "#16a34a");
    assert_eq!(second.instance_url, "https://new.my.salesforce.com");
    assert_eq!(list(&conn).unwrap().len(), 1);
}

#[test]
fn aliases_are_unique_case_insensitively() {
    let (_d, store) = store();
    let mut conn = store.conn();
    upsert(&mut conn, &prod("Acme")).unwrap();
    let other = NewOrg {
        org_id: "00D000000000002AAA".into(),
        ..prod("ACME")
    };
    assert!(matches!(
        upsert(&mut conn, &other),
        Err(Error::AliasTaken(_))
    ));
    assert_eq!(by_alias(&conn, "acme").unwrap().alias, "Acme");
}

#[test]
fn tags_health_and_delete() {
    let (_d, store) = store();
    let mut conn = store.conn();
    let (org, _) = upsert(&mut conn, &prod("acme")).unwrap();
    let org = set_tags(&mut conn, org.id, &["UAT".into(), "client-acme".into()]).unwrap();
    assert_eq!(org.tags, vec!["client-acme", "uat"]);
    record_health(&conn, org.id, Some((120, 15000)), None).unwrap();
    let healthy = get(&conn, org.id).unwrap();
    assert_eq!(
        (healthy.api_used, healthy.api_max),
        (Some(120), Some(15000))
    );
    record_health(&conn, org.id, None, Some("The session expired — reconnect")).unwrap();
    let failing = get(&conn, org.id).unwrap();
    assert_eq!(failing.api_used, Some(120));
    assert_eq!(failing.last_seen_at, healthy.last_seen_at);
    assert!(failing.last_error.is_some());
    delete(&conn, org.id).unwrap();
    assert!(matches!(get(&conn, org.id), Err(Error::OrgNotFound(_))));
    let orphan_tags: i64 = conn
        .query_row("SELECT count(*) FROM org_tags", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphan_tags, 0);
}

#[test]
fn production_is_listed_first() {
    let (_d, store) = store();
    let mut conn = store.conn();
    let sandbox = NewOrg {
        org_id: "00D000000000002AAA".into(),
        kind: OrgKind::Sandbox,
        protected: false,
        ..prod("a-uat")
    };
    upsert(&mut conn, &sandbox).unwrap();
    upsert(&mut conn, &prod("z-prod")).unwrap();
    let aliases: Vec<_> = list(&conn).unwrap().into_iter().map(|o| o.alias).collect();
    assert_eq!(aliases, vec!["z-prod", "a-uat"]);
}
