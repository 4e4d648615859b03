//! The values a rule sees when it reads a field.
//!
//! A field read yields zero or more [`Value`]s: none when the field is
//! missing or null, one for a scalar, several for an array. Values borrow from
//! the event, so reading a field never allocates.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

/// One value of a field, borrowed from the event.
#[derive(Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Str(&'a str),
    /// A signed integer (every JSON integer that fits in `i64`).
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    Float(f64),
    Bool(bool),
    Ip(IpAddr),
}

impl<'a> Value<'a> {
    pub fn as_str(self) -> Option<&'a str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// The value as a number, if it is one.
    pub fn as_number(self) -> Option<Number> {
        match self {
            Value::Int(n) => Some(Number::Int(n)),
            Value::UInt(n) => Some(Number::UInt(n)),
            Value::Float(n) => Some(Number::Float(n)),
            _ => None,
        }
    }

    /// Writes the text a `keyword` field would index for this value: strings
    /// as they are, numbers in their shortest decimal form, booleans as
    /// `true`/`false`. Elasticsearch coerces JSON scalars this way when a
    /// keyword field receives a number, so `user.id == "0"` matches `0`.
    pub fn keyword<R>(self, with: impl FnOnce(&str) -> R) -> R {
        match self {
            Value::Str(text) => with(text),
            Value::Bool(true) => with("true"),
            Value::Bool(false) => with("false"),
            Value::Int(n) => with(StackText::format(format_args!("{n}")).as_str()),
            Value::UInt(n) => with(StackText::format(format_args!("{n}")).as_str()),
            Value::Float(n) => with(StackText::format(format_args!("{}", FloatText(n))).as_str()),
            Value::Ip(ip) => with(StackText::format(format_args!("{ip}")).as_str()),
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(text) => write!(f, "{text:?}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::UInt(n) => write!(f, "{n}u"),
            Value::Float(n) => write!(f, "{}", FloatText(*n)),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Ip(ip) => write!(f, "ip({ip})"),
        }
    }
}

/// A float written as JSON and Java write it: `1.0` keeps its `.0`.
struct FloatText(f64);

impl fmt::Display for FloatText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e16 {
            write!(f, "{n:.1}")
        } else {
            write!(f, "{n}")
        }
    }
}

/// A short text formatted on the stack. Anything longer than the buffer is
/// cut, which cannot happen for the numbers and addresses written here.
struct StackText {
    buffer: [u8; 64],
    len: usize,
}

impl StackText {
    fn format(args: fmt::Arguments<'_>) -> StackText {
        let mut text = StackText {
            buffer: [0; 64],
            len: 0,
        };
        // A full buffer reports an error, which only cuts the text short.
        let _ = fmt::Write::write_fmt(&mut text, args);
        text
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buffer[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buffer.len() {
            return Err(fmt::Error);
        }
        self.buffer[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A number in one of the three forms EQL arithmetic distinguishes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::UInt(n) => n as f64,
            Number::Float(n) => n,
        }
    }

    /// Compares two numbers by their exact values, integers with floats
    /// too (`9007199254740993` is greater than `9007199254740992.0`, though
    /// both are the same double). `NaN` is unordered.
    pub fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Float(a), Number::Float(b)) => a.partial_cmp(&b),
            (Number::Float(a), b) => compare_float_integer(a, b.as_i128()?).map(Ordering::reverse),
            (a, Number::Float(b)) => compare_float_integer(b, a.as_i128()?),
            (a, b) => Some(a.as_i128()?.cmp(&b.as_i128()?)),
        }
    }

    /// The value of an integer, exactly.
    fn as_i128(self) -> Option<i128> {
        match self {
            Number::Int(n) => Some(i128::from(n)),
            Number::UInt(n) => Some(i128::from(n)),
            Number::Float(_) => None,
        }
    }
}

/// How integer `integer` compares with float `float`, exactly.
fn compare_float_integer(float: f64, integer: i128) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    // Every integer here is below 2^65 in magnitude, so a float beyond that
    // is greater or smaller than all of them; within it, the float's
    // integer part converts exactly.
    const LIMIT: f64 = 36_893_488_147_419_103_232.0; // 2^65
    if float >= LIMIT {
        return Some(Ordering::Less);
    }
    if float <= -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    let ordering = integer.cmp(&(whole as i128));
    if ordering != Ordering::Equal {
        return Some(ordering);
    }
    let fraction = float - whole;
    Some(if fraction > 0.0 {
        Ordering::Less
    } else if fraction < 0.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_floats_compare_exactly() {
        let big = Number::Int(9_007_199_254_740_993);
        assert_eq!(
            big.compare(Number::Float(9_007_199_254_740_992.0)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Number::Float(9_007_199_254_740_992.0).compare(big),
            Some(Ordering::Less)
        );
        assert_eq!(
            Number::Int(4).compare(Number::Float(4.0)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            Number::Int(4).compare(Number::Float(4.5)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Number::Int(-4).compare(Number::Float(-4.5)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Number::UInt(u64::MAX).compare(Number::UInt(u64::MAX - 1)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Number::Int(-1).compare(Number::UInt(0)),
            Some(Ordering::Less)
        );
        assert_eq!(
            Number::UInt(u64::MAX).compare(Number::Float(1e300)),
            Some(Ordering::Less)
        );
        assert_eq!(Number::Int(0).compare(Number::Float(f64::NAN)), None);
        assert_eq!(
            Number::Int(0).compare(Number::Float(f64::NEG_INFINITY)),
            Some(Ordering::Greater)
        );
    }
}
