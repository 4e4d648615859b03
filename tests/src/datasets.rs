//! Loading a conformance data set the way Elasticsearch's test loader
//! indexes it, in the order an EQL search returns its events.
//!
//! What the loader (`DataLoader` in Elasticsearch's EQL QA module) does, and
//! so what this module does:
//!
//! - documents are a JSON array; `data/missing-events.data` also has
//!   whole-line `//` comments, which are dropped first;
//! - mappings lose their lines that start with `#`; a field mapped with a
//!   `null_value` is indexed with that value where a document has an
//!   explicit `null` (`extra.mapping` maps `optional_field_default_null` so,
//!   and two tests of `test_extra.toml` depend on it);
//! - the Endgame sample's `timestamp` becomes `@timestamp` as described by
//!   [`Timestamps`];
//! - a `date` field mapped with a custom `format` (`dd-MM-yyyy` in
//!   `sample1.mapping`) is stored as the epoch milliseconds Elasticsearch
//!   indexes, as a string: eqlc reads only the default date formats, and
//!   three tests of `test_sample.toml` join such fields with others and
//!   expect the key as epoch milliseconds.
//!
//! Events are ordered by `@timestamp`, then by the tiebreaker (missing
//! values first), then by their place in the files, as an EQL search sorts
//! its hits.

use std::path::Path;

use serde_json::{Map, Value};

use crate::suites::{DataSet, TIMESTAMP_FIELD, Timestamps, read_mapping};

/// One event of a data set, as the matchers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The value of the data set's id field.
    pub id: i64,
    /// The document after the loader's changes, as one line of JSON.
    pub line: String,
}

/// Milliseconds from 1601-01-01 (the Windows FILETIME epoch) to 1970-01-01.
const FILETIME_EPOCH_OFFSET_MS: i64 = 11_644_473_600_000;

/// FILETIME ticks (100 ns) per millisecond.
const FILETIME_TICKS_PER_MS: i64 = 10_000;

/// Loads every part of `data` from `dir` and orders the events.
pub fn load(dir: &Path, data: &DataSet) -> Result<Vec<Event>, String> {
    let mut keyed = Vec::new();
    for (documents_file, mapping_file) in data.parts {
        let null_values = read_null_values(&dir.join(mapping_file))?;
        let formats = read_date_formats(&dir.join(mapping_file))?;
        let documents = read_documents(&dir.join(documents_file))?;
        for (index, mut document) in documents.into_iter().enumerate() {
            let at = || format!("{documents_file}, document {}", index + 1);
            convert_timestamps(&mut document, data.timestamps)
                .map_err(|e| format!("{}: {e}", at()))?;
            for (path, value) in &null_values {
                if document.get(path) == Some(&Value::Null) {
                    document.insert(path.clone(), value.clone());
                }
            }
            for (path, format) in &formats {
                if let Some(Value::String(text)) = document.get(path) {
                    let millis = custom_date_millis(text, format).ok_or_else(|| {
                        format!("{}: `{path}` {text:?} is not a date in {format}", at())
                    })?;
                    document.insert(path.clone(), Value::from(millis.to_string()));
                }
            }
            let timestamp = match document.get(TIMESTAMP_FIELD) {
                None | Some(Value::Null) => None,
                Some(value) => Some(timestamp_nanos(value).ok_or_else(|| {
                    format!("{}: `{TIMESTAMP_FIELD}` {value} is not a date", at())
                })?),
            };
            let tiebreaker =
                match data.tiebreaker.and_then(|field| document.get(field)) {
                    None | Some(Value::Null) => None,
                    Some(value) => Some(value.as_i64().ok_or_else(|| {
                        format!("{}: tiebreaker {value} is not an integer", at())
                    })?),
                };
            let id = document
                .get(data.id_field)
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("{}: no integer `{}`", at(), data.id_field))?;
            let line = Value::Object(document).to_string();
            keyed.push(((timestamp, tiebreaker), Event { id, line }));
        }
    }
    // A stable sort keeps file order among equal keys.
    keyed.sort_by_key(|(key, _)| *key);
    Ok(keyed.into_iter().map(|(_, event)| event).collect())
}

/// The documents of a data file: a JSON array of objects, after dropping
/// whole-line `//` comments.
fn read_documents(path: &Path) -> Result<Vec<Map<String, Value>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let json: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(|line| [line, "\n"])
        .collect();
    let documents: Vec<Value> = serde_json::from_str(&json)
        .map_err(|error| format!("{} is not a JSON array: {error}", path.display()))?;
    documents
        .into_iter()
        .enumerate()
        .map(|(index, document)| match document {
            Value::Object(map) => Ok(map),
            other => Err(format!(
                "{}: document {} is not an object: {other}",
                path.display(),
                index + 1
            )),
        })
        .collect()
}

