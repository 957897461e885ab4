//! Statement and expression evaluation. Governor limits are counted as on Salesforce; an
//! uncaught exception unwinds to `execute_anonymous`, which rolls the DML back.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use serde_json::Map;

use super::ast::{Catch, Expr, Lit, Pos, Stmt, TypeRef};
use super::dml;
use super::value::{ExceptionValue, Value, json_to_value};
use super::{Category, LogEvent, Usage};
use crate::model::Org;

pub const LIMIT_QUERIES: u32 = 100;
pub const LIMIT_QUERY_ROWS: u32 = 50_000;
pub const LIMIT_DML: u32 = 150;
pub const LIMIT_DML_ROWS: u32 = 10_000;
const LIMIT_STATEMENTS: u64 = 1_000_000;

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

enum Flow {
    Normal,
    Break,
    Continue,
    Return,
}

pub struct Interp<'a> {
    pub org: &'a mut Org,
    pub user_id: String,
    scopes: Vec<BTreeMap<String, (TypeRef, Value)>>,
    pub custom_exceptions: BTreeSet<String>,
    pub events: Vec<LogEvent>,
    pub usage: Usage,
    nanos: u64,
}

impl<'a> Interp<'a> {
    pub fn new(org: &'a mut Org, user_id: &str) -> Self {
        Self {
            org,
            user_id: user_id.to_owned(),
            scopes: vec![BTreeMap::new()],
            custom_exceptions: BTreeSet::new(),
            events: Vec::new(),
            usage: Usage::default(),
            nanos: 1_000_000,
        }
    }

