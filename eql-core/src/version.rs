//! Software versions as Elasticsearch's `version` field orders them.
//!
//! A `version` field holds text and matches `==`, `in`, `:` and `like` on
//! that text like a `keyword` field, but its range queries (`<`, `<=`, `>`,
//! `>=`) follow software version precedence. This module defines that order
//! once, for the compiler, the interpreter and generated matchers.
//!
//! A text is a **valid** version when it reads as
//! `main[-pre-release][+build]`, where:
//!
//! - `main` is one or more numbers separated by `.` (`1`, `1.2`, `1.2.3`,
//!   `1.2.3.4`: unlike strict Semantic Versioning, any count), each `0` or
//!   without a leading zero;
//! - `pre-release` is one or more identifiers separated by `.`, each a
//!   number as above, or letters, digits and `-` with at least one
//!   non-digit (`alpha`, `rc-1`, `0a`);
//! - `build` is one or more non-empty runs of letters, digits and `-`
//!   separated by `.`.
//!
//! The `+` that starts `build` is the first `+`, and the `-` that starts
//! `pre-release` the first `-` before it; neither may open the text. Each
//! of the three parts has at most 32 identifiers, and a number at most 127
//! digits (Elasticsearch refuses longer ones; here they make the text
//! invalid).
//!
//! Valid versions order as follows:
//!
//! 1. The numbers of `main`, left to right, by value (`1.9.0 < 1.10.0`).
//!    When one list of numbers is a prefix of the other, the shorter one
//!    is lower whatever follows: `1.2 < 1.2+b < 1.2.0-alpha < 1.2.0`.
//! 2. With equal `main`, a pre-release is lower than the release
//!    (`1.0.0-alpha < 1.0.0`).
//! 3. Pre-releases compare identifier by identifier: numbers by value,
//!    numbers lower than other identifiers, other identifiers by their
//!    bytes; fewer identifiers are lower when the rest is equal
//!    (`alpha < alpha.1 < alpha.beta < beta < beta.2 < beta.11 < rc.1`).
//! 4. Then the build part, including its `+`, by bytes; no build is lowest
//!    (`1.0.0 < 1.0.0+a < 1.0.0+b`). Unlike Semantic Versioning, two
//!    versions with different builds are not equal, as two texts that
//!    differ never are.
//!
//! Invalid texts (`bad`, `1.2.alpha`, `01.2`, `1.0.0-`) sort **after**
//! every valid version and among themselves by bytes; the empty text sorts
//! first among them. (Texts that start with a control character below
//! U+0004 are exceptions, as the sort keys below show.)
//!
//! Elasticsearch gets this order by indexing each text as a sort key whose
//! bytes compare in that order; [`order`] compares the same keys, built
//! lazily so that comparing a value allocates nothing. The byte-wise rules
//! at identifier boundaries follow from the key: identifiers other than
//! numbers are compared together with the `.` after them, so
//! `1.0.0-a-b < 1.0.0-a.b` (`-` is below `.`), where Semantic Versioning
//! would order `a < a-b`.

use std::cmp::Ordering;

use crate::ops::{Comparison, with_text};
use crate::value::Value;

/// Whether `value` is text (or a number or boolean, as the field indexes
/// its JSON text) that compares with the version `constant` as `op` asks,
/// by [`order`].
#[inline]
pub fn compare(value: Value<'_>, op: Comparison, constant: &str) -> bool {
    with_text(value, |text| op.holds(Some(order(text, constant))))
}

/// The order of two texts of a `version` field: see the [module
/// documentation](self).
pub fn order(a: &str, b: &str) -> Ordering {
    SortKey::new(a).cmp(SortKey::new(b))
}

/// Whether `text` is a valid version, which [`order`] compares by its
/// numbers rather than by its bytes.
pub fn is_valid(text: &str) -> bool {
    Layout::of(text.as_bytes()).is_some()
}

/// Most identifiers separated by `.` in each part of a valid version.
const MAX_IDENTIFIERS: usize = 32;
/// Most digits of a number in a valid version.
const MAX_DIGITS: usize = 127;

