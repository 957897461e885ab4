//! Evaluation of a parsed query over JSON rows: filter, order, offset/limit, projection.

use std::cmp::Ordering;

use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use super::{
    CmpOp, Condition, DateFn, Literal, OrderItem, Query, SelectItem, SoqlError, attributes_of,
};

/// Runs `q` over `rows` (all rows of `q.object`). For `COUNT()` queries the result holds one
/// `{attributes}`-only row per match (callers answer `totalSize` = len, `records` = []);
/// for `COUNT(field)` one AggregateResult row with `expr0`.
pub fn execute(
    q: &Query,
    rows: &[Map<String, Value>],
) -> Result<Vec<Map<String, Value>>, SoqlError> {
    let now = OffsetDateTime::now_utc();
    let mut hits: Vec<&Map<String, Value>> = Vec::new();
    for row in rows {
        if match &q.where_clause {
            Some(c) => eval_condition(c, row, now)?,
            None => true,
        } {
            hits.push(row);
        }
    }
    if !q.order_by.is_empty() {
        hits.sort_by(|a, b| compare_rows(&q.order_by, a, b));
    }
    let offset = q.offset.unwrap_or(0);
    let hits: Vec<&Map<String, Value>> = hits
        .into_iter()
        .skip(offset)
        .take(q.limit.unwrap_or(usize::MAX))
        .collect();
    if q.is_count() {
        return Ok(hits.iter().map(|r| attributes_only(r, &q.object)).collect());
    }
    if let Some(SelectItem::Count(f)) = q.fields.iter().find(|f| matches!(f, SelectItem::Count(_)))
    {
        let n = hits
            .iter()
            .filter(|r| !lookup(r, &f.path).is_null())
            .count();
        let mut m = Map::new();
        m.insert(
            "attributes".into(),
            serde_json::json!({ "type": "AggregateResult" }),
        );
        m.insert("expr0".into(), Value::from(n));
        return Ok(vec![m]);
    }
    Ok(hits.iter().map(|r| project(q, r)).collect())
}

/// True when `row` satisfies the WHERE clause of `q` (no WHERE: always).
pub fn matches(q: &Query, row: &Map<String, Value>) -> Result<bool, SoqlError> {
    match &q.where_clause {
        Some(c) => eval_condition(c, row, OffsetDateTime::now_utc()),
        None => Ok(true),
    }
}

fn attributes_only(row: &Map<String, Value>, object: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("attributes".into(), attributes_of(row, object));
    m
}

/// Finds a key case-insensitively; returns the row's own spelling and the value.
fn get_ci<'a>(row: &'a Map<String, Value>, key: &str) -> Option<(&'a String, &'a Value)> {
    row.get_key_value(key)
        .or_else(|| row.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)))
}

/// Value at a (relationship) path: nested objects first, then a flat `A.B` key. Missing ⇒ null.
pub fn lookup(row: &Map<String, Value>, path: &[String]) -> Value {
    let mut cur = row;
    for (i, seg) in path.iter().enumerate() {
        match get_ci(cur, seg) {
            Some((_, v)) if i + 1 == path.len() => return v.clone(),
            Some((_, Value::Object(obj))) => cur = obj,
            _ => {
                let flat = path.join(".");
                return get_ci(row, &flat)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null);
            }
        }
    }
    Value::Null
}

/// Projects the selected fields, nesting relationship paths as `{attributes, Field}` objects.
fn project(q: &Query, row: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("attributes".into(), attributes_of(row, &q.object));
    for item in &q.fields {
        let SelectItem::Field(f) = item else { continue };
        insert_path(&mut out, row, &f.path);
    }
    out
}

fn insert_path(out: &mut Map<String, Value>, src: &Map<String, Value>, path: &[String]) {
    let Some(first) = path.first() else { return };
    let found = get_ci(src, first);
    let key = found
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| first.clone());
    if path.len() == 1 {
        out.insert(key, found.map(|(_, v)| v.clone()).unwrap_or(Value::Null));
        return;
    }
    match found {
        Some((_, Value::Object(child_src))) => {
            let entry = out.entry(key).or_insert_with(|| {
                let mut m = Map::new();
                m.insert(
                    "attributes".into(),
                    attributes_of(child_src, &guess_type(first)),
                );
                Value::Object(m)
            });
            if let Value::Object(child_out) = entry {
                insert_path(child_out, child_src, &path[1..]);
            }
        }
        Some((_, Value::Null)) => {
            out.entry(key).or_insert(Value::Null);
        }
        _ => {
            // Flat `A.B` key in the source row: build the nested shape from it.
            let flat = path.join(".");
            let v = get_ci(src, &flat)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            let entry = out.entry(key).or_insert_with(|| {
                let mut m = Map::new();
                m.insert(
                    "attributes".into(),
                    serde_json::json!({ "type": guess_type(first) }),
                );
                Value::Object(m)
            });
            if let Value::Object(child) = entry {
                let mut cur = child;
                for seg in &path[1..path.len() - 1] {
                    let next = cur.entry(seg.clone()).or_insert_with(
                        || serde_json::json!({ "attributes": { "type": guess_type(seg) } }),
                    );
                    let Value::Object(n) = next else { return };
                    cur = n;
                }
                if let Some(last) = path.last() {
                    cur.insert(last.clone(), v);
                }
            }
        }
    }
}

