//! The values of EQL expressions, and the functions and arithmetic that
//! compute them, as Elasticsearch defines them.
//!
//! A [`Scalar`] is what an expression such as `length(process.name)`,
//! `serial_event_id / 2` or `between(file.path, "\\", ".")` evaluates to for
//! one event: null, a boolean, a number or a string. Generated code, the
//! interpreter and constant folding in the compiler all call the functions of
//! this module, so they agree by construction.
//!
//! Strings are [`Text`]s, which avoid allocating in the common cases: a
//! substring of a field value borrows from the event, and a short computed
//! string (`string(42)`, a `concat` of a few short parts) lives inline on the
//! stack. Only computed strings longer than [`INLINE_CAPACITY`] bytes
//! allocate.
//!
//! # Nulls and errors
//!
//! Every function returns null when a required argument is null, as
//! Elasticsearch documents. Where Elasticsearch raises an error at search
//! time — an argument of the wrong type (`length(5)`), integer division by
//! zero, integer overflow, a string that is not a number or not an IP
//! address, a malformed CIDR block — these functions return null as well:
//! an in-memory matcher has no search to fail, and null makes the predicate
//! false, so the event does not match. Nothing here panics on any input.
//!
//! # Numbers
//!
//! Integers are `i64` ([`Number::Int`]) and stay integers under `+ - * / %`;
//! any float operand makes the operation a float one (IEEE 754, so float
//! division by zero gives an infinity or NaN). Integer semantics are Java's,
//! which Elasticsearch uses: `/` truncates towards zero and `%` takes the
//! sign of the dividend (`modulo(-10, -6) == -4`, `modulo(10, -6) == 4`).
//!
//! Elasticsearch computes `+ - *` and negation with `Math.addExact` and its
//! siblings, which throw on overflow; here overflow gives null, like the
//! other errors. `i64::MIN / -1` does not throw in Java and wraps to
//! `i64::MIN`, and so it does here. Elasticsearch also distinguishes 32-bit
//! `int` from 64-bit `long` operands, so an expression of `int` literals only
//! can overflow at 2³¹ there; every integer is 64-bit here.
//!
//! Integers above `i64::MAX` ([`Number::UInt`]) mix with signed ones exactly
//! (in 128-bit arithmetic); the result is a signed integer when it fits, else
//! an unsigned one, else null.
//!
//! # Positions and lengths
//!
//! `length`, `indexOf` and `substring` count **UTF-16 code units**, as Java's
//! `String` does and so Elasticsearch: its `length` is `String.length()`.
//! The Python `eql` package (and so the shared oracle) counts code points
//! instead; the two agree on every character of the Basic Multilingual Plane
//! and differ by one per character outside it (`length("😀")` is 2 here).
//! A `substring` bound that falls between the two halves of a surrogate pair
//! keeps only the whole characters inside the range, since a Rust string
//! cannot hold half a character.
//!
//! # Case folding
//!
//! The case-insensitive forms (`between~`, `endsWith~`, `indexOf~`,
//! `startsWith~`, `stringContains~`) fold ASCII letters only, through
//! [`crate::text`], like Elasticsearch's case-insensitive Lucene queries.
//! Its script path lower-cases with `toLowerCase(Locale.ROOT)` instead; the
//! two agree on ASCII, and here KELVIN SIGN `K` never equals `k`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;

use crate::ops::Comparison;
use crate::text;
use crate::value::{Number, Value};

/// The value of an expression for one event.
///
/// `PartialEq` is structural (`Int(1)` differs from `Float(1.0)`, `Null`
/// equals `Null`), which is what tests want; [`equals`] and [`compare`] give
/// EQL's comparison semantics.
#[derive(Clone, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Text<'a>),
}

impl<'a> Scalar<'a> {
    /// The scalar for one value of a field. IP addresses become their text
    /// form, as Elasticsearch scripts see an `ip` field; an IPv4-mapped IPv6
    /// address is written as IPv4, because Elasticsearch stores both alike.
    pub fn from_value(value: Value<'a>) -> Scalar<'a> {
        match value {
            Value::Str(text) => Scalar::Str(Text::Borrowed(text)),
            Value::Int(n) => Scalar::Number(Number::Int(n)),
            Value::UInt(n) => Scalar::Number(Number::UInt(n)),
            Value::Float(n) => Scalar::Number(Number::Float(n)),
            Value::Bool(b) => Scalar::Bool(b),
            Value::Ip(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => Scalar::Str(formatted(format_args!("{v4}"))),
                None => Scalar::Str(formatted(format_args!("{v6}"))),
            },
            Value::Ip(IpAddr::V4(v4)) => Scalar::Str(formatted(format_args!("{v4}"))),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Scalar::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<Number> {
        match self {
            Scalar::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(text) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The same value, no longer borrowing from the event (for keeping it
    /// past the event, as a join key is kept).
    pub fn into_owned(self) -> Scalar<'static> {
        match self {
            Scalar::Null => Scalar::Null,
            Scalar::Bool(b) => Scalar::Bool(b),
            Scalar::Number(n) => Scalar::Number(n),
            Scalar::Str(text) => Scalar::Str(text.into_owned()),
        }
    }
}

impl fmt::Debug for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Number(Number::Int(n)) => write!(f, "{n}"),
            Scalar::Number(Number::UInt(n)) => write!(f, "{n}u"),
            Scalar::Number(Number::Float(n)) => write!(f, "{n:?}"),
            Scalar::Str(text) => write!(f, "{:?}", text.as_str()),
        }
    }
}

impl From<bool> for Scalar<'_> {
    fn from(b: bool) -> Self {
        Scalar::Bool(b)
    }
}

impl From<i64> for Scalar<'_> {
    fn from(n: i64) -> Self {
        Scalar::Number(Number::Int(n))
    }
}

