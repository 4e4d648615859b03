//! Dates as Elasticsearch's `date` and `date_nanos` fields read them.
//!
//! A field of one of these types holds instants. Elasticsearch parses each
//! value of the document with the field's format, by default
//! `strict_date_optional_time||epoch_millis` (`date`) or
//! `strict_date_optional_time_nanos||epoch_millis` (`date_nanos`), and keeps
//! it at the field's [`Resolution`]. A query literal compared with the field
//! is parsed the same way, except that a number literal is always epoch
//! milliseconds, and it denotes a [`DateRange`] rather than an instant:
//! `"2017-08-30T20:47:33Z"` is the whole second, as a date range query reads
//! it. This module does both, for the compiler (literals, at compile time)
//! and for the matchers (values, per event), so that they agree.
//!
//! Instants are [`EpochNanos`], nanoseconds since 1970-01-01T00:00:00Z in an
//! `i128`, which holds every instant the formats can write (years
//! -999,999,999 to 999,999,999, about ±3.2·10²⁵ ns) without overflow.
//!
//! What is read, as Elasticsearch reads it:
//!
//! - ISO 8601, `yyyy[-MM[-dd]]` optionally followed by `T`, a time and a
//!   zone. For `date` the time is `HH[:mm[:ss[.f]]]`; for `date_nanos` it is
//!   `HH:mm:ss[.f]`. The fraction has 1 to 9 digits after `.` or `,`; the
//!   zone is `Z` or an offset `±HH`, `±HHmm`, `±HH:mm` (no zone is UTC). The
//!   year has exactly 4 digits, or a sign and up to 10 (`-0044`,
//!   `+10000`). Fields are checked (no 30 February, no hour 24).
//! - Epoch milliseconds, `[-]digits[.fraction]` with up to 19 digits and a
//!   fraction of up to 6 digits (nanoseconds of the millisecond), tried
//!   when ISO fails: `"1516116808349"`, `"131509374294.365140"`. A number
//!   value is read from its JSON text, so the number `2017` is the year 2017,
//!   as in Elasticsearch.
//!
//! Zone names (`Europe/Paris`), date math (`now-1d`, `2020-01-01||+1M`) and
//! custom formats are not read: a value in such a form matches nothing, and
//! the compiler rejects such a literal.

use std::fmt;

use crate::ops::Comparison;
use crate::value::{Number, Value};

/// Nanoseconds since 1970-01-01T00:00:00Z, negative before.
pub type EpochNanos = i128;

const NANOS_PER_MILLI: i128 = 1_000_000;
const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// How precisely a date field stores its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// `date`: whole milliseconds in an `i64`; finer digits are dropped
    /// (rounded towards the past).
    Millis,
    /// `date_nanos`: nanoseconds in an `i64`, from 1970-01-01T00:00:00Z to
    /// 2262-04-11T23:47:16.854775807Z.
    Nanos,
}

/// The instants a date literal stands for, both ends included.
///
/// `lo` reads the literal with missing fields at their start and `hi` as a
/// date range query rounds up: a missing hour, minute, second or fraction
/// at its largest value, a missing month or day at 1 (Elasticsearch's
/// "missing date components"). So `"2017-08-30T20:47:33Z"` spans the whole
/// second and `"2017-08-30"` the whole day, but `"2017"` only 1 January.
/// An epoch literal without a fraction spans its millisecond; for a negative
/// one Elasticsearch rounds away from zero, which puts `hi` before `lo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    pub lo: EpochNanos,
    pub hi: EpochNanos,
}

/// Why a literal cannot be compared with a date field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateError {
    /// Date math (`now`, `…||+1d`), which Elasticsearch evaluates at search
    /// time.
    DateMath,
    /// Neither an ISO 8601 date nor epoch milliseconds.
    Format,
    /// A date the field cannot hold, which makes Elasticsearch fail the
    /// search.
    OutOfRange,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::DateMath => "date math is not supported",
            DateError::Format => "not an ISO 8601 date or epoch milliseconds",
            DateError::OutOfRange => "outside the dates the field can hold",
        })
    }
}

