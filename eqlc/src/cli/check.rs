//! `eqlc check`: every error and warning of every rule, with a caret.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use eqlc::schema::{Schema, WarningKind};
use eqlc::{Diagnostic, Severity};

use super::{read_source, rule_paths};

/// Which field definitions `eqlc check` checks rules against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaChoice {
    /// ECS, and the fields of Elastic's integrations by their prefixes
    /// (`winlog.`, `aws.`, `process.Ext.` …), which are not typed.
    Ecs,
    /// ECS alone: every other field is reported.
    EcsOnly,
    /// No schema: no field is checked.
    None,
}

impl SchemaChoice {
    fn schema(self) -> Option<Schema> {
        match self {
            SchemaChoice::Ecs => Some(Schema::ecs()),
            SchemaChoice::EcsOnly => Some(Schema::ecs_only()),
            SchemaChoice::None => None,
        }
    }
}

pub fn run(paths: &[PathBuf], strict: bool, schema: SchemaChoice) -> ExitCode {
    let schema = schema.schema();
    let mut files = Vec::new();
    let mut failed = false;
    for path in paths {
        match rule_paths(path) {
            Ok(found) => files.extend(found),
            Err(message) => {
                errln!("error: {message}");
                failed = true;
            }
        }
    }
    let (mut checked, mut errors, mut warnings, mut skipped) = (0u64, 0u64, 0u64, 0u64);
    let mut unreadable = 0u64;
    let mut by_kind: BTreeMap<WarningKind, usize> = BTreeMap::new();
    // With `--strict`, a warning is reported and counted as an error.
    let mut report = |source: &super::Source, diagnostic: &Diagnostic| {
        let mut diagnostic = diagnostic.clone();
        if strict {
            diagnostic.severity = Severity::Error;
        }
        err!("{}", source.render(&diagnostic));
        if diagnostic.is_error() {
            errors += 1;
        } else {
            warnings += 1;
        }
    };
    for file in &files {
        let source = match read_source(file) {
            Ok(Ok(source)) => source,
            Ok(Err(reason)) => {
                errln!("note: {}: {reason}, skipped", file.display());
                skipped += 1;
                continue;
            }
            Err(message) => {
                errln!("error: {message}");
                unreadable += 1;
                failed = true;
                continue;
            }
        };
        checked += 1;
        match source.compile() {
            Ok(compiled) => {
                for warning in &compiled.warnings().items {
                    report(&source, warning);
                }
                // The schema check reads every step, join key and `until`
                // of a sequence or sample.
                if let Some(schema) = &schema {
                    let options = source.options();
                    for warning in eqlc::schema::check_query(compiled.query(), &options, schema) {
                        *by_kind.entry(warning.kind).or_default() += 1;
                        report(&source, &warning.diagnostic);
                    }
                }
            }
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    report(&source, diagnostic);
                }
                // A query that parses but does not compile still has its
                // fields checked.
                let parsed = eqlc::parse::parse_query(&source.rule.query);
                if let (Some(schema), Ok(query)) = (&schema, parsed) {
                    let options = source.options();
                    for warning in eqlc::schema::check_query(&query, &options, schema) {
                        *by_kind.entry(warning.kind).or_default() += 1;
                        report(&source, &warning.diagnostic);
                    }
                }
            }
        }
    }
    let kinds: Vec<String> = by_kind
        .iter()
        .map(|(kind, &count)| super::counted(count as u64, kind.describe(), kind.describe_many()))
        .collect();
    let mut summary = format!(
        "{} checked: {}, {}",
        super::counted(checked, "rule", "rules"),
        super::counted(errors, "error", "errors"),
        super::counted(warnings, "warning", "warnings")
    );
    if unreadable > 0 {
        summary.push_str(&format!(
            ", {} not read",
            super::counted(unreadable, "file", "files")
        ));
    }
    if !kinds.is_empty() {
        summary.push_str(&format!(" (schema: {})", kinds.join(", ")));
    }
    if skipped > 0 {
        summary.push_str(&format!(
            ", {} in other query languages skipped",
            super::counted(skipped, "file", "files")
        ));
    }
    errln!("{summary}");
    if failed || errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
