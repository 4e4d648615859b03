//! Case folding and wildcard matching, the one definition of both.
//!
//! The compiler uses these functions to fold constants and to classify
//! patterns, generated code calls them per event, and the interpreter calls
//! them too, so all three agree by construction.
//!
//! **Case folding** is ASCII-only, as in Elasticsearch's case-insensitive
//! term, prefix, wildcard and regexp queries: `A`–`Z` equal `a`–`z`, and
//! every other character compares exactly (KELVIN SIGN `K` is not `k`, `İ`
//! is not `i`, `ß` is not `ss`).
//!
//! **Wildcards** are `*` (any run of characters, possibly empty) and `?`
//! (exactly one character). A pattern must match the whole value. There is
//! no escape character: a backslash is an ordinary character, so the pattern
//! `C:\Windows\*` matches everything under `C:\Windows\`.

/// Whether `a` and `b` are equal, folding ASCII letters when `insensitive`.
#[inline]
pub fn equals(a: &str, b: &str, insensitive: bool) -> bool {
    if insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Whether `value` starts with `prefix`, folding ASCII letters when
/// `insensitive`.
#[inline]
pub fn starts_with(value: &str, prefix: &str, insensitive: bool) -> bool {
    let value = value.as_bytes();
    let prefix = prefix.as_bytes();
    value.len() >= prefix.len() && bytes_equal(&value[..prefix.len()], prefix, insensitive)
}

/// Whether `value` ends with `suffix`, folding ASCII letters when
/// `insensitive`.
#[inline]
pub fn ends_with(value: &str, suffix: &str, insensitive: bool) -> bool {
    let value = value.as_bytes();
    let suffix = suffix.as_bytes();
    value.len() >= suffix.len()
        && bytes_equal(&value[value.len() - suffix.len()..], suffix, insensitive)
}

/// Whether `needle` occurs in `value`, folding ASCII letters when
/// `insensitive`. An empty needle occurs everywhere.
#[inline]
pub fn contains(value: &str, needle: &str, insensitive: bool) -> bool {
    find(value, needle, 0, insensitive).is_some()
}

/// The byte offset of the first occurrence of `needle` in `value` at or after
/// byte `from`, folding ASCII letters when `insensitive`.
pub fn find(value: &str, needle: &str, from: usize, insensitive: bool) -> Option<usize> {
    let haystack = value.as_bytes().get(from..)?;
    let needle = needle.as_bytes();
    if !insensitive {
        return haystack
            .windows(needle.len().max(1))
            .position(|window| window == needle)
            .map(|at| at + from)
            .or(if needle.is_empty() { Some(from) } else { None });
    }
    let Some((&first, rest)) = needle.split_first() else {
        return Some(from);
    };
    let first = first.to_ascii_lowercase();
    let last_start = haystack.len().checked_sub(needle.len())?;
    (0..=last_start)
        .find(|&at| {
            haystack[at].to_ascii_lowercase() == first
                && bytes_equal(&haystack[at + 1..at + needle.len()], rest, true)
        })
        .map(|at| at + from)
}

/// The byte offset of the last occurrence of `needle` in `value` that starts
/// at or after byte `from`, folding ASCII letters when `insensitive`. An
/// empty needle occurs last at the end of `value`.
pub fn rfind(value: &str, needle: &str, from: usize, insensitive: bool) -> Option<usize> {
    let haystack = value.as_bytes();
    let needle = needle.as_bytes();
    let last_start = haystack.len().checked_sub(needle.len())?;
    if from > last_start {
        return None;
    }
    (from..=last_start)
        .rev()
        .find(|&at| bytes_equal(&haystack[at..at + needle.len()], needle, insensitive))
}

#[inline]
fn bytes_equal(a: &[u8], b: &[u8], insensitive: bool) -> bool {
    if insensitive {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Compares two strings by code point, as Elasticsearch orders keyword
/// values (UTF-8 byte order), folding nothing.
#[inline]
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    a.as_bytes().cmp(b.as_bytes())
}

/// What a wildcard pattern asks for, so that the compiler can emit the
/// cheapest test for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternKind<'p> {
    /// No wildcard: the whole value equals the text.
    Exact(&'p str),
    /// `text*`.
    Prefix(&'p str),
    /// `*text`.
    Suffix(&'p str),
    /// `*text*`.
    Contains(&'p str),
    /// Only wildcards: a value of at least `min` characters, exactly `min`
    /// when there is no `*` (`*` alone matches everything, `?*` any non-empty
    /// value).
    Length { min: usize, exact: bool },
    /// Anything else: several `*` with text between, or `?` next to text.
    General,
}

/// Classifies a wildcard pattern.
pub fn classify(pattern: &str) -> PatternKind<'_> {
    let has_question = pattern.contains('?');
    let stars = pattern.bytes().filter(|&b| b == b'*').count();
    if !has_question && stars == 0 {
        return PatternKind::Exact(pattern);
    }
    if pattern.chars().all(|c| c == '*' || c == '?') {
        return PatternKind::Length {
            min: pattern.chars().filter(|&c| c == '?').count(),
            exact: stars == 0,
        };
    }
    if has_question {
        return PatternKind::General;
    }
    let inner = pattern.trim_matches('*');
    if inner.contains('*') {
        return PatternKind::General;
    }
    let leading = pattern.starts_with('*');
    let trailing = pattern.ends_with('*');
    match (leading, trailing) {
        (true, true) => PatternKind::Contains(inner),
        (false, true) => PatternKind::Prefix(inner),
        (true, false) => PatternKind::Suffix(inner),
        (false, false) => PatternKind::General,
    }
}

/// Whether `value` matches the wildcard `pattern` as a whole, folding ASCII
/// letters when `insensitive`.
///
/// Runs in `O(len(value) * len(pattern))` at worst and allocates nothing:
/// only the most recent `*` is ever backtracked to, which is enough because
/// `*` matches any run.
pub fn wildcard_match(pattern: &str, value: &str, insensitive: bool) -> bool {
    let pattern = pattern.as_bytes();
    let value = value.as_bytes();
    let (mut p, mut v) = (0, 0);
    // Where to resume after the last `*`: the pattern index after it and the
    // value index it has absorbed up to.
    let mut resume: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                resume = Some((p, v));
                continue;
            }
            Some(b'?') => {
                p += 1;
                v += utf8_len(value[v]);
                continue;
            }
            Some(&expected) if bytes_equal(&[expected], &[value[v]], insensitive) => {
                p += 1;
                v += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((after_star, absorbed)) => {
                let absorbed = absorbed + utf8_len(value[absorbed]);
                resume = Some((after_star, absorbed));
                p = after_star;
                v = absorbed;
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
}

/// The length in bytes of the UTF-8 sequence that starts with `lead`.
#[inline]
fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        // A continuation byte cannot start a character in valid UTF-8.
        _ => 1,
    }
}

/// Whether `value` has at least (or, with `exact`, exactly) `min` characters.
#[inline]
pub fn has_length(value: &str, min: usize, exact: bool) -> bool {
    if value.len() < min {
        return false;
    }
    if value.is_ascii() {
        return if exact { value.len() == min } else { true };
    }
    let count = value.chars().count();
    if exact { count == min } else { count >= min }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_is_ascii_only() {
        assert!(equals("SSH", "ssh", true));
        assert!(!equals("SSH", "ssh", false));
        // KELVIN SIGN, dotted capital I and sharp s fold to nothing.
        assert!(!equals("\u{212a}", "k", true));
        assert!(!equals("\u{130}", "i", true));
        assert!(!equals("stra\u{df}e", "strasse", true));
        assert!(equals("stra\u{df}E", "stra\u{df}e", true));
    }

    #[test]
    fn classifies_patterns() {
        assert_eq!(classify("ssh"), PatternKind::Exact("ssh"));
        assert_eq!(classify("-L*"), PatternKind::Prefix("-L"));
        assert_eq!(classify("*.exe"), PatternKind::Suffix(".exe"));
        assert_eq!(classify("*Tunnel*"), PatternKind::Contains("Tunnel"));
        assert_eq!(classify("**a**"), PatternKind::Contains("a"));
        assert_eq!(
            classify("*"),
            PatternKind::Length {
                min: 0,
                exact: false
            }
        );
        assert_eq!(
            classify("?*"),
            PatternKind::Length {
                min: 1,
                exact: false
            }
        );
        assert_eq!(
            classify("??"),
            PatternKind::Length {
                min: 2,
                exact: true
            }
        );
        assert_eq!(classify("-*R*"), PatternKind::General);
        assert_eq!(classify("?:\\Windows\\*"), PatternKind::General);
    }

    #[test]
    fn wildcards_match_whole_values() {
        assert!(wildcard_match("-*R*", "-fNR", false));
        assert!(wildcard_match("-*R*", "-R", false));
        assert!(!wildcard_match("-*R*", "-r", false));
        assert!(wildcard_match("-*R*", "-r", true));
        assert!(!wildcard_match("-*R*", "x-R", false));
        assert!(wildcard_match(
            "?:\\Windows\\*",
            "C:\\Windows\\cmd.exe",
            false
        ));
        assert!(!wildcard_match("?:\\Windows\\*", "C:\\Win\\cmd.exe", false));
        assert!(wildcard_match("a*b*c", "aXbYbZc", false));
        assert!(!wildcard_match("a*b*c", "aXbYbZ", false));
        assert!(wildcard_match("", "", false));
        assert!(!wildcard_match("", "a", false));
        assert!(wildcard_match("***", "", false));
    }

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        assert!(wildcard_match("a?c", "a\u{e9}c", false));
        assert!(wildcard_match("a?c", "a\u{1f600}c", false));
        assert!(!wildcard_match("a??c", "a\u{e9}c", false));
        assert!(wildcard_match("*\u{e9}", "caf\u{e9}", false));
        assert!(has_length("\u{e9}", 1, true));
        assert!(!has_length("", 1, false));
    }

    #[test]
    fn backslash_is_a_plain_character() {
        assert!(wildcard_match("C:\\*", "C:\\x", false));
        assert!(wildcard_match("a\\*", "a\\xyz", false));
        assert!(!wildcard_match("a\\*", "a*", false));
        assert!(wildcard_match("a\\?", "a\\b", false));
        assert!(!wildcard_match("a\\?", "a?", false));
    }

    #[test]
    fn find_and_affixes() {
        assert_eq!(find("abcabc", "CA", 0, true), Some(2));
        assert_eq!(find("abcabc", "CA", 0, false), None);
        assert_eq!(find("abcabc", "bc", 2, false), Some(4));
        assert_eq!(find("abc", "", 1, false), Some(1));
        assert_eq!(find("abc", "", 4, false), None);
        assert!(starts_with("ProxyCommand=x", "proxycommand", true));
        assert!(ends_with("a.EXE", ".exe", true));
        assert!(!ends_with("a.EXE", ".exe", false));
        assert!(contains("x", "", false));
    }

    #[test]
    fn rfind_searches_from_the_end() {
        assert_eq!(rfind("a\\b\\c", "\\", 0, false), Some(3));
        assert_eq!(rfind("a\\b\\c", "\\", 4, false), None);
        assert_eq!(rfind("abcABC", "bc", 0, true), Some(4));
        assert_eq!(rfind("abcABC", "bc", 0, false), Some(1));
        assert_eq!(rfind("abc", "", 1, false), Some(3));
        assert_eq!(rfind("abc", "abcd", 0, false), None);
        assert_eq!(rfind("\u{212a}k", "K", 0, true), Some(3));
        assert_eq!(rfind("\u{212a}", "k", 0, true), None);
    }
}