/// Key byte that opens a number; below every byte a valid version's text
/// uses, so a number is lower than any other identifier.
const KEY_NUMBER: u8 = 0x01;
/// Key byte after `main` when a pre-release follows.
const KEY_PRE_RELEASE: u8 = 0x02;
/// Key byte after `main` when no pre-release follows; also the whole key of
/// the empty text.
const KEY_RELEASE: u8 = 0x03;
/// Set in the byte that holds a number's digit count, so that it is above
/// every byte of text that could stand in its place.
const KEY_DIGIT_COUNT: u8 = 0x80;

/// Where the parts of a valid version end.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// End of `main` and start of `-pre-release`, if any.
    main_end: usize,
    /// End of `-pre-release` and start of `+build`, if any; the length
    /// when there is no build.
    build_start: usize,
}

impl Layout {
    /// The parts of `text`, if it is a valid version.
    fn of(text: &[u8]) -> Option<Layout> {
        let build_start = match text.iter().position(|&b| b == b'+') {
            Some(0) => return None,
            Some(at) => at,
            None => text.len(),
        };
        let main_end = match text[..build_start].iter().position(|&b| b == b'-') {
            Some(0) => return None,
            Some(at) => at,
            None => build_start,
        };
        let main = &text[..main_end];
        let pre_release = &text[main_end..build_start];
        let build = &text[build_start..];
        let valid = identifiers_all(main, is_number)
            && (pre_release.is_empty()
                || identifiers_all(&pre_release[1..], is_pre_release_identifier))
            && (build.is_empty() || identifiers_all(&build[1..], is_build_identifier));
        valid.then_some(Layout {
            main_end,
            build_start,
        })
    }
}

/// Whether `part` has between one and [`MAX_IDENTIFIERS`] identifiers
/// separated by `.`, each satisfying `valid`.
fn identifiers_all(part: &[u8], valid: fn(&[u8]) -> bool) -> bool {
    let mut count = 0;
    part.split(|&b| b == b'.').all(|identifier| {
        count += 1;
        count <= MAX_IDENTIFIERS && valid(identifier)
    })
}

/// `0`, or digits without a leading zero, at most [`MAX_DIGITS`] of them.
fn is_number(identifier: &[u8]) -> bool {
    match identifier {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        digits => digits.len() <= MAX_DIGITS && digits.iter().all(u8::is_ascii_digit),
    }
}

/// A number, or letters, digits and `-` with at least one non-digit.
fn is_pre_release_identifier(identifier: &[u8]) -> bool {
    is_number(identifier)
        || (is_build_identifier(identifier) && !identifier.iter().all(u8::is_ascii_digit))
}

/// Letters, digits and `-`, at least one.
fn is_build_identifier(identifier: &[u8]) -> bool {
    !identifier.is_empty()
        && identifier
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The bytes of a text's sort key, computed as they are read.
///
/// The key of an invalid text is its bytes (of the empty text,
/// [`KEY_RELEASE`]). The key of a valid version is its text with each
/// number (every identifier of `main`, and the identifiers of the
/// pre-release that are numbers) preceded by [`KEY_NUMBER`] and its digit
/// count, which makes longer numbers, having no leading zero, the greater
/// ones; and with [`KEY_PRE_RELEASE`] or [`KEY_RELEASE`] inserted after
/// `main`.
#[derive(Clone, Debug)]
struct SortKey<'a> {
    text: &'a [u8],
    /// `None` for an invalid text.
    layout: Option<Layout>,
    /// The next byte of `text` to read.
    pos: usize,
    /// The end of the number whose prefix was yielded; the number's digits
    /// up to here are plain bytes of the key.
    number_end: usize,
    /// A byte to yield before reading on: a number's digit count.
    pending: Option<u8>,
    /// Whether the byte after `main` was yielded.
    main_closed: bool,
}

