//! `eqlc check`: every error and warning of every rule, with a caret.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{read_source, rule_paths};

pub fn run(paths: &[PathBuf], strict: bool) -> ExitCode {
    let mut files = Vec::new();
    let mut failed = false;
    for path in paths {
        match rule_paths(path) {
            Ok(found) => files.extend(found),
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }
    let (mut checked, mut errors, mut warnings, mut skipped) = (0, 0, 0, 0);
    for file in &files {
        let source = match read_source(file) {
            Ok(Some(source)) => source,
            Ok(None) => {
                skipped += 1;
                continue;
            }
            Err(message) => {
                eprintln!("error: {message}");
                errors += 1;
                continue;
            }
        };
        checked += 1;
        match source.compile() {
            Ok(compiled) => {
                for warning in &compiled.warnings.items {
                    eprint!("{}", source.render(warning));
                    warnings += 1;
                }
            }
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    eprint!("{}", source.render(diagnostic));
                    if diagnostic.is_error() {
                        errors += 1;
                    } else {
                        warnings += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{checked} rules checked: {errors} errors, {warnings} warnings{}",
        if skipped > 0 {
            format!(", {skipped} files in other query languages skipped")
        } else {
            String::new()
        }
    );
    if failed || errors > 0 || (strict && warnings > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
