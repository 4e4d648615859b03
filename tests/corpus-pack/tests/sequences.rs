//! The corpus's sequence and sample rules, compiled by the build script into
//! `CorpusSequences`, agree with the interpreter on real and sample events.

use std::collections::HashMap;

use eql_runtime::json::{Document, Record};
use eqlc::CompiledQuery;
use eqlc::sequence::interpret::{SampleInterpreter, SequenceInterpreter};
use eqlc::sequence::pack::load_join_pack;
use eqlc_corpus_pack::{CorpusPack, CorpusSequences};

fn corpus_found() -> bool {
    env!("EQLC_CORPUS_FOUND") == "true"
}

/// Every line of the shared events and of the repository's samples.
fn event_lines() -> Option<Vec<String>> {
    let events = eqlc_tests::shared_path("events")?;
    let mut files: Vec<_> = std::fs::read_dir(&events)
        .expect("events folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ndjson"))
        .collect();
    files.push(eqlc_tests::workspace_dir().join("samples/cloud_defend_tunneling.ndjson"));
    files.sort();
    let mut lines = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("events file");
        lines.extend(text.lines().map(str::to_owned));
    }
    Some(lines)
}

#[test]
fn every_sequence_and_sample_rule_is_compiled() {
    if eqlc_tests::shared_path("corpus/detection-rules").is_none() {
        return;
    }
    assert!(corpus_found(), "the pack was built without the corpus");
    // 824 EQL rules: 657 single-event rules, 165 sequences and 2 samples.
    assert_eq!(CorpusSequences::RULES.len(), 167);
    assert_eq!(env!("EQLC_CORPUS_SEQUENCES"), "167");
}

#[test]
fn generated_sequences_agree_with_the_interpreter() {
    let Some(corpus) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    let Some(lines) = event_lines() else {
        return;
    };
    let pack = load_join_pack(&corpus).expect("the corpus compiles");
    assert_eq!(pack.rules.len(), CorpusSequences::RULES.len());

    // Every rule at once, through the pack's record, as a program would.
    let mut generated: HashMap<&str, Vec<Vec<Option<usize>>>> = HashMap::new();
    let mut record = Record::<CorpusPack>::new();
    let mut rules = CorpusSequences::<usize>::new();
    for (number, line) in lines.iter().enumerate() {
        if let Ok(event) = record.decode(line.as_bytes()) {
            let _ = rules.push(&event, number, |rule, found| {
                let events = found.events().map(|event| event.copied()).collect();
                generated.entry(rule.id).or_default().push(events);
            });
        }
    }
    rules.finish(|rule, found| {
        let events = found.events().map(|event| event.copied()).collect();
        generated.entry(rule.id).or_default().push(events);
    });

    let mut document = Document::new();
    let mut total = 0;
    for (index, rule) in pack.rules.iter().enumerate() {
        assert_eq!(CorpusSequences::RULES[index].id, rule.rule.rule_id);
        let mut interpreted = Vec::new();
        match &rule.compiled {
            CompiledQuery::Sequence(sequence) => {
                let mut interpreter =
                    SequenceInterpreter::new(&sequence.plan).expect("regexes build");
                for (number, line) in lines.iter().enumerate() {
                    if let Ok(event) = document.decode(line.as_bytes()) {
                        let _ = interpreter.push(&event, number, |found| {
                            interpreted.push(found.events().to_vec())
                        });
                    }
                }
                interpreter.finish(|found| interpreted.push(found.events().to_vec()));
            }
            CompiledQuery::Sample(sample) => {
                let mut interpreter = SampleInterpreter::new(&sample.plan, sample.plan.spec())
                    .expect("regexes build");
                for (number, line) in lines.iter().enumerate() {
                    if let Ok(event) = document.decode(line.as_bytes()) {
                        interpreter.push(&event, number);
                    }
                }
                interpreter.finish(|found| {
                    interpreted.push(found.events().iter().copied().map(Some).collect())
                });
            }
            CompiledQuery::Event(_) => panic!("{} is an event rule", rule.path.display()),
        }
        let compiled = generated
            .remove(rule.rule.rule_id.as_str())
            .unwrap_or_default();
        assert_eq!(compiled, interpreted, "{}", rule.path.display());
        total += compiled.len();
    }
    assert!(
        generated.is_empty(),
        "results of no corpus rule: {generated:?}"
    );
    // The shared events hold no sequence of the corpus; the agreement is on
    // every event each rule refused or held.
    println!("{total} results across the corpus's sequence rules");
}
