//! Built-in classes and methods of the subset: System, Limits, String, Integer, Decimal,
//! Math, Database, UserInfo, JSON, and instance methods of String, List, Set, Map, sObjects
//! and exceptions; plus the operators.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use super::Category;
use super::ast::{Pos, TypeRef};
use super::interp::{
    Interp, LIMIT_DML, LIMIT_DML_ROWS, LIMIT_QUERIES, LIMIT_QUERY_ROWS, R, Thrown,
};
use super::value::{Value, json_to_value};

pub const STATIC_CLASSES: &[&str] = &[
    "System",
    "Limits",
    "String",
    "Integer",
    "Long",
    "Decimal",
    "Double",
    "Boolean",
    "Math",
    "Database",
    "UserInfo",
    "JSON",
    "LoggingLevel",
    "Id",
];

pub const BUILTIN_EXCEPTIONS: &[&str] = &[
    "Exception",
    "DmlException",
    "QueryException",
    "NullPointerException",
    "ListException",
    "MathException",
    "TypeException",
    "StringException",
    "IllegalArgumentException",
    "AssertException",
    "LimitException",
    "SObjectException",
    "JSONException",
    "NoAccessException",
    "CalloutException",
    "FinalException",
    "NoDataFoundException",
    "InvalidParameterValueException",
    "UnexpectedException",
];

const METHODS: &[(&str, &[&str])] = &[
    (
        "system",
        &[
            "debug",
            "assert",
            "assertequals",
            "assertnotequals",
            "now",
            "today",
        ],
    ),
    (
        "limits",
        &[
            "getqueries",
            "getlimitqueries",
            "getdmlstatements",
            "getlimitdmlstatements",
            "getdmlrows",
            "getlimitdmlrows",
            "getqueryrows",
            "getlimitqueryrows",
            "getcputime",
            "getlimitcputime",
            "getheapsize",
            "getlimitheapsize",
        ],
    ),
    (
        "string",
        &[
            "valueof",
            "isblank",
            "isnotblank",
            "isempty",
            "isnotempty",
            "join",
            "format",
        ],
    ),
    ("integer", &["valueof"]),
    ("long", &["valueof"]),
    ("decimal", &["valueof"]),
    ("double", &["valueof"]),
    ("boolean", &["valueof"]),
    ("id", &["valueof"]),
    (
        "math",
        &["abs", "max", "min", "mod", "round", "floor", "ceil"],
    ),
    ("database", &["query"]),
    (
        "userinfo",
        &["getuserid", "getusername", "getname", "getorganizationid"],
    ),
    ("json", &["serialize"]),
];

pub fn static_method_exists(class: &str, method: &str) -> bool {
    let (c, m) = (class.to_ascii_lowercase(), method.to_ascii_lowercase());
    METHODS
        .iter()
        .any(|(k, ms)| *k == c && ms.contains(&m.as_str()))
}

pub fn is_exception_name(name: &str, custom: &BTreeSet<String>) -> bool {
    let short = name.strip_prefix("System.").unwrap_or(name);
    BUILTIN_EXCEPTIONS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(short))
        || custom.iter().any(|c| c.eq_ignore_ascii_case(short))
}

/// `System.DmlException` for built-ins, the declared name for custom exceptions.
pub fn qualified_exception(name: &str, custom: &BTreeSet<String>) -> String {
    let short = name.strip_prefix("System.").unwrap_or(name);
    if let Some(c) = custom.iter().find(|c| c.eq_ignore_ascii_case(short)) {
        return c.clone();
    }
    let canon = BUILTIN_EXCEPTIONS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(short))
        .copied()
        .unwrap_or(short);
    format!("System.{canon}")
}

fn npe(pos: Pos) -> Thrown {
    Thrown::new(
        "System.NullPointerException",
        "Attempt to de-reference a null object",
        pos,
    )
}

fn no_method(recv: &str, name: &str, pos: Pos) -> Thrown {
    Thrown::new(
        "System.TypeException",
        format!("Method does not exist or incorrect signature: {name} on {recv}"),
        pos,
    )
}

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Null)
}

