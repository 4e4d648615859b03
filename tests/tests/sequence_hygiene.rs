//! Sequence and sample rules expand in a module without the prelude and
//! with lints denied: their generated code names everything by absolute
//! path and triggers no warning.

mod rules {
    #![no_implicit_prelude]
    #![deny(warnings, missing_debug_implementations)]

    ::eql_runtime::eql_rule! {
        /// Every step shape: keys, optional keys, runs, a missing step, until.
        pub Sequence = r#"sequence by host.id with maxspan=5m
            [process where true] by ?user.name with runs=2
            ![file where true] by user.name
            [network where true] by user.name
            until [process where event.action == "exit"] by user.name
            | head 3"#;

        /// No keys at all.
        pub Unkeyed = "sequence [process where true] [network where true]";

        pub Sample = "sample by host.id [process where true] [network where true] | tail 2";
    }
}

#[test]
fn rules_expand_without_the_prelude() {
    let sequence = rules::Sequence::<u32>::new();
    assert_eq!(sequence.open_keys(), 0);
    assert!(format!("{sequence:?}").contains("Sequences"));
    let unkeyed: rules::Unkeyed = rules::Unkeyed::new();
    assert!(!unkeyed.is_done());
    let sample = rules::Sample::<String>::default();
    assert_eq!(sample.stats().events, 0);
    assert_eq!(rules::Sample::PIPES, [eql_runtime::Pipe::Tail(2)]);
}
