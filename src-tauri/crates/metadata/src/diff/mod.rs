//! Semantic diff of one component: what a reviewer needs to read, without ordering noise.
//!
//! Two retrieves of the same org return keyed sets (profile permissions, object fields,
//! labels) in different orders and with different whitespace; a byte or line diff then
//! reports drift that is not there. Here XML becomes elements, repeated elements are matched
//! by the registry's keys ([`crate::registry::Collection`]), and every difference is one
//! [`ElementEdit`] with a readable path such as
//! `fieldPermissions[Account.Industry].editable: true → false`. Order-only changes are
//! [`EditKind::Reordered`], hidden by default unless the registry marks the collection as
//! ordered (picklist values, layout sections). Code (Apex, LWC, Aura, Visualforce) is shown
//! as grouped line hunks (from `similar`), its `-meta.xml` as XML.
//!
//! The drift engine calls [`diff_component`] for every changed component and
//! [`summarize`] for one-line descriptions; both are pure and allocation-light enough to
//! diff a 5 MB profile in milliseconds.

mod dom;
mod hash;
mod matching;
mod parse;
mod summary;
#[cfg(test)]
mod tests;
mod text;
mod tree;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::registry::{self, Layout, MetadataType};
use dom::Doc;

pub use summary::{describe, summarize};

/// What happened to an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EditKind {
    Added,
    Removed,
    Changed,
    /// The same entries in another order (`before`/`after` list their keys in each order).
    Reordered,
}

/// One difference inside an XML document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ElementEdit {
    /// Readable location without the root element: `fieldPermissions[Account.Industry].editable`,
    /// `layoutSections[Description].layoutColumns[#1].layoutItems[Title__c]`. Keyed entries
    /// show their key in brackets; entries without any identity show `#position` (1-based).
    pub path: String,
    pub kind: EditKind,
    /// Old value: text of a leaf, an XML fragment of a whole element, or for
    /// [`EditKind::Reordered`] the keys in the old order.
    pub before: Option<String>,
    /// New value, same forms as `before`.
    pub after: Option<String>,
}

impl std::fmt::Display for ElementEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let one_line = |s: &Option<String>| {
            let s = s.as_deref().unwrap_or("");
            if s.contains('\n') || s.chars().count() > 80 {
                format!("({} chars)", s.chars().count())
            } else {
                s.to_owned()
            }
        };
        match self.kind {
            EditKind::Added => write!(f, "{}: added", self.path),
            EditKind::Removed => write!(f, "{}: removed", self.path),
            EditKind::Changed => write!(
                f,
                "{}: {} → {}",
                self.path,
                one_line(&self.before),
                one_line(&self.after)
            ),
            EditKind::Reordered => write!(f, "{}: reordered", self.path),
        }
    }
}

/// A group of changed lines with up to 3 lines of context, like a unified-diff hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LineHunk {
    /// First old line (1-based; 0 when the old side is empty).
    pub old_start: usize,
    pub old_len: usize,
    /// First new line (1-based; 0 when the new side is empty).
    pub new_start: usize,
    pub new_len: usize,
    /// Each line starts with `+` (added), `-` (removed) or a space (context); no newline.
    pub lines: Vec<String>,
}

/// Whether a file of a component exists on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileStatus {
    Added,
    Removed,
    Changed,
}

/// How one file differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum FileBody {
    /// Text (code, or any file added/removed as a whole): line hunks.
    Lines { hunks: Vec<LineHunk> },
    /// An XML file present on both sides (`-meta.xml`): element edits.
    Xml {
        edits: Vec<ElementEdit>,
        reordered_hidden: usize,
    },
    /// Not text: only "it changed".
    Binary,
}

/// One file of a multi-file component that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FileDiff {
    /// mdapi path, e.g. `classes/PropertyController.cls`.
    pub path: String,
    pub status: FileStatus,
    pub body: FileBody,
}

/// The semantic difference of one component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum ComponentDiff {
    /// A component made of one XML file (Profile, Layout, CustomObject, ...).
    Xml {
        edits: Vec<ElementEdit>,
        /// Order-only changes not shown (see [`DiffOptions::show_reordered`]).
        reordered_hidden: usize,
    },
    /// A component with code or several files (ApexClass `.cls` + `.cls-meta.xml`, LWC and
    /// Aura bundles, ...): one entry per file that differs, in path order.
    Code { files: Vec<FileDiff> },
    /// A component made only of binary files.
    Binary { changed: bool },
}

