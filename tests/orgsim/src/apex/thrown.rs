//! An Apex exception in flight: its type (`System.DmlException`, a custom name), message and
//! the position it was raised at, as `exceptionMessage`/`exceptionStackTrace` report them.

use super::ast::Pos;

/// An exception in flight.
#[derive(Debug, Clone)]
pub struct Thrown {
    pub type_name: String,
    pub message: String,
    pub pos: Pos,
}

impl Thrown {
    pub fn new(type_name: &str, message: impl Into<String>, pos: Pos) -> Self {
        Self {
            type_name: type_name.to_owned(),
            message: message.into(),
            pos,
        }
    }
}

pub type R<T> = Result<T, Thrown>;
