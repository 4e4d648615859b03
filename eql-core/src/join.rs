//! Join keys and event order: what sequences and samples share.
//!
//! A sequence or sample links events whose *key tuples* are equal: the
//! values of the query's `by` fields (`sequence by host.id`, then each
//! stage's own `by` fields), position by position. Elasticsearch builds the
//! tuples of one event as follows, and so does [`EventKeys`]:
//!
//! - a field with several values gives one key per **distinct** value, and
//!   several such fields the cartesian product of their values;
//! - a field without a value (missing, `null`, an empty array) drops the
//!   event from that stage, unless the key was written `?field`, in which
//!   case `null` is the key's value;
//! - values compare by type and value: the string `"1"` is not the number
//!   `1`, an integer equals a float of the same value (`4` and `4.0`).
//!
//! A caller describes each event once, in an [`EventKeys`] it reuses: which
//! stages the event matches, and for each of those the values of each key
//! position. Key values are copied into the buffers of [`EventKeys`], which
//! keep their capacity from one event to the next, so describing an event
//! allocates nothing once the buffers have grown. The engines look keys up
//! by a borrowed [`KeyRef`] and copy one into an owned [`Key`] only when a
//! key is seen for the first time.
//!
//! Events must arrive in the order an EQL search returns them: by
//! timestamp, then by the tiebreaker field when there is one. [`Ordinal`]
//! is that position, and [`timestamp_nanos`] reads the timestamp values
//! Elasticsearch's default date format accepts.

mod table;

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use crate::event::{ABSENT, Fields};
use crate::value::{Number, Value};

pub(crate) use table::KeyTable;

/// One value of a key, stored: strings are a range of a text buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Atom {
    Null,
    Bool(bool),
    Int(i64),
    /// Only above `i64::MAX`: smaller integers are [`Atom::Int`].
    UInt(u64),
    /// Only a float that is not an integer in `i64`'s range, with one bit
    /// pattern for every NaN.
    Float(u64),
    Ip(IpAddr),
    Str {
        start: u32,
        len: u32,
    },
}

impl Atom {
    /// The stored form of `value`, its text appended to `text`. The forms
    /// are canonical, so that equal values have equal atoms.
    fn store(value: Value<'_>, text: &mut String) -> Atom {
        match value {
            Value::Str(s) => {
                let start = text.len();
                text.push_str(s);
                Atom::Str {
                    start: start as u32,
                    len: s.len() as u32,
                }
            }
            Value::Int(n) => Atom::Int(n),
            Value::UInt(n) => match i64::try_from(n) {
                Ok(n) => Atom::Int(n),
                Err(_) => Atom::UInt(n),
            },
            Value::Float(f) => float_atom(f),
            Value::Bool(b) => Atom::Bool(b),
            Value::Ip(ip) => Atom::Ip(ip),
        }
    }

    fn value<'a>(self, text: &'a str) -> KeyValue<'a> {
        match self {
            Atom::Null => KeyValue::Null,
            Atom::Bool(b) => KeyValue::Bool(b),
            Atom::Int(n) => KeyValue::Int(n),
            Atom::UInt(n) => KeyValue::UInt(n),
            Atom::Float(bits) => KeyValue::Float(f64::from_bits(bits)),
            Atom::Ip(ip) => KeyValue::Ip(ip),
            Atom::Str { start, len } => {
                let start = start as usize;
                KeyValue::Str(text.get(start..start + len as usize).unwrap_or(""))
            }
        }
    }
}

fn float_atom(f: f64) -> Atom {
    // -2^63 and 2^63 bound i64; every float strictly inside with no fraction
    // converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        Atom::Int(f as i64)
    } else if f.is_nan() {
        Atom::Float(f64::NAN.to_bits())
    } else {
        Atom::Float(f.to_bits())
    }
}

/// One value of a join key, as a caller sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyValue<'a> {
    /// The value of an `?optional` key whose field has no value.
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Ip(IpAddr),
    Str(&'a str),
}

