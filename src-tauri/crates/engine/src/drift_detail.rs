//! One component's semantic diff ([`orgfleet_metadata::diff`]) between two sides: element
//! edits for XML, line hunks for code. Used for the drill-down of the Drift page and matrix
//! cells, the whole review at once, and the detail of the HTML review report.

use std::collections::HashMap;

use orgfleet_metadata::children::split_child_name;
use orgfleet_metadata::diff::{ComponentDiff, DiffOptions, FileBody, FileStatus, diff_component};
use orgfleet_metadata::registry;

use crate::Engine;
use crate::drift::{ChangeKind, ComponentChange, DriftReport, DriftSide};
use crate::drift_compare::{Children, child_file, split_children};
use crate::drift_parallel::map_components;
use crate::drift_report::ReviewDetails;
use crate::drift_side::{FileList, Loaded, ReadFiles};
use crate::error::{Error, Result};

/// One component on both sides, as [`Engine::component_detail`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDetail {
    pub diff: ComponentDiff,
    /// The component's files on the left, None when only the right has it.
    pub left: Option<FileList>,
    pub right: Option<FileList>,
}

/// Lines of detail shown per component in the HTML report at most.
const MAX_DETAIL_LINES: usize = 400;

impl Engine {
    /// The semantic diff of one component (a top-level component, or a child such as
    /// `CustomField Account.Industry`) from `left` to `right`.
    pub fn compare_detail(
        &self,
        left: DriftSide,
        right: DriftSide,
        type_name: &str,
        full_name: &str,
    ) -> Result<ComponentDiff> {
        Ok(self
            .component_detail(left, right, type_name, full_name, &DiffOptions::default())?
            .diff)
    }

    /// One component on both sides: its semantic diff and its files (canonical content;
    /// a child component's file is its element alone), for a side-by-side review.
    pub fn component_detail(
        &self,
        left: DriftSide,
        right: DriftSide,
        type_name: &str,
        full_name: &str,
        options: &DiffOptions,
    ) -> Result<ComponentDetail> {
        let (left, right) = self.load_sides(&left, &right)?;
        let before = component_files(self, &left, type_name, full_name)?;
        let after = component_files(self, &right, type_name, full_name)?;
        if before.is_none() && after.is_none() {
            return Err(Error::InvalidInput(format!(
                "neither side has {type_name} `{full_name}`"
            )));
        }
        let diff = diff_component(
            type_name,
            before.as_deref().unwrap_or_default(),
            after.as_deref().unwrap_or_default(),
            options,
        )?;
        Ok(ComponentDetail {
            diff,
            left: before,
            right: after,
        })
    }

    /// The semantic diff of every change of `report` (added, removed and changed alike), in
    /// the order of `report.changes`: the whole review at once. Each side is loaded once,
    /// each parent is split into its children once per thread, and the work is spread over
    /// a few threads.
    pub fn compare_details(&self, report: &DriftReport) -> Result<Vec<ComponentDiff>> {
        let (left, right) = self.load_sides(&report.left.side, &report.right.side)?;
        map_components(
            self,
            &report.changes,
            |cache: &mut [ParentCache; 2], read, c: &ComponentChange| {
                let before = cache[0].files(read, &left, &c.type_name, &c.full_name)?;
                let after = cache[1].files(read, &right, &c.type_name, &c.full_name)?;
                Ok(diff_component(
                    &c.type_name,
                    before.as_deref().unwrap_or_default(),
                    after.as_deref().unwrap_or_default(),
                    &DiffOptions::default(),
                )?)
            },
        )
    }

    /// Detail lines (element edits, code hunks) for every change of `report`, for
    /// [`crate::drift_report::to_html`]. Additions and removals get none (their summary
    /// says it all); long diffs are cut with a line saying how much was left out.
    pub fn review_details(&self, report: &DriftReport) -> Result<ReviewDetails> {
        let (left, right) = self.load_sides(&report.left.side, &report.right.side)?;
        let changed: Vec<&ComponentChange> = report
            .changes
            .iter()
            .filter(|c| c.change == ChangeKind::Changed)
            .collect();
        let lines = map_components(
            self,
            &changed,
            |cache: &mut [ParentCache; 2], read, c: &&ComponentChange| {
                let before = cache[0].files(read, &left, &c.type_name, &c.full_name)?;
                let after = cache[1].files(read, &right, &c.type_name, &c.full_name)?;
                let (Some(before), Some(after)) = (before, after) else {
                    return Ok(None);
                };
                Ok(
                    diff_component(&c.type_name, &before, &after, &DiffOptions::default())
                        .ok()
                        .map(|diff| detail_lines(&diff)),
                )
            },
        )?;
        Ok(changed
            .iter()
            .zip(lines)
            .filter_map(|(c, lines)| Some(((c.type_name.clone(), c.full_name.clone()), lines?)))
            .collect())
    }
}