impl From<f64> for Scalar<'_> {
    fn from(n: f64) -> Self {
        Scalar::Number(Number::Float(n))
    }
}

impl From<Number> for Scalar<'_> {
    fn from(n: Number) -> Self {
        Scalar::Number(n)
    }
}

impl<'a> From<&'a str> for Scalar<'a> {
    fn from(text: &'a str) -> Self {
        Scalar::Str(Text::Borrowed(text))
    }
}

impl<'a> From<Text<'a>> for Scalar<'a> {
    fn from(text: Text<'a>) -> Self {
        Scalar::Str(text)
    }
}

/// How many bytes a computed string may have and still live on the stack:
/// as many as keep a [`Scalar`] within 64 bytes.
pub const INLINE_CAPACITY: usize = 62;

/// The string of a [`Scalar`]: borrowed from the event, inline on the stack,
/// or (for long computed strings only) on the heap.
///
/// Equality, ordering and hashing look at the characters only, never at
/// where they are kept.
#[derive(Clone)]
pub enum Text<'a> {
    /// A field value or a slice of one, or a constant.
    Borrowed(&'a str),
    /// A computed string of at most [`INLINE_CAPACITY`] bytes.
    Inline(InlineText),
    /// A computed string too long to be inline.
    Owned(String),
}

impl<'a> Text<'a> {
    /// An empty text, ready for [`Text::push_str`] or `write!`.
    pub const fn new() -> Text<'a> {
        Text::Inline(InlineText::EMPTY)
    }

    /// A computed text with the characters of `text`: inline when it fits.
    pub fn copied(text: &str) -> Text<'a> {
        match InlineText::new(text) {
            Some(inline) => Text::Inline(inline),
            None => Text::Owned(text.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Inline(inline) => inline.as_str(),
            Text::Owned(text) => text,
        }
    }

    /// Appends `tail`, moving to the heap only when the text outgrows
    /// [`INLINE_CAPACITY`].
    pub fn push_str(&mut self, tail: &str) {
        match self {
            Text::Owned(text) => return text.push_str(tail),
            Text::Inline(inline) => {
                if inline.push_str(tail) {
                    return;
                }
            }
            Text::Borrowed(text) => {
                if let Some(mut inline) = InlineText::new(text) {
                    if inline.push_str(tail) {
                        *self = Text::Inline(inline);
                        return;
                    }
                }
            }
        }
        let mut text = String::with_capacity(self.as_str().len() + tail.len());
        text.push_str(self.as_str());
        text.push_str(tail);
        *self = Text::Owned(text);
    }

    /// The same characters, no longer borrowing.
    pub fn into_owned(self) -> Text<'static> {
        match self {
            Text::Borrowed(text) => Text::copied(text),
            Text::Inline(inline) => Text::Inline(inline),
            Text::Owned(text) => Text::Owned(text),
        }
    }

    /// The bytes `range` of this text, which must lie on character
    /// boundaries (an empty text otherwise). A slice of a borrowed text
    /// borrows too.
    fn slice(&self, range: Range<usize>) -> Text<'a> {
        match self {
            Text::Borrowed(text) => Text::Borrowed(text.get(range).unwrap_or("")),
            other => Text::copied(other.as_str().get(range).unwrap_or("")),
        }
    }
}

impl Default for Text<'_> {
    fn default() -> Self {
        Text::new()
    }
}

impl fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text<'_> {}

impl PartialOrd for Text<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        text::compare(self.as_str(), other.as_str())
    }
}

impl Hash for Text<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string of at most [`INLINE_CAPACITY`] bytes stored in place.
#[derive(Clone, Copy)]
pub struct InlineText {
    len: u8,
    /// `bytes[..len]` is always valid UTF-8: only whole strings are copied
    /// in.
    bytes: [u8; INLINE_CAPACITY],
}

impl InlineText {
    pub const EMPTY: InlineText = InlineText {
        len: 0,
        bytes: [0; INLINE_CAPACITY],
    };

