//! Date fields compared with date literals, compiled by `eql_rule!` and run
//! on JSON events and on a typed event; every case also runs through the
//! interpreter, which must agree.

use eql_runtime::json::{Document, Record};
use eql_runtime::{Event, eql_rule};
use eqlc::interpret::{Interpreter, Typed};
use eqlc::{FieldType, Options};

eql_rule! {
    ExactSecond = r#"any where @timestamp == "2017-08-30T20:47:33Z""#;
    Before = r#"any where @timestamp < "2017-08-30T20:47:33Z""#;
    AtMost = r#"any where @timestamp <= "2017-08-30T20:47:33Z""#;
    After = r#"any where @timestamp > "2017-08-30T20:47:33Z""#;
    Day = r#"any where @timestamp == "2017-08-30""#;
    NotDay = r#"any where @timestamp != "2017-08-30""#;
    Millis = r#"any where @timestamp == 1504126053500"#;
    InList = r#"any where @timestamp in ("2017-08-30T20:47:33Z", 0)"#;
    Offset = r#"any where @timestamp == "2017-08-30T22:47:33+02:00""#;
    #[eql(field_type(field = "event.created", type = "date_nanos"))]
    Nanos = r#"any where event.created > "2017-08-30T20:47:33.000000001Z""#;
    Untyped = r#"any where event.created < "2017-08-30T20:47:33.000000001Z""#;
}

/// The events, by id.
const EVENTS: &[(i64, &str)] = &[
    (1, r#"{"@timestamp": 1504126053000}"#),
    (2, r#"{"@timestamp": "2017-08-30T20:47:33.999Z"}"#),
    (3, r#"{"@timestamp": "1504126054000"}"#),
    (4, r#"{"@timestamp": "2017-08-30T20:47:32.999999999Z"}"#),
    (5, r#"{"@timestamp": 1504126053500.0}"#),
    (6, r#"{"@timestamp": "not a date"}"#),
    (7, r#"{}"#),
    (8, r#"{"@timestamp": ["1999-01-01", 1504126053500]}"#),
    (9, r#"{"@timestamp": 0}"#),
    (
        10,
        r#"{"event": {"created": "2017-08-30T20:47:33.000000002Z"}}"#,
    ),
    (
        11,
        r#"{"event": {"created": "2017-08-30T20:47:33.000000001Z"}}"#,
    ),
    (12, r#"{"event": {"created": "1504126053000.000002"}}"#),
];

/// The ids the interpreter returns for `query` over [`EVENTS`].
fn interpreted(query: &str, options: &Options) -> Vec<i64> {
    let compiled = eqlc::compile(query, options).expect("the query compiles");
    let interpreter = Interpreter::new(compiled.filter).expect("the regexes build");
    let mut document = Document::new();
    EVENTS
        .iter()
        .filter(|(_, line)| {
            let view = document.decode(line.as_bytes()).expect("the event decodes");
            interpreter.matches(&view)
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Runs `$rule` over [`EVENTS`], as generated and through the interpreter
/// (compiled with `$options`), and checks that both return `$expected`.
macro_rules! check {
    ($rule:ident, $options:expr, $expected:expr) => {{
        let mut record = Record::<$rule>::new();
        let generated: Vec<i64> = EVENTS
            .iter()
            .filter(|(_, line)| {
                let view = record.decode(line.as_bytes()).expect("the event decodes");
                $rule::matches(&view)
            })
            .map(|(id, _)| *id)
            .collect();
        let expected: &[i64] = &$expected;
        let name = stringify!($rule);
        assert_eq!(generated, expected, "{name}: generated code");
        let interpreted = interpreted($rule::META.query, $options);
        assert_eq!(interpreted, expected, "{name}: interpreter");
    }};
}

#[test]
fn date_literals_on_json_events() {
    let defaults = Options::default();
    check!(ExactSecond, &defaults, [1, 2, 5, 8]);
    check!(Before, &defaults, [4, 8, 9]);
    check!(AtMost, &defaults, [1, 2, 4, 5, 8, 9]);
    check!(After, &defaults, [3]);
    check!(Day, &defaults, [1, 2, 3, 4, 5, 8]);
    check!(NotDay, &defaults, [6, 7, 9, 10, 11, 12]);
    check!(Millis, &defaults, [5, 8]);
    check!(InList, &defaults, [1, 2, 5, 8, 9]);
    check!(Offset, &defaults, [1, 2, 5, 8]);
    let nanos = Options {
        field_types: [("event.created".to_owned(), FieldType::DateNanos)].into(),
        ..Options::default()
    };
    check!(Nanos, &nanos, [10, 12]);
    // Without a type, `event.created` compares as text.
    check!(Untyped, &defaults, [12]);
}

#[derive(Event, Clone, Debug, Default)]
struct Log {
    #[eql(rename = "@timestamp")]
    timestamp: Option<String>,
}

#[test]
fn date_literals_on_typed_events() {
    let log = |timestamp: &str| Log {
        timestamp: Some(timestamp.to_owned()),
    };
    let compiled = eqlc::compile(ExactSecond::META.query, &Options::default()).expect("compiles");
    let interpreter = Interpreter::new(compiled.filter).expect("the regexes build");
    for (event, expected) in [
        (log("2017-08-30T20:47:33.250Z"), true),
        (log("2017-08-30T20:47:33.250123Z"), true),
        (log("1504126053999"), true),
        (log("2017-08-30T20:47:34Z"), false),
        (Log::default(), false),
    ] {
        assert_eq!(ExactSecond::matches(&event), expected, "{event:?}");
        assert_eq!(interpreter.matches(&Typed(&event)), expected, "{event:?}");
    }
}
