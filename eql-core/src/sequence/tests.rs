use super::*;
use crate::join::EventKeys;
use crate::value::Value;

/// An event: its timestamp, and the stages it matches, each with the values
/// of each key position.
type Event<'a> = (i64, &'a [Stage<'a>]);

/// A stage an event matches, with the values of each key position.
type Stage<'a> = (usize, &'a [&'a [&'a str]]);

fn describe(keys: &mut EventKeys, stages: &[(usize, &[&[&str]])]) {
    keys.clear();
    for (stage, positions) in stages {
        let mut writer = keys.stage(*stage);
        for values in *positions {
            writer.key(values.first() == Some(&"?"), |push| {
                for value in values.iter().filter(|value| **value != "?") {
                    push(Value::Str(value));
                }
            });
        }
    }
}

fn render(found: SequenceMatch<'_, usize>) -> String {
    let events: Vec<String> = found
        .events()
        .iter()
        .map(|event| event.map_or("-".to_owned(), |n| n.to_string()))
        .collect();
    let key: Vec<String> = found.key().values().map(|v| v.to_string()).collect();
    if key.is_empty() {
        events.join(" ")
    } else {
        format!("{} [{}]", events.join(" "), key.join(","))
    }
}

/// Runs the events (payloads 1, 2, …) and returns the results.
fn run(spec: SequenceSpec, events: &[Event<'_>]) -> Vec<String> {
    run_with(Sequences::new(spec), events).0
}

fn run_with(mut engine: Sequences<usize>, events: &[Event<'_>]) -> (Vec<String>, Stats) {
    let mut keys = engine.spec().event_keys();
    let mut results = Vec::new();
    for (number, (timestamp, stages)) in events.iter().enumerate() {
        describe(&mut keys, stages);
        let pushed = engine.push(Some(Ordinal::at(*timestamp)), &keys, number + 1, |found| {
            results.push(render(found))
        });
        assert_eq!(pushed, Ok(()));
    }
    engine.finish(|found| results.push(render(found)));
    (results, engine.stats())
}

fn spec(steps: &[Step], key_count: usize, maxspan: Option<u64>, until: bool) -> SequenceSpec {
    SequenceSpec::new(steps.to_vec(), key_count, maxspan, until, Vec::new()).expect("valid")
}

const E: Step = Step::Event;
const M: Step = Step::Missing;

#[test]
fn newer_pending_sequences_replace_older_ones_and_stages_go_last_to_first() {
    // `[x <= 3] [true] [true]` over five events: [1,2,3] [2,3,4] [3,4,5].
    let all: &[(usize, &[&[&str]])] = &[(1, &[]), (2, &[])];
    let first: &[(usize, &[&[&str]])] = &[(0, &[]), (1, &[]), (2, &[])];
    let events: Vec<Event<'_>> = vec![(1, first), (2, first), (3, first), (4, all), (5, all)];
    assert_eq!(
        run(spec(&[E, E, E], 0, None, false), &events),
        ["1 2 3", "2 3 4", "3 4 5"]
    );

    // `[x < 5] [x == 5]`: only [4, 5].
    let before: &[(usize, &[&[&str]])] = &[(0, &[])];
    let five: &[(usize, &[&[&str]])] = &[(1, &[])];
    let events: Vec<Event<'_>> = vec![
        (1, before),
        (2, before),
        (3, before),
        (4, before),
        (5, five),
    ];
    assert_eq!(run(spec(&[E, E], 0, None, false), &events), ["4 5"]);
}

#[test]
fn keys_link_events_and_results_come_in_completion_order() {
    let start = |key: &'static [&'static str]| -> Vec<(usize, &'static [&'static [&'static str]])> {
        vec![(0, Box::leak(Box::new([key])))]
    };
    let a = start(&["a"]);
    let b = start(&["b"]);
    let end_a: &[(usize, &[&[&str]])] = &[(1, &[&["a"]])];
    let end_b: &[(usize, &[&[&str]])] = &[(1, &[&["b"]])];
    let events: Vec<Event<'_>> = vec![(1, &a), (2, &b), (3, end_b), (4, end_a)];
    assert_eq!(
        run(spec(&[E, E], 1, None, false), &events),
        ["2 3 [b]", "1 4 [a]"]
    );
}

#[test]
fn one_event_completes_several_keys_in_key_order() {
    let first: &[(usize, &[&[&str]])] = &[(0, &[&["t2", "t1", "t3"]])];
    let second: &[(usize, &[&[&str]])] = &[(1, &[&["t3", "t1", "t9"]])];
    let events: Vec<Event<'_>> = vec![(1, first), (2, second)];
    assert_eq!(
        run(spec(&[E, E], 1, None, false), &events),
        ["1 2 [t1]", "1 2 [t3]"]
    );
}

#[test]
fn maxspan_is_inclusive_and_measured_from_the_first_event() {
    let first: &[(usize, &[&[&str]])] = &[(0, &[])];
    let middle: &[(usize, &[&[&str]])] = &[(1, &[])];
    let last: &[(usize, &[&[&str]])] = &[(2, &[])];
    let steps = [E, E, E];
    let events: Vec<Event<'_>> = vec![(0, first), (5, middle), (10, last)];
    assert_eq!(run(spec(&steps, 0, Some(10), false), &events), ["1 2 3"]);
    assert_eq!(
        run(spec(&steps, 0, Some(9), false), &events),
        Vec::<String>::new()
    );
}

#[test]
fn until_drops_pending_sequences_of_its_key_after_the_event_is_tried() {
    let start_a: &[(usize, &[&[&str]])] = &[(0, &[&["a"]])];
    let start_b: &[(usize, &[&[&str]])] = &[(0, &[&["b"]])];
    let until_a: &[(usize, &[&[&str]])] = &[(2, &[&["a"]])];
    let end_a: &[(usize, &[&[&str]])] = &[(1, &[&["a"]])];
    let end_b: &[(usize, &[&[&str]])] = &[(1, &[&["b"]])];
    let steps = [E, E];
    let events: Vec<Event<'_>> = vec![
        (1, start_a),
        (2, start_b),
        (3, until_a),
        (4, end_a),
        (5, end_b),
    ];
    assert_eq!(run(spec(&steps, 1, None, true), &events), ["2 5 [b]"]);
    // An `until` event may itself complete a sequence.
    let both: &[(usize, &[&[&str]])] = &[(1, &[&["a"]]), (2, &[&["a"]])];
    let events: Vec<Event<'_>> = vec![(1, start_a), (2, both)];
    assert_eq!(run(spec(&steps, 1, None, true), &events), ["1 2 [a]"]);
}