    /// `text` stored inline, if it fits.
    pub fn new(text: &str) -> Option<InlineText> {
        let mut inline = InlineText::EMPTY;
        inline.push_str(text).then_some(inline)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// Appends `tail` if it fits; returns whether it did.
    fn push_str(&mut self, tail: &str) -> bool {
        let start = usize::from(self.len);
        let end = start + tail.len();
        if end > INLINE_CAPACITY {
            return false;
        }
        self.bytes[start..end].copy_from_slice(tail.as_bytes());
        // `end` fits in a `u8` because the capacity does.
        self.len = end as u8;
        true
    }
}

impl fmt::Debug for InlineText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

// ---------------------------------------------------------------------------
// Comparisons and three-valued logic
// ---------------------------------------------------------------------------

/// Orders two scalars of the same kind: numbers numerically (integers
/// exactly, NaN unordered), strings by code point (UTF-8 byte order, as
/// Elasticsearch orders keywords) and case-sensitively, booleans with
/// `false < true`. Null or mixed kinds are unordered.
///
/// Elasticsearch's scripts compare strings by UTF-16 code unit instead, which
/// orders characters above U+FFFF before U+E000–U+FFFF; code point order is
/// kept here so that a function result and a field compare alike.
pub fn compare(a: &Scalar<'_>, b: &Scalar<'_>) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Number(a), Scalar::Number(b)) => a.compare(*b),
        (Scalar::Str(a), Scalar::Str(b)) => Some(text::compare(a.as_str(), b.as_str())),
        (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// `a == b` in three-valued logic: null when either side is null, `false`
/// for values of different kinds and for NaN.
pub fn equals(a: &Scalar<'_>, b: &Scalar<'_>) -> Option<bool> {
    satisfies(a, Comparison::Equal, b)
}

/// `a op b` in three-valued logic: null when either side is null. Values of
/// different kinds (and NaN) are unordered, so only `!=` holds for them.
pub fn satisfies(a: &Scalar<'_>, op: Comparison, b: &Scalar<'_>) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(op.holds(compare(a, b)))
}

/// SQL `and`: false wins over null, null over true.
pub fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// SQL `or`: true wins over null, null over false.
pub fn or3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// SQL `not`: null stays null.
pub fn not3(a: Option<bool>) -> Option<bool> {
    a.map(|b| !b)
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

/// `a + b` and `add(a, b)`. See the module documentation for overflow.
pub fn add<'r>(a: &Scalar<'_>, b: &Scalar<'_>) -> Scalar<'r> {
    arithmetic(a, b, i64::checked_add, i128::checked_add, |x, y| x + y)
}

/// `a - b` and `subtract(a, b)`.
pub fn subtract<'r>(a: &Scalar<'_>, b: &Scalar<'_>) -> Scalar<'r> {
    arithmetic(a, b, i64::checked_sub, i128::checked_sub, |x, y| x - y)
}

/// `a * b` and `multiply(a, b)`.
pub fn multiply<'r>(a: &Scalar<'_>, b: &Scalar<'_>) -> Scalar<'r> {
    arithmetic(a, b, i64::checked_mul, i128::checked_mul, |x, y| x * y)
}

/// `a / b` and `divide(a, b)`: integer division truncates towards zero;
/// integer division by zero is null (Elasticsearch fails the search).
pub fn divide<'r>(a: &Scalar<'_>, b: &Scalar<'_>) -> Scalar<'r> {
    arithmetic(
        a,
        b,
        |x, y| (y != 0).then(|| x.wrapping_div(y)),
        i128::checked_div,
        |x, y| x / y,
    )
}

/// `a % b` and `modulo(a, b)`: the remainder has the sign of the dividend,
/// for floats too; integer modulo by zero is null.
pub fn modulo<'r>(a: &Scalar<'_>, b: &Scalar<'_>) -> Scalar<'r> {
    arithmetic(
        a,
        b,
        |x, y| (y != 0).then(|| x.wrapping_rem(y)),
        i128::checked_rem,
        |x, y| x % y,
    )
}

/// `-a`: null for null, non-numbers and `-i64::MIN`.
pub fn negate<'r>(a: &Scalar<'_>) -> Scalar<'r> {
    let negated = match a.as_number() {
        Some(Number::Int(n)) => n.checked_neg().map(Number::Int),
        Some(Number::UInt(n)) => i64::try_from(-i128::from(n)).ok().map(Number::Int),
        Some(Number::Float(n)) => Some(Number::Float(-n)),
        None => None,
    };
    negated.map_or(Scalar::Null, Scalar::Number)
}

