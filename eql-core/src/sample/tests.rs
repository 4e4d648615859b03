use super::*;
use crate::value::Value;

/// Runs events (payloads 1, 2, …), each the filters it matches with one key
/// value (`None`: no value).
fn run(spec: SampleSpec, events: &[&[(usize, Option<&str>)]]) -> Vec<String> {
    let mut engine: Samples<usize> = Samples::new(spec);
    let mut keys = engine.spec().event_keys();
    for (number, filters) in events.iter().enumerate() {
        keys.clear();
        for (filter, value) in *filters {
            keys.stage(*filter).key(true, |push| {
                if let Some(value) = value {
                    push(Value::Str(value));
                }
            });
        }
        engine.push(&keys, number + 1);
    }
    let mut results = Vec::new();
    engine.finish(|found| {
        let events: Vec<String> = found.events().iter().map(ToString::to_string).collect();
        let key: Vec<String> = found.key().values().map(|v| v.to_string()).collect();
        results.push(format!("{} [{}]", events.join(" "), key.join(",")));
    });
    results
}

#[test]
fn samples_take_distinct_events_per_key_in_key_order() {
    let events: &[&[(usize, Option<&str>)]] = &[
        &[(0, Some("win10")), (1, Some("win10"))],
        &[(1, Some("win10"))],
        &[(0, Some("redhat"))],
        &[(1, Some("redhat"))],
        &[(0, Some("fedora"))],
        &[(0, None), (1, None)],
        &[(1, None)],
    ];
    assert_eq!(
        run(SampleSpec::new(2, 1, Vec::new()), events),
        ["6 7 [null]", "3 4 [redhat]", "1 2 [win10]"]
    );
    assert_eq!(
        run(
            SampleSpec::new(2, 1, Vec::new()).max_samples_per_key(2),
            events
        ),
        ["6 7 [null]", "3 4 [redhat]", "1 2 [win10]"],
        "event 1 cannot fill both filters"
    );
    assert_eq!(
        run(SampleSpec::new(2, 1, Vec::new()).size(Some(2)), events),
        ["6 7 [null]", "3 4 [redhat]"]
    );
    assert_eq!(
        run(SampleSpec::new(2, 1, vec![Pipe::Tail(1)]), events),
        ["1 2 [win10]"]
    );
}

#[test]
fn backtracking_finds_the_first_combination_of_distinct_events() {
    let hits = vec![
        vec![(1, 1), (2, 2), (3, 3)],
        vec![(4, 4), (5, 5)],
        vec![(4, 4), (5, 5), (3, 3)],
    ];
    assert_eq!(distinct_combinations(&hits, 1), [vec![1, 4, 5]]);
    assert_eq!(
        distinct_combinations(&hits, 2),
        [vec![1, 4, 5], vec![1, 4, 3]]
    );
}

#[test]
fn keys_past_the_cap_are_evicted() {
    let mut engine: Samples<u32> = Samples::with_limits(
        SampleSpec::new(1, 1, Vec::new()),
        Limits {
            max_keys: 3,
            ..Limits::default()
        },
    );
    let mut keys = engine.spec().event_keys();
    for n in 0..10i64 {
        keys.clear();
        keys.stage(0).key(false, |push| push(Value::Int(n)));
        engine.push(&keys, n as u32);
    }
    assert_eq!(engine.open_keys(), 3);
    assert_eq!(engine.stats().evicted_keys, 7);
    let mut found = Vec::new();
    engine.finish(|sample| found.push(sample.events()[0]));
    assert_eq!(found, [7, 8, 9]);
}
