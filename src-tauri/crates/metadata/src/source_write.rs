//! mdapi [`Package`] → sfdx source-format files: the inverse of [`crate::source`].
//!
//! Snapshots are stored in mdapi form (what retrieve returns); exporting one as a project
//! developers can commit to git needs the source layout the Salesforce CLI writes:
//! * every XML component file gains `-meta.xml` (`classes/A.cls` + `A.cls-meta.xml` stay as
//!   they are; `layouts/X.layout` becomes `layouts/X.layout-meta.xml`);
//! * decomposed parents (CustomObject, CustomObjectTranslation, Bot) are split: the parent
//!   without its children in `objects/<Obj>/<Obj>.object-meta.xml`, each child in
//!   `objects/<Obj>/fields/<F>.field-meta.xml` etc. (translations and bots keep their child
//!   files beside the parent, as the CLI does);
//! * folders (`reports/Sales-meta.xml`) become `reports/Sales.reportFolder-meta.xml`;
//! * documents keep their content file and take a `<name>.document-meta.xml`;
//! * bundles (lwc, aura, experiences, ...) and static resources keep their paths (static
//!   resources are not expanded; the reader accepts `X.resource` as the content file).
//!
//! Paths are relative to a package directory (e.g. `force-app/main/default`).

use crate::error::{Error, Result};
use crate::mdapi::{ComponentId, Files, Package};
use crate::registry::{self, Layout, MetadataType};
use crate::xml::{Element, METADATA_NS, Node};

const META: &str = "-meta.xml";

/// Converts every component of `pkg` (manifests and unclassified files are not source files).
pub fn to_source_files(pkg: &Package) -> Result<Files> {
    let mut out = Files::new();
    for (id, files) in &pkg.components {
        out.extend(component_to_source(id, files)?);
    }
    Ok(out)
}

/// Converts one component's mdapi files to source-format files.
pub fn component_to_source(id: &ComponentId, files: &Files) -> Result<Files> {
    let Some(ty) = registry::by_name(&id.type_name) else {
        // Unknown to our registry: keep the retrieve layout rather than guess.
        return Ok(files.clone());
    };
    let mut out = Files::new();
    for (path, bytes) in files {
        if ty.is_folder_type() {
            let suffix = ty.suffix.unwrap_or_default();
            let stem = path.strip_suffix(META).unwrap_or(path);
            out.insert(format!("{stem}.{suffix}{META}"), bytes.clone());
            continue;
        }
        match ty.layout {
            Layout::Decomposed if !path.ends_with(META) => {
                decompose(ty, &id.full_name, path, bytes, &mut out)?;
            }
            Layout::MixedContent if ty.name == "Document" => {
                document(path, bytes, &mut out);
            }
            Layout::Plain | Layout::Decomposed if !path.ends_with(META) => {
                out.insert(format!("{path}{META}"), bytes.clone());
            }
            _ => {
                out.insert(path.clone(), bytes.clone());
            }
        }
    }
    Ok(out)
}

/// `documents/F/logo.png-meta.xml` → `documents/F/logo.document-meta.xml`; content unchanged.
fn document(path: &str, bytes: &[u8], out: &mut Files) {
    let Some(content) = path.strip_suffix(META) else {
        out.insert(path.to_owned(), bytes.to_vec());
        return;
    };
    let (dir, file) = content.rsplit_once('/').unwrap_or(("", content));
    let name = file.rsplit_once('.').map_or(file, |(n, _)| n);
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    out.insert(format!("{prefix}{name}.document{META}"), bytes.to_vec());
}

/// Splits a decomposed parent file into the parent and one file per child.
fn decompose(
    ty: &MetadataType,
    full_name: &str,
    path: &str,
    bytes: &[u8],
    out: &mut Files,
) -> Result<()> {
    let root = Element::parse_bytes(bytes, path)?;
    let suffix = ty.suffix.unwrap_or_default();
    let dir = ty.directory_name;
    // Translation and bot children sit beside the parent ("topLevel" in the CLI).
    let beside_parent = matches!(ty.name, "CustomObjectTranslation" | "Bot");
    let mut parent = Element {
        name: root.name.clone(),
        attrs: root.attrs.clone(),
        children: Vec::new(),
    };
    let mut children = 0usize;
    for node in root.children {
        let Node::Element(el) = node else {
            parent.children.push(node);
            continue;
        };
        let Some(child) = ty.child_by_element(&el.name) else {
            parent.children.push(Node::Element(el));
            continue;
        };
        let Some(name) = el
            .child_text(child.id_element)
            .filter(|n| !n.trim().is_empty())
        else {
            return Err(Error::Xml {
                context: path.to_owned(),
                message: format!(
                    "a <{}> entry has no <{}>; fix or remove it and import again",
                    el.name, child.id_element
                ),
            });
        };
        let child_root = Element {
            name: child.name.to_owned(),
            attrs: vec![("xmlns".to_owned(), METADATA_NS.to_owned())],
            children: el.children,
        };
        let child_path = if beside_parent || child.directory.is_empty() {
            format!("{dir}/{full_name}/{}.{}{META}", name.trim(), child.suffix)
        } else {
            format!(
                "{dir}/{full_name}/{}/{}.{}{META}",
                child.directory,
                name.trim(),
                child.suffix
            )
        };
        out.insert(child_path, child_root.to_document().into_bytes());
        children += 1;
    }
    // The CLI writes the parent unless it holds nothing but its children.
    if children == 0 || parent.elements().next().is_some() {
        out.insert(
            format!("{dir}/{full_name}/{full_name}.{suffix}{META}"),
            parent.to_document().into_bytes(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