/// Applies one of the operations above: `on_i64` when both operands are
/// signed integers, `on_i128` when one is unsigned, `on_f64` when either is
/// a float. `None` from the integer operations means an error (overflow,
/// division by zero) and gives null.
fn arithmetic<'r>(
    a: &Scalar<'_>,
    b: &Scalar<'_>,
    on_i64: fn(i64, i64) -> Option<i64>,
    on_i128: fn(i128, i128) -> Option<i128>,
    on_f64: fn(f64, f64) -> f64,
) -> Scalar<'r> {
    let (Some(x), Some(y)) = (a.as_number(), b.as_number()) else {
        return Scalar::Null;
    };
    let result = match (x, y) {
        (Number::Int(x), Number::Int(y)) => on_i64(x, y).map(Number::Int),
        (Number::Float(_), _) | (_, Number::Float(_)) => {
            Some(Number::Float(on_f64(x.as_f64(), y.as_f64())))
        }
        (x, y) => match (wide(x), wide(y)) {
            (Some(x), Some(y)) => on_i128(x, y).and_then(narrow),
            _ => None,
        },
    };
    result.map_or(Scalar::Null, Scalar::Number)
}

fn wide(n: Number) -> Option<i128> {
    match n {
        Number::Int(n) => Some(i128::from(n)),
        Number::UInt(n) => Some(i128::from(n)),
        Number::Float(_) => None,
    }
}

/// An exact integer as the narrowest [`Number`] that holds it.
fn narrow(n: i128) -> Option<Number> {
    if let Ok(n) = i64::try_from(n) {
        return Some(Number::Int(n));
    }
    u64::try_from(n).ok().map(Number::UInt)
}

// ---------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------

/// `between(src, left, right, greedy)`: the text after the first `left` and
/// before the next `right` (with `greedy`, the last `right`).
///
/// As in Elasticsearch: an empty `src`, `left` or `right` gives `src`
/// unchanged; a `left` or `right` that is not found gives `""`. The `right`
/// must start at or after the end of `left`, also when greedy
/// (Elasticsearch fails the search when the last `right` of the whole
/// string starts earlier; this gives `""`). The result borrows from `src`
/// when `src` is borrowed.
pub fn between<'a>(
    src: &Scalar<'a>,
    left: &Scalar<'_>,
    right: &Scalar<'_>,
    greedy: bool,
    insensitive: bool,
) -> Scalar<'a> {
    let (Scalar::Str(source), Some(left), Some(right)) = (src, left.as_str(), right.as_str())
    else {
        return Scalar::Null;
    };
    let haystack = source.as_str();
    if haystack.is_empty() || left.is_empty() || right.is_empty() {
        return src.clone();
    }
    let Some(left_at) = text::find(haystack, left, 0, insensitive) else {
        return empty();
    };
    let start = left_at + left.len();
    let end = if greedy {
        text::rfind(haystack, right, start, insensitive)
    } else {
        text::find(haystack, right, start, insensitive)
    };
    match end {
        Some(end) => Scalar::Str(source.slice(start..end)),
        None => empty(),
    }
}

/// The text a `keyword` field holds for a value: a string as it is, a
/// number or boolean in its JSON form (Elasticsearch indexes `false` in a
/// keyword field as the string `"false"`); null for null.
fn keyword_text<'a>(value: &'a Scalar<'_>) -> Option<Text<'a>> {
    let value = match value {
        Scalar::Null => return None,
        Scalar::Str(text) => return Some(Text::Borrowed(text.as_str())),
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Number(Number::Int(n)) => Value::Int(*n),
        Scalar::Number(Number::UInt(n)) => Value::UInt(*n),
        Scalar::Number(Number::Float(n)) => Value::Float(*n),
    };
    Some(value.keyword(Text::copied))
}

/// `endsWith(src, sub)`: `endsWith("", "")` is true. Like the other two
/// functions Elasticsearch runs as keyword queries, it reads numbers and
/// booleans as their keyword text.
pub fn ends_with<'r>(src: &Scalar<'_>, sub: &Scalar<'_>, insensitive: bool) -> Scalar<'r> {
    match (keyword_text(src), keyword_text(sub)) {
        (Some(src), Some(sub)) => {
            Scalar::Bool(text::ends_with(src.as_str(), sub.as_str(), insensitive))
        }
        _ => Scalar::Null,
    }
}

/// `startsWith(src, sub)`: `startsWith("", "")` is true. Numbers and
/// booleans read as their keyword text.
pub fn starts_with<'r>(src: &Scalar<'_>, sub: &Scalar<'_>, insensitive: bool) -> Scalar<'r> {
    match (keyword_text(src), keyword_text(sub)) {
        (Some(src), Some(sub)) => {
            Scalar::Bool(text::starts_with(src.as_str(), sub.as_str(), insensitive))
        }
        _ => Scalar::Null,
    }
}

