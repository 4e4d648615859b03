//! Comparisons of field values with constants, as Elasticsearch defines them.
//!
//! Shared by generated code, the interpreter and constant folding.

use std::cmp::Ordering;

use crate::scalar::Scalar;
use crate::text;
use crate::value::{Number, Value};

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    /// Whether `ordering` satisfies the operator; `None` (unordered, as
    /// with `NaN`) satisfies only `!=`.
    #[inline]
    pub fn holds(self, ordering: Option<Ordering>) -> bool {
        match (self, ordering) {
            (Comparison::NotEqual, None) => true,
            (_, None) => false,
            (Comparison::Equal, Some(o)) => o == Ordering::Equal,
            (Comparison::NotEqual, Some(o)) => o != Ordering::Equal,
            (Comparison::Less, Some(o)) => o == Ordering::Less,
            (Comparison::LessOrEqual, Some(o)) => o != Ordering::Greater,
            (Comparison::Greater, Some(o)) => o == Ordering::Greater,
            (Comparison::GreaterOrEqual, Some(o)) => o != Ordering::Less,
        }
    }
}

/// Calls `with` on the text of `value` as a keyword field would index it:
/// strings as they are, numbers and booleans in their JSON form.
#[inline(always)]
pub fn with_text<F: FnOnce(&str) -> bool>(value: Value<'_>, with: F) -> bool {
    match value {
        Value::Str(text) => with(text),
        other => other.keyword(with),
    }
}

/// A three-valued boolean as a scalar.
#[inline]
pub fn bool3<'a>(value: Option<bool>) -> Scalar<'a> {
    match value {
        Some(b) => Scalar::Bool(b),
        None => Scalar::Null,
    }
}

/// Applies `test` to a computed value as to a field value: null for null.
#[inline]
pub fn with_value<'a>(value: &Scalar<'_>, test: impl FnOnce(Value<'_>) -> bool) -> Scalar<'a> {
    let result = match value {
        Scalar::Null => return Scalar::Null,
        Scalar::Bool(b) => test(Value::Bool(*b)),
        Scalar::Number(Number::Int(n)) => test(Value::Int(*n)),
        Scalar::Number(Number::UInt(n)) => test(Value::UInt(*n)),
        Scalar::Number(Number::Float(n)) => test(Value::Float(*n)),
        Scalar::Str(text) => test(Value::Str(text.as_str())),
    };
    Scalar::Bool(result)
}

/// Whether `value` is a number equal to one of `numbers`.
#[inline]
pub fn number_in(value: Value<'_>, numbers: &[Number]) -> bool {
    match value.as_number() {
        Some(n) => numbers
            .iter()
            .any(|&m| n.compare(m) == Some(Ordering::Equal)),
        None => false,
    }
}

/// Whether `value` is a number that compares with `constant` as `op` asks.
#[inline]
pub fn compare_number(value: Value<'_>, op: Comparison, constant: Number) -> bool {
    match value.as_number() {
        Some(n) => op.holds(n.compare(constant)),
        None => false,
    }
}

/// Whether `value` is a string that compares with `constant` as `op` asks,
/// ordinally (by code point) and case-sensitively.
#[inline]
pub fn compare_text(value: Value<'_>, op: Comparison, constant: &str) -> bool {
    match value {
        Value::Str(text) => op.holds(Some(text::compare(text, constant))),
        _ => false,
    }
}

/// Whether `value` is an IP address, or the text of one, inside one of
/// `blocks` (`cidrMatch` on a field).
#[inline]
pub fn ip_in(value: Value<'_>, blocks: &[crate::scalar::Cidr]) -> bool {
    let ip = match value {
        Value::Ip(ip) => ip,
        Value::Str(text) => match crate::scalar::parse_ip(text) {
            Some(ip) => ip,
            None => return false,
        },
        _ => return false,
    };
    blocks.iter().any(|block| block.contains(ip))
}

/// Whether `text` is one of `sorted` (sorted by bytes).
#[inline]
pub fn contains_sorted(sorted: &[&str], text: &str) -> bool {
    sorted.binary_search(&text).is_ok()
}

/// Whether `text`, with ASCII letters folded, is one of `sorted` (lower-case,
/// sorted by bytes).
pub fn contains_sorted_folded(sorted: &[&str], text: &str) -> bool {
    sorted
        .binary_search_by(|candidate| {
            let candidate = candidate.as_bytes().iter();
            let text = text.as_bytes().iter().map(u8::to_ascii_lowercase);
            candidate.copied().cmp(text)
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_sets() {
        let set = ["3proxy", "iodine", "ngrok"];
        assert!(contains_sorted(&set, "iodine"));
        assert!(!contains_sorted(&set, "Iodine"));
        assert!(contains_sorted_folded(&set, "IODINE"));
        assert!(contains_sorted_folded(&set, "nGrok"));
        assert!(!contains_sorted_folded(&set, "ngro"));
    }

    #[test]
    fn numbers_compare_across_forms() {
        assert!(number_in(Value::Int(4), &[Number::Float(4.0)]));
        assert!(!number_in(Value::Str("4"), &[Number::Int(4)]));
        assert!(compare_number(
            Value::UInt(u64::MAX),
            Comparison::Greater,
            Number::Int(0)
        ));
        assert!(compare_number(
            Value::Float(4.5),
            Comparison::Less,
            Number::Int(5)
        ));
        assert!(!compare_number(
            Value::Float(f64::NAN),
            Comparison::Less,
            Number::Int(5)
        ));
    }

    #[test]
    fn addresses_in_blocks() {
        let blocks = [
            crate::scalar::Cidr::v4([10, 0, 0, 0], 8),
            crate::scalar::Cidr::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        ];
        assert!(ip_in(Value::Str("10.1.2.3"), &blocks));
        assert!(ip_in(Value::Str("fe80::1"), &blocks));
        assert!(!ip_in(Value::Str("11.1.2.3"), &blocks));
        assert!(!ip_in(Value::Str("not an address"), &blocks));
        assert!(!ip_in(Value::Int(10), &blocks));
        assert!(ip_in(
            Value::Ip("10.9.9.9".parse().expect("address")),
            &blocks
        ));
    }

    #[test]
    fn text_of_non_strings() {
        assert!(with_text(Value::Int(0), |t| t == "0"));
        assert!(with_text(Value::Bool(true), |t| t == "true"));
        assert!(with_text(Value::Float(1.0), |t| t == "1.0"));
        assert!(compare_text(Value::Str("b"), Comparison::Greater, "a"));
        assert!(!compare_text(Value::Str("B"), Comparison::Greater, "a"));
    }
}
