//! Expression parser of the Apex subset, including inline SOQL with `:bind` expressions.

use super::CompileError;
use super::ast::{Expr, Lit, Pos};
use super::lexer::{Tok, Token};
use super::parser::Parser;

impl Parser {
    pub fn expr(&mut self) -> Result<Expr, CompileError> {
        let left = self.ternary()?;
        if let Tok::Punct(op @ ("=" | "+=" | "-=" | "*=" | "/=")) = self.peek().tok {
            let pos = self.here();
            if !matches!(
                left,
                Expr::Var(..) | Expr::Field { .. } | Expr::Index { .. }
            ) {
                return Err(self.unexpected(self.peek()));
            }
            self.pos += 1;
            let value = self.expr()?;
            return Ok(Expr::Assign {
                op,
                target: Box::new(left),
                value: Box::new(value),
                pos,
            });
        }
        Ok(left)
    }

    fn ternary(&mut self) -> Result<Expr, CompileError> {
        let cond = self.binary(0)?;
        if self.is_punct("?") {
            let pos = self.here();
            self.pos += 1;
            let then = self.expr()?;
            self.expect_punct(":")?;
            let otherwise = self.expr()?;
            return Ok(Expr::Ternary {
                cond: Box::new(cond),
                then: Box::new(then),
                otherwise: Box::new(otherwise),
                pos,
            });
        }
        Ok(cond)
    }

