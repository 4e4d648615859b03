//! The main job end to end: the built `generated-demo` binary over the
//! shipped sample events and over the real documents in the shared folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_generated-demo"));
    command.args(args).current_dir(workspace());
    match stdin {
        None => command.output().expect("the demo runs"),
        Some(input) => {
            use std::io::Write;
            let mut child = command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the demo starts");
            // Written from another thread: the demo writes alerts while it
            // reads, and a full output pipe would otherwise block both.
            let mut stdin = child.stdin.take().expect("stdin is piped");
            let input = input.to_vec();
            let writer = std::thread::spawn(move || stdin.write_all(&input));
            let output = child.wait_with_output().expect("the demo finishes");
            writer
                .join()
                .expect("the writer thread finishes")
                .expect("stdin takes the input");
            output
        }
    }
}

fn alerts(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each alert is one JSON object"))
        .collect()
}

fn alert_lines(output: &Output) -> Vec<u64> {
    alerts(output)
        .iter()
        .map(|alert| alert["line"].as_u64().expect("alerts name their line"))
        .collect()
}

const SAMPLE: &str = "samples/cloud_defend_tunneling.ndjson";

/// The lines of the sample file whose `labels.eqlc_case` starts with
/// "match:"; the test below also checks the file says so.
const EXPECTED: [u64; 26] = [
    1, 4, 5, 6, 9, 10, 11, 16, 18, 19, 22, 24, 26, 27, 28, 30, 31, 33, 34, 35, 38, 39, 44, 46, 47,
    49,
];