fn int_arg(args: &[Value], i: usize, pos: Pos) -> R<i64> {
    match args.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        Some(Value::Dec(d)) => Ok(*d as i64),
        Some(Value::Null) | None => Err(npe(pos)),
        Some(other) => Err(Thrown::new(
            "System.TypeException",
            format!("Invalid integer: {}", other.display()),
            pos,
        )),
    }
}

fn str_arg(args: &[Value], i: usize, pos: Pos) -> R<String> {
    match args.get(i) {
        Some(Value::Null) | None => Err(npe(pos)),
        Some(v) => Ok(v.display()),
    }
}

pub fn static_field(class: &str, name: &str, pos: Pos) -> R<Value> {
    if class.eq_ignore_ascii_case("LoggingLevel") {
        let level = name.to_ascii_uppercase();
        if [
            "NONE", "ERROR", "WARN", "INFO", "DEBUG", "FINE", "FINER", "FINEST",
        ]
        .contains(&level.as_str())
        {
            return Ok(Value::Level(level));
        }
    }
    Err(Thrown::new(
        "System.TypeException",
        format!("Variable does not exist: {class}.{name}"),
        pos,
    ))
}

pub fn call_static(
    it: &mut Interp,
    class: &str,
    name: &str,
    args: Vec<Value>,
    pos: Pos,
) -> R<Value> {
    let c = class.to_ascii_lowercase();
    let m = name.to_ascii_lowercase();
    let u = &it.usage;
    Ok(match (c.as_str(), m.as_str()) {
        ("system", "debug") => {
            let (level, v) = match (args.first(), args.get(1)) {
                (Some(Value::Level(l)), Some(v)) => (l.clone(), v.clone()),
                _ => ("DEBUG".to_owned(), arg(&args, 0)),
            };
            let level: &'static str = match level.as_str() {
                "ERROR" => "ERROR",
                "WARN" => "WARN",
                "INFO" => "INFO",
                "FINE" => "FINE",
                "FINER" => "FINER",
                "FINEST" => "FINEST",
                _ => "DEBUG",
            };
            it.log(
                "USER_DEBUG",
                Category::ApexCode,
                level,
                format!("[{}]|{level}|{}", pos.line, v.display()),
            );
            Value::Null
        }
        ("system", "assert") => {
            if arg(&args, 0).truthy() != Some(true) {
                let msg = match args.get(1) {
                    Some(m) => format!("Assertion Failed: {}", m.display()),
                    None => "Assertion Failed".to_owned(),
                };
                return Err(Thrown::new("System.AssertException", msg, pos));
            }
            Value::Null
        }
        ("system", "assertequals" | "assertnotequals") => {
            let (exp, act) = (arg(&args, 0), arg(&args, 1));
            let equal = exp.apex_eq(&act);
            let want_equal = m == "assertequals";
            if equal != want_equal {
                let prefix = match args.get(2) {
                    Some(msg) => format!("Assertion Failed: {}: ", msg.display()),
                    None => "Assertion Failed: ".to_owned(),
                };
                let body = if want_equal {
                    format!("Expected: {}, Actual: {}", exp.display(), act.display())
                } else {
                    format!("Same value: {}", act.display())
                };
                return Err(Thrown::new(
                    "System.AssertException",
                    format!("{prefix}{body}"),
                    pos,
                ));
            }
            Value::Null
        }
        ("system", "now") => Value::Str(super::dml::now_rest()),
        ("system", "today") => Value::Str(super::dml::now_rest()[..10].to_owned()),
        ("limits", "getqueries") => Value::Int(u.soql_queries as i64),
        ("limits", "getlimitqueries") => Value::Int(LIMIT_QUERIES as i64),
        ("limits", "getdmlstatements") => Value::Int(u.dml_statements as i64),
        ("limits", "getlimitdmlstatements") => Value::Int(LIMIT_DML as i64),
        ("limits", "getdmlrows") => Value::Int(u.dml_rows as i64),
        ("limits", "getlimitdmlrows") => Value::Int(LIMIT_DML_ROWS as i64),
        ("limits", "getqueryrows") => Value::Int(u.query_rows as i64),
        ("limits", "getlimitqueryrows") => Value::Int(LIMIT_QUERY_ROWS as i64),
        ("limits", "getcputime") => Value::Int((u.statements / 1000) as i64),
        ("limits", "getlimitcputime") => Value::Int(10_000),
        ("limits", "getheapsize") => Value::Int(0),
        ("limits", "getlimitheapsize") => Value::Int(6_000_000),
        ("string", "valueof") => Value::Str(arg(&args, 0).display()),
        ("string", "isblank") => Value::Bool(
            arg(&args, 0).display().trim().is_empty() || matches!(arg(&args, 0), Value::Null),
        ),
        ("string", "isnotblank") => Value::Bool(
            !(matches!(arg(&args, 0), Value::Null) || arg(&args, 0).display().trim().is_empty()),
        ),
        ("string", "isempty") => {
            Value::Bool(matches!(arg(&args, 0), Value::Null) || arg(&args, 0).display().is_empty())
        }
        ("string", "isnotempty") => Value::Bool(
            !(matches!(arg(&args, 0), Value::Null) || arg(&args, 0).display().is_empty()),
        ),
        ("string", "join") => match arg(&args, 0) {
            Value::List(l) | Value::Set(l) => {
                let sep = str_arg(&args, 1, pos)?;
                Value::Str(
                    l.borrow()
                        .iter()
                        .map(Value::display)
                        .collect::<Vec<_>>()
                        .join(&sep),
                )
            }
            _ => return Err(npe(pos)),
        },
        ("string", "format") => {
            let mut s = str_arg(&args, 0, pos)?;
            if let Value::List(l) = arg(&args, 1) {
                for (i, v) in l.borrow().iter().enumerate() {
                    s = s.replace(&format!("{{{i}}}"), &v.display());
                }
            }
            Value::Str(s)
        }
        ("integer" | "long", "valueof") => match arg(&args, 0) {
            Value::Int(n) => Value::Int(n),
            Value::Dec(d) => Value::Int(d as i64),
            Value::Null => Value::Null,
            v => Value::Int(v.display().trim().parse().map_err(|_| {
                Thrown::new(
                    "System.TypeException",
                    format!("Invalid integer: {}", v.display()),
                    pos,
                )
            })?),
        },
        ("decimal" | "double", "valueof") => match arg(&args, 0) {
            Value::Int(n) => Value::Dec(n as f64),
            Value::Dec(d) => Value::Dec(d),
            Value::Null => Value::Null,
            v => Value::Dec(v.display().trim().parse().map_err(|_| {
                Thrown::new(
                    "System.TypeException",
                    format!("Invalid decimal: {}", v.display()),
                    pos,
                )
            })?),
        },
        ("boolean", "valueof") => Value::Bool(arg(&args, 0).display().eq_ignore_ascii_case("true")),
        ("id", "valueof") => {
            let s = str_arg(&args, 0, pos)?;
            if !(s.len() == 15 || s.len() == 18) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(Thrown::new(
                    "System.StringException",
                    format!("Invalid id: {s}"),
                    pos,
                ));
            }
            Value::Str(s)
        }
        ("math", f) => math(f, &args, pos)?,
        ("database", "query") => {
            let text = str_arg(&args, 0, pos)?;
            let q = crate::soql::parse(&text)
                .map_err(|e| Thrown::new("System.QueryException", e.detail().to_owned(), pos))?;
            it.run_query(&q, pos)?
        }
        ("userinfo", "getuserid") => Value::Str(it.user_id.clone()),
        ("userinfo", "getorganizationid") => Value::Str(it.org.id.clone()),
        ("userinfo", "getusername" | "getname") => {
            let user = it.org.user_by_id(&it.user_id);
            match (user, m.as_str()) {
                (Some(u), "getusername") => Value::Str(u.username.clone()),
                (Some(u), _) => Value::Str(u.name.clone()),
                (None, _) => Value::Null,
            }
        }
        ("json", "serialize") => Value::Str(arg(&args, 0).to_json().to_string()),
        _ => return Err(no_method(class, name, pos)),
    })
}