impl KeyValue<'_> {
    /// The rank of the type in the order of keys: null first, then
    /// booleans, numbers, strings and addresses.
    fn rank(self) -> u8 {
        match self {
            KeyValue::Null => 0,
            KeyValue::Bool(_) => 1,
            KeyValue::Int(_) | KeyValue::UInt(_) | KeyValue::Float(_) => 2,
            KeyValue::Str(_) => 3,
            KeyValue::Ip(_) => 4,
        }
    }

    fn number(self) -> Option<Number> {
        match self {
            KeyValue::Int(n) => Some(Number::Int(n)),
            KeyValue::UInt(n) => Some(Number::UInt(n)),
            KeyValue::Float(n) => Some(Number::Float(n)),
            _ => None,
        }
    }

    /// The order in which samples list their keys (as a composite
    /// aggregation sorts its buckets): null first, strings by bytes.
    pub fn compare(self, other: KeyValue<'_>) -> Ordering {
        match (self, other) {
            (KeyValue::Bool(a), KeyValue::Bool(b)) => a.cmp(&b),
            (KeyValue::Str(a), KeyValue::Str(b)) => a.as_bytes().cmp(b.as_bytes()),
            (KeyValue::Ip(a), KeyValue::Ip(b)) => ip_bits(a).cmp(&ip_bits(b)),
            (a, b) => match (a.number(), b.number()) {
                (Some(x), Some(y)) => x.compare(y).unwrap_or_else(|| {
                    // NaN last among numbers.
                    x.as_f64().is_nan().cmp(&y.as_f64().is_nan())
                }),
                _ => a.rank().cmp(&b.rank()),
            },
        }
    }
}

/// IPv4 addresses as IPv4-mapped IPv6, so that both families share one
/// order, as Elasticsearch stores them.
fn ip_bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

impl fmt::Display for KeyValue<'_> {
    /// The text the `join_keys` of an `_eql/search` response show.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyValue::Null => f.write_str("null"),
            KeyValue::Bool(b) => write!(f, "{b}"),
            KeyValue::Int(n) => write!(f, "{n}"),
            KeyValue::UInt(n) => write!(f, "{n}"),
            KeyValue::Float(n) => write!(f, "{n:?}"),
            KeyValue::Ip(ip) => write!(f, "{ip}"),
            KeyValue::Str(s) => f.write_str(s),
        }
    }
}

/// A key tuple, borrowed from an engine's or a caller's buffers.
#[derive(Clone, Copy)]
pub struct KeyRef<'a> {
    atoms: &'a [Atom],
    text: &'a str,
}

impl<'a> KeyRef<'a> {
    /// How many values the tuple has.
    pub fn len(&self) -> usize {
        self.atoms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.atoms.is_empty()
    }

    /// The values, in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = KeyValue<'a>> + 'a {
        let text = self.text;
        self.atoms.iter().map(move |atom| atom.value(text))
    }

    /// An owned copy.
    pub fn to_key(&self) -> Key {
        let mut buf = KeyBuf::default();
        buf.set(*self);
        Key {
            atoms: buf.atoms.into_boxed_slice(),
            text: buf.text.into_boxed_str(),
        }
    }

    /// The order of [`KeyValue::compare`], value by value.
    pub fn compare(&self, other: &KeyRef<'_>) -> Ordering {
        for (a, b) in self.values().zip(other.values()) {
            let ordering = a.compare(b);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        self.len().cmp(&other.len())
    }
}

impl PartialEq for KeyRef<'_> {
    fn eq(&self, other: &KeyRef<'_>) -> bool {
        self.len() == other.len()
            && self
                .values()
                .zip(other.values())
                .all(|(a, b)| match (a, b) {
                    // Atoms are canonical, so floats compare by bits (NaN keys
                    // are equal to each other, as sorted doc values are).
                    (KeyValue::Float(x), KeyValue::Float(y)) => x.to_bits() == y.to_bits(),
                    (a, b) => a == b,
                })
    }
}

