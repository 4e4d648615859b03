//! Sequence and sample rules compiled by `eql_rule!`, over typed events of
//! our own and over NDJSON lines: what a program that raises alerts sees.

use eql_runtime::json::Record;
use eql_runtime::sequence::{Refused, SequenceMatch};
use eql_runtime::{Event, eql_rule};

eql_rule! {
    /// curl runs, then the same host connects out on 443, within a minute.
    pub CurlThenTls = r#"
        sequence by host.id with maxspan=1m
          [process where process.name == "curl"]
          [network where destination.port == 443]
    "#;

    /// A user fails twice, then succeeds, with no lockout in between.
    pub Bruteforce = r#"
        sequence by user.name with maxspan=1h
          [authentication where event.outcome == "failure"] with runs=2
          ![iam where event.action == "lockout"]
          [authentication where event.outcome == "success"]
        | head 1
    "#;

    /// Shows the `with maxspan` a missing step needs.
    pub NoFollowUp = r#"
        sequence by host.id with maxspan=10s
          [process where process.name == "curl"]
          ![network where true]
    "#;

    /// A failure and a success of the same user, in any order.
    pub FailedAndSucceeded = r#"
        sample by user.name
          [authentication where event.outcome == "failure"]
          [authentication where event.outcome == "success"]
    "#;
}

#[derive(Event, Clone, Debug, Default)]
struct Ecs<'a> {
    #[eql(rename = "@timestamp")]
    timestamp: &'a str,
    #[eql(rename = "event.category")]
    category: &'a str,
    #[eql(rename = "event.outcome")]
    outcome: Option<&'a str>,
    #[eql(rename = "event.action")]
    action: Option<&'a str>,
    #[eql(rename = "host.id")]
    host: &'a str,
    #[eql(rename = "user.name")]
    user: Option<&'a str>,
    #[eql(rename = "process.name")]
    process: Option<&'a str>,
    #[eql(rename = "destination.port")]
    port: Option<u16>,
}

fn at(timestamp: &str, category: &str, host: &str) -> Ecs<'static> {
    Ecs {
        timestamp: Box::leak(timestamp.to_owned().into_boxed_str()),
        category: Box::leak(category.to_owned().into_boxed_str()),
        host: Box::leak(host.to_owned().into_boxed_str()),
        ..Ecs::default()
    }
}

fn ids(found: SequenceMatch<'_, u64>) -> Vec<Option<u64>> {
    found.events().to_vec()
}

#[test]
fn a_sequence_rule_reports_each_sequence_as_it_completes() {
    let curl = Ecs {
        process: Some("curl"),
        ..at("2024-01-01T00:00:00Z", "process", "h1")
    };
    let other_host = Ecs {
        port: Some(443),
        ..at("2024-01-01T00:00:10Z", "network", "h2")
    };
    let tls = Ecs {
        port: Some(443),
        ..at("2024-01-01T00:00:30Z", "network", "h1")
    };
    let late_tls = Ecs {
        port: Some(443),
        ..at("2024-01-01T00:02:00Z", "network", "h1")
    };

    let mut rule = CurlThenTls::new();
    let mut alerts = Vec::new();
    let curl_again = Ecs {
        timestamp: "2024-01-01T00:00:50Z",
        ..curl.clone()
    };
    for (id, event) in [curl, other_host, tls, curl_again, late_tls]
        .iter()
        .enumerate()
    {
        rule.push(event, id as u64, |found| {
            let key: Vec<String> = found.key().values().map(|v| v.to_string()).collect();
            alerts.push((ids(found), key));
        })
        .expect("in order");
    }
    rule.finish(|_| panic!("nothing waits"));
    assert_eq!(
        alerts,
        [(vec![Some(0), Some(2)], vec!["h1".to_owned()])],
        "the second curl is more than a minute before the last connection"
    );
    assert_eq!(CurlThenTls::META.name, "CurlThenTls");
    assert_eq!(
        CurlThenTls::PATHS,
        [
            "@timestamp",
            "destination.port",
            "event.category",
            "host.id",
            "process.name"
        ]
    );
}

#[test]
fn late_events_are_refused_and_counted() {
    let mut rule = CurlThenTls::<usize>::new();
    let first = at("2024-01-01T00:00:10Z", "process", "h1");
    let earlier = at("2024-01-01T00:00:05Z", "process", "h1");
    assert_eq!(rule.push(&first, 0, |_| {}), Ok(()));
    assert_eq!(rule.push(&earlier, 1, |_| {}), Err(Refused::Late));
    let untimed = at("not a date", "process", "h1");
    assert_eq!(rule.push(&untimed, 2, |_| {}), Err(Refused::Untimed));
    let stats = rule.stats();
    assert_eq!((stats.events, stats.late, stats.untimed), (3, 1, 1));
}