impl ComponentDiff {
    /// No visible difference (hidden reorderings do not count).
    pub fn is_empty(&self) -> bool {
        self.change_count() == 0
    }

    /// Visible changes: element edits, changed lines (`+`/`-`) and changed binary files.
    pub fn change_count(&self) -> usize {
        match self {
            ComponentDiff::Xml { edits, .. } => edits.len(),
            ComponentDiff::Code { files } => files
                .iter()
                .map(|f| match &f.body {
                    FileBody::Lines { hunks } => hunks
                        .iter()
                        .flat_map(|h| &h.lines)
                        .filter(|l| !l.starts_with(' '))
                        .count(),
                    FileBody::Xml { edits, .. } => edits.len(),
                    FileBody::Binary => 1,
                })
                .sum(),
            ComponentDiff::Binary { changed } => usize::from(*changed),
        }
    }

    /// Order-only changes that were hidden.
    pub fn reordered_hidden(&self) -> usize {
        match self {
            ComponentDiff::Xml {
                reordered_hidden, ..
            } => *reordered_hidden,
            ComponentDiff::Code { files } => files
                .iter()
                .map(|f| match &f.body {
                    FileBody::Xml {
                        reordered_hidden, ..
                    } => *reordered_hidden,
                    _ => 0,
                })
                .sum(),
            ComponentDiff::Binary { .. } => 0,
        }
    }

    /// Every element edit, including those of `-meta.xml` files of code components.
    pub fn edits(&self) -> Vec<&ElementEdit> {
        match self {
            ComponentDiff::Xml { edits, .. } => edits.iter().collect(),
            ComponentDiff::Code { files } => files
                .iter()
                .flat_map(|f| match &f.body {
                    FileBody::Xml { edits, .. } => edits.as_slice(),
                    _ => &[],
                })
                .collect(),
            ComponentDiff::Binary { .. } => Vec::new(),
        }
    }
}

/// Choices for [`diff_component`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffOptions {
    /// Also list order-only changes of collections whose order does not matter (they are
    /// counted in `reordered_hidden` otherwise). Ordered collections always show them.
    pub show_reordered: bool,
}

/// Compares the files of one component (`(mdapi path, content)`, as stored in a snapshot).
///
/// Files are paired by path (a single file on each side is paired whatever its path). XML
/// is compared element by element with the collection rules of `type_name` (unknown types
/// still compare, with every repeated element treated as an unordered set); text as lines;
/// anything else as bytes. Errors only when a file that must be XML is not well-formed.
pub fn diff_component(
    type_name: &str,
    before: &[(String, Vec<u8>)],
    after: &[(String, Vec<u8>)],
    options: &DiffOptions,
) -> Result<ComponentDiff> {
    let ty = registry::by_name(type_name);
    let rules = tree::Rules::for_type(type_name);
    let kind_of = |(path, bytes): &(String, Vec<u8>)| classify(ty, path, bytes);
    let all_xml = before.iter().chain(after).all(|f| kind_of(f) == Kind::Xml);
    if before.len() <= 1 && after.len() <= 1 && all_xml {
        let (edits, reordered_hidden) = match (before.first(), after.first()) {
            (Some(a), Some(b)) => xml_edits(&rules, a, b, options)?,
            (None, Some(b)) => (vec![whole(EditKind::Added, &parse(b, &as_text(&b.1))?)], 0),
            (Some(a), None) => (
                vec![whole(EditKind::Removed, &parse(a, &as_text(&a.1))?)],
                0,
            ),
            (None, None) => (Vec::new(), 0),
        };
        return Ok(ComponentDiff::Xml {
            edits,
            reordered_hidden,
        });
    }
    if before
        .iter()
        .chain(after)
        .all(|f| kind_of(f) == Kind::Binary)
    {
        return Ok(ComponentDiff::Binary {
            changed: by_path(before) != by_path(after),
        });
    }
    let mut pairs: BTreeMap<&str, (Option<&NamedFile>, Option<&NamedFile>)> = BTreeMap::new();
    for f in before {
        pairs.entry(f.0.as_str()).or_default().0 = Some(f);
    }
    for f in after {
        pairs.entry(f.0.as_str()).or_default().1 = Some(f);
    }
    let mut files = Vec::new();
    for (path, pair) in pairs {
        let (status, body) = match pair {
            (Some(a), Some(b)) => {
                if a.1 == b.1 {
                    continue;
                }
                let body = match (kind_of(a), kind_of(b)) {
                    (Kind::Xml, Kind::Xml) => {
                        let (edits, reordered_hidden) = xml_edits(&rules, a, b, options)?;
                        if edits.is_empty() && reordered_hidden == 0 {
                            continue;
                        }
                        FileBody::Xml {
                            edits,
                            reordered_hidden,
                        }
                    }
                    (Kind::Binary, _) | (_, Kind::Binary) => FileBody::Binary,
                    _ => {
                        let hunks = text::line_hunks(&as_text(&a.1), &as_text(&b.1));
                        if hunks.is_empty() {
                            continue;
                        }
                        FileBody::Lines { hunks }
                    }
                };
                (FileStatus::Changed, body)
            }
            (None, Some(b)) => (FileStatus::Added, whole_file(kind_of(b), "", &b.1)),
            (Some(a), None) => (FileStatus::Removed, whole_file(kind_of(a), &a.1, "")),
            (None, None) => continue,
        };
        files.push(FileDiff {
            path: path.to_owned(),
            status,
            body,
        });
    }
    Ok(ComponentDiff::Code { files })
}

