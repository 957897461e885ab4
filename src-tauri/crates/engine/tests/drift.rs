//! Drift at component level on the two dreamhouse versions in ../shared/fixtures/drift,
//! against the ground truth of its README; the folder side, ignore rules and the exports.

use orgfleet_engine::drift_report::{ReviewDetails, to_csv, to_html};
use orgfleet_engine::{
    ChangeKind, DriftReport, DriftRuleKind, DriftSide, Engine, NewDriftRule, RiskFlag,
};
use orgfleet_testkit::shared_dir;

fn names(report: &DriftReport, kind: ChangeKind) -> Vec<String> {
    report
        .changes
        .iter()
        .filter(|c| c.change == kind)
        .map(|c| format!("{} {}", c.type_name, c.full_name))
        .collect()
}

const ADDED: &[&str] = &[
    "ApexClass GeocodingService",
    "ApexClass GeocodingServiceTest",
    "Flow Create_property",
    "LightningComponentBundle navigateToRecord",
    "RemoteSiteSetting nominatim_openstreetmap",
];

/// The README's "changed" components: Title__c consequences, other edits, and the ones whose
/// only change is the API version (the last six).
const CHANGED: &[&str] = &[
    "ApexClass PropertyController",
    "ApexClass TestPropertyController",
    "AuraDefinitionBundle auraPropertyListMap",
    "FlexiPage Broker_Record_Page",
    "FlexiPage Property_Explorer",
    "FlexiPage Property_Finder",
    "FlexiPage Property_Record_Page",
    "FlexiPage Settings",
    "Layout Property__c-Property Layout",
    "LightningComponentBundle brokerCard",
    "LightningComponentBundle daysOnMarket",
    "LightningComponentBundle errorPanel",
    "LightningComponentBundle paginator",
    "LightningComponentBundle propertyCarousel",
    "LightningComponentBundle propertyFilter",
    "LightningComponentBundle propertyMap",
    "LightningComponentBundle propertySummary",
    "LightningComponentBundle propertyTileList",
    "LightningComponentBundle sampleDataImporter",
    "PermissionSet dreamhouse",
    "StaticResource sample_data_properties",
];
const API_VERSION_ONLY: &[&str] = &[
    "ApexClass PagedResult",
    "ApexClass SampleDataController",
    "ApexClass TestSampleDataController",
    "AuraDefinitionBundle pageTemplate_2_7_3",
    "LightningComponentBundle ldsUtils",
    "LightningComponentBundle propertyTile",
];

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

