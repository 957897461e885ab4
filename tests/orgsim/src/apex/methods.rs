//! Instance methods of the subset's values: String, List, Set, Map, sObjects, exceptions
//! and numbers.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::Pos;
use super::builtins::{arg, index, int_arg, list_get, list_set, map_put, no_method, npe, str_arg};
use super::interp::{R, Thrown};
use super::value::{Value, json_to_value};

pub fn call_method(recv: Value, name: &str, args: Vec<Value>, pos: Pos) -> R<Value> {
    let m = name.to_ascii_lowercase();
    if m == "equals" {
        return Ok(Value::Bool(match (&recv, &arg(&args, 0)) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (a, b) => a.apex_eq(b),
        }));
    }
    if m == "tostring" && !matches!(recv, Value::Null) {
        return Ok(Value::Str(recv.display()));
    }
    match recv {
        Value::Null => Err(npe(pos)),
        Value::Str(s) => string_method(&s, &m, &args, pos),
        Value::List(l) => list_method(&l, &m, args, pos),
        Value::Set(l) => set_method(&l, &m, args, pos),
        Value::Map(p) => map_method(&p, &m, args, pos),
        Value::SObject(s) => match m.as_str() {
            "get" => {
                super::interp::get_field(&Value::SObject(s), &str_arg(&args, 0, pos)?, false, pos)
            }
            "put" => {
                let f = str_arg(&args, 0, pos)?;
                let mut o = s.borrow_mut();
                let key = o
                    .fields
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(&f))
                    .cloned()
                    .unwrap_or(f);
                let prev = o.fields.insert(key, arg(&args, 1).to_json());
                Ok(prev.map(|p| json_to_value(&p)).unwrap_or(Value::Null))
            }
            "getsobjecttype" => Ok(Value::Str(s.borrow().sobject.clone())),
            "clone" => {
                let mut c = s.borrow().clone();
                c.fields.remove("Id");
                Ok(Value::SObject(Rc::new(RefCell::new(c))))
            }
            _ => Err(no_method(&s.borrow().sobject, name, pos)),
        },
        Value::Exception(e) => match m.as_str() {
            "getmessage" => Ok(Value::Str(e.message.clone())),
            "gettypename" => Ok(Value::Str(e.type_name.clone())),
            _ => Err(no_method(&e.type_name, name, pos)),
        },
        v @ (Value::Date(_) | Value::Datetime(_)) => super::dates::method(&v, &m, &args, pos),
        v @ (Value::Int(_) | Value::Dec(_)) => match m.as_str() {
            "format" => Ok(Value::Str(v.display())),
            "intvalue" => Ok(Value::Int(v.as_f64().unwrap_or(0.0) as i64)),
            _ => Err(no_method(&v.type_name(), name, pos)),
        },
        other => Err(no_method(&other.type_name(), name, pos)),
    }
}

