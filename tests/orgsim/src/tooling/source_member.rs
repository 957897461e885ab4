//! SourceMember (source tracking) for sandboxes, derived from component changes: every
//! Tooling query compares the org's metadata with what tracking saw last and bumps the org's
//! RevisionCounter for each member that appeared, changed or went away (rest-tooling.md §8).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::dependencies::{blocks, child_id, first};
use crate::model::Org;

#[derive(Debug, Clone)]
struct Member {
    id: String,
    id_or_name: String,
    revision: u64,
    is_new: bool,
    obsolete: bool,
    listed: bool,
    changed_by: String,
    last_modified: String,
    fingerprint: u64,
}

/// Tracking state of one org.
#[derive(Debug, Clone, Default)]
pub struct SourceTracking {
    members: BTreeMap<(String, String), Member>,
    counter: u64,
    initialized: bool,
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |a, b| {
        (a ^ *b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// (id or name, changed by, last modified, fingerprint, edited since creation).
type Observed = (String, String, String, u64, bool);

/// Current members: (type, name) → (id or name, changed by, last modified, fingerprint).
fn current(org: &Org) -> BTreeMap<(String, String), Observed> {
    let mut out = BTreeMap::new();
    for (k, c) in &org.metadata {
        let mut all = Vec::new();
        for b in c.files.values() {
            all.extend_from_slice(b);
        }
        let modified_after_create = c.last_modified_date != c.created_date;
        let when = crate::audit::rest_datetime(&c.last_modified_date);
        out.insert(
            (k.type_name.clone(), k.full_name.clone()),
            (
                c.id.clone(),
                c.last_modified_by_id.clone(),
                when.clone(),
                fnv(&all),
                modified_after_create,
            ),
        );
        if k.type_name == "CustomObject" {
            let xml: String = c
                .files
                .values()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            for (tag, ty, prefix) in [
                ("fields", "CustomField", "00N"),
                ("validationRules", "ValidationRule", "03d"),
            ] {
                for block in blocks(&xml, tag) {
                    let Some(name) = first(block, "fullName") else {
                        continue;
                    };
                    let full = format!("{}.{name}", k.full_name);
                    out.insert(
                        (ty.to_owned(), full.clone()),
                        (
                            child_id(prefix, &full),
                            c.last_modified_by_id.clone(),
                            when.clone(),
                            fnv(block.as_bytes()),
                            modified_after_create,
                        ),
                    );
                }
            }
        }
    }
    out
}

impl SourceTracking {
    fn bump(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Brings tracking up to date with `org` and returns the SourceMember rows.
    pub fn rows(&mut self, org: &Org) -> Vec<Map<String, Value>> {
        let now = current(org);
        if !self.initialized {
            self.initialized = true;
            // Tracking starts with the sandbox: only members edited since creation are listed.
            for (key, (id_or_name, by, when, fp, edited)) in &now {
                let revision = if *edited { self.bump() } else { 0 };
                let id = crate::ids::make_id(
                    "0MZ",
                    fnv(format!("{}:{}", key.0, key.1).as_bytes()) % 1_000_000_000_000,
                );
                self.members.insert(
                    key.clone(),
                    Member {
                        id,
                        id_or_name: id_or_name.clone(),
                        revision,
                        is_new: false,
                        obsolete: false,
                        listed: *edited,
                        changed_by: by.clone(),
                        last_modified: when.clone(),
                        fingerprint: *fp,
                    },
                );
            }
        } else {
            for (key, (id_or_name, by, when, fp, _)) in &now {
                match self.members.get(key).map(|m| (m.fingerprint, m.obsolete)) {
                    Some((old, obsolete)) if old == *fp && !obsolete => {}
                    Some(_) => {
                        let rev = self.bump();
                        if let Some(m) = self.members.get_mut(key) {
                            m.revision = rev;
                            m.obsolete = false;
                            m.listed = true;
                            m.fingerprint = *fp;
                            m.changed_by = by.clone();
                            m.last_modified = when.clone();
                        }
                    }
                    None => {
                        let rev = self.bump();
                        let id = crate::ids::make_id(
                            "0MZ",
                            fnv(format!("{}:{}", key.0, key.1).as_bytes()) % 1_000_000_000_000,
                        );
                        self.members.insert(
                            key.clone(),
                            Member {
                                id,
                                id_or_name: id_or_name.clone(),
                                revision: rev,
                                is_new: true,
                                obsolete: false,
                                listed: true,
                                changed_by: by.clone(),
                                last_modified: when.clone(),
                                fingerprint: *fp,
                            },
                        );
                    }
                }
            }
            let gone: Vec<(String, String)> = self
                .members
                .iter()
                .filter(|(k, m)| !m.obsolete && !now.contains_key(*k))
                .map(|(k, _)| k.clone())
                .collect();
            for key in gone {
                let rev = self.bump();
                if let Some(m) = self.members.get_mut(&key) {
                    m.revision = rev;
                    m.obsolete = true;
                    m.listed = true;
                    m.last_modified =
                        crate::tooling::debug_log::rest_time(time::OffsetDateTime::now_utc());
                }
            }
        }
        self.members
            .iter()
            .filter(|(_, m)| m.listed)
            .map(|((ty, name), m)| {
                let v = json!({
                    "attributes": {"type": "SourceMember", "url": format!("/services/data/{}/tooling/sobjects/SourceMember/{}", crate::sobjects::URL_VERSION, m.id)},
                    "Id": m.id, "MemberIdOrName": m.id_or_name, "MemberType": ty, "MemberName": name,
                    "IsNameObsolete": m.obsolete, "IsNewMember": m.is_new, "RevisionCounter": m.revision,
                    "RevisionNum": m.revision, "ChangedBy": m.changed_by, "LastModifiedDate": m.last_modified,
                    "CreatedDate": m.last_modified, "LastModifiedById": m.changed_by, "CreatedById": m.changed_by,
                });
                match v {
                    Value::Object(o) => o,
                    _ => Map::new(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Component, ComponentKey};

    fn component(body: &str, modified: &str) -> Component {
        serde_json::from_value(json!({
            "id": "01p000000000001AAA", "files": {"classes/A.cls": body.as_bytes()},
            "created_by_id": "005000000000001AAA", "created_by_name": "A",
            "created_date": "2026-01-01T00:00:00.000Z",
            "last_modified_by_id": "005000000000002AAA", "last_modified_by_name": "B",
            "last_modified_date": modified, "namespace_prefix": null
        }))
        .unwrap()
    }

    fn org() -> Org {
        serde_json::from_value(json!({
            "id": "00D000000000001AAA", "alias": "t", "name": "T", "kind": "sandbox", "instance_name": "CS1",
            "instance_url": "", "users": [], "metadata": {}, "records": {}, "next_id": 0
        }))
        .unwrap()
    }

    fn names(rows: &[Map<String, Value>], above: u64) -> Vec<(String, bool, bool)> {
        rows.iter()
            .filter(|r| r["RevisionCounter"].as_u64().unwrap() > above)
            .map(|r| {
                (
                    format!(
                        "{}:{}",
                        r["MemberType"].as_str().unwrap(),
                        r["MemberName"].as_str().unwrap()
                    ),
                    r["IsNewMember"].as_bool().unwrap(),
                    r["IsNameObsolete"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn tracks_new_changed_and_deleted_members() {
        let mut o = org();
        let key = ComponentKey::new("ApexClass", "A");
        o.metadata.insert(
            key.clone(),
            component("class A {}", "2026-01-01T00:00:00.000Z"),
        );
        let obj = "<CustomObject><fields><fullName>F__c</fullName><type>Text</type></fields></CustomObject>";
        let mut c = component(obj, "2026-01-01T00:00:00.000Z");
        c.files = [("objects/O__c.object".to_owned(), obj.as_bytes().to_vec())].into();
        o.metadata
            .insert(ComponentKey::new("CustomObject", "O__c"), c.clone());
        let mut t = SourceTracking::default();
        // Baseline: components untouched since creation are not listed.
        assert!(t.rows(&o).is_empty());

        o.metadata.insert(
            key.clone(),
            component("class A { }", "2026-02-01T00:00:00.000Z"),
        );
        let rows = t.rows(&o);
        assert_eq!(names(&rows, 0), [("ApexClass:A".to_owned(), false, false)]);
        let row = &rows[0];
        assert_eq!(row["ChangedBy"], "005000000000002AAA");
        assert_eq!(row["LastModifiedDate"], "2026-02-01T00:00:00.000+0000");
        assert_eq!(row["MemberIdOrName"], "01p000000000001AAA");
        assert!(
            t.rows(&o).iter().all(|r| r["RevisionCounter"] == 1),
            "no change, no new revision"
        );

        let obj2 = obj.replace("<type>Text</type>", "<type>Number</type>");
        c.files = [("objects/O__c.object".to_owned(), obj2.as_bytes().to_vec())].into();
        o.metadata
            .insert(ComponentKey::new("CustomObject", "O__c"), c);
        o.metadata.insert(
            ComponentKey::new("ApexClass", "B"),
            component("class B {}", "2026-03-01T00:00:00.000Z"),
        );
        o.metadata.remove(&key);
        let mut got = names(&t.rows(&o), 1);
        got.sort();
        assert_eq!(
            got,
            [
                ("ApexClass:A".to_owned(), false, true),
                ("ApexClass:B".to_owned(), true, false),
                ("CustomField:O__c.F__c".to_owned(), false, false),
                ("CustomObject:O__c".to_owned(), false, false),
            ]
        );
        let max = t
            .rows(&o)
            .iter()
            .map(|r| r["RevisionCounter"].as_u64().unwrap())
            .max()
            .unwrap();
        assert_eq!(max, 5, "revisions are monotonically increasing per org");
    }
}