/// `stringContains(src, sub)`. Numbers and booleans read as their keyword
/// text.
///
/// An empty `src` or `sub` gives **false**, as Elasticsearch documents and
/// computes it in scripts (unlike Java's and Python's `contains`). Beware
/// that Elasticsearch runs `stringContains(field, "literal")` as the
/// wildcard query `*literal*` instead, where an empty literal matches every
/// value of the field: that form is a field test, not a call of this
/// function.
pub fn string_contains<'r>(src: &Scalar<'_>, sub: &Scalar<'_>, insensitive: bool) -> Scalar<'r> {
    match (keyword_text(src), keyword_text(sub)) {
        (Some(src), Some(sub)) => {
            let (src, sub) = (src.as_str(), sub.as_str());
            Scalar::Bool(
                !src.is_empty() && !sub.is_empty() && text::contains(src, sub, insensitive),
            )
        }
        _ => Scalar::Null,
    }
}

/// `indexOf(src, sub[, start])`: the position (in UTF-16 code units) of the
/// first `sub` at or after `start`, or null when there is none.
///
/// Java's `String.indexOf` decides the edge cases: a negative `start` counts
/// as 0; an empty `sub` is found at `start`, or at the end when `start` is
/// past it; a non-empty `sub` is never found past the end. A missing or
/// null `start` is 0, as Elasticsearch's code and the oracle read it (its
/// documentation says a null `start` gives null).
pub fn index_of<'r>(
    src: &Scalar<'_>,
    sub: &Scalar<'_>,
    start: Option<&Scalar<'_>>,
    insensitive: bool,
) -> Scalar<'r> {
    let (Some(haystack), Some(needle)) = (src.as_str(), sub.as_str()) else {
        return Scalar::Null;
    };
    let start = match start {
        None | Some(Scalar::Null) => 0,
        Some(start) => match position_argument(start) {
            Some(start) => start.max(0),
            None => return Scalar::Null,
        },
    };
    let units = utf16_len(haystack);
    let start = usize::try_from(start).unwrap_or(usize::MAX);
    if start >= units {
        return if needle.is_empty() {
            int(units)
        } else {
            Scalar::Null
        };
    }
    if needle.is_empty() {
        return int(start);
    }
    let from = byte_offset(haystack, start, Rounding::Up);
    match text::find(haystack, needle, from, insensitive) {
        Some(at) => int(haystack.get(..at).map_or(0, utf16_len)),
        None => Scalar::Null,
    }
}

/// `length(s)`: the number of UTF-16 code units of a string, as Java counts
/// them.
pub fn length<'r>(s: &Scalar<'_>) -> Scalar<'r> {
    match s.as_str() {
        Some(s) => int(utf16_len(s)),
        None => Scalar::Null,
    }
}

/// `substring(src, start[, end])` with Python's slice semantics: positions
/// in UTF-16 code units, end exclusive, negative positions counted from the
/// end, out-of-range positions clamped, an empty result when `start` is not
/// before `end`. A missing or null `end` is the end of `src`.
///
/// A null `start` returns `src` whole, as Elasticsearch's code does. Float
/// positions are truncated towards zero as Java's `intValue` does. The result
/// borrows from `src` when `src` is borrowed.
pub fn substring<'a>(src: &Scalar<'a>, start: &Scalar<'_>, end: Option<&Scalar<'_>>) -> Scalar<'a> {
    let Scalar::Str(source) = src else {
        return Scalar::Null;
    };
    if start.is_null() {
        return src.clone();
    }
    let Some(start) = position_argument(start) else {
        return Scalar::Null;
    };
    let end = match end {
        None | Some(Scalar::Null) => None,
        Some(end) => match position_argument(end) {
            Some(end) => Some(end),
            None => return Scalar::Null,
        },
    };
    let haystack = source.as_str();
    let units = i64::try_from(utf16_len(haystack)).unwrap_or(i64::MAX);
    let (from, to) = slice_bounds(start, end.unwrap_or(units), units);
    if from >= to {
        return empty();
    }
    let from = byte_offset(haystack, from, Rounding::Up);
    let to = byte_offset(haystack, to, Rounding::Down);
    if from >= to {
        return empty();
    }
    Scalar::Str(source.slice(from..to))
}

/// Python's slice bounds for `[start:end]` over `units` code units, clamped
/// to `0..=units`.
fn slice_bounds(start: i64, end: i64, units: i64) -> (usize, usize) {
    let resolve = |position: i64| {
        let position = if position < 0 {
            position.saturating_add(units)
        } else {
            position
        };
        usize::try_from(position.clamp(0, units)).unwrap_or(0)
    };
    (resolve(start), resolve(end))
}

/// A position argument as Java's `Number.intValue` reads it (floats
/// truncated, NaN as 0), but without its wrap-around at 32 bits: positions
/// beyond the string behave alike anyway. Null when not a number.
fn position_argument(arg: &Scalar<'_>) -> Option<i64> {
    match arg.as_number()? {
        Number::Int(n) => Some(n),
        Number::UInt(n) => Some(i64::try_from(n).unwrap_or(i64::MAX)),
        // `as` saturates and maps NaN to 0, like Java's conversion.
        Number::Float(n) => Some(n as i64),
    }
}

