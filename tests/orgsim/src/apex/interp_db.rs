//! DML statements and SOQL (inline, bound, dynamic) of the interpreter, with their debug-log
//! events and governor limits.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Map;

use super::Category;
use super::ast::{Expr, Pos};
use super::dml;
use super::interp::{
    Interp, LIMIT_DML, LIMIT_DML_ROWS, LIMIT_QUERIES, LIMIT_QUERY_ROWS, R, Thrown,
};
use super::value::Value;

impl Interp<'_> {
    // ----- DML and SOQL ----------------------------------------------------------------

    pub(super) fn dml(&mut self, op: super::ast::DmlOp, v: Value, pos: Pos) -> R<()> {
        let targets: Vec<Rc<RefCell<super::value::SObj>>> = match v {
            Value::SObject(s) => vec![s],
            Value::List(l) => {
                let mut out = Vec::new();
                for item in l.borrow().iter() {
                    match item {
                        Value::SObject(s) => out.push(s.clone()),
                        _ => {
                            return Err(Thrown::new(
                                "System.NullPointerException",
                                "Attempt to de-reference a null object",
                                pos,
                            ));
                        }
                    }
                }
                out
            }
            Value::Null => {
                return Err(Thrown::new(
                    "System.NullPointerException",
                    "Attempt to de-reference a null object",
                    pos,
                ));
            }
            other => {
                return Err(Thrown::new(
                    "System.TypeException",
                    format!(
                        "DML requires SObject or SObject list type: {}",
                        other.type_name()
                    ),
                    pos,
                ));
            }
        };
        self.usage.dml_statements += 1;
        if self.usage.dml_statements > LIMIT_DML {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many DML statements: {}", self.usage.dml_statements),
                pos,
            ));
        }
        self.usage.dml_rows += targets.len() as u32;
        if self.usage.dml_rows > LIMIT_DML_ROWS {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many DML rows: {}", self.usage.dml_rows),
                pos,
            ));
        }
        let sobject = targets
            .first()
            .map(|t| t.borrow().sobject.clone())
            .unwrap_or_else(|| "SObject".into());
        self.log(
            "DML_BEGIN",
            Category::Db,
            "INFO",
            format!(
                "[{}]|Op:{}|Type:{}|Rows:{}",
                pos.line,
                op.name(),
                sobject,
                targets.len()
            ),
        );
        let items: Vec<(String, Map<String, serde_json::Value>)> = targets
            .iter()
            .map(|t| (t.borrow().sobject.clone(), t.borrow().fields.clone()))
            .collect();
        let user = self.user_id.clone();
        let result = dml::apply(self.org, &user, op, &items);
        self.log("DML_END", Category::Db, "INFO", format!("[{}]", pos.line));
        match result {
            Ok(ids) => {
                if op == super::ast::DmlOp::Insert || op == super::ast::DmlOp::Upsert {
                    for (t, id) in targets.iter().zip(ids) {
                        t.borrow_mut()
                            .fields
                            .insert("Id".into(), serde_json::Value::String(id));
                    }
                }
                Ok(())
            }
            Err(dml::DmlError(msg)) => {
                self.log(
                    "EXCEPTION_THROWN",
                    Category::ApexCode,
                    "INFO",
                    format!("[{}]|System.DmlException: {msg}", pos.line),
                );
                Err(Thrown::new("System.DmlException", msg, pos))
            }
        }
    }

    pub fn soql(
        &mut self,
        query: &crate::soql::Query,
        binds: &[(String, Expr)],
        pos: Pos,
    ) -> R<Value> {
        let mut bound = BTreeMap::new();
        for (name, e) in binds {
            bound.insert(name.clone(), to_literal(&self.eval(e)?));
        }
        let q = query
            .bind(&|n| bound.get(n).cloned())
            .map_err(|e| Thrown::new("System.QueryException", e.detail().to_owned(), pos))?;
        self.run_query(&q, pos)
    }

    pub fn run_query(&mut self, q: &crate::soql::Query, pos: Pos) -> R<Value> {
        self.usage.soql_queries += 1;
        if self.usage.soql_queries > LIMIT_QUERIES {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many SOQL queries: {}", self.usage.soql_queries),
                pos,
            ));
        }
        let Some(object) = dml::canonical_sobject(self.org, &q.object) else {
            return Err(Thrown::new(
                "System.QueryException",
                format!("sObject type '{}' is not supported.", q.object),
                pos,
            ));
        };
        self.log(
            "SOQL_EXECUTE_BEGIN",
            Category::Db,
            "INFO",
            format!("[{}]|Aggregations:0|{}", pos.line, q.text.trim()),
        );
        let derived = crate::sobjects::DERIVED.contains(&object.as_str());
        let rows = if derived {
            crate::sobjects::rows(self.org, &object).unwrap_or_default()
        } else {
            dml::rows(self.org, &object)
        };
        let out = crate::soql::execute(q, &rows)
            .map_err(|e| Thrown::new("System.QueryException", e.detail().to_owned(), pos))?;
        self.usage.query_rows += out.len() as u32;
        self.log(
            "SOQL_EXECUTE_END",
            Category::Db,
            "INFO",
            format!("[{}]|Rows:{}", pos.line, out.len()),
        );
        if self.usage.query_rows > LIMIT_QUERY_ROWS {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many query rows: {}", self.usage.query_rows),
                pos,
            ));
        }
        if q.is_count() {
            return Ok(Value::Int(out.len() as i64));
        }
        Ok(Value::list(out.into_iter().map(Value::queried).collect()))
    }
}

fn to_literal(v: &Value) -> crate::soql::Literal {
    use crate::soql::Literal;
    match v {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Int(n) => Literal::Number(*n as f64),
        Value::Dec(d) => Literal::Number(*d),
        Value::Str(s) | Value::Level(s) => Literal::Text(s.clone()),
        Value::List(l) | Value::Set(l) => {
            Literal::List(l.borrow().iter().map(to_literal).collect())
        }
        Value::Map(m) => Literal::List(m.borrow().iter().map(|(k, _)| to_literal(k)).collect()),
        Value::SObject(s) => match s.borrow().fields.get("Id").and_then(|v| v.as_str()) {
            Some(id) => Literal::Text(id.to_owned()),
            None => Literal::Null,
        },
        Value::Exception(e) => Literal::Text(e.message.clone()),
        Value::Date(d) => Literal::Date(*d),
        Value::Datetime(t) => Literal::DateTime(*t),
    }
}
