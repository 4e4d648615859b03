//! The `eqlc` command end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn eqlc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eqlc"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("eqlc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `text` to `name` (which may name a folder too) in this run's
/// scratch folder.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eqlc-cli-test-{}", std::process::id()));
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap_or(&dir)).expect("scratch folder");
    std::fs::write(&path, text).expect("scratch file");
    path
}

const SEED: &str = "rules/tunneling_port_forwarding_defend_for_containers.toml";

#[test]
fn every_subcommand_has_help() {
    for command in ["check", "expand", "explain", "run"] {
        let output = eqlc(&[command, "--help"]);
        assert!(output.status.success(), "{command}");
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage: eqlc"));
    }
}

#[test]
fn check_passes_the_shipped_rules() {
    let output = eqlc(&["check", "rules"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("17 rules checked: 0 errors, 0 warnings"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_reports_each_error_with_file_line_and_caret() {
    let bad = scratch("typo.eql", "process where\n  process.name = \"ssh\"\n");
    let unknown = scratch("unknown.eql", "process where lenght(process.name) > 2\n");
    let output = eqlc(&[
        "check",
        bad.to_str().expect("utf-8 path"),
        unknown.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("`=` is not a comparison operator"), "{text}");
    assert!(text.contains("typo.eql:2:16"), "{text}");
    assert!(text.contains("help: use `==` to compare"), "{text}");
    assert!(text.contains("unknown function `lenght`"), "{text}");
    assert!(text.contains("unknown.eql:1:15"), "{text}");
    assert!(text.contains("did you mean `length`?"), "{text}");
    assert!(
        text.contains("2 rules checked: 2 errors, 0 warnings"),
        "{text}"
    );
}

#[test]
fn an_error_far_along_a_long_line_is_drawn_as_a_window() {
    // A query on one line of 100 000 characters, with a typo at its end:
    // past column 65 535, which miette cannot draw.
    let head = format!(
        "process where process.name : \"{}\" and ",
        "a".repeat(100_000)
    );
    let long = scratch("long.eql", &format!("{head}lenght(process.name) > 2\n"));
    // The same after a long `//` comment in a rule file.
    let comment = format!(
        "// {}\nprocess where lenght(process.name) > 2",
        "c".repeat(70_000)
    );
    let toml = scratch(
        "long-comment.toml",
        &format!(
            "[rule]\nname = \"long\"\nrule_id = \"long\"\nlanguage = \"eql\"\n\
             severity = \"low\"\nrisk_score = 1\nquery = '''\n{comment}\n'''\n"
        ),
    );
    let output = eqlc(&[
        "check",
        long.to_str().expect("utf-8 path"),
        toml.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stderr(&output);
    let column = head.chars().count() + 1;
    assert!(
        text.contains(&format!(
            "error: {}:1:{column}: unknown function `lenght`\n",
            long.display()
        )),
        "{text}"
    );
    // The window: the text before the caret is cut, and the caret is under
    // the function's name.
    let window = text
        .lines()
        .find(|line| line.contains("lenght(process.name) > 2") && line.starts_with("  | "))
        .expect("the line is shown");
    assert!(window.starts_with("  | …aaaa"), "{window}");
    let caret = text
        .lines()
        .find(|line| line.starts_with("  | ") && line.contains('^') && !line.contains("lenght("))
        .expect("a caret");
    let caret_at = caret.find('^').expect("a caret");
    let under: String = window
        .chars()
        .skip(caret[..caret_at].chars().count())
        .take(6)
        .collect();
    assert_eq!(under, "lenght", "{text}");
    assert!(
        text.contains(&format!(
            "error: {}:9:15: unknown function `lenght`",
            toml.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("2 rules checked: 2 errors, 0 warnings"),
        "{text}"
    );
}

#[test]
fn an_error_at_the_end_of_the_query_points_after_its_last_character() {
    let path = scratch("unfinished.eql", "process where\n  process.name == \n\n");
    let output = eqlc(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("expected an expression, found the end of the query"),
        "{text}"
    );
    assert!(text.contains("unfinished.eql:2:18"), "{text}");
    // The label sits under the column after `==`.
    let shown = text
        .lines()
        .position(|line| line.contains("process.name == "))
        .expect("the line is shown");
    let lines: Vec<&str> = text.lines().collect();
    let code_at = lines[shown].find("process.name").expect("the code");
    let mark_at = lines[shown + 1].find('┬').expect("a mark under the line");
    assert_eq!(
        lines[shown + 1][..mark_at].chars().count(),
        lines[shown][..code_at].chars().count() + "process.name ==".len(),
        "{text}"
    );
}

#[test]
fn expand_prints_the_generated_rust() {
    let output = eqlc(&["expand", SEED, "--name", "Tunnel"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(code.contains("pub struct Tunnel;"));
    assert!(code.contains("pub fn matches<__EqlEvent>(event: &__EqlEvent) -> bool"));
    assert!(code.contains("\"9d94d61b-9476-41ff-a8d3-3d24b4bb8158\""));
}

#[test]
fn explain_shows_the_optimised_checks() {
    let output = eqlc(&["explain", SEED]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn run_alerts_on_the_sample_events_like_the_demo() {
    let output = eqlc(&[
        "run",
        "--rules",
        "rules",
        "samples/cloud_defend_tunneling.ndjson",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<u64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).expect("JSON alert");
            alert["line"].as_u64().expect("line number")
        })
        .collect();
    assert_eq!(
        lines,
        [
            1, 4, 5, 6, 9, 10, 11, 16, 18, 19, 22, 24, 26, 27, 28, 30, 31, 33, 34, 35, 38, 39, 44,
            46, 47, 49
        ]
    );
    let text = stderr(&output);
    assert!(text.contains("cloud_defend_tunneling.ndjson:48: skipped malformed event"));
    assert!(
        text.contains("48 events read, 26 alerts, 1 malformed line skipped"),
        "{text}"
    );
}

#[test]
fn run_refuses_rules_with_errors() {
    let bad = scratch("bad.eql", "process where x == y\n");
    let output = eqlc(&["run", "--rules", bad.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("comparing a field with another field is not supported"));
    assert!(
        text.ends_with(
            "error: no event was read, since some rule files have errors (see `eqlc check`)\n"
        ),
        "{text}"
    );
}

#[test]
fn check_warns_about_fields_against_ecs() {
    let rule = scratch(
        "schema.eql",
        "process where proces.name == \"ssh\" and process.pid : \"1*\"\n  \
         and winlog.event_data.TargetImage : \"x\"\n",
    );
    let path = rule.to_str().expect("utf-8 path");
    let output = eqlc(&["check", path]);
    assert!(output.status.success(), "warnings alone pass");
    let text = stderr(&output);
    assert!(
        text.contains("⚠ `proces.name` is not an ECS field"),
        "{text}"
    );
    assert!(text.contains("schema.eql:1:15"), "{text}");
    assert!(
        text.contains("help: did you mean `process.name`?"),
        "{text}"
    );
    assert!(
        text.contains("`:` matches text, but `process.pid` is a `long` field"),
        "{text}"
    );
    assert!(
        !text.contains("`winlog.event_data.TargetImage` is not"),
        "integration fields are known: {text}"
    );
    assert!(
        text.contains(
            "1 rule checked: 0 errors, 2 warnings (schema: 1 unknown field, 1 type mismatch)"
        ),
        "{text}"
    );

    // `--strict` makes them errors; `--schema ecs-only` also reports the
    // integration field, and `--schema none` checks no field.
    let output = eqlc(&["check", "--strict", path]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("× `proces.name` is not an ECS field"),
        "{text}"
    );
    assert!(
        text.contains("1 rule checked: 2 errors, 0 warnings"),
        "{text}"
    );
    let output = eqlc(&["check", "--schema", "ecs-only", path]);
    let text = stderr(&output);
    assert!(
        text.contains("`winlog.event_data.TargetImage` is not an ECS field"),
        "{text}"
    );
    assert!(text.contains("3 warnings"), "{text}");
    let output = eqlc(&["check", "--schema", "none", path]);
    assert!(stderr(&output).contains("0 errors, 0 warnings"));
}

#[test]
fn check_reads_the_fields_of_every_step_key_and_until_of_a_sequence() {
    let rule = scratch(
        "sequence.eql",
        "sequence by host.idd [process where proces.name == \"a\"] [network where true]\n\
         until [process where event.type == \"ends\"]\n",
    );
    let output = eqlc(&["check", rule.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "warnings alone pass");
    let text = stderr(&output);
    assert!(text.contains("`host.idd` is not an ECS field"), "{text}");
    assert!(text.contains("`proces.name` is not an ECS field"), "{text}");
    assert!(
        text.contains("`ends` is not an ECS value of `event.type`"),
        "{text}"
    );
    assert!(
        text.contains(
            "1 rule checked: 0 errors, 3 warnings (schema: 2 unknown fields, 1 unknown value)"
        ),
        "{text}"
    );
}

/// A sequence rule in Elastic's layout, its query starting on line 10.
const SEQUENCE_RULE: &str = r#"[rule]
name = "Shell then listener connection"
rule_id = "seq-shell-listener"
severity = "medium"
risk_score = 47
language = "eql"
type = "eql"
description = "A shell, then two connections to port 4444, and no marker file."
query = '''
sequence by host.id with maxspan=1m
  [process where process.name == "bash"]
  [network where destination.port == 4444] with runs=2
  ![file where file.path == "/tmp/x"]
until [process where event.type == "end"]
'''
"#;

#[test]
fn check_reports_sequence_errors_with_file_line_and_caret() {
    let rule = scratch(
        "bad-sequence.toml",
        &SEQUENCE_RULE.replace("maxspan=1m", "maxspan=1x"),
    );
    let step = scratch(
        "bad-step.eql",
        "sequence by host.id\n  [process where true]\n  \
         [network where source.port == destination.port]\n",
    );
    let output = eqlc(&[
        "check",
        rule.to_str().expect("utf-8 path"),
        step.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("× unknown time unit `x`"), "{text}");
    assert!(text.contains("bad-sequence.toml:10:35"), "{text}");
    assert!(
        text.contains("help: `maxspan` takes `ms`, `s`, `m`, `h`, `d`"),
        "{text}"
    );
    assert!(
        text.contains("× comparing a field with another field is not supported"),
        "{text}"
    );
    assert!(text.contains("bad-step.eql:3:18"), "{text}");
    assert!(
        text.contains("2 rules checked: 2 errors, 0 warnings"),
        "{text}"
    );
}

#[test]
fn expand_prints_the_sequence_type() {
    let rule = scratch("expand/sequence.toml", SEQUENCE_RULE);
    let output = eqlc(&[
        "expand",
        rule.to_str().expect("utf-8 path"),
        "--name",
        "Shell",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(
        code.contains("pub struct Shell<__EqlPayload = u64> {"),
        "{code}"
    );
    assert!(
        code.contains("__eql_engine: ::eql_runtime::sequence::Sequences<__EqlPayload>,"),
        "{code}"
    );
    assert!(code.contains("id: \"seq-shell-listener\","), "{code}");

    let sample = scratch(
        "expand/sample.eql",
        "sample by host.id [process where true] [network where true]\n",
    );
    let output = eqlc(&["expand", sample.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(
        code.contains("::eql_runtime::sample::Samples<__EqlPayload>"),
        "{code}"
    );
}

#[test]
fn explain_shows_each_step_of_a_sequence() {
    let rule = scratch("explain/sequence.toml", SEQUENCE_RULE);
    let output = eqlc(&["explain", rule.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

/// Events for [`SEQUENCE_RULE`]: host `a` completes it (line 3 is late),
/// host `b` is rejected by its missing step (line 9); line 5 has no
/// timestamp.
const SEQUENCE_EVENTS: &str = r#"{"@timestamp":"2026-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"bash"},"host":{"id":"a"}}
{"@timestamp":"2026-01-01T00:00:01Z","event":{"category":"network"},"destination":{"port":4444},"host":{"id":"a"}}
{"@timestamp":"2026-01-01T00:00:00.500Z","event":{"category":"network"},"destination":{"port":4444},"host":{"id":"a"}}
{"@timestamp":"2026-01-01T00:00:02Z","event":{"category":"network"},"destination":{"port":4444},"host":{"id":"a"}}
{"event":{"category":"network"},"destination":{"port":4444},"host":{"id":"b"}}
{"@timestamp":"2026-01-01T00:00:03Z","event":{"category":"process"},"process":{"name":"bash"},"host":{"id":"b"}}
{"@timestamp":"2026-01-01T00:00:04Z","event":{"category":"network"},"destination":{"port":4444},"host":{"id":"b"}}
{"@timestamp":"2026-01-01T00:00:05Z","event":{"category":"network"},"destination":{"port":4444},"host":{"id":"b"}}
{"@timestamp":"2026-01-01T00:00:06Z","event":{"category":"file"},"file":{"path":"/tmp/x"},"host":{"id":"b"}}
"#;

/// An alert in short: `event LINE` for an event rule, `KIND LINES KEYS`
/// for a sequence or sample (`-` for a missing step).
fn describe_alert(line: &str) -> String {
    let alert: serde_json::Value = serde_json::from_str(line).expect("JSON alert");
    let Some(kind) = alert["kind"].as_str() else {
        return format!("event {}", alert["line"]);
    };
    let lines: Vec<String> = alert["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| match event["line"].as_u64() {
            Some(line) => line.to_string(),
            None => "-".into(),
        })
        .collect();
    format!("{kind} {} {}", lines.join(","), alert["join_keys"])
}

#[test]
fn run_reports_sequences_and_samples_and_counts_refused_events() {
    scratch("run/sequence.toml", SEQUENCE_RULE);
    scratch(
        "run/pair.eql",
        "sequence by host.id [process where process.name == \"bash\"] \
         [network where destination.port == 4444]\n",
    );
    scratch(
        "run/sample.eql",
        "sample by host.id [process where process.name == \"bash\"] \
         [network where destination.port == 4444]\n",
    );
    let folder = scratch("run/port.eql", "network where destination.port == 4444\n");
    let folder = folder.parent().expect("rule folder").display().to_string();
    let events = scratch("sequence-events.ndjson", SEQUENCE_EVENTS);
    let events = events.display().to_string();
    let output = eqlc(&["run", "--rules", &folder, &events]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let alerts: Vec<String> = stdout.lines().map(describe_alert).collect();
    assert_eq!(
        alerts,
        [
            // A sequence alerts on the event that completes it, after the
            // event rules.
            "event 2",
            "sequence 1,2 [\"a\"]",
            "event 3",
            "event 4",
            "event 5",
            "event 7",
            "sequence 6,7 [\"b\"]",
            "event 8",
            // Its trailing missing step is decided when maxspan has passed
            // or the input ends; samples come at the end, in key order.
            "sequence 1,2,4,- [\"a\"]",
            "sample 1,2 [\"a\"]",
            "sample 6,5 [\"b\"]",
        ]
    );

    // A sequence alert names the rule, the file and line of its last event,
    // then those of each step's event.
    let sequence = stdout
        .lines()
        .find(|line| line.contains("seq-shell-listener"))
        .expect("a sequence alert");
    let sequence: serde_json::Value = serde_json::from_str(sequence).expect("JSON alert");
    assert_eq!(
        sequence,
        serde_json::json!({
            "rule_id": "seq-shell-listener",
            "rule_name": "Shell then listener connection",
            "severity": "medium",
            "risk_score": 47,
            "tactics": [],
            "techniques": [],
            "kind": "sequence",
            "file": events,
            "line": 4,
            "events": [
                {"file": events, "line": 1},
                {"file": events, "line": 2},
                {"file": events, "line": 4},
                null,
            ],
            "join_keys": ["a"],
        })
    );
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "9 events read, 11 alerts, 0 malformed lines skipped, 2 events left out of sequences \
             (1 out of order, 1 without a usable timestamp; first: {events}:3, {events}:5);"
        )),
        "{text}"
    );
}

/// One NDJSON input with every kind of bad line between valid events, and
/// what a scan of it reports.
struct BadLines {
    input: Vec<u8>,
    /// The lines that raise an alert.
    alerts: Vec<u64>,
    /// The lines skipped, each with a part of its message.
    malformed: Vec<(u64, &'static str)>,
    /// How many lines are events.
    events: u64,
}

/// The same input as `generated-demo/tests/sample_events.rs` gives the
/// demo, which must agree.
fn every_kind_of_bad_line() -> BadLines {
    let event = |name: &str| {
        format!(
            "{{\"event\":{{\"category\":\"process\",\"type\":\"start\",\"action\":\"exec\"}},\
\"process\":{{\"name\":\"{name}\"}},\"container\":{{\"id\":\"c\"}}}}"
        )
    };
    let mut too_long = event("ngrok");
    too_long.insert_str(1, &format!("\"pad\":\"{}\",", "x".repeat(1 << 20)));
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
    let lines: Vec<Vec<u8>> = vec![
        event("ngrok").into_bytes(),                       // 1
        b"{\"event\":{\"category\":\"process\"".to_vec(),  // 2: invalid JSON
        event("iodine").into_bytes(),                      // 3
        b"{\"process\":{\"name\":\"\xff\xfe\"}}".to_vec(), // 4: invalid UTF-8
        event("ngrok").into_bytes(),                       // 5
        too_long.into_bytes(),                             // 6: over 1 MiB
        event("iodine").into_bytes(),                      // 7
        deep.into_bytes(),                                 // 8: nested too deep
        event("ngrok").into_bytes(),                       // 9
        b"[1,2]".to_vec(),                                 // 10: not an object
        b"\"process\"".to_vec(),                           // 11
        b"42".to_vec(),                                    // 12
        b"null".to_vec(),                                  // 13
        // 14, 15: valid JSON objects whose fields hold other types than ECS
        // says: read as events, matched by their values, so no alert.
        event("ngrok").replace("\"ngrok\"", "42").into_bytes(),
        b"{\"event\":{\"category\":\"process\"},\"process\":\"ngrok\"}".to_vec(),
        event("iodine").into_bytes(), // 16
        Vec::new(),                   // 17: blank, not an event
        event("ngrok").into_bytes(),  // 18, without a final line break
    ];
    let input = lines.join(&b"\n"[..]);
    let malformed = vec![
        (2, "expected `,` or `}`"),
        (4, "invalid UTF-8"),
        (6, "line is longer than 1 MiB"),
        (8, "nest deeper than 128 levels"),
        (10, "expected an object at the top level, found an array"),
        (11, "expected an object at the top level, found a string"),
        (12, "expected an object at the top level, found a number"),
        (13, "expected an object at the top level, found `null`"),
    ];
    BadLines {
        input,
        alerts: vec![1, 3, 5, 7, 9, 16, 18],
        malformed,
        events: 9,
    }
}

#[test]
fn run_names_and_skips_every_kind_of_bad_line_and_loses_no_event() {
    let BadLines {
        input,
        alerts: expected_alerts,
        malformed,
        events,
    } = every_kind_of_bad_line();
    let path = scratch("bad-lines.ndjson", "");
    std::fs::write(&path, &input).expect("scratch file");
    let name = path.display().to_string();
    let output = eqlc(&["run", "--rules", "rules", &name]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<u64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).expect("JSON alert");
            alert["line"].as_u64().expect("line number")
        })
        .collect();
    assert_eq!(lines, expected_alerts);
    let text = stderr(&output);
    for (line, message) in &malformed {
        let reported = text
            .lines()
            .find(|reported| {
                reported.starts_with(&format!("{name}:{line}: skipped malformed event: "))
            })
            .unwrap_or_else(|| panic!("line {line} is reported: {text}"));
        assert!(reported.contains(message), "line {line}: {reported}");
    }
    assert!(
        text.contains(&format!(
            "{events} events read, {} alerts, {} malformed lines skipped",
            expected_alerts.len(),
            malformed.len()
        )),
        "{text}"
    );
}

/// A rule file with `query` as its last key, written as given.
fn rule_file(name: &str, before: &str, query: &str) -> PathBuf {
    scratch(
        name,
        &format!(
            "{before}[rule]\nname = \"r\"\nrule_id = \"r\"\nlanguage = \"eql\"\n\
             severity = \"low\"\nrisk_score = 1\nquery = {query}\n"
        ),
    )
}

#[test]
fn errors_point_into_the_query_wherever_it_is_written() {
    // A query with escapes is not in the file as written: it is drawn alone.
    let escaped = rule_file(
        "escaped.toml",
        "",
        r#""process where process.name == \"a\" and lenght(x) > 1""#,
    );
    // The query's text also appears, earlier, in a comment.
    let commented = rule_file(
        "commented.toml",
        "# was: process where lenght(x) > 1\n",
        r#""process where lenght(x) > 1""#,
    );
    let empty = rule_file("empty.toml", "", "'''\n'''");
    for (path, at) in [
        (&escaped, format!("{} (query):1:39", escaped.display())),
        (&commented, format!("{}:8:24", commented.display())),
        (&empty, format!("{}:7:9", empty.display())),
    ] {
        let output = eqlc(&["check", "--schema", "none", path.to_str().expect("utf-8")]);
        assert_eq!(output.status.code(), Some(1));
        let text = stderr(&output);
        assert!(text.contains(&at), "{at}: {text}");
    }
}

#[test]
fn a_byte_order_mark_before_a_query_is_ignored() {
    let path = scratch("bom.eql", "\u{feff}process where process.name == \"sh\"\n");
    let output = eqlc(&["check", path.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn expand_takes_a_raw_identifier_as_the_type_name() {
    let output = eqlc(&["expand", "--name", "r#type", SEED]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("pub struct r#type"));
    let output = eqlc(&["expand", "--name", "r#self", SEED]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("`r#self` is not a Rust type name"));
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    // Enough alerts to fill the pipe: the seed rule's positive line, again
    // and again.
    let sample = std::fs::read_to_string(workspace().join("samples/cloud_defend_tunneling.ndjson"))
        .expect("sample file");
    let first = sample.lines().next().expect("a line");
    let events = scratch("many.ndjson", &format!("{first}\n").repeat(5_000));
    let mut child = Command::new(env!("CARGO_BIN_EXE_eqlc"))
        .args([
            "run",
            "--rules",
            "rules",
            events.to_str().expect("utf-8 path"),
        ])
        .current_dir(workspace())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("eqlc runs");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("one alert");
    assert!(line.contains("\"rule_id\""), "{line}");
    drop(stdout);
    let output = child.wait_with_output().expect("eqlc ends");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(141), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("cannot read"), "{text}");
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_eqlc"))
        .args(["expand", SEED])
        .current_dir(workspace())
        .stdout(std::fs::File::create(full).expect("/dev/full opens"))
        .output()
        .expect("eqlc runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("error: cannot write the output: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_label_over_many_lines_is_drawn_on_its_first() {
    // Over 1 MiB on 100 002 lines: the error's span runs from where the
    // limit is passed to the end of the query.
    let mut query = String::from("process where\n");
    for i in 0..100_000 {
        query.push_str(&format!("process.name == \"a{i}\" or\n"));
    }
    query.push_str("process.name == \"b\"\n");
    let path = scratch("many-lines.eql", &query);
    let output = eqlc(&["check", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("query is too long"), "{text}");
    assert!(text.lines().count() < 15, "{text}");
}

#[test]
fn rules_in_other_languages_are_named_when_skipped() {
    let kuery = scratch(
        "mixed/kuery_rule.toml",
        "[rule]\nname = \"k\"\nrule_id = \"k\"\nlanguage = \"kuery\"\nquery = \"process.name: ssh\"\n",
    );
    scratch("mixed/ssh.eql", "process where process.name == \"ssh\"\n");
    let folder = kuery.parent().unwrap_or(&kuery).to_path_buf();
    let output = eqlc(&["check", &folder.display().to_string()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "note: {}: a `kuery` rule, not EQL, skipped\n\
             1 rule checked: 0 errors, 0 warnings, 1 file in other query languages skipped\n",
            kuery.display()
        )
    );
    let output = eqlc(&["explain", &kuery.display().to_string()]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!("error: {}: a `kuery` rule, not EQL\n", kuery.display())
    );
}

#[test]
fn a_file_that_is_no_rule_file_is_named_as_such() {
    let notes = scratch("notes.txt", "process where process.name == \"a\"\n");
    let output = eqlc(&["check", &notes.display().to_string()]);
    assert!(!output.status.success());
    assert_eq!(
        stderr(&output),
        format!(
            "error: {}: not a rule file: eqlc reads `.toml` rule files and `.eql` queries\n\
             0 rules checked: 0 errors, 0 warnings, 1 file not read\n",
            notes.display()
        )
    );
}
