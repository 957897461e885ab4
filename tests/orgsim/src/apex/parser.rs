//! Statement parser of the Apex subset (expressions are in `parse_expr.rs`). Any construct
//! outside the subset is a compile error at its token, worded as Salesforce words it.

use super::CompileError;
use super::ast::{Catch, DmlOp, Method, Pos, Stmt, TypeRef};
use super::lexer::{Tok, Token, lex};

pub fn parse_program(src: &str) -> Result<Vec<Stmt>, CompileError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let mut out = Vec::new();
    while p.peek().tok != Tok::Eof {
        out.push(p.statement()?);
    }
    Ok(out)
}

pub struct Parser {
    pub tokens: Vec<Token>,
    pub pos: usize,
    /// Current nesting (statements, unary operands, binary chains), bounded so hostile code
    /// cannot exhaust the stack of the parser or the evaluator.
    pub depth: usize,
}

/// Deepest nesting the parser accepts.
pub const MAX_DEPTH: usize = 200;

const MODIFIERS: &[&str] = &[
    "public",
    "private",
    "global",
    "virtual",
    "with",
    "without",
    "sharing",
    "inherited",
];

impl Parser {
    pub fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    pub fn peek_at(&self, n: usize) -> &Token {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)]
    }

    pub fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    pub fn here(&self) -> Pos {
        let t = self.peek();
        Pos {
            line: t.line,
            column: t.column,
        }
    }

    pub fn unexpected(&self, t: &Token) -> CompileError {
        CompileError::new(
            t.line,
            t.column,
            format!("Unexpected token '{}'.", t.tok.shown()),
        )
    }

    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek().tok, Tok::Punct(x) if x == p)
    }

    pub fn eat_punct(&mut self, p: &str) -> bool {
        let hit = self.is_punct(p);
        if hit {
            self.pos += 1;
        }
        hit
    }

    pub fn expect_punct(&mut self, p: &str) -> Result<(), CompileError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.unexpected(self.peek()))
        }
    }

    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    pub fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn semicolon(&mut self) -> Result<(), CompileError> {
        if self.eat_punct(";") {
            return Ok(());
        }
        let t = self.peek();
        Err(CompileError::new(
            t.line,
            t.column,
            format!("Missing ';' at '{}'", t.tok.shown()),
        ))
    }

    pub fn ident(&mut self) -> Result<String, CompileError> {
        let t = self.next();
        match &t.tok {
            Tok::Ident(s) if !super::is_reserved(s) => Ok(s.clone()),
            _ => Err(self.unexpected(&t)),
        }
    }

    /// `Name`, `System.Type`, `List<T>`, `Map<K,V>`, `T[]`.
    pub fn type_ref(&mut self) -> Result<TypeRef, CompileError> {
        let mut name = self.ident()?;
        while self.is_punct(".") && matches!(self.peek_at(1).tok, Tok::Ident(_)) {
            self.pos += 1;
            name = format!("{name}.{}", self.ident()?);
        }
        let mut args = Vec::new();
        if self.eat_punct("<") {
            loop {
                args.push(self.type_ref()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            // `>>` never lexes (no shift operators), so a nested close is two `>`.
            self.expect_punct(">")?;
        }
        let mut ty = TypeRef { name, args };
        while self.is_punct("[") && matches!(self.peek_at(1).tok, Tok::Punct("]")) {
            self.pos += 2;
            ty = TypeRef {
                name: "List".into(),
                args: vec![ty],
            };
        }
        Ok(ty)
    }

    /// Tries `Type name` followed by `=`, `;`, `,` or `:`; rewinds when it is not a declaration.
    fn try_decl_head(&mut self) -> Option<(TypeRef, String, Pos)> {
        let save = self.pos;
        if let Ok(ty) = self.type_ref() {
            let pos = self.here();
            if let Ok(name) = self.ident()
                && matches!(self.peek().tok, Tok::Punct("=" | ";" | "," | ":"))
            {
                return Some((ty, name, pos));
            }
        }
        self.pos = save;
        None
    }

    pub fn block(&mut self) -> Result<Vec<Stmt>, CompileError> {
        self.expect_punct("{")?;
        let mut out = Vec::new();
        while !self.is_punct("}") {
            if self.peek().tok == Tok::Eof {
                return Err(self.unexpected(self.peek()));
            }
            out.push(self.statement()?);
        }
        self.pos += 1;
        Ok(out)
    }

    /// Runs `f` one nesting level deeper; too deep is a compile error at the current token.
    pub fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CompileError>,
    ) -> Result<T, CompileError> {
        if self.depth >= MAX_DEPTH {
            let t = self.peek();
            return Err(CompileError::new(
                t.line,
                t.column,
                "Expression is too deeply nested.",
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    pub fn statement(&mut self) -> Result<Stmt, CompileError> {
        self.nested(Self::statement_inner)
    }

    fn statement_inner(&mut self) -> Result<Stmt, CompileError> {
        let pos = self.here();
        if self.is_punct("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        if self.eat_punct(";") {
            return Ok(Stmt::Block(Vec::new()));
        }
        let word = match &self.peek().tok {
            Tok::Ident(w) => w.to_ascii_lowercase(),
            _ => String::new(),
        };
        match word.as_str() {
            "if" => {
                self.pos += 1;
                self.expect_punct("(")?;
                let cond = self.expr()?;
                self.expect_punct(")")?;
                let then = Box::new(self.statement()?);
                let otherwise = if self.eat_kw("else") {
                    Some(Box::new(self.statement()?))
                } else {
                    None
                };
                Ok(Stmt::If {
                    cond,
                    then,
                    otherwise,
                })
            }
            "while" => {
                self.pos += 1;
                self.expect_punct("(")?;
                let cond = self.expr()?;
                self.expect_punct(")")?;
                Ok(Stmt::While {
                    cond,
                    body: Box::new(self.statement()?),
                })
            }
            "do" => {
                self.pos += 1;
                let body = Box::new(self.statement()?);
                if !self.eat_kw("while") {
                    return Err(self.unexpected(self.peek()));
                }
                self.expect_punct("(")?;
                let cond = self.expr()?;
                self.expect_punct(")")?;
                self.semicolon()?;
                Ok(Stmt::DoWhile { body, cond })
            }
            "for" => self.for_statement(),
            "try" => {
                self.pos += 1;
                let body = self.block()?;
                let mut catches = Vec::new();
                while self.eat_kw("catch") {
                    self.expect_punct("(")?;
                    let ty = self.type_ref()?;
                    let name = self.ident()?;
                    self.expect_punct(")")?;
                    catches.push(Catch {
                        ty,
                        name,
                        body: self.block()?,
                    });
                }
                let finally = if self.eat_kw("finally") {
                    Some(self.block()?)
                } else {
                    None
                };
                if catches.is_empty() && finally.is_none() {
                    return Err(self.unexpected(self.peek()));
                }
                Ok(Stmt::Try {
                    body,
                    catches,
                    finally,
                })
            }
            "throw" => {
                self.pos += 1;
                let expr = self.expr()?;
                self.semicolon()?;
                Ok(Stmt::Throw { expr, pos })
            }
            "return" => {
                self.pos += 1;
                let value = if self.is_punct(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.semicolon()?;
                Ok(Stmt::Return(value, pos))
            }
            "break" | "continue" => {
                self.pos += 1;
                self.semicolon()?;
                Ok(if word == "break" {
                    Stmt::Break(pos)
                } else {
                    Stmt::Continue(pos)
                })
            }
            "insert" | "update" | "upsert" | "delete" | "undelete" => {
                self.pos += 1;
                let op = match word.as_str() {
                    "insert" => DmlOp::Insert,
                    "update" => DmlOp::Update,
                    "upsert" => DmlOp::Upsert,
                    "delete" => DmlOp::Delete,
                    _ => DmlOp::Undelete,
                };
                let expr = self.expr()?;
                self.semicolon()?;
                Ok(Stmt::Dml { op, expr, pos })
            }
            w if MODIFIERS.contains(&w) || w == "class" || w == "static" => {
                let save = self.pos;
                while matches!(&self.peek().tok, Tok::Ident(w)
                    if MODIFIERS.contains(&w.to_ascii_lowercase().as_str()) || w.eq_ignore_ascii_case("static"))
                {
                    self.pos += 1;
                }
                if self.is_kw("class") {
                    self.pos = save;
                    return self.class_decl();
                }
                match self.try_method()? {
                    Some(m) => Ok(m),
                    None => Err(self.unexpected(self.peek())),
                }
            }
            _ => {
                if let Some(m) = self.try_method()? {
                    return Ok(m);
                }
                self.eat_kw("final");
                if let Some((ty, name, pos)) = self.try_decl_head() {
                    let mut decls = vec![self.finish_decl(ty.clone(), name, pos)?];
                    while self.eat_punct(",") {
                        let pos = self.here();
                        let name = self.ident()?;
                        decls.push(self.finish_decl(ty.clone(), name, pos)?);
                    }
                    self.semicolon()?;
                    return Ok(if decls.len() == 1 {
                        decls.remove(0)
                    } else {
                        Stmt::Block(decls)
                    });
                }
                let e = self.expr()?;
                self.semicolon()?;
                Ok(Stmt::Expr(e))
            }
        }
    }

    /// `void name(T a, U b) { ... }` or `T name(...) { ... }`; `None` (rewound) when the
    /// tokens are not a method head.
    fn try_method(&mut self) -> Result<Option<Stmt>, CompileError> {
        let save = self.pos;
        let ret = if self.eat_kw("void") {
            None
        } else {
            match self.type_ref() {
                Ok(t) => Some(t),
                Err(_) => {
                    self.pos = save;
                    return Ok(None);
                }
            }
        };
        let pos = self.here();
        let is_head = matches!(&self.peek().tok, Tok::Ident(w) if !super::is_reserved(w))
            && matches!(self.peek_at(1).tok, Tok::Punct("("));
        if !is_head {
            self.pos = save;
            return Ok(None);
        }
        let name = self.ident()?;
        self.expect_punct("(")?;
        let mut params = Vec::new();
        if !self.eat_punct(")") {
            loop {
                self.eat_kw("final");
                let ty = self.type_ref()?;
                params.push((ty, self.ident()?));
                if self.eat_punct(")") {
                    break;
                }
                self.expect_punct(",")?;
            }
        }
        if !self.is_punct("{") {
            self.pos = save;
            return Ok(None);
        }
        let body = self.block()?;
        Ok(Some(Stmt::Method(std::rc::Rc::new(Method {
            name,
            ret,
            params,
            body,
            pos,
        }))))
    }

    fn finish_decl(&mut self, ty: TypeRef, name: String, pos: Pos) -> Result<Stmt, CompileError> {
        let init = if self.eat_punct("=") {
            Some(self.expr()?)
        } else {
            None
        };
        Ok(Stmt::VarDecl {
            ty,
            name,
            init,
            pos,
        })
    }

    fn for_statement(&mut self) -> Result<Stmt, CompileError> {
        self.pos += 1;
        self.expect_punct("(")?;
        let save = self.pos;
        if let Some((ty, name, pos)) = self.try_decl_head()
            && self.eat_punct(":")
        {
            let iter = self.expr()?;
            self.expect_punct(")")?;
            let body = Box::new(self.statement()?);
            return Ok(Stmt::ForEach {
                ty,
                name,
                iter,
                body,
                pos,
            });
        }
        self.pos = save;
        let mut init = Vec::new();
        if !self.is_punct(";") {
            if let Some((ty, name, pos)) = self.try_decl_head() {
                init.push(self.finish_decl(ty.clone(), name, pos)?);
                while self.eat_punct(",") {
                    let pos = self.here();
                    let name = self.ident()?;
                    init.push(self.finish_decl(ty.clone(), name, pos)?);
                }
            } else {
                init.push(Stmt::Expr(self.expr()?));
                while self.eat_punct(",") {
                    init.push(Stmt::Expr(self.expr()?));
                }
            }
        }
        self.semicolon()?;
        let cond = if self.is_punct(";") {
            None
        } else {
            Some(self.expr()?)
        };
        self.semicolon()?;
        let mut update = Vec::new();
        if !self.is_punct(")") {
            update.push(self.expr()?);
            while self.eat_punct(",") {
                update.push(self.expr()?);
            }
        }
        self.expect_punct(")")?;
        let body = Box::new(self.statement()?);
        Ok(Stmt::For {
            init,
            cond,
            update,
            body,
        })
    }

    /// Only `[modifiers] class XException extends Exception {}` is in the subset.
    fn class_decl(&mut self) -> Result<Stmt, CompileError> {
        while matches!(&self.peek().tok, Tok::Ident(w) if MODIFIERS.contains(&w.to_ascii_lowercase().as_str()))
        {
            self.pos += 1;
        }
        if !self.eat_kw("class") {
            return Err(self.unexpected(self.peek()));
        }
        let name_tok = self.peek().clone();
        let name = self.ident()?;
        if !self.eat_kw("extends") || !self.eat_kw("Exception") {
            return Err(self.unexpected(self.peek()));
        }
        if !name.to_ascii_lowercase().ends_with("exception") {
            return Err(CompileError::new(
                name_tok.line,
                name_tok.column,
                "Classes extending Exception must have a name ending in 'Exception'",
            ));
        }
        self.expect_punct("{")?;
        if !self.eat_punct("}") {
            return Err(self.unexpected(self.peek()));
        }
        Ok(Stmt::ExceptionClass { name })
    }
}