impl Eq for KeyRef<'_> {}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for value in self.values() {
            match value {
                KeyValue::Null => state.write_u8(0),
                KeyValue::Bool(b) => {
                    state.write_u8(1);
                    state.write_u8(u8::from(b));
                }
                KeyValue::Int(n) => {
                    state.write_u8(2);
                    state.write_i64(n);
                }
                KeyValue::UInt(n) => {
                    state.write_u8(3);
                    state.write_u64(n);
                }
                KeyValue::Float(n) => {
                    state.write_u8(4);
                    state.write_u64(n.to_bits());
                }
                KeyValue::Ip(ip) => {
                    state.write_u8(5);
                    state.write_u128(ip_bits(ip));
                    state.write_u8(u8::from(ip.is_ipv4()));
                }
                KeyValue::Str(s) => {
                    state.write_u8(6);
                    state.write(s.as_bytes());
                    state.write_u8(0xff);
                }
            }
        }
    }
}

impl fmt::Debug for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

/// An owned key tuple.
#[derive(Clone, PartialEq)]
pub struct Key {
    atoms: Box<[Atom]>,
    text: Box<str>,
}

impl Key {
    pub fn as_ref(&self) -> KeyRef<'_> {
        KeyRef {
            atoms: &self.atoms,
            text: &self.text,
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

/// A reusable owned key tuple: set from a [`KeyRef`] without allocating
/// once its buffers are large enough.
#[derive(Clone, Default)]
pub(crate) struct KeyBuf {
    atoms: Vec<Atom>,
    text: String,
}

impl KeyBuf {
    pub(crate) fn set(&mut self, key: KeyRef<'_>) {
        self.atoms.clear();
        self.text.clear();
        for atom in key.atoms {
            let atom = match *atom {
                Atom::Str { start, len } => {
                    let start = start as usize;
                    let s = key.text.get(start..start + len as usize).unwrap_or("");
                    Atom::store(Value::Str(s), &mut self.text)
                }
                other => other,
            };
            self.atoms.push(atom);
        }
    }

    pub(crate) fn as_ref(&self) -> KeyRef<'_> {
        KeyRef {
            atoms: &self.atoms,
            text: &self.text,
        }
    }
}

impl fmt::Debug for KeyBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

/// What one event offers a sequence or a sample: the stages it matches and,
/// for each, the values of each key position. Reused from one event to the
/// next; see the module documentation.
///
/// ```
/// use eql_core::join::{EventKeys, KeyValue};
/// use eql_core::Value;
///
/// // Two stages and an `until` (index 2), keys `by host, user`.
/// let mut keys = EventKeys::new(3, 2);
/// keys.clear();
/// let mut stage = keys.stage(1);
/// stage.key(false, |push| {
///     push(Value::Str("web-1"));
/// });
/// stage.key(false, |push| {
///     push(Value::Str("root"));
///     push(Value::Str("admin"));
///     push(Value::Str("root"));
/// });
/// let tuples: Vec<Vec<String>> = keys
///     .tuples(1)
///     .map(|key| key.as_ref().values().map(|v| v.to_string()).collect())
///     .collect();
/// assert_eq!(tuples, [["web-1", "root"], ["web-1", "admin"]]);
/// assert!(!keys.matched(0));
/// ```
#[derive(Clone)]
pub struct EventKeys {
    key_count: usize,
    /// Per stage: whether the event matches it.
    matched: Vec<bool>,
    /// Per stage and key position: the range of `atoms` holding the
    /// position's distinct values (empty: no tuple).
    ranges: Vec<(u32, u32)>,
    atoms: Vec<Atom>,
    text: String,
}

impl EventKeys {
    /// Buffers for `stages` stages (an `until` counts as one) and
    /// `key_count` key positions.
    pub fn new(stages: usize, key_count: usize) -> EventKeys {
        EventKeys {
            key_count,
            matched: vec![false; stages],
            ranges: vec![(0, 0); stages * key_count],
            atoms: Vec::new(),
            text: String::new(),
        }
    }

