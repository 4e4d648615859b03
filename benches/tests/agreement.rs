//! The three engines of the seed-rule benches agree on every bench event:
//! the generated code on typed events and on decoded JSON, the hand-written
//! matcher, and the interpreter on typed events and on JSON documents. So
//! the benches compare engines that compute the same thing.

use eql_core::json::{Document, Record};
use eqlc::interpret::Typed;
use eqlc_bench::data::{event_sets, typed};
use eqlc_bench::{SeedRule, handwritten, seed_interpreter};

#[test]
fn engines_agree_on_every_bench_event() {
    let interpreter = seed_interpreter();
    let mut record = Record::<SeedRule>::new();
    let mut document = Document::new();
    for set in event_sets() {
        let events = typed(&set);
        let mut matches = 0;
        for (index, (event, line)) in events.iter().zip(&set.lines).enumerate() {
            let generated = SeedRule::matches(event);
            let view = record
                .decode(line.as_bytes())
                .unwrap_or_else(|error| panic!("{} line {}: {error}", set.name, index + 1));
            let on_json = SeedRule::matches(&view);
            let doc = document
                .decode(line.as_bytes())
                .unwrap_or_else(|error| panic!("{} line {}: {error}", set.name, index + 1));
            let engines = [
                ("generated, typed", generated),
                ("generated, JSON", on_json),
                ("hand-written", handwritten::matches(event)),
                ("interpreter, typed", interpreter.matches(&Typed(event))),
                ("interpreter, JSON", interpreter.matches(&doc)),
            ];
            assert!(
                engines.iter().all(|(_, matched)| *matched == generated),
                "{} line {}: the engines disagree: {engines:?}\n{line}",
                set.name,
                index + 1
            );
            matches += usize::from(generated);
        }
        // Both sets hold matching and non-matching events.
        assert!(
            matches > 0 && matches < events.len(),
            "{}: {matches} matches",
            set.name
        );
    }
}
