//! The compile-time pass: types exist, variables are declared before use (no duplicates),
//! literal assignments fit their declared type, static methods exist, inline SOQL names
//! a known sObject. Errors carry line and column as Apex reports them.

use std::collections::{BTreeMap, BTreeSet};

use super::CompileError;
use super::ast::{Expr, Lit, Pos, Stmt, TypeRef};
use super::builtins::{BUILTIN_EXCEPTIONS, STATIC_CLASSES, static_method_exists};
use super::dml::{field_exists, is_sobject_type};
use crate::model::Org;

const PRIMITIVES: &[&str] = &[
    "integer",
    "long",
    "double",
    "decimal",
    "string",
    "boolean",
    "id",
    "object",
    "date",
    "datetime",
    "time",
    "blob",
    "sobject",
    "exception",
];

struct Checker<'a> {
    org: &'a Org,
    scopes: Vec<BTreeMap<String, TypeRef>>,
    exceptions: BTreeSet<String>,
    /// Methods declared in the block: lowercase name → parameter counts.
    methods: BTreeMap<String, Vec<usize>>,
}

pub fn check(program: &[Stmt], org: &Org) -> Result<(), CompileError> {
    let mut exceptions = BTreeSet::new();
    let mut methods: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for s in program {
        match s {
            Stmt::ExceptionClass { name } => {
                exceptions.insert(name.to_ascii_lowercase());
            }
            Stmt::Method(m) => {
                let arities = methods.entry(m.name.to_ascii_lowercase()).or_default();
                if arities.contains(&m.params.len()) {
                    return Err(CompileError::new(
                        m.pos.line,
                        m.pos.column,
                        format!("Method already defined: {}", m.name),
                    ));
                }
                arities.push(m.params.len());
            }
            _ => {}
        }
    }
    let mut c = Checker {
        org,
        scopes: vec![BTreeMap::new()],
        exceptions,
        methods,
    };
    c.stmts(program)
}

