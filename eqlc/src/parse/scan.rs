//! The scan that runs before the grammar: input limits and lexical errors.
//!
//! The scan walks the text once, skipping strings, back-quoted identifiers
//! and comments exactly as the grammar does, so that it can count the nesting
//! of parentheses and brackets outside them. Refusing deep nesting here keeps
//! the recursion of pest and of the tree builder bounded whatever the input.
//!
//! Lexical mistakes are reported here too, because pest would only say that
//! it expected something else at the opening quote. The scan reports the
//! first lexical mistake in the text even when a syntax error comes earlier,
//! as rustc reports lexer errors first.
//!
//! All the characters the scan looks for are ASCII, and UTF-8 never uses
//! ASCII bytes inside a multi-byte character, so scanning bytes is safe and
//! every span it makes starts and ends on a character boundary.

use crate::ast::Span;
use crate::diagnostic::Diagnostic;

use super::{MAX_NESTING, MAX_QUERY_LEN};

/// Checks the limits and the lexical structure of `text`.
pub(super) fn scan(text: &str) -> Result<(), Diagnostic> {
    if text.len() > MAX_QUERY_LEN {
        return Err(Diagnostic::error(
            Span::new(MAX_QUERY_LEN, text.len()),
            format!(
                "query is too long: {} bytes, more than {MAX_QUERY_LEN}",
                text.len()
            ),
        )
        .with_help("split the query into several rules"));
    }

    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let next = bytes.get(at + 1).copied();
        at = match (byte, next) {
            (b'"', _) if text[at..].starts_with(r#"""""#) => raw_string_end(text, at)?,
            (b'"', _) => quoted_string_end(text, at)?,
            (b'`', _) => quoted_ident_end(text, at)?,
            (b'\'', _) => return Err(single_quoted_string(text, at)),
            (b'?', Some(b'"' | b'\'')) => return Err(endgame_string(text, at)),
            (b'/', Some(b'/')) => line_end(bytes, at),
            (b'/', Some(b'*')) => block_comment_end(text, at)?,
            (b'(' | b'[', _) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(at, at + 1)));
                }
                at + 1
            }
            (b')' | b']', _) => {
                depth = depth.saturating_sub(1);
                at + 1
            }
            _ => at + 1,
        };
    }
    Ok(())
}

/// The value of the `"…"` string `token` (quotes included) that starts at
/// byte `start` of the query, after escape processing.
pub(super) fn decode_quoted_string(token: &str, start: usize) -> Result<String, Diagnostic> {
    let body = token
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .ok_or_else(|| {
            Diagnostic::error(Span::new(start, start + token.len()), "unterminated string")
        })?;
    let body_start = start + 1;
    let mut value = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(backslash) = rest.find('\\') {
        value.push_str(&rest[..backslash]);
        let escape_start = body_start + (body.len() - rest.len()) + backslash;
        let (character, len) = escape(&rest[backslash..], escape_start)?;
        value.push(character);
        rest = &rest[backslash + len..];
    }
    value.push_str(rest);
    Ok(value)
}

/// The end of the string or back-quoted identifier starting at `start`, if
/// it is well formed.
pub(super) fn token_end(text: &str, start: usize) -> Option<usize> {
    match text.get(start..)? {
        rest if rest.starts_with(r#"""""#) => raw_string_end(text, start).ok(),
        rest if rest.starts_with('"') => quoted_string_end(text, start).ok(),
        rest if rest.starts_with('`') => quoted_ident_end(text, start).ok(),
        _ => None,
    }
}

/// The error for nesting deeper than [`MAX_NESTING`], at the opener that
/// goes one level too deep.
fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        span,
        format!("nesting is too deep: more than {MAX_NESTING} levels"),
    )
    .with_help("split the condition into simpler parts")
}

/// Reads one escape sequence at the start of `text` (which starts with the
/// backslash, at byte `start` of the query): the character it stands for
/// and its length in bytes.
fn escape(text: &str, start: usize) -> Result<(char, usize), Diagnostic> {
    let mut chars = text.chars();
    chars.next();
    let simple = match chars.next() {
        Some('n') => '\n',
        Some('r') => '\r',
        Some('t') => '\t',
        Some('\\') => '\\',
        Some('"') => '"',
        Some('\'') => '\'',
        Some('u') => return unicode_escape(text, start),
        Some(other) => {
            return Err(Diagnostic::error(
                Span::new(start, start + 1 + other.len_utf8()),
                format!("unknown escape `\\{other}` in string"),
            )
            .with_help(
                "write `\\\\` for a backslash, or use a raw string `\"\"\"…\"\"\"`; \
                 the escapes are `\\n`, `\\r`, `\\t`, `\\\"`, `\\'`, `\\\\` and `\\u{…}`",
            ));
        }
        None => {
            return Err(Diagnostic::error(
                Span::new(start, start + 1),
                "unterminated string",
            ));
        }
    };
    Ok((simple, 2))
}