/// Combined size above which the two sides of an XML diff are parsed on two threads.
const PARALLEL_PARSE_BYTES: usize = 512 * 1024;

/// One file of a component: (mdapi path, content).
type NamedFile = (String, Vec<u8>);

/// How a file is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xml,
    Text,
    Binary,
}

fn classify(ty: Option<&MetadataType>, path: &str, bytes: &[u8]) -> Kind {
    // XML by name needs no scan of the content (a 5 MB profile is read once, by the parser).
    let main_xml = ty.is_some_and(|t| {
        matches!(t.layout, Layout::Plain | Layout::Decomposed)
            && t.suffix
                .is_some_and(|s| path.rsplit_once('.').is_some_and(|(_, ext)| ext == s))
    });
    if path.ends_with(".xml") || main_xml {
        return Kind::Xml;
    }
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'));
    let Some(text) = text else {
        return Kind::Binary;
    };
    let sniffed = ty.is_none()
        && text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with("<?xml");
    if sniffed { Kind::Xml } else { Kind::Text }
}

fn by_path(files: &[(String, Vec<u8>)]) -> BTreeMap<&str, &[u8]> {
    files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect()
}

fn as_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    // The strict check is several times faster than the lossy one on valid input.
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn parse<'a>((path, _): &(String, Vec<u8>), text: &'a str) -> Result<Doc<'a>> {
    Doc::parse(text, path)
}

fn xml_edits(
    rules: &tree::Rules,
    a: &(String, Vec<u8>),
    b: &(String, Vec<u8>),
    options: &DiffOptions,
) -> Result<(Vec<ElementEdit>, usize)> {
    if a.1 == b.1 {
        return Ok((Vec::new(), 0));
    }
    // Large documents are decoded and parsed side by side: parsing is most of the work.
    let (ta, tb) = if a.1.len() + b.1.len() > PARALLEL_PARSE_BYTES {
        std::thread::scope(|scope| {
            let left = scope.spawn(|| as_text(&a.1));
            let right = as_text(&b.1);
            (join(left), right)
        })
    } else {
        (as_text(&a.1), as_text(&b.1))
    };
    let (da, db) = if ta.len() + tb.len() > PARALLEL_PARSE_BYTES {
        std::thread::scope(|scope| {
            let left = scope.spawn(|| parse(a, &ta));
            let right = parse(b, &tb);
            (join(left), right)
        })
    } else {
        (parse(a, &ta), parse(b, &tb))
    };
    Ok(tree::diff_documents(rules, &da?, &db?, options))
}

/// The result of a scoped thread (its panic, if any, goes on in this one).
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// A whole document added or removed.
fn whole(kind: EditKind, doc: &Doc<'_>) -> ElementEdit {
    let root = doc.root();
    let text = Some(doc.render(root));
    let (before, after) = match kind {
        EditKind::Removed => (text, None),
        _ => (None, text),
    };
    ElementEdit {
        path: doc.name(root).to_owned(),
        kind,
        before,
        after,
    }
}

/// A file added (`old` empty) or removed (`new` empty) as a whole.
fn whole_file(kind: Kind, old: impl AsRef<[u8]>, new: impl AsRef<[u8]>) -> FileBody {
    match kind {
        Kind::Binary => FileBody::Binary,
        Kind::Xml | Kind::Text => FileBody::Lines {
            hunks: text::line_hunks(&as_text(old.as_ref()), &as_text(new.as_ref())),
        },
    }
}
