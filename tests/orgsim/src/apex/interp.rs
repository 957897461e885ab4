//! Statement and expression evaluation. Governor limits are counted as on Salesforce; an
//! uncaught exception unwinds to `execute_anonymous`, which rolls the DML back.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::ast::{Catch, Expr, Lit, Method, Pos, Stmt, TypeRef};
pub use super::construct::{coerce, get_field};
use super::value::{ExceptionValue, Value};
use super::{Category, LogEvent, Usage};
use crate::model::Org;

pub const LIMIT_QUERIES: u32 = 100;
pub const LIMIT_QUERY_ROWS: u32 = 50_000;
pub const LIMIT_DML: u32 = 150;
pub const LIMIT_DML_ROWS: u32 = 10_000;
const LIMIT_STATEMENTS: u64 = 1_000_000;
/// A debug log stops growing at 20 MB, as on Salesforce.
const MAX_LOG_BYTES: usize = 20_000_000;

pub use super::thrown::{R, Thrown};

pub(super) enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

pub struct Interp<'a> {
    pub org: &'a mut Org,
    pub user_id: String,
    pub(super) scopes: Vec<BTreeMap<String, (TypeRef, Value)>>,
    pub custom_exceptions: BTreeSet<String>,
    /// Methods declared in the block, by lowercase name.
    pub(super) methods: BTreeMap<String, Vec<Rc<Method>>>,
    pub(super) call_depth: usize,
    pub events: Vec<LogEvent>,
    pub usage: Usage,
    nanos: u64,
    log_bytes: usize,
}

impl<'a> Interp<'a> {
    pub fn new(org: &'a mut Org, user_id: &str) -> Self {
        Self {
            org,
            user_id: user_id.to_owned(),
            scopes: vec![BTreeMap::new()],
            custom_exceptions: BTreeSet::new(),
            methods: BTreeMap::new(),
            call_depth: 0,
            events: Vec::new(),
            usage: Usage::default(),
            nanos: 1_000_000,
            log_bytes: 0,
        }
    }

    pub fn log(
        &mut self,
        name: &'static str,
        category: Category,
        level: &'static str,
        detail: String,
    ) {
        // Deterministic clock: 1 µs per statement, 50 µs per event.
        self.nanos =
            1_000_000 + self.usage.statements * 1_000 + (self.events.len() as u64 + 1) * 50_000;
        if self.usage.log_truncated {
            return;
        }
        self.log_bytes += name.len() + detail.len() + 32;
        if self.log_bytes > MAX_LOG_BYTES {
            self.usage.log_truncated = true;
            return;
        }
        self.events.push(LogEvent {
            name,
            detail,
            category,
            level,
            nanos: self.nanos,
        });
    }

    pub fn run(&mut self, program: &[Stmt]) -> R<()> {
        for s in program {
            match s {
                Stmt::ExceptionClass { name } => {
                    self.custom_exceptions.insert(name.clone());
                }
                Stmt::Method(m) => {
                    self.methods
                        .entry(m.name.to_ascii_lowercase())
                        .or_default()
                        .push(m.clone());
                }
                _ => {}
            }
        }
        let r = self.stmts(program);
        match r {
            Ok(_) => Ok(()),
            Err(t) => {
                let text = format!("{}: {}", t.type_name, t.message);
                if t.type_name != "System.DmlException" {
                    self.log(
                        "EXCEPTION_THROWN",
                        Category::ApexCode,
                        "INFO",
                        format!("[{}]|{text}", t.pos.line),
                    );
                }
                let trace = format!(
                    "AnonymousBlock: line {}, column {}",
                    t.pos.line, t.pos.column
                );
                self.log(
                    "FATAL_ERROR",
                    Category::ApexCode,
                    "ERROR",
                    format!("{text}\n\n{trace}"),
                );
                Err(t)
            }
        }
    }

    // ----- variables -------------------------------------------------------------------