/// The number of UTF-16 code units of `s`.
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Where to go when a UTF-16 position falls between the halves of a
/// surrogate pair.
#[derive(Clone, Copy)]
enum Rounding {
    /// After the character.
    Up,
    /// Before the character.
    Down,
}

/// The byte offset in `s` of UTF-16 position `units` (clamped to the end).
fn byte_offset(s: &str, units: usize, rounding: Rounding) -> usize {
    if s.is_ascii() {
        return units.min(s.len());
    }
    let mut seen = 0;
    for (at, c) in s.char_indices() {
        if seen == units {
            return at;
        }
        let width = c.len_utf16();
        if seen + width > units {
            return match rounding {
                Rounding::Up => at + c.len_utf8(),
                Rounding::Down => at,
            };
        }
        seen += width;
    }
    s.len()
}

fn int<'r>(n: usize) -> Scalar<'r> {
    Scalar::Number(Number::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn empty<'r>() -> Scalar<'r> {
    Scalar::Str(Text::Borrowed(""))
}

// ---------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------

/// `concat(v, …)`: the string forms of all arguments (see [`string`]) joined,
/// or null if any is null. A single string argument comes back as it is,
/// still borrowed. (The compiler rejects `concat()`; no arguments give `""`.)
pub fn concat<'a>(args: &[Scalar<'a>]) -> Scalar<'a> {
    if args.iter().any(Scalar::is_null) {
        return Scalar::Null;
    }
    if let [Scalar::Str(text)] = args {
        return Scalar::Str(text.clone());
    }
    let mut joined = Text::new();
    for arg in args {
        write_string_form(&mut joined, arg);
    }
    Scalar::Str(joined)
}

/// `string(v)`: the text Java's `toString` gives, which Elasticsearch uses:
/// `true`/`false`, integers in decimal, floats as `Double.toString` writes
/// them (`42.5`, `1.0`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`). Strings come
/// back as they are, still borrowed.
pub fn string<'a>(v: &Scalar<'a>) -> Scalar<'a> {
    match v {
        Scalar::Null => Scalar::Null,
        Scalar::Str(text) => Scalar::Str(text.clone()),
        Scalar::Bool(true) => Scalar::Str(Text::Borrowed("true")),
        Scalar::Bool(false) => Scalar::Str(Text::Borrowed("false")),
        Scalar::Number(n) => {
            let mut text = Text::new();
            write_number(&mut text, *n);
            Scalar::Str(text)
        }
    }
}

fn write_string_form(out: &mut Text<'_>, v: &Scalar<'_>) {
    match v {
        Scalar::Null => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Scalar::Number(n) => write_number(out, *n),
        Scalar::Str(text) => out.push_str(text.as_str()),
    }
}

/// A computed text from `format_args!`.
fn formatted<'r>(args: fmt::Arguments<'_>) -> Text<'r> {
    let mut text = Text::new();
    // Writing to a `Text` cannot fail.
    let _ = fmt::Write::write_fmt(&mut text, args);
    text
}

fn write_number(out: &mut Text<'_>, n: Number) {
    // Writing to a `Text` cannot fail.
    let _ = match n {
        Number::Int(n) => fmt::Write::write_fmt(out, format_args!("{n}")),
        Number::UInt(n) => fmt::Write::write_fmt(out, format_args!("{n}")),
        Number::Float(n) => write_java_double(out, n),
    };
}

