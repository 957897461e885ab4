//! Apex `Date` and `Datetime`: constructors, conversions from record strings, and the
//! instance methods scripts use (addDays, addMonths, daysBetween, year/month/day, format).

use time::{Date, Duration, Month};

use super::ast::Pos;
use super::builtins::{arg, int_arg, no_method};
use super::interp::{R, Thrown};
use super::value::Value;

fn bad(text: &str, pos: Pos) -> Thrown {
    Thrown::new(
        "System.TypeException",
        format!("Invalid date/time: {text}"),
        pos,
    )
}

pub fn ymd(y: i64, m: i64, d: i64, pos: Pos) -> R<Date> {
    let month = u8::try_from(m).ok().and_then(|m| Month::try_from(m).ok());
    match (i32::try_from(y).ok(), month, u8::try_from(d).ok()) {
        (Some(y), Some(m), Some(d)) => {
            Date::from_calendar_date(y, m, d).map_err(|_| bad(&format!("{y}-{m}-{d}"), pos))
        }
        _ => Err(bad(&format!("{y}-{m}-{d}"), pos)),
    }
}

/// `Date.valueOf('2024-01-31')`, or a record's date string.
pub fn to_date(v: &Value, pos: Pos) -> R<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Date(d) => Ok(Value::Date(*d)),
        Value::Datetime(t) => Ok(Value::Date(t.date())),
        Value::Str(s) => crate::soql::parse_date(s)
            .map(Value::Date)
            .ok_or_else(|| bad(s, pos)),
        other => Err(bad(&other.display(), pos)),
    }
}

/// `Datetime.valueOf('2024-01-31 10:00:00')`, or a record's datetime string.
pub fn to_datetime(v: &Value, pos: Pos) -> R<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Datetime(t) => Ok(Value::Datetime(*t)),
        Value::Date(d) => Ok(Value::Datetime(d.midnight().assume_utc())),
        Value::Str(s) => {
            let iso = if s.len() == 19 && s.as_bytes().get(10) == Some(&b' ') {
                format!("{}T{}Z", &s[..10], &s[11..])
            } else {
                s.clone()
            };
            crate::soql::parse_datetime(&iso)
                .or_else(|| crate::soql::parse_date(s).map(|d| d.midnight().assume_utc()))
                .map(Value::Datetime)
                .ok_or_else(|| bad(s, pos))
        }
        other => Err(bad(&other.display(), pos)),
    }
}

fn add_months(d: Date, n: i64, pos: Pos) -> R<Date> {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + n;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let first = ymd(y, m, 1, pos)?;
    let last_day = first.month().length(first.year());
    ymd(y, m, i64::from(d.day().min(last_day)), pos)
}

pub fn method(v: &Value, m: &str, args: &[Value], pos: Pos) -> R<Value> {
    let n = || int_arg(args, 0, pos);
    Ok(match (v, m) {
        (Value::Date(d), "adddays") => Value::Date(*d + Duration::days(n()?)),
        (Value::Date(d), "addmonths") => Value::Date(add_months(*d, n()?, pos)?),
        (Value::Date(d), "addyears") => Value::Date(add_months(*d, n()? * 12, pos)?),
        (Value::Date(d), "daysbetween") => match arg(args, 0) {
            Value::Date(o) => Value::Int((o - *d).whole_days()),
            _ => return Err(bad("daysBetween needs a Date", pos)),
        },
        (Value::Date(d), "year") => Value::Int(i64::from(d.year())),
        (Value::Date(d), "month") => Value::Int(i64::from(u8::from(d.month()))),
        (Value::Date(d), "day") => Value::Int(i64::from(d.day())),
        (Value::Date(d), "format") => {
            Value::Str(format!("{}/{}/{}", u8::from(d.month()), d.day(), d.year()))
        }
        (Value::Datetime(t), "adddays") => Value::Datetime(*t + Duration::days(n()?)),
        (Value::Datetime(t), "addhours") => Value::Datetime(*t + Duration::hours(n()?)),
        (Value::Datetime(t), "addminutes") => Value::Datetime(*t + Duration::minutes(n()?)),
        (Value::Datetime(t), "addseconds") => Value::Datetime(*t + Duration::seconds(n()?)),
        (Value::Datetime(t), "date" | "dategmt") => Value::Date(t.date()),
        (Value::Datetime(t), "year") => Value::Int(i64::from(t.year())),
        (Value::Datetime(t), "month") => Value::Int(i64::from(u8::from(t.month()))),
        (Value::Datetime(t), "day") => Value::Int(i64::from(t.day())),
        (Value::Datetime(t), "hour") => Value::Int(i64::from(t.hour())),
        (Value::Datetime(t), "minute") => Value::Int(i64::from(t.minute())),
        (Value::Datetime(t), "gettime") => {
            Value::Int((t.unix_timestamp_nanos() / 1_000_000) as i64)
        }
        (Value::Datetime(_), "format" | "formatgmt") => Value::Str(v.display()),
        (other, _) => return Err(no_method(&other.type_name(), m, pos)),
    })
}