#[test]
fn missing_step_between_events_rejects_only_what_it_falls_inside() {
    // [normal] ![missing] [normal]: events 1 n, 2 n, 3 m, 4 n.
    let normal: &[(usize, &[&[&str]])] = &[(0, &[]), (2, &[])];
    let missing: &[(usize, &[&[&str]])] = &[(1, &[])];
    let events: Vec<Event<'_>> = vec![(1, normal), (2, normal), (3, missing), (4, normal)];
    assert_eq!(
        run(spec(&[E, M, E], 0, Some(1000), false), &events),
        ["1 - 2"]
    );
}

#[test]
fn rejected_candidates_still_consume_their_events() {
    // [n] [n] ![m] [n] over n n m n n: [1 2 m 4] is rejected, but 2 had moved
    // on; [2 4 - 5] is reported.
    let normal: &[(usize, &[&[&str]])] = &[(0, &[]), (1, &[]), (3, &[])];
    let missing: &[(usize, &[&[&str]])] = &[(2, &[])];
    let events: Vec<Event<'_>> = vec![
        (1, normal),
        (2, normal),
        (3, missing),
        (4, normal),
        (5, normal),
    ];
    assert_eq!(
        run(spec(&[E, E, M, E], 0, Some(1000), false), &events),
        ["2 4 - 5"]
    );
}

#[test]
fn leading_and_trailing_missing_steps_count_together_against_maxspan() {
    // ![m] [n] ![m]: m at 0, n at 10, m at 20.
    let missing: &[(usize, &[&[&str]])] = &[(0, &[]), (2, &[])];
    let normal: &[(usize, &[&[&str]])] = &[(1, &[])];
    let events: Vec<Event<'_>> = vec![(0, missing), (10, normal), (20, missing)];
    let steps = [M, E, M];
    assert_eq!(run(spec(&steps, 0, Some(19), false), &events), ["- 2 -"]);
    assert_eq!(
        run(spec(&steps, 0, Some(20), false), &events),
        Vec::<String>::new()
    );
    // Only a trailing step: the result waits until maxspan has passed.
    let steps = [E, M];
    let normal: &[(usize, &[&[&str]])] = &[(0, &[])];
    let missing: &[(usize, &[&[&str]])] = &[(1, &[])];
    let events: Vec<Event<'_>> = vec![(0, normal), (5, missing), (20, normal), (40, normal)];
    let mut engine = Sequences::new(spec(&steps, 0, Some(10), false));
    let mut keys = engine.spec().event_keys();
    let mut results = Vec::new();
    for (number, (timestamp, stages)) in events.iter().enumerate() {
        describe(&mut keys, stages);
        let _ = engine.push(Some(Ordinal::at(*timestamp)), &keys, number + 1, |found| {
            results.push(format!("{} at {timestamp}", render(found)))
        });
    }
    engine.finish(|found| results.push(format!("{} at the end", render(found))));
    assert_eq!(results, ["3 - at 40", "4 - at the end"]);
}

