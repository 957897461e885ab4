//! listMetadata: FileProperties for the components of up to three types (metadata-soap.md §3).
//!
//! Top-level components come straight from the org; child types (CustomField, CustomLabel,
//! WorkflowRule, ...) are derived from their parent's XML, as Salesforce stores them. An
//! unknown type faults the whole call (INVALID_TYPE); more than three queries fault with
//! EXCEEDED_ID_LIMIT (code **UNCONFIRMED**). In-folder types need `folder`; without it the
//! answer is empty, as is StandardValueSet's (documented quirk).

use axum::response::Response;
use orgfleet_metadata::children::list_children;
use orgfleet_metadata::registry;

use super::envelope::{self, SoapRequest, XmlWriter};
use crate::model::{Component, ComponentKey, Org};
use crate::server::{SessionInfo, Sim};

/// One FileProperties row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProps {
    pub created_by_id: String,
    pub created_by_name: String,
    pub created_date: String,
    pub file_name: String,
    pub full_name: String,
    pub id: String,
    pub last_modified_by_id: String,
    pub last_modified_by_name: String,
    pub last_modified_date: String,
    pub manageable_state: Option<String>,
    pub namespace_prefix: Option<String>,
    pub type_name: String,
}

impl FileProps {
    /// The row of a top-level component; `prefix` is prepended to `fileName` (`unpackaged/`).
    pub fn of_component(key: &ComponentKey, c: &Component, prefix: &str) -> Self {
        FileProps {
            created_by_id: c.created_by_id.clone(),
            created_by_name: c.created_by_name.clone(),
            created_date: c.created_date.clone(),
            file_name: format!("{prefix}{}", primary_file_name(key, c)),
            full_name: key.full_name.clone(),
            id: c.id.clone(),
            last_modified_by_id: c.last_modified_by_id.clone(),
            last_modified_by_name: c.last_modified_by_name.clone(),
            last_modified_date: c.last_modified_date.clone(),
            manageable_state: Some(
                if c.namespace_prefix.is_some() {
                    "installed"
                } else {
                    "unmanaged"
                }
                .into(),
            ),
            namespace_prefix: c.namespace_prefix.clone(),
            type_name: key.type_name.clone(),
        }
    }

    /// Writes `<{tag}>…</{tag}>` with every WSDL field in WSDL (alphabetical) order.
    pub fn write(&self, w: &mut XmlWriter, tag: &str) {
        w.open(tag)
            .leaf("createdById", &self.created_by_id)
            .leaf("createdByName", &self.created_by_name)
            .leaf("createdDate", &self.created_date)
            .leaf("fileName", &self.file_name)
            .leaf("fullName", &self.full_name)
            .leaf("id", &self.id)
            .leaf("lastModifiedById", &self.last_modified_by_id)
            .leaf("lastModifiedByName", &self.last_modified_by_name)
            .leaf("lastModifiedDate", &self.last_modified_date)
            .leaf_opt("manageableState", self.manageable_state.as_deref())
            .leaf_opt("namespacePrefix", self.namespace_prefix.as_deref())
            .leaf("type", &self.type_name)
            .close(tag);
    }
}

/// The file Salesforce reports for a component: the content or XML file (not the
/// `-meta.xml` companion), `lwc/name` for bundles, `reports/Folder` for folders.
pub fn primary_file_name(key: &ComponentKey, c: &Component) -> String {
    let ty = registry::by_name(&key.type_name);
    if let Some(t) = ty {
        if t.is_bundle() {
            return format!("{}/{}", t.directory_name, key.full_name);
        }
        if t.is_folder_type() {
            return format!("{}/{}", t.directory_name, key.full_name);
        }
    }
    c.files
        .keys()
        .find(|p| !p.ends_with("-meta.xml"))
        .or_else(|| c.files.keys().next())
        .cloned()
        .unwrap_or_default()
}