    pub fn log(
        &mut self,
        name: &'static str,
        category: Category,
        level: &'static str,
        detail: String,
    ) {
        self.nanos += 250_000 + self.usage.statements * 1_000;
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
            if let Stmt::ExceptionClass { name } = s {
                self.custom_exceptions.insert(name.clone());
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

    fn stmts(&mut self, stmts: &[Stmt]) -> R<Flow> {
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
                self.declare(name, ty.clone(), v);
                self.log(
                    "VARIABLE_ASSIGNMENT",
                    Category::ApexCode,
                    "FINEST",
                    format!("[{}]|{name}", pos.line),
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
                        Flow::Return => return Ok(Flow::Return),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            Stmt::DoWhile { body, cond } => {
                loop {
                    match self.scoped(|it| it.stmt(body))? {
                        Flow::Break => break,
                        Flow::Return => return Ok(Flow::Return),
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
                        Flow::Return => return Ok(Flow::Return),
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
                        Flow::Return => return Ok(Flow::Return),
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
                if let Some(e) = v {
                    self.eval(e)?;
                }
                Ok(Flow::Return)
            }
            Stmt::ExceptionClass { .. } => Ok(Flow::Normal),
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

    // ----- DML and SOQL ----------------------------------------------------------------

    fn dml(&mut self, op: super::ast::DmlOp, v: Value, pos: Pos) -> R<()> {
        let targets: Vec<Rc<RefCell<super::value::SObj>>> = match v {
            Value::SObject(s) => vec![s],
            Value::List(l) => {
                let mut out = Vec::new();
                for item in l.borrow().iter() {
                    match item {
                        Value::SObject(s) => out.push(s.clone()),
                        _ => {
                            return Err(Thrown::new(
                                "System.NullPointerException",
                                "Attempt to de-reference a null object",
                                pos,
                            ));
                        }
                    }
                }
                out
            }
            Value::Null => {
                return Err(Thrown::new(
                    "System.NullPointerException",
                    "Attempt to de-reference a null object",
                    pos,
                ));
            }
            other => {
                return Err(Thrown::new(
                    "System.TypeException",
                    format!(
                        "DML requires SObject or SObject list type: {}",
                        other.type_name()
                    ),
                    pos,
                ));
            }
        };
        self.usage.dml_statements += 1;
        if self.usage.dml_statements > LIMIT_DML {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many DML statements: {}", self.usage.dml_statements),
                pos,
            ));
        }
        self.usage.dml_rows += targets.len() as u32;
        if self.usage.dml_rows > LIMIT_DML_ROWS {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many DML rows: {}", self.usage.dml_rows),
                pos,
            ));
        }
        let sobject = targets
            .first()
            .map(|t| t.borrow().sobject.clone())
            .unwrap_or_else(|| "SObject".into());
        self.log(
            "DML_BEGIN",
            Category::Db,
            "INFO",
            format!(
                "[{}]|Op:{}|Type:{}|Rows:{}",
                pos.line,
                op.name(),
                sobject,
                targets.len()
            ),
        );
        let items: Vec<(String, Map<String, serde_json::Value>)> = targets
            .iter()
            .map(|t| (t.borrow().sobject.clone(), t.borrow().fields.clone()))
            .collect();
        let user = self.user_id.clone();
        let result = dml::apply(self.org, &user, op, &items);
        self.log("DML_END", Category::Db, "INFO", format!("[{}]", pos.line));
        match result {
            Ok(ids) => {
                if op == super::ast::DmlOp::Insert || op == super::ast::DmlOp::Upsert {
                    for (t, id) in targets.iter().zip(ids) {
                        t.borrow_mut()
                            .fields
                            .insert("Id".into(), serde_json::Value::String(id));
                    }
                }
                Ok(())
            }
            Err(dml::DmlError(msg)) => {
                self.log(
                    "EXCEPTION_THROWN",
                    Category::ApexCode,
                    "INFO",
                    format!("[{}]|System.DmlException: {msg}", pos.line),
                );
                Err(Thrown::new("System.DmlException", msg, pos))
            }
        }
    }

    pub fn soql(
        &mut self,
        query: &crate::soql::Query,
        binds: &[(String, Expr)],
        pos: Pos,
    ) -> R<Value> {
        let mut bound = BTreeMap::new();
        for (name, e) in binds {
            bound.insert(name.clone(), to_literal(&self.eval(e)?));
        }
        let q = query
            .bind(&|n| bound.get(n).cloned())
            .map_err(|e| Thrown::new("System.QueryException", e.detail().to_owned(), pos))?;
        self.run_query(&q, pos)
    }

    pub fn run_query(&mut self, q: &crate::soql::Query, pos: Pos) -> R<Value> {
        self.usage.soql_queries += 1;
        if self.usage.soql_queries > LIMIT_QUERIES {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many SOQL queries: {}", self.usage.soql_queries),
                pos,
            ));
        }
        let Some(object) = dml::canonical_sobject(self.org, &q.object) else {
            return Err(Thrown::new(
                "System.QueryException",
                format!("sObject type '{}' is not supported.", q.object),
                pos,
            ));
        };
        self.log(
            "SOQL_EXECUTE_BEGIN",
            Category::Db,
            "INFO",
            format!("[{}]|Aggregations:0|{}", pos.line, q.text.trim()),
        );
        let rows = dml::rows(self.org, &object);
        let out = crate::soql::execute(q, &rows)
            .map_err(|e| Thrown::new("System.QueryException", e.detail().to_owned(), pos))?;
        self.usage.query_rows += out.len() as u32;
        self.log(
            "SOQL_EXECUTE_END",
            Category::Db,
            "INFO",
            format!("[{}]|Rows:{}", pos.line, out.len()),
        );
        if self.usage.query_rows > LIMIT_QUERY_ROWS {
            return Err(Thrown::new(
                "System.LimitException",
                format!("Too many query rows: {}", self.usage.query_rows),
                pos,
            ));
        }
        if q.is_count() {
            return Ok(Value::Int(out.len() as i64));
        }
        Ok(Value::list(
            out.into_iter()
                .map(|m| json_to_value(&serde_json::Value::Object(m)))
                .collect(),
        ))
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
                    None => Err(Thrown::new(
                        "System.NullPointerException",
                        format!("Method does not exist: {name}"),
                        *pos,
                    )),
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

    fn construct(
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

pub fn get_field(t: &Value, name: &str, safe: bool, pos: Pos) -> R<Value> {
    match t {
        Value::SObject(s) => {
            let s = s.borrow();
            Ok(s.fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| json_to_value(v))
                .unwrap_or(Value::Null))
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

fn to_literal(v: &Value) -> crate::soql::Literal {
    use crate::soql::Literal;
    match v {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Int(n) => Literal::Number(*n as f64),
        Value::Dec(d) => Literal::Number(*d),
        Value::Str(s) | Value::Level(s) => Literal::Text(s.clone()),
        Value::List(l) | Value::Set(l) => {
            Literal::List(l.borrow().iter().map(to_literal).collect())
        }
        Value::Map(m) => Literal::List(m.borrow().iter().map(|(k, _)| to_literal(k)).collect()),
        Value::SObject(s) => match s.borrow().fields.get("Id").and_then(|v| v.as_str()) {
            Some(id) => Literal::Text(id.to_owned()),
            None => Literal::Null,
        },
        Value::Exception(e) => Literal::Text(e.message.clone()),
    }
}