impl std::error::Error for DateError {}

impl Resolution {
    /// The first and last instants a field of this resolution can hold.
    pub fn limits(self) -> (EpochNanos, EpochNanos) {
        match self {
            Resolution::Millis => (
                i128::from(i64::MIN) * NANOS_PER_MILLI,
                i128::from(i64::MAX) * NANOS_PER_MILLI,
            ),
            Resolution::Nanos => (0, i128::from(i64::MAX)),
        }
    }

    /// `instant` as the field stores it: dropped to the millisecond for
    /// `date`, `None` when the field cannot hold it.
    pub fn store(self, instant: EpochNanos) -> Option<EpochNanos> {
        let stored = match self {
            Resolution::Millis => instant.div_euclid(NANOS_PER_MILLI) * NANOS_PER_MILLI,
            Resolution::Nanos => instant,
        };
        let (first, last) = self.limits();
        (first..=last).contains(&stored).then_some(stored)
    }
}

impl DateRange {
    /// The range as a field of `resolution` compares it with `op`: each
    /// bound the operator reads (`lo` for `<` and `>=`, `hi` for `<=` and
    /// `>`, both for `==` and `!=`) is stored as a field value would be; the
    /// bound it does not read is set to the other. Fails when a bound the
    /// operator reads is out of the field's range.
    pub fn for_field(self, resolution: Resolution, op: Comparison) -> Result<DateRange, DateError> {
        let store = |instant| resolution.store(instant).ok_or(DateError::OutOfRange);
        Ok(match op {
            Comparison::Equal | Comparison::NotEqual => DateRange {
                lo: store(self.lo)?,
                hi: store(self.hi)?,
            },
            Comparison::Less | Comparison::GreaterOrEqual => {
                let lo = store(self.lo)?;
                DateRange { lo, hi: lo }
            }
            Comparison::LessOrEqual | Comparison::Greater => {
                let hi = store(self.hi)?;
                DateRange { lo: hi, hi }
            }
        })
    }
}

/// A string literal compared with a date field of `resolution`, read with
/// the field's default format.
pub fn parse_literal(text: &str, resolution: Resolution) -> Result<DateRange, DateError> {
    if text.starts_with("now") || text.contains("||") {
        return Err(DateError::DateMath);
    }
    parse_range(text, resolution).ok_or(DateError::Format)
}

/// A number literal compared with a date field: epoch milliseconds, as
/// Elasticsearch writes the number (a float in Java's notation, so that
/// `1.5e12` is `1.5E12` and not a date).
pub fn millis_literal(number: Number) -> Result<DateRange, DateError> {
    let range = match number {
        Number::Int(n) => epoch_millis(&n.to_string()),
        Number::UInt(n) => epoch_millis(&n.to_string()),
        // Java's `Double.toString` writes a plain decimal only for
        // magnitudes in [10⁻³, 10⁷), where it writes Rust's digits, with a
        // `.0` after a whole number.
        Number::Float(n) if n == 0.0 || (1e-3..1e7).contains(&n.abs()) => {
            let text = if n.fract() == 0.0 {
                format!("{n:.1}")
            } else {
                n.to_string()
            };
            epoch_millis(&text)
        }
        Number::Float(_) => None,
    };
    range.ok_or(DateError::Format)
}

/// The instant a value of a date field of `resolution` holds, or `None`
/// when Elasticsearch could not index it (not a date, or out of range).
pub fn parse_value(value: Value<'_>, resolution: Resolution) -> Option<EpochNanos> {
    let range = value.keyword(|text| parse_range(text, resolution))?;
    resolution.store(range.lo)
}

