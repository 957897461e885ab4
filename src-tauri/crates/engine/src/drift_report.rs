//! Drift reports on disk: JSON and CSV for tools, and a self-contained HTML review report
//! for teams doing pre-release reviews.
//!
//! The HTML page must open offline in any browser, attached to a ticket or an e-mail, years
//! later: inline CSS, no script, no external asset, every piece of metadata text escaped
//! (component names and file content come from orgs and projects, i.e. from anyone).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::drift::{ChangeKind, ComponentChange, DriftReport};
use crate::error::{Error, Result};
pub use crate::snapshot_io::write_atomically;

/// The file formats a drift report can be saved in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReportFormat {
    /// The self-contained review page.
    Html,
    Json,
    Csv,
}

impl Engine {
    /// Writes `report` to `dest` in `format` (atomically: an interrupted write leaves no
    /// half file); the HTML page carries each change's semantic diff.
    pub fn write_drift_report(
        &self,
        report: &DriftReport,
        format: ReportFormat,
        dest: &Path,
    ) -> Result<PathBuf> {
        let bytes = match format {
            ReportFormat::Html => to_html(report, &self.review_details(report)?).into_bytes(),
            ReportFormat::Json => to_json(report)
                .map_err(|e| Error::InvalidInput(format!("cannot encode the report: {e}")))?
                .into_bytes(),
            ReportFormat::Csv => to_csv(report).into_bytes(),
        };
        write_atomically(dest, &bytes)
    }
}

/// Per component (type, full name): detail lines shown under it in the HTML report (element
/// edits such as `fieldPermissions[Account.Industry].editable: true → false`, or code diff
/// lines starting with `+`, `-` or a space).
pub type ReviewDetails = BTreeMap<(String, String), Vec<String>>;

/// The report as pretty JSON (the same shape the app receives).
pub fn to_json(report: &DriftReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report)
}

/// A package.xml naming `components` ((type, full name) pairs, children such as
/// `CustomField Account.Industry__c` included): how a selection of drifted components is
/// handed to a deploy, ours or any other tool's.
pub fn package_xml(components: &[(String, String)], api_version: Option<&str>) -> String {
    let mut manifest = orgfleet_metadata::package_xml::Manifest::new(api_version);
    for (type_name, full_name) in components {
        manifest.add(type_name, full_name);
    }
    manifest.to_element().to_document()
}

