//! Deterministic generator of realistic orgs (issue 3, items 7 and 8).
//!
//! [`generate`] turns a seed and a size into top-level components in mdapi layout: standard
//! objects extended with custom fields, custom objects with fields of every common type,
//! validation rules, record types, list views, layouts, profiles, permission sets, Apex classes,
//! tests and triggers, record-triggered flows, custom labels and a custom metadata type with
//! records. All references (layout items, formulas, FLS, record-type picklist values, flow
//! filters, Apex SOQL) point at components that exist. The same [`GenSpec`] always yields
//! byte-identical output; the size counts child components (fields, validation rules, record
//! types, list views, labels) as well as top-level ones (see [`component_count`]).
//!
//! [`generate_org`] wraps the metadata in an [`Org`] with users and records, [`apply_drift`] and
//! [`production_edit`] change it the way admins and developers do, and [`demo_orgs`] builds the
//! three related demo orgs (see the `demo` module for their story).

mod apex;
mod automation;
mod demo;
mod drift;
mod drift_change;
mod edits;
mod integrity;
pub mod names;
mod objects;
mod org;
mod plan;
mod security;
mod standard;
pub mod xml;

use std::collections::BTreeMap;

use crate::ids::make_id;
use crate::model::{Component, ComponentKey};

pub use demo::{
    DEMO_PROD_EDIT_AT, DEMO_RELEASE_AT, DEMO_SPEC_COMPONENTS, DEMO_SPEC_SEED, DEMO_WIP_AT,
    DEMO_WIP_DRIFT, DemoStory, demo_orgs, demo_orgs_with_story,
};
pub use drift::{DriftEdit, DriftOp, DriftSpec, apply_drift, production_edit};
pub use integrity::check_integrity;
pub use org::{DEMO_PASSWORD, generate_org};

/// API version written into Apex and flow metadata.
pub const API_VERSION: &str = "63.0";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GenSpec {
    pub seed: u64,
    /// Target number of components, child components included (tens to 50,000).
    pub components: usize,
}

impl GenSpec {
    pub fn new(seed: u64, components: usize) -> Self {
        Self { seed, components }
    }
}

impl Default for GenSpec {
    fn default() -> Self {
        Self {
            seed: 42,
            components: 300,
        }
    }
}

/// SplitMix64: tiny, fast and stable across Rust and crate versions (output must never change
/// for a given seed).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// FNV-1a, for deterministic ids derived from names.
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The people who build generated orgs: (username prefix, name, profile name).
pub(crate) const PEOPLE: &[(&str, &str, &str)] = &[
    ("admin", "Alex Morgan", "System Administrator"),
    ("jo.martin", "Jo Martin", "System Administrator"),
    ("priya.shah", "Priya Shah", "System Administrator"),
    ("sam.lee", "Sam Lee", "Standard User"),
];

/// Id of `PEOPLE[i]` in orgs generated from `seed` (sandboxes keep production's user ids).
pub(crate) fn person_id(seed: u64, i: usize) -> String {
    make_id(
        "005",
        1_000_000_000_000_000 + (seed % 1_000_000) * 1_000 + i as u64,
    )
}

/// Key prefix of a component's id, by metadata type.
pub(crate) fn id_prefix(type_name: &str) -> &'static str {
    match type_name {
        "CustomObject" => "01I",
        "Layout" => "00h",
        "Profile" => "00e",
        "PermissionSet" => "0PS",
        "ApexClass" => "01p",
        "ApexTrigger" => "01q",
        "Flow" => "301",
        "CustomLabels" => "101",
        "CustomMetadata" => "m00",
        "StandardValueSet" => "0Ns",
        _ => "000",
    }
}

