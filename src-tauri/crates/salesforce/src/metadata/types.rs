//! Typed results of the Metadata API (metadata-soap.md, field names per the v66 WSDL),
//! each read from the namespace-agnostic tree in `xml.rs`. Only the fields the engine uses
//! are typed; unknown elements are ignored so newer API versions keep working.

use serde::{Deserialize, Serialize};

use super::xml::{Element, leaf};

/// `describeMetadata` result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeMetadataResult {
    pub metadata_objects: Vec<MetadataObject>,
    pub organization_namespace: String,
    pub partial_save_allowed: bool,
    pub test_required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataObject {
    pub xml_name: String,
    pub child_xml_names: Vec<String>,
    pub directory_name: String,
    pub in_folder: bool,
    pub meta_file: bool,
    pub suffix: Option<String>,
}

impl DescribeMetadataResult {
    pub(crate) fn from_xml(r: &Element) -> Self {
        Self {
            metadata_objects: r
                .children("metadataObjects")
                .map(|o| MetadataObject {
                    xml_name: o.string("xmlName"),
                    child_xml_names: o.strings("childXmlNames"),
                    directory_name: o.string("directoryName"),
                    in_folder: o.bool("inFolder"),
                    meta_file: o.bool("metaFile"),
                    suffix: o.opt_string("suffix"),
                })
                .collect(),
            organization_namespace: r.string("organizationNamespace"),
            partial_save_allowed: r.bool("partialSaveAllowed"),
            test_required: r.bool("testRequired"),
        }
    }
}

/// One `listMetadata` query: a type, and a folder for folder-based types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMetadataQuery {
    pub type_name: String,
    pub folder: Option<String>,
}

impl ListMetadataQuery {
    pub fn new(type_name: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            folder: None,
        }
    }

    pub fn in_folder(type_name: impl Into<String>, folder: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            folder: Some(folder.into()),
        }
    }

    pub(crate) fn to_xml(&self) -> String {
        let folder = self
            .folder
            .as_deref()
            .map(|f| leaf("folder", f))
            .unwrap_or_default();
        format!(
            "<queries>{folder}{}</queries>",
            leaf("type", &self.type_name)
        )
    }
}

/// `FileProperties` from listMetadata and retrieve results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileProperties {
    pub type_name: String,
    pub full_name: String,
    pub file_name: String,
    pub id: String,
    pub created_by_name: String,
    pub created_date: String,
    pub last_modified_by_id: String,
    pub last_modified_by_name: String,
    pub last_modified_date: String,
    pub manageable_state: Option<String>,
    pub namespace_prefix: Option<String>,
}

impl FileProperties {
    pub(crate) fn from_xml(e: &Element) -> Self {
        Self {
            type_name: e.string("type"),
            full_name: e.string("fullName"),
            file_name: e.string("fileName"),
            id: e.string("id"),
            created_by_name: e.string("createdByName"),
            created_date: e.string("createdDate"),
            last_modified_by_id: e.string("lastModifiedById"),
            last_modified_by_name: e.string("lastModifiedByName"),
            last_modified_date: e.string("lastModifiedDate"),
            manageable_state: e.opt_string("manageableState"),
            namespace_prefix: e.opt_string("namespacePrefix"),
        }
    }
}

/// One record of `readMetadata`: its type (`xsi:type`), fullName and raw XML fragment
/// (`<records xsi:type=...>…</records>`), left for the metadata crate to canonicalize.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataRecord {
    pub type_name: String,
    pub full_name: String,
    pub xml: String,
}

/// `AsyncResult` of retrieve and deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsyncResult {
    pub id: String,
    pub done: bool,
    pub state: String,
    pub message: Option<String>,
}

impl AsyncResult {
    pub(crate) fn from_xml(r: &Element) -> Self {
        Self {
            id: r.string("id"),
            done: r.bool("done"),
            state: r.string("state"),
            message: r.opt_string("message"),
        }
    }
}

