//! The whole corpus pack on real and sample events: every rule compiled into
//! the pack agrees with the interpreter running the same rule file.

use eql_runtime::json::{Document, Record};
use eqlc::interpret::Interpreter;
use eqlc::pack::{LoadOptions, load_pack_with};
use eqlc_corpus_pack::CorpusPack;

fn corpus_found() -> bool {
    env!("EQLC_CORPUS_FOUND") == "true"
}

#[test]
fn every_single_event_rule_is_in_the_pack() {
    let Some(corpus) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    assert!(corpus_found(), "the pack was built without the corpus");
    // 824 EQL rules: 657 single-event rules, 165 sequences and 2 samples.
    assert_eq!(CorpusPack::RULES.len(), 657);
    // The sequences and samples are in `CorpusSequences`, beside the pack.
    assert_eq!(env!("EQLC_CORPUS_SKIPPED"), "0");
    assert_eq!(CorpusPack::SKIPPED.len(), 0);
    // Each rule's `event_category_override` is honoured.
    let pack = load_pack_with(
        &corpus,
        &LoadOptions {
            skip_unsupported: true,
        },
    )
    .expect("the corpus compiles");
    let overridden: Vec<&str> = pack
        .rules
        .iter()
        .filter(|rule| rule.rule.event_category_override.is_some())
        .map(|rule| rule.compiled.filter.fields.fields[0].path.as_str())
        .collect();
    assert!(!overridden.is_empty());
    assert!(
        overridden.iter().all(|path| *path != "event.category"),
        "{overridden:?}"
    );
}

#[test]
fn pack_agrees_with_the_interpreter_on_events() {
    let Some(corpus) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    let Some(events) = eqlc_tests::shared_path("events") else {
        return;
    };
    let pack = load_pack_with(
        &corpus,
        &LoadOptions {
            skip_unsupported: true,
        },
    )
    .expect("the corpus compiles");
    let interpreters: Vec<(String, Interpreter)> = pack
        .rules
        .iter()
        .map(|rule| {
            let interpreter =
                Interpreter::new(rule.compiled.filter.clone()).expect("regexes compile");
            (rule.rule.rule_id.clone(), interpreter)
        })
        .collect();

    let mut lines = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&events)
        .expect("events folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ndjson"))
        .collect();
    files.push(eqlc_tests::workspace_dir().join("samples/cloud_defend_tunneling.ndjson"));
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("events file");
        lines.extend(text.lines().map(str::to_owned));
    }

    let mut record = Record::<CorpusPack>::new();
    let mut document = Document::new();
    let mut decoded = 0;
    let mut total_matches = 0;
    for line in &lines {
        let Ok(event) = record.decode(line.as_bytes()) else {
            continue;
        };
        decoded += 1;
        let mut generated = Vec::new();
        CorpusPack::for_each_match(&event, |rule| generated.push(rule.id.to_owned()));
        let view = document
            .decode(line.as_bytes())
            .expect("both decoders accept the line");
        let interpreted: Vec<String> = interpreters
            .iter()
            .filter(|(_, interpreter)| interpreter.matches(&view))
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(generated, interpreted, "on {line}");
        total_matches += generated.len();
    }
    assert_eq!(decoded, 34 + 48);
    assert!(total_matches > 0, "some corpus rule matches some event");
}