#[test]
fn dreamhouse_versions_give_exactly_the_readme_changes() {
    let Some(shared) = shared_dir() else { return };
    let home = tempfile::tempdir().unwrap();
    let engine = Engine::open(&home.path().join("orgfleet.sqlite")).unwrap();
    let old = shared.join("fixtures/drift/dreamhouse-lwc-76acf69");
    let new = shared.join("fixtures/drift/dreamhouse-lwc-5e0fbd6");
    let a = engine.import_snapshot(&old).unwrap();
    let b = engine.import_snapshot(&new).unwrap();
    let report = engine
        .compare(DriftSide::snapshot(a.id), DriftSide::snapshot(b.id))
        .unwrap();

    assert_eq!(names(&report, ChangeKind::Added), sorted(ADDED));
    assert_eq!(
        names(&report, ChangeKind::Removed),
        ["CustomField Property__c.Title__c"]
    );
    let all_changed: Vec<&str> = CHANGED.iter().chain(API_VERSION_ONLY).copied().collect();
    assert_eq!(names(&report, ChangeKind::Changed), sorted(&all_changed));
    assert_eq!(report.ignored_count, 0);
    let object_counts = report
        .types
        .iter()
        .find(|t| t.type_name == "CustomObject")
        .unwrap();
    assert_eq!((object_counts.changed, object_counts.unchanged), (0, 2));

    // Risk flags.
    let permset = report.change("PermissionSet", "dreamhouse").unwrap();
    assert_eq!(
        permset.risks,
        [RiskFlag::Security, RiskFlag::FieldLevelSecurity]
    );
    let title = report
        .change("CustomField", "Property__c.Title__c")
        .unwrap();
    assert_eq!(title.risks, [RiskFlag::Deletion]);
    // Labels first: a removed field keeps the label it had on the left.
    assert_eq!(title.label.as_deref(), Some("Title"));
    assert!(
        report
            .change("ApexClass", "PropertyController")
            .unwrap()
            .risks
            .is_empty()
    );

    // Semantic detail and summaries from orgfleet_metadata::diff.
    assert!(
        permset.summary.contains("'Property__c.Title__c' removed"),
        "{}",
        permset.summary
    );
    let detail = engine
        .compare_detail(
            DriftSide::snapshot(a.id),
            DriftSide::snapshot(b.id),
            "PermissionSet",
            "dreamhouse",
        )
        .unwrap();
    let edits: Vec<String> = detail.edits().iter().map(|e| e.to_string()).collect();
    assert!(
        edits
            .iter()
            .any(|e| e.contains("Property__c.Title__c") && e.contains("removed")),
        "{edits:?}"
    );
    assert!(
        edits.iter().any(|e| e.contains("Property__c.Name")),
        "{edits:?}"
    );
    let field = engine
        .compare_detail(
            DriftSide::snapshot(a.id),
            DriftSide::folder(&new),
            "CustomField",
            "Property__c.Title__c",
        )
        .unwrap();
    assert!(!field.is_empty());
    let details = engine.review_details(&report).unwrap();
    let class = &details[&("ApexClass".to_owned(), "PropertyController".to_owned())];
    assert!(class.iter().any(|l| l.starts_with("@@ ")), "{class:?}");

    // A project folder compares exactly like its imported snapshot.
    let from_folder = engine
        .compare(DriftSide::folder(&old), DriftSide::folder(&new))
        .unwrap();
    assert_eq!(from_folder.changes, report.changes);
    assert!(
        engine
            .compare(DriftSide::folder(&new), DriftSide::snapshot(b.id))
            .unwrap()
            .is_empty()
    );
    // The other way round, additions and removals swap.
    let back = engine
        .compare(DriftSide::snapshot(b.id), DriftSide::snapshot(a.id))
        .unwrap();
    assert_eq!(names(&back, ChangeKind::Removed), sorted(ADDED));
    // A snapshot against itself: no drift at all.
    let same = engine
        .compare(DriftSide::snapshot(a.id), DriftSide::snapshot(a.id))
        .unwrap();
    assert!(same.is_empty() && same.ignored_count == 0);
    let total: i64 = same.types.iter().map(|t| t.unchanged).sum();
    assert_eq!(total, a.component_count);

    // Ignore rules drop and count.
    let api = engine
        .add_drift_rule(&NewDriftRule {
            kind: DriftRuleKind::Element,
            type_name: None,
            pattern: "apiVersion".into(),
            note: "API version bumps".into(),
        })
        .unwrap();
    let flexi = engine
        .add_drift_rule(&NewDriftRule {
            kind: DriftRuleKind::Type,
            type_name: None,
            pattern: "FlexiPage".into(),
            note: String::new(),
        })
        .unwrap();
    let title_rule = engine
        .add_drift_rule(&NewDriftRule {
            kind: DriftRuleKind::Name,
            type_name: Some("CustomField".into()),
            pattern: "*.Title__c".into(),
            note: String::new(),
        })
        .unwrap();
    let quiet = engine
        .compare(DriftSide::snapshot(a.id), DriftSide::snapshot(b.id))
        .unwrap();
    assert_eq!(quiet.ignored_count, 6 + 5 + 1);
    assert_eq!(quiet.changes.len(), report.changes.len() - 12);
    let by_rule = |id: i64| quiet.ignored.iter().filter(|i| i.rule_id == id).count();
    assert_eq!(
        (by_rule(api.id), by_rule(flexi.id), by_rule(title_rule.id)),
        (6, 5, 1)
    );
    for name in API_VERSION_ONLY {
        assert!(!names(&quiet, ChangeKind::Changed).contains(&(*name).to_owned()));
    }
    // Body changes still show even though their API version changed too.
    assert!(quiet.change("ApexClass", "PropertyController").is_some());
    assert_eq!(quiet.types.iter().map(|t| t.ignored).sum::<i64>(), 12);
    for rule in [api.id, flexi.id, title_rule.id] {
        engine.delete_drift_rule(rule).unwrap();
    }
    assert!(engine.delete_drift_rule(api.id).is_err());
    assert_eq!(
        engine
            .compare(DriftSide::snapshot(a.id), DriftSide::snapshot(b.id))
            .unwrap(),
        report
    );

    // Exports: CSV rows and a self-contained HTML page.
    let csv = to_csv(&report);
    assert_eq!(csv.lines().count(), 1 + report.changes.len());
    assert!(csv.contains("CustomField,Property__c.Title__c,Title,removed,deletion,"));
    let mut details = ReviewDetails::new();
    details.insert(
        ("ApexClass".into(), "PropertyController".into()),
        vec![
            "-    <script src=\"https://cdn.example.com/x.js\">".into(),
            "+ ok".into(),
        ],
    );
    let html = to_html(&report, &details);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>") && !html.contains("<script") && !html.contains("<link"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    assert!(html.contains("&lt;script src=&quot;https://cdn.example.com/x.js&quot;&gt;"));
    assert!(html.contains("Property__c.Title__c") && html.contains("FlexiPage (5)"));
}

#[test]
fn a_missing_folder_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let engine = Engine::open(&home.path().join("orgfleet.sqlite")).unwrap();
    let err = engine
        .compare(
            DriftSide::folder(home.path().join("nope")),
            DriftSide::folder(home.path().join("nope")),
        )
        .unwrap_err();
    assert!(
        matches!(err, orgfleet_engine::Error::InvalidInput(_)),
        "{err}"
    );
    assert!(
        engine
            .compare(DriftSide::snapshot(41), DriftSide::snapshot(42))
            .is_err()
    );
}
