use super::*;

fn errors(query: &str) -> Vec<String> {
    match compile_query(query, &Options::default()) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics
            .errors()
            .map(|d| format!("{}: {}", d.span.start, d.message))
            .collect(),
    }
}

fn sequence(query: &str) -> SequencePlan {
    match compile_query(query, &Options::default()) {
        Ok(CompiledQuery::Sequence(compiled)) => compiled.plan,
        other => panic!("not a sequence: {other:?}"),
    }
}

#[test]
fn what_elasticsearch_refuses_in_sequences() {
    assert_eq!(
        errors("sequence with maxspan=1m by a [any where true] [any where true]"),
        ["9: `by` must come before `with maxspan` in a sequence"]
    );
    assert_eq!(
        errors("sequence [any where true]"),
        ["0: a sequence needs at least two steps"]
    );
    assert_eq!(
        errors("sequence [any where true] with runs=2"),
        Vec::<String>::new()
    );
    assert_eq!(
        errors("sequence by a [any where true] by b [any where true]"),
        ["36: inconsistent number of join keys: this step has 1, the first step has 2"]
    );
    assert_eq!(
        errors("sequence by length(a) [any where true] [any where true]"),
        ["12: join keys must be fields"]
    );
    assert_eq!(
        errors("sequence with maxspan=0.5s [any where true] [any where true]"),
        ["22: `maxspan` must be a positive integer"]
    );
    assert_eq!(
        errors("sequence with maxspan=99999999999999999999d [any where true] [any where true]"),
        ["22: `maxspan` is too long: at most 213503 days"]
    );
    assert_eq!(
        errors("sequence with maxspan=300000d [any where true] [any where true]"),
        ["22: `maxspan` is too long: at most 213503 days"]
    );
    assert_eq!(
        errors("sequence with maxspan=5 [any where true] [any where true]"),
        ["9: `maxspan` needs a time unit"]
    );
    assert_eq!(
        errors("sequence with maxspan=5w [any where true] [any where true]"),
        ["23: unknown time unit `w`"]
    );
    assert_eq!(
        errors("sequence [any where true] with runs=101 [any where true]"),
        ["36: `runs` must be an integer from 1 to 100"]
    );
    assert_eq!(
        errors("sequence [any where true] with times=2 [any where true]"),
        ["31: unknown step parameter `times`"]
    );
    assert_eq!(
        errors("sequence [any where true] ![any where true]"),
        ["26: missing-event steps need `with maxspan`"]
    );
    assert_eq!(
        errors("sequence with maxspan=1s ![any where true] ![any where true]"),
        ["0: a sequence needs a step that is not missing"]
    );
    assert_eq!(
        errors("sequence [any where true] [any where true] until ![any where true]"),
        ["49: an `until` step cannot be missing"]
    );
}

#[test]
fn what_elasticsearch_refuses_in_samples() {
    assert_eq!(
        errors("sample by a [any where true]"),
        ["0: a sample needs at least two filters"]
    );
    assert_eq!(
        errors("sample by a [any where true] ![any where true]"),
        ["29: missing-event filters (`![…]`) are not allowed in samples"]
    );
    assert_eq!(
        errors("sample [any where true] by a [any where true]"),
        ["29: inconsistent number of join keys: this step has 0, the first step has 1"]
    );
}

#[test]
fn steps_lower_with_runs_written_out_and_maxspan_in_nanoseconds() {
    let plan = sequence(
        "sequence by host.id with maxspan=2s \
         [process where true] by ?user.name with runs=3 \
         ![file where true] by user.name \
         until [network where true] by user.name",
    );
    assert_eq!(plan.maxspan, Some(2_000_000_000));
    assert_eq!(plan.key_count, 2);
    let shape: Vec<(usize, bool)> = plan.steps.iter().map(|s| (s.written, s.missing)).collect();
    assert_eq!(shape, [(0, false), (0, false), (0, false), (1, true)]);
    let keys: Vec<(&str, bool)> = plan.steps[0]
        .keys
        .iter()
        .map(|key| (key.path.as_str(), key.optional))
        .collect();
    assert_eq!(keys, [("host.id", false), ("user.name", true)]);
    assert_eq!(plan.written_steps().len(), 3, "two steps and the until");
    assert_eq!(
        plan.paths(),
        ["@timestamp", "event.category", "host.id", "user.name"]
    );
    let spec = plan.spec().expect("the engine takes it");
    assert_eq!(spec.steps().len(), 4);
    assert_eq!(spec.until_stage(), Some(4));
}

#[test]
fn event_queries_still_compile_through_compile_query() {
    assert!(matches!(
        compile_query("process where true | head 1", &Options::default()),
        Ok(CompiledQuery::Event(_))
    ));
    let Ok(CompiledQuery::Sample(sample)) = compile_query(
        "sample by host [a where true] [b where true] | tail 2",
        &Options::default(),
    ) else {
        panic!("a sample");
    };
    assert_eq!(sample.plan.pipes, [Pipe::Tail(2)]);
    assert_eq!(sample.plan.paths(), ["event.category", "host"]);
}