#[test]
fn late_and_untimed_events_are_refused_and_counted() {
    let mut engine: Sequences<usize> = Sequences::new(spec(&[E, E], 0, None, false));
    let mut keys = engine.spec().event_keys();
    describe(&mut keys, &[(0, &[])]);
    assert_eq!(engine.push(Some(Ordinal::at(10)), &keys, 1, |_| {}), Ok(()));
    assert_eq!(
        engine.push(Some(Ordinal::at(9)), &keys, 2, |_| {}),
        Err(Refused::Late)
    );
    assert_eq!(engine.push(None, &keys, 3, |_| {}), Err(Refused::Untimed));
    describe(&mut keys, &[(1, &[])]);
    let mut found = Vec::new();
    let _ = engine.push(Some(Ordinal::at(10)), &keys, 4, |m| found.push(render(m)));
    assert_eq!(found, ["1 4"]);
    let stats = engine.stats();
    assert_eq!((stats.events, stats.late, stats.untimed), (4, 1, 1));
}

#[test]
fn pipes_select_in_completion_order() {
    let first: &[(usize, &[&[&str]])] = &[(0, &[])];
    let both: &[(usize, &[&[&str]])] = &[(0, &[]), (1, &[])];
    let events: Vec<Event<'_>> = vec![(1, first), (2, both), (3, both), (4, both), (5, both)];
    let with = |pipes: Vec<Pipe>| {
        let spec = SequenceSpec::new(vec![E, E], 0, None, false, pipes).expect("valid");
        run(spec, &events)
    };
    assert_eq!(with(vec![]), ["1 2", "2 3", "3 4", "4 5"]);
    assert_eq!(with(vec![Pipe::Head(2)]), ["1 2", "2 3"]);
    assert_eq!(with(vec![Pipe::Tail(1)]), ["4 5"]);
    assert_eq!(with(vec![Pipe::Head(3), Pipe::Tail(2)]), ["2 3", "3 4"]);
    assert_eq!(with(vec![Pipe::Tail(3), Pipe::Head(1)]), ["2 3"]);
}

#[test]
fn keys_expire_after_maxspan_and_are_evicted_past_the_cap() {
    let keys_of = ["a", "b", "c", "d"];
    let starts: Vec<Vec<Stage<'_>>> = keys_of
        .iter()
        .map(|key| -> Vec<Stage<'_>> {
            vec![(
                0,
                Box::leak(Box::new([Box::leak(Box::new([*key])) as &[&str]])),
            )]
        })
        .collect();
    let events: Vec<Event<'_>> = starts
        .iter()
        .enumerate()
        .map(|(at, stages)| (at as i64 * 10, stages.as_slice()))
        .collect();

    let engine = Sequences::new(spec(&[E, E], 1, Some(15), false));
    let (_, stats) = run_with(engine, &events);
    assert_eq!(stats.expired_keys, 2, "a and b are more than 15 old at 30");

    let limits = Limits {
        max_keys: 2,
        ..Limits::default()
    };
    let engine = Sequences::with_limits(spec(&[E, E], 1, None, false), limits);
    let (_, stats) = run_with(engine, &events);
    assert_eq!(stats.evicted_keys, 2);
}

#[test]
fn specs_that_cannot_run_are_refused() {
    assert_eq!(
        SequenceSpec::new(vec![M], 0, Some(1), false, Vec::new()),
        Err(SpecError::SpecNoEventStep)
    );
    assert_eq!(
        SequenceSpec::new(vec![E, M], 0, None, false, Vec::new()),
        Err(SpecError::SpecMissingWithoutMaxspan)
    );
}

#[test]
fn a_key_holds_payloads_only_for_the_steps_it_reached() {
    // `[…] with runs=60`, keyed: every event matches every step.
    let spec = spec(&[E; 60], 1, None, false);
    let mut engine: Sequences<usize> = Sequences::new(spec);
    let mut keys = engine.spec().event_keys();
    let mut push = |engine: &mut Sequences<usize>, n: usize, key: &str| {
        keys.clear();
        for stage in 0..60 {
            keys.stage(stage).key(false, |push| push(Value::Str(key)));
        }
        let mut found = 0;
        let _ = engine.push(Some(Ordinal::at(n as i64)), &keys, n, |_| found += 1);
        found
    };
    let names: Vec<String> = (0..1000).map(|n| format!("user-{n}")).collect();
    for (n, name) in names.iter().enumerate() {
        push(&mut engine, n, name);
    }
    assert_eq!(engine.payload_slots(), 1000, "one payload per key");

    let mut found = 0;
    for n in 1000..1100 {
        found += push(&mut engine, n, "busy");
    }
    assert_eq!(found, 100 - 59, "one sequence per event from the 60th on");
    assert_eq!(
        engine.payload_slots(),
        1000 + 59 * 60 / 2,
        "busy holds 59 pending"
    );
}

#[test]
fn refusal_counts_read_as_the_summaries_say_them() {
    assert_eq!(Refused::describe_counts(0, 0), "");
    assert_eq!(Refused::describe_counts(1, 0), "1 out of order");
    assert_eq!(
        Refused::describe_counts(0, 12),
        "12 without a usable timestamp"
    );
    assert_eq!(
        Refused::describe_counts(1, 12),
        "1 out of order, 12 without a usable timestamp"
    );
}
