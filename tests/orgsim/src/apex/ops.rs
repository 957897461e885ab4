//! Apex operators (arithmetic, concatenation, comparison, identity) and `instanceof`.

use std::rc::Rc;

use super::ast::{Pos, TypeRef};
use super::builtins::npe;
use super::interp::{R, Thrown};
use super::value::Value;

/// Longest string a block may build (Apex's 6 MB synchronous heap).
pub const MAX_STRING: usize = 6_000_000;

pub fn heap_exceeded(size: usize, pos: Pos) -> Thrown {
    Thrown::new(
        "System.LimitException",
        format!("Apex heap size too large: {size}"),
        pos,
    )
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
            let joined = format!("{}{}", l.display(), r.display());
            if joined.len() > MAX_STRING {
                return Err(heap_exceeded(joined.len(), pos));
            }
            return Ok(Value::Str(joined));
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
                (Value::Date(a), Value::Date(b)) => a.cmp(b),
                (Value::Datetime(a), Value::Datetime(b)) => a.cmp(b),
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
                "/" => a.wrapping_div(b),
                "%" => a.wrapping_rem(b),
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