/// The sObject type behind a relationship name when the row does not say.
fn guess_type(rel: &str) -> String {
    match rel.to_ascii_lowercase().as_str() {
        "createdby" | "lastmodifiedby" | "owner" | "loguser" | "changedby" | "traceentity" => {
            "User".into()
        }
        "profile" => "Profile".into(),
        "debuglevel" => "DebugLevel".into(),
        _ => rel
            .strip_suffix("__r")
            .map(|b| format!("{b}__c"))
            .unwrap_or_else(|| rel.to_owned()),
    }
}

fn eval_condition(
    c: &Condition,
    row: &Map<String, Value>,
    now: OffsetDateTime,
) -> Result<bool, SoqlError> {
    Ok(match c {
        Condition::And(a, b) => eval_condition(a, row, now)? && eval_condition(b, row, now)?,
        Condition::Or(a, b) => eval_condition(a, row, now)? || eval_condition(b, row, now)?,
        Condition::Not(a) => !eval_condition(a, row, now)?,
        Condition::Compare { field, op, value } => {
            compare_value(&lookup(row, &field.path), *op, value, now)?
        }
        Condition::In {
            field,
            values,
            negated,
        } => {
            let v = lookup(row, &field.path);
            let mut any = false;
            for lit in values {
                if compare_value(&v, CmpOp::Eq, lit, now)? {
                    any = true;
                    break;
                }
            }
            if *negated { !any && !v.is_null() } else { any }
        }
        Condition::Like {
            field,
            pattern,
            negated,
        } => {
            let Literal::Text(p) = pattern else {
                return Err(SoqlError::new(
                    "MALFORMED_QUERY",
                    "LIKE requires a string pattern".into(),
                ));
            };
            let hit = match lookup(row, &field.path) {
                Value::String(s) => like(&s.to_lowercase(), &p.to_lowercase()),
                Value::Null => false,
                other => like(&other.to_string().to_lowercase(), &p.to_lowercase()),
            };
            hit != *negated
        }
    })
}

