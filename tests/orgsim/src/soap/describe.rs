//! describeMetadata: the org's metadata types, from our registry (metadata-soap.md §2).
//!
//! Clients (SDR, jsforce) use it to learn directory names, suffixes, folders and child
//! types; the values come from `orgfleet_metadata::registry` so orgsim and Orgfleet agree
//! with Salesforce by construction. Folder types are not listed (Salesforce lists the
//! content type with `inFolder=true`).

use axum::response::Response;
use orgfleet_metadata::registry;

use super::envelope::{self, SoapRequest, XmlWriter};
use crate::server::{SessionInfo, Sim};

pub fn describe_metadata(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    _req: &SoapRequest,
) -> Response {
    let test_required = match sim.with_org(org_id, |o| o.kind) {
        Ok(kind) => matches!(kind, crate::model::OrgKind::Production),
        Err(_) => return envelope::fault("UNKNOWN_EXCEPTION", "organization not found"),
    };
    let mut w = XmlWriter::new();
    w.open("result");
    let mut types: Vec<_> = registry::all()
        .iter()
        .filter(|t| !t.is_folder_type())
        .collect();
    types.sort_by_key(|t| t.name);
    for t in types {
        w.open("metadataObjects");
        let mut children: Vec<_> = t.children.iter().map(|c| c.name).collect();
        children.sort_unstable();
        for c in children {
            w.leaf("childXmlNames", c);
        }
        w.leaf("directoryName", t.directory_name)
            .leaf_bool("inFolder", t.in_folder)
            .leaf_bool("metaFile", t.meta_file)
            .leaf_opt("suffix", t.suffix)
            .leaf("xmlName", t.name)
            .close("metadataObjects");
    }
    w.leaf("organizationNamespace", "")
        // Production requires rollbackOnError=true (metadata-soap.md §6.1), so no partial saves.
        .leaf_bool("partialSaveAllowed", !test_required)
        .leaf_bool("testRequired", test_required)
        .close("result");
    envelope::ok("describeMetadata", &w.finish())
}