/// What to retrieve: a package.xml-shaped manifest (`types` of `members` + `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrieveRequest {
    pub api_version: String,
    pub single_package: bool,
    /// (type name, members) pairs; `*` is allowed where Salesforce allows it.
    pub types: Vec<(String, Vec<String>)>,
    pub package_names: Vec<String>,
}

impl RetrieveRequest {
    pub(crate) fn to_xml(&self) -> String {
        let mut types = String::new();
        for (name, members) in &self.types {
            types.push_str("<types>");
            for m in members {
                types.push_str(&leaf("members", m));
            }
            types.push_str(&leaf("name", name));
            types.push_str("</types>");
        }
        let packages: String = self
            .package_names
            .iter()
            .map(|p| leaf("packageNames", p))
            .collect();
        let unpackaged = if self.types.is_empty() {
            String::new()
        } else {
            format!(
                "<unpackaged>{types}{}</unpackaged>",
                leaf("version", &self.api_version)
            )
        };
        format!(
            "<retrieveRequest>{}{packages}{}{unpackaged}</retrieveRequest>",
            leaf("apiVersion", &self.api_version),
            leaf(
                "singlePackage",
                if self.single_package { "true" } else { "false" }
            ),
        )
    }
}

/// `checkRetrieveStatus` result; `zip` is present once done with `include_zip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrieveResult {
    pub id: String,
    pub done: bool,
    pub status: String,
    pub success: bool,
    pub error_message: Option<String>,
    pub error_status_code: Option<String>,
    pub file_properties: Vec<FileProperties>,
    /// Warnings such as "Entity of type 'ApexClass' named 'Nope' cannot be found".
    pub messages: Vec<RetrieveMessage>,
    #[serde(skip)]
    pub zip: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrieveMessage {
    pub file_name: String,
    pub problem: String,
}

/// `DeployOptions` (all WSDL fields; defaults as Salesforce applies them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployOptions {
    pub allow_missing_files: bool,
    pub auto_update_package: bool,
    pub check_only: bool,
    pub ignore_warnings: bool,
    pub perform_retrieve: bool,
    pub purge_on_delete: bool,
    pub rollback_on_error: bool,
    pub run_tests: Vec<String>,
    pub single_package: bool,
    /// `NoTestRun`, `RunSpecifiedTests`, `RunLocalTests`, `RunAllTestsInOrg`; `None` lets
    /// Salesforce pick (none in sandboxes, RunLocalTests in production with Apex).
    pub test_level: Option<String>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        Self {
            allow_missing_files: false,
            auto_update_package: false,
            check_only: false,
            ignore_warnings: false,
            perform_retrieve: false,
            purge_on_delete: false,
            rollback_on_error: true,
            run_tests: Vec::new(),
            single_package: true,
            test_level: None,
        }
    }
}

impl DeployOptions {
    pub(crate) fn to_xml(&self) -> String {
        let b = |v: bool| if v { "true" } else { "false" };
        let tests: String = self.run_tests.iter().map(|t| leaf("runTests", t)).collect();
        let level = self
            .test_level
            .as_deref()
            .map(|l| leaf("testLevel", l))
            .unwrap_or_default();
        format!(
            "<DeployOptions>{}{}{}{}{}{}{}{tests}{}{level}</DeployOptions>",
            leaf("allowMissingFiles", b(self.allow_missing_files)),
            leaf("autoUpdatePackage", b(self.auto_update_package)),
            leaf("checkOnly", b(self.check_only)),
            leaf("ignoreWarnings", b(self.ignore_warnings)),
            leaf("performRetrieve", b(self.perform_retrieve)),
            leaf("purgeOnDelete", b(self.purge_on_delete)),
            leaf("rollbackOnError", b(self.rollback_on_error)),
            leaf("singlePackage", b(self.single_package)),
        )
    }
}
