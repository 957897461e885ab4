//! A small, deterministic interpreter for the anonymous-Apex subset that executeAnonymous
//! runs: `System.debug` of expressions, typed locals, if/else and loops, collections and
//! String methods, inline SOQL with binds over the org's record store, DML, exceptions
//! (built-in and custom) and Limits. A block that throws rolls back its DML, as a Salesforce
//! transaction does. Code outside the subset is a compile error with line and column.

mod ast;
mod builtins;
mod calls;
mod check;
mod construct;
mod dates;
mod dml;
mod interp;
mod interp_db;
mod lexer;
mod methods;
mod ops;
mod parse_expr;
mod parser;
#[cfg(test)]
mod tests;
mod thrown;
mod value;

use crate::model::Org;

pub use dml::key_prefix;

/// A compile problem: `compileProblem`, `line`, `column` of ExecuteAnonymousResult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl CompileError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            column,
            message: message.into(),
        }
    }
}

/// Debug-log categories (DebugLevel fields / DebuggingHeader categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    ApexCode,
    ApexProfiling,
    Db,
    System,
}

/// One event of the run, rendered into the debug log by the Tooling layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    /// `USER_DEBUG`, `SOQL_EXECUTE_BEGIN`, ...
    pub name: &'static str,
    /// Text after the event name (without the leading `|`), e.g. `[3]|DEBUG|hello`.
    pub detail: String,
    pub category: Category,
    /// Level the event is logged at: `ERROR`, `WARN`, `INFO`, `DEBUG`, `FINE`, `FINER`, `FINEST`.
    pub level: &'static str,
    /// Nanoseconds since the start of the run (deterministic: a step counter).
    pub nanos: u64,
}

/// Governor usage of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub soql_queries: u32,
    pub query_rows: u32,
    pub dml_statements: u32,
    pub dml_rows: u32,
    pub statements: u64,
    /// The log reached its size limit; later events were dropped.
    pub log_truncated: bool,
}

/// The result of running one anonymous block (fields of ExecuteAnonymousResult + the log).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub compiled: bool,
    pub success: bool,
    /// -1 on success.
    pub line: i64,
    pub column: i64,
    pub compile_problem: Option<String>,
    pub exception_message: Option<String>,
    pub exception_stack_trace: Option<String>,
    pub events: Vec<LogEvent>,
    pub usage: Usage,
}

/// Compiles and runs `code` as `user_id` against `org`'s record store. On an uncaught
/// exception every DML of the block is rolled back.
pub fn execute_anonymous(code: &str, org: &mut Org, user_id: &str) -> Outcome {
    let program = match parser::parse_program(code).and_then(|p| check::check(&p, org).map(|_| p)) {
        Ok(p) => p,
        Err(e) => {
            return Outcome {
                compiled: false,
                success: false,
                line: e.line as i64,
                column: e.column as i64,
                compile_problem: Some(e.message),
                exception_message: None,
                exception_stack_trace: None,
                events: Vec::new(),
                usage: Usage::default(),
            };
        }
    };
    let snapshot = org.records.clone();
    let next_id = org.next_id;
    let mut it = interp::Interp::new(org, user_id);
    let result = it.run(&program);
    let (events, usage) = (it.events, it.usage);
    match result {
        Ok(()) => Outcome {
            compiled: true,
            success: true,
            line: -1,
            column: -1,
            compile_problem: None,
            exception_message: None,
            exception_stack_trace: None,
            events,
            usage,
        },
        Err(thrown) => {
            org.records = snapshot;
            org.next_id = next_id.max(org.next_id);
            Outcome {
                compiled: true,
                success: false,
                line: thrown.pos.line as i64,
                column: thrown.pos.column as i64,
                compile_problem: None,
                exception_message: Some(format!("{}: {}", thrown.type_name, thrown.message)),
                exception_stack_trace: Some(format!(
                    "AnonymousBlock: line {}, column {}",
                    thrown.pos.line, thrown.pos.column
                )),
                events,
                usage,
            }
        }
    }
}

const RESERVED: &[&str] = &[
    "if",
    "else",
    "for",
    "while",
    "do",
    "try",
    "catch",
    "finally",
    "throw",
    "return",
    "break",
    "continue",
    "insert",
    "update",
    "upsert",
    "delete",
    "undelete",
    "new",
    "class",
    "instanceof",
    "true",
    "false",
    "null",
    "public",
    "private",
    "global",
    "static",
    "final",
    "extends",
    "implements",
    "this",
    "super",
    "void",
    "interface",
    "enum",
    "switch",
    "trigger",
];

pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|k| k.eq_ignore_ascii_case(word))
}