/// Writes `x` as Java's `Double.toString` does: the shortest digits that
/// identify the value, in plain notation for magnitudes in `[1e-3, 1e7)` and
/// in computerized scientific notation (`1.0E7`) otherwise, always with a
/// digit after the point.
///
/// Java picks a two-digit form when it is closer than the shortest
/// one-digit form, which only happens for the smallest subnormals (Java
/// writes `4.9E-324` where this writes `5.0E-324`).
fn write_java_double(out: &mut Text<'_>, x: f64) -> fmt::Result {
    use fmt::Write;
    if x.is_nan() {
        return out.write_str("NaN");
    }
    if x.is_infinite() {
        return out.write_str(if x > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if x.is_sign_negative() {
        out.write_str("-")?;
    }
    let magnitude = x.abs();
    if magnitude == 0.0 {
        return out.write_str("0.0");
    }

    // Rust's `{:e}` gives the shortest round-trip digits: `4.25e1`, `1e7`.
    let mut shortest = Text::new();
    write!(shortest, "{magnitude:e}")?;
    let (mantissa, exponent) = shortest.as_str().split_once('e').unwrap_or(("0", "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (lead, rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));

    if (1e-3..1e7).contains(&magnitude) {
        if exponent >= 0 {
            // `lead` and the first `exponent` digits of `rest` are the
            // integer part, padded with zeros when `rest` is shorter.
            let int_rest = usize::try_from(exponent).unwrap_or(0);
            let (int_digits, fraction) = rest.split_at(int_rest.min(rest.len()));
            out.write_str(lead)?;
            out.write_str(int_digits)?;
            for _ in int_digits.len()..int_rest {
                out.write_char('0')?;
            }
            out.write_char('.')?;
            out.write_str(if fraction.is_empty() { "0" } else { fraction })?;
        } else {
            out.write_str("0.")?;
            for _ in 1..-exponent {
                out.write_char('0')?;
            }
            out.write_str(lead)?;
            out.write_str(rest)?;
        }
        Ok(())
    } else {
        out.write_str(lead)?;
        out.write_char('.')?;
        out.write_str(if rest.is_empty() { "0" } else { rest })?;
        write!(out, "E{exponent}")
    }
}

/// `number(s[, base])`: the number a string spells, or null.
///
/// As Elasticsearch's code reads it: a string starting with `0x` is
/// hexadecimal when `base` is missing, null or 16 (and the prefix is
/// dropped). In base 10 the string is first read as a 64-bit integer
/// (optional sign, digits only) and, failing that, as a Java double, which
/// ignores surrounding whitespace and control characters and accepts
/// exponents, `NaN`, `Infinity` and an `f`/`d` suffix: so `number("42")` is
/// the integer 42 but `number(" 42 ")` the float 42.0. Other bases (2 to
/// 36) take an optional sign and digits only. Java's hexadecimal float
/// literals (`0x1p3`) and non-ASCII digits are not accepted here.
pub fn number<'r>(s: &Scalar<'_>, base: Option<&Scalar<'_>>) -> Scalar<'r> {
    let Some(source) = s.as_str() else {
        return Scalar::Null;
    };
    let hex_prefix = source.starts_with("0x");
    let radix = match base {
        None | Some(Scalar::Null) => {
            if hex_prefix {
                16
            } else {
                10
            }
        }
        Some(Scalar::Number(Number::Int(base))) => *base,
        Some(_) => return Scalar::Null,
    };
    let digits = match source.strip_prefix("0x") {
        Some(digits) if radix == 16 => digits,
        _ => source,
    };
    let parsed = if radix == 10 {
        parse_decimal(digits)
    } else {
        parse_radix(digits, radix)
    };
    parsed.map_or(Scalar::Null, Scalar::Number)
}

/// Java's `Long.valueOf`, then `Double.valueOf`.
fn parse_decimal(source: &str) -> Option<Number> {
    if let Ok(n) = source.parse::<i64>() {
        return Some(Number::Int(n));
    }
    parse_java_double(source).map(Number::Float)
}

/// Java's `Long.parseLong(source, radix)` for ASCII digits.
fn parse_radix(source: &str, radix: i64) -> Option<Number> {
    let radix = u32::try_from(radix).ok().filter(|r| (2..=36).contains(r))?;
    i64::from_str_radix(source, radix).ok().map(Number::Int)
}

/// Java's `Double.valueOf` for decimal input: trims code points up to
/// U+0020, then takes `[sign] (NaN | Infinity | digits [. digits] [exponent])
/// [f|F|d|D]` with at least one digit in the mantissa.
fn parse_java_double(source: &str) -> Option<f64> {
    let trimmed = source.trim_matches(|c: char| c <= ' ');
    let (negative, unsigned) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    match unsigned {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(sign * f64::INFINITY),
        _ => {}
    }
    let body = unsigned
        .strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(unsigned);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(whole) && all_digits(fraction) && whole.len() + fraction.len() > 0;
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        !digits.is_empty() && all_digits(digits)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    body.parse::<f64>().ok().map(|magnitude| sign * magnitude)
}

// ---------------------------------------------------------------------------
// IP addresses and CIDR blocks
// ---------------------------------------------------------------------------

/// A block of IP addresses, such as `10.0.0.0/8` or `fe80::/10`.
///
/// Blocks of both families live in one 128-bit space in which an IPv4
/// address `a.b.c.d` is the IPv4-mapped IPv6 address `::ffff:a.b.c.d`, as
/// Elasticsearch stores and compares `ip` values. So `::/0` contains every
/// IPv4 address, `::ffff:10.0.0.0/104` is `10.0.0.0/8`, and the address
/// `::ffff:10.1.2.3` lies in `10.0.0.0/8`.
///
/// The compiler checks a literal with [`parse_cidr`] and emits the result
/// as a constant through [`Cidr::v4`] or [`Cidr::v6`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The first address of the block in the 128-bit space.
    network: u128,
    /// How many leading bits of `network` an address must share, in the
    /// 128-bit space (96 more than an IPv4 prefix length).
    bits: u8,
    /// Whether the block was written as IPv4, for display.
    v4: bool,
}

/// The IPv4-mapped prefix `::ffff:0:0/96`.
const IPV4_MAPPED: u128 = 0xffff << 32;

impl Cidr {
    /// The IPv4 block `octets/prefix`. Host bits are cleared (`10.6.48.157/8`
    /// is `10.0.0.0/8`, as Elasticsearch accepts it); a prefix above 32
    /// counts as 32.
    pub const fn v4(octets: [u8; 4], prefix: u8) -> Cidr {
        let prefix = if prefix > 32 { 32 } else { prefix };
        let bits = 96 + prefix;
        let address = IPV4_MAPPED | u32::from_be_bytes(octets) as u128;
        Cidr {
            network: address & mask(bits),
            bits,
            v4: true,
        }
    }

    /// The IPv6 block `segments/prefix`. Host bits are cleared; a prefix
    /// above 128 counts as 128.
    pub const fn v6(segments: [u16; 8], prefix: u8) -> Cidr {
        let bits = if prefix > 128 { 128 } else { prefix };
        let mut address = 0u128;
        let mut i = 0;
        while i < 8 {
            address = (address << 16) | segments[i] as u128;
            i += 1;
        }
        Cidr {
            network: address & mask(bits),
            bits,
            v4: false,
        }
    }

    /// Whether `ip` lies in this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip_bits(ip) & mask(self.bits) == self.network
    }

    /// The first address of the block, in the family it was written in.
    pub fn network(&self) -> IpAddr {
        if self.v4 {
            // The low 32 bits of an IPv4-mapped address are the IPv4 one.
            IpAddr::V4(Ipv4Addr::from(self.network as u32))
        } else {
            IpAddr::V6(Ipv6Addr::from(self.network))
        }
    }

    /// The prefix length in the family the block was written in.
    pub fn prefix(&self) -> u8 {
        if self.v4 { self.bits - 96 } else { self.bits }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix())
    }
}

impl fmt::Debug for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cidr({self})")
    }
}