fn math(f: &str, args: &[Value], pos: Pos) -> R<Value> {
    let a = arg(args, 0);
    let b = arg(args, 1);
    let both_int = matches!((&a, &b), (Value::Int(_), Value::Int(_) | Value::Null));
    let x = a.as_f64().ok_or_else(|| npe(pos))?;
    Ok(match f {
        "abs" => {
            if let Value::Int(n) = a {
                Value::Int(n.abs())
            } else {
                Value::Dec(x.abs())
            }
        }
        "max" | "min" => {
            let y = b.as_f64().ok_or_else(|| npe(pos))?;
            let r = if f == "max" { x.max(y) } else { x.min(y) };
            if both_int {
                Value::Int(r as i64)
            } else {
                Value::Dec(r)
            }
        }
        "mod" => {
            let y = b.as_f64().ok_or_else(|| npe(pos))? as i64;
            if y == 0 {
                return Err(Thrown::new("System.MathException", "Divide by 0", pos));
            }
            Value::Int((x as i64) % y)
        }
        "round" => Value::Int(x.round() as i64),
        "floor" => Value::Dec(x.floor()),
        "ceil" => Value::Dec(x.ceil()),
        _ => return Err(no_method("Math", f, pos)),
    })
}

pub fn map_put(pairs: &mut Vec<(Value, Value)>, k: Value, v: Value) -> Value {
    if let Some(slot) = pairs.iter_mut().find(|(ek, _)| ek.key_eq(&k)) {
        return std::mem::replace(&mut slot.1, v);
    }
    pairs.push((k, v));
    Value::Null
}