    /// Forgets the previous event.
    pub fn clear(&mut self) {
        self.matched.iter_mut().for_each(|m| *m = false);
        self.atoms.clear();
        self.text.clear();
    }

    pub fn stage_count(&self) -> usize {
        self.matched.len()
    }

    pub fn key_count(&self) -> usize {
        self.key_count
    }

    /// Records that the event matches `stage`; the returned writer takes
    /// the values of its key positions, in order. A position left unwritten
    /// has no value, so the stage yields no tuple.
    ///
    /// # Panics
    ///
    /// If `stage` is out of range.
    pub fn stage(&mut self, stage: usize) -> StageKeys<'_> {
        self.matched[stage] = true;
        let base = stage * self.key_count;
        for range in &mut self.ranges[base..base + self.key_count] {
            *range = (0, 0);
        }
        StageKeys {
            keys: self,
            base,
            position: 0,
        }
    }

    /// Whether the event matches `stage`.
    pub fn matched(&self, stage: usize) -> bool {
        self.matched.get(stage).copied().unwrap_or(false)
    }

    /// How many key tuples the event has at `stage` (0 if it does not match
    /// the stage, or a key without `?` has no value).
    pub fn tuple_count(&self, stage: usize) -> usize {
        if !self.matched(stage) {
            return 0;
        }
        let base = stage * self.key_count;
        self.ranges[base..base + self.key_count]
            .iter()
            .map(|(start, end)| (end - start) as usize)
            .product()
    }

    /// The key tuples of the event at `stage`: the cartesian product of the
    /// values of each position, the last position varying fastest.
    pub fn tuples(&self, stage: usize) -> Tuples<'_> {
        let count = self.tuple_count(stage);
        Tuples {
            keys: self,
            stage,
            index: 0,
            count,
        }
    }

    /// The `index`-th tuple of `stage` (`index < tuple_count(stage)`), built
    /// in `scratch`.
    pub(crate) fn tuple_in<'s>(
        &'s self,
        stage: usize,
        index: usize,
        scratch: &'s mut Vec<Atom>,
    ) -> KeyRef<'s> {
        let ranges = &self.ranges[stage * self.key_count..(stage + 1) * self.key_count];
        scratch.clear();
        // Mixed radix, the last position varying fastest.
        let mut divisor: usize = ranges
            .iter()
            .map(|(start, end)| (end - start) as usize)
            .product();
        let mut rest = index;
        for &(start, end) in ranges {
            divisor /= ((end - start) as usize).max(1);
            let divisor = divisor.max(1);
            scratch.push(self.atoms[start as usize + rest / divisor]);
            rest %= divisor;
        }
        KeyRef {
            atoms: scratch,
            text: &self.text,
        }
    }
}

impl fmt::Debug for EventKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventKeys")
            .field("matched", &self.matched)
            .field("key_count", &self.key_count)
            .finish_non_exhaustive()
    }
}

/// The key tuples of one stage of an event; see [`EventKeys::tuples`].
#[derive(Debug)]
pub struct Tuples<'a> {
    keys: &'a EventKeys,
    stage: usize,
    index: usize,
    count: usize,
}

impl Iterator for Tuples<'_> {
    type Item = Key;

    /// The next tuple, owned. Engines borrow tuples instead; this is for
    /// callers that inspect an event.
    fn next(&mut self) -> Option<Key> {
        if self.index >= self.count {
            return None;
        }
        self.index += 1;
        let mut scratch = Vec::new();
        Some(
            self.keys
                .tuple_in(self.stage, self.index - 1, &mut scratch)
                .to_key(),
        )
    }
}

/// Writes the key values of one stage of an event; see [`EventKeys::stage`].
#[derive(Debug)]
pub struct StageKeys<'a> {
    keys: &'a mut EventKeys,
    base: usize,
    position: usize,
}

