//! Every rule of `rules/` against the sample events written for it.
//!
//! Each file of `samples/` was written for one rule: the rule file of the
//! same name, unless [`NAMED_OTHERWISE`] says otherwise. A line's
//! `labels.eqlc_case` starts with "match:" when that rule should fire on it
//! and with "no match:" when it should not; `labels.eqlc_also` names, by file
//! stem, any other rule that legitimately fires on the line too. The demo
//! must alert on exactly those (line, rule) pairs, no more, and the
//! interpreter must give the same alerts as the compiled pack.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use eql_runtime::json::Document;
use eqlc::CompiledQuery;
use eqlc::interpret::Interpreter;
use eqlc::sequence::SequencePlan;
use eqlc::sequence::interpret::SequenceInterpreter;
use eqlc::sequence::pack::load_mixed;

/// Sample files named otherwise than the rule file they were written for
/// (file stems); every other file of `samples/` is named after its rule.
const NAMED_OTHERWISE: &[(&str, &str)] = &[(
    "cloud_defend_tunneling",
    "tunneling_port_forwarding_defend_for_containers",
)];

/// One alert: sample file stem, line number (from 1), rule file stem.
type Alert = (String, u64, String);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn stems(folder: &str, extension: &str) -> BTreeSet<String> {
    std::fs::read_dir(workspace().join(folder))
        .expect("folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .map(|path| stem(&path))
        .collect()
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|stem| stem.to_str())
        .expect("UTF-8 file name")
        .to_owned()
}

/// Every sample file with the rule it was written for, by file stem.
fn samples() -> Vec<(String, String)> {
    stems("samples", "ndjson")
        .into_iter()
        .map(|sample| {
            let rule = NAMED_OTHERWISE
                .iter()
                .find(|(named, _)| *named == sample)
                .map_or(sample.clone(), |(_, rule)| rule.to_string());
            (sample, rule)
        })
        .collect()
}

fn sample_path(sample: &str) -> String {
    format!("samples/{sample}.ndjson")
}

/// The rules of `rules/`, compiled for the interpreter: file stem, rule id,
/// interpreter.
fn rules() -> Vec<(String, String, Interpreter)> {
    let (pack, _) = load_mixed(&workspace().join("rules")).expect("the rules compile");
    pack.rules
        .into_iter()
        .map(|rule| {
            let interpreter = Interpreter::new(rule.compiled.filter).expect("regexes compile");
            (stem(&rule.path), rule.rule.rule_id, interpreter)
        })
        .collect()
}

/// The sequence rules of `rules/`: file stem, rule id, plan.
fn sequence_rules() -> Vec<(String, String, SequencePlan)> {
    let (_, joins) = load_mixed(&workspace().join("rules")).expect("the rules compile");
    joins
        .rules
        .into_iter()
        .map(|rule| match rule.compiled {
            CompiledQuery::Sequence(sequence) => {
                (stem(&rule.path), rule.rule.rule_id, sequence.plan)
            }
            _ => panic!("{}: rules/ holds no sample rules", rule.path.display()),
        })
        .collect()
}

/// The alerts the labels of every sample file ask for.
fn labelled_alerts() -> BTreeSet<Alert> {
    let rule_stems = stems("rules", "toml");
    let mut expected = BTreeSet::new();
    for (sample, rule) in samples() {
        let text = std::fs::read_to_string(workspace().join(sample_path(&sample))).expect("sample");
        for (index, line) in text.lines().enumerate() {
            let line_number = index as u64 + 1;
            // Malformed lines are deliberate (the demo must skip them); the
            // demo's own tests check how they are reported.
            let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let labels = &event["labels"];
            let case = labels["eqlc_case"].as_str().unwrap_or_default();
            if case.starts_with("match:") {
                expected.insert((sample.clone(), line_number, rule.clone()));
            } else {
                assert!(
                    case.starts_with("no match:"),
                    "{sample}:{line_number}: labels.eqlc_case must start with \"match:\" or \
                     \"no match:\", found {case:?}"
                );
            }
            for other in labels["eqlc_also"].as_array().into_iter().flatten() {
                let other = other.as_str().expect("eqlc_also holds rule file stems");
                assert!(
                    rule_stems.contains(other) && other != rule,
                    "{sample}:{line_number}: eqlc_also names {other:?}, which is not another \
                     rule of rules/"
                );
                expected.insert((sample.clone(), line_number, other.to_owned()));
            }
        }
    }
    expected
}