impl Checker<'_> {
    fn lookup(&self, name: &str) -> Option<&TypeRef> {
        let key = name.to_ascii_lowercase();
        self.scopes.iter().rev().find_map(|s| s.get(&key))
    }

    fn declare(&mut self, name: &str, ty: &TypeRef, pos: Pos) -> Result<(), CompileError> {
        if self.lookup(name).is_some() {
            return Err(CompileError::new(
                pos.line,
                pos.column,
                format!("Duplicate variable: {name}"),
            ));
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_ascii_lowercase(), ty.clone());
        }
        Ok(())
    }

    fn is_exception_type(&self, name: &str) -> bool {
        let short = name.strip_prefix("System.").unwrap_or(name);
        self.exceptions.contains(&short.to_ascii_lowercase())
            || BUILTIN_EXCEPTIONS
                .iter()
                .any(|e| e.eq_ignore_ascii_case(short))
    }

    fn check_type(&self, ty: &TypeRef, pos: Pos) -> Result<(), CompileError> {
        let lower = ty.name.to_ascii_lowercase();
        let ok = match lower.as_str() {
            "list" | "set" => ty.args.len() == 1,
            "map" => ty.args.len() == 2,
            _ => {
                ty.args.is_empty()
                    && (PRIMITIVES.contains(&lower.as_str())
                        || self.is_exception_type(&ty.name)
                        || is_sobject_type(self.org, &ty.name))
            }
        };
        if !ok {
            return Err(CompileError::new(
                pos.line,
                pos.column,
                format!("Invalid type: {}", ty.display()),
            ));
        }
        for a in &ty.args {
            self.check_type(a, pos)?;
        }
        Ok(())
    }

    fn scoped<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CompileError>,
    ) -> Result<T, CompileError> {
        self.scopes.push(BTreeMap::new());
        let r = f(self);
        self.scopes.pop();
        r
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> Result<(), CompileError> {
        for s in stmts {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), CompileError> {
        match s {
            Stmt::VarDecl {
                ty,
                name,
                init,
                pos,
            } => {
                self.check_type(ty, *pos)?;
                if let Some(e) = init {
                    self.expr(e)?;
                    if let Some(from) = literal_type(e)
                        && !assignable(from, ty)
                    {
                        let p = e.pos();
                        return Err(CompileError::new(
                            p.line,
                            p.column,
                            format!("Illegal assignment from {from} to {}", ty.display()),
                        ));
                    }
                }
                self.declare(name, ty, *pos)
            }
            Stmt::Expr(e) => self.expr(e),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond)?;
                self.scoped(|c| c.stmt(then))?;
                if let Some(o) = otherwise {
                    self.scoped(|c| c.stmt(o))?;
                }
                Ok(())
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => self.scoped(|c| {
                c.stmts(init)?;
                if let Some(e) = cond {
                    c.expr(e)?;
                }
                for u in update {
                    c.expr(u)?;
                }
                c.scoped(|c| c.stmt(body))
            }),
            Stmt::ForEach {
                ty,
                name,
                iter,
                body,
                pos,
            } => {
                self.check_type(ty, *pos)?;
                self.expr(iter)?;
                self.scoped(|c| {
                    c.declare(name, ty, *pos)?;
                    c.stmt(body)
                })
            }
            Stmt::While { cond, body } | Stmt::DoWhile { body, cond } => {
                self.expr(cond)?;
                self.scoped(|c| c.stmt(body))
            }
            Stmt::Block(b) => self.scoped(|c| c.stmts(b)),
            Stmt::Throw { expr, .. } | Stmt::Dml { expr, .. } => self.expr(expr),
            Stmt::Try {
                body,
                catches,
                finally,
            } => {
                self.scoped(|c| c.stmts(body))?;
                for catch in catches {
                    let pos = Pos { line: 0, column: 0 };
                    if !self.is_exception_type(&catch.ty.name) {
                        return Err(CompileError::new(
                            1,
                            1,
                            format!("Invalid type: {}", catch.ty.display()),
                        ));
                    }
                    self.scoped(|c| {
                        c.declare(&catch.name, &catch.ty, pos)?;
                        c.stmts(&catch.body)
                    })?;
                }
                if let Some(f) = finally {
                    self.scoped(|c| c.stmts(f))?;
                }
                Ok(())
            }
            Stmt::Method(m) => {
                // A method sees its parameters only, not the block's locals.
                let outer = std::mem::replace(&mut self.scopes, vec![BTreeMap::new()]);
                let r = (|| {
                    if let Some(t) = &m.ret {
                        self.check_type(t, m.pos)?;
                    }
                    for (ty, name) in &m.params {
                        self.check_type(ty, m.pos)?;
                        self.declare(name, ty, m.pos)?;
                    }
                    self.stmts(&m.body)
                })();
                self.scopes = outer;
                r
            }
            Stmt::Return(Some(e), _) => self.expr(e),
            Stmt::Return(None, _)
            | Stmt::Break(_)
            | Stmt::Continue(_)
            | Stmt::ExceptionClass { .. } => Ok(()),
        }
    }

    /// Whether `name` used as the target of `.x` names a class/sObject rather than a variable.
    fn is_static_target(&self, name: &str) -> bool {
        self.lookup(name).is_none()
            && (STATIC_CLASSES.iter().any(|c| c.eq_ignore_ascii_case(name))
                || is_sobject_type(self.org, name))
    }

    fn expr(&mut self, e: &Expr) -> Result<(), CompileError> {
        match e {
            Expr::Lit(..) => Ok(()),
            Expr::Var(name, pos) => {
                if self.lookup(name).is_some() {
                    Ok(())
                } else {
                    Err(CompileError::new(
                        pos.line,
                        pos.column,
                        format!("Variable does not exist: {name}"),
                    ))
                }
            }
            Expr::Field {
                target, name, pos, ..
            } => match target.as_ref() {
                Expr::Var(n, _) if self.is_static_target(n) => Ok(()),
                Expr::Var(n, _)
                    if self.lookup(n).is_some_and(|t| {
                        t.args.is_empty() && !field_exists(self.org, &t.name, name)
                    }) =>
                {
                    let ty = self.lookup(n).map(|t| t.name.clone()).unwrap_or_default();
                    Err(CompileError::new(
                        pos.line,
                        pos.column,
                        format!("Invalid field {name} for {ty}"),
                    ))
                }
                t => self.expr(t),
            },
            Expr::Index { target, index, .. } => {
                self.expr(target)?;
                self.expr(index)
            }
            Expr::Call {
                target,
                name,
                args,
                pos,
            } => {
                for a in args {
                    self.expr(a)?;
                }
                match target.as_deref() {
                    None if self
                        .methods
                        .get(&name.to_ascii_lowercase())
                        .is_some_and(|a| a.contains(&args.len())) =>
                    {
                        Ok(())
                    }
                    None => Err(CompileError::new(
                        pos.line,
                        pos.column,
                        format!(
                            "Method does not exist or incorrect signature: void {name}({}) from the type anon",
                            self.arg_types(args)
                        ),
                    )),
                    Some(Expr::Var(class, _)) if self.is_static_target(class) => {
                        if static_method_exists(class, name) || is_sobject_type(self.org, class) {
                            Ok(())
                        } else {
                            Err(CompileError::new(
                                pos.line,
                                pos.column,
                                format!(
                                    "Method does not exist or incorrect signature: void {name}({}) from the type {class}",
                                    self.arg_types(args)
                                ),
                            ))
                        }
                    }
                    Some(t) => self.expr(t),
                }
            }
            Expr::New {
                ty,
                args,
                named,
                list_init,
                map_init,
                pos,
            } => {
                self.check_type(ty, *pos)?;
                for a in args {
                    self.expr(a)?;
                }
                if let Some((f, _)) = named
                    .iter()
                    .find(|(f, _)| !field_exists(self.org, &ty.name, f))
                {
                    return Err(CompileError::new(
                        pos.line,
                        pos.column,
                        format!("Invalid field {f} for {}", ty.name),
                    ));
                }
                for (_, v) in named {
                    self.expr(v)?;
                }
                for v in list_init.iter().flatten() {
                    self.expr(v)?;
                }
                for (k, v) in map_init.iter().flatten() {
                    self.expr(k)?;
                    self.expr(v)?;
                }
                Ok(())
            }
            Expr::Unary { expr, .. } | Expr::IncDec { target: expr, .. } => self.expr(expr),
            Expr::InstanceOf { expr, ty, pos } | Expr::Cast { ty, expr, pos } => {
                self.check_type(ty, *pos)?;
                self.expr(expr)
            }
            Expr::Binary { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::Assign { target, value, .. } => {
                self.expr(target)?;
                self.expr(value)
            }
            Expr::Ternary {
                cond,
                then,
                otherwise,
                ..
            } => {
                self.expr(cond)?;
                self.expr(then)?;
                self.expr(otherwise)
            }
            Expr::Soql { query, binds, pos } => {
                if !is_sobject_type(self.org, &query.object) {
                    return Err(CompileError::new(
                        pos.line,
                        pos.column,
                        format!("sObject type '{}' is not supported.", query.object),
                    ));
                }
                let object = query.object.clone();
                query
                    .validate_fields(&|f| field_exists(self.org, &object, f))
                    .map_err(|e| CompileError::new(pos.line, pos.column, e.detail().to_owned()))?;
                for (_, b) in binds {
                    self.expr(b)?;
                }
                Ok(())
            }
        }
    }

    fn arg_types(&self, args: &[Expr]) -> String {
        let names: Vec<String> = args
            .iter()
            .map(|a| match a {
                Expr::Var(n, _) => self
                    .lookup(n)
                    .map(TypeRef::display)
                    .unwrap_or_else(|| "Object".into()),
                other => literal_type(other).unwrap_or("Object").to_owned(),
            })
            .collect();
        names.join(", ")
    }
}

fn literal_type(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::Lit(Lit::Str(_), _) => Some("String"),
        Expr::Lit(Lit::Int(_), _) => Some("Integer"),
        Expr::Lit(Lit::Dec(_), _) => Some("Decimal"),
        Expr::Lit(Lit::Bool(_), _) => Some("Boolean"),
        _ => None,
    }
}

fn assignable(from: &str, to: &TypeRef) -> bool {
    let to = to.name.to_ascii_lowercase();
    match from {
        "String" => matches!(to.as_str(), "string" | "id" | "object"),
        "Integer" => matches!(
            to.as_str(),
            "integer" | "long" | "decimal" | "double" | "object"
        ),
        "Decimal" => matches!(to.as_str(), "decimal" | "double" | "object"),
        "Boolean" => matches!(to.as_str(), "boolean" | "object"),
        _ => true,
    }
}