/// The `format` of each `date` field of a mapping that has one, by path.
fn read_date_formats(path: &Path) -> Result<Vec<(String, String)>, String> {
    let mapping = read_mapping(path)?;
    let mut formats = Vec::new();
    collect_date_formats(&mapping, "", &mut formats);
    Ok(formats)
}

fn collect_date_formats(mapping: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    let Some(properties) = mapping.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let is_date = field.get("type").and_then(Value::as_str) == Some("date");
        if let (true, Some(format)) = (is_date, field.get("format").and_then(Value::as_str)) {
            out.push((path.clone(), format.to_owned()));
        }
        collect_date_formats(field, &path, out);
    }
}

/// Epoch milliseconds of `text` in a Java date pattern made of `yyyy`,
/// `MM`, `dd`, `HH`, `mm`, `ss` and literal separators (UTC).
fn custom_date_millis(text: &str, format: &str) -> Option<i128> {
    let (mut year, mut month, mut day) = (1970, 1, 1);
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    let (mut pattern, mut rest) = (format, text);
    while !pattern.is_empty() {
        let token = ["yyyy", "MM", "dd", "HH", "mm", "ss"]
            .into_iter()
            .find(|token| pattern.starts_with(token));
        match token {
            Some(token) => {
                let digits = rest.get(..token.len())?;
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let value: i128 = digits.parse().ok()?;
                match token {
                    "yyyy" => year = value,
                    "MM" => month = value,
                    "dd" => day = value,
                    "HH" => hour = value,
                    "mm" => minute = value,
                    _ => second = value,
                }
                pattern = &pattern[token.len()..];
                rest = &rest[token.len()..];
            }
            None => {
                let literal = pattern.chars().next()?;
                rest = rest.strip_prefix(literal)?;
                pattern = &pattern[literal.len_utf8()..];
            }
        }
    }
    if !rest.is_empty() {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds * 1000)
}

/// The `null_value` of each field of a mapping that has one, by path.
fn read_null_values(path: &Path) -> Result<Vec<(String, Value)>, String> {
    let mapping = read_mapping(path)?;
    let mut null_values = Vec::new();
    collect_null_values(&mapping, "", &mut null_values);
    Ok(null_values)
}

fn collect_null_values(mapping: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    let Some(properties) = mapping.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if let Some(value) = field.get("null_value") {
            out.push((path.clone(), value.clone()));
        }
        collect_null_values(field, &path, out);
    }
}

/// Applies the loader's timestamp conversion to one document.
fn convert_timestamps(document: &mut Map<String, Value>, form: Timestamps) -> Result<(), String> {
    if form == Timestamps::AsIs {
        return Ok(());
    }
    let filetime = document
        .get("timestamp")
        .and_then(Value::as_i64)
        .ok_or("no integer `timestamp` to convert")?;
    match form {
        Timestamps::AsIs => {}
        Timestamps::FiletimeToMillis => {
            let millis = filetime / FILETIME_TICKS_PER_MS - FILETIME_EPOCH_OFFSET_MS;
            document.insert(TIMESTAMP_FIELD.to_owned(), Value::from(millis));
        }
        Timestamps::FiletimeToNanos => {
            let digits = filetime.to_string();
            if digits.len() <= 12 {
                return Err(format!("`timestamp` {digits} has 12 digits or fewer"));
            }
            let (millis, fraction) = digits.split_at(12);
            let timestamp = if fraction.bytes().all(|b| b == b'0') && fraction.len() == 6 {
                millis.to_owned()
            } else {
                format!("{millis}.{fraction}")
            };
            document.insert(TIMESTAMP_FIELD.to_owned(), Value::from(timestamp));
            document.insert("timestamp".to_owned(), Value::from(filetime / 1_000_000));
        }
    }
    Ok(())
}

/// A date value as nanoseconds since the Unix epoch: epoch milliseconds as
/// a number or a string (with an optional fraction, as `epoch_millis`
/// accepts), or an ISO-8601 date and time (`strict_date_optional_time`).
pub fn timestamp_nanos(value: &Value) -> Option<i128> {
    match value {
        Value::Number(number) => match number.as_i64() {
            Some(millis) => Some(i128::from(millis) * 1_000_000),
            None => number.as_f64().map(|millis| (millis * 1e6) as i128),
        },
        Value::String(text) => epoch_millis_nanos(text).or_else(|| iso_nanos(text)),
        _ => None,
    }
}