fn string_method(s: &str, m: &str, args: &[Value], pos: Pos) -> R<Value> {
    let chars: Vec<char> = s.chars().collect();
    let a0 = || str_arg(args, 0, pos);
    Ok(match m {
        "length" => Value::Int(chars.len() as i64),
        "touppercase" => Value::Str(s.to_uppercase()),
        "tolowercase" => Value::Str(s.to_lowercase()),
        "trim" => Value::Str(s.trim().to_owned()),
        "contains" => Value::Bool(s.contains(&a0()?)),
        "containsignorecase" => Value::Bool(s.to_lowercase().contains(&a0()?.to_lowercase())),
        "startswith" => Value::Bool(s.starts_with(&a0()?)),
        "endswith" => Value::Bool(s.ends_with(&a0()?)),
        "equalsignorecase" => Value::Bool(s.eq_ignore_ascii_case(&a0()?)),
        "indexof" => Value::Int(
            s.find(&a0()?)
                .map(|b| s[..b].chars().count() as i64)
                .unwrap_or(-1),
        ),
        "isblank" => Value::Bool(s.trim().is_empty()),
        "isnotblank" => Value::Bool(!s.trim().is_empty()),
        "reverse" => Value::Str(chars.iter().rev().collect()),
        "capitalize" => Value::Str(
            chars
                .first()
                .map(|c| c.to_uppercase().chain(chars[1..].iter().copied()).collect())
                .unwrap_or_default(),
        ),
        "repeat" => {
            let n = int_arg(args, 0, pos)?.max(0) as usize;
            let size = s.len().saturating_mul(n);
            if size > super::ops::MAX_STRING {
                return Err(super::ops::heap_exceeded(size, pos));
            }
            Value::Str(s.repeat(n))
        }
        "replace" | "replaceall" => {
            let (from, to) = (a0()?, str_arg(args, 1, pos)?);
            let hits = if from.is_empty() {
                chars.len() + 1
            } else {
                s.matches(from.as_str()).count()
            };
            let size = s.len().saturating_add(hits.saturating_mul(to.len()));
            if size > super::ops::MAX_STRING {
                return Err(super::ops::heap_exceeded(size, pos));
            }
            Value::Str(s.replace(&from, &to))
        }
        "split" => {
            let sep = a0()?;
            let parts: Vec<Value> = if sep.is_empty() {
                chars.iter().map(|c| Value::Str(c.to_string())).collect()
            } else {
                s.split(sep.as_str())
                    .map(|p| Value::Str(p.to_owned()))
                    .collect()
            };
            Value::list(parts)
        }
        "left" | "right" => {
            let n = (int_arg(args, 0, pos)?.max(0) as usize).min(chars.len());
            let part: String = if m == "left" {
                chars[..n].iter().collect()
            } else {
                chars[chars.len() - n..].iter().collect()
            };
            Value::Str(part)
        }
        "substring" => {
            let start = int_arg(args, 0, pos)?;
            let end = if args.len() > 1 {
                int_arg(args, 1, pos)?
            } else {
                chars.len() as i64
            };
            if end > chars.len() as i64 || end < 0 {
                return Err(Thrown::new(
                    "System.StringException",
                    format!("Ending position out of bounds: {end}"),
                    pos,
                ));
            }
            if start < 0 || start > end {
                return Err(Thrown::new(
                    "System.StringException",
                    format!("Starting position out of bounds: {start}"),
                    pos,
                ));
            }
            Value::Str(chars[start as usize..end as usize].iter().collect())
        }
        _ => return Err(no_method("String", m, pos)),
    })
}

fn list_method(l: &Rc<RefCell<Vec<Value>>>, m: &str, args: Vec<Value>, pos: Pos) -> R<Value> {
    Ok(match m {
        "add" if args.len() == 2 => {
            let mut v = l.borrow_mut();
            let at = match &args[0] {
                Value::Int(n) if *n >= 0 && (*n as usize) <= v.len() => *n as usize,
                other => {
                    return Err(Thrown::new(
                        "System.ListException",
                        format!("List index out of bounds: {}", other.display()),
                        pos,
                    ));
                }
            };
            v.insert(at, args[1].clone());
            Value::Null
        }
        "add" => {
            l.borrow_mut().push(arg(&args, 0));
            Value::Null
        }
        "addall" => {
            if let Value::List(src) | Value::Set(src) = arg(&args, 0) {
                let items = src.borrow().clone();
                l.borrow_mut().extend(items);
            }
            Value::Null
        }
        "get" => list_get(&Value::List(l.clone()), &arg(&args, 0), pos)?,
        "set" => {
            list_set(&Value::List(l.clone()), &arg(&args, 0), arg(&args, 1), pos)?;
            Value::Null
        }
        "size" => Value::Int(l.borrow().len() as i64),
        "isempty" => Value::Bool(l.borrow().is_empty()),
        "contains" => Value::Bool(l.borrow().iter().any(|x| x.key_eq(&arg(&args, 0)))),
        "indexof" => Value::Int(
            l.borrow()
                .iter()
                .position(|x| x.key_eq(&arg(&args, 0)))
                .map(|p| p as i64)
                .unwrap_or(-1),
        ),
        "remove" => {
            let at = index(&arg(&args, 0), l.borrow().len(), pos)?;
            l.borrow_mut().remove(at)
        }
        "clear" => {
            l.borrow_mut().clear();
            Value::Null
        }
        "clone" => Value::list(l.borrow().clone()),
        "sort" => {
            // Sort a copy: elements may refer back to this list.
            let items = l.borrow().clone();
            let mut keyed: Vec<(Option<f64>, String, Value)> = items
                .into_iter()
                .map(|v| {
                    let text = if v.as_f64().is_some() {
                        String::new()
                    } else {
                        v.display()
                    };
                    (v.as_f64(), text, v)
                })
                .collect();
            keyed.sort_by(|a, b| match (a.0, b.0) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                _ => a.1.cmp(&b.1),
            });
            *l.borrow_mut() = keyed.into_iter().map(|(_, _, v)| v).collect();
            Value::Null
        }
        _ => return Err(no_method("List", m, pos)),
    })
}

