//! SOQL tokens with 1-based row/column positions (for `ERROR at Row:r:Column:c`).

use super::SoqlError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    /// `2024-01-31` or `2024-01-31T10:00:00Z`, raw.
    DateLit(String),
    Bind(String),
    Comma,
    LParen,
    RParen,
    Dot,
    Colon,
    Op(&'static str),
    Eof,
}

impl Tok {
    /// How Salesforce echoes the token in `unexpected token: '...'`.
    pub fn shown(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::DateLit(s) => s.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Num(n) => format_num(*n),
            Tok::Bind(s) => format!(":{s}"),
            Tok::Comma => ",".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::Dot => ".".into(),
            Tok::Colon => ":".into(),
            Tok::Op(o) => (*o).into(),
            Tok::Eof => "<EOF>".into(),
        }
    }
}

pub fn format_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub row: usize,
    pub column: usize,
}

pub fn lex(text: &str) -> Result<Vec<Token>, SoqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut row, mut col) = (0usize, 1usize, 1usize);
    while i < chars.len() {
        let c = chars[i];
        let (r0, c0) = (row, col);
        let mut push = |tok: Tok, len: usize, i: &mut usize, col: &mut usize| {
            out.push(Token {
                tok,
                row: r0,
                column: c0,
            });
            *i += len;
            *col += len;
        };
        match c {
            '\n' => {
                i += 1;
                row += 1;
                col = 1;
            }
            c if c.is_whitespace() => {
                i += 1;
                col += 1;
            }
            ',' => push(Tok::Comma, 1, &mut i, &mut col),
            '(' => push(Tok::LParen, 1, &mut i, &mut col),
            ')' => push(Tok::RParen, 1, &mut i, &mut col),
            '.' => push(Tok::Dot, 1, &mut i, &mut col),
            '=' => push(Tok::Op("="), 1, &mut i, &mut col),
            '!' if chars.get(i + 1) == Some(&'=') => push(Tok::Op("!="), 2, &mut i, &mut col),
            '<' if chars.get(i + 1) == Some(&'>') => push(Tok::Op("!="), 2, &mut i, &mut col),
            '<' if chars.get(i + 1) == Some(&'=') => push(Tok::Op("<="), 2, &mut i, &mut col),
            '>' if chars.get(i + 1) == Some(&'=') => push(Tok::Op(">="), 2, &mut i, &mut col),
            '<' => push(Tok::Op("<"), 1, &mut i, &mut col),
            '>' => push(Tok::Op(">"), 1, &mut i, &mut col),
            ':' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j > start && !chars[start].is_ascii_digit() {
                    let name: String = chars[start..j].iter().collect();
                    push(Tok::Bind(name), j - i, &mut i, &mut col);
                } else {
                    push(Tok::Colon, 1, &mut i, &mut col);
                }
            }
            '\'' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(SoqlError::unexpected(
                                text,
                                r0,
                                c0,
                                &chars[i..].iter().collect::<String>(),
                            ));
                        }
                        Some('\\') => {
                            let e = chars.get(j + 1).copied().unwrap_or('\\');
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                'r' => '\r',
                                other => other,
                            });
                            j += 2;
                        }
                        Some('\'') => {
                            j += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            j += 1;
                        }
                    }
                }
                push(Tok::Str(s), j - i, &mut i, &mut col);
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_alphanumeric()
                        || matches!(chars[j], '.' | ':' | '-' | '+'))
                {
                    // A '-' or '+' only continues a date/datetime, never starts a new term.
                    j += 1;
                }
                let raw: String = chars[i..j].iter().collect();
                let tok = if is_date_like(&raw) {
                    Tok::DateLit(raw.clone())
                } else if let Ok(n) = raw.parse::<f64>() {
                    Tok::Num(n)
                } else {
                    return Err(SoqlError::unexpected(text, r0, c0, &raw));
                };
                push(tok, j - i, &mut i, &mut col);
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                push(Tok::Ident(word), j - i, &mut i, &mut col);
            }
            other => return Err(SoqlError::unexpected(text, r0, c0, &other.to_string())),
        }
    }
    out.push(Token {
        tok: Tok::Eof,
        row,
        column: col,
    });
    Ok(out)
}

fn is_date_like(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
}
