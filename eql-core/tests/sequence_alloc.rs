//! Proves that a sequence engine in steady state allocates nothing for an
//! event that opens no key: starting, advancing, completing and cancelling
//! sequences of open keys, multi-valued keys, missing-event steps, and
//! reporting results.
//!
//! This test binary counts every allocation of the process through
//! `stats_alloc` (the workspace forbids `unsafe`); its counters are
//! process-wide, so this file holds a single test.

use std::alloc::System;

use eql_core::Value;
use eql_core::join::{EventKeys, Ordinal};
use eql_core::sequence::{SequenceSpec, Sequences, Step};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const HOSTS: [&str; 8] = [
    "web-1", "web-2", "db-1", "db-2", "cache-1", "cache-2", "queue-1", "queue-2",
];

/// Describes event `n`: which steps it matches, with which host and user.
/// Steps: 0 and 1 and 3 are event steps, 2 a missing step, 4 the `until`.
fn describe(keys: &mut EventKeys, n: usize) {
    keys.clear();
    let host = HOSTS[n % HOSTS.len()];
    let user = if n % 3 == 0 { "root" } else { "admin" };
    let step = match n % 7 {
        0..=2 => 0,
        3 | 4 => 1,
        5 => 3,
        _ => 2 + 2 * (n % 2),
    };
    let mut stage = keys.stage(step);
    stage.key(false, |push| push(Value::Str(host)));
    // Some events carry both users: two key tuples.
    stage.key(false, |push| {
        push(Value::Str(user));
        if n % 5 == 0 {
            push(Value::Str("root"));
            push(Value::Str("admin"));
        }
    });
}

#[test]
fn steady_state_events_do_not_allocate() {
    let spec = SequenceSpec::new(
        vec![Step::Event, Step::Event, Step::Missing, Step::Event],
        2,
        Some(1_000_000),
        true,
        Vec::new(),
    )
    .expect("a valid sequence");
    let mut engine: Sequences<u64> = Sequences::new(spec);
    let mut keys = engine.spec().event_keys();
    let mut results = 0u64;

    // Warm up: every key opens, and the buffers grow to their size.
    let mut n = 0;
    while n < 10_000 {
        describe(&mut keys, n);
        let _ = engine.push(Some(Ordinal::at(n as i64)), &keys, n as u64, |_| {
            results += 1
        });
        n += 1;
    }
    let open = engine.open_keys();
    assert!(open > 0 && results > 0, "the stream exercises the engine");

    let region = Region::new(ALLOCATOR);
    let before = results;
    while n < 60_000 {
        describe(&mut keys, n);
        let _ = engine.push(Some(Ordinal::at(n as i64)), &keys, n as u64, |found| {
            results += found.events().len() as u64;
        });
        n += 1;
    }
    let change = region.change();
    assert!(results > before, "sequences completed while measuring");
    assert_eq!(engine.open_keys(), open, "no key opened or closed");
    assert_eq!(
        change.allocations + change.reallocations,
        0,
        "steady-state events allocated"
    );
}
