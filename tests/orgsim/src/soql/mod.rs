//! A SOQL subset: parser and evaluator over in-memory rows.
//!
//! REST `query`, Tooling `query` and inline SOQL in anonymous Apex all need the same
//! language, with Salesforce's error codes and message shapes (MALFORMED_QUERY,
//! INVALID_FIELD, INVALID_TYPE). Rows are JSON maps as the REST API would return them
//! (canonical field names, relationship fields as nested objects); field names in a query
//! are matched case-insensitively and projected back in the row's own spelling.

mod eval;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use eval::{execute, lookup, matches, parse_datetime};
pub use parser::parse_date;

/// A parsed `SELECT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The sObject after FROM, as written.
    pub object: String,
    pub fields: Vec<SelectItem>,
    pub where_clause: Option<Condition>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// The query text, for error messages that echo it.
    pub text: String,
}

/// One item of the SELECT list.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `Name`, `CreatedBy.Name`.
    Field(FieldRef),
    /// `COUNT()`: the result is only a row count.
    CountAll,
    /// `COUNT(Field)`: an AggregateResult row with `expr0`.
    Count(FieldRef),
}

/// A (possibly dotted) field path with its position in the query text (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRef {
    pub path: Vec<String>,
    pub row: usize,
    pub column: usize,
}

impl FieldRef {
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// A WHERE condition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare {
        field: FieldRef,
        op: CmpOp,
        value: Literal,
    },
    Like {
        field: FieldRef,
        pattern: Literal,
        negated: bool,
    },
    In {
        field: FieldRef,
        values: Vec<Literal>,
        negated: bool,
    },
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    /// `2024-01-31`.
    Date(time::Date),
    /// `2024-01-31T10:00:00Z`.
    DateTime(time::OffsetDateTime),
    /// `TODAY`, `LAST_N_DAYS:7`, ...: a range of instants [start, end).
    DateRange(DateFn),
    /// `:name` (Apex binds); resolved with [`Query::bind`] before execution.
    Bind(String),
    /// A bound list (`IN :ids`).
    List(Vec<Literal>),
}

/// Relative date literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateFn {
    Today,
    Yesterday,
    Tomorrow,
    LastNDays(i64),
    NextNDays(i64),
    ThisMonth,
    LastMonth,
    /// Weeks start on Sunday (the en_US locale).
    ThisWeek,
    LastWeek,
    ThisYear,
    LastYear,
    /// `N_DAYS_AGO:n`: that whole day.
    NDaysAgo(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub field: FieldRef,
    pub descending: bool,
    /// Explicit NULLS FIRST (true) / NULLS LAST (false); by default nulls sort first.
    pub nulls_first: Option<bool>,
}

impl Query {
    /// True for `SELECT COUNT() FROM ...`.
    pub fn is_count(&self) -> bool {
        self.fields
            .iter()
            .any(|f| matches!(f, SelectItem::CountAll))
    }

    /// Every field path the query references (select list, WHERE, ORDER BY).
    pub fn referenced_fields(&self) -> Vec<&FieldRef> {
        let mut out = Vec::new();
        for item in &self.fields {
            if let SelectItem::Field(f) | SelectItem::Count(f) = item {
                out.push(f);
            }
        }
        if let Some(c) = &self.where_clause {
            collect_condition_fields(c, &mut out);
        }
        out.extend(self.order_by.iter().map(|o| &o.field));
        out
    }

    /// Checks every referenced top-level field (first path segment for relationships,
    /// matched against `<Rel>Id`/`<Rel>__c`) against `is_field`; the first unknown one is
    /// INVALID_FIELD, as Salesforce reports it.
    pub fn validate_fields(&self, is_field: &dyn Fn(&str) -> bool) -> Result<(), SoqlError> {
        for f in self.referenced_fields() {
            let ok = if f.path.len() == 1 {
                is_field(&f.path[0])
            } else {
                let rel = &f.path[0];
                let lookup_field = match rel.strip_suffix("__r") {
                    Some(base) => format!("{base}__c"),
                    None => format!("{rel}Id"),
                };
                is_field(&lookup_field) || is_field(rel)
            };
            if !ok {
                return Err(SoqlError::invalid_field(self, f));
            }
        }
        Ok(())
    }

