//! Built-in classes and methods of the subset: System, Limits, String, Integer, Decimal,
//! Math, Database, UserInfo, JSON, and instance methods of String, List, Set, Map, sObjects
//! and exceptions; plus the operators.

use std::collections::BTreeSet;

use super::Category;
use super::ast::Pos;
use super::interp::{
    Interp, LIMIT_DML, LIMIT_DML_ROWS, LIMIT_QUERIES, LIMIT_QUERY_ROWS, R, Thrown,
};
use super::value::Value;

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
    "Date",
    "Datetime",
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
    ("date", &["today", "newinstance", "valueof"]),
    (
        "datetime",
        &[
            "now",
            "newinstance",
            "newinstancegmt",
            "valueof",
            "valueofgmt",
        ],
    ),
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

pub(super) fn npe(pos: Pos) -> Thrown {
    Thrown::new(
        "System.NullPointerException",
        "Attempt to de-reference a null object",
        pos,
    )
}

pub(super) fn no_method(recv: &str, name: &str, pos: Pos) -> Thrown {
    Thrown::new(
        "System.TypeException",
        format!("Method does not exist or incorrect signature: {name} on {recv}"),
        pos,
    )
}

pub(super) fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Null)
}

pub(super) fn int_arg(args: &[Value], i: usize, pos: Pos) -> R<i64> {
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

pub(super) fn str_arg(args: &[Value], i: usize, pos: Pos) -> R<String> {
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
        ("system" | "datetime", "now") => Value::Datetime(time::OffsetDateTime::now_utc()),
        ("system" | "date", "today") => Value::Date(time::OffsetDateTime::now_utc().date()),
        ("date", "newinstance") => {
            let (y, m, d) = (
                int_arg(&args, 0, pos)?,
                int_arg(&args, 1, pos)?,
                int_arg(&args, 2, pos)?,
            );
            Value::Date(super::dates::ymd(y, m, d, pos)?)
        }
        ("datetime", "newinstance" | "newinstancegmt") => match args.first() {
            Some(Value::Date(d)) => Value::Datetime(d.midnight().assume_utc()),
            _ => {
                let n = |i| {
                    if args.len() > i {
                        int_arg(&args, i, pos)
                    } else {
                        Ok(0)
                    }
                };
                let date = super::dates::ymd(n(0)?, n(1)?, n(2)?, pos)?;
                let t = time::Time::from_hms(
                    n(3)?.clamp(0, 23) as u8,
                    n(4)?.clamp(0, 59) as u8,
                    n(5)?.clamp(0, 59) as u8,
                )
                .unwrap_or(time::Time::MIDNIGHT);
                Value::Datetime(date.with_time(t).assume_utc())
            }
        },
        ("date", "valueof") => super::dates::to_date(&arg(&args, 0), pos)?,
        ("datetime", "valueof" | "valueofgmt") => super::dates::to_datetime(&arg(&args, 0), pos)?,
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
                Value::Int(n.wrapping_abs())
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
            Value::Int((x as i64).wrapping_rem(y))
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

pub(super) fn index(i: &Value, len: usize, pos: Pos) -> R<usize> {
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

pub use super::methods::call_method;
pub use super::ops::{binary, instance_of, unary};