/// The files of a component on one side; a child component's files are its element alone.
fn component_files(
    engine: &Engine,
    side: &Loaded,
    type_name: &str,
    full_name: &str,
) -> Result<Option<FileList>> {
    if registry::by_name(type_name).is_some() {
        return side.files(engine, type_name, full_name);
    }
    let Some(parent) = registry::parent_of(type_name) else {
        return side.files(engine, type_name, full_name);
    };
    let Some((parent_name, _)) = split_child_name(type_name, full_name) else {
        return Ok(None);
    };
    let Some(files) = side.files(engine, parent.name, &parent_name)? else {
        return Ok(None);
    };
    let (children, _) = split_children(parent.name, &parent_name, &files);
    Ok(children
        .get(&(type_name.to_owned(), full_name.to_owned()))
        .map(|bytes| vec![child_file(type_name, full_name, bytes)]))
}

/// Children of parents already split, per parent (type, full name): one side's, in one
/// thread.
#[derive(Default)]
struct ParentCache {
    parents: HashMap<(String, String), Option<Children>>,
}

impl ParentCache {
    /// Like [`component_files`], splitting each parent once.
    fn files(
        &mut self,
        read: ReadFiles<'_>,
        side: &Loaded,
        type_name: &str,
        full_name: &str,
    ) -> Result<Option<FileList>> {
        let parent = registry::by_name(type_name)
            .is_none()
            .then(|| registry::parent_of(type_name))
            .flatten();
        let Some(parent) = parent else {
            return side.files_via(read, type_name, full_name);
        };
        let Some((parent_name, _)) = split_child_name(type_name, full_name) else {
            return Ok(None);
        };
        let key = (parent.name.to_owned(), parent_name);
        if !self.parents.contains_key(&key) {
            let children = side
                .files_via(read, parent.name, &key.1)?
                .map(|files| split_children(parent.name, &key.1, &files).0);
            self.parents.insert(key.clone(), children);
        }
        Ok(self.parents[&key].as_ref().and_then(|children| {
            children
                .get(&(type_name.to_owned(), full_name.to_owned()))
                .map(|bytes| vec![child_file(type_name, full_name, bytes)])
        }))
    }
}

fn detail_lines(diff: &ComponentDiff) -> Vec<String> {
    let mut lines = Vec::new();
    match diff {
        ComponentDiff::Xml { edits, .. } => lines.extend(edits.iter().map(ToString::to_string)),
        ComponentDiff::Code { files } => {
            for f in files {
                let status = match f.status {
                    FileStatus::Added => "added",
                    FileStatus::Removed => "removed",
                    FileStatus::Changed => "changed",
                };
                lines.push(format!("@ {} ({status})", f.path));
                match &f.body {
                    FileBody::Lines { hunks } => {
                        for h in hunks {
                            lines.push(format!(
                                "@@ -{},{} +{},{} @@",
                                h.old_start, h.old_len, h.new_start, h.new_len
                            ));
                            lines.extend(h.lines.iter().cloned());
                        }
                    }
                    FileBody::Xml { edits, .. } => {
                        lines.extend(edits.iter().map(ToString::to_string));
                    }
                    FileBody::Binary => lines.push("(binary content differs)".into()),
                }
            }
        }
        ComponentDiff::Binary { .. } => lines.push("(binary content differs)".into()),
    }
    if lines.len() > MAX_DETAIL_LINES {
        let cut = lines.len() - MAX_DETAIL_LINES;
        lines.truncate(MAX_DETAIL_LINES);
        lines.push(format!("… {cut} more line(s)"));
    }
    lines
}