/// Whether a value of a date field of `resolution` compares with `range`
/// (from [`DateRange::for_field`]) as `op` asks: `==` when it lies in the
/// range, `<` before `lo`, `<=` not after `hi`, `>` after `hi`, `>=` not
/// before `lo`. A value that is not a date satisfies nothing.
#[inline]
pub fn compare(value: Value<'_>, resolution: Resolution, op: Comparison, range: DateRange) -> bool {
    let Some(instant) = parse_value(value, resolution) else {
        return false;
    };
    let inside = range.lo <= instant && instant <= range.hi;
    match op {
        Comparison::Equal => inside,
        Comparison::NotEqual => !inside,
        Comparison::Less => instant < range.lo,
        Comparison::LessOrEqual => instant <= range.hi,
        Comparison::Greater => instant > range.hi,
        Comparison::GreaterOrEqual => instant >= range.lo,
    }
}

/// `text` read with the default format of a `resolution` field: ISO 8601,
/// else epoch milliseconds.
fn parse_range(text: &str, resolution: Resolution) -> Option<DateRange> {
    iso(text, resolution).or_else(|| epoch_millis(text))
}

/// `[-]millis[.fraction]`, the fraction in nanoseconds of the millisecond.
/// Without a fraction, `hi` adds 999,999 ns away from zero (Elasticsearch's
/// `epoch_millis` rounds the magnitude up).
fn epoch_millis(text: &str) -> Option<DateRange> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (millis, fraction) = match unsigned.split_once('.') {
        Some((millis, fraction)) => (millis, Some(fraction)),
        None => (unsigned, None),
    };
    if millis.len() > 19 || fraction.is_some_and(|f| f.len() > 6) {
        return None;
    }
    let millis = i128::from(i64::try_from(digits(millis)?).ok()?);
    // `123.` has no fraction.
    let fraction = match fraction.filter(|f| !f.is_empty()) {
        Some(fraction) => Some(scaled(fraction, 6)?),
        None => None,
    };
    let sign = if negative { -1 } else { 1 };
    let magnitude = millis * NANOS_PER_MILLI;
    Some(DateRange {
        lo: sign * (magnitude + fraction.unwrap_or(0)),
        hi: sign * (magnitude + fraction.unwrap_or(999_999)),
    })
}

/// The fields an ISO 8601 text gives; `None` for those it leaves out.
#[derive(Clone, Copy, Debug, Default)]
struct IsoFields {
    year: i64,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    /// East of UTC, in seconds.
    offset: i64,
}

/// `strict_date_optional_time` (`Millis`) or its `_nanos` variant.
fn iso(text: &str, resolution: Resolution) -> Option<DateRange> {
    let fields = iso_fields(text.as_bytes(), resolution)?;
    let IsoFields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        offset,
    } = fields;
    let (month, day) = (month.unwrap_or(1), day.unwrap_or(1));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let date_seconds = days_from_civil(year, month, day) * 86_400 - i128::from(offset);
    let instant = |hour: u32, minute: u32, second: u32, nanos: u32| {
        (date_seconds + i128::from(hour * 3600 + minute * 60 + second)) * NANOS_PER_SECOND
            + i128::from(nanos)
    };
    Some(DateRange {
        lo: instant(
            hour.unwrap_or(0),
            minute.unwrap_or(0),
            second.unwrap_or(0),
            nanos.unwrap_or(0),
        ),
        hi: instant(
            hour.unwrap_or(23),
            minute.unwrap_or(59),
            second.unwrap_or(59),
            nanos.unwrap_or(999_999_999),
        ),
    })
}

