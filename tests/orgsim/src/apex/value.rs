//! Run-time values of the Apex subset. Collections and sObjects are references (Apex
//! semantics: `List<Account> b = a;` aliases), hence `Rc<RefCell<..>>`.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{Map, Value as Json};

/// Collections may contain themselves (`l.add(l)`); rendering stops this deep.
const MAX_NESTING: usize = 32;
/// Work (nodes + string bytes) one rendering or comparison may spend: Apex's 6 MB heap.
const BUDGET: usize = 6_000_000;
/// Budget one collection/sObject node costs (its heap overhead, roughly).
const NODE_COST: usize = 64;

#[derive(Debug, Clone)]
pub struct SObj {
    pub sobject: String,
    pub fields: Map<String, Json>,
    /// Retrieved by SOQL: reading a field the query did not select is an SObjectException.
    pub from_query: bool,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Dec(f64),
    Str(String),
    List(Rc<RefCell<Vec<Value>>>),
    Set(Rc<RefCell<Vec<Value>>>),
    Map(Rc<RefCell<Vec<(Value, Value)>>>),
    SObject(Rc<RefCell<SObj>>),
    Exception(Rc<ExceptionValue>),
    /// A `LoggingLevel.X` constant.
    Level(String),
    Date(time::Date),
    /// Always UTC.
    Datetime(time::OffsetDateTime),
}

#[derive(Debug, Clone)]
pub struct ExceptionValue {
    /// `System.DmlException` or a custom name.
    pub type_name: String,
    pub message: String,
}

