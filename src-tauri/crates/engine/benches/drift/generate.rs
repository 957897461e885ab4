//! A deterministic synthetic org for the drift benchmark: `n` top-level components shaped
//! like a real org's, and the same org after drift.
//!
//! The mix: 20 large profiles (thousands of field permissions each), permission sets, custom
//! objects with child fields and list views, layouts, flows, Apex classes and triggers with
//! their `-meta.xml`, custom metadata records and one custom labels file. Everything derives
//! from the component's index through splitmix64, so two runs measure the same bytes.
//!
//! A drifted org ([`Drift`]) changes, adds and removes a share of components (profiles and
//! permission sets get field-level-security flips, objects gain, lose and edit fields, code
//! gets line edits), and writes another set of components with only their element order
//! changed, the noise two retrieves of the same org produce.

use std::fmt::Write as _;

/// One component's (mdapi path, content) files; its type and name follow from the paths.
pub struct Component {
    pub files: Vec<(String, Vec<u8>)>,
}

/// How a component is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    Base,
    /// Content edited (the kind of edit depends on the type).
    Changed,
    /// Same content, entries in another order.
    Shuffled,
}

/// Which components differ in a drifted org: every `change_every`-th component is changed,
/// every `remove_every`-th removed, every `shuffle_every`-th (of the shuffle-capable types)
/// only reordered, and `added` new components appear.
#[derive(Clone, Copy, Debug)]
pub struct Drift {
    pub seed: u64,
    pub change_every: u64,
    pub remove_every: u64,
    pub shuffle_every: u64,
    pub added: usize,
}

impl Drift {
    /// The variant of component `i`, or None when the drift removes it.
    pub fn variant(&self, i: usize) -> Option<Variant> {
        let roll = mix(self.seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        if i < PROFILES {
            // Profiles are few and large: every fourth one changes, one is only reordered.
            return Some(match i % 4 {
                0 => Variant::Changed,
                1 if i == 1 => Variant::Shuffled,
                _ => Variant::Base,
            });
        }
        if roll.is_multiple_of(self.remove_every) {
            None
        } else if roll % self.change_every == 1 {
            Some(Variant::Changed)
        } else if kind(i).shuffles() && roll % self.shuffle_every == 2 {
            Some(Variant::Shuffled)
        } else {
            Some(Variant::Base)
        }
    }
}

/// Profiles in every org (indices `0..PROFILES`).
const PROFILES: usize = 20;
/// Field permissions in each profile.
const PROFILE_FIELDS: usize = 2_500;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Profile,
    Labels,
    ApexClass,
    ApexTrigger,
    CustomObject,
    Layout,
    Flow,
    PermissionSet,
    CustomMetadata,
}

impl Kind {
    /// Types whose retrieves come back in varying order.
    fn shuffles(self) -> bool {
        matches!(
            self,
            Kind::Profile | Kind::PermissionSet | Kind::CustomObject | Kind::Flow
        )
    }
}

/// The kind of component `i`: a fixed share of each type, like a real org's.
pub fn kind(i: usize) -> Kind {
    if i < PROFILES {
        return Kind::Profile;
    }
    if i == PROFILES {
        return Kind::Labels;
    }
    match i % 100 {
        0..=34 => Kind::ApexClass,
        35..=39 => Kind::ApexTrigger,
        40..=47 => Kind::CustomObject,
        48..=59 => Kind::Layout,
        60..=69 => Kind::Flow,
        70..=79 => Kind::PermissionSet,
        _ => Kind::CustomMetadata,
    }
}

/// Every component of the org of `n` components, as `drift` leaves it (None: the base org).
pub fn org(n: usize, drift: Option<&Drift>) -> impl Iterator<Item = Component> + '_ {
    let existing = (0..n).filter_map(move |i| match drift {
        None => Some(component(i, Variant::Base)),
        Some(d) => d.variant(i).map(|v| component(i, v)),
    });
    let added = drift.map_or(0, |d| d.added);
    // New components take indices past the base org, so their names are new.
    existing.chain((0..added).map(move |k| component(n + PROFILES + k * 7 + 1, Variant::Base)))
}

/// splitmix64: deterministic pseudo-random numbers without a dependency.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const WORDS: &[&str] = &[
    "Account",
    "Opportunity",
    "Amount",
    "Stage",
    "Owner",
    "Region",
    "Invoice",
    "Contract",
    "Renewal",
    "Discount",
    "Approval",
    "Status",
    "Priority",
    "Territory",
    "Forecast",
    "Quote",
];

