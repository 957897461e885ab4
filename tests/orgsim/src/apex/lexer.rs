//! Apex tokens with 1-based line/column. Inline SOQL (`[SELECT ...]`) is captured raw as one
//! token so the SOQL module parses it.

use super::CompileError;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Dec(f64),
    /// Raw text between `[` and the matching `]` when it starts with SELECT.
    Soql(String),
    Punct(&'static str),
    Eof,
}

impl Tok {
    /// How Apex shows the token in `Unexpected token 'X'.`.
    pub fn shown(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Str(s) => format!("'{s}'"),
            Tok::Int(n) => n.to_string(),
            Tok::Dec(n) => n.to_string(),
            Tok::Soql(s) => format!("[{s}]"),
            Tok::Punct(p) => (*p).to_owned(),
            Tok::Eof => "<EOF>".to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub line: usize,
    pub column: usize,
}

const PUNCTS: &[&str] = &[
    "===", "!==", ">>=", "<<=", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=",
    "/=", "=>", "?.", "+", "-", "*", "/", "%", "=", "<", ">", "!", "?", ":", ".", ",", ";", "(",
    ")", "{", "}", "[", "]", "&", "|", "^",
];

pub fn lex(src: &str) -> Result<Vec<Token>, CompileError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let advance = |i: &mut usize, line: &mut usize, col: &mut usize, c: char| {
        *i += 1;
        if c == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let (l0, c0) = (line, col);
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut col, c);
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, ch);
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            advance(&mut i, &mut line, &mut col, '/');
            advance(&mut i, &mut line, &mut col, '*');
            loop {
                if i >= chars.len() {
                    return Err(CompileError::new(l0, c0, "Unexpected token '<EOF>'."));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    advance(&mut i, &mut line, &mut col, '*');
                    advance(&mut i, &mut line, &mut col, '/');
                    break;
                }
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, ch);
            }
            continue;
        }
        if c == '\'' {
            let mut s = String::new();
            advance(&mut i, &mut line, &mut col, c);
            loop {
                match chars.get(i) {
                    None | Some('\n') => {
                        return Err(CompileError::new(l0, c0, "Unexpected token '''."));
                    }
                    Some('\\') => {
                        let e = chars.get(i + 1).copied().unwrap_or('\\');
                        s.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                        advance(&mut i, &mut line, &mut col, '\\');
                        advance(&mut i, &mut line, &mut col, e);
                    }
                    Some('\'') => {
                        advance(&mut i, &mut line, &mut col, '\'');
                        break;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        advance(&mut i, &mut line, &mut col, ch);
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                line: l0,
                column: c0,
            });
            continue;
        }
        if c == '[' && starts_soql(&chars[i + 1..]) {
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut in_str = false;
            while j < chars.len() {
                match chars[j] {
                    '\'' => in_str = !in_str,
                    '\\' if in_str => j += 1,
                    '[' if !in_str => depth += 1,
                    ']' if !in_str && depth == 0 => break,
                    ']' if !in_str => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err(CompileError::new(l0, c0, "Unexpected token '['."));
            }
            let text: String = chars[i + 1..j].iter().collect();
            while i <= j {
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, ch);
            }
            out.push(Token {
                tok: Tok::Soql(text),
                line: l0,
                column: c0,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let mut is_dec = false;
            if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                is_dec = true;
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let raw: String = chars[i..j].iter().collect();
            if matches!(chars.get(j), Some('L' | 'l')) {
                j += 1;
            }
            let tok = if is_dec {
                Tok::Dec(raw.parse().unwrap_or(0.0))
            } else {
                match raw.parse::<i64>() {
                    Ok(n) => Tok::Int(n),
                    Err(_) => {
                        return Err(CompileError::new(l0, c0, format!("Illegal integer: {raw}")));
                    }
                }
            };
            while i < j {
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, ch);
            }
            out.push(Token {
                tok,
                line: l0,
                column: c0,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            while i < j {
                let ch = chars[i];
                advance(&mut i, &mut line, &mut col, ch);
            }
            out.push(Token {
                tok: Tok::Ident(word),
                line: l0,
                column: c0,
            });
            continue;
        }
        let rest: String = chars[i..(i + 3).min(chars.len())].iter().collect();
        let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) else {
            return Err(CompileError::new(
                l0,
                c0,
                format!("Unexpected token '{c}'."),
            ));
        };
        for _ in 0..p.len() {
            let ch = chars[i];
            advance(&mut i, &mut line, &mut col, ch);
        }
        out.push(Token {
            tok: Tok::Punct(p),
            line: l0,
            column: c0,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
        column: col,
    });
    Ok(out)
}

fn starts_soql(rest: &[char]) -> bool {
    let word: String = rest
        .iter()
        .skip_while(|c| c.is_whitespace())
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    word == "SELECT" || word.starts_with("FIND")
}