/// RFC 3339 timestamp (`2026-11-03T10:15:00.000Z`) for `day` days after 2025-01-06.
pub(crate) fn timestamp(day: u32, secs_of_day: u32) -> String {
    let base = time::Date::from_calendar_date(2025, time::Month::January, 6).expect("valid date");
    let d = base + time::Duration::days(i64::from(day));
    let s = secs_of_day % 86_400;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        d.year(),
        u8::from(d.month()),
        d.day(),
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// (path, bytes) of one component's files, in creation order.
type FileList = Vec<(String, Vec<u8>)>;

/// Generates the metadata of an org. Same spec ⇒ byte-identical files and metadata.
pub fn generate(spec: &GenSpec) -> BTreeMap<ComponentKey, Component> {
    let p = plan::plan(spec.seed, spec.components);
    let mut out: Vec<(ComponentKey, FileList)> = Vec::new();
    let mut add = |ty: &str, name: &str, files: Vec<(String, Vec<u8>)>| {
        out.push((ComponentKey::new(ty, name), files))
    };
    let related = objects::related_lists(&p.objs);
    for o in &p.objs {
        add(
            "CustomObject",
            &o.api,
            vec![(
                format!("objects/{}.object", o.api),
                objects::render_object(o),
            )],
        );
        if !o.mdt {
            let l = o.layout();
            add(
                "Layout",
                &l,
                vec![(
                    format!("layouts/{l}.layout"),
                    objects::render_layout(o, related.get(&o.api).map_or(&[], Vec::as_slice)),
                )],
            );
        }
        if o.flow {
            let f = automation::flow_name(o);
            add(
                "Flow",
                &f,
                vec![(format!("flows/{f}.flow"), automation::render_flow(o))],
            );
        }
    }
    if let Some(values) = &p.industry {
        add(
            "StandardValueSet",
            "Industry",
            vec![(
                "standardValueSets/Industry.standardValueSet".into(),
                automation::render_standard_value_set(values),
            )],
        );
    }
    add(
        "Profile",
        "Admin",
        vec![(
            "profiles/Admin.profile".into(),
            security::render_profile(&p, true, spec.seed),
        )],
    );
    add(
        "Profile",
        "Standard",
        vec![(
            "profiles/Standard.profile".into(),
            security::render_profile(&p, false, spec.seed),
        )],
    );
    for (i, ps) in p.permsets.iter().enumerate() {
        add(
            "PermissionSet",
            &ps.name,
            vec![(
                format!("permissionsets/{}.permissionset", ps.name),
                security::render_permset(&p, i),
            )],
        );
    }
    for (name, body) in apex::classes(&p) {
        add(
            "ApexClass",
            &name,
            vec![
                (format!("classes/{name}.cls"), body.into_bytes()),
                (
                    format!("classes/{name}.cls-meta.xml"),
                    apex::meta("ApexClass"),
                ),
            ],
        );
    }
    for (name, body) in apex::triggers(&p) {
        add(
            "ApexTrigger",
            &name,
            vec![
                (format!("triggers/{name}.trigger"), body.into_bytes()),
                (
                    format!("triggers/{name}.trigger-meta.xml"),
                    apex::meta("ApexTrigger"),
                ),
            ],
        );
    }
    add(
        "CustomLabels",
        "CustomLabels",
        vec![(
            "labels/CustomLabels.labels".into(),
            automation::render_labels(&p),
        )],
    );
    for (name, label, values) in &p.mdt_records {
        let full = format!("Integration_Setting.{name}");
        add(
            "CustomMetadata",
            &full,
            vec![(
                format!("customMetadata/{full}.md"),
                automation::render_mdt_record(label, values),
            )],
        );
    }
    let mut rng = Rng::new(spec.seed ^ 0x0073_7461_6d70);
    let mut map = BTreeMap::new();
    for (i, (key, files)) in out.into_iter().enumerate() {
        let created_day = rng.below(600) as u32;
        let modified_day = (created_day + rng.below(60) as u32).min(660);
        let creator = rng.below(3);
        let modifier = rng.below(3);
        let counter = 2_000_000_000_000_000 + (spec.seed % 1_000_000) * 100_000_000 + i as u64;
        let c = Component {
            id: make_id(id_prefix(&key.type_name), counter),
            files: files.into_iter().collect(),
            created_by_id: person_id(spec.seed, creator),
            created_by_name: PEOPLE[creator].1.to_owned(),
            created_date: timestamp(created_day, 28_800 + rng.below(36_000) as u32),
            last_modified_by_id: person_id(spec.seed, modifier),
            last_modified_by_name: PEOPLE[modifier].1.to_owned(),
            last_modified_date: timestamp(modified_day, 28_800 + rng.below(36_000) as u32),
            namespace_prefix: None,
        };
        let c = if c.last_modified_date < c.created_date {
            Component {
                last_modified_date: c.created_date.clone(),
                ..c
            }
        } else {
            c
        };
        map.insert(key, c);
    }
    map
}

/// Counts components the way the generator's size does: every top-level component plus the
/// child components inside objects (fields, validation rules, record types, list views) and
/// the labels inside `CustomLabels`.
pub fn component_count(metadata: &BTreeMap<ComponentKey, Component>) -> usize {
    let mut n = 0;
    for (key, c) in metadata {
        n += 1;
        let needles: &[&str] = match key.type_name.as_str() {
            "CustomObject" => &[
                "\n    <fields>\n",
                "\n    <validationRules>\n",
                "\n    <recordTypes>\n",
                "\n    <listViews>\n",
            ],
            "CustomLabels" => &["\n    <labels>\n"],
            _ => continue,
        };
        for bytes in c.files.values() {
            let text = String::from_utf8_lossy(bytes);
            n += needles
                .iter()
                .map(|needle| text.matches(needle).count())
                .sum::<usize>();
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_stable() {
        let mut r = Rng::new(1);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64() % 1000).collect();
        let mut r2 = Rng::new(1);
        let again: Vec<u64> = (0..3).map(|_| r2.next_u64() % 1000).collect();
        assert_eq!(first, again);
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(timestamp(0, 3661), "2025-01-06T01:01:01.000Z");
        assert_eq!(timestamp(366, 0), "2026-01-07T00:00:00.000Z");
    }

    #[test]
    fn small_sizes_are_exact() {
        for n in [30, 100, 257, 1000] {
            let m = generate(&GenSpec::new(7, n));
            assert_eq!(component_count(&m), n, "size {n}");
        }
    }
}
