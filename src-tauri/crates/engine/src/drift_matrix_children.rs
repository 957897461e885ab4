//! Matrix rows below a parent: when a `CustomObject` (or `CustomLabels`, `Workflow`, ...) is
//! not the same in some org, the matrix shows which fields, labels or rules differ, each its
//! own row, instead of one "Account: different" a reviewer has to open to understand.
//!
//! Only parents that differ somewhere are opened (hash equality settles the rest), so the
//! cost stays proportional to the drift. Column counts and conformance stay per top-level
//! component; the rows are the finest grain the registry knows.

use std::collections::{BTreeMap, BTreeSet};

use crate::Engine;
use crate::drift_compare::{child_file, split_children};
use crate::drift_matrix::{CellState, MatrixRow};
use crate::drift_rules::{Rules, equal_without};
use crate::drift_side::{FileList, Loaded};
use crate::error::Result;

/// One side's view of a parent: its children (key → element bytes) and the rest.
struct Split {
    children: BTreeMap<(String, String), Vec<u8>>,
    rest: FileList,
}

/// What [`expand`] produces: the rows that replace the parent's, and how many cells the
/// ignore rules settled.
pub(crate) struct Expanded {
    pub rows: Vec<MatrixRow>,
    pub ignored: i64,
}

/// Rows for parent `key` whose top-level `cells` (one per side) are not all the same and at
/// least one is `Different`: a row for the parent's own content when it differs, and one per
/// child that is not the same everywhere.
pub(crate) fn expand(
    engine: &Engine,
    base: &Loaded,
    sides: &[Loaded],
    key: &(String, String),
    cells: &[CellState],
    rules: &Rules,
) -> Result<Expanded> {
    let (type_name, full_name) = key;
    let open = |side: &Loaded| -> Result<Option<Split>> {
        Ok(side
            .files(engine, type_name, full_name)?
            .map(|files| split(type_name, full_name, &files)))
    };
    let Some(baseline) = open(base)? else {
        return Ok(Expanded {
            rows: Vec::new(),
            ignored: 0,
        });
    };
    let mut opened: Vec<Option<Split>> = Vec::with_capacity(sides.len());
    for (side, cell) in sides.iter().zip(cells) {
        opened.push(if *cell == CellState::Different {
            open(side)?
        } else {
            None
        });
    }

    let mut rows = Vec::new();
    let mut ignored = 0i64;
    let rest_cells: Vec<CellState> = cells
        .iter()
        .zip(&opened)
        .map(|(cell, split)| match (cell, split) {
            (CellState::Different, Some(s)) if s.rest == baseline.rest => CellState::Same,
            (cell, _) => *cell,
        })
        .collect();
    if rest_cells.iter().any(|c| *c != CellState::Same) {
        rows.push(MatrixRow {
            type_name: type_name.clone(),
            full_name: full_name.clone(),
            cells: rest_cells,
        });
    }

    let child_keys: BTreeSet<&(String, String)> = baseline
        .children
        .keys()
        .chain(opened.iter().flatten().flat_map(|s| s.children.keys()))
        .collect();
    for child in child_keys {
        let (child_type, child_name) = child;
        if rules.component_rule(child_type, child_name).is_some() {
            ignored += cells.len() as i64;
            continue;
        }
        let element_rules = rules.element_rules(child_type);
        let in_baseline = baseline.children.get(child);
        let mut child_cells = Vec::with_capacity(cells.len());
        for (cell, split) in cells.iter().zip(&opened) {
            let state = match (cell, split) {
                (CellState::Different, Some(s)) => match (in_baseline, s.children.get(child)) {
                    (Some(a), Some(b)) if a == b => CellState::Same,
                    (Some(a), Some(b))
                        if !element_rules.is_empty()
                            && equal_without(
                                child_type,
                                &vec![child_file(child_type, child_name, a)],
                                &vec![child_file(child_type, child_name, b)],
                                &element_rules,
                            ) =>
                    {
                        ignored += 1;
                        CellState::Same
                    }
                    (Some(_), Some(_)) => CellState::Different,
                    (Some(_), None) => CellState::Missing,
                    (None, Some(_)) => CellState::Extra,
                    (None, None) => CellState::Absent,
                },
                // The parent is identical there, so its children are the baseline's.
                (CellState::Same, _) if in_baseline.is_some() => CellState::Same,
                (CellState::Missing, _) if in_baseline.is_some() => CellState::Missing,
                _ => CellState::Absent,
            };
            child_cells.push(state);
        }
        if child_cells
            .iter()
            .any(|c| !matches!(c, CellState::Same | CellState::Absent))
        {
            rows.push(MatrixRow {
                type_name: child_type.clone(),
                full_name: child_name.clone(),
                cells: child_cells,
            });
        }
    }
    Ok(Expanded { rows, ignored })
}

fn split(type_name: &str, full_name: &str, files: &FileList) -> Split {
    let (children, rest) = split_children(type_name, full_name, files);
    Split { children, rest }
}
