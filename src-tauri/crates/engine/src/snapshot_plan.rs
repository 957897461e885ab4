//! Planning a snapshot: which listMetadata queries to send and how to cut the listed
//! components into retrieve requests.
//!
//! Pure functions, so the rules are unit-tested without an org. Two Salesforce facts shape
//! the plan:
//! * in-folder types (Report, Dashboard, Document, EmailTemplate) can only be listed per
//!   folder, so the folder types are listed first and their contents per folder after;
//! * a retrieve returns at most 10,000 files, and a Profile or PermissionSet only carries the
//!   access entries for components retrieved *in the same request* (metadata-formats.md §5).
//!   So profiles travel with every chunk of the components they refer to, and the fragments
//!   are merged afterwards ([`crate::snapshot_merge`]).

use std::collections::BTreeSet;

use orgfleet_metadata::registry::{self, Layout};
use orgfleet_salesforce::metadata::ListMetadataQuery;

/// Types whose retrieved content depends on what else is in the request.
pub const PROFILE_TYPES: [&str; 2] = ["Profile", "PermissionSet"];

/// Types a profile's access entries refer to; retrieved together with the profiles.
/// (Fields and record types come inside their CustomObject.)
pub const PROFILE_REFERENCED_TYPES: [&str; 9] = [
    "CustomObject",
    "ApexClass",
    "ApexPage",
    "Layout",
    "CustomTab",
    "CustomApplication",
    "CustomPermission",
    "Flow",
    "ExternalDataSource",
];

/// The pseudo-folder of reports and email templates that are in no folder.
pub const UNFILED_FOLDER: &str = "unfiled$public";

/// How big one retrieve may get. Salesforce's hard limit is 10,000 files per retrieve; the
/// byte budget keeps zips (sent base64 in one SOAP answer) well below its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLimits {
    pub max_files: usize,
    /// Estimated uncompressed bytes per retrieve (see [`estimate`]).
    pub max_bytes: u64,
}

impl Default for ChunkLimits {
    fn default() -> Self {
        Self {
            max_files: 9_000,
            max_bytes: 200 * 1024 * 1024,
        }
    }
}

/// A listed component.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub type_name: String,
    pub full_name: String,
}

/// One retrieve request's members, as (type, full name) pairs.
pub type Chunk = Vec<Listed>;

/// First listing round: every non-folder type, plus the folder types of in-folder types
/// (the contents are listed per folder by [`folder_queries`]). Child types are skipped: they
/// are inside their parent's file. Sorted and without duplicates.
pub fn first_queries(type_names: &[String]) -> Vec<ListMetadataQuery> {
    let mut names = BTreeSet::new();
    for name in type_names {
        match registry::by_name(name) {
            Some(t) if t.in_folder => {
                if let Some(folder) = t.folder_type {
                    names.insert(folder.to_owned());
                }
            }
            Some(_) => {
                names.insert(name.clone());
            }
            // A child type (listed inside its parent) or one our registry does not know:
            // unknown types are still listed so a failure is reported, not hidden.
            None if registry::child_by_name(name).is_some() => {}
            None => {
                names.insert(name.clone());
            }
        }
    }
    names.into_iter().map(ListMetadataQuery::new).collect()
}

/// Second listing round: the content of each listed folder (plus the unfiled folder of
/// reports and email templates).
pub fn folder_queries(folders: &[Listed]) -> Vec<ListMetadataQuery> {
    let mut out = BTreeSet::new();
    for f in folders {
        if let Some(content) = registry::by_name(&f.type_name).and_then(|t| t.folder_content_type) {
            out.insert((content.to_owned(), f.full_name.clone()));
        }
    }
    for content in ["Report", "EmailTemplate"] {
        out.insert((content.to_owned(), UNFILED_FOLDER.to_owned()));
    }
    out.into_iter()
        .map(|(t, f)| ListMetadataQuery::in_folder(t, f))
        .collect()
}

/// Estimated (files, bytes) of one component, before it is retrieved: listMetadata gives no
/// sizes, so this errs on the large side for bundles and binary content.
pub fn estimate(type_name: &str) -> (usize, u64) {
    match registry::by_name(type_name) {
        Some(t) => match t.layout {
            Layout::Bundle(_) => (20, 512 * 1024),
            Layout::MixedContent => (2, 5 * 1024 * 1024),
            Layout::ContentAndMeta => (2, 64 * 1024),
            _ if t.name == "CustomObject" || PROFILE_TYPES.contains(&t.name) => (1, 512 * 1024),
            _ => (1 + usize::from(t.meta_file), 32 * 1024),
        },
        None => (2, 256 * 1024),
    }
}