/// Reads `\u{H…}` with 2 to 8 hex digits at the start of `text`.
fn unicode_escape(text: &str, start: usize) -> Result<(char, usize), Diagnostic> {
    let digits = text
        .get(2..)
        .and_then(|rest| rest.strip_prefix('{'))
        .and_then(|rest| rest.find('}').map(|close| &rest[..close]))
        .filter(|digits| {
            (2..=8).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit())
        });
    let Some(digits) = digits else {
        // Underline up to a nearby closing brace, or just `\u{`.
        let len = match text.get(2..).and_then(|rest| rest.strip_prefix('{')) {
            Some(rest) => rest
                .find('}')
                .filter(|&close| close <= 16)
                .map_or(3, |close| close + 4),
            None => 2,
        };
        return Err(
            Diagnostic::error(Span::new(start, start + len), "invalid unicode escape")
                .with_help("write 2 to 8 hex digits in braces, such as `\\u{e9}` or `\\u{1F600}`"),
        );
    };
    let len = 4 + digits.len();
    u32::from_str_radix(digits, 16)
        .ok()
        .and_then(char::from_u32)
        .map(|character| (character, len))
        .ok_or_else(|| {
            Diagnostic::error(
                Span::new(start, start + len),
                format!(
                    "invalid unicode escape: `{}` is not a character",
                    &text[..len]
                ),
            )
            .with_help("write a Unicode scalar value: at most `10FFFF`, and not a surrogate")
        })
}

/// The end of the `"…"` string starting at `start`; checks its escapes.
fn quoted_string_end(text: &str, start: usize) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut at = start + 1;
    loop {
        match bytes.get(at) {
            Some(b'"') => {
                let end = at + 1;
                decode_quoted_string(&text[start..end], start)?;
                return Ok(end);
            }
            Some(b'\\') if !matches!(bytes.get(at + 1), None | Some(b'\r' | b'\n')) => at += 2,
            Some(b'\r' | b'\n') => {
                return Err(
                    Diagnostic::error(Span::new(start, at), "unterminated string").with_help(
                        "a string ends on the line it starts on; write `\\n` for a line break",
                    ),
                );
            }
            Some(_) => at += 1,
            None => {
                return Err(
                    Diagnostic::error(Span::new(start, at), "unterminated string")
                        .with_help("add a closing `\"`"),
                );
            }
        }
    }
}

/// The end of the `"""…"""` raw string starting at `start`. It ends at the
/// first `"""`, plus at most two more quotes that belong to its content.
fn raw_string_end(text: &str, start: usize) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut at = start + 3;
    loop {
        match bytes.get(at) {
            Some(b'"') if text[at..].starts_with(r#"""""#) => {
                let mut end = at + 3;
                for _ in 0..2 {
                    if bytes.get(end) == Some(&b'"') {
                        end += 1;
                    }
                }
                return Ok(end);
            }
            Some(b'\r' | b'\n') | None => {
                return Err(
                    Diagnostic::error(Span::new(start, at), "unterminated raw string")
                        .with_help("a raw string ends with `\"\"\"` on the line it starts on"),
                );
            }
            Some(_) => at += 1,
        }
    }
}

/// The end of the `` `…` `` identifier starting at `start`.
fn quoted_ident_end(text: &str, start: usize) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut at = start + 1;
    loop {
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'`'), Some(b'`')) => at += 2,
            (Some(b'`'), _) => return Ok(at + 1),
            (Some(_), _) => at += 1,
            (None, _) => {
                return Err(Diagnostic::error(
                    Span::new(start, start + 1),
                    "unterminated back-quoted identifier",
                )
                .with_help("add a closing back-quote; a doubled back-quote stands for one"));
            }
        }
    }
}

/// The end of the line of a `//` comment starting at `start`.
fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .map_or(bytes.len(), |offset| start + offset)
}

/// The end of the `/* … */` comment starting at `start`; comments nest.
fn block_comment_end(text: &str, start: usize) -> Result<usize, Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut at = start + 2;
    while depth > 0 {
        match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'/'), Some(b'*')) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(too_deep(Span::new(at, at + 2)));
                }
                at += 2;
            }
            (Some(b'*'), Some(b'/')) => {
                depth -= 1;
                at += 2;
            }
            (Some(_), _) => at += 1,
            (None, _) => {
                return Err(Diagnostic::error(
                    Span::new(start, start + 2),
                    "unterminated block comment",
                )
                .with_help("close it with `*/`; block comments nest"));
            }
        }
    }
    Ok(at)
}

/// The error for `'…'`, Endgame's string syntax.
fn single_quoted_string(text: &str, start: usize) -> Diagnostic {
    let line = &text[start + 1..line_end(text.as_bytes(), start)];
    let (span, help) = match line.find('\'') {
        Some(close) => {
            let content = &line[..close];
            let help = if content.contains(['"', '\\']) || content.chars().count() > 40 {
                "use double quotes: `\"…\"`".to_owned()
            } else {
                format!("use double quotes: `\"{content}\"`")
            };
            (Span::new(start, start + close + 2), help)
        }
        None => (
            Span::new(start, start + 1),
            "use double quotes: `\"…\"`".to_owned(),
        ),
    };
    Diagnostic::error(span, "single-quoted strings are not EQL").with_help(help)
}

/// The error for `?"…"` and `?'…'`, Endgame's raw strings.
fn endgame_string(text: &str, start: usize) -> Diagnostic {
    let quote = char::from(text.as_bytes()[start + 1]);
    let line = &text[start + 2..line_end(text.as_bytes(), start)];
    let span = match line.find(quote) {
        Some(close) => Span::new(start, start + close + 3),
        None => Span::new(start, start + 2),
    };
    Diagnostic::error(span, format!("`?{quote}…{quote}` strings are not EQL"))
        .with_help("use a raw string: `\"\"\"…\"\"\"`")
}
