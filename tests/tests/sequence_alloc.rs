//! Proves that a sequence rule's generated type, fed NDJSON lines decoded by
//! its own `Record`, allocates nothing per event once warm, as long as the
//! event opens no new join key: conditions, key reads (multi-valued ones
//! included), timestamps, advancing and completing sequences, missing steps,
//! `until`, and reporting results.
//!
//! The counting allocator (`stats_alloc`, since the workspace forbids
//! `unsafe`) is process-wide, so this file holds a single test.

use std::alloc::System;

use eql_runtime::eql_rule;
use eql_runtime::json::Record;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

eql_rule! {
    pub ShellThenCurl = r#"
        sequence by host.id, user.name with maxspan=1h
          [process where process.name == "sh"]
          [network where destination.port in (80, 443)]
          ![file where file.path : "/tmp/*"]
          [process where process.name : "curl*"] with runs=2
        until [process where event.action == "exit"]
    "#;
}

const HOSTS: [&str; 4] = ["web-1", "web-2", "db-1", "db-2"];

/// Event `n` of a stream that cycles through every step, on four hosts and
/// two users (some events carry both users).
fn line(n: usize) -> String {
    let host = HOSTS[n % HOSTS.len()];
    let user = if n % 6 == 0 {
        r#"["root","admin"]"#
    } else if n % 2 == 0 {
        r#""root""#
    } else {
        r#""admin""#
    };
    let body = match (n / 4) % 6 {
        0 => r#""event":{"category":"process"},"process":{"name":"sh"}"#,
        1 => r#""event":{"category":"network"},"destination":{"port":443}"#,
        2 if n % 5 == 0 => r#""event":{"category":"file"},"file":{"path":"/tmp/x"}"#,
        3 if n % 7 == 0 => {
            r#""event":{"category":"process","action":"exit"},"process":{"name":"sh"}"#
        }
        _ => r#""event":{"category":"process"},"process":{"name":"curl"}"#,
    };
    format!(
        r#"{{"@timestamp":{},"host":{{"id":"{host}"}},"user":{{"name":{user}}},{body}}}"#,
        1_700_000_000_000u64 + n as u64
    )
}

#[test]
fn steady_state_events_do_not_allocate() {
    let lines: Vec<String> = (0..40_000).map(line).collect();
    let mut record = Record::<ShellThenCurl>::new();
    let mut rule = ShellThenCurl::<usize>::new();
    let mut results = 0usize;

    // Warm up: every key opens, and every buffer grows to its size.
    for (number, line) in lines[..10_000].iter().enumerate() {
        let event = record.decode(line.as_bytes()).expect("valid JSON");
        rule.push(&event, number, |_| results += 1)
            .expect("in order");
    }
    let open = rule.open_keys();
    assert!(open > 0 && results > 0, "the stream exercises the rule");

    let before = results;
    let region = Region::new(ALLOCATOR);
    for (number, line) in lines[10_000..].iter().enumerate() {
        let event = record.decode(line.as_bytes()).expect("valid JSON");
        rule.push(&event, number, |found| results += found.events().len())
            .expect("in order");
    }
    let change = region.change();
    assert!(results > before, "sequences completed while measuring");
    assert_eq!(rule.open_keys(), open, "no key opened or closed");
    assert_eq!(
        change.allocations + change.reallocations,
        0,
        "steady-state events allocated"
    );
}