/// Cuts `items` into chunks within `limits`, keeping the given order (so a type's
/// components stay together). A component larger than the budget still gets a chunk.
pub fn chunk(items: &[Listed], limits: &ChunkLimits) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut current: Chunk = Vec::new();
    let (mut files, mut bytes) = (0usize, 0u64);
    for item in items {
        let (f, b) = estimate(&item.type_name);
        if !current.is_empty() && (files + f > limits.max_files || bytes + b > limits.max_bytes) {
            out.push(std::mem::take(&mut current));
            files = 0;
            bytes = 0;
        }
        files += f;
        bytes += b;
        current.push(item.clone());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// All retrieves of a snapshot. Profiles and permission sets are split into groups, and each
/// group is retrieved once with every slice of the components they refer to, so every
/// access entry comes back in some fragment; the other components are chunked on their own.
pub fn plan(listed: &[Listed], limits: &ChunkLimits) -> Vec<Chunk> {
    let mut items: Vec<Listed> = listed.to_vec();
    items.sort();
    items.dedup();
    let (profiles, rest): (Vec<Listed>, Vec<Listed>) = items
        .into_iter()
        .partition(|l| PROFILE_TYPES.contains(&l.type_name.as_str()));
    if profiles.is_empty() {
        return chunk(&rest, limits);
    }
    let (referenced, others): (Vec<Listed>, Vec<Listed>) = rest
        .into_iter()
        .partition(|l| PROFILE_REFERENCED_TYPES.contains(&l.type_name.as_str()));
    // Half of each request for profiles, half for what they refer to.
    let half = ChunkLimits {
        max_files: (limits.max_files / 2).max(1),
        max_bytes: (limits.max_bytes / 2).max(1),
    };
    let profile_groups = chunk(&profiles, &half);
    let slices = chunk(&referenced, &half);
    let mut out = Vec::new();
    if slices.is_empty() {
        out.extend(profile_groups);
    } else {
        for group in &profile_groups {
            for slice in &slices {
                let mut c = group.clone();
                c.extend(slice.iter().cloned());
                out.push(c);
            }
        }
    }
    out.extend(chunk(&others, limits));
    out
}

/// The (type, members) pairs of a retrieve request for `chunk`; folders are members of their
/// content type, as in package.xml.
pub fn request_types(chunk: &[Listed]) -> Vec<(String, Vec<String>)> {
    let mut by_type: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for l in chunk {
        let t = registry::by_name(&l.type_name)
            .and_then(|t| t.folder_content_type)
            .unwrap_or(&l.type_name);
        by_type
            .entry(t.to_owned())
            .or_default()
            .insert(l.full_name.clone());
    }
    by_type
        .into_iter()
        .map(|(t, m)| (t, m.into_iter().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: &str, n: &str) -> Listed {
        Listed {
            type_name: t.into(),
            full_name: n.into(),
        }
    }

    #[test]
    fn folder_types_are_listed_first_and_children_skipped() {
        let names: Vec<String> = ["ApexClass", "Report", "CustomField", "EmailTemplate", "Odd"]
            .map(String::from)
            .to_vec();
        let q: Vec<String> = first_queries(&names)
            .into_iter()
            .map(|q| q.type_name)
            .collect();
        assert_eq!(q, ["ApexClass", "EmailFolder", "Odd", "ReportFolder"]);
        let f = folder_queries(&[l("ReportFolder", "Sales"), l("EmailFolder", "Mails")]);
        let f: Vec<(String, Option<String>)> =
            f.into_iter().map(|q| (q.type_name, q.folder)).collect();
        assert!(f.contains(&("Report".into(), Some("Sales".into()))));
        assert!(f.contains(&("EmailTemplate".into(), Some("Mails".into()))));
        assert!(f.contains(&("Report".into(), Some(UNFILED_FOLDER.into()))));
    }

    #[test]
    fn chunks_respect_the_file_limit() {
        let items: Vec<Listed> = (0..25).map(|i| l("ApexClass", &format!("C{i}"))).collect();
        let limits = ChunkLimits {
            max_files: 10,
            max_bytes: u64::MAX,
        };
        let chunks = chunk(&items, &limits);
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            [5, 5, 5, 5, 5]
        );
        assert_eq!(chunks.concat(), items);
    }

    #[test]
    fn profiles_travel_with_every_slice_of_what_they_refer_to() {
        let mut items: Vec<Listed> = (0..8)
            .map(|i| l("CustomObject", &format!("O{i}")))
            .collect();
        items.push(l("Profile", "Admin"));
        items.push(l("PermissionSet", "Ops"));
        items.push(l("StaticResource", "Logo"));
        let limits = ChunkLimits {
            max_files: 10,
            max_bytes: u64::MAX,
        };
        let chunks = plan(&items, &limits);
        let with_objects: Vec<&Chunk> = chunks
            .iter()
            .filter(|c| c.iter().any(|x| x.type_name == "CustomObject"))
            .collect();
        assert!(with_objects.len() >= 2, "{chunks:?}");
        for c in &with_objects {
            assert!(c.contains(&l("Profile", "Admin")) && c.contains(&l("PermissionSet", "Ops")));
        }
        let objects: usize = with_objects
            .iter()
            .map(|c| c.iter().filter(|x| x.type_name == "CustomObject").count())
            .sum();
        assert_eq!(objects, 8, "each object is retrieved exactly once");
        assert!(
            chunks
                .iter()
                .any(|c| c == &vec![l("StaticResource", "Logo")])
        );
    }

    #[test]
    fn folders_are_members_of_their_content_type() {
        let t = request_types(&[l("ReportFolder", "Sales"), l("Report", "Sales/Pipe")]);
        assert_eq!(
            t,
            [(
                "Report".to_owned(),
                vec!["Sales".to_owned(), "Sales/Pipe".to_owned()]
            )]
        );
    }
}
