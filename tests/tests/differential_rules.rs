//! Differential property test over `rules/`: each rule compiled by
//! `eql_pack!` judges events generated from its own literals as the
//! interpreter does, and the events include both matches and misses.

use std::collections::HashMap;

use eql_runtime::eql_pack;
use eql_runtime::json::{Document, Record};
use eqlc::interpret::Interpreter;
use eqlc::pack::{LoadOptions, load_pack_with};
use eqlc_tests::differential::check_rule;
use eqlc_tests::events::EventGenerator;

eql_pack! {
    /// The event rules of `rules/`, as `generated-demo` bakes them (its
    /// sequence rule is checked against the interpreter by the demo's
    /// sample tests and against the oracle).
    #[eql(dir = "../rules", skip_unsupported)]
    pub Rules;
}

/// Events per rule: the folder is small, so each rule gets many.
const CASES: u32 = 2048;

#[test]
fn rules_agree_with_the_interpreter_on_generated_events() {
    let workspace = eqlc_tests::workspace_dir();
    let pack = load_pack_with(
        &workspace.join("rules"),
        &LoadOptions {
            skip_unsupported: true,
        },
    )
    .expect("rules/ compiles");
    assert_eq!(pack.rules.len(), Rules::RULES.len());
    assert!(!pack.rules.is_empty());
    let index_of: HashMap<&str, usize> = Rules::RULES
        .iter()
        .enumerate()
        .map(|(index, meta)| (meta.id, index))
        .collect();

    let mut record = Record::<Rules>::new();
    let mut document = Document::new();
    for rule in &pack.rules {
        let index = index_of[rule.rule.rule_id.as_str()];
        let path = rule.path.strip_prefix(&workspace).unwrap_or(&rule.path);
        let interpreter = Interpreter::new(rule.compiled.filter.clone()).expect("regexes compile");
        let generator = EventGenerator::new(&rule.compiled);
        let run = check_rule(&rule.rule.rule_id, &generator, CASES, |line| {
            let event = record
                .decode(line.as_bytes())
                .map_err(|error| format!("the pack's decoder refused it: {error}"))?;
            let generated = Rules::rule_matches(index, &event);
            let view = document
                .decode(line.as_bytes())
                .map_err(|error| format!("the interpreter's decoder refused it: {error}"))?;
            Ok((generated, interpreter.matches(&view)))
        });
        eprintln!(
            "{}: {} events, {} matched",
            path.display(),
            run.events,
            run.matched
        );
        if let Some(disagreement) = run.disagreement {
            panic!(
                "{} disagrees with the interpreter\n  query: {}\n  {disagreement}",
                path.display(),
                rule.rule.query.trim()
            );
        }
        assert!(
            run.matched > 0 && run.matched < run.events,
            "{}: the events must both match and miss ({} of {} matched)",
            path.display(),
            run.matched,
            run.events
        );
    }
}