fn index(i: &Value, len: usize, pos: Pos) -> R<usize> {
    match i {
        Value::Int(n) if *n >= 0 && (*n as usize) < len => Ok(*n as usize),
        Value::Int(n) => Err(Thrown::new(
            "System.ListException",
            format!("List index out of bounds: {n}"),
            pos,
        )),
        Value::Null => Err(npe(pos)),
        other => Err(Thrown::new(
            "System.TypeException",
            format!("Invalid index: {}", other.display()),
            pos,
        )),
    }
}

pub fn list_get(t: &Value, i: &Value, pos: Pos) -> R<Value> {
    match t {
        Value::List(l) => {
            let l = l.borrow();
            Ok(l[index(i, l.len(), pos)?].clone())
        }
        Value::Null => Err(npe(pos)),
        other => Err(Thrown::new(
            "System.TypeException",
            format!("Cannot index {}", other.type_name()),
            pos,
        )),
    }
}

pub fn list_set(t: &Value, i: &Value, v: Value, pos: Pos) -> R<()> {
    match t {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            let at = index(i, l.len(), pos)?;
            l[at] = v;
            Ok(())
        }
        Value::Null => Err(npe(pos)),
        other => Err(Thrown::new(
            "System.TypeException",
            format!("Cannot index {}", other.type_name()),
            pos,
        )),
    }
}

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
        "repeat" => Value::Str(s.repeat(int_arg(args, 0, pos)?.max(0) as usize)),
        "replace" | "replaceall" => Value::Str(s.replace(&a0()?, &str_arg(args, 1, pos)?)),
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
            l.borrow_mut()
                .sort_by(|a, b| match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                    _ => a.display().cmp(&b.display()),
                });
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

pub fn unary(op: &str, v: Value, pos: Pos) -> R<Value> {
    match (op, v) {
        ("!", Value::Bool(b)) => Ok(Value::Bool(!b)),
        ("-", Value::Int(n)) => Ok(Value::Int(n.wrapping_neg())),
        ("-", Value::Dec(d)) => Ok(Value::Dec(-d)),
        ("+", v @ (Value::Int(_) | Value::Dec(_))) => Ok(v),
        (_, Value::Null) => Err(npe(pos)),
        (op, v) => Err(Thrown::new(
            "System.TypeException",
            format!("Invalid operand for {op}: {}", v.type_name()),
            pos,
        )),
    }
}

