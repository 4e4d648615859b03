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

    /// Compares two numbers as Elasticsearch does for mixed integer and
    /// floating-point operands: integers exactly, anything with a float as
    /// doubles. `NaN` is unordered.
    pub fn compare(self, other: Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (Number::UInt(a), Number::UInt(b)) => Some(a.cmp(&b)),
            (Number::Int(a), Number::UInt(b)) => Some(compare_signed_unsigned(a, b)),
            (Number::UInt(a), Number::Int(b)) => Some(compare_signed_unsigned(b, a).reverse()),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

fn compare_signed_unsigned(a: i64, b: u64) -> Ordering {
    match u64::try_from(a) {
        Ok(a) => a.cmp(&b),
        Err(_) => Ordering::Less,
    }
}