/// A stable id for a child component (children have no stored id). Standard fields have
/// none, as on Salesforce.
pub fn child_id(org: &Org, type_name: &str, full_name: &str) -> String {
    let prefix = match type_name {
        "CustomField" if !full_name.ends_with("__c") => return String::new(),
        "CustomField" => "00N",
        "ValidationRule" => "03d",
        "RecordType" => "012",
        "ListView" => "00B",
        "WebLink" => "00b",
        "CompactLayout" => "0AH",
        "FieldSet" => "0IX",
        "BusinessProcess" => "019",
        "CustomLabel" => "101",
        "WorkflowRule" => "01Q",
        "WorkflowAlert" => "01W",
        "WorkflowFieldUpdate" => "04Y",
        _ => "0A0",
    };
    let hash = format!("{}|{type_name}|{full_name}", org.id)
        .bytes()
        .fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100000001b3)
        });
    crate::ids::make_id(prefix, hash % 1_000_000_000_000)
}

/// Rows for one (type, folder) query, or `None` when the type is unknown.
pub fn list_type(org: &Org, type_name: &str, folder: Option<&str>) -> Option<Vec<FileProps>> {
    if let Some(ty) = registry::by_name(type_name) {
        if ty.name == "StandardValueSet" || (ty.in_folder && folder.is_none()) {
            return Some(Vec::new());
        }
        let prefix = folder.map(|f| format!("{f}/"));
        let rows = org
            .metadata
            .iter()
            .filter(|(k, _)| k.type_name == ty.name)
            .filter(|(k, _)| match (&prefix, ty.in_folder) {
                (Some(p), true) => k
                    .full_name
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| !rest.contains('/')),
                _ => true,
            })
            .map(|(k, c)| FileProps::of_component(k, c, ""))
            .collect();
        return Some(rows);
    }
    let (parent, child) = registry::child_by_name(type_name)?;
    let mut rows = Vec::new();
    for (key, comp) in org
        .metadata
        .iter()
        .filter(|(k, _)| k.type_name == parent.name)
    {
        let Some(xml) = parent_xml(comp) else {
            continue;
        };
        let Ok(kids) = list_children(parent.name, &key.full_name, xml) else {
            continue;
        };
        for kid in kids.into_iter().filter(|k| k.type_name == child.name) {
            let mut row = FileProps::of_component(key, comp, "");
            row.id = child_id(org, child.name, &kid.full_name);
            row.full_name = kid.full_name;
            row.type_name = child.name.to_owned();
            rows.push(row);
        }
    }
    Some(rows)
}

/// The parent's XML file (for child listing and readMetadata).
pub fn parent_xml(comp: &Component) -> Option<&[u8]> {
    comp.files
        .iter()
        .find(|(p, _)| !p.ends_with("-meta.xml"))
        .map(|(_, b)| b.as_slice())
}

pub fn list_metadata(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let queries: Vec<(String, Option<String>)> = req
        .body
        .children_named("queries")
        .map(|q| {
            (
                q.child_text("type").unwrap_or_default(),
                q.child_text("folder").filter(|f| !f.is_empty()),
            )
        })
        .collect();
    if queries.len() > 3 {
        return envelope::fault(
            "EXCEEDED_ID_LIMIT",
            "listMetadata accepts at most 3 ListMetadataQuery per call",
        );
    }
    let result = sim.with_org(org_id, |org| {
        let mut rows = Vec::new();
        for (type_name, folder) in &queries {
            match list_type(org, type_name, folder.as_deref()) {
                Some(r) => rows.extend(r),
                None => return Err(type_name.clone()),
            }
        }
        Ok(rows)
    });
    let mut rows = match result {
        Ok(Ok(rows)) => rows,
        Ok(Err(bad)) => {
            return envelope::fault(
                "INVALID_TYPE",
                &format!("Cannot use: {bad} in this version"),
            );
        }
        Err(_) => return envelope::fault("UNKNOWN_EXCEPTION", "organization not found"),
    };
    rows.sort_by(|a, b| (&a.type_name, &a.full_name).cmp(&(&b.type_name, &b.full_name)));
    let mut w = XmlWriter::new();
    for row in &rows {
        row.write(&mut w, "result");
    }
    envelope::ok("listMetadata", &w.finish())
}
