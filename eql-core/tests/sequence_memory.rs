//! The state of sequence and sample engines stays within its bounds on a
//! stream of a million events with distinct keys.

use eql_core::Value;
use eql_core::join::Ordinal;
use eql_core::sample::{SampleSpec, Samples};
use eql_core::sequence::{Limits, SequenceSpec, Sequences, Step};

const EVENTS: u64 = 1_000_000;

/// Pushes a million events, each starting a sequence of a new key, and
/// returns the most keys open at once.
fn run(engine: &mut Sequences<u64>) -> usize {
    let mut keys = engine.spec().event_keys();
    let mut most = 0;
    for n in 0..EVENTS {
        keys.clear();
        keys.stage(0).key(false, |push| push(Value::UInt(n)));
        let ordinal = Some(Ordinal::at(n as i64 * 1_000));
        engine
            .push(ordinal, &keys, n, |_| {})
            .expect("events in order");
        most = most.max(engine.open_keys());
    }
    most
}

fn two_steps(maxspan: Option<u64>) -> SequenceSpec {
    SequenceSpec::new(
        vec![Step::Event, Step::Event],
        1,
        maxspan,
        false,
        Vec::new(),
    )
    .expect("a valid sequence")
}

#[test]
fn without_maxspan_open_keys_stay_under_the_cap_and_evictions_are_counted() {
    let limits = Limits {
        max_keys: 50_000,
        ..Limits::default()
    };
    let mut engine = Sequences::with_limits(two_steps(None), limits);
    let most = run(&mut engine);
    assert_eq!(most, 50_000);
    assert_eq!(engine.stats().evicted_keys, EVENTS - 50_000);
    assert_eq!(engine.stats().expired_keys, 0);
}

#[test]
fn with_maxspan_keys_expire() {
    // One event per microsecond, maxspan 100 µs: about a hundred keys open.
    let mut engine = Sequences::new(two_steps(Some(100_000)));
    let most = run(&mut engine);
    assert!(most <= 101, "{most} keys open at once");
    assert_eq!(engine.stats().evicted_keys, 0);
    assert!(engine.stats().expired_keys >= EVENTS - 101);
}

#[test]
fn sample_keys_stay_under_the_cap() {
    let limits = Limits {
        max_keys: 10_000,
        ..Limits::default()
    };
    let mut engine: Samples<u64> = Samples::with_limits(SampleSpec::new(2, 1, Vec::new()), limits);
    let mut keys = engine.spec().event_keys();
    let mut most = 0;
    for n in 0..EVENTS {
        keys.clear();
        keys.stage((n % 2) as usize)
            .key(false, |push| push(Value::UInt(n / 2)));
        engine.push(&keys, n);
        most = most.max(engine.open_keys());
    }
    assert_eq!(most, 10_000);
    let mut samples = 0;
    engine.finish(|_| samples += 1);
    assert_eq!(samples, 10_000, "the keys still open each make a sample");
}