/// One row per change, then one per ignored change (with the rule that hid it).
pub fn to_csv(report: &DriftReport) -> String {
    let mut out = String::from("type,full_name,label,change,risks,summary,ignored_by_rule\n");
    for c in &report.changes {
        let risks: Vec<&str> = c.risks.iter().map(|r| r.as_str()).collect();
        let row = [
            csv_field(&c.type_name),
            csv_field(&c.full_name),
            csv_field(c.label.as_deref().unwrap_or_default()),
            c.change.as_str().to_owned(),
            csv_field(&risks.join(";")),
            csv_field(&c.summary),
            String::new(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    for i in &report.ignored {
        let row = [
            csv_field(&i.type_name),
            csv_field(&i.full_name),
            String::new(),
            i.change.as_str().to_owned(),
            String::new(),
            String::new(),
            i.rule_id.to_string(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet
/// does not run a component name as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#1f2937}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #e5e7eb;padding-bottom:.2em}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25em .6em;border-bottom:1px solid #f3f4f6;vertical-align:top}\
th{background:#f9fafb}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.added{color:#047857}.removed{color:#b91c1c}.changed{color:#b45309}\
.risk{display:inline-block;font-size:.75em;padding:0 .45em;margin-right:.3em;border-radius:.6em;background:#fee2e2;color:#991b1b}\
.c{margin:.6em 0;padding:.4em .6em;border:1px solid #e5e7eb;border-radius:.4em}.name{font-family:ui-monospace,monospace;font-weight:600}\
pre{background:#f9fafb;padding:.5em;overflow-x:auto;font-size:.85em;margin:.4em 0 0}pre .a{color:#047857}pre .d{color:#b91c1c}\
.muted{color:#6b7280}";

/// The self-contained HTML review page.
pub fn to_html(report: &DriftReport, details: &ReviewDetails) -> String {
    let mut h = String::new();
    let e = escape_html;
    let (added, removed, changed) = totals(report);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Drift review: {} → {}</title><style>{STYLE}</style></head><body>\n",
        e(&report.left.description),
        e(&report.right.description)
    );
    let _ = writeln!(
        h,
        "<h1>Drift review</h1><p><b>{}</b></p><p><b>Left:</b> {}<br><b>Right:</b> {}</p>\
         <p><span class=\"added\">{added} added</span> · <span class=\"removed\">{removed} removed</span> · \
         <span class=\"changed\">{changed} changed</span> · <span class=\"muted\">{} ignored by rules</span></p>",
        e(&report.headline),
        e(&report.left.description),
        e(&report.right.description),
        report.ignored_count
    );
    if report.changes.is_empty() {
        h.push_str("<p>No drift: both sides hold the same metadata.</p>\n");
    }
    h.push_str(
        "<h2>Summary by type</h2><table><tr><th>Type</th><th>Added</th><th>Removed</th>\
         <th>Changed</th><th>Unchanged</th><th>Only reordered</th><th>Ignored</th></tr>\n",
    );
    for t in &report.types {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            e(&t.type_name),
            t.added,
            t.removed,
            t.changed,
            t.unchanged,
            t.reordered,
            t.ignored
        );
    }
    h.push_str("</table>\n");
    let mut by_type: BTreeMap<&str, Vec<&ComponentChange>> = BTreeMap::new();
    for c in &report.changes {
        by_type.entry(&c.type_name).or_default().push(c);
    }
    for (type_name, changes) in by_type {
        let _ = writeln!(h, "<h2>{} ({})</h2>", e(type_name), changes.len());
        for c in changes {
            component_html(&mut h, c, details);
        }
    }
    if !report.ignored.is_empty() {
        h.push_str("<h2>Ignored by rules</h2><table><tr><th>Type</th><th>Name</th><th>Change</th><th>Rule</th></tr>\n");
        for i in &report.ignored {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                e(&i.type_name),
                e(&i.full_name),
                i.change.as_str(),
                i.rule_id
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<p class=\"muted\">Generated by Orgfleet.</p></body></html>\n");
    h
}

fn component_html(h: &mut String, c: &ComponentChange, details: &ReviewDetails) {
    let e = escape_html;
    let class = c.change.as_str();
    let _ = write!(
        h,
        "<div class=\"c\"><span class=\"{class}\">{class}</span> <span class=\"name\">{}</span> ",
        e(&c.full_name)
    );
    if let Some(label) = &c.label {
        let _ = write!(h, "<span class=\"muted\">{}</span> ", e(label));
    }
    for r in &c.risks {
        let _ = write!(
            h,
            "<span class=\"risk\">{}</span>",
            r.as_str().replace('_', " ")
        );
    }
    let _ = write!(h, "<div class=\"muted\">{}</div>", e(&c.summary));
    if let Some(lines) = details.get(&(c.type_name.clone(), c.full_name.clone()))
        && !lines.is_empty()
    {
        h.push_str("<pre>");
        for line in lines {
            let class = match line.chars().next() {
                Some('+') => " class=\"a\"",
                Some('-') => " class=\"d\"",
                _ => "",
            };
            let _ = writeln!(h, "<span{class}>{}</span>", e(line));
        }
        h.push_str("</pre>");
    }
    h.push_str("</div>\n");
}

fn totals(report: &DriftReport) -> (usize, usize, usize) {
    let n = |k: ChangeKind| report.changes.iter().filter(|c| c.change == k).count();
    (
        n(ChangeKind::Added),
        n(ChangeKind::Removed),
        n(ChangeKind::Changed),
    )
}

/// Unix milliseconds → `2026-11-22 10:04 UTC`.
pub fn utc_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_dates_and_escapes() {
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(1_795_000_000_000), "2026-11-18 11:06 UTC");
        assert_eq!(
            escape_html("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }
}
