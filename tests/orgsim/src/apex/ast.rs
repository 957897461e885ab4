//! The Apex subset's syntax tree. Every node that can fail at run time keeps its position
//! so exceptions report `line N, column M` as Salesforce does.

/// A type as written: `Integer`, `List<Account>`, `Map<Id, String>`, `Foo__c`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    pub name: String,
    pub args: Vec<TypeRef>,
}

impl TypeRef {
    /// `List<Account>` etc., as Apex prints it in messages.
    pub fn display(&self) -> String {
        if self.args.is_empty() {
            self.name.clone()
        } else {
            let args: Vec<String> = self.args.iter().map(TypeRef::display).collect();
            format!("{}<{}>", self.name, args.join(","))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmlOp {
    Insert,
    Update,
    Upsert,
    Delete,
    Undelete,
}

impl DmlOp {
    pub fn name(self) -> &'static str {
        match self {
            DmlOp::Insert => "Insert",
            DmlOp::Update => "Update",
            DmlOp::Upsert => "Upsert",
            DmlOp::Delete => "Delete",
            DmlOp::Undelete => "Undelete",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Stmt {
    VarDecl {
        ty: TypeRef,
        name: String,
        init: Option<Expr>,
        pos: Pos,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then: Box<Stmt>,
        otherwise: Option<Box<Stmt>>,
    },
    For {
        init: Vec<Stmt>,
        cond: Option<Expr>,
        update: Vec<Expr>,
        body: Box<Stmt>,
    },
    ForEach {
        ty: TypeRef,
        name: String,
        iter: Expr,
        body: Box<Stmt>,
        pos: Pos,
    },
    While {
        cond: Expr,
        body: Box<Stmt>,
    },
    DoWhile {
        body: Box<Stmt>,
        cond: Expr,
    },
    Block(Vec<Stmt>),
    Throw {
        expr: Expr,
        pos: Pos,
    },
    Dml {
        op: DmlOp,
        expr: Expr,
        pos: Pos,
    },
    Try {
        body: Vec<Stmt>,
        catches: Vec<Catch>,
        finally: Option<Vec<Stmt>>,
    },
    Break(Pos),
    Continue(Pos),
    Return(Option<Expr>, Pos),
    /// `class FooException extends Exception {}` (the only class form supported).
    ExceptionClass {
        name: String,
    },
    /// A method declared in the anonymous block: `[static] Integer twice(Integer n) { ... }`.
    Method(std::rc::Rc<Method>),
}

#[derive(Debug)]
pub struct Method {
    pub name: String,
    /// `None` for `void`.
    pub ret: Option<TypeRef>,
    pub params: Vec<(TypeRef, String)>,
    pub body: Vec<Stmt>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Catch {
    pub ty: TypeRef,
    pub name: String,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Dec(f64),
    Str(String),
}

#[derive(Debug, Clone)]
pub enum Expr {
    Lit(Lit, Pos),
    Var(String, Pos),
    Field {
        target: Box<Expr>,
        name: String,
        safe: bool,
        pos: Pos,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        pos: Pos,
    },
    Call {
        target: Option<Box<Expr>>,
        name: String,
        args: Vec<Expr>,
        pos: Pos,
    },
    /// `new T(args)`, `new T(Field = v, ...)`, `new List<T>{a, b}`, `new Map<K,V>{k => v}`.
    New {
        ty: TypeRef,
        args: Vec<Expr>,
        named: Vec<(String, Expr)>,
        list_init: Option<Vec<Expr>>,
        map_init: Option<Vec<(Expr, Expr)>>,
        pos: Pos,
    },
    Unary {
        op: &'static str,
        expr: Box<Expr>,
        pos: Pos,
    },
    Binary {
        op: &'static str,
        left: Box<Expr>,
        right: Box<Expr>,
        pos: Pos,
    },
    Assign {
        op: &'static str,
        target: Box<Expr>,
        value: Box<Expr>,
        pos: Pos,
    },
    IncDec {
        target: Box<Expr>,
        delta: i64,
        prefix: bool,
        pos: Pos,
    },
    Ternary {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
        pos: Pos,
    },
    InstanceOf {
        expr: Box<Expr>,
        ty: TypeRef,
        pos: Pos,
    },
    Cast {
        ty: TypeRef,
        expr: Box<Expr>,
        pos: Pos,
    },
    /// Inline SOQL; binds are `(placeholder, expression)` pairs.
    Soql {
        query: crate::soql::Query,
        binds: Vec<(String, Expr)>,
        pos: Pos,
    },
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Lit(_, p) | Expr::Var(_, p) => *p,
            Expr::Field { pos, .. }
            | Expr::Index { pos, .. }
            | Expr::Call { pos, .. }
            | Expr::New { pos, .. }
            | Expr::Unary { pos, .. }
            | Expr::Binary { pos, .. }
            | Expr::Assign { pos, .. }
            | Expr::IncDec { pos, .. }
            | Expr::Ternary { pos, .. }
            | Expr::InstanceOf { pos, .. }
            | Expr::Cast { pos, .. }
            | Expr::Soql { pos, .. } => *pos,
        }
    }
}