impl<'a> SortKey<'a> {
    fn new(text: &'a str) -> SortKey<'a> {
        let text = match text.as_bytes() {
            [] => &[KEY_RELEASE],
            bytes => bytes,
        };
        SortKey {
            text,
            layout: Layout::of(text),
            pos: 0,
            number_end: 0,
            pending: None,
            main_closed: false,
        }
    }

    /// Whether an identifier of `main` or of the pre-release starts at
    /// `pos`.
    fn at_identifier_start(&self, layout: Layout) -> bool {
        let pos = self.pos;
        pos < layout.build_start
            && (pos == 0 || pos == layout.main_end + 1 || self.text[pos - 1] == b'.')
    }
}

impl Iterator for SortKey<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if let Some(byte) = self.pending.take() {
            return Some(byte);
        }
        let Some(layout) = self.layout else {
            let byte = *self.text.get(self.pos)?;
            self.pos += 1;
            return Some(byte);
        };
        if self.pos == layout.main_end && !self.main_closed {
            self.main_closed = true;
            return Some(if layout.main_end < layout.build_start {
                KEY_PRE_RELEASE
            } else {
                KEY_RELEASE
            });
        }
        let byte = *self.text.get(self.pos)?;
        if self.pos >= self.number_end && self.at_identifier_start(layout) {
            let part_end = if self.pos < layout.main_end {
                layout.main_end
            } else {
                layout.build_start
            };
            let identifier = &self.text[self.pos..part_end];
            let len = identifier
                .iter()
                .position(|&b| b == b'.')
                .unwrap_or(identifier.len());
            if identifier[..len].iter().all(u8::is_ascii_digit) {
                // At most MAX_DIGITS, so the count fits in the low 7 bits.
                self.number_end = self.pos + len;
                self.pending = Some(KEY_DIGIT_COUNT | len as u8);
                return Some(KEY_NUMBER);
            }
        }
        self.pos += 1;
        Some(byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Vec<u8> {
        SortKey::new(text).collect()
    }

    /// Asserts that `texts` are in strictly increasing order, pair by pair
    /// and overall.
    fn check_increasing(texts: &[&str]) {
        for (i, a) in texts.iter().enumerate() {
            assert_eq!(order(a, a), Ordering::Equal, "{a:?} == {a:?}");
            for b in &texts[i + 1..] {
                assert_eq!(order(a, b), Ordering::Less, "{a:?} < {b:?}");
                assert_eq!(order(b, a), Ordering::Greater, "{b:?} > {a:?}");
            }
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        check_increasing(&["1.2.3", "1.9.0", "1.10.0", "1.11.3", "2.0.0", "10.0.0"]);
        check_increasing(&["0.0.0", "0.0.1", "0.1.0", "1.0.0"]);
        check_increasing(&["2.1.0", "2.4.1", "2.11.2"]);
    }

    #[test]
    fn any_count_of_numbers() {
        check_increasing(&["1", "1.2", "1.2.0", "1.2.3", "1.2.3.4", "1.3"]);
        // A shorter main part is lower whatever follows it.
        check_increasing(&["1.2-alpha", "1.2", "1.2+build", "1.2.0-alpha", "1.2.0"]);
    }

    #[test]
    fn pre_releases_are_lower() {
        check_increasing(&["1.0.0-alpha", "1.0.0"]);
        check_increasing(&["1.2.4-SNAPSHOT", "1.2.4", "1.5.0"]);
        check_increasing(&["0.9.9", "1.0.0-0", "1.0.0-rc.1", "1.0.0"]);
    }

    #[test]
    fn pre_release_identifiers() {
        // The precedence example of Semantic Versioning 2.0.0, section 11.
        check_increasing(&[
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ]);
        check_increasing(&["1.0.0-alpha.2", "1.0.0-alpha.10"]);
        check_increasing(&["1.0.0-2", "1.0.0-10", "1.0.0-10a", "1.0.0-2a"]);
        // Numbers are lower than other identifiers, even ones of digits
        // and letters, and even `-`.
        check_increasing(&["1.0.0-999", "1.0.0--", "1.0.0-0a", "1.0.0-a"]);
        // Upper case letters sort first, as bytes do.
        check_increasing(&["1.0.0-RC", "1.0.0-rc"]);
        // Identifiers other than numbers compare as bytes with what follows.
        check_increasing(&["1.0.0-a", "1.0.0-a+b", "1.0.0-a-b", "1.0.0-a.b", "1.0.0-ab"]);
    }

    #[test]
    fn builds_compare_as_bytes() {
        check_increasing(&["1.0.0", "1.0.0+a", "1.0.0+b", "1.0.1"]);
        check_increasing(&["1.0.0-rc", "1.0.0-rc+10", "1.0.0-rc+2", "1.0.0-rc.1"]);
        assert_ne!(order("1.0.0+a", "1.0.0+b"), Ordering::Equal);
    }

    #[test]
    fn invalid_texts_sort_after_valid_ones() {
        for invalid in [
            "bad",
            "",
            "1.2.alpha",
            "01.2",
            "1.02",
            "1.0.0-",
            "1..2",
            "v1.0",
        ] {
            assert!(!is_valid(invalid), "{invalid:?} is invalid");
            for valid in ["0", "1.5.0", "99999.0.0", "1.0.0-z+z"] {
                assert_eq!(
                    order(valid, invalid),
                    Ordering::Less,
                    "{valid:?} < {invalid:?}"
                );
            }
        }
        // Among themselves, by bytes; the empty text first, as it sorts
        // before any text that is not a version.
        check_increasing(&["", "-1", "1.2.alpha", "1.2.x", "bad"]);
    }

    #[test]
    fn validity() {
        for valid in [
            "0",
            "1.2.3",
            "1.2.3.4.5",
            "1.0.0-alpha.1",
            "1.0.0-0a.--.x-y",
            "1.0.0+build.007",
            "1.0.0-rc-1+build-2.3",
            "1-2",
        ] {
            assert!(is_valid(valid), "{valid:?} is valid");
        }
        for invalid in [
            "+1",
            "-1",
            "1.",
            ".1",
            "1.0.0-01",
            "1.0.0-a..b",
            "1.0.0+",
            "1.0.0+a+b",
            "1.0.0+a..b",
            "1.0.0-a_b",
            "1.0.0 ",
            "1.x",
            "１.0",
        ] {
            assert!(!is_valid(invalid), "{invalid:?} is invalid");
        }
    }

    #[test]
    fn limits() {
        let parts = |n: usize| vec!["1"; n].join(".");
        assert!(is_valid(&parts(32)));
        assert!(!is_valid(&parts(33)));
        assert!(is_valid(&format!("1.0.0-{}", parts(32))));
        assert!(!is_valid(&format!("1.0.0-{}", parts(33))));
        assert!(!is_valid(&format!("1.0.0+{}", parts(33))));
        let digits = |n: usize| "9".repeat(n);
        assert!(is_valid(&digits(127)));
        assert!(!is_valid(&digits(128)));
        check_increasing(&["0.0.1-a", &digits(126), &digits(127), &digits(128)]);
    }

    #[test]
    fn keys() {
        assert_eq!(key("1.10"), b"\x01\x811.\x01\x8210\x03");
        assert_eq!(key("1-a.2+b"), b"\x01\x811\x02-a.\x01\x812+b");
        assert_eq!(key("1-2a"), b"\x01\x811\x02-2a");
        assert_eq!(key("bad"), b"bad");
        assert_eq!(key(""), b"\x03");
    }

    #[test]
    fn values_compare_as_text() {
        assert!(compare(Value::Str("1.11.3"), Comparison::Greater, "1.5.0"));
        assert!(!compare(Value::Str("bad"), Comparison::Less, "1.5.0"));
        assert!(compare(Value::Str("bad"), Comparison::Greater, "1.5.0"));
        assert!(compare(Value::Int(2), Comparison::GreaterOrEqual, "1.5.0"));
        assert!(compare(
            Value::Str("1.5.0"),
            Comparison::LessOrEqual,
            "1.5.0"
        ));
        assert!(!compare(Value::Bool(true), Comparison::Less, "1.5.0"));
    }
}
