//! Recursive-descent parser for the SOQL subset (SELECT list with relationship paths and
//! COUNT, WHERE with AND/OR/NOT, ORDER BY, LIMIT, OFFSET).

use super::lexer::{Tok, Token, lex};
use super::{CmpOp, Condition, DateFn, FieldRef, Literal, OrderItem, Query, SelectItem, SoqlError};

const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC",
    "NULLS", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "FOR", "USING",
];

pub fn parse(text: &str) -> Result<Query, SoqlError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
    };
    p.query()
}

/// Position (row, column) of the word after FROM, for INVALID_TYPE.
pub fn from_position(text: &str) -> (usize, usize) {
    let Ok(tokens) = lex(text) else { return (1, 1) };
    for w in tokens.windows(2) {
        if matches!(&w[0].tok, Tok::Ident(s) if s.eq_ignore_ascii_case("FROM")) {
            return (w[1].row, w[1].column);
        }
    }
    (1, 1)
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// Nesting of parentheses / NOT, bounded so hostile queries cannot exhaust the stack.
    depth: usize,
}

/// Deepest nesting of parentheses and NOT accepted in a WHERE clause.
const MAX_DEPTH: usize = 100;

/// Joins operands into a balanced tree (AND/OR are associative), so walkers recurse
/// O(log n) deep even for long `a OR b OR ...` chains; in-order evaluation is unchanged.
fn balanced(
    mut items: Vec<Condition>,
    join: fn(Box<Condition>, Box<Condition>) -> Condition,
) -> Condition {
    if items.len() == 1 {
        return items.remove(0);
    }
    let right = items.split_off(items.len() / 2);
    join(
        Box::new(balanced(items, join)),
        Box::new(balanced(right, join)),
    )
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, t: &Token) -> SoqlError {
        SoqlError::unexpected(self.text, t.row, t.column, &t.tok.shown())
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(self.peek()))
        }
    }

    fn expect(&mut self, tok: Tok) -> Result<(), SoqlError> {
        if self.peek().tok == tok {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(self.peek()))
        }
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.expect_kw("SELECT")?;
        let mut fields = Vec::new();
        loop {
            fields.push(self.select_item()?);
            if self.peek().tok == Tok::Comma {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.expect_kw("FROM")?;
        let t = self.next();
        let object = match &t.tok {
            Tok::Ident(s) if !is_reserved(s) => s.clone(),
            _ => return Err(self.unexpected(&t)),
        };
        let where_clause = if self.eat_kw("WHERE") {
            Some(self.or_expr()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let field = self.field_ref()?;
                let descending = if self.eat_kw("DESC") {
                    true
                } else {
                    self.eat_kw("ASC");
                    false
                };
                let nulls_first = if self.eat_kw("NULLS") {
                    if self.eat_kw("FIRST") {
                        Some(true)
                    } else {
                        self.expect_kw("LAST")?;
                        Some(false)
                    }
                } else {
                    None
                };
                order_by.push(OrderItem {
                    field,
                    descending,
                    nulls_first,
                });
                if self.peek().tok == Tok::Comma {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.count_value()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            Some(self.count_value()?)
        } else {
            None
        };
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected(self.peek()));
        }
        let is_count = fields.iter().any(|f| matches!(f, SelectItem::CountAll));
        if is_count && fields.len() > 1 {
            return Err(SoqlError::new(
                "MALFORMED_QUERY",
                "COUNT() must be the only element in the SELECT list.".into(),
            ));
        }
        Ok(Query {
            object,
            fields,
            where_clause,
            order_by,
            limit,
            offset,
            text: self.text.to_owned(),
        })
    }

    fn count_value(&mut self) -> Result<usize, SoqlError> {
        let t = self.next();
        match t.tok {
            Tok::Num(n) if n >= 0.0 && n.fract() == 0.0 => Ok(n as usize),
            _ => Err(self.unexpected(&t)),
        }
    }

    fn select_item(&mut self) -> Result<SelectItem, SoqlError> {
        if self.is_kw("COUNT")
            && self
                .tokens
                .get(self.pos + 1)
                .is_some_and(|t| t.tok == Tok::LParen)
        {
            self.pos += 2;
            if self.peek().tok == Tok::RParen {
                self.pos += 1;
                return Ok(SelectItem::CountAll);
            }
            let f = self.field_ref()?;
            self.expect(Tok::RParen)?;
            return Ok(SelectItem::Count(f));
        }
        Ok(SelectItem::Field(self.field_ref()?))
    }

    fn field_ref(&mut self) -> Result<FieldRef, SoqlError> {
        let t = self.next();
        let first = match &t.tok {
            Tok::Ident(s) if !is_reserved(s) => s.clone(),
            _ => return Err(self.unexpected(&t)),
        };
        let mut path = vec![first];
        while self.peek().tok == Tok::Dot {
            self.pos += 1;
            let n = self.next();
            match &n.tok {
                Tok::Ident(s) => path.push(s.clone()),
                _ => return Err(self.unexpected(&n)),
            }
        }
        Ok(FieldRef {
            path,
            row: t.row,
            column: t.column,
        })
    }

    fn or_expr(&mut self) -> Result<Condition, SoqlError> {
        let mut items = vec![self.and_expr()?];
        while self.eat_kw("OR") {
            items.push(self.and_expr()?);
        }
        Ok(balanced(items, Condition::Or))
    }

    fn and_expr(&mut self) -> Result<Condition, SoqlError> {
        let mut items = vec![self.unary()?];
        while self.eat_kw("AND") {
            items.push(self.unary()?);
        }
        Ok(balanced(items, Condition::And))
    }

    fn unary(&mut self) -> Result<Condition, SoqlError> {
        if self.depth >= MAX_DEPTH {
            let t = self.peek();
            return Err(SoqlError::located(
                "MALFORMED_QUERY",
                self.text,
                t.row,
                t.column,
                "expression is nested too deeply".into(),
            ));
        }
        self.depth += 1;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Condition, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Condition::Not(Box::new(self.unary()?)));
        }
        if self.peek().tok == Tok::LParen {
            self.pos += 1;
            let c = self.or_expr()?;
            self.expect(Tok::RParen)?;
            return Ok(c);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Condition, SoqlError> {
        let field = self.field_ref()?;
        if self.eat_kw("LIKE") {
            return Ok(Condition::Like {
                field,
                pattern: self.literal()?,
                negated: false,
            });
        }
        if self.eat_kw("IN") {
            return Ok(Condition::In {
                field,
                values: self.in_list()?,
                negated: false,
            });
        }
        if self.is_kw("NOT") {
            self.pos += 1;
            if self.eat_kw("IN") {
                return Ok(Condition::In {
                    field,
                    values: self.in_list()?,
                    negated: true,
                });
            }
            self.expect_kw("LIKE")?;
            return Ok(Condition::Like {
                field,
                pattern: self.literal()?,
                negated: true,
            });
        }
        let t = self.next();
        let op = match t.tok {
            Tok::Op("=") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">=") => CmpOp::Ge,
            _ => return Err(self.unexpected(&t)),
        };
        Ok(Condition::Compare {
            field,
            op,
            value: self.literal()?,
        })
    }

    fn in_list(&mut self) -> Result<Vec<Literal>, SoqlError> {
        if let Tok::Bind(name) = &self.peek().tok {
            let name = name.clone();
            self.pos += 1;
            return Ok(vec![Literal::Bind(name)]);
        }
        self.expect(Tok::LParen)?;
        let mut values = vec![self.literal()?];
        while self.peek().tok == Tok::Comma {
            self.pos += 1;
            values.push(self.literal()?);
        }
        self.expect(Tok::RParen)?;
        Ok(values)
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let t = self.next();
        Ok(match &t.tok {
            Tok::Str(s) => Literal::Text(s.clone()),
            Tok::Num(n) => Literal::Number(*n),
            Tok::Bind(name) => Literal::Bind(name.clone()),
            Tok::DateLit(raw) => parse_date_literal(raw).ok_or_else(|| {
                SoqlError::located(
                    "MALFORMED_QUERY",
                    self.text,
                    t.row,
                    t.column,
                    format!(
                        "line {}:{} no viable alternative at character '{}'",
                        t.row, t.column, raw
                    ),
                )
            })?,
            Tok::Ident(w) => match w.to_ascii_uppercase().as_str() {
                "NULL" => Literal::Null,
                "TRUE" => Literal::Bool(true),
                "FALSE" => Literal::Bool(false),
                "TODAY" => Literal::DateRange(DateFn::Today),
                "YESTERDAY" => Literal::DateRange(DateFn::Yesterday),
                "TOMORROW" => Literal::DateRange(DateFn::Tomorrow),
                "THIS_MONTH" => Literal::DateRange(DateFn::ThisMonth),
                "LAST_MONTH" => Literal::DateRange(DateFn::LastMonth),
                "THIS_WEEK" => Literal::DateRange(DateFn::ThisWeek),
                "LAST_WEEK" => Literal::DateRange(DateFn::LastWeek),
                "THIS_YEAR" => Literal::DateRange(DateFn::ThisYear),
                "LAST_YEAR" => Literal::DateRange(DateFn::LastYear),
                "LAST_N_DAYS" | "NEXT_N_DAYS" | "N_DAYS_AGO" => {
                    self.expect(Tok::Colon)?;
                    let n = self.count_value()? as i64;
                    Literal::DateRange(match w.to_ascii_uppercase().as_str() {
                        "LAST_N_DAYS" => DateFn::LastNDays(n),
                        "NEXT_N_DAYS" => DateFn::NextNDays(n),
                        _ => DateFn::NDaysAgo(n),
                    })
                }
                _ => return Err(self.unexpected(&t)),
            },
            _ => return Err(self.unexpected(&t)),
        })
    }
}

fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// `2024-01-31` → Date; `2024-01-31T10:00:00Z` / `+01:00` / `.000+0000` → DateTime.
pub fn parse_date_literal(raw: &str) -> Option<Literal> {
    if raw.len() == 10 {
        return parse_date(raw).map(Literal::Date);
    }
    super::eval::parse_datetime(raw).map(Literal::DateTime)
}

pub fn parse_date(raw: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.get(..10)?, &fmt).ok()
}