/// SQL LIKE with `%` and `_`, case already folded.
fn like(s: &str, p: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = p.chars().collect();
    let (mut si, mut pi, mut star, mut mark) = (0usize, 0usize, None::<usize>, 0usize);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

fn compare_value(
    v: &Value,
    op: CmpOp,
    lit: &Literal,
    now: OffsetDateTime,
) -> Result<bool, SoqlError> {
    if matches!(lit, Literal::Null) {
        return Ok(match op {
            CmpOp::Eq => v.is_null(),
            CmpOp::Ne => !v.is_null(),
            _ => false,
        });
    }
    if v.is_null() {
        return Ok(op == CmpOp::Ne);
    }
    if let Literal::DateRange(f) = lit {
        let Some(t) = value_instant(v) else {
            return Ok(false);
        };
        let (start, end) = date_range(*f, now);
        return Ok(match op {
            CmpOp::Eq => t >= start && t < end,
            CmpOp::Ne => !(t >= start && t < end),
            CmpOp::Lt => t < start,
            CmpOp::Le => t < end,
            CmpOp::Gt => t >= end,
            CmpOp::Ge => t >= start,
        });
    }
    if let Literal::List(items) = lit {
        let mut any = false;
        for i in items {
            any |= compare_value(v, CmpOp::Eq, i, now)?;
        }
        return Ok(if op == CmpOp::Ne { !any } else { any });
    }
    let ord = match lit_ordering(v, lit) {
        Some(o) => o,
        None => return Ok(op == CmpOp::Ne),
    };
    Ok(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

/// Ordering of a row value against a literal, or None when they cannot be compared.
fn lit_ordering(v: &Value, lit: &Literal) -> Option<Ordering> {
    match lit {
        Literal::Bool(b) => {
            let x = match v {
                Value::Bool(x) => *x,
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                _ => return None,
            };
            Some(x.cmp(b))
        }
        Literal::Number(n) => {
            let x = match v {
                Value::Number(x) => x.as_f64()?,
                Value::String(s) => s.parse::<f64>().ok()?,
                _ => return None,
            };
            x.partial_cmp(n)
        }
        Literal::Text(t) => {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(compare_text(&s, t))
        }
        Literal::Date(d) => {
            let s = v.as_str()?;
            let rd = super::parser::parse_date(s)?;
            Some(rd.cmp(d))
        }
        Literal::DateTime(dt) => Some(value_instant(v)?.cmp(dt)),
        _ => None,
    }
}

/// Case-insensitive text comparison; 15- and 18-character ids of the same record are equal.
fn compare_text(a: &str, b: &str) -> Ordering {
    let is_id =
        |s: &str| (s.len() == 15 || s.len() == 18) && s.chars().all(|c| c.is_ascii_alphanumeric());
    if is_id(a) && is_id(b) && a.len() != b.len() {
        return a[..15].cmp(&b[..15]);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

fn value_instant(v: &Value) -> Option<OffsetDateTime> {
    let s = v.as_str()?;
    if s.len() == 10 {
        return super::parser::parse_date(s).map(|d| d.midnight().assume_utc());
    }
    parse_datetime(s)
}

/// Parses `2024-01-31T10:00:00Z`, `…000+0000`, `…+00:00` leniently.
pub fn parse_datetime(raw: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t);
    }
    // `+0000` offset without colon.
    let b = raw.as_bytes();
    if b.len() >= 5 && raw.is_ascii() {
        let tail = &raw[raw.len() - 5..];
        if (tail.starts_with('+') || tail.starts_with('-'))
            && tail[1..].chars().all(|c| c.is_ascii_digit())
        {
            let fixed = format!("{}:{}", &raw[..raw.len() - 2], &raw[raw.len() - 2..]);
            return OffsetDateTime::parse(&fixed, &Rfc3339).ok();
        }
    }
    None
}

/// [first day of the month `offset` months from `d`'s, first day of the month after).
fn month(d: time::Date, offset: i32) -> (OffsetDateTime, OffsetDateTime) {
    let first = |y: i32, m: i32| {
        let (y, m) = (y + (m - 1).div_euclid(12), (m - 1).rem_euclid(12) + 1);
        let month = time::Month::try_from(m as u8).unwrap_or(time::Month::January);
        time::Date::from_calendar_date(y, month, 1)
            .map(|d| d.midnight().assume_utc())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    let m = i32::from(u8::from(d.month())) + offset;
    (first(d.year(), m), first(d.year(), m + 1))
}

pub(super) fn date_range(f: DateFn, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let today = now.date().midnight().assume_utc();
    let day = Duration::days(1);
    match f {
        DateFn::Today => (today, today + day),
        DateFn::Yesterday => (today - day, today),
        DateFn::Tomorrow => (today + day, today + day * 2),
        DateFn::LastNDays(n) => (today - Duration::days(n), today + day),
        DateFn::NextNDays(n) => (today, today + Duration::days(n + 1)),
        DateFn::NDaysAgo(n) => (today - Duration::days(n), today - Duration::days(n - 1)),
        DateFn::ThisMonth => month(now.date(), 0),
        DateFn::LastMonth => month(now.date(), -1),
        DateFn::ThisWeek | DateFn::LastWeek => {
            let back = i64::from(now.date().weekday().number_days_from_sunday());
            let start = today
                - Duration::days(back)
                - if f == DateFn::LastWeek {
                    Duration::weeks(1)
                } else {
                    Duration::ZERO
                };
            (start, start + Duration::weeks(1))
        }
        DateFn::ThisYear | DateFn::LastYear => {
            let y = now.year() - i32::from(f == DateFn::LastYear);
            let jan1 = |y: i32| {
                time::Date::from_calendar_date(y, time::Month::January, 1)
                    .map(|d| d.midnight().assume_utc())
                    .unwrap_or(today)
            };
            (jan1(y), jan1(y + 1))
        }
    }
}

fn compare_rows(order: &[OrderItem], a: &Map<String, Value>, b: &Map<String, Value>) -> Ordering {
    for o in order {
        let (va, vb) = (lookup(a, &o.field.path), lookup(b, &o.field.path));
        // "By default, null values are sorted first" (SOQL reference), in either direction.
        let nulls_first = o.nulls_first.unwrap_or(true);
        let ord = match (va.is_null(), vb.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o2 = compare_json(&va, &vb);
                if o.descending { o2.reverse() } else { o2 }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_json(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => match (parse_datetime(x), parse_datetime(y)) {
            (Some(dx), Some(dy)) => dx.cmp(&dy),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        },
        _ => a.to_string().cmp(&b.to_string()),
    }
}