#[test]
fn sample_file_alerts_on_exactly_the_positive_lines() {
    let output = run(&[SAMPLE], None);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(alert_lines(&output), EXPECTED);

    // The file's own labels agree with the expectation.
    let text = std::fs::read_to_string(workspace().join(SAMPLE)).expect("sample file");
    let labelled: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(r#""eqlc_case":"match:"#))
        .map(|(index, _)| index as u64 + 1)
        .collect();
    assert_eq!(labelled, EXPECTED);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("samples/cloud_defend_tunneling.ndjson:48: skipped malformed event: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("48 events read, 26 alerts, 1 malformed line skipped"),
        "{stderr}"
    );
}

#[test]
fn alerts_carry_rule_metadata_and_event_fields() {
    let output = run(&[SAMPLE], None);
    let alerts = alerts(&output);
    let first = &alerts[0];
    assert_eq!(first["rule_id"], "9d94d61b-9476-41ff-a8d3-3d24b4bb8158");
    assert_eq!(
        first["rule_name"],
        "Tunneling and/or Port Forwarding Detected via Defend for Containers"
    );
    assert_eq!(first["severity"], "medium");
    assert_eq!(first["risk_score"], 47);
    assert_eq!(first["tactics"], serde_json::json!(["TA0011"]));
    assert_eq!(first["file"], SAMPLE);
    assert_eq!(first["line"], 1);
    assert_eq!(
        first["event"],
        serde_json::json!({
            "@timestamp": "2026-03-02T10:15:01.123456790Z",
            "container.id": "6f1c2bd0a9e34c7f8e21d4b59a0c7e13f2a6b8d4c1e09f73a5b2c6d8e4f10a27",
            "process.name": "plink",
            "process.args": ["plink", "-N", "10.0.0.5:8080:192.168.1.10:80"],
        })
    );
    // The whole matched event travels with the alert.
    assert_eq!(
        first["document"]["labels"]["eqlc_case"],
        "match: args hold IP:port:IP:port (regex branch)"
    );
    assert_eq!(first["document"]["process"]["pid"], 401);
    // Escaped strings come back unescaped.
    let escaped = alerts
        .iter()
        .find(|alert| alert["line"] == 46)
        .expect("line 46 alerts");
    assert_eq!(
        escaped["event"]["process.args"],
        serde_json::json!(["ssh", "-L", "8080:caf\u{e9}.internal:80", "say \"hi\""])
    );
}

#[test]
fn reads_standard_input_and_keeps_going_after_bad_lines() {
    let input = b"{\"event\":{\"category\":\"process\",\"type\":\"start\",\"action\":\"exec\"},\
\"process\":{\"name\":\"ngrok\"},\"container\":{\"id\":\"c1\"}}\n\
not json\n\
\xff\xfe\n\
\n\
[1,2]\n\
{\"event\":{\"category\":[\"process\"],\"type\":[\"start\"],\"action\":\"exec\"},\
\"process.name\":\"iodine\",\"container.id\":\"c2\"}\n";
    let output = run(&[], Some(input));
    assert!(output.status.success());
    assert_eq!(alert_lines(&output), [1, 6]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("-:2: skipped malformed event"), "{stderr}");
    assert!(stderr.contains("-:3: skipped malformed event"), "{stderr}");
    assert!(stderr.contains("-:5: skipped malformed event"), "{stderr}");
    assert!(
        stderr.contains("2 events read, 2 alerts, 3 malformed lines skipped (-:2, -:3, -:5)"),
        "{stderr}"
    );
}

#[test]
fn long_lines_are_skipped_and_the_scan_goes_on() {
    let event = |name: &str| {
        format!(
            "{{\"event\":{{\"category\":\"process\",\"type\":\"start\",\"action\":\"exec\"}},\
\"process\":{{\"name\":\"{name}\"}},\"container\":{{\"id\":\"c\"}}}}"
        )
    };
    // A line of exactly 1 MiB is read whether it ends in LF or CRLF; one
    // byte more is too long, with or without a final line break.
    let padded = |name: &str, len: usize| {
        let mut line = event(name);
        line.insert_str(
            1,
            &format!("\"pad\":\"{}\",", "x".repeat(len - line.len() - 9)),
        );
        assert_eq!(line.len(), len);
        line
    };
    let mib = 1 << 20;
    let input = format!(
        "{}\r\n{}\n{}\n{}",
        padded("ngrok", mib),
        padded("ngrok", mib + 1),
        event("iodine"),
        padded("ngrok", mib + 1),
    );
    let output = run(&[], Some(input.as_bytes()));
    assert!(output.status.success());
    assert_eq!(alert_lines(&output), [1, 3]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("-:2: skipped malformed event: line is longer than 1 MiB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("-:4: skipped malformed event: line is longer than 1 MiB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 events read, 2 alerts, 2 malformed lines skipped (-:2, -:4)"),
        "{stderr}"
    );
}

#[test]
fn the_summary_names_the_first_ten_malformed_lines() {
    let input = "x\n".repeat(25);
    let output = run(&[], Some(input.as_bytes()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "0 events read, 0 alerts, 25 malformed lines skipped \
             (-:1, -:2, -:3, -:4, -:5, -:6, -:7, -:8, -:9, -:10 and 15 more)"
        ),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_input_is_named() {
    let output = run(&["samples"], None);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: cannot read samples: "), "{stderr}");
}

#[test]
fn real_documents_raise_no_alert() {
    let Some(events) = eqlc_tests::shared_path("events") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&events)
        .expect("events folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ndjson"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args, None);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(alert_lines(&output), Vec::<u64>::new());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("34 events read, 0 alerts, 0 malformed lines skipped"),
        "{stderr}"
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

/// Shared in spirit with `eqlc/tests/cli.rs`, which checks `eqlc run` on
/// the same input.
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
fn every_kind_of_bad_line_is_named_and_skipped_and_no_event_is_lost() {
    let BadLines {
        input,
        alerts: expected_alerts,
        malformed,
        events,
    } = every_kind_of_bad_line();
    let path =
        std::env::temp_dir().join(format!("eqlc-demo-bad-lines-{}.ndjson", std::process::id()));
    std::fs::write(&path, &input).expect("scratch file");
    let name = path.display().to_string();
    let output = run(&[&name], None);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(alert_lines(&output), expected_alerts);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (line, message) in &malformed {
        let reported = stderr
            .lines()
            .find(|reported| {
                reported.starts_with(&format!("{name}:{line}: skipped malformed event: "))
            })
            .unwrap_or_else(|| panic!("line {line} is reported: {stderr}"));
        assert!(reported.contains(message), "line {line}: {reported}");
    }
    assert!(
        stderr.contains(&format!(
            "{events} events read, {} alerts, {} malformed lines skipped",
            expected_alerts.len(),
            malformed.len()
        )),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&path);
}

/// A line for the sequence rule of `rules/`: a tunnelling tool's start or
/// its connection, at second `second` of a minute.
fn tunnel_line(second: u32, network: bool, entity: &str) -> String {
    if network {
        format!(
            "{{\"@timestamp\":\"2026-01-01T00:00:{second:02}Z\",\"event\":{{\"category\":\"network\",\
             \"action\":\"connection_attempted\"}},\"process\":{{\"name\":\"frpc\",\
             \"entity_id\":\"{entity}\"}},\"container\":{{\"id\":\"c9\"}},\
             \"destination\":{{\"ip\":\"192.0.2.7\"}}}}"
        )
    } else {
        format!(
            "{{\"@timestamp\":\"2026-01-01T00:00:{second:02}Z\",\"event\":{{\"category\":\"process\",\
             \"type\":\"start\",\"action\":\"exec\"}},\"process\":{{\"name\":\"frpc\",\
             \"entity_id\":\"{entity}\"}},\"container\":{{\"id\":\"c9\"}}}}"
        )
    }
}

#[test]
fn sequence_alerts_name_each_event_and_late_events_are_reported() {
    let input = [
        tunnel_line(10, false, "e1"),
        tunnel_line(20, false, "e2"),
        // Older than the line before: refused by the sequence rule, so e1's
        // connection here does not complete e1's sequence.
        tunnel_line(15, true, "e1"),
        tunnel_line(30, true, "e2"),
    ]
    .join("\n");
    let output = run(&[], Some(input.as_bytes()));
    assert!(output.status.success());
    let alerts = alerts(&output);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert["rule_id"], "0c6f3f7e-2b1d-4c55-9a0e-6c1f4d2e8b31");
    assert_eq!(alert["severity"], "high");
    assert_eq!(alert["tactics"], serde_json::json!(["TA0011"]));
    assert_eq!(alert["file"], "-");
    assert_eq!(alert["line"], 4);
    assert_eq!(alert["kind"], "sequence");
    assert_eq!(
        alert["events"],
        serde_json::json!([{"file": "-", "line": 2}, {"file": "-", "line": 4}])
    );
    assert_eq!(alert["join_keys"], serde_json::json!(["c9", "e2"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "-:3: left out of the sequence rules: the event is older than the latest event seen"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "4 events read, 1 alert, 0 malformed lines skipped, 1 event left out of sequences \
             (1 out of order)"
        ),
        "{stderr}"
    );

    // `--quiet` keeps the note (which is no error) and the summary off
    // stderr, and the alerts as they were.
    let quiet = run(&["--quiet"], Some(input.as_bytes()));
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert_eq!(quiet.stdout, output.stdout);
}

#[test]
fn each_input_file_is_a_stream_of_its_own() {
    let dir = std::env::temp_dir().join(format!("eqlc-demo-streams-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let first = dir.join("first.ndjson");
    let second = dir.join("second.ndjson");
    // The tool starts at the end of one file; its connection, in the next
    // file, is earlier in time and joins nothing across files.
    std::fs::write(&first, tunnel_line(50, false, "e1")).expect("write");
    std::fs::write(
        &second,
        [
            tunnel_line(5, true, "e1"),
            tunnel_line(6, false, "e3"),
            tunnel_line(7, true, "e3"),
        ]
        .join("\n"),
    )
    .expect("write");
    let output = run(
        &[
            first.to_str().expect("UTF-8"),
            second.to_str().expect("UTF-8"),
        ],
        None,
    );
    std::fs::remove_dir_all(&dir).ok();
    assert!(output.status.success());
    let alerts = alerts(&output);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(
        alerts[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("second.ndjson"))
    );
    let lines: Vec<&serde_json::Value> = alerts[0]["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| &event["line"])
        .collect();
    assert_eq!(lines, [2, 3]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("left out"), "{stderr}");
}

#[test]
fn the_first_ten_refused_events_are_reported_and_the_rest_counted() {
    // Twelve events before the epoch limit of the sequence engines (year
    // 0001, as some real documents carry), then one out of order.
    let mut lines: Vec<String> = (0..12)
        .map(|i| tunnel_line(i, false, "e1").replace("2026-01-01", "0001-01-01"))
        .collect();
    lines.push(tunnel_line(40, false, "e1"));
    lines.push(tunnel_line(30, false, "e1"));
    let output = run(&[], Some(lines.join("\n").as_bytes()));
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reported: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("left out of the sequence rules: "))
        .collect();
    let expected: Vec<String> = (1..=10)
        .map(|line| {
            format!(
                "-:{line}: left out of the sequence rules: the event has no timestamp that \
                 reads as a date from the year 1678 to 2261"
            )
        })
        .collect();
    assert_eq!(reported, expected, "{stderr}");
    assert!(
        stderr.contains(
            "(further events left out of the sequence rules are only counted in the summary)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "14 events read, 0 alerts, 0 malformed lines skipped, 13 events left out of \
             sequences (1 out of order, 12 without a usable timestamp)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_scan_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    // Enough alerts to fill the pipe: the first sample line, which the seed
    // rule matches, again and again.
    let sample = std::fs::read_to_string(workspace().join(SAMPLE)).expect("sample file");
    let first = sample.lines().next().expect("a line");
    let dir = std::env::temp_dir().join(format!("eqlc-demo-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let events = dir.join("many.ndjson");
    std::fs::write(&events, format!("{first}\n").repeat(5_000)).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_generated-demo"))
        .arg(&events)
        .current_dir(workspace())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .expect("the demo starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("one alert");
    assert!(line.contains("\"rule_id\""), "{line}");
    drop(stdout);
    let output = child.wait_with_output().expect("the demo ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("cannot read"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