impl StageKeys<'_> {
    /// Adds the next key position: `visit` is called with a function that
    /// takes each value of the key's field. Duplicates are dropped; without
    /// any value the key is `null` if `optional`, else the stage has no
    /// tuple. Positions past the key count are ignored.
    pub fn key(&mut self, optional: bool, visit: impl FnOnce(&mut dyn FnMut(Value<'_>))) {
        if self.position >= self.keys.key_count {
            return;
        }
        let keys = &mut *self.keys;
        let start = keys.atoms.len();
        {
            let atoms = &mut keys.atoms;
            let text = &mut keys.text;
            let mut push = |value: Value<'_>| {
                let text_len = text.len();
                let atom = Atom::store(value, text);
                let fresh = atoms[start..]
                    .iter()
                    .all(|seen| seen.value(text) != atom.value(text));
                if fresh {
                    atoms.push(atom);
                } else {
                    text.truncate(text_len);
                }
            };
            visit(&mut push);
        }
        if keys.atoms.len() == start && optional {
            keys.atoms.push(Atom::Null);
        }
        keys.ranges[self.base + self.position] = (start as u32, keys.atoms.len() as u32);
        self.position += 1;
    }

    /// Adds the next key position from field `slot` of `event` (the slot
    /// [`crate::event::resolve`] gives; [`ABSENT`] reads no value).
    #[inline]
    pub fn field<E: Fields + ?Sized>(&mut self, event: &E, slot: u32, optional: bool) {
        self.key(optional, |push| {
            if slot != ABSENT {
                event.any_value(slot, &mut |value| {
                    push(value);
                    false
                });
            }
        });
    }
}

/// Where an event stands in the stream: its timestamp, then its tiebreaker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ordinal<'a> {
    /// Nanoseconds since the Unix epoch.
    pub timestamp: i64,
    pub tiebreaker: Tiebreaker<'a>,
}

impl<'a> Ordinal<'a> {
    /// An ordinal without a tiebreaker.
    pub fn at(timestamp: i64) -> Ordinal<'a> {
        Ordinal {
            timestamp,
            tiebreaker: Tiebreaker::Missing,
        }
    }

    /// The order of an EQL search: by timestamp, then tiebreaker.
    pub fn compare(&self, other: &Ordinal<'_>) -> Ordering {
        self.timestamp
            .cmp(&other.timestamp)
            .then_with(|| self.tiebreaker.compare(&other.tiebreaker))
    }
}

/// The ordinal of `event` from its timestamp field and tiebreaker field
/// (slots from [`crate::event::resolve`]; [`ABSENT`] for none): `None` when
/// the timestamp has no value that [`timestamp_nanos`] reads. For generated
/// code.
#[inline]
pub fn ordinal_of<E: Fields + ?Sized>(
    event: &E,
    timestamp_slot: u32,
    tiebreaker_slot: u32,
) -> Option<Ordinal<'static>> {
    let mut timestamp = None;
    if timestamp_slot != ABSENT {
        event.any_value(timestamp_slot, &mut |value| {
            timestamp = timestamp_nanos(value);
            true
        });
    }
    Some(Ordinal {
        timestamp: timestamp?,
        tiebreaker: Tiebreaker::of(event, tiebreaker_slot),
    })
}

/// The value of the tiebreaker field of an event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tiebreaker<'a> {
    /// No tiebreaker field, or no value: sorts after every value, as in
    /// Elasticsearch's ordinals.
    Missing,
    Number(Number),
    Str(&'a str),
}

impl Tiebreaker<'_> {
    /// The first number among the values of field `slot` of `event` (string
    /// tiebreakers cannot outlive the read; pass them as
    /// [`Tiebreaker::Str`]).
    pub fn of<E: Fields + ?Sized>(event: &E, slot: u32) -> Tiebreaker<'static> {
        let mut found = Tiebreaker::Missing;
        if slot != ABSENT {
            event.any_value(slot, &mut |value| {
                if let Some(number) = value.as_number() {
                    found = Tiebreaker::Number(number);
                    true
                } else {
                    false
                }
            });
        }
        found
    }

    fn compare(&self, other: &Tiebreaker<'_>) -> Ordering {
        match (self, other) {
            (Tiebreaker::Missing, Tiebreaker::Missing) => Ordering::Equal,
            (Tiebreaker::Missing, _) => Ordering::Greater,
            (_, Tiebreaker::Missing) => Ordering::Less,
            (Tiebreaker::Number(a), Tiebreaker::Number(b)) => {
                a.compare(*b).unwrap_or(Ordering::Equal)
            }
            (Tiebreaker::Number(_), Tiebreaker::Str(_)) => Ordering::Less,
            (Tiebreaker::Str(_), Tiebreaker::Number(_)) => Ordering::Greater,
            (Tiebreaker::Str(a), Tiebreaker::Str(b)) => a.cmp(b),
        }
    }
}