    fn binary(&mut self, level: usize) -> Result<Expr, CompileError> {
        const LEVELS: &[&[&str]] = &[
            &["||"],
            &["&&"],
            &["|"],
            &["^"],
            &["&"],
            &["==", "!=", "===", "!=="],
            &["<", ">", "<=", ">="],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        let mut chain = 0usize;
        loop {
            if level == 6 && self.is_kw("instanceof") {
                let pos = self.here();
                self.pos += 1;
                let ty = self.type_ref()?;
                left = Expr::InstanceOf {
                    expr: Box::new(left),
                    ty,
                    pos,
                };
                continue;
            }
            let op = match self.peek().tok {
                Tok::Punct(p) if LEVELS[level].contains(&p) => p,
                _ => break,
            };
            let pos = self.here();
            self.pos += 1;
            // Each operator deepens the left-leaning tree by one level.
            chain += 1;
            if self.depth + chain >= super::parser::MAX_DEPTH * 4 {
                return Err(CompileError::new(
                    pos.line,
                    pos.column,
                    "Expression is too deeply nested.",
                ));
            }
            let right = self.binary(level + 1)?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
                pos,
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        self.nested(Self::unary_inner)
    }

    fn unary_inner(&mut self) -> Result<Expr, CompileError> {
        let pos = self.here();
        match self.peek().tok {
            Tok::Punct(op @ ("!" | "-" | "+")) => {
                self.pos += 1;
                let expr = self.unary()?;
                Ok(Expr::Unary {
                    op,
                    expr: Box::new(expr),
                    pos,
                })
            }
            Tok::Punct(op @ ("++" | "--")) => {
                self.pos += 1;
                let target = self.unary()?;
                Ok(Expr::IncDec {
                    target: Box::new(target),
                    delta: if op == "++" { 1 } else { -1 },
                    prefix: true,
                    pos,
                })
            }
            Tok::Punct("(") if self.looks_like_cast() => {
                self.pos += 1;
                let ty = self.type_ref()?;
                self.expect_punct(")")?;
                let expr = self.unary()?;
                Ok(Expr::Cast {
                    ty,
                    expr: Box::new(expr),
                    pos,
                })
            }
            _ => self.postfix(),
        }
    }

    /// `(Type) operand`: a parenthesised type name directly followed by an operand.
    fn looks_like_cast(&self) -> bool {
        let mut i = self.pos + 1;
        let tok = |i: usize| &self.tokens[i.min(self.tokens.len() - 1)].tok;
        if !matches!(tok(i), Tok::Ident(w) if !super::is_reserved(w)) {
            return false;
        }
        let mut depth = 0i32;
        loop {
            i += 1;
            match tok(i) {
                Tok::Ident(_) | Tok::Punct("." | ",") => {}
                Tok::Punct("<") => depth += 1,
                Tok::Punct(">") => depth -= 1,
                Tok::Punct("[") if matches!(tok(i + 1), Tok::Punct("]")) => i += 1,
                Tok::Punct(")") if depth == 0 => break,
                _ => return false,
            }
        }
        matches!(
            tok(i + 1),
            Tok::Ident(_)
                | Tok::Str(_)
                | Tok::Int(_)
                | Tok::Dec(_)
                | Tok::Soql(_)
                | Tok::Punct("(")
        )
    }

    fn postfix(&mut self) -> Result<Expr, CompileError> {
        // Apex reports failures in a call chain at the chain's first token.
        let start = self.here();
        let mut e = self.primary()?;
        loop {
            let pos = self.here();
            if self.is_punct(".") || self.is_punct("?.") {
                let safe = self.is_punct("?.");
                self.pos += 1;
                let name_tok = self.peek().clone();
                let name = match &name_tok.tok {
                    Tok::Ident(s) => s.clone(),
                    _ => return Err(self.unexpected(&name_tok)),
                };
                self.pos += 1;
                let npos = start;
                if self.is_punct("(") {
                    let args = self.args()?;
                    e = Expr::Call {
                        target: Some(Box::new(e)),
                        name,
                        args,
                        pos: npos,
                    };
                } else {
                    e = Expr::Field {
                        target: Box::new(e),
                        name,
                        safe,
                        pos: npos,
                    };
                }
            } else if self.eat_punct("[") {
                let index = self.expr()?;
                self.expect_punct("]")?;
                e = Expr::Index {
                    target: Box::new(e),
                    index: Box::new(index),
                    pos,
                };
            } else if let Tok::Punct(op @ ("++" | "--")) = self.peek().tok {
                self.pos += 1;
                e = Expr::IncDec {
                    target: Box::new(e),
                    delta: if op == "++" { 1 } else { -1 },
                    prefix: false,
                    pos,
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, CompileError> {
        self.expect_punct("(")?;
        let mut args = Vec::new();
        if self.eat_punct(")") {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat_punct(")") {
                return Ok(args);
            }
            self.expect_punct(",")?;
        }
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        let t = self.next();
        let pos = Pos {
            line: t.line,
            column: t.column,
        };
        Ok(match &t.tok {
            Tok::Str(s) => Expr::Lit(Lit::Str(s.clone()), pos),
            Tok::Int(n) => Expr::Lit(Lit::Int(*n), pos),
            Tok::Dec(n) => Expr::Lit(Lit::Dec(*n), pos),
            Tok::Soql(text) => self.soql(text, &t)?,
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect_punct(")")?;
                e
            }
            Tok::Ident(w) => match w.to_ascii_lowercase().as_str() {
                "null" => Expr::Lit(Lit::Null, pos),
                "true" => Expr::Lit(Lit::Bool(true), pos),
                "false" => Expr::Lit(Lit::Bool(false), pos),
                "new" => self.new_expr(pos)?,
                _ if super::is_reserved(w) => return Err(self.unexpected(&t)),
                _ if self.is_punct("(") => {
                    let args = self.args()?;
                    Expr::Call {
                        target: None,
                        name: w.clone(),
                        args,
                        pos,
                    }
                }
                _ => Expr::Var(w.clone(), pos),
            },
            _ => return Err(self.unexpected(&t)),
        })
    }

    fn new_expr(&mut self, pos: Pos) -> Result<Expr, CompileError> {
        let ty = self.type_ref()?;
        let mut e = Expr::New {
            ty,
            args: Vec::new(),
            named: Vec::new(),
            list_init: None,
            map_init: None,
            pos,
        };
        let Expr::New {
            args,
            named,
            list_init,
            map_init,
            ..
        } = &mut e
        else {
            unreachable!()
        };
        if self.is_punct("{") {
            self.pos += 1;
            let mut items = Vec::new();
            let mut pairs = Vec::new();
            while !self.eat_punct("}") {
                let k = self.expr()?;
                if self.eat_punct("=>") {
                    pairs.push((k, self.expr()?));
                } else {
                    items.push(k);
                }
                if !self.is_punct("}") {
                    self.expect_punct(",")?;
                }
            }
            if pairs.is_empty() {
                *list_init = Some(items);
            } else if items.is_empty() {
                *map_init = Some(pairs);
            } else {
                return Err(self.unexpected(self.peek()));
            }
            return Ok(e);
        }
        self.expect_punct("(")?;
        if self.eat_punct(")") {
            return Ok(e);
        }
        // sObject constructor with name = value pairs?
        let named_form = matches!(self.peek().tok, Tok::Ident(_))
            && matches!(self.peek_at(1).tok, Tok::Punct("="));
        loop {
            if named_form {
                let field = self.ident()?;
                self.expect_punct("=")?;
                named.push((field, self.ternary()?));
            } else {
                args.push(self.expr()?);
            }
            if self.eat_punct(")") {
                return Ok(e);
            }
            self.expect_punct(",")?;
        }
    }

    /// Rewrites `:expr` binds to `:__bN` placeholders and parses the SOQL.
    fn soql(&mut self, text: &str, t: &Token) -> Result<Expr, CompileError> {
        let pos = Pos {
            line: t.line,
            column: t.column,
        };
        let mut rewritten = String::new();
        let mut binds = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut in_str = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                in_str = !in_str;
            }
            if c == ':' && !in_str {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let start = j;
                // An identifier path, with balanced `(...)` / `[...]` groups for calls and
                // indexes: `:acc.Id`, `:ids`, `:Date.newInstance(2024, 2, 1)`, `:accs[0].Id`.
                loop {
                    while j < chars.len()
                        && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '.')
                    {
                        j += 1;
                    }
                    let Some(&open) = chars.get(j).filter(|c| **c == '(' || **c == '[') else {
                        break;
                    };
                    let close = if open == '(' { ')' } else { ']' };
                    let mut depth = 0usize;
                    let mut quoted = false;
                    while j < chars.len() {
                        match chars[j] {
                            '\'' => quoted = !quoted,
                            c if c == open && !quoted => depth += 1,
                            c if c == close && !quoted => {
                                depth -= 1;
                                if depth == 0 {
                                    j += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                }
                if j > start && !chars[start].is_ascii_digit() {
                    let text: String = chars[start..j].iter().collect();
                    let mut tokens = super::lexer::lex(&text)
                        .map_err(|e| CompileError::new(pos.line, pos.column, e.message))?;
                    // Errors inside a bind are reported at the SOQL expression.
                    for t in &mut tokens {
                        (t.line, t.column) = (pos.line, pos.column);
                    }
                    let mut sub = Parser {
                        tokens,
                        pos: 0,
                        depth: self.depth,
                    };
                    let e = sub
                        .expr()
                        .map_err(|e| CompileError::new(pos.line, pos.column, e.message))?;
                    if sub.peek().tok != Tok::Eof {
                        return Err(CompileError::new(
                            pos.line,
                            pos.column,
                            format!("Unexpected token '{}'.", sub.peek().tok.shown()),
                        ));
                    }
                    let name = format!("__b{}", binds.len());
                    rewritten.push(':');
                    rewritten.push_str(&name);
                    binds.push((name, e));
                    i = j;
                    continue;
                }
            }
            rewritten.push(c);
            i += 1;
        }
        let query = crate::soql::parse(&rewritten)
            .map_err(|e| CompileError::new(pos.line, pos.column, e.detail().to_owned()))?;
        Ok(Expr::Soql { query, binds, pos })
    }
}
