//! One component's semantic diff ([`orgfleet_metadata::diff`]) between two sides: element
//! edits for XML, line hunks for code. Used for the one-line summaries of a report, the
//! drill-down of the Drift page and matrix cells, and the detail of the HTML review report.

use std::collections::BTreeMap;

use orgfleet_metadata::children::split_child_name;
use orgfleet_metadata::diff::{
    ComponentDiff, DiffOptions, FileBody, FileStatus, diff_component, summarize,
};
use orgfleet_metadata::registry;

use crate::Engine;
use crate::drift::{ChangeKind, DriftReport, DriftSide};
use crate::drift_report::ReviewDetails;
use crate::drift_side::{FileList, Loaded};
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
        let left = self.load_side(&left)?;
        let right = self.load_side(&right)?;
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

    /// Detail lines (element edits, code hunks) for every change of `report`, for
    /// [`crate::drift_report::to_html`]. Additions and removals get none (their summary
    /// says it all); long diffs are cut with a line saying how much was left out.
    pub fn review_details(&self, report: &DriftReport) -> Result<ReviewDetails> {
        let left = self.load_side(&report.left.side)?;
        let right = self.load_side(&report.right.side)?;
        let mut out = BTreeMap::new();
        for c in report
            .changes
            .iter()
            .filter(|c| c.change == ChangeKind::Changed)
        {
            let before = component_files(self, &left, &c.type_name, &c.full_name)?;
            let after = component_files(self, &right, &c.type_name, &c.full_name)?;
            let (Some(before), Some(after)) = (before, after) else {
                continue;
            };
            let Ok(diff) = diff_component(&c.type_name, &before, &after, &DiffOptions::default())
            else {
                continue;
            };
            out.insert(
                (c.type_name.clone(), c.full_name.clone()),
                detail_lines(&diff),
            );
        }
        Ok(out)
    }
}

/// A one-line summary of a changed component, or None when it cannot be diffed.
pub(crate) fn semantic_summary(
    type_name: &str,
    full_name: &str,
    before: &FileList,
    after: &FileList,
) -> Option<String> {
    let diff = diff_component(type_name, before, after, &DiffOptions::default()).ok()?;
    Some(summarize(type_name, full_name, &diff))
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
    let (children, _) = crate::drift::split_children(parent.name, &parent_name, &files);
    Ok(children
        .get(&(type_name.to_owned(), full_name.to_owned()))
        .map(|bytes| vec![crate::drift::child_file(type_name, full_name, bytes)]))
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
