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
//! An event that eqlc's decoder reads but `serde_json` does not (a number
//! beyond the range of `f64`, a lone surrogate escape) has `"document":
//! null` and its line as text in `"document_text"`, so that nothing is lost.
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
/// `line` is the matched event's text, copied whole into `document`; when
/// `serde_json` cannot read it, `document` is `null` and `document_text`
/// holds the line as text.
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
    let mut alert = serde_json::json!({
        "rule_id": rule.id,
        "rule_name": rule.name,
        "severity": rule.severity,
        "risk_score": rule.risk_score,
        "tactics": rule.tactics,
        "techniques": rule.techniques,
        "file": file,
        "line": line_number,
        "event": event,
        "document": Json::Null,
    });
    match serde_json::from_slice::<Json>(line) {
        Ok(document) => alert["document"] = document,
        Err(_) => {
            alert["document_text"] = Json::String(String::from_utf8_lossy(line).into_owned());
        }
    }
    alert
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

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: AlertRule<'static> = AlertRule {
        id: "r1",
        name: "Rule",
        severity: "low",
        risk_score: 21,
        tactics: &[],
        techniques: &[],
    };

    #[test]
    fn the_document_is_copied_whole() {
        let line = br#"{"process":{"name":"ssh"},"n":1}"#;
        let alert = alert(&RULE, "f", 3, &[], line);
        assert_eq!(
            alert["document"],
            serde_json::json!({"process": {"name": "ssh"}, "n": 1})
        );
        assert_eq!(alert.get("document_text"), None);
    }

    #[test]
    fn a_document_serde_json_cannot_read_is_kept_as_text() {
        for line in [
            r#"{"process":{"name":"ssh"},"big":1e999999}"#,
            r#"{"process":{"name":"ssh\ud800x"}}"#,
        ] {
            let alert = alert(&RULE, "f", 3, &[], line.as_bytes());
            assert_eq!(alert["document"], Json::Null, "{line}");
            assert_eq!(alert["document_text"], Json::String(line.into()), "{line}");
        }
    }
}
