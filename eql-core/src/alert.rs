//! The JSON alert written for each match, one shape for every tool: the
//! demo scanner, `eqlc run`, and programs built on rule packs.
//!
//! ```json
//! {"rule_id": "…", "rule_name": "…", "severity": "medium", "risk_score": 47,
//!  "tactics": ["TA0011"], "techniques": ["T1572"],
//!  "file": "events.ndjson", "line": 12,
//!  "event": {"@timestamp": "…", "process.name": "ssh", "process.args": ["ssh", "-R", "…"]},
//!  "document": {…the whole matched event…}}
//! ```
//!
//! A sequence or a sample (see [`join_alert`]) names the file and line of
//! each of its events instead (`null` for a missing-event step), and the
//! join key they share; `file` and `line` are those of its last event:
//!
//! ```json
//! {"rule_id": "…", …, "kind": "sequence", "file": "events.ndjson", "line": 14,
//!  "events": [{"file": "events.ndjson", "line": 9}, null,
//!             {"file": "events.ndjson", "line": 14}],
//!  "join_keys": ["c0ffee", "e-1"]}
//! ```

use serde_json::{Map, Value as Json};

use crate::value::Value;

/// The ECS fields every alert reports by default.
pub const ALERT_FIELDS: [&str; 4] = ["@timestamp", "container.id", "process.name", "process.args"];

/// The rule a match came from.
#[derive(Clone, Copy, Debug)]
pub struct AlertRule<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub severity: &'a str,
    pub risk_score: u32,
    pub tactics: &'a [&'a str],
    pub techniques: &'a [&'a str],
}

/// One alert. `fields` holds each reported ECS path with its values; a
/// field with one value is written as a scalar, except `process.args`,
/// which is always an array, and a field without values as `null`.
/// `line` is the matched event's text, copied whole into `document` (or
/// `null` if it is not JSON).
pub fn alert(
    rule: &AlertRule<'_>,
    file: &str,
    line_number: u64,
    fields: &[(&str, Vec<Json>)],
    line: &[u8],
) -> Json {
    let mut event = Map::new();
    for (path, values) in fields {
        let value = match values.as_slice() {
            [] => Json::Null,
            [one] if *path != "process.args" => one.clone(),
            _ => Json::Array(values.clone()),
        };
        event.insert((*path).to_owned(), value);
    }
    serde_json::json!({
        "rule_id": rule.id,
        "rule_name": rule.name,
        "severity": rule.severity,
        "risk_score": rule.risk_score,
        "tactics": rule.tactics,
        "techniques": rule.techniques,
        "file": file,
        "line": line_number,
        "event": event,
        "document": serde_json::from_slice::<Json>(line).unwrap_or(Json::Null),
    })
}

/// One alert for a sequence or a sample (`kind`): `events` holds the file
/// and line of each step's event (`None` for a missing-event step), and
/// `file` and `line` repeat those of the last event, the one that completed
/// it.
pub fn join_alert(
    rule: &AlertRule<'_>,
    kind: &str,
    events: &[Option<(&str, u64)>],
    join_keys: &[Json],
) -> Json {
    let last = events.iter().rev().flatten().next();
    let events: Vec<Json> = events
        .iter()
        .map(|event| match event {
            Some((file, line)) => serde_json::json!({ "file": file, "line": line }),
            None => Json::Null,
        })
        .collect();
    serde_json::json!({
        "rule_id": rule.id,
        "rule_name": rule.name,
        "severity": rule.severity,
        "risk_score": rule.risk_score,
        "tactics": rule.tactics,
        "techniques": rule.techniques,
        "kind": kind,
        "file": last.map(|(file, _)| *file),
        "line": last.map(|(_, line)| *line),
        "events": events,
        "join_keys": join_keys,
    })
}

/// A join key value as JSON.
pub fn key_json(value: crate::join::KeyValue<'_>) -> Json {
    use crate::join::KeyValue;
    match value {
        KeyValue::Null => Json::Null,
        KeyValue::Bool(b) => Json::from(b),
        KeyValue::Int(n) => Json::from(n),
        KeyValue::UInt(n) => Json::from(n),
        KeyValue::Float(n) => Json::from(n),
        KeyValue::Ip(ip) => Json::from(ip.to_string()),
        KeyValue::Str(s) => Json::from(s),
    }
}

/// A field value as JSON (an infinite float, which JSON cannot hold, is
/// `null`).
pub fn json_value(value: Value<'_>) -> Json {
    match value {
        Value::Str(text) => Json::from(text),
        Value::Int(n) => Json::from(n),
        Value::UInt(n) => Json::from(n),
        Value::Float(n) => Json::from(n),
        Value::Bool(b) => Json::from(b),
        Value::Ip(ip) => Json::from(ip.to_string()),
    }
}
