//! Debug log text, as Salesforce writes it: a header line with the API version and the
//! category levels, the `Execute Anonymous:` echo, then `HH:MM:SS.s (nanos)|EVENT|...` lines
//! filtered by the levels of the DebugLevel (TraceFlag) or the SOAP DebuggingHeader.

use time::OffsetDateTime;

use crate::apex::{Category, Outcome};

/// Salesforce's log levels, lowest to highest verbosity.
pub const LEVELS: &[&str] = &[
    "NONE", "ERROR", "WARN", "INFO", "DEBUG", "FINE", "FINER", "FINEST",
];

/// Levels per category (DebugLevel fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    pub apex_code: String,
    pub apex_profiling: String,
    pub callout: String,
    pub db: String,
    pub nba: String,
    pub system: String,
    pub validation: String,
    pub visualforce: String,
    pub wave: String,
    pub workflow: String,
}

impl Default for Levels {
    fn default() -> Self {
        let info = || "INFO".to_owned();
        Self {
            apex_code: "DEBUG".into(),
            apex_profiling: info(),
            callout: info(),
            db: info(),
            nba: info(),
            system: "DEBUG".into(),
            validation: info(),
            visualforce: info(),
            wave: info(),
            workflow: info(),
        }
    }
}

pub fn rank(level: &str) -> usize {
    LEVELS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(level))
        .unwrap_or(0)
}

impl Levels {
    pub fn all(level: &str) -> Self {
        let l = || level.to_owned();
        Self {
            apex_code: l(),
            apex_profiling: l(),
            callout: l(),
            db: l(),
            nba: l(),
            system: l(),
            validation: l(),
            visualforce: l(),
            wave: l(),
            workflow: l(),
        }
    }

    /// From a DebugLevel row (`ApexCode`, `Database`, ...).
    pub fn from_debug_level(row: &serde_json::Map<String, serde_json::Value>) -> Self {
        let get = |k: &str| {
            row.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("INFO")
                .to_ascii_uppercase()
        };
        Self {
            apex_code: get("ApexCode"),
            apex_profiling: get("ApexProfiling"),
            callout: get("Callout"),
            db: get("Database"),
            nba: get("Nba"),
            system: get("System"),
            validation: get("Validation"),
            visualforce: get("Visualforce"),
            wave: get("Wave"),
            workflow: get("Workflow"),
        }
    }

    /// From the SOAP `DebuggingHeader`: `debugLevel` (LogType) then `categories` overrides.
    pub fn from_debugging_header(debug_level: &str, categories: &[(String, String)]) -> Self {
        let mut l = match debug_level.to_ascii_lowercase().as_str() {
            "none" | "" => Levels::all("NONE"),
            "debugonly" => Levels {
                apex_code: "DEBUG".into(),
                ..Levels::all("NONE")
            },
            "db" => Levels {
                apex_code: "DEBUG".into(),
                db: "FINEST".into(),
                ..Levels::all("NONE")
            },
            "profiling" => Levels {
                apex_code: "DEBUG".into(),
                db: "INFO".into(),
                apex_profiling: "FINEST".into(),
                ..Levels::all("NONE")
            },
            "callout" => Levels {
                apex_code: "DEBUG".into(),
                db: "INFO".into(),
                callout: "FINEST".into(),
                ..Levels::all("NONE")
            },
            _ => Levels::all("FINEST"),
        };
        for (cat, level) in categories {
            let level = level.to_ascii_uppercase();
            let slot = match cat.to_ascii_lowercase().as_str() {
                "db" => &mut l.db,
                "workflow" => &mut l.workflow,
                "validation" => &mut l.validation,
                "callout" => &mut l.callout,
                "apex_code" => &mut l.apex_code,
                "apex_profiling" => &mut l.apex_profiling,
                "visualforce" => &mut l.visualforce,
                "system" => &mut l.system,
                "all" => {
                    l = Levels::all(&level);
                    continue;
                }
                _ => continue,
            };
            *slot = level;
        }
        l
    }

    fn header(&self) -> String {
        format!(
            "APEX_CODE,{};APEX_PROFILING,{};CALLOUT,{};DB,{};NBA,{};SYSTEM,{};VALIDATION,{};VISUALFORCE,{};WAVE,{};WORKFLOW,{}",
            self.apex_code,
            self.apex_profiling,
            self.callout,
            self.db,
            self.nba,
            self.system,
            self.validation,
            self.visualforce,
            self.wave,
            self.workflow
        )
    }

