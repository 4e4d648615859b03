//! Pointing compile errors into the string literal that holds a query.
//!
//! A diagnostic's span is a byte range of the query *value*. To point at the
//! same text in the source, the range is mapped back through the literal's
//! prefix (`r#"`) and escapes (`\"`, `\\`, `\u{…}`), then a sub-span of the
//! literal is requested. Sub-spans exist only on nightly compilers; on
//! stable the whole literal is used, and the message itself carries the line,
//! the column and a caret excerpt of the query.

use proc_macro2::Span;
use syn::LitStr;

/// The span of `range` (bytes of the literal's value) in the source, or
/// the whole literal's span where the compiler cannot do better.
pub fn query_span(literal: &LitStr, range: std::ops::Range<usize>) -> Span {
    let source = literal.token().to_string();
    let Some(map) = value_to_source(&source) else {
        return literal.span();
    };
    let start = map.get(range.start).copied();
    let end = map.get(range.end).copied();
    match (start, end) {
        (Some(start), Some(end)) if start <= end => literal
            .token()
            .subspan(start..end.max(start + 1))
            .unwrap_or_else(|| literal.span()),
        _ => literal.span(),
    }
}

/// For each byte offset of the literal's value (and one past the end), the
/// byte offset in the literal's source text; `None` for literal forms this
/// does not understand (byte strings, C strings).
fn value_to_source(source: &str) -> Option<Vec<usize>> {
    let bytes = source.as_bytes();
    if bytes.first() == Some(&b'r') {
        let hashes = bytes[1..].iter().take_while(|&&b| b == b'#').count();
        let start = 1 + hashes + 1;
        let end = source.len().checked_sub(1 + hashes)?;
        return Some((start..=end).collect());
    }
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut map = Vec::with_capacity(source.len());
    let mut i = 1;
    let end = source.len().checked_sub(1)?;
    while i < end {
        if bytes[i] == b'\\' {
            let escape_start = i;
            let next = *bytes.get(i + 1)?;
            let (value_len, source_len) = match next {
                b'\n' => {
                    // A line continuation: skip the newline and leading
                    // whitespace, producing nothing.
                    let mut j = i + 2;
                    while j < end && bytes[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    (0, j - i)
                }
                b'u' => {
                    let close = source[i..].find('}')? + i;
                    let digits = &source[i + 3..close];
                    let c = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
                    (c.len_utf8(), close + 1 - i)
                }
                b'x' => (1, 4),
                _ => (1, 2),
            };
            for _ in 0..value_len {
                map.push(escape_start);
            }
            i += source_len;
        } else {
            map.push(i);
            i += 1;
        }
    }
    map.push(end);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_escapes_back_to_source() {
        // The value `a"b` is written `"a\"b"`.
        let map = value_to_source(r#""a\"b""#).expect("plain string");
        assert_eq!(map, [1, 2, 4, 5]);
        let map = value_to_source(r##"r#"ab"#"##).expect("raw string");
        assert_eq!(map, [3, 4, 5]);
        let map = value_to_source(r#""\u{e9}x""#).expect("unicode escape");
        assert_eq!(map, [1, 1, 7, 8]);
    }
}
