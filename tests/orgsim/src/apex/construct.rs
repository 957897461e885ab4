//! `new` expressions (collections, sObjects, exceptions), field reads and the conversions
//! applied when a value is stored in a typed variable.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use serde_json::Map;

use super::ast::{Expr, Pos, TypeRef};
use super::dml;
use super::interp::{Interp, R, Thrown};
use super::value::{ExceptionValue, Value, json_to_value};

impl Interp<'_> {
    pub(super) fn construct(
        &mut self,
        ty: &TypeRef,
        args: &[Expr],
        named: &[(String, Expr)],
        list_init: Option<&[Expr]>,
        map_init: Option<&[(Expr, Expr)]>,
    ) -> R<Value> {
        let mut argv = Vec::new();
        for a in args {
            argv.push(self.eval(a)?);
        }
        let lower = ty.name.to_ascii_lowercase();
        match lower.as_str() {
            "list" | "set" => {
                let mut items = Vec::new();
                for e in list_init.unwrap_or(&[]) {
                    items.push(self.eval(e)?);
                }
                if let Some(Value::List(src) | Value::Set(src)) = argv.first() {
                    items.extend(src.borrow().iter().cloned());
                }
                if lower == "set" {
                    let mut uniq: Vec<Value> = Vec::new();
                    for i in items {
                        if !uniq.iter().any(|u| u.key_eq(&i)) {
                            uniq.push(i);
                        }
                    }
                    return Ok(Value::Set(Rc::new(RefCell::new(uniq))));
                }
                Ok(Value::list(items))
            }
            "map" => {
                let mut pairs: Vec<(Value, Value)> = Vec::new();
                for (k, v) in map_init.unwrap_or(&[]) {
                    let (k, v) = (self.eval(k)?, self.eval(v)?);
                    super::builtins::map_put(&mut pairs, k, v);
                }
                if let Some(Value::List(src)) = argv.first() {
                    for item in src.borrow().iter() {
                        if let Value::SObject(s) = item {
                            let id = s
                                .borrow()
                                .fields
                                .get("Id")
                                .map(json_to_value)
                                .unwrap_or(Value::Null);
                            super::builtins::map_put(&mut pairs, id, item.clone());
                        }
                    }
                }
                Ok(Value::Map(Rc::new(RefCell::new(pairs))))
            }
            _ if super::builtins::is_exception_name(&ty.name, &self.custom_exceptions) => {
                let message = argv.first().map(Value::display).unwrap_or_default();
                let type_name =
                    super::builtins::qualified_exception(&ty.name, &self.custom_exceptions);
                Ok(Value::Exception(Rc::new(ExceptionValue {
                    type_name,
                    message,
                })))
            }
            _ => {
                let sobject =
                    dml::canonical_sobject(self.org, &ty.name).unwrap_or_else(|| ty.name.clone());
                let mut fields = Map::new();
                fields.insert("attributes".into(), serde_json::json!({ "type": sobject }));
                for (f, e) in named {
                    let v = self.eval(e)?;
                    fields.insert(f.clone(), v.to_json());
                }
                Ok(Value::sobject(&sobject, fields))
            }
        }
    }
}

pub fn get_field(t: &Value, name: &str, safe: bool, pos: Pos) -> R<Value> {
    match t {
        Value::SObject(s) => {
            let s = s.borrow();
            match s.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                // A related record read from a queried row was queried too.
                Some((_, serde_json::Value::Object(m))) if s.from_query => {
                    Ok(Value::queried(m.clone()))
                }
                Some((_, v)) => Ok(json_to_value(v)),
                None if s.from_query && !name.eq_ignore_ascii_case("Id") => Err(Thrown::new(
                    "System.SObjectException",
                    format!(
                        "SObject row was retrieved via SOQL without querying the requested field: {}.{name}",
                        s.sobject
                    ),
                    pos,
                )),
                None => Ok(Value::Null),
            }
        }
        Value::Null if safe => Ok(Value::Null),
        Value::Null => Err(Thrown::new(
            "System.NullPointerException",
            "Attempt to de-reference a null object",
            pos,
        )),
        other => Err(Thrown::new(
            "System.TypeException",
            format!("Variable does not exist: {name} on {}", other.type_name()),
            pos,
        )),
    }
}

/// Converts a value for a variable of type `ty` (Integer → Decimal widening, a SOQL list
/// assigned to a single sObject).
pub fn coerce(ty: &TypeRef, v: Value, pos: Pos) -> R<Value> {
    let lower = ty.name.to_ascii_lowercase();
    match (lower.as_str(), v) {
        ("decimal" | "double", Value::Int(n)) => Ok(Value::Dec(n as f64)),
        ("date", v @ Value::Str(_)) => super::dates::to_date(&v, pos),
        ("datetime", v @ Value::Str(_)) => super::dates::to_datetime(&v, pos),
        ("integer" | "long", Value::Dec(d)) => Ok(Value::Int(d as i64)),
        (
            "list" | "set" | "map" | "object" | "string" | "integer" | "long" | "decimal"
            | "double" | "boolean" | "id",
            v,
        ) => Ok(v),
        (_, Value::List(l)) if !super::builtins::is_exception_name(&ty.name, &BTreeSet::new()) => {
            let l = l.borrow();
            match l.len() {
                1 => Ok(l[0].clone()),
                0 => Err(Thrown::new(
                    "System.QueryException",
                    "List has no rows for assignment to SObject",
                    pos,
                )),
                _ => Err(Thrown::new(
                    "System.QueryException",
                    "List has more than 1 row for assignment to SObject",
                    pos,
                )),
            }
        }
        (_, v) => Ok(v),
    }
}