    fn of(&self, c: Category) -> &str {
        match c {
            Category::ApexCode => &self.apex_code,
            Category::ApexProfiling => &self.apex_profiling,
            Category::Db => &self.db,
            Category::System => &self.system,
        }
    }
}

fn push_line(out: &mut String, start: OffsetDateTime, nanos: u64, event: &str) {
    out.push_str(&stamp(start, nanos));
    out.push('|');
    out.push_str(event);
    out.push('\n');
}

fn stamp(start: OffsetDateTime, nanos: u64) -> String {
    let t = start + time::Duration::nanoseconds(nanos as i64);
    format!(
        "{:02}:{:02}:{:02}.{} ({nanos})",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond() / 100
    )
}

/// Renders the log of one anonymous run. `api_version` like `63.0`.
pub fn render(
    api_version: &str,
    levels: &Levels,
    code: &str,
    user: (&str, &str),
    outcome: &Outcome,
    start: OffsetDateTime,
) -> String {
    let mut out = format!("{api_version} {}\n", levels.header());
    for line in code.lines() {
        out.push_str(&format!("Execute Anonymous: {line}\n"));
    }
    if !outcome.compiled {
        return out;
    }

    push_line(
        &mut out,
        start,
        100_000,
        &format!(
            "USER_INFO|[EXTERNAL]|{}|{}|(GMT+00:00) Coordinated Universal Time (GMT)|GMT+00:00",
            user.0, user.1
        ),
    );
    push_line(&mut out, start, 200_000, "EXECUTION_STARTED");
    push_line(
        &mut out,
        start,
        300_000,
        "CODE_UNIT_STARTED|[EXTERNAL]|execute_anonymous_apex",
    );
    let mut last = 300_000;
    for e in &outcome.events {
        if rank(levels.of(e.category)) >= rank(e.level) && rank(levels.of(e.category)) > 0 {
            push_line(
                &mut out,
                start,
                e.nanos,
                &format!("{}|{}", e.name, e.detail),
            );
        }
        last = last.max(e.nanos);
    }
    let u = &outcome.usage;
    if u.log_truncated {
        out.push_str("*********** MAXIMUM DEBUG LOG SIZE REACHED ***********\n");
    }
    if rank(&levels.apex_profiling) >= rank("INFO") {
        push_line(&mut out, start, last + 100_000, "CUMULATIVE_LIMIT_USAGE");
        push_line(
            &mut out,
            start,
            last + 110_000,
            &format!(
                "LIMIT_USAGE_FOR_NS|(default)|\n  Number of SOQL queries: {} out of 100\n  Number of query rows: {} out of 50000\n  Number of SOSL queries: 0 out of 20\n  Number of DML statements: {} out of 150\n  Number of Publish Immediate DML: 0 out of 150\n  Number of DML rows: {} out of 10000\n  Maximum CPU time: {} out of 10000\n  Maximum heap size: 0 out of 6000000\n  Number of callouts: 0 out of 100\n  Number of Email Invocations: 0 out of 10\n  Number of future calls: 0 out of 50\n  Number of queueable jobs added to the queue: 0 out of 50\n  Number of Mobile Apex push calls: 0 out of 10\n",
                u.soql_queries,
                u.query_rows,
                u.dml_statements,
                u.dml_rows,
                u.statements / 1000
            ),
        );
        push_line(
            &mut out,
            start,
            last + 120_000,
            "CUMULATIVE_LIMIT_USAGE_END\n",
        );
    }
    push_line(
        &mut out,
        start,
        last + 200_000,
        "CODE_UNIT_FINISHED|execute_anonymous_apex",
    );
    push_line(&mut out, start, last + 300_000, "EXECUTION_FINISHED");
    out
}

/// `2020-10-13T05:39:43.000+0000` for `t`.
pub fn rest_time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debugging_header_levels() {
        let l = Levels::from_debugging_header("DEBUGONLY", &[]);
        assert_eq!((l.apex_code.as_str(), l.db.as_str()), ("DEBUG", "NONE"));
        let l = Levels::from_debugging_header(
            "None",
            &[
                ("Apex_code".into(), "Finest".into()),
                ("Db".into(), "Info".into()),
            ],
        );
        assert_eq!(
            (l.apex_code.as_str(), l.db.as_str(), l.system.as_str()),
            ("FINEST", "INFO", "NONE")
        );
        let l = Levels::from_debugging_header("Detail", &[("All".into(), "Warn".into())]);
        assert_eq!(l, Levels::all("WARN"));
        assert!(rank("FINEST") > rank("DEBUG") && rank("NONE") == 0);
    }
}
