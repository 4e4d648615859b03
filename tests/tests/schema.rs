//! The ECS field table against its source, and the schema warnings the
//! whole rule corpus gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use eqlc::schema::{self, Schema, WarningKind};

#[test]
fn the_ecs_table_is_generated_from_the_shared_file() {
    let Some(source) = eqlc_tests::shared_path("events/ecs_flat.yml") else {
        return;
    };
    let yaml = std::fs::read_to_string(source).expect("ecs_flat.yml reads");
    let fresh = schema::generate::ecs_table(&yaml, schema::ECS_VERSION).expect("the file reads");
    let committed_path = eqlc_tests::workspace_dir().join("eqlc/src/schema/ecs.rs");
    let committed = std::fs::read_to_string(&committed_path).expect("ecs.rs reads");
    assert!(
        fresh == committed,
        "{} is stale: run `cargo run -p eqlc --example ecs_schema -- {}`",
        committed_path.display(),
        "../shared/events/ecs_flat.yml"
    );
}

/// Schema warnings over every corpus rule that parses, by kind.
fn corpus_warnings(schema: &Schema) -> Option<BTreeMap<WarningKind, usize>> {
    let root = eqlc_tests::shared_path("corpus/detection-rules")?;
    let mut files = Vec::new();
    collect_toml_files(&root, &mut files);
    let mut counts = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("rule file reads");
        let rule = eqlc::rule_file::parse_rule_file(&text).expect("rule file parses");
        let query = eqlc::parse::parse_query(&rule.query).expect("corpus query parses");
        let options = eqlc::pack::rule_options(&rule);
        for warning in schema::check_query(&query, &options, schema) {
            *counts.entry(warning.kind).or_default() += 1;
        }
    }
    Some(counts)
}

/// The figures the README gives. A change to the schema checks that moves
/// them should say why.
#[test]
fn the_corpus_gives_few_schema_warnings() {
    let Some(with_integrations) = corpus_warnings(&Schema::ecs()) else {
        return;
    };
    assert_eq!(
        with_integrations,
        BTreeMap::from([
            (WarningKind::FieldUnknown, 5),
            (WarningKind::ValueUnknown, 38)
        ])
    );
    let ecs_only = corpus_warnings(&Schema::ecs_only()).expect("shared data");
    assert_eq!(
        ecs_only,
        BTreeMap::from([
            (WarningKind::FieldUnknown, 305),
            (WarningKind::ValueUnknown, 38)
        ])
    );
}

fn collect_toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder reads") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_toml_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            out.push(path);
        }
    }
}