pub fn binary(op: &str, l: Value, r: Value, pos: Pos) -> R<Value> {
    match op {
        "==" => return Ok(Value::Bool(l.apex_eq(&r))),
        "!=" => return Ok(Value::Bool(!l.apex_eq(&r))),
        "===" | "!==" => {
            let same = match (&l, &r) {
                (Value::List(a), Value::List(b)) | (Value::Set(a), Value::Set(b)) => {
                    Rc::ptr_eq(a, b)
                }
                (Value::SObject(a), Value::SObject(b)) => Rc::ptr_eq(a, b),
                (Value::Map(a), Value::Map(b)) => Rc::ptr_eq(a, b),
                _ => l.apex_eq(&r),
            };
            return Ok(Value::Bool(same == (op == "===")));
        }
        "+" if matches!(l, Value::Str(_)) || matches!(r, Value::Str(_)) => {
            return Ok(Value::Str(format!("{}{}", l.display(), r.display())));
        }
        "&" | "|" | "^" => {
            if let (Value::Bool(a), Value::Bool(b)) = (&l, &r) {
                return Ok(Value::Bool(match op {
                    "&" => *a & *b,
                    "|" => *a | *b,
                    _ => *a ^ *b,
                }));
            }
        }
        "<" | ">" | "<=" | ">=" => {
            let ord = match (&l, &r) {
                (Value::Null, _) | (_, Value::Null) => return Ok(Value::Bool(false)),
                (Value::Str(a), Value::Str(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
                (a, b) => match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                    _ => {
                        return Err(Thrown::new(
                            "System.TypeException",
                            format!(
                                "Comparison arguments must be compatible types: {}, {}",
                                a.type_name(),
                                b.type_name()
                            ),
                            pos,
                        ));
                    }
                },
            };
            use std::cmp::Ordering::*;
            return Ok(Value::Bool(match op {
                "<" => ord == Less,
                ">" => ord == Greater,
                "<=" => ord != Greater,
                _ => ord != Less,
            }));
        }
        _ => {}
    }
    match (&l, &r) {
        (Value::Null, _) | (_, Value::Null) => return Err(npe(pos)),
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            return Ok(Value::Int(match op {
                "+" => a.wrapping_add(b),
                "-" => a.wrapping_sub(b),
                "*" => a.wrapping_mul(b),
                "/" | "%" if b == 0 => {
                    return Err(Thrown::new("System.MathException", "Divide by 0", pos));
                }
                "/" => a / b,
                "%" => a % b,
                _ => return Err(bad_op(op, &l, &r, pos)),
            }));
        }
        _ => {}
    }
    let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
        return Err(bad_op(op, &l, &r, pos));
    };
    Ok(Value::Dec(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" | "%" if b == 0.0 => {
            return Err(Thrown::new("System.MathException", "Divide by 0", pos));
        }
        "/" => a / b,
        "%" => a % b,
        _ => return Err(bad_op(op, &l, &r, pos)),
    }))
}

fn bad_op(op: &str, l: &Value, r: &Value, pos: Pos) -> Thrown {
    Thrown::new(
        "System.TypeException",
        format!(
            "Arithmetic expressions must use numeric arguments: {op} on {}, {}",
            l.type_name(),
            r.type_name()
        ),
        pos,
    )
}

pub fn instance_of(v: &Value, ty: &TypeRef) -> bool {
    let want = ty.name.to_ascii_lowercase();
    match v {
        Value::Null => false,
        Value::SObject(s) => {
            want == "sobject"
                || want == "object"
                || s.borrow().sobject.eq_ignore_ascii_case(&ty.name)
        }
        Value::Exception(e) => {
            want == "exception"
                || e.type_name
                    .rsplit('.')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&want))
        }
        other => want == "object" || other.type_name().eq_ignore_ascii_case(&want),
    }
}
