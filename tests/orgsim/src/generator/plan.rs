//! The generator's intermediate model and the size budget: which objects, fields, rules,
//! classes, flows and labels an org of N components has, before any file is written.
//!
//! Planning first keeps references consistent by construction (a validation rule is only
//! planned over fields the object has) and lets the budget hit the requested component count
//! (top-level components plus child components) exactly for all but tiny sizes.

use std::collections::BTreeSet;

use super::Rng;
use super::names::{self, ObjectNames, api_base, pascal};
use super::standard::{decorate_standard, mdt_type, standard_objects};

#[derive(Debug, Clone)]
pub enum Kind {
    Text(u32),
    TextArea,
    LongText(u32),
    Number(u8, u8),
    Currency(u8, u8),
    Percent(u8, u8),
    Checkbox,
    Date,
    DateTime,
    Email,
    Phone,
    Url,
    Picklist(Vec<String>),
    Multi(Vec<String>),
    Lookup {
        to: String,
        rel: String,
        rel_label: String,
    },
    MasterDetail {
        to: String,
        rel: String,
        rel_label: String,
    },
    /// A standard field; `Some(type)` when Salesforce writes its type (Picklist, Lookup).
    Standard(Option<&'static str>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub api: String,
    pub label: String,
    pub kind: Kind,
}

impl Field {
    pub(super) fn new(label: &str, kind: Kind) -> Self {
        Self {
            api: format!("{}__c", api_base(label)),
            label: label.to_owned(),
            kind,
        }
    }
    pub(super) fn std(api: &str, ty: Option<&'static str>) -> Self {
        Self {
            api: api.to_owned(),
            label: String::new(),
            kind: Kind::Standard(ty),
        }
    }
    pub fn values(&self) -> Option<&[String]> {
        match &self.kind {
            Kind::Picklist(v) | Kind::Multi(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Vr {
    pub name: String,
    pub description: String,
    pub formula: String,
    pub display_field: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Rt {
    pub name: String,
    pub label: String,
    /// (picklist field, values, whether the first value is the default)
    pub picklists: Vec<(String, Vec<String>, bool)>,
}

#[derive(Debug, Clone)]
pub struct Lv {
    pub name: String,
    pub label: String,
    pub columns: Vec<String>,
    pub scope: &'static str,
    pub filter: Option<(String, &'static str, String)>,
}

#[derive(Debug, Clone)]
pub struct Obj {
    pub api: String,
    pub label: String,
    pub plural: String,
    pub custom: bool,
    pub mdt: bool,
    pub fields: Vec<Field>,
    pub vrs: Vec<Vr>,
    pub rts: Vec<Rt>,
    pub lvs: Vec<Lv>,
    pub detail_of: Option<String>,
    /// Apex prefix (`WarrantyClaim`); classes Selector/Service/TriggerHandler/ServiceTest.
    pub class_base: String,
    pub apex: bool,
    pub flow: bool,
}

impl Obj {
    pub fn layout(&self) -> String {
        format!("{}-{} Layout", self.api, self.label)
    }
    pub fn field(&self, api: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.api == api)
    }
    pub(super) fn units(&self) -> usize {
        1 + self.fields.len()
            + self.vrs.len()
            + self.rts.len()
            + self.lvs.len()
            + usize::from(!self.mdt)
            + if self.apex { 5 } else { 0 }
            + usize::from(self.flow)
    }
}

#[derive(Debug, Clone)]
pub struct PermSet {
    pub name: String,
    pub label: String,
    /// Indices into `Plan::objs`.
    pub objects: Vec<usize>,
}

/// A custom metadata record: (record name, label, [(field, xsd type, value)]).
pub type MdtRecord = (String, String, Vec<(String, &'static str, String)>);

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub objs: Vec<Obj>,
    /// Values of the Industry standard value set, when Account is present.
    pub industry: Option<Vec<String>>,
    /// (name, category, value)
    pub labels: Vec<(String, String, String)>,
    /// (record name, label, [(field, xsd type, value)])
    pub mdt_records: Vec<MdtRecord>,
    pub permsets: Vec<PermSet>,
    pub account_apex: bool,
    pub trigger_base: bool,
}

impl Plan {
    pub fn obj(&self, api: &str) -> Option<&Obj> {
        self.objs.iter().find(|o| o.api == api)
    }
}

pub(super) fn picklist(label: &str, values: &[&str]) -> Field {
    Field::new(
        label,
        Kind::Picklist(values.iter().map(|s| (*s).to_owned()).collect()),
    )
}

const KIND_CYCLE: &[u8] = b"tnc%kdDepuPMaLlt";

fn random_field(rng: &mut Rng, used: &mut BTreeSet<String>, code: u8) -> Option<Field> {
    let (pool, make): (&[&str], fn(&str) -> Kind) = match code {
        b't' => (names::TEXT, |_| Kind::Text(80)),
        b'n' => (names::NUMBER, |_| Kind::Number(10, 0)),
        b'c' => (names::CURRENCY, |_| Kind::Currency(16, 2)),
        b'%' => (names::PERCENT, |_| Kind::Percent(5, 2)),
        b'k' => (names::CHECKBOX, |_| Kind::Checkbox),
        b'd' => (names::DATE, |_| Kind::Date),
        b'D' => (names::DATETIME, |_| Kind::DateTime),
        b'e' => (names::EMAIL, |_| Kind::Email),
        b'p' => (names::PHONE, |_| Kind::Phone),
        b'u' => (names::URL, |_| Kind::Url),
        b'a' => (names::TEXT_AREA, |_| Kind::TextArea),
        b'L' => (names::LONG_TEXT, |_| Kind::LongText(32768)),
        b'P' | b'M' => {
            let pool = if code == b'P' {
                names::PICKLISTS
            } else {
                names::MULTI_PICKLISTS
            };
            let start = rng.below(pool.len());
            for i in 0..pool.len() {
                let (label, values) = pool[(start + i) % pool.len()];
                if used.insert(api_base(label)) {
                    let values = values.iter().map(|s| (*s).to_owned()).collect();
                    let kind = if code == b'P' {
                        Kind::Picklist(values)
                    } else {
                        Kind::Multi(values)
                    };
                    return Some(Field::new(label, kind));
                }
            }
            return None;
        }
        _ => return None,
    };
    let start = rng.below(pool.len());
    (0..pool.len())
        .map(|i| pool[(start + i) % pool.len()])
        .find(|l| used.insert(api_base(l)))
        .map(|l| Field::new(l, make(l)))
}

fn custom_object(
    rng: &mut Rng,
    label: String,
    plural: String,
    nf: usize,
    masters: &[(String, String)],
) -> Obj {
    let pb = api_base(&plural);
    let mut used = BTreeSet::new();
    let mut fields = Vec::with_capacity(nf);
    let (status, values) = names::PICKLISTS[0];
    used.insert(api_base(status));
    fields.push(picklist(status, values));
    used.insert("Amount".into());
    fields.push(Field::new("Amount", Kind::Currency(16, 2)));
    used.insert("Due_Date".into());
    fields.push(Field::new("Due Date", Kind::Date));
    used.insert("Account".into());
    fields.push(Field::new(
        "Account",
        Kind::Lookup {
            to: "Account".into(),
            rel: pb.clone(),
            rel_label: plural.clone(),
        },
    ));
    let mut detail_of = None;
    if !masters.is_empty() && rng.chance(25) {
        let (m_api, m_label) = &masters[rng.below(masters.len())];
        if used.insert(api_base(m_label)) {
            fields.push(Field::new(
                m_label,
                Kind::MasterDetail {
                    to: m_api.clone(),
                    rel: pb.clone(),
                    rel_label: plural.clone(),
                },
            ));
            detail_of = Some(m_api.clone());
        }
    } else if rng.chance(40) && used.insert("Primary_Contact".into()) {
        fields.push(Field::new(
            "Primary Contact",
            Kind::Lookup {
                to: "Contact".into(),
                rel: pb.clone(),
                rel_label: plural.clone(),
            },
        ));
    }
    let mut misses = 0;
    let mut k = rng.below(KIND_CYCLE.len());
    while fields.len() < nf && misses < KIND_CYCLE.len() {
        k = (k + 1) % KIND_CYCLE.len();
        match random_field(rng, &mut used, KIND_CYCLE[k]) {
            Some(f) => {
                misses = 0;
                fields.push(f);
            }
            None => misses += 1,
        }
    }
    fields.truncate(nf.max(1));
    let class_base = pascal(&label);
    Obj {
        api: format!("{}__c", api_base(&label)),
        label,
        plural,
        custom: true,
        mdt: false,
        fields,
        vrs: vec![],
        rts: vec![],
        lvs: vec![],
        detail_of,
        class_base,
        apex: false,
        flow: false,
    }
}

/// Validation rules that apply to `o`'s fields, best first.
fn rule_candidates(o: &Obj) -> Vec<Vr> {
    let mut out = Vec::new();
    let of = |k: fn(&Kind) -> bool| o.fields.iter().filter(move |f| k(&f.kind));
    for f in of(|k| matches!(k, Kind::Currency(..) | Kind::Number(..))).take(2) {
        out.push(Vr {
            name: format!("{}_Not_Negative", f.api.trim_end_matches("__c")),
            description: format!("{} must be zero or more", f.label),
            formula: format!("{} < 0", f.api),
            display_field: Some(f.api.clone()),
            message: format!("{} cannot be negative.", f.label),
        });
    }
    if let (Some(s), Some(d)) = (o.field("Status__c"), of(|k| matches!(k, Kind::Date)).next())
        && s.values()
            .is_some_and(|v| v.iter().any(|x| x == "Approved"))
    {
        out.push(Vr {
            name: format!("{}_Required_When_Approved", d.api.trim_end_matches("__c")),
            description: format!("Approved records need a {}", d.label),
            formula: format!("AND(ISPICKVAL(Status__c, 'Approved'), ISBLANK({}))", d.api),
            display_field: Some(d.api.clone()),
            message: format!("{} is required once the record is approved.", d.label),
        });
    }
    if o.field("Start_Date__c").is_some() && o.field("End_Date__c").is_some() {
        out.push(Vr {
            name: "End_Date_After_Start_Date".into(),
            description: "Date range check".into(),
            formula: "End_Date__c < Start_Date__c".into(),
            display_field: Some("End_Date__c".into()),
            message: "End Date must be on or after Start Date.".into(),
        });
    }
    for f in of(|k| matches!(k, Kind::Email)).take(1) {
        out.push(Vr {
            name: format!("{}_Format", f.api.trim_end_matches("__c")),
            description: format!("{} must look like an email address", f.label),
            formula: format!("AND(NOT(ISBLANK({0})), NOT(CONTAINS({0}, '@')))", f.api),
            display_field: Some(f.api.clone()),
            message: format!("Enter a valid {}.", f.label),
        });
    }
    for f in of(|k| matches!(k, Kind::Percent(..))).take(1) {
        out.push(Vr {
            name: format!("{}_Range", f.api.trim_end_matches("__c")),
            description: format!("{} between 0% and 100%", f.label),
            formula: format!("OR({0} < 0, {0} > 1)", f.api),
            display_field: Some(f.api.clone()),
            message: format!("{} must be between 0% and 100%.", f.label),
        });
    }
    out
}

fn decorate_custom(rng: &mut Rng, o: &mut Obj, nvr: usize, nrt: usize, nlv: usize) {
    o.vrs = rule_candidates(o).into_iter().take(nvr).collect();
    let pick_fields: Vec<(String, Vec<String>, bool)> = o
        .fields
        .iter()
        .filter_map(|f| {
            f.values().map(|v| {
                (
                    f.api.clone(),
                    v.to_vec(),
                    matches!(f.kind, Kind::Picklist(_)),
                )
            })
        })
        .collect();
    for r in 0..nrt.min(names::RECORD_TYPES.len()) {
        let label = names::RECORD_TYPES[(r + rng.below(2)) % names::RECORD_TYPES.len()];
        if o.rts.iter().any(|x| x.label == label) {
            continue;
        }
        let picklists = pick_fields
            .iter()
            .map(|(api, vals, single)| {
                let drop = (r + 1) % vals.len();
                let v: Vec<String> = vals
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| vals.len() <= 2 || *i != drop)
                    .map(|(_, v)| v.clone())
                    .collect();
                (api.clone(), v, *single)
            })
            .collect();
        o.rts.push(Rt {
            name: api_base(label),
            label: label.into(),
            picklists,
        });
    }
    let pb = api_base(&o.plural);
    let customs: Vec<String> = o.fields.iter().map(|f| f.api.clone()).collect();
    let lvs = [
        Lv {
            name: "All".into(),
            label: "All".into(),
            columns: std::iter::once("NAME".to_owned())
                .chain(customs.iter().take(3).cloned())
                .collect(),
            scope: "Everything",
            filter: None,
        },
        Lv {
            name: format!("My_{pb}"),
            label: format!("My {}", o.plural),
            columns: std::iter::once("NAME".to_owned())
                .chain(customs.iter().take(2).cloned())
                .collect(),
            scope: "Mine",
            filter: None,
        },
        Lv {
            name: format!("Open_{pb}"),
            label: format!("Open {}", o.plural),
            columns: vec!["NAME".into(), "Status__c".into(), "Amount__c".into()],
            scope: "Everything",
            filter: Some(("Status__c".into(), "notEqual", "Closed".into())),
        },
    ];
    let has_open = o.field("Status__c").is_some() && o.field("Amount__c").is_some();
    o.lvs = lvs
        .into_iter()
        .filter(|l| has_open || l.filter.is_none())
        .take(nlv)
        .collect();
}

/// Plans an org of about `target` components (exact for targets of ~20 and more).
pub fn plan(seed: u64, target: usize) -> Plan {
    let mut rng = Rng::new(seed ^ 0x6f72_6773_696d);
    let mut p = Plan::default();
    let label_reserve = (target / 40).max(1);
    // profiles (2) + CustomLabels (1) + reserved labels
    let mut left = target as isize - 3 - label_reserve as isize;
    let rich = target >= 150;
    let industry: Vec<String> = names::INDUSTRIES.iter().map(|s| (*s).to_owned()).collect();
    for (i, mut o) in standard_objects().into_iter().enumerate() {
        if i > 0 && left < 8 {
            break;
        }
        if o.api == "Account" && left >= 4 {
            p.industry = Some(industry.clone());
            left -= 1;
        }
        let room = (left - 2).max(1) as usize;
        o.fields.truncate(room);
        if rich {
            decorate_standard(&mut o, &industry);
        }
        left -= o.units() as isize;
        p.objs.push(o);
    }
    if rich && left > 40 {
        p.account_apex = true;
        left -= 3;
    }
    if target >= 80 && left > 20 {
        let mdt = mdt_type();
        left -= mdt.units() as isize;
        p.objs.push(mdt);
        for (name, label, endpoint, timeout, on, region) in [
            (
                "ERP_Sync",
                "ERP Sync",
                "https://erp.acme.example/api",
                "30.0",
                "true",
                "EMEA",
            ),
            (
                "Billing_Gateway",
                "Billing Gateway",
                "https://billing.acme.example/v2",
                "15.0",
                "true",
                "North America",
            ),
            (
                "Shipping_Tracker",
                "Shipping Tracker",
                "https://track.acme.example",
                "45.0",
                "false",
                "APAC",
            ),
            (
                "Tax_Service",
                "Tax Service",
                "https://tax.acme.example/rates",
                "20.0",
                "true",
                "LATAM",
            ),
        ] {
            p.mdt_records.push((
                name.into(),
                label.into(),
                vec![
                    ("Endpoint_URL__c".into(), "xsd:string", endpoint.into()),
                    ("Is_Enabled__c".into(), "xsd:boolean", on.into()),
                    ("Region__c".into(), "xsd:string", region.into()),
                    ("Timeout_Seconds__c".into(), "xsd:double", timeout.into()),
                ],
            ));
            left -= 1;
        }
    }
    let mut names = ObjectNames::new(&mut rng);
    let fpo = (target / 300 + 5).clamp(5, 36);
    let mut masters: Vec<(String, String)> = Vec::new();
    let mut since_permset = 0;
    while left >= 6 {
        let Some((label, plural)) = names.next_name() else {
            break;
        };
        let nf = (fpo + rng.below(fpo / 2 + 1))
            .min((left - 2) as usize)
            .max(1);
        let mut o = custom_object(&mut rng, label, plural, nf, &masters);
        let spare = left - o.units() as isize;
        let (nvr, nrt, nlv) = if target < 150 {
            (1, 0, 1)
        } else {
            (1 + rng.below(3), rng.below(3), 1 + rng.below(3))
        };
        if spare > 6 {
            decorate_custom(&mut rng, &mut o, nvr, nrt, nlv);
        }
        let spare = left - o.units() as isize;
        let apex_cost = 5 + isize::from(!p.trigger_base);
        if spare >= apex_cost + 4 {
            o.apex = true;
            if !p.trigger_base {
                p.trigger_base = true;
                left -= 1;
            }
        }
        if left - (o.units() as isize) >= 3 {
            o.flow = true;
        }
        left -= o.units() as isize;
        if o.detail_of.is_none() {
            masters.push((o.api.clone(), o.label.clone()));
        }
        p.objs.push(o);
        since_permset += 1;
        if since_permset >= 6 && left >= 1 {
            since_permset = 0;
            let first = p.objs.len() - 6;
            let lead = &p.objs[first];
            p.permsets.push(PermSet {
                name: format!("{}_Operations", api_base(&lead.label)),
                label: format!("{} Operations", lead.label),
                objects: (first..p.objs.len()).collect(),
            });
            left -= 1;
        }
    }
    let n_labels = (left.max(0) as usize) + label_reserve;
    p.labels = labels(&p, n_labels);
    p
}

fn labels(p: &Plan, n: usize) -> Vec<(String, String, String)> {
    let mut out = Vec::with_capacity(n);
    let objs: Vec<&Obj> = p.objs.iter().filter(|o| !o.mdt).collect();
    'outer: for (suffix, text) in names::LABEL_TEMPLATES {
        for o in &objs {
            if out.len() >= n {
                break 'outer;
            }
            out.push((
                format!("{}_{}", api_base(&o.label), suffix),
                o.label.clone(),
                if text.starts_with("{}") {
                    text.replace("{}", &o.label)
                } else {
                    text.replace("{}", &o.label.to_lowercase())
                },
            ));
        }
    }
    let mut i = 0;
    while out.len() < n {
        i += 1;
        out.push((
            format!("Release_Note_{i}"),
            "Release".into(),
            format!("Release note {i}: see the change log."),
        ));
    }
    out
}
