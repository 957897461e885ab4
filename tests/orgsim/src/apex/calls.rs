//! Calls of methods declared in the anonymous block: a fresh scope with only the
//! parameters, the return value converted to the declared type, Apex's stack-depth limit.

use std::collections::BTreeMap;

use super::Category;
use super::ast::Pos;
use super::interp::{Flow, Interp, R, Thrown, coerce};
use super::value::Value;

/// Apex's call-stack limit.
const MAX_CALL_DEPTH: usize = 1000;

impl Interp<'_> {
    /// Calls a method declared in the block: a fresh scope holding only its parameters.
    pub(super) fn invoke(&mut self, name: &str, args: Vec<Value>, pos: Pos) -> R<Value> {
        let Some(m) = self
            .methods
            .get(&name.to_ascii_lowercase())
            .and_then(|ms| ms.iter().find(|m| m.params.len() == args.len()))
            .cloned()
        else {
            return Err(Thrown::new(
                "System.NullPointerException",
                format!("Method does not exist: {name}"),
                pos,
            ));
        };
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Maximum stack depth reached: {}", self.call_depth + 1),
                pos,
            ));
        }
        let mut frame = BTreeMap::new();
        for ((ty, pname), v) in m.params.iter().zip(args) {
            frame.insert(
                pname.to_ascii_lowercase(),
                (ty.clone(), coerce(ty, v, pos)?),
            );
        }
        self.log(
            "METHOD_ENTRY",
            Category::ApexCode,
            "FINE",
            format!("[{}]||AnonymousBlock.{}()", pos.line, m.name),
        );
        let outer = std::mem::replace(&mut self.scopes, vec![frame]);
        self.call_depth += 1;
        let r = self.stmts(&m.body);
        self.call_depth -= 1;
        self.scopes = outer;
        self.log(
            "METHOD_EXIT",
            Category::ApexCode,
            "FINE",
            format!("[{}]|AnonymousBlock.{}()", pos.line, m.name),
        );
        match r? {
            Flow::Return(v) => match &m.ret {
                Some(t) => coerce(t, v, pos),
                None => Ok(Value::Null),
            },
            _ => Ok(Value::Null),
        }
    }
}
