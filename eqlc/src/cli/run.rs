//! `eqlc run`: rules over NDJSON events with the reference interpreter.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use eql_core::alert::{self, ALERT_FIELDS, AlertRule};
use eql_core::json::{Document, MAX_LINE};
use eql_core::ndjson::{LineRead, read_line};
use eqlc::interpret::Interpreter;
use eqlc::rule_file::RuleFile;
use indicatif::{ProgressBar, ProgressStyle};

use super::{read_source, rule_paths};

/// A rule ready to run.
struct Loaded {
    rule: RuleFile,
    interpreter: Interpreter,
}

/// How many malformed lines the summary names.
const SUMMARY_MALFORMED: usize = 10;

#[derive(Default)]
struct Totals {
    events: u64,
    alerts: u64,
    malformed: u64,
    first_malformed: Vec<String>,
}

pub fn run(rules_path: &Path, inputs: &[PathBuf], quiet: bool) -> ExitCode {
    let rules = match load_rules(rules_path) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    if rules.is_empty() {
        eprintln!("error: no EQL rule found in {}", rules_path.display());
        return ExitCode::FAILURE;
    }

    let started = Instant::now();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut failed = false;
    let inputs: Vec<Option<&PathBuf>> = if inputs.is_empty() {
        vec![None]
    } else {
        inputs
            .iter()
            .map(|path| (path.as_os_str() != "-").then_some(path))
            .collect()
    };
    for input in inputs {
        let result = match input {
            None => scan("-", io::stdin().lock(), &rules, &mut out, &mut totals),
            Some(path) => match File::open(path) {
                Ok(file) => {
                    let name = path.display().to_string();
                    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                    let progress = progress_bar(size, quiet);
                    let reader = BufReader::new(progress.wrap_read(file));
                    let result = scan(&name, reader, &rules, &mut out, &mut totals);
                    progress.finish_and_clear();
                    result
                }
                Err(error) => Err(error),
            },
        };
        if let Err(error) = result {
            let name = input.map_or("standard input".into(), |p| p.display().to_string());
            eprintln!("error: cannot read {name}: {error}");
            failed = true;
        }
    }
    if let Err(error) = out.flush() {
        eprintln!("error: cannot write alerts: {error}");
        return ExitCode::FAILURE;
    }
    if !quiet {
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let mut listed = totals.first_malformed.join(", ");
        let unlisted = totals
            .malformed
            .saturating_sub(totals.first_malformed.len() as u64);
        if unlisted > 0 {
            listed.push_str(&format!(" and {unlisted} more"));
        }
        eprintln!(
            "{} events read, {} alerts, {} malformed lines skipped{}; {:.0} events/s ({} rules, interpreted)",
            totals.events,
            totals.alerts,
            totals.malformed,
            if listed.is_empty() {
                String::new()
            } else {
                format!(" ({listed})")
            },
            totals.events as f64 / seconds,
            rules.len(),
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A progress bar over a file's bytes, shown only on a terminal.
fn progress_bar(size: u64, quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn load_rules(path: &Path) -> Result<Vec<Loaded>, ExitCode> {
    let files = rule_paths(path).map_err(|message| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    })?;
    let mut rules = Vec::new();
    let mut failed = false;
    for file in files {
        let source = match read_source(&file) {
            Ok(Some(source)) => source,
            Ok(None) => continue,
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
                continue;
            }
        };
        match source.compile() {
            Ok(compiled) => match Interpreter::new(compiled.filter) {
                Ok(interpreter) => rules.push(Loaded {
                    rule: source.rule,
                    interpreter,
                }),
                Err(error) => {
                    eprintln!("error: {}: {error}", file.display());
                    failed = true;
                }
            },
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    eprint!("{}", source.render(diagnostic));
                }
                failed = true;
            }
        }
    }
    if failed {
        return Err(ExitCode::FAILURE);
    }
    Ok(rules)
}

fn scan(
    name: &str,
    mut reader: impl BufRead,
    rules: &[Loaded],
    out: &mut impl Write,
    totals: &mut Totals,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut document = Document::new();
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = read_line(&mut reader, &mut line, MAX_LINE)?;
        if read == LineRead::End {
            return Ok(());
        }
        line_number += 1;
        if read == LineRead::TooLong {
            malformed(name, line_number, "line is longer than 1 MiB", totals);
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let event = match document.decode(&line) {
            Ok(event) => event,
            Err(error) => {
                malformed(name, line_number, &error.to_string(), totals);
                continue;
            }
        };
        totals.events += 1;
        for loaded in rules {
            if !loaded.interpreter.matches(&event) {
                continue;
            }
            totals.alerts += 1;
            let fields: Vec<(&str, Vec<serde_json::Value>)> = ALERT_FIELDS
                .iter()
                .map(|path| (*path, event.values(path).map(alert::json_value).collect()))
                .collect();
            let tactics: Vec<&str> = loaded.rule.tactics.iter().map(String::as_str).collect();
            let techniques: Vec<&str> = loaded.rule.techniques.iter().map(String::as_str).collect();
            let rule = AlertRule {
                id: &loaded.rule.rule_id,
                name: &loaded.rule.name,
                severity: &loaded.rule.severity,
                risk_score: loaded.rule.risk_score,
                tactics: &tactics,
                techniques: &techniques,
            };
            writeln!(
                out,
                "{}",
                alert::alert(&rule, name, line_number, &fields, &line)
            )?;
        }
    }
}

fn malformed(name: &str, line_number: u64, message: &str, totals: &mut Totals) {
    eprintln!("{name}:{line_number}: skipped malformed event: {message}");
    totals.malformed += 1;
    if totals.first_malformed.len() < SUMMARY_MALFORMED {
        totals.first_malformed.push(format!("{name}:{line_number}"));
    }
}