fn set_method(l: &Rc<RefCell<Vec<Value>>>, m: &str, args: Vec<Value>, pos: Pos) -> R<Value> {
    let x = arg(&args, 0);
    Ok(match m {
        "add" => {
            let mut v = l.borrow_mut();
            let fresh = !v.iter().any(|e| e.key_eq(&x));
            if fresh {
                v.push(x);
            }
            Value::Bool(fresh)
        }
        "addall" => {
            if let Value::List(src) | Value::Set(src) = x {
                let items = src.borrow().clone();
                let mut v = l.borrow_mut();
                for i in items {
                    if !v.iter().any(|e| e.key_eq(&i)) {
                        v.push(i);
                    }
                }
            }
            Value::Null
        }
        "contains" => Value::Bool(l.borrow().iter().any(|e| e.key_eq(&x))),
        "remove" => {
            let mut v = l.borrow_mut();
            let before = v.len();
            v.retain(|e| !e.key_eq(&x));
            Value::Bool(v.len() != before)
        }
        "size" => Value::Int(l.borrow().len() as i64),
        "isempty" => Value::Bool(l.borrow().is_empty()),
        "clear" => {
            l.borrow_mut().clear();
            Value::Null
        }
        "clone" => Value::Set(Rc::new(RefCell::new(l.borrow().clone()))),
        _ => return Err(no_method("Set", m, pos)),
    })
}

fn map_method(
    p: &Rc<RefCell<Vec<(Value, Value)>>>,
    m: &str,
    args: Vec<Value>,
    pos: Pos,
) -> R<Value> {
    let k = arg(&args, 0);
    Ok(match m {
        "put" => map_put(&mut p.borrow_mut(), k, arg(&args, 1)),
        "get" => p
            .borrow()
            .iter()
            .find(|(ek, _)| ek.key_eq(&k))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null),
        "containskey" => Value::Bool(p.borrow().iter().any(|(ek, _)| ek.key_eq(&k))),
        "keyset" => Value::Set(Rc::new(RefCell::new(
            p.borrow().iter().map(|(k, _)| k.clone()).collect(),
        ))),
        "values" => Value::list(p.borrow().iter().map(|(_, v)| v.clone()).collect()),
        "size" => Value::Int(p.borrow().len() as i64),
        "isempty" => Value::Bool(p.borrow().is_empty()),
        "remove" => {
            let mut v = p.borrow_mut();
            match v.iter().position(|(ek, _)| ek.key_eq(&k)) {
                Some(i) => v.remove(i).1,
                None => Value::Null,
            }
        }
        "clear" => {
            p.borrow_mut().clear();
            Value::Null
        }
        _ => return Err(no_method("Map", m, pos)),
    })
}