/// Reads the ISO 8601 grammar of the module documentation; checks the
/// ranges of time fields and offsets, not of month and day.
fn iso_fields(text: &[u8], resolution: Resolution) -> Option<IsoFields> {
    let mut cursor = Cursor { text, at: 0 };
    let mut fields = IsoFields {
        year: cursor.year()?,
        ..IsoFields::default()
    };
    if cursor.eat(b'-') {
        fields.month = Some(cursor.two_digits()?);
        if cursor.eat(b'-') {
            fields.day = Some(cursor.two_digits()?);
        }
    }
    if cursor.eat(b'T') {
        let full_time = resolution == Resolution::Nanos;
        if full_time || cursor.peek().is_some_and(|b| b.is_ascii_digit()) {
            fields.hour = Some(cursor.two_digits()?);
            if full_time || cursor.eat(b':') {
                if full_time {
                    cursor.expect(b':')?;
                }
                fields.minute = Some(cursor.two_digits()?);
                if full_time || cursor.eat(b':') {
                    if full_time {
                        cursor.expect(b':')?;
                    }
                    fields.second = Some(cursor.two_digits()?);
                    if cursor.eat(b'.') || cursor.eat(b',') {
                        fields.nanos = Some(cursor.fraction()?);
                    }
                }
            }
        }
        if cursor.peek().is_some() {
            fields.offset = cursor.zone()?;
        }
    }
    let in_range = |field: Option<u32>, last: u32| field.is_none_or(|value| value <= last);
    let valid = cursor.at == text.len()
        && in_range(fields.hour, 23)
        && in_range(fields.minute, 59)
        && in_range(fields.second, 59);
    valid.then_some(fields)
}

/// A position in the text being read.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// Consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// Consumes the run of ASCII digits that starts here (maybe empty).
    fn digits(&mut self) -> &[u8] {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    /// Four digits, or a sign and up to ten (`+` only beyond four).
    fn year(&mut self) -> Option<i64> {
        let sign = match self.peek() {
            Some(b'+') => Some(1),
            Some(b'-') => Some(-1),
            _ => None,
        };
        self.at += usize::from(sign.is_some());
        let digits = self.digits();
        let allowed = match sign {
            None => 4..=4,
            Some(1) => 5..=10,
            Some(_) => 4..=10,
        };
        if !allowed.contains(&digits.len()) {
            return None;
        }
        let year = i64::try_from(ascii_number(digits)?).ok()?;
        if year > 999_999_999 || (sign == Some(-1) && year == 0) {
            return None;
        }
        Some(sign.unwrap_or(1) * year)
    }

    fn two_digits(&mut self) -> Option<u32> {
        let start = self.at;
        for _ in 0..2 {
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.at += 1;
        }
        u32::try_from(ascii_number(&self.text[start..self.at])?).ok()
    }

    /// One to nine digits after the decimal separator, in nanoseconds.
    fn fraction(&mut self) -> Option<u32> {
        let digits = self.digits();
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        u32::try_from(scaled_bytes(digits, 9)?).ok()
    }

    /// `Z`, `±H`, `±HH`, `±HHmm` or `±HH:mm`, up to 18 hours, in seconds east
    /// of UTC; it must end the text.
    fn zone(&mut self) -> Option<i64> {
        if self.eat(b'Z') {
            return Some(0);
        }
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.at += 1;
        let hours = self.digits();
        let (hours, minutes) = match hours.len() {
            1 | 2 => {
                let hours = ascii_number(hours)?;
                let minutes = if self.eat(b':') {
                    u128::from(self.two_digits()?)
                } else {
                    0
                };
                (hours, minutes)
            }
            4 => (ascii_number(&hours[..2])?, ascii_number(&hours[2..])?),
            _ => return None,
        };
        if minutes > 59 || hours * 60 + minutes > 18 * 60 {
            return None;
        }
        Some(sign * i64::try_from(hours * 3600 + minutes * 60).ok()?)
    }
}

/// The value of a run of ASCII digits, `None` if empty or not all digits.
fn ascii_number(digits: &[u8]) -> Option<u128> {
    if digits.is_empty() || digits.len() > 38 {
        return None;
    }
    let mut value = 0u128;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u128::from(digit - b'0');
    }
    Some(value)
}

fn digits(text: &str) -> Option<u128> {
    ascii_number(text.as_bytes())
}