    /// Resolves `:name` binds with `resolve` (Apex). An unknown bind is a QueryException-ish
    /// MALFORMED_QUERY naming the variable.
    pub fn bind(&self, resolve: &dyn Fn(&str) -> Option<Literal>) -> Result<Query, SoqlError> {
        fn walk(
            c: &Condition,
            r: &dyn Fn(&str) -> Option<Literal>,
        ) -> Result<Condition, SoqlError> {
            let lit = |l: &Literal| -> Result<Literal, SoqlError> {
                match l {
                    Literal::Bind(name) => r(name).ok_or_else(|| {
                        SoqlError::new(
                            "MALFORMED_QUERY",
                            format!("Variable does not exist: {name}"),
                        )
                    }),
                    other => Ok(other.clone()),
                }
            };
            Ok(match c {
                Condition::Compare { field, op, value } => Condition::Compare {
                    field: field.clone(),
                    op: *op,
                    value: lit(value)?,
                },
                Condition::Like {
                    field,
                    pattern,
                    negated,
                } => Condition::Like {
                    field: field.clone(),
                    pattern: lit(pattern)?,
                    negated: *negated,
                },
                Condition::In {
                    field,
                    values,
                    negated,
                } => {
                    let mut out = Vec::new();
                    for v in values {
                        match lit(v)? {
                            Literal::List(items) => out.extend(items),
                            one => out.push(one),
                        }
                    }
                    Condition::In {
                        field: field.clone(),
                        values: out,
                        negated: *negated,
                    }
                }
                Condition::And(a, b) => {
                    Condition::And(Box::new(walk(a, r)?), Box::new(walk(b, r)?))
                }
                Condition::Or(a, b) => Condition::Or(Box::new(walk(a, r)?), Box::new(walk(b, r)?)),
                Condition::Not(a) => Condition::Not(Box::new(walk(a, r)?)),
            })
        }
        let mut q = self.clone();
        if let Some(c) = &self.where_clause {
            q.where_clause = Some(walk(c, resolve)?);
        }
        Ok(q)
    }
}

fn collect_condition_fields<'a>(c: &'a Condition, out: &mut Vec<&'a FieldRef>) {
    match c {
        Condition::Compare { field, .. }
        | Condition::Like { field, .. }
        | Condition::In { field, .. } => out.push(field),
        Condition::And(a, b) | Condition::Or(a, b) => {
            collect_condition_fields(a, out);
            collect_condition_fields(b, out);
        }
        Condition::Not(a) => collect_condition_fields(a, out),
    }
}

/// A SOQL error as Salesforce reports it: `errorCode` + `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    code: &'static str,
    message: String,
    detail: String,
}

impl SoqlError {
    fn new(code: &'static str, detail: String) -> Self {
        Self {
            code,
            message: detail.clone(),
            detail,
        }
    }

    /// An error located in the query text: echo, caret line, `ERROR at Row:r:Column:c`, detail.
    fn located(code: &'static str, text: &str, row: usize, column: usize, detail: String) -> Self {
        let line = text.lines().nth(row.saturating_sub(1)).unwrap_or(text);
        let caret = format!("{}^", " ".repeat(column.saturating_sub(1)));
        let message = format!("\n{line}\n{caret}\nERROR at Row:{row}:Column:{column}\n{detail}");
        Self {
            code,
            message,
            detail,
        }
    }

    /// MALFORMED_QUERY `unexpected token: 'X'` at a position.
    pub fn unexpected(text: &str, row: usize, column: usize, token: &str) -> Self {
        Self::located(
            "MALFORMED_QUERY",
            text,
            row,
            column,
            format!("unexpected token: '{token}'"),
        )
    }

    /// INVALID_FIELD for `field` of `q`.
    pub fn invalid_field(q: &Query, field: &FieldRef) -> Self {
        let name = field.dotted();
        let detail = if field.path.len() > 1 {
            format!(
                "Didn't understand relationship '{}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
                field.path[0]
            )
        } else {
            format!(
                "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                q.object
            )
        };
        Self::located("INVALID_FIELD", &q.text, field.row, field.column, detail)
    }

    /// INVALID_TYPE for an unknown sObject in FROM.
    pub fn invalid_type(q: &Query) -> Self {
        let (row, column) = parser::from_position(&q.text);
        Self::located(
            "INVALID_TYPE",
            &q.text,
            row,
            column,
            format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
                q.object
            ),
        )
    }

    /// The Salesforce `errorCode`.
    pub fn error_code(&self) -> &'static str {
        self.code
    }

    /// The full `message` (with the echoed query and position when located).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The last line of the message alone (what Apex's QueryException carries).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl std::fmt::Display for SoqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for SoqlError {}

/// Parses one SOQL statement.
pub fn parse(text: &str) -> Result<Query, SoqlError> {
    parser::parse(text)
}

/// The `attributes` object of a projected row: the row's own if present, else `{type}`.
pub(crate) fn attributes_of(row: &Map<String, Value>, object: &str) -> Value {
    row.get("attributes")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({ "type": object }))
}
