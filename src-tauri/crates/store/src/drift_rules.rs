//! Drift ignore rules, saved per workspace (this database).
//!
//! Drift between real orgs is full of noise a team decides not to review (login IP ranges,
//! API versions, a managed package's components). A rule names that noise once; the engine
//! applies the rules in every comparison and reports how many changes they hid, so nothing
//! hides silently. The store only keeps the rules; matching lives in the engine.

use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Context, Error, Result};
use crate::jobs::now_ms;

/// What a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DriftRuleKind {
    /// Every component of the types matching `pattern` (a glob such as `Translations`).
    Type,
    /// Components whose full name matches `pattern` (a glob such as `ns__*`).
    Name,
    /// Elements whose path matches `pattern` (such as `loginIpRanges` or `*.apiVersion`):
    /// a change only in such elements is ignored.
    Element,
}

impl DriftRuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftRuleKind::Type => "type",
            DriftRuleKind::Name => "name",
            DriftRuleKind::Element => "element",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "type" => Some(DriftRuleKind::Type),
            "name" => Some(DriftRuleKind::Name),
            "element" => Some(DriftRuleKind::Element),
            _ => None,
        }
    }
}

/// A rule to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewDriftRule {
    pub kind: DriftRuleKind,
    /// Only components of this type (for name and element rules); `None` = any type.
    pub type_name: Option<String>,
    pub pattern: String,
    /// Why the team ignores it, shown beside the rule.
    #[serde(default)]
    pub note: String,
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DriftRule {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: DriftRuleKind,
    pub type_name: Option<String>,
    pub pattern: String,
    pub note: String,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<DriftRule> {
    let kind: String = row.get(1)?;
    Ok(DriftRule {
        id: row.get(0)?,
        // The CHECK constraint keeps other values out; treat a stray one as a name rule.
        kind: DriftRuleKind::parse(&kind).unwrap_or(DriftRuleKind::Name),
        type_name: row.get(2)?,
        pattern: row.get(3)?,
        note: row.get(4)?,
        created_at: row.get(5)?,
    })
}

/// Every rule, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<DriftRule>> {
    conn.prepare_cached(
        "SELECT id, kind, type_name, pattern, note, created_at FROM drift_ignore_rules ORDER BY id",
    )
    .and_then(|mut stmt| stmt.query_map([], from_row)?.collect())
    .context("reading drift ignore rules")
}

/// Saves a rule. An empty pattern is refused (it would match nothing or everything).
pub fn add(conn: &Connection, rule: &NewDriftRule) -> Result<DriftRule> {
    let pattern = rule.pattern.trim();
    if pattern.is_empty() {
        return Err(Error::InvalidDriftRule(
            "the pattern is empty; give a type, a name glob or an element path".into(),
        ));
    }
    let type_name = rule
        .type_name
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    conn.execute(
        "INSERT INTO drift_ignore_rules (kind, type_name, pattern, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![rule.kind.as_str(), type_name, pattern, rule.note, now_ms()],
    )
    .context("saving a drift ignore rule")?;
    let id = conn.last_insert_rowid();
    conn.query_row(
        "SELECT id, kind, type_name, pattern, note, created_at FROM drift_ignore_rules WHERE id = ?1",
        [id],
        from_row,
    )
    .context("reading a drift ignore rule")
}

/// Deletes rule `id`; false when there was no such rule.
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    let n = conn
        .execute("DELETE FROM drift_ignore_rules WHERE id = ?1", [id])
        .context("deleting a drift ignore rule")?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_added_listed_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("db.sqlite")).unwrap();
        let conn = store.conn();
        assert!(list(&conn).unwrap().is_empty());
        let a = add(
            &conn,
            &NewDriftRule {
                kind: DriftRuleKind::Element,
                type_name: Some("Profile".into()),
                pattern: " loginIpRanges ".into(),
                note: "differs per org".into(),
            },
        )
        .unwrap();
        assert_eq!(a.pattern, "loginIpRanges");
        assert_eq!(a.type_name.as_deref(), Some("Profile"));
        let b = add(
            &conn,
            &NewDriftRule {
                kind: DriftRuleKind::Type,
                type_name: Some("  ".into()),
                pattern: "Translations".into(),
                note: String::new(),
            },
        )
        .unwrap();
        assert_eq!(b.type_name, None);
        assert_eq!(list(&conn).unwrap(), vec![a.clone(), b.clone()]);
        assert!(delete(&conn, a.id).unwrap());
        assert!(!delete(&conn, a.id).unwrap());
        assert_eq!(list(&conn).unwrap(), vec![b]);
        let empty = NewDriftRule {
            kind: DriftRuleKind::Name,
            type_name: None,
            pattern: "  ".into(),
            note: String::new(),
        };
        assert!(matches!(
            add(&conn, &empty),
            Err(Error::InvalidDriftRule(_))
        ));
    }
}