/// The latest ordinal seen, owned; see [`Watermark::admit`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Watermark {
    seen: bool,
    timestamp: i64,
    /// 0: no tiebreaker, 1: `number`, 2: `text`.
    kind: u8,
    number: Option<Number>,
    /// Kept with its capacity, so that string tiebreakers do not allocate.
    text: String,
}

impl Watermark {
    /// Whether `ordinal` is not before the watermark; if so it becomes the
    /// watermark.
    pub(crate) fn admit(&mut self, ordinal: &Ordinal<'_>) -> bool {
        if self.seen && ordinal.compare(&self.ordinal()) == Ordering::Less {
            return false;
        }
        self.seen = true;
        self.timestamp = ordinal.timestamp;
        match ordinal.tiebreaker {
            Tiebreaker::Missing => self.kind = 0,
            Tiebreaker::Number(n) => {
                self.kind = 1;
                self.number = Some(n);
            }
            Tiebreaker::Str(s) => {
                self.kind = 2;
                self.text.clear();
                self.text.push_str(s);
            }
        }
        true
    }

    fn ordinal(&self) -> Ordinal<'_> {
        Ordinal {
            timestamp: self.timestamp,
            tiebreaker: match (self.kind, self.number) {
                (1, Some(n)) => Tiebreaker::Number(n),
                (2, _) => Tiebreaker::Str(&self.text),
                _ => Tiebreaker::Missing,
            },
        }
    }
}

/// Nanoseconds in a millisecond.
const NANOS_PER_MILLI: i64 = 1_000_000;

/// Reads a timestamp as Elasticsearch's default date format
/// (`strict_date_optional_time||epoch_millis`) does, in nanoseconds since
/// the Unix epoch: an ISO 8601 date and time (`2022-05-04T12:00:00.000Z`,
/// `2022-05-04`, with an offset `+02:00`), or epoch milliseconds as a
/// number or a string, with a fraction of up to six digits
/// (`"131485996510.294365"`). `None` for anything else, and for instants
/// outside the years 1678 to 2261, which nanoseconds in an `i64` cannot
/// hold.
///
/// Conditions on date fields read values with [`crate::date`] instead,
/// which holds instants in an `i128` and so reads any year.
pub fn timestamp_nanos(value: Value<'_>) -> Option<i64> {
    match value {
        Value::Int(millis) => millis.checked_mul(NANOS_PER_MILLI),
        Value::UInt(millis) => i64::try_from(millis).ok()?.checked_mul(NANOS_PER_MILLI),
        Value::Float(millis) => {
            let nanos = millis * NANOS_PER_MILLI as f64;
            (nanos.is_finite() && nanos.abs() < 9.2e18).then_some(nanos as i64)
        }
        Value::Str(text) => iso_nanos(text).or_else(|| epoch_millis_nanos(text)),
        Value::Bool(_) | Value::Ip(_) => None,
    }
}