#[test]
fn runs_missing_steps_and_head_over_json_lines() {
    let lines = [
        r#"{"@timestamp":"1","event":{"category":"authentication","outcome":"failure"},"user":{"name":"bob"}}"#,
        r#"{"@timestamp":"2","event":{"category":"authentication","outcome":"failure"},"user":{"name":"bob"}}"#,
        r#"{"@timestamp":"3","event":{"category":"iam","action":"lockout"},"user":{"name":"bob"}}"#,
        r#"{"@timestamp":"4","event":{"category":"authentication","outcome":"success"},"user":{"name":"bob"}}"#,
        r#"{"@timestamp":"5","event":{"category":"authentication","outcome":"failure"},"user":{"name":["amy","eve"]}}"#,
        r#"{"@timestamp":"6","event":{"category":"authentication","outcome":"failure"},"user":{"name":"amy"}}"#,
        r#"{"@timestamp":"7","event":{"category":"authentication","outcome":"success"},"user":{"name":"amy"}}"#,
        r#"{"@timestamp":"8","event":{"category":"authentication","outcome":"failure"},"user":{"name":"eve"}}"#,
        r#"{"@timestamp":"9","event":{"category":"authentication","outcome":"success"},"user":{"name":"eve"}}"#,
    ];
    let mut record = Record::<Bruteforce>::new();
    let mut rule = Bruteforce::new();
    let mut alerts = Vec::new();
    for (line_number, line) in lines.iter().enumerate() {
        let event = record.decode(line.as_bytes()).expect("valid JSON");
        rule.push(&event, line_number as u64 + 1, |found| {
            alerts.push(ids(found))
        })
        .expect("in order");
        if rule.is_done() {
            break;
        }
    }
    rule.finish(|found| alerts.push(ids(found)));
    // bob was locked out; amy's is first; `head 1` leaves eve's out.
    assert_eq!(alerts, [vec![Some(5), Some(6), None, Some(7)]]);
}

#[test]
fn trailing_missing_steps_report_when_maxspan_has_passed() {
    let curl = |timestamp: &str| Ecs {
        process: Some("curl"),
        ..at(timestamp, "process", "h1")
    };
    let mut rule = NoFollowUp::new();
    let mut alerts = Vec::new();
    let events = [
        curl("2024-01-01T00:00:00Z"),
        at("2024-01-01T00:00:05Z", "network", "h1"),
        curl("2024-01-01T00:00:20Z"),
        at("2024-01-01T00:00:40Z", "network", "h1"),
    ];
    for (id, event) in events.iter().enumerate() {
        rule.push(event, id as u64, |found| alerts.push((id, ids(found))))
            .expect("in order");
    }
    rule.finish(|found| alerts.push((99, ids(found))));
    // The first curl had its connection; the second reports once ten
    // seconds have passed without one.
    assert_eq!(alerts, [(3, vec![Some(2), None])]);
}

#[test]
fn a_sample_rule_reports_at_the_end_in_key_order() {
    let auth = |timestamp: &str, user: &'static str, outcome: &'static str| Ecs {
        user: Some(user),
        outcome: Some(outcome),
        ..at(timestamp, "authentication", "h1")
    };
    let events = [
        auth("1", "zoe", "success"),
        auth("2", "adam", "failure"),
        auth("3", "zoe", "failure"),
        auth("4", "adam", "success"),
        auth("5", "carl", "failure"),
    ];
    let mut rule = FailedAndSucceeded::new();
    for (id, event) in events.iter().enumerate() {
        rule.push(event, id);
    }
    let mut samples = Vec::new();
    rule.finish(|sample| {
        let key: Vec<String> = sample.key().values().map(|v| v.to_string()).collect();
        samples.push((sample.events().to_vec(), key));
    });
    assert_eq!(
        samples,
        [
            (vec![1, 3], vec!["adam".to_owned()]),
            (vec![2, 0], vec!["zoe".to_owned()]),
        ]
    );
}

#[test]
fn a_million_distinct_keys_stay_under_the_cap() {
    let limits = eql_runtime::sequence::Limits {
        max_keys: 10_000,
        ..eql_runtime::sequence::Limits::default()
    };
    // No maxspan: only the cap bounds the keys.
    eql_rule! {
        Unbounded = r#"sequence by host.id
            [process where process.name == "curl"]
            [network where destination.port == 443]"#;
    }
    let mut rule = Unbounded::<u32>::with_limits(limits);
    let mut host = String::new();
    let mut most = 0;
    for n in 0..1_000_000u32 {
        host.clear();
        host.push_str("host-");
        host.push_str(itoa(n, &mut [0; 10]));
        let event = Ecs {
            timestamp: "2024-01-01T00:00:00Z",
            category: "process",
            host: &host,
            process: Some("curl"),
            ..Ecs::default()
        };
        rule.push(&event, n, |_| {}).expect("in order");
        most = most.max(rule.open_keys());
    }
    assert_eq!(most, 10_000);
    assert_eq!(rule.stats().evicted_keys, 1_000_000 - 10_000);
}

/// `n` in decimal, written into `buffer`.
fn itoa(mut n: u32, buffer: &mut [u8; 10]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).expect("digits")
}