    fn declare(&mut self, name: &str, ty: TypeRef, v: Value) {
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_ascii_lowercase(), (ty, v));
        }
    }

    pub fn var(&self, name: &str) -> Option<&(TypeRef, Value)> {
        let key = name.to_ascii_lowercase();
        self.scopes.iter().rev().find_map(|s| s.get(&key))
    }

    fn set_var(&mut self, name: &str, v: Value, pos: Pos) -> R<()> {
        let key = name.to_ascii_lowercase();
        for s in self.scopes.iter_mut().rev() {
            if let Some((ty, slot)) = s.get_mut(&key) {
                *slot = coerce(ty, v, pos)?;
                return Ok(());
            }
        }
        Err(Thrown::new(
            "System.NullPointerException",
            format!("Variable does not exist: {name}"),
            pos,
        ))
    }

    fn scoped<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.scopes.push(BTreeMap::new());
        let r = f(self);
        self.scopes.pop();
        r
    }

    // ----- statements ------------------------------------------------------------------

    pub(super) fn stmts(&mut self, stmts: &[Stmt]) -> R<Flow> {
        for s in stmts {
            match self.stmt(s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn tick(&mut self, pos: Pos) -> R<()> {
        self.usage.statements += 1;
        if self.usage.statements > LIMIT_STATEMENTS {
            return Err(Thrown::new(
                "System.LimitException",
                "Apex CPU time limit exceeded",
                pos,
            ));
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> R<Flow> {
        self.tick(stmt_pos(s))?;
        match s {
            Stmt::VarDecl {
                ty,
                name,
                init,
                pos,
            } => {
                let v = match init {
                    Some(e) => coerce(ty, self.eval(e)?, e.pos())?,
                    None => Value::Null,
                };
                let value_text = v.display();
                self.declare(name, ty.clone(), v);
                self.log(
                    "VARIABLE_ASSIGNMENT",
                    Category::ApexCode,
                    "FINEST",
                    format!("[{}]|{name}|{}", pos.line, short(&value_text)),
                );
                Ok(Flow::Normal)
            }
            Stmt::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                if self.cond(cond)? {
                    self.scoped(|it| it.stmt(then))
                } else if let Some(o) = otherwise {
                    self.scoped(|it| it.stmt(o))
                } else {
                    Ok(Flow::Normal)
                }
            }
            Stmt::While { cond, body } => {
                while self.cond(cond)? {
                    match self.scoped(|it| it.stmt(body))? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::DoWhile { body, cond } => {
                loop {
                    match self.scoped(|it| it.stmt(body))? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        _ => {}
                    }
                    if !self.cond(cond)? {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => self.scoped(|it| {
                it.stmts(init)?;
                loop {
                    if let Some(c) = cond
                        && !it.cond(c)?
                    {
                        break;
                    }
                    match it.scoped(|it| it.stmt(body))? {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        _ => {}
                    }
                    for u in update {
                        it.eval(u)?;
                    }
                    it.tick(Pos { line: 0, column: 0 })?;
                }
                Ok(Flow::Normal)
            }),
            Stmt::ForEach {
                ty,
                name,
                iter,
                body,
                pos,
            } => {
                let items = match self.eval(iter)? {
                    Value::List(l) | Value::Set(l) => l.borrow().clone(),
                    Value::Null => {
                        return Err(Thrown::new(
                            "System.NullPointerException",
                            "Attempt to de-reference a null object",
                            *pos,
                        ));
                    }
                    other => {
                        return Err(Thrown::new(
                            "System.TypeException",
                            format!("Cannot iterate over {}", other.type_name()),
                            *pos,
                        ));
                    }
                };
                for item in items {
                    let flow = self.scoped(|it| {
                        it.declare(name, ty.clone(), item);
                        it.stmt(body)
                    })?;
                    match flow {
                        Flow::Break => break,
                        f @ Flow::Return(_) => return Ok(f),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::Block(b) => self.scoped(|it| it.stmts(b)),
            Stmt::Throw { expr, pos } => match self.eval(expr)? {
                Value::Exception(e) => Err(Thrown::new(&e.type_name, e.message.clone(), *pos)),
                _ => Err(Thrown::new(
                    "System.TypeException",
                    "Only exceptions can be thrown",
                    *pos,
                )),
            },
            Stmt::Dml { op, expr, pos } => {
                let v = self.eval(expr)?;
                self.dml(*op, v, *pos)?;
                Ok(Flow::Normal)
            }
            Stmt::Try {
                body,
                catches,
                finally,
            } => {
                let r = self.scoped(|it| it.stmts(body));
                let r = match r {
                    Err(t) if t.type_name != "System.LimitException" => {
                        match self.find_catch(catches, &t) {
                            Some(c) => {
                                let ex = Value::Exception(Rc::new(ExceptionValue {
                                    type_name: t.type_name.clone(),
                                    message: t.message.clone(),
                                }));
                                self.scoped(|it| {
                                    it.declare(&c.name, c.ty.clone(), ex);
                                    it.stmts(&c.body)
                                })
                            }
                            None => Err(t),
                        }
                    }
                    other => other,
                };
                if let Some(f) = finally {
                    match self.scoped(|it| it.stmts(f))? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                r
            }
            Stmt::Break(_) => Ok(Flow::Break),
            Stmt::Continue(_) => Ok(Flow::Continue),
            Stmt::Return(v, _) => {
                let value = match v {
                    Some(e) => self.eval(e)?,
                    None => Value::Null,
                };
                Ok(Flow::Return(value))
            }
            Stmt::ExceptionClass { .. } | Stmt::Method(_) => Ok(Flow::Normal),
        }
    }

    fn find_catch<'c>(&self, catches: &'c [Catch], t: &Thrown) -> Option<&'c Catch> {
        let short = |n: &str| n.rsplit('.').next().unwrap_or(n).to_ascii_lowercase();
        catches.iter().find(|c| {
            let want = short(&c.ty.name);
            want == "exception" || want == short(&t.type_name)
        })
    }

    pub fn cond(&mut self, e: &Expr) -> R<bool> {
        match self.eval(e)? {
            Value::Bool(b) => Ok(b),
            Value::Null => Err(Thrown::new(
                "System.NullPointerException",
                "Attempt to de-reference a null object",
                e.pos(),
            )),
            other => Err(Thrown::new(
                "System.TypeException",
                format!(
                    "Invalid conversion from runtime type {} to Boolean",
                    other.type_name()
                ),
                e.pos(),
            )),
        }
    }

    // ----- expressions -----------------------------------------------------------------

    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        match e {
            Expr::Lit(l, _) => Ok(match l {
                Lit::Null => Value::Null,
                Lit::Bool(b) => Value::Bool(*b),
                Lit::Int(n) => Value::Int(*n),
                Lit::Dec(d) => Value::Dec(*d),
                Lit::Str(s) => Value::Str(s.clone()),
            }),
            Expr::Var(name, pos) => match self.var(name) {
                Some((_, v)) => Ok(v.clone()),
                None => Err(Thrown::new(
                    "System.NullPointerException",
                    format!("Variable does not exist: {name}"),
                    *pos,
                )),
            },
            Expr::Field {
                target,
                name,
                safe,
                pos,
            } => {
                if let Expr::Var(class, _) = target.as_ref()
                    && self.var(class).is_none()
                {
                    return super::builtins::static_field(class, name, *pos);
                }
                let t = self.eval(target)?;
                get_field(&t, name, *safe, *pos)
            }
            Expr::Index { target, index, pos } => {
                let t = self.eval(target)?;
                let i = self.eval(index)?;
                super::builtins::list_get(&t, &i, *pos)
            }
            Expr::Call {
                target,
                name,
                args,
                pos,
            } => {
                let mut argv = Vec::with_capacity(args.len());
                for a in args {
                    argv.push(self.eval(a)?);
                }
                match target.as_deref() {
                    Some(Expr::Var(class, _)) if self.var(class).is_none() => {
                        super::builtins::call_static(self, class, name, argv, *pos)
                    }
                    Some(t) => {
                        let safe = matches!(t, Expr::Field { safe: true, .. });
                        let recv = self.eval(t)?;
                        if safe && matches!(recv, Value::Null) {
                            return Ok(Value::Null);
                        }
                        super::builtins::call_method(recv, name, argv, *pos)
                    }
                    None => self.invoke(name, argv, *pos),
                }
            }
            Expr::New {
                ty,
                args,
                named,
                list_init,
                map_init,
                ..
            } => self.construct(ty, args, named, list_init.as_deref(), map_init.as_deref()),
            Expr::Unary { op, expr, pos } => {
                let v = self.eval(expr)?;
                super::builtins::unary(op, v, *pos)
            }
            Expr::Binary {
                op,
                left,
                right,
                pos,
            } => {
                if *op == "&&" || *op == "||" {
                    let l = self.cond(left)?;
                    if (*op == "&&" && !l) || (*op == "||" && l) {
                        return Ok(Value::Bool(l));
                    }
                    return Ok(Value::Bool(self.cond(right)?));
                }
                let l = self.eval(left)?;
                let r = self.eval(right)?;
                super::builtins::binary(op, l, r, *pos)
            }
            Expr::Assign {
                op,
                target,
                value,
                pos,
            } => {
                let mut v = self.eval(value)?;
                if *op != "=" {
                    let cur = self.eval(target)?;
                    v = super::builtins::binary(&op[..1], cur, v, *pos)?;
                }
                self.assign(target, v.clone(), *pos)?;
                Ok(v)
            }
            Expr::IncDec {
                target,
                delta,
                prefix,
                pos,
            } => {
                let cur = self.eval(target)?;
                let next = super::builtins::binary("+", cur.clone(), Value::Int(*delta), *pos)?;
                self.assign(target, next.clone(), *pos)?;
                Ok(if *prefix { next } else { cur })
            }
            Expr::Ternary {
                cond,
                then,
                otherwise,
                ..
            } => {
                if self.cond(cond)? {
                    self.eval(then)
                } else {
                    self.eval(otherwise)
                }
            }
            Expr::InstanceOf { expr, ty, .. } => {
                let v = self.eval(expr)?;
                Ok(Value::Bool(super::builtins::instance_of(&v, ty)))
            }
            Expr::Cast { ty, expr, pos } => {
                let v = self.eval(expr)?;
                coerce(ty, v, *pos)
            }
            Expr::Soql { query, binds, pos } => self.soql(query, binds, *pos),
        }
    }

    fn assign(&mut self, target: &Expr, v: Value, pos: Pos) -> R<()> {
        match target {
            Expr::Var(name, _) => self.set_var(name, v, pos),
            Expr::Field { target, name, .. } => match self.eval(target)? {
                Value::SObject(s) => {
                    let mut s = s.borrow_mut();
                    let key = s
                        .fields
                        .keys()
                        .find(|k| k.eq_ignore_ascii_case(name))
                        .cloned()
                        .unwrap_or_else(|| name.clone());
                    s.fields.insert(key, v.to_json());
                    Ok(())
                }
                Value::Null => Err(Thrown::new(
                    "System.NullPointerException",
                    "Attempt to de-reference a null object",
                    pos,
                )),
                other => Err(Thrown::new(
                    "System.TypeException",
                    format!("Cannot set field {name} on {}", other.type_name()),
                    pos,
                )),
            },
            Expr::Index { target, index, .. } => {
                let t = self.eval(target)?;
                let i = self.eval(index)?;
                super::builtins::list_set(&t, &i, v, pos)
            }
            _ => Err(Thrown::new(
                "System.TypeException",
                "Invalid assignment target",
                pos,
            )),
        }
    }
}

/// At most 200 characters of a value in a log line.
fn short(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

fn stmt_pos(s: &Stmt) -> Pos {
    match s {
        Stmt::VarDecl { pos, .. }
        | Stmt::ForEach { pos, .. }
        | Stmt::Throw { pos, .. }
        | Stmt::Dml { pos, .. } => *pos,
        Stmt::Expr(e) => e.pos(),
        Stmt::If { cond, .. } | Stmt::While { cond, .. } => cond.pos(),
        Stmt::Break(p) | Stmt::Continue(p) | Stmt::Return(_, p) => *p,
        _ => Pos { line: 0, column: 0 },
    }
}