/// `"1516116808349"`, `"-5"`, `"131485996510.294365"`.
fn epoch_millis_nanos(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 6 {
        return None;
    }
    let millis: i64 = whole.parse().ok()?;
    let mut sub = 0i64;
    for (place, digit) in fraction.bytes().enumerate() {
        sub += i64::from(digit - b'0') * 10i64.pow(5 - place as u32);
    }
    let nanos = millis.checked_mul(NANOS_PER_MILLI)?.checked_add(sub)?;
    Some(sign * nanos)
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// `yyyy[-MM[-dd]][THH[:mm[:ss[.fraction]]]][Z|±HH[:]mm|±HH]`.
fn iso_nanos(text: &str) -> Option<i64> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year = parts.next().filter(|y| y.len() == 4 && all_digits(y))?;
    let month = parts.next().map_or(Some(1), two_digits)?;
    let day = parts.next().map_or(Some(1), two_digits)?;
    if parts.next().is_some() || !(1..=12).contains(&month) {
        return None;
    }
    let year: i64 = year.parse().ok()?;
    if day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    let mut nanos = 0i64;
    if let Some(time) = time {
        let zone_at = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
        let (clock, zone) = time.split_at(zone_at);
        let (clock, fraction) = match clock.split_once(['.', ',']) {
            Some((clock, fraction)) => (clock, Some(fraction)),
            None => (clock, None),
        };
        let mut fields = clock.split(':');
        let hour = fields.next().and_then(two_digits)?;
        let minute = fields.next().map_or(Some(0), two_digits)?;
        let second = fields.next().map_or(Some(0), two_digits)?;
        if fields.next().is_some() || hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        if let Some(fraction) = fraction {
            if fraction.is_empty() || fraction.len() > 9 || !all_digits(fraction) {
                return None;
            }
            for (place, digit) in fraction.bytes().enumerate() {
                nanos += i64::from(digit - b'0') * 10i64.pow(8 - place as u32);
            }
        }
        seconds += hour * 3600 + minute * 60 + second;
        seconds -= zone_offset(zone)?;
    }
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// `Z`, `+HH`, `+HHmm`, `+HH:mm` (or `-`), or nothing, in seconds.
fn zone_offset(zone: &str) -> Option<i64> {
    if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    let (hours, minutes) = match digits.len() {
        2 => (two_digits(&digits)?, 0),
        4 => (two_digits(&digits[..2])?, two_digits(&digits[2..])?),
        _ => return None,
    };
    (hours <= 18 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

fn two_digits(text: &str) -> Option<i64> {
    (text.len() == 2 && all_digits(text))
        .then(|| text.parse().ok())
        .flatten()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years counted from March, so that the leap day ends a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests;

/// A result of one of the stateful rules of a pack: a completed sequence or a
/// sample. Packs report both kinds through this type so that one callback
/// serves every rule.
#[derive(Clone, Copy)]
pub enum JoinMatch<'a, P> {
    Sequence(crate::sequence::SequenceMatch<'a, P>),
    Sample(crate::sample::SampleMatch<'a, P>),
}

impl<'a, P> JoinMatch<'a, P> {
    /// How many steps (sequence, with `runs` expanded) or filters (sample)
    /// the result has.
    pub fn len(&self) -> usize {
        match self {
            JoinMatch::Sequence(found) => found.events().len(),
            JoinMatch::Sample(found) => found.events().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload of each step's event, in query order; `None` for a
    /// missing-event step of a sequence.
    pub fn events(&self) -> impl ExactSizeIterator<Item = Option<&'a P>> + 'a {
        let (sequence, sample): (&'a [Option<P>], &'a [P]) = match self {
            JoinMatch::Sequence(found) => (found.events(), &[]),
            JoinMatch::Sample(found) => (&[], found.events()),
        };
        let count = sequence.len() + sample.len();
        (0..count).map(move |index| match sequence.get(index) {
            Some(event) => event.as_ref(),
            None => sample.get(index),
        })
    }

    /// The join key tuple the events share.
    pub fn key(&self) -> KeyRef<'a> {
        match self {
            JoinMatch::Sequence(found) => found.key(),
            JoinMatch::Sample(found) => found.key(),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for JoinMatch<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            JoinMatch::Sequence(_) => "Sequence",
            JoinMatch::Sample(_) => "Sample",
        };
        let key: Vec<String> = self.key().values().map(|value| value.to_string()).collect();
        f.debug_struct(kind)
            .field("events", &self.events().collect::<Vec<_>>())
            .field("key", &key)
            .finish()
    }
}