impl Value {
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }

    pub fn sobject(sobject: &str, fields: Map<String, Json>) -> Value {
        Value::SObject(Rc::new(RefCell::new(SObj {
            sobject: sobject.to_owned(),
            fields,
            from_query: false,
        })))
    }

    /// A row returned by SOQL (see [`SObj::from_query`]).
    pub fn queried(row: Map<String, Json>) -> Value {
        let v = json_to_value(&Json::Object(row));
        if let Value::SObject(s) = &v {
            s.borrow_mut().from_query = true;
        }
        v
    }

    pub fn type_name(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(_) => "Boolean".into(),
            Value::Int(_) => "Integer".into(),
            Value::Dec(_) => "Decimal".into(),
            Value::Str(_) => "String".into(),
            Value::List(_) => "List".into(),
            Value::Set(_) => "Set".into(),
            Value::Map(_) => "Map".into(),
            Value::SObject(s) => s.borrow().sobject.clone(),
            Value::Exception(e) => e.type_name.clone(),
            Value::Level(_) => "System.LoggingLevel".into(),
            Value::Date(_) => "Date".into(),
            Value::Datetime(_) => "Datetime".into(),
        }
    }

    /// `String.valueOf(v)` / `System.debug(v)` rendering.
    pub fn display(&self) -> String {
        self.display_at(0, &mut BUDGET.clone())
    }

    /// Renders with a work budget (nodes + bytes): collections can contain themselves.
    fn display_at(&self, depth: usize, budget: &mut usize) -> String {
        if depth > MAX_NESTING || *budget == 0 {
            return "...".into();
        }
        *budget = budget.saturating_sub(NODE_COST);
        let d = depth + 1;
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Dec(d) => format_decimal(*d),
            Value::Str(s) => {
                *budget = budget.saturating_sub(s.len());
                s.clone()
            }
            Value::List(l) => {
                let items: Vec<String> =
                    l.borrow().iter().map(|v| v.display_at(d, budget)).collect();
                format!("({})", items.join(", "))
            }
            Value::Set(l) => {
                let items: Vec<String> =
                    l.borrow().iter().map(|v| v.display_at(d, budget)).collect();
                format!("{{{}}}", items.join(", "))
            }
            Value::Map(m) => {
                let items: Vec<String> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| {
                        format!("{}={}", k.display_at(d, budget), v.display_at(d, budget))
                    })
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            Value::SObject(s) => {
                let s = s.borrow();
                let items: Vec<String> = s
                    .fields
                    .iter()
                    .filter(|(k, _)| *k != "attributes")
                    .map(|(k, v)| format!("{k}={}", json_to_value(v).display_at(d, budget)))
                    .collect();
                format!("{}:{{{}}}", s.sobject, items.join(", "))
            }
            Value::Exception(e) => format!("{}: {}", e.type_name, e.message),
            Value::Level(l) => l.clone(),
            Value::Date(d) => d.to_string(),
            // System.debug shows datetimes in GMT as `2026-01-31 10:00:00`.
            Value::Datetime(t) => format!(
                "{} {:02}:{:02}:{:02}",
                t.date(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        }
    }

    pub fn truthy(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(n) => Some(*n as f64),
            Value::Dec(d) => Some(*d),
            _ => None,
        }
    }

    /// Apex `==`: strings compare case-insensitively, numbers by value, sObjects and
    /// collections by content.
    pub fn apex_eq(&self, other: &Value) -> bool {
        self.eq_at(other, 0, &mut BUDGET.clone())
    }

    fn eq_at(&self, other: &Value, depth: usize, budget: &mut usize) -> bool {
        if depth > MAX_NESTING || *budget == 0 {
            return false;
        }
        *budget = budget.saturating_sub(NODE_COST);
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (Value::Str(a), Value::Str(b)) => a.to_lowercase() == b.to_lowercase(),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (a, b) if a.as_f64().is_some() && b.as_f64().is_some() => a.as_f64() == b.as_f64(),
            (Value::List(a), Value::List(b)) | (Value::Set(a), Value::Set(b)) => {
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.eq_at(y, depth + 1, budget))
            }
            (Value::SObject(a), Value::SObject(b)) => {
                let (a, b) = (a.borrow(), b.borrow());
                a.sobject.eq_ignore_ascii_case(&b.sobject) && a.fields == b.fields
            }
            (Value::Level(a), Value::Level(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Datetime(a), Value::Datetime(b)) => a == b,
            _ => false,
        }
    }

    /// Key equality for Set/Map (case-sensitive strings, as Apex collections are).
    pub fn key_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            _ => self.apex_eq(other),
        }
    }

    pub fn to_json(&self) -> Json {
        self.json_at(0, &mut BUDGET.clone())
    }

    fn json_at(&self, depth: usize, budget: &mut usize) -> Json {
        if depth > MAX_NESTING || *budget == 0 {
            return Json::Null;
        }
        *budget = budget.saturating_sub(NODE_COST);
        let d = depth + 1;
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(n) => Json::from(*n),
            Value::Dec(d) => serde_json::Number::from_f64(*d)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            Value::Str(s) | Value::Level(s) => {
                *budget = budget.saturating_sub(s.len());
                Json::String(s.clone())
            }
            Value::List(l) | Value::Set(l) => {
                Json::Array(l.borrow().iter().map(|v| v.json_at(d, budget)).collect())
            }
            Value::Map(m) => {
                let mut out = Map::new();
                for (k, v) in m.borrow().iter() {
                    let key = k.display_at(d, budget);
                    out.insert(key, v.json_at(d, budget));
                }
                Json::Object(out)
            }
            Value::SObject(s) => Json::Object(s.borrow().fields.clone()),
            Value::Exception(e) => Json::String(format!("{}: {}", e.type_name, e.message)),
            Value::Date(d) => Json::String(d.to_string()),
            Value::Datetime(t) => Json::String(crate::tooling::debug_log::rest_time(*t)),
        }
    }
}

pub fn json_to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Dec(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => Value::list(items.iter().map(json_to_value).collect()),
        Json::Object(m) => {
            let sobject = m
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Json::as_str)
                .unwrap_or("SObject")
                .to_owned();
            Value::sobject(&sobject, m.clone())
        }
    }
}

pub fn format_decimal(d: f64) -> String {
    if d.fract() == 0.0 && d.abs() < 1e15 {
        format!("{}", d as i64)
    } else {
        let s = format!("{d:.10}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}
