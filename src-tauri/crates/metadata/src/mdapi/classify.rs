//! Which component an mdapi file belongs to, from its path alone.
//!
//! Retrieve zips and mdapi folders carry no per-file type information: the directory, the
//! suffix and (for folders and bundles) the position in the tree decide. This is the one
//! place that knows those rules.

use super::ComponentId;
use crate::registry::{self, BundleKind, Layout, MetadataType};

const META: &str = "-meta.xml";

/// The component owning the mdapi file at `path` (relative to the package root), or `None`
/// when no known type claims it.
pub fn classify_path(path: &str) -> Option<ComponentId> {
    let (dir, rest) = path.split_once('/')?;
    if rest.is_empty() {
        return None;
    }
    let mut types = registry::by_directory(dir).filter(|t| !t.is_folder_type());
    let ty = types.next()?;
    // Directories hold one content type (folder types are handled through it).
    let (type_name, full_name) = match ty.layout {
        Layout::Bundle(kind) => (ty.name, bundle_name(kind, rest)?),
        _ if ty.in_folder => return classify_in_folder(ty, rest),
        _ => (ty.name, strip_suffix(ty, rest)?),
    };
    if full_name.is_empty() {
        return None;
    }
    Some(ComponentId::new(type_name, percent_decode(&full_name)))
}

fn bundle_name(kind: BundleKind, rest: &str) -> Option<String> {
    match rest.split_once('/') {
        Some((name, _)) => Some(name.to_owned()),
        // ExperienceBundle's own meta file sits beside its folder: `site1.site-meta.xml`.
        None if kind == BundleKind::Experience => rest.split_once('.').map(|(n, _)| n.to_owned()),
        None => None,
    }
}

/// `Name.<suffix>` or `Name.<suffix>-meta.xml` → `Name` (no sub-directories allowed).
fn strip_suffix(ty: &MetadataType, rest: &str) -> Option<String> {
    if rest.contains('/') {
        return None;
    }
    let base = rest.strip_suffix(META).unwrap_or(rest);
    let suffix = ty.suffix?;
    base.strip_suffix(suffix)?
        .strip_suffix('.')
        .map(str::to_owned)
}

fn classify_in_folder(ty: &MetadataType, rest: &str) -> Option<ComponentId> {
    let suffix = ty.suffix?;
    let is_document = ty.name == "Document";
    if let Some(stem) = rest.strip_suffix(META) {
        let last = stem.rsplit('/').next().unwrap_or(stem);
        let content_meta = stem.contains('/')
            && if is_document {
                last.contains('.')
            } else {
                stem.ends_with(&format!(".{suffix}"))
            };
        if !content_meta {
            // `reports/Sales-meta.xml` (or nested `reports/Sales/Emea-meta.xml`): the folder.
            return Some(ComponentId::new(ty.folder_type?, percent_decode(stem)));
        }
        let name = if is_document {
            stem
        } else {
            stem.strip_suffix(&format!(".{suffix}"))?
        };
        return Some(ComponentId::new(ty.name, percent_decode(name)));
    }
    if !rest.contains('/') {
        return None;
    }
    let name = if is_document {
        rest
    } else {
        rest.strip_suffix(&format!(".{suffix}"))?
    };
    Some(ComponentId::new(ty.name, percent_decode(name)))
}

/// Decodes `%XX` escapes Salesforce uses in file names (`%28` → `(`); invalid escapes are
/// kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(h).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(p: &str) -> Option<(String, String)> {
        classify_path(p).map(|id| (id.type_name, id.full_name))
    }

    fn some(t: &str, n: &str) -> Option<(String, String)> {
        Some((t.into(), n.into()))
    }

    #[test]
    fn classifies_mdapi_paths() {
        assert_eq!(c("classes/Foo.cls"), some("ApexClass", "Foo"));
        assert_eq!(c("classes/Foo.cls-meta.xml"), some("ApexClass", "Foo"));
        assert_eq!(c("objects/Account.object"), some("CustomObject", "Account"));
        assert_eq!(
            c("layouts/Account-Account %28Sales%29 Layout.layout"),
            some("Layout", "Account-Account (Sales) Layout")
        );
        assert_eq!(
            c("lwc/myCmp/myCmp.js"),
            some("LightningComponentBundle", "myCmp")
        );
        assert_eq!(
            c("aura/X/X.cmp-meta.xml"),
            some("AuraDefinitionBundle", "X")
        );
        assert_eq!(
            c("experiences/site1.site-meta.xml"),
            some("ExperienceBundle", "site1")
        );
        assert_eq!(
            c("experiences/site1/views/home.json"),
            some("ExperienceBundle", "site1")
        );
        assert_eq!(c("reports/Sales-meta.xml"), some("ReportFolder", "Sales"));
        assert_eq!(c("reports/Sales/Pipe.report"), some("Report", "Sales/Pipe"));
        assert_eq!(c("email/F/T.email"), some("EmailTemplate", "F/T"));
        assert_eq!(c("email/F/T.email-meta.xml"), some("EmailTemplate", "F/T"));
        assert_eq!(c("email/F-meta.xml"), some("EmailFolder", "F"));
        assert_eq!(c("documents/D/logo.png"), some("Document", "D/logo.png"));
        assert_eq!(
            c("documents/D/logo.png-meta.xml"),
            some("Document", "D/logo.png")
        );
        assert_eq!(c("documents/D-meta.xml"), some("DocumentFolder", "D"));
        assert_eq!(
            c("customMetadata/T.Rec.md"),
            some("CustomMetadata", "T.Rec")
        );
        assert_eq!(
            c("staticresources/Lib.resource"),
            some("StaticResource", "Lib")
        );
        assert_eq!(c("package.xml"), None);
        assert_eq!(c("unknownDir/x.y"), None);
        assert_eq!(c("classes/Foo.txt"), None);
        assert_eq!(c("classes/sub/Foo.cls"), None);
    }
}