/// The alerts of the built demo over every sample file.
fn demo_alerts() -> BTreeSet<Alert> {
    let stem_of_id: Vec<(String, String)> = rules()
        .into_iter()
        .map(|(stem, id, _)| (id, stem))
        .chain(sequence_rules().into_iter().map(|(stem, id, _)| (id, stem)))
        .collect();
    let files: Vec<String> = samples()
        .iter()
        .map(|(sample, _)| sample_path(sample))
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_generated-demo"))
        .arg("--quiet")
        .args(&files)
        .current_dir(workspace())
        .output()
        .expect("the demo runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).expect("JSON alert");
            let file = alert["file"].as_str().expect("alerts name their file");
            let id = alert["rule_id"].as_str().expect("alerts name their rule");
            let (_, rule) = stem_of_id
                .iter()
                .find(|(rule_id, _)| rule_id == id)
                .expect("the alert's rule is in rules/");
            (
                stem(Path::new(file)),
                alert["line"].as_u64().expect("alerts name their line"),
                rule.clone(),
            )
        })
        .collect()
}

/// The alerts of the interpreter, running the same rule files: event rules
/// on each line; sequence rules over each file as one stream, the alert on
/// the line that completes a sequence.
fn interpreted_alerts() -> BTreeSet<Alert> {
    let rules = rules();
    let sequences = sequence_rules();
    let mut document = Document::new();
    let mut alerts = BTreeSet::new();
    for (sample, _) in samples() {
        let text = std::fs::read_to_string(workspace().join(sample_path(&sample))).expect("sample");
        let mut engines: Vec<(String, SequenceInterpreter<u64>)> = sequences
            .iter()
            .map(|(stem, _, plan)| {
                let engine = SequenceInterpreter::new(plan).expect("regexes compile");
                (stem.clone(), engine)
            })
            .collect();
        for (index, line) in text.lines().enumerate() {
            let Ok(event) = document.decode(line.as_bytes()) else {
                continue;
            };
            let line_number = index as u64 + 1;
            for (rule, _, interpreter) in &rules {
                if interpreter.matches(&event) {
                    alerts.insert((sample.clone(), line_number, rule.clone()));
                }
            }
            for (rule, engine) in &mut engines {
                let _ = engine.push(&event, line_number, |found| {
                    let last = found.events().iter().flatten().max().copied();
                    alerts.insert((sample.clone(), last.unwrap_or_default(), rule.clone()));
                });
            }
        }
        for (rule, engine) in &mut engines {
            engine.finish(|found| {
                let last = found.events().iter().flatten().max().copied();
                alerts.insert((sample.clone(), last.unwrap_or_default(), rule.clone()));
            });
        }
    }
    alerts
}

/// `left` minus `right`, one alert per line, for failure messages.
fn listed(left: &BTreeSet<Alert>, right: &BTreeSet<Alert>) -> String {
    left.difference(right)
        .map(|(sample, line, rule)| format!("\n  {}:{line}: {rule}", sample_path(sample)))
        .collect()
}

#[test]
fn every_rule_has_one_sample_file() {
    let rules: Vec<String> = samples().into_iter().map(|(_, rule)| rule).collect();
    let distinct: BTreeSet<String> = rules.iter().cloned().collect();
    assert_eq!(distinct.len(), rules.len(), "a rule has two sample files");
    assert_eq!(
        distinct,
        stems("rules", "toml"),
        "each rule file needs a sample file named after it, and each sample file a rule"
    );
}

#[test]
fn the_demo_alerts_on_exactly_the_labelled_lines_and_rules() {
    let expected = labelled_alerts();
    let actual = demo_alerts();
    assert!(
        expected == actual,
        "labelled but not alerted:{}\nalerted but not labelled:{}",
        listed(&expected, &actual),
        listed(&actual, &expected)
    );
}

#[test]
fn the_interpreter_gives_the_demo_alerts() {
    let compiled = demo_alerts();
    let interpreted = interpreted_alerts();
    assert!(
        compiled == interpreted,
        "alerted by the demo only:{}\nalerted by the interpreter only:{}",
        listed(&compiled, &interpreted),
        listed(&interpreted, &compiled)
    );
}
