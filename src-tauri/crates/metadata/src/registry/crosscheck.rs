//! Cross-checks our registry table against the Salesforce CLI's registry JSON in the shared
//! fixtures (read at test time, never copied).

use serde_json::Value;

use super::{STANDARD_VALUE_SETS, TYPES};

#[test]
fn table_agrees_with_cli_registry() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let bytes = std::fs::read(shared.join("fixtures/registry/metadataRegistry.json")).unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    let types = json["types"].as_object().unwrap();
    let find = |name: &str| types.values().find(|t| t["name"] == name);
    for t in TYPES {
        let j = find(t.name).unwrap_or_else(|| panic!("{} not in CLI registry", t.name));
        assert_eq!(
            j["directoryName"].as_str(),
            Some(t.directory_name),
            "{} directory",
            t.name
        );
        assert_eq!(j["suffix"].as_str(), t.suffix, "{} suffix", t.name);
        assert_eq!(
            j["inFolder"].as_bool().unwrap_or(false),
            t.in_folder,
            "{} inFolder",
            t.name
        );
        assert_eq!(
            j["strictDirectoryName"].as_bool().unwrap_or(false),
            t.strict_directory,
            "{} strict",
            t.name
        );
        let folder = j["folderType"].as_str().map(str::to_owned);
        assert_eq!(
            folder,
            t.folder_type.map(|f| f.to_ascii_lowercase()),
            "{} folderType",
            t.name
        );
        let jchildren = j["children"]["types"].as_object();
        let mut expected: Vec<(String, String, String)> = jchildren
            .into_iter()
            .flat_map(|m| m.values())
            .map(|c| {
                let suffix = c["suffix"].as_str().unwrap().to_owned();
                let dir = c["directoryName"].as_str().unwrap().to_owned();
                let element = c["xmlElementName"].as_str().map_or(dir, str::to_owned);
                (c["name"].as_str().unwrap().to_owned(), element, suffix)
            })
            .collect();
        let mut ours: Vec<(String, String, String)> = t
            .children
            .iter()
            .map(|c| (c.name.into(), c.xml_element.into(), c.suffix.into()))
            .collect();
        expected.sort();
        ours.sort();
        assert_eq!(ours, expected, "{} children", t.name);
    }
    for name in [
        "CustomField",
        "CustomLabel",
        "WorkflowRule",
        "SharingOwnerRule",
    ] {
        let parent = super::parent_of(name).unwrap();
        let key = json["childTypes"][name.to_ascii_lowercase()]
            .as_str()
            .unwrap();
        assert_eq!(
            types[key]["name"].as_str(),
            Some(parent.name),
            "{name} parent"
        );
    }
}

#[test]
fn standard_value_set_names_are_the_cli_registry_s() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let bytes = std::fs::read(shared.join("fixtures/registry/stdValueSetRegistry.json")).unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    let known: Vec<&str> = json["fullnames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for name in STANDARD_VALUE_SETS {
        assert!(known.contains(name), "{name} is not a standard value set");
    }
}
