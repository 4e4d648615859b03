//! Differential property test over the corpus: for every single-event rule
//! of Elastic's corpus, events generated from the rule's own literals are
//! judged the same by the rule's generated code in the pack (alone, and
//! through the whole pack's candidate selection) and by the interpreter
//! running the same rule file.

use std::collections::HashMap;

use eql_runtime::json::{Document, Record};
use eqlc::interpret::Interpreter;
use eqlc::pack::{LoadOptions, load_pack_with};
use eqlc_corpus_pack::CorpusPack;
use eqlc_tests::differential::{RuleRun, check_rule};
use eqlc_tests::events::EventGenerator;

/// Events per rule. `EQLC_DIFFERENTIAL_CASES` overrides it, to look harder
/// for a disagreement on a fast machine.
const CASES: u32 = 64;

#[test]
fn generated_code_agrees_with_the_interpreter_on_generated_events() {
    let Some(corpus) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    let cases = std::env::var("EQLC_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(CASES);
    let pack = load_pack_with(
        &corpus,
        &LoadOptions {
            skip_unsupported: true,
        },
    )
    .expect("the corpus compiles");
    let index_of: HashMap<&str, usize> = CorpusPack::RULES
        .iter()
        .enumerate()
        .map(|(index, meta)| (meta.id, index))
        .collect();
    assert_eq!(
        index_of.len(),
        CorpusPack::RULES.len(),
        "rule ids are unique"
    );
    assert_eq!(pack.rules.len(), CorpusPack::RULES.len());

    let mut record = Record::<CorpusPack>::new();
    let mut document = Document::new();
    let mut totals = RuleRun::default();
    let mut rules_matched = 0;
    let mut unmatched = Vec::new();
    let mut disagreements = Vec::new();
    for rule in &pack.rules {
        let index = index_of[rule.rule.rule_id.as_str()];
        let path = rule.path.strip_prefix(&corpus).unwrap_or(&rule.path);
        let interpreter = Interpreter::new(rule.compiled.filter.clone()).expect("regexes compile");
        let generator = EventGenerator::new(&rule.compiled);
        let run = check_rule(&rule.rule.rule_id, &generator, cases, |line| {
            let event = record
                .decode(line.as_bytes())
                .map_err(|error| format!("the pack's decoder refused it: {error}"))?;
            let generated = CorpusPack::rule_matches(index, &event);
            // The whole pack, which selects candidate rules by their key
            // atoms, must report the rule exactly when it matches alone.
            let mut in_pack = false;
            CorpusPack::for_each_match(&event, |meta| in_pack |= meta.id == rule.rule.rule_id);
            if in_pack != generated {
                return Err(format!(
                    "the pack's for_each_match says {in_pack}, its rule_matches says {generated}"
                ));
            }
            let view = document
                .decode(line.as_bytes())
                .map_err(|error| format!("the interpreter's decoder refused it: {error}"))?;
            Ok((generated, interpreter.matches(&view)))
        });
        totals.events += run.events;
        totals.matched += run.matched;
        if run.matched > 0 {
            rules_matched += 1;
        } else {
            unmatched.push(path.display().to_string());
        }
        if let Some(disagreement) = run.disagreement {
            disagreements.push(format!(
                "{} ({})\n  query: {}\n  {disagreement}",
                rule.rule.name,
                path.display(),
                rule.rule.query.trim(),
            ));
        }
    }

    let n_rules = pack.rules.len();
    eprintln!(
        "differential: {n_rules} rules, {} events, {} matched; {rules_matched} rules matched \
         some event; {} disagreements",
        totals.events,
        totals.matched,
        disagreements.len(),
    );
    if !unmatched.is_empty() {
        eprintln!("rules no event matched: {}", unmatched.join(", "));
    }
    assert!(
        disagreements.is_empty(),
        "the generated code and the interpreter disagree:\n{}",
        disagreements.join("\n")
    );
    // The events are made to match: most rules must see matches, or the
    // property would only be checking misses.
    assert!(
        rules_matched * 10 >= n_rules * 9,
        "only {rules_matched} of {n_rules} rules matched some generated event"
    );
}