fn word(seed: u64, k: u64) -> &'static str {
    WORDS[(mix(seed ^ k.wrapping_mul(0x51)) % WORDS.len() as u64) as usize]
}

/// Name of component `i` (unique: it ends with the index).
fn name(i: usize) -> String {
    let seed = mix(i as u64);
    format!("{}{}{i}", word(seed, 1), word(seed, 2))
}

/// Custom objects of the org referenced by profiles and permission sets.
fn object_name(k: u64) -> String {
    format!("{}_{k}__c", word(k, 9))
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

/// Writes `<Root xmlns=...>`, the entries and `</Root>`. A shuffled variant reorders the
/// entries within each section (consecutive entries of one element name), as another retrieve
/// of the same org may return them; sections stay where they are.
fn document(root: &str, mut entries: Vec<String>, variant: Variant, seed: u64) -> Vec<u8> {
    if variant == Variant::Shuffled {
        let mut section = 0usize;
        let mut keyed: Vec<(usize, u64, String)> = Vec::with_capacity(entries.len());
        for (k, e) in entries.drain(..).enumerate() {
            let tag = |s: &str| s.trim_start().split('>').next().map(str::to_owned);
            if k > 0 && keyed.last().and_then(|l| tag(&l.2)) != tag(&e) {
                section += 1;
            }
            keyed.push((section, mix(seed ^ fnv(e.as_bytes())), e));
        }
        keyed.sort_by_key(|(s, h, _)| (*s, *h));
        entries = keyed.into_iter().map(|(_, _, e)| e).collect();
    }
    let mut out = format!("{HEAD}<{root} {NS}>\n");
    for e in entries {
        out.push_str(&e);
    }
    let _ = writeln!(out, "</{root}>");
    out.into_bytes()
}

/// FNV-1a of bytes (a stable shuffle key).
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Component `i` written as `variant`.
pub fn component(i: usize, variant: Variant) -> Component {
    let seed = mix(i as u64);
    let name = name(i);
    let changed = variant == Variant::Changed;
    let xml = |root: &str, dir: &str, suffix: &str, entries: Vec<String>| {
        let file = match root {
            "CustomLabels" => "CustomLabels".to_owned(),
            "CustomMetadata" => format!("Setting.{name}"),
            _ => name.clone(),
        };
        Component {
            files: vec![(
                format!("{dir}/{file}.{suffix}"),
                document(root, entries, variant, seed),
            )],
        }
    };
    match kind(i) {
        Kind::Profile => xml(
            "Profile",
            "profiles",
            "profile",
            security(i, seed, changed, PROFILE_FIELDS),
        ),
        Kind::PermissionSet => {
            let fields = 10 + (seed % 50) as usize;
            let mut entries = security(i, seed, changed, fields);
            entries.push(format!("    <label>{name}</label>\n"));
            xml("PermissionSet", "permissionsets", "permissionset", entries)
        }
        Kind::Labels => xml("CustomLabels", "labels", "labels", labels(changed)),
        Kind::CustomObject => xml("CustomObject", "objects", "object", object(seed, changed)),
        Kind::Layout => xml("Layout", "layouts", "layout", layout(seed, changed)),
        Kind::Flow => xml("Flow", "flows", "flow", flow(seed, changed)),
        Kind::CustomMetadata => {
            let entries = vec![
                format!("    <label>{name}</label>\n    <protected>false</protected>\n"),
                format!(
                    "    <values>\n        <field>Endpoint__c</field>\n        <value xsi:type=\"xsd:string\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">https://{}.example.com/{}</value>\n    </values>\n",
                    word(seed, 3).to_lowercase(),
                    if changed { "v2" } else { "v1" }
                ),
            ];
            xml("CustomMetadata", "customMetadata", "md", entries)
        }
        Kind::ApexClass | Kind::ApexTrigger => code(i, seed, &name, changed),
    }
}

/// Profile or permission set sections: field, object and class access, user permissions.
fn security(i: usize, seed: u64, changed: bool, fields: usize) -> Vec<String> {
    let mut out = Vec::new();
    for k in 0..fields as u64 {
        let mut editable = mix(seed ^ k).is_multiple_of(3);
        if changed && k % 97 == 5 {
            editable = !editable; // field-level security flipped
        }
        if changed && k % 211 == 7 {
            continue; // permission removed
        }
        out.push(format!(
            "    <fieldPermissions>\n        <editable>{editable}</editable>\n        <field>{}.Field_{}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n",
            object_name(k % 400),
            k / 400 + (i as u64 % 7) * 1000,
        ));
    }
    if changed {
        out.push(format!(
            "    <fieldPermissions>\n        <editable>true</editable>\n        <field>New__c.Added_{i}__c</field>\n        <readable>true</readable>\n    </fieldPermissions>\n"
        ));
    }
    for o in 0..(fields / 10).min(200) as u64 {
        out.push(format!(
            "    <objectPermissions>\n        <allowCreate>true</allowCreate>\n        <allowDelete>{}</allowDelete>\n        <allowEdit>true</allowEdit>\n        <allowRead>true</allowRead>\n        <modifyAllRecords>false</modifyAllRecords>\n        <object>{}</object>\n        <viewAllRecords>false</viewAllRecords>\n    </objectPermissions>\n",
            mix(seed ^ o).is_multiple_of(5),
            object_name(o),
        ));
    }
    for c in 0..(fields / 5) as u64 {
        out.push(format!(
            "    <classAccesses>\n        <apexClass>{}</apexClass>\n        <enabled>true</enabled>\n    </classAccesses>\n",
            name((c * 100 + 21) as usize)
        ));
    }
    for u in 0..(fields / 25).min(120) {
        out.push(format!(
            "    <userPermissions>\n        <enabled>true</enabled>\n        <name>Permission{u:03}</name>\n    </userPermissions>\n"
        ));
    }
    out
}

fn labels(changed: bool) -> Vec<String> {
    (0..1_000)
        .map(|k| {
            let value = if changed && k % 100 == 3 { "Updated text" } else { "Text" };
            format!(
                "    <labels>\n        <fullName>Label_{k:04}</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Label {k}</shortDescription>\n        <value>{value} {k}</value>\n    </labels>\n"
            )
        })
        .collect()
}

fn object(seed: u64, changed: bool) -> Vec<String> {
    let fields = 5 + seed % 30;
    let mut out = vec![
        "    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Object</label>\n    <pluralLabel>Objects</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n".to_owned(),
    ];
    for k in 0..fields {
        if changed && k == 1 {
            continue; // a field removed
        }
        let length = 10 + mix(seed ^ k) % 245 + u64::from(changed && k == 0) * 5;
        out.push(format!(
            "    <fields>\n        <fullName>{w}_{k}__c</fullName>\n        <externalId>false</externalId>\n        <label>{w} {k}</label>\n        <length>{length}</length>\n        <required>false</required>\n        <type>Text</type>\n        <unique>false</unique>\n    </fields>\n",
            w = word(seed, k),
        ));
    }
    if changed {
        out.push("    <fields>\n        <fullName>Added__c</fullName>\n        <defaultValue>false</defaultValue>\n        <label>Added</label>\n        <type>Checkbox</type>\n    </fields>\n".to_owned());
    }
    for v in 0..3 {
        out.push(format!(
            "    <listViews>\n        <fullName>View_{v}</fullName>\n        <columns>NAME</columns>\n        <filterScope>Everything</filterScope>\n        <label>View {v}</label>\n    </listViews>\n"
        ));
    }
    out
}

fn layout(seed: u64, changed: bool) -> Vec<String> {
    let items = 4 + seed % 16 + u64::from(changed);
    let mut section = String::from(
        "    <layoutSections>\n        <customLabel>false</customLabel>\n        <detailHeading>true</detailHeading>\n        <editHeading>true</editHeading>\n        <label>Information</label>\n        <layoutColumns>\n",
    );
    for k in 0..items {
        let _ = write!(
            section,
            "            <layoutItems>\n                <behavior>Edit</behavior>\n                <field>{}_{k}__c</field>\n            </layoutItems>\n",
            word(seed, k)
        );
    }
    section.push_str("        </layoutColumns>\n        <style>TwoColumnsTopToBottom</style>\n    </layoutSections>\n");
    vec![
        section,
        "    <showEmailCheckbox>false</showEmailCheckbox>\n".to_owned(),
    ]
}

fn flow(seed: u64, changed: bool) -> Vec<String> {
    let mut out = vec![format!(
        "    <apiVersion>{}.0</apiVersion>\n    <label>Flow</label>\n    <processType>AutoLaunchedFlow</processType>\n    <status>Active</status>\n",
        58 + seed % 7
    )];
    for k in 0..(4 + seed % 12) {
        let label = if changed && k == 0 {
            "Changed check"
        } else {
            "Check"
        };
        out.push(format!(
            "    <decisions>\n        <name>Check_{w}_{k}</name>\n        <label>{label} {w}</label>\n        <locationX>{x}</locationX>\n        <locationY>{y}</locationY>\n        <defaultConnectorLabel>Default</defaultConnectorLabel>\n    </decisions>\n",
            w = word(seed, k),
            x = mix(seed ^ k) % 1200,
            y = mix(seed ^ (k << 8)) % 900,
        ));
    }
    out
}

fn code(i: usize, seed: u64, name: &str, changed: bool) -> Component {
    let trigger = kind(i) == Kind::ApexTrigger;
    let mut body = if trigger {
        format!(
            "trigger {name} on {} (before insert, before update) {{\n",
            word(seed, 4)
        )
    } else {
        format!("public with sharing class {name} {{\n")
    };
    for m in 0..(3 + seed % 10) {
        let limit = 1 + mix(seed ^ m) % 200 + u64::from(changed && m == 1) * 50;
        let _ = write!(
            body,
            "    public static {w1} get{w2}{m}(Id recordId) {{\n        List<{w1}> rows = [SELECT Id, {w2}__c, {w3}__c FROM {w1} WHERE Id = :recordId LIMIT {limit}];\n        if (rows.isEmpty()) {{ throw new AuraHandledException('No {w2} for ' + recordId); }}\n        return rows[0];\n    }}\n",
            w1 = word(seed, m * 3),
            w2 = word(seed, m * 3 + 1),
            w3 = word(seed, m * 3 + 2),
        );
    }
    body.push_str("}\n");
    let api = 58 + seed % 7 + u64::from(changed && seed.is_multiple_of(3));
    let (type_name, dir, suffix) = if trigger {
        ("ApexTrigger", "triggers", "trigger")
    } else {
        ("ApexClass", "classes", "cls")
    };
    let meta = format!(
        "{HEAD}<{type_name} {NS}>\n    <apiVersion>{api}.0</apiVersion>\n    <status>Active</status>\n</{type_name}>\n"
    );
    Component {
        files: vec![
            (format!("{dir}/{name}.{suffix}"), body.into_bytes()),
            (format!("{dir}/{name}.{suffix}-meta.xml"), meta.into_bytes()),
        ],
    }
}

/// A profile of about `min_bytes`: the base version, or a drifted copy (field-level security
/// flipped on ~1% of fields, some permissions removed, one added, every section in another
/// order). Returns (bytes, field permissions).
pub fn big_profile(min_bytes: usize, drifted: bool) -> (Vec<u8>, usize) {
    let seed = mix(7);
    let mut fields = min_bytes / 180;
    loop {
        // The base version decides the size, so both sides have the same entries.
        let base = document(
            "Profile",
            security(3, seed, false, fields),
            Variant::Base,
            seed,
        );
        if base.len() >= min_bytes {
            let bytes = if drifted {
                document(
                    "Profile",
                    security(3, seed, true, fields),
                    Variant::Shuffled,
                    seed,
                )
            } else {
                base
            };
            return (bytes, fields);
        }
        fields += fields / 20 + 1;
    }
}

/// Metadata type, mdapi folder and full name of component `i`, without generating it.
pub fn identity(i: usize) -> (&'static str, &'static str, String) {
    let name = name(i);
    match kind(i) {
        Kind::Profile => ("Profile", "profiles", name),
        Kind::Labels => ("CustomLabels", "labels", "CustomLabels".to_owned()),
        Kind::ApexClass => ("ApexClass", "classes", name),
        Kind::ApexTrigger => ("ApexTrigger", "triggers", name),
        Kind::CustomObject => ("CustomObject", "objects", name),
        Kind::Layout => ("Layout", "layouts", name),
        Kind::Flow => ("Flow", "flows", name),
        Kind::PermissionSet => ("PermissionSet", "permissionsets", name),
        Kind::CustomMetadata => (
            "CustomMetadata",
            "customMetadata",
            format!("Setting.{name}"),
        ),
    }
}