/// The mask of the `bits` leading bits of a 128-bit address.
const fn mask(bits: u8) -> u128 {
    if bits == 0 {
        0
    } else if bits >= 128 {
        u128::MAX
    } else {
        u128::MAX << (128 - bits as u32)
    }
}

/// `ip` in the 128-bit space of [`Cidr`].
fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => IPV4_MAPPED | u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// Reads an IPv4 or IPv6 address as written in an event (no surrounding
/// whitespace, no zone index, no leading zeros in IPv4 octets).
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    text.parse().ok()
}

/// Reads a CIDR block as `cidrMatch` takes it: an address, optionally
/// followed by `/` and a prefix length of at most 32 (IPv4) or 128 (IPv6).
/// An address alone is a block of one address. Host bits may be set and are
/// ignored. Surrounding whitespace is ignored, as the Python `eql` package
/// ignores it.
///
/// The error is a message for the user, worded as compiler diagnostics are.
pub fn parse_cidr(text: &str) -> Result<Cidr, String> {
    let trimmed = text.trim();
    let (address, prefix) = match trimmed.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (trimmed, None),
    };
    let Some(ip) = parse_ip(address) else {
        return Err(format!(
            "invalid CIDR block `{text}`: `{address}` is not an IPv4 or IPv6 address"
        ));
    };
    let width = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => width,
        Some(prefix) => match prefix.parse::<u8>() {
            Ok(n) if n <= width && prefix.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => {
                return Err(format!(
                    "invalid CIDR block `{text}`: the prefix length must be a number \
                     from 0 to {width}"
                ));
            }
        },
    };
    Ok(match ip {
        IpAddr::V4(v4) => Cidr::v4(v4.octets(), prefix),
        IpAddr::V6(v6) => Cidr::v6(v6.segments(), prefix),
    })
}

/// `cidrMatch(ip, cidr, …)` with the blocks as written: whether the address
/// lies in any of them. Null when `ip` is null, not a string or not an
/// address, and when a block is malformed (Elasticsearch fails the search).
/// Blocks are tried in order, so a malformed block after a matching one is
/// not noticed, as in Elasticsearch. Compiled rules check their blocks
/// beforehand and call [`cidr_match_parsed`].
pub fn cidr_match<'r>(ip: &Scalar<'_>, cidrs: &[&str]) -> Scalar<'r> {
    let Some(address) = ip.as_str().and_then(parse_ip) else {
        return Scalar::Null;
    };
    for cidr in cidrs {
        match parse_cidr(cidr) {
            Ok(block) if block.contains(address) => return Scalar::Bool(true),
            Ok(_) => {}
            Err(_) => return Scalar::Null,
        }
    }
    Scalar::Bool(false)
}

/// `cidrMatch(ip, cidr, …)` with blocks parsed beforehand.
pub fn cidr_match_parsed<'r>(ip: &Scalar<'_>, cidrs: &[Cidr]) -> Scalar<'r> {
    match ip.as_str().and_then(parse_ip) {
        Some(address) => Scalar::Bool(cidrs.iter().any(|block| block.contains(address))),
        None => Scalar::Null,
    }
}

#[cfg(test)]
mod tests;