/// `"1516116808349"` or `"131485996510.294365"`.
fn epoch_millis_nanos(text: &str) -> Option<i128> {
    let (millis, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if millis.is_empty() || !digits(millis) || !digits(fraction) {
        return None;
    }
    Some(millis.parse::<i128>().ok()? * 1_000_000 + fraction_nanos(fraction, 6)?)
}

/// The value of the digits after a decimal point, in units of 10^-`scale`.
fn fraction_nanos(fraction: &str, scale: u32) -> Option<i128> {
    let mut value = 0i128;
    for (place, digit) in fraction.bytes().take(scale as usize).enumerate() {
        let weight = 10i128.pow(scale - 1 - place as u32);
        value += i128::from(digit.checked_sub(b'0')?) * weight;
    }
    Some(value)
}

/// `2017-08-30T20:47:33Z`, `1974-03-03T02:22:54.294365140Z`,
/// `2022-05-04T12:00:00.000+02:00`, `2022-05-04`.
fn iso_nanos(text: &str) -> Option<i128> {
    let number = |s: &str| -> Option<i128> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, ""));
    let mut date_parts = date.splitn(3, '-');
    let year = number(date_parts.next()?)?;
    let month = number(date_parts.next().unwrap_or("1"))?;
    let day = number(date_parts.next().unwrap_or("1"))?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }

    let (clock, offset_seconds) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => {
            let (clock, zone) = time.split_at(at);
            let offset = match zone {
                "Z" | "z" => 0,
                _ => {
                    let sign = if zone.starts_with('-') { -1 } else { 1 };
                    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
                    if digits.len() != 4 {
                        return None;
                    }
                    sign * (number(&digits[..2])? * 3600 + number(&digits[2..])? * 60)
                }
            };
            (clock, offset)
        }
        None => (time, 0),
    };
    let (clock, fraction) = clock.split_once(['.', ',']).unwrap_or((clock, ""));
    let mut clock_parts = clock.split(':');
    let mut next = || {
        clock_parts
            .next()
            .filter(|s| !s.is_empty())
            .map_or(Some(0), number)
    };
    let (hour, minute, second) = (next()?, next()?, next()?);
    if hour > 23
        || minute > 59
        || second > 60
        || (!fraction.is_empty() && number(fraction).is_none())
    {
        return None;
    }

    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds * 1_000_000_000 + fraction_nanos(fraction, 9)?)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    // Count years from March, so that the leap day ends a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_form_the_data_uses() {
        let nanos = |value: Value| timestamp_nanos(&value);
        assert_eq!(
            nanos(Value::from(1516116808349i64)),
            Some(1516116808349 * 1_000_000)
        );
        assert_eq!(nanos(Value::from("100")), Some(100_000_000));
        assert_eq!(
            nanos(Value::from("131485996510.294365")),
            Some(131485996510294365)
        );
        assert_eq!(nanos(Value::from("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(
            nanos(Value::from("2017-08-30T20:47:33Z")),
            Some(1504126053 * 1_000_000_000)
        );
        assert_eq!(
            nanos(Value::from("1974-03-03T02:22:54.294365140Z")),
            Some(131509374294365140)
        );
        assert_eq!(
            nanos(Value::from("2022-05-04T14:00:00.000+02:00")),
            nanos(Value::from("2022-05-04T12:00:00Z"))
        );
        assert_eq!(
            nanos(Value::from("2000-02-29")),
            Some(951782400 * 1_000_000_000)
        );
        assert_eq!(nanos(Value::from("yesterday")), None);
        assert_eq!(nanos(Value::Bool(true)), None);
    }

    #[test]
    fn custom_date_formats_give_epoch_millis() {
        assert_eq!(
            custom_date_millis("17-12-2022", "dd-MM-yyyy"),
            Some(1_671_235_200_000)
        );
        assert_eq!(
            custom_date_millis("2022-12-17", "yyyy-MM-dd"),
            Some(1_671_235_200_000)
        );
        assert_eq!(custom_date_millis("2022-12-17", "dd-MM-yyyy"), None);
    }

    #[test]
    fn filetime_becomes_millis_or_nanos_as_the_loader_does() {
        let document = |filetime: i64| {
            let mut map = Map::new();
            map.insert("timestamp".into(), Value::from(filetime));
            map
        };
        let mut millis = document(131485996510000000);
        convert_timestamps(&mut millis, Timestamps::FiletimeToMillis).expect("converts");
        assert_eq!(millis[TIMESTAMP_FIELD], Value::from(1504126051000i64));

        let mut whole = document(131485996510000000);
        convert_timestamps(&mut whole, Timestamps::FiletimeToNanos).expect("converts");
        assert_eq!(whole[TIMESTAMP_FIELD], Value::from("131485996510"));
        assert_eq!(whole["timestamp"], Value::from(131485996510i64));

        let mut fraction = document(131509374294365140);
        convert_timestamps(&mut fraction, Timestamps::FiletimeToNanos).expect("converts");
        assert_eq!(
            fraction[TIMESTAMP_FIELD],
            Value::from("131509374294.365140")
        );
    }
}