/// The digits after a decimal point in units of 10^-`places` (at most
/// `places` digits).
fn scaled(fraction: &str, places: u32) -> Option<i128> {
    scaled_bytes(fraction.as_bytes(), places)
}

fn scaled_bytes(fraction: &[u8], places: u32) -> Option<i128> {
    let len = u32::try_from(fraction.len()).ok()?;
    let shift = places.checked_sub(len)?;
    Some(i128::try_from(ascii_number(fraction)?).ok()? * 10i128.pow(shift))
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: u32, day: u32) -> i128 {
    // Count years from March, so that the leap day ends a year.
    let year = i128::from(year) - i128::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i128::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i128::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i128 = NANOS_PER_SECOND;
    const DAY: i128 = 86_400 * SECOND;

    fn literal(text: &str, resolution: Resolution) -> Option<(i128, i128)> {
        parse_literal(text, resolution)
            .ok()
            .map(|range| (range.lo, range.hi))
    }

    fn millis(text: &str) -> Option<(i128, i128)> {
        literal(text, Resolution::Millis)
    }

    #[test]
    fn iso_literals_span_what_they_leave_out() {
        let second = 1_504_126_053 * SECOND;
        assert_eq!(
            millis("2017-08-30T20:47:33Z"),
            Some((second, second + 999_999_999))
        );
        assert_eq!(
            millis("2017-08-30T20:47:33.5Z"),
            Some((second + 500_000_000, second + 500_000_000))
        );
        assert_eq!(
            millis("2017-08-30T20:47:33,123456789Z"),
            Some((second + 123_456_789, second + 123_456_789))
        );
        let minute = second - 33 * SECOND;
        assert_eq!(
            millis("2017-08-30T20:47"),
            Some((minute, minute + 60 * SECOND - 1))
        );
        let day = 1_504_051_200 * SECOND;
        assert_eq!(millis("2017-08-30"), Some((day, day + DAY - 1)));
        assert_eq!(millis("2017-08-30T"), Some((day, day + DAY - 1)));
        assert_eq!(
            millis("2017-08-30T20Z"),
            Some((day + 20 * 3600 * SECOND, day + 21 * 3600 * SECOND - 1))
        );
        // A missing month or day is 1 at both ends.
        let new_year = 1_483_228_800 * SECOND;
        assert_eq!(millis("2017"), Some((new_year, new_year + DAY - 1)));
        let august = 1_501_545_600 * SECOND;
        assert_eq!(millis("2017-08"), Some((august, august + DAY - 1)));
    }

    #[test]
    fn iso_offsets_years_and_calendar() {
        let noon = 1_651_665_600 * SECOND;
        for text in [
            "2022-05-04T14:00:00.000+02:00",
            "2022-05-04T14:00:00+0200",
            "2022-05-04T14:00:00+02",
            "2022-05-04T09:30:00-02:30",
            "2022-05-04T12:00:00Z",
            "2022-05-04T12:00:00",
        ] {
            assert_eq!(millis(text).map(|(lo, _)| lo), Some(noon), "{text}");
        }
        assert_eq!(millis("1970-01-01T00:00:00Z"), Some((0, SECOND - 1)));
        assert_eq!(
            millis("2016-02-29").map(|(lo, _)| lo),
            Some(1_456_704_000 * SECOND)
        );
        assert_eq!(
            millis("2000-02-29").map(|(lo, _)| lo),
            Some(951_782_400 * SECOND)
        );
        assert_eq!(millis("1969-12-31").map(|(lo, _)| lo), Some(-DAY));
        assert_eq!(
            millis("-0001-01-01").map(|(lo, _)| lo),
            Some(-62_198_755_200 * SECOND)
        );
        assert_eq!(
            millis("+10000-01-01").map(|(lo, _)| lo),
            Some(253_402_300_800 * SECOND)
        );
        let last = millis("+999999999-12-31T23:59:59.999999999Z");
        assert_eq!(
            last,
            Some((
                31_556_889_832_780_799_999_999_999,
                31_556_889_832_780_799_999_999_999
            ))
        );
        assert!(millis("-999999999-01-01").is_some());
    }

    #[test]
    fn invalid_iso_and_epoch_texts() {
        for text in [
            "",
            "yesterday",
            "2017-02-29",
            "2017-13-01",
            "2017-00-10",
            "2017-08-32",
            "2017-8-30",
            "17-08-30",
            "+2017-08-30",
            "-0000-01-01",
            "+1000000000-01-01",
            "2017-08-30T24:00:00Z",
            "2017-08-30T20:60",
            "2017-08-30T20:47:60Z",
            "2017-08-30T20:47:33.Z",
            "2017-08-30T20:47:33.1234567890Z",
            "2017-08-30T20:47:33+19:00",
            "2017-08-30T20:47:33+02:60",
            "2017-08-30T20:47:33 Z",
            "2017-08-30Z",
            "2017-08-30 20:47:33",
            "2017-08-30T20:47:33Europe/Paris",
            "1e3",
            "+1000",
            "12345678901234567890",
            "1.1234567",
            "--1",
            "1.2.3",
            "٣",
        ] {
            assert_eq!(millis(text), None, "{text:?}");
        }
        assert_eq!(
            parse_literal("now-1d", Resolution::Millis),
            Err(DateError::DateMath)
        );
        assert_eq!(
            parse_literal("2020-01-01||+1M", Resolution::Millis),
            Err(DateError::DateMath)
        );
        assert_eq!(
            parse_literal("2020-13-01", Resolution::Millis),
            Err(DateError::Format)
        );
    }

    #[test]
    fn nanos_fields_need_a_whole_time() {
        assert_eq!(literal("2017-08-30T20:47Z", Resolution::Nanos), None);
        assert_eq!(literal("2017-08-30T20Z", Resolution::Nanos), None);
        assert_eq!(literal("2017-08-30T", Resolution::Nanos), None);
        let instant = 131_509_374_294_365_140;
        assert_eq!(
            literal("1974-03-03T02:22:54.294365140Z", Resolution::Nanos),
            Some((instant, instant))
        );
        assert_eq!(
            literal("1974-03-02", Resolution::Nanos),
            Some((131_414_400 * SECOND, 131_500_800 * SECOND - 1))
        );
    }

    #[test]
    fn epoch_millis_literals() {
        let ms = NANOS_PER_MILLI;
        assert_eq!(
            millis("1516116808349"),
            Some((1_516_116_808_349 * ms, 1_516_116_808_349 * ms + 999_999))
        );
        assert_eq!(
            millis("131509374294.365140"),
            Some((131_509_374_294_365_140, 131_509_374_294_365_140))
        );
        assert_eq!(millis("1.5"), Some((1_500_000, 1_500_000)));
        assert_eq!(millis("1.000"), Some((ms, ms)));
        assert_eq!(millis("7."), Some((7 * ms, 8 * ms - 1)));
        assert_eq!(millis("0"), Some((0, 999_999)));
        // Negative: the rounded-up end moves away from zero.
        assert_eq!(millis("-1"), Some((-ms, -ms - 999_999)));
        assert_eq!(millis("-1.5"), Some((-1_500_000, -1_500_000)));
        assert_eq!(
            millis("9223372036854775807").map(|(lo, _)| lo),
            Some(i128::from(i64::MAX) * ms)
        );
        assert_eq!(millis("9223372036854775808"), None);
        // Four digits are a year, not milliseconds.
        assert_eq!(
            millis("1000").map(|(lo, _)| lo),
            Some(-30_610_224_000 * SECOND)
        );
        assert_eq!(millis("999"), Some((999 * ms, 1000 * ms - 1)));
    }

    #[test]
    fn number_literals_are_epoch_millis() {
        let range = |number| millis_literal(number).map(|range| (range.lo, range.hi));
        assert_eq!(range(Number::Int(2017)), Ok((2_017_000_000, 2_017_999_999)));
        assert_eq!(range(Number::UInt(5)), Ok((5_000_000, 5_999_999)));
        assert_eq!(range(Number::Float(2.25)), Ok((2_250_000, 2_250_000)));
        assert_eq!(range(Number::Float(3.0)), Ok((3_000_000, 3_000_000)));
        assert_eq!(range(Number::Float(-0.0)), Ok((0, 0)));
        assert_eq!(range(Number::Float(1.5e12)), Err(DateError::Format));
        assert_eq!(range(Number::Float(f64::NAN)), Err(DateError::Format));
    }

    #[test]
    fn ranges_for_fields() {
        let range = DateRange {
            lo: 1_500_123_456,
            hi: 1_999_999_999,
        };
        assert_eq!(
            range.for_field(Resolution::Millis, Comparison::Equal),
            Ok(DateRange {
                lo: 1_500_000_000,
                hi: 1_999_000_000
            })
        );
        assert_eq!(
            range.for_field(Resolution::Nanos, Comparison::Less),
            Ok(DateRange {
                lo: 1_500_123_456,
                hi: 1_500_123_456
            })
        );
        assert_eq!(
            range.for_field(Resolution::Millis, Comparison::Greater),
            Ok(DateRange {
                lo: 1_999_000_000,
                hi: 1_999_000_000
            })
        );
        let before_1970 = DateRange { lo: -1, hi: 5 };
        assert_eq!(
            before_1970.for_field(Resolution::Nanos, Comparison::Equal),
            Err(DateError::OutOfRange)
        );
        assert!(
            before_1970
                .for_field(Resolution::Nanos, Comparison::LessOrEqual)
                .is_ok()
        );
        assert_eq!(
            before_1970.for_field(Resolution::Millis, Comparison::Equal),
            Ok(DateRange {
                lo: -1_000_000,
                hi: 0
            })
        );
        let far = parse_literal("+999999999-01-01", Resolution::Millis).expect("a date");
        assert_eq!(
            far.for_field(Resolution::Millis, Comparison::Equal),
            Err(DateError::OutOfRange)
        );
    }

    #[test]
    fn field_values() {
        let ms = NANOS_PER_MILLI;
        let value = |value, resolution| parse_value(value, resolution);
        assert_eq!(
            value(Value::Int(1_504_126_051_000), Resolution::Millis),
            Some(1_504_126_051_000 * ms)
        );
        assert_eq!(
            value(Value::Str("131509374294.365140"), Resolution::Nanos),
            Some(131_509_374_294_365_140)
        );
        assert_eq!(
            value(Value::Str("131509374294.365140"), Resolution::Millis),
            Some(131_509_374_294 * ms)
        );
        assert_eq!(
            value(
                Value::Str("1974-03-03T02:22:54.294365140Z"),
                Resolution::Millis
            ),
            Some(131_509_374_294 * ms)
        );
        assert_eq!(value(Value::Float(1.5), Resolution::Nanos), Some(1_500_000));
        assert_eq!(value(Value::Float(-1.5), Resolution::Millis), Some(-2 * ms));
        assert_eq!(value(Value::UInt(u64::MAX), Resolution::Millis), None);
        assert_eq!(
            value(Value::Int(2017), Resolution::Millis),
            Some(1_483_228_800 * SECOND)
        );
        assert_eq!(value(Value::Str("1969-12-31"), Resolution::Nanos), None);
        assert_eq!(
            value(Value::Str("1969-12-31"), Resolution::Millis),
            Some(-DAY)
        );
        assert_eq!(value(Value::Bool(true), Resolution::Millis), None);
        assert_eq!(value(Value::Float(f64::INFINITY), Resolution::Millis), None);
        assert_eq!(value(Value::Str("now"), Resolution::Millis), None);
        assert_eq!(
            value(Value::Ip([127, 0, 0, 1].into()), Resolution::Millis),
            None
        );
    }

    #[test]
    fn comparisons() {
        let second = parse_literal("2017-08-30T20:47:33Z", Resolution::Millis).expect("a date");
        let check = |millis: i64, op: Comparison| {
            let range = second.for_field(Resolution::Millis, op).expect("in range");
            compare(Value::Int(millis), Resolution::Millis, op, range)
        };
        let (start, end) = (1_504_126_053_000, 1_504_126_053_999);
        assert!(check(start, Comparison::Equal));
        assert!(check(end, Comparison::Equal));
        assert!(!check(end + 1, Comparison::Equal));
        assert!(!check(start - 1, Comparison::Equal));
        assert!(check(start - 1, Comparison::Less));
        assert!(!check(start, Comparison::Less));
        assert!(check(end, Comparison::LessOrEqual));
        assert!(!check(end + 1, Comparison::LessOrEqual));
        assert!(check(end + 1, Comparison::Greater));
        assert!(!check(end, Comparison::Greater));
        assert!(check(start, Comparison::GreaterOrEqual));
        assert!(!check(start - 1, Comparison::GreaterOrEqual));
        assert!(check(start - 1, Comparison::NotEqual));
        assert!(!check(start, Comparison::NotEqual));
        let any = DateRange {
            lo: i128::MIN,
            hi: i128::MAX,
        };
        for op in [Comparison::Equal, Comparison::NotEqual, Comparison::Less] {
            assert!(!compare(Value::Str("soon"), Resolution::Millis, op, any));
        }
    }

    /// Every one-character edit of some valid texts, and short texts over
    /// the characters the grammar uses: nothing panics, and whatever parses
    /// has `lo <= hi` unless it is a negative epoch.
    #[test]
    fn no_panics_on_edits() {
        let alphabet = "0129-+:.,TZ x";
        let seeds = [
            "2017-08-30T20:47:33.123456789+02:00",
            "+999999999-12-31T23:59:59.999999999Z",
            "-999999999-01-01T00:00:00,1-18",
            "9223372036854775807.999999",
            "-9223372036854775808",
        ];
        let mut texts: Vec<String> = Vec::new();
        for seed in seeds {
            let chars: Vec<char> = seed.chars().collect();
            for at in 0..=chars.len() {
                for c in alphabet.chars() {
                    let mut edited = chars.clone();
                    edited.insert(at, c);
                    texts.push(edited.iter().collect());
                    if at < chars.len() {
                        edited.remove(at);
                        edited[at] = c;
                        texts.push(edited.iter().collect());
                    }
                }
                let mut removed = chars.clone();
                if at < chars.len() {
                    removed.remove(at);
                    texts.push(removed.iter().collect());
                }
            }
        }
        let alphabet: Vec<char> = alphabet.chars().collect();
        for n in 0..alphabet.len().pow(4) {
            let mut rest = n;
            let mut text = String::new();
            while rest > 0 {
                text.push(alphabet[rest % alphabet.len()]);
                rest /= alphabet.len();
            }
            texts.push(text);
        }
        for text in &texts {
            for resolution in [Resolution::Millis, Resolution::Nanos] {
                if let Ok(range) = parse_literal(text, resolution) {
                    assert!(range.lo <= range.hi || text.starts_with('-'), "{text:?}");
                    for op in [Comparison::Equal, Comparison::Less, Comparison::Greater] {
                        let _ = range.for_field(resolution, op);
                    }
                }
                let _ = parse_value(Value::Str(text), resolution);
            }
        }
        for n in [i64::MIN, -1, 0, 1, i64::MAX] {
            for resolution in [Resolution::Millis, Resolution::Nanos] {
                let _ = parse_value(Value::Int(n), resolution);
                let _ = millis_literal(Number::Int(n));
            }
        }
        let _ = parse_value(Value::UInt(u64::MAX), Resolution::Nanos);
        let _ = millis_literal(Number::UInt(u64::MAX));
        let _ = millis_literal(Number::Float(-f64::MAX));
    }
}
