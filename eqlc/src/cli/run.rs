//! `eqlc run`: rules over NDJSON events with the reference interpreter.
//!
//! Event rules alert on each matching event, in the shape of
//! [`eql_core::alert`]. Sequence and sample rules see the inputs as one
//! stream, in the order given; a sequence alerts when it completes (or,
//! with trailing missing steps, when they are decided), a sample at the end
//! of the input. Their alerts name the file and line of each step's event.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use eql_core::alert::{self, ALERT_FIELDS, AlertRule};
use eql_core::join::KeyRef;
use eql_core::json::{Document, MAX_LINE};
use eql_core::ndjson::{LineRead, read_line};
use eql_core::sequence::Refused;
use eqlc::CompiledQuery;
use eqlc::interpret::Interpreter;
use eqlc::rule_file::RuleFile;
use eqlc::sequence::interpret::{SampleInterpreter, SequenceInterpreter};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value as Json;

use super::{read_source, rule_paths};

/// The rules to run, by kind, in file order within each kind.
#[derive(Default)]
struct Rules {
    events: Vec<EventRule>,
    sequences: Vec<SequenceRule>,
    samples: Vec<SampleRule>,
}

struct EventRule {
    rule: RuleFile,
    interpreter: Interpreter,
}

struct SequenceRule {
    rule: RuleFile,
    engine: SequenceInterpreter<Origin>,
}

struct SampleRule {
    rule: RuleFile,
    engine: SampleInterpreter<Origin>,
}

impl Rules {
    fn len(&self) -> usize {
        self.events.len() + self.sequences.len() + self.samples.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where an event was read: an index into [`Totals::inputs`], and a line.
#[derive(Clone, Copy, Debug)]
struct Origin {
    input: usize,
    line: u64,
}

/// How many malformed lines, and how many refused events, the summary names.
const SUMMARY_MALFORMED: usize = 10;

#[derive(Default)]
struct Totals {
    /// The names of the inputs, in the order read.
    inputs: Vec<String>,
    events: u64,
    alerts: u64,
    malformed: u64,
    first_malformed: Vec<String>,
    /// Events that some sequence rule refused, by the first refusal's
    /// reason.
    late: u64,
    untimed: u64,
    first_refused: Vec<String>,
}

pub fn run(rules_path: &Path, inputs: &[PathBuf], quiet: bool) -> ExitCode {
    let mut rules = match load_rules(rules_path, quiet) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    if rules.is_empty() {
        errln!("error: no EQL rule found in {}", rules_path.display());
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
            None => {
                totals.inputs.push("-".into());
                scan(io::stdin().lock(), &mut rules, &mut out, &mut totals)
            }
            Some(path) => match File::open(path) {
                Ok(file) => {
                    totals.inputs.push(path.display().to_string());
                    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                    let progress = progress_bar(size, quiet);
                    let reader = BufReader::new(progress.wrap_read(file));
                    let result = scan(reader, &mut rules, &mut out, &mut totals);
                    progress.finish_and_clear();
                    result
                }
                Err(error) => Err(Stop::Read(error)),
            },
        };
        match result {
            Ok(()) => {}
            Err(Stop::Read(error)) => {
                let name = input.map_or("standard input".into(), |p| p.display().to_string());
                errln!("error: cannot read {name}: {error}");
                failed = true;
            }
            Err(Stop::Write(error)) => return cannot_write(&error),
        }
    }
    if let Err(error) = finish(&mut rules, &mut out, &mut totals).and_then(|()| out.flush()) {
        return cannot_write(&error);
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
        errln!(
            "{} read, {}, {} skipped{}{}; {:.0} events/s ({}, interpreted)",
            super::counted(totals.events, "event", "events"),
            super::counted(totals.alerts, "alert", "alerts"),
            super::counted(totals.malformed, "malformed line", "malformed lines"),
            if listed.is_empty() {
                String::new()
            } else {
                format!(" ({listed})")
            },
            refused_summary(&totals),
            totals.events as f64 / seconds,
            super::counted(rules.len() as u64, "rule", "rules"),
        );
        warn_about_limits(&rules);
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

fn load_rules(path: &Path, quiet: bool) -> Result<Rules, ExitCode> {
    let files = rule_paths(path).map_err(|message| {
        errln!("error: {message}");
        ExitCode::FAILURE
    })?;
    let mut rules = Rules::default();
    let mut failed = false;
    for file in files {
        let source = match read_source(&file) {
            Ok(Ok(source)) => source,
            Ok(Err(reason)) => {
                if !quiet {
                    errln!("note: {}: {reason}, skipped", file.display());
                }
                continue;
            }
            Err(message) => {
                errln!("error: {message}");
                failed = true;
                continue;
            }
        };
        let loaded = match source.compile() {
            Ok(CompiledQuery::Event(compiled)) => Interpreter::new(compiled.filter)
                .map(|interpreter| {
                    rules.events.push(EventRule {
                        rule: source.rule,
                        interpreter,
                    });
                })
                .map_err(|error| error.to_string()),
            Ok(CompiledQuery::Sequence(sequence)) => {
                SequenceInterpreter::new(&sequence.plan).map(|engine| {
                    rules.sequences.push(SequenceRule {
                        rule: source.rule,
                        engine,
                    });
                })
            }
            Ok(CompiledQuery::Sample(sample)) => {
                SampleInterpreter::new(&sample.plan, sample.plan.spec()).map(|engine| {
                    rules.samples.push(SampleRule {
                        rule: source.rule,
                        engine,
                    });
                })
            }
            Err(diagnostics) => {
                for diagnostic in &diagnostics {
                    err!("{}", source.render(diagnostic));
                }
                failed = true;
                continue;
            }
        };
        if let Err(error) = loaded {
            errln!("error: {}: {error}", file.display());
            failed = true;
        }
    }
    if failed {
        errln!("error: no event was read, since some rule files have errors (see `eqlc check`)");
        return Err(ExitCode::FAILURE);
    }
    Ok(rules)
}

/// Why a scan stopped before the end of its input.
enum Stop {
    /// The input could not be read; the next one can still be.
    Read(io::Error),
    /// Alerts could not be written; nothing more can be done.
    Write(io::Error),
}

/// The end of a run whose alerts could not be written: quietly when the
/// reader of a pipe has gone (`eqlc run … | head`), with a message
/// otherwise.
fn cannot_write(error: &io::Error) -> ExitCode {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::from(super::CLOSED_PIPE);
    }
    errln!("error: cannot write alerts: {error}");
    ExitCode::FAILURE
}

/// Runs every rule over the events of the input last pushed on
/// `totals.inputs`.
fn scan(
    mut reader: impl BufRead,
    rules: &mut Rules,
    out: &mut impl Write,
    totals: &mut Totals,
) -> Result<(), Stop> {
    let input = totals.inputs.len() - 1;
    let name = totals.inputs[input].clone();
    let name = name.as_str();
    let mut line = Vec::new();
    let mut document = Document::new();
    let mut line_number = 0u64;
    loop {
        line.clear();
        let read = read_line(&mut reader, &mut line, MAX_LINE).map_err(Stop::Read)?;
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
        for loaded in &rules.events {
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
            )
            .map_err(Stop::Write)?;
        }

        // Sequences take every event, and refuse those out of order.
        let origin = Origin {
            input,
            line: line_number,
        };
        let mut refused = None;
        let mut alerts = JoinAlerts::new(out, totals);
        for sequence in &mut rules.sequences {
            let pushed = sequence.engine.push(&event, origin, |found| {
                alerts.write(
                    &sequence.rule,
                    "sequence",
                    found.events().iter().map(Option::as_ref),
                    found.key(),
                );
            });
            if let Err(reason) = pushed {
                refused.get_or_insert(reason);
            }
        }
        alerts.written.map_err(Stop::Write)?;
        if let Some(reason) = refused {
            refuse(name, line_number, reason, totals);
        }
        for sample in &mut rules.samples {
            sample.engine.push(&event, origin);
        }
    }
}

/// Ends the stream: reports the sequences that waited for their trailing
/// missing steps, and every sample.
fn finish(rules: &mut Rules, out: &mut impl Write, totals: &mut Totals) -> io::Result<()> {
    let mut alerts = JoinAlerts::new(out, totals);
    for sequence in &mut rules.sequences {
        sequence.engine.finish(|found| {
            alerts.write(
                &sequence.rule,
                "sequence",
                found.events().iter().map(Option::as_ref),
                found.key(),
            );
        });
    }
    for sample in &mut rules.samples {
        sample.engine.finish(|found| {
            alerts.write(
                &sample.rule,
                "sample",
                found.events().iter().map(Some),
                found.key(),
            );
        });
    }
    alerts.written
}

/// Writes the alerts of sequences and samples from inside the engines'
/// callbacks, which cannot return an error: the first one is kept.
struct JoinAlerts<'a, W> {
    out: &'a mut W,
    inputs: &'a [String],
    alerts: &'a mut u64,
    written: io::Result<()>,
}

impl<'a, W: Write> JoinAlerts<'a, W> {
    fn new(out: &'a mut W, totals: &'a mut Totals) -> JoinAlerts<'a, W> {
        JoinAlerts {
            out,
            inputs: &totals.inputs,
            alerts: &mut totals.alerts,
            written: Ok(()),
        }
    }

    /// One alert: the rule, then the file and line of each step's event
    /// (`null` for a missing step), and the join key values.
    fn write<'o>(
        &mut self,
        rule: &RuleFile,
        kind: &str,
        events: impl Iterator<Item = Option<&'o Origin>>,
        key: KeyRef<'_>,
    ) {
        *self.alerts += 1;
        if self.written.is_err() {
            return;
        }
        let events: Vec<Option<(&str, u64)>> = events
            .map(|origin| origin.map(|origin| (self.inputs[origin.input].as_str(), origin.line)))
            .collect();
        let join_keys: Vec<Json> = key.values().map(alert::key_json).collect();
        let tactics: Vec<&str> = rule.tactics.iter().map(String::as_str).collect();
        let techniques: Vec<&str> = rule.techniques.iter().map(String::as_str).collect();
        let rule = AlertRule {
            id: &rule.rule_id,
            name: &rule.name,
            severity: &rule.severity,
            risk_score: rule.risk_score,
            tactics: &tactics,
            techniques: &techniques,
        };
        let alert = alert::join_alert(&rule, kind, &events, &join_keys);
        self.written = writeln!(self.out, "{alert}");
    }
}

/// Counts an event that a sequence refused; the summary names the first.
fn refuse(name: &str, line_number: u64, reason: Refused, totals: &mut Totals) {
    match reason {
        Refused::Late => totals.late += 1,
        Refused::Untimed => totals.untimed += 1,
    }
    if totals.first_refused.len() < SUMMARY_MALFORMED {
        totals.first_refused.push(format!("{name}:{line_number}"));
    }
}

/// The part of the summary about refused events; empty when there were
/// none.
fn refused_summary(totals: &Totals) -> String {
    let refused = totals.late + totals.untimed;
    if refused == 0 {
        return String::new();
    }
    let mut text = format!(
        ", {} left out of sequences ({}; first: {}",
        super::counted(refused, "event", "events"),
        Refused::describe_counts(totals.late, totals.untimed),
        totals.first_refused.join(", ")
    );
    let unlisted = refused.saturating_sub(totals.first_refused.len() as u64);
    if unlisted > 0 {
        text.push_str(&format!(" and {unlisted} more"));
    }
    text.push(')');
    text
}

/// Says which rules lost state to the engines' memory limits, and so may
/// have missed results.
fn warn_about_limits(rules: &Rules) {
    for sequence in &rules.sequences {
        let stats = sequence.engine.stats();
        if stats.evicted_keys > 0 || stats.dropped_results > 0 {
            errln!(
                "warning: sequence rule `{}` may have missed sequences: {} keys evicted, \
                 {} completed sequences dropped (memory limits)",
                sequence.rule.name,
                stats.evicted_keys,
                stats.dropped_results
            );
        }
    }
    for sample in &rules.samples {
        let evicted = sample.engine.stats().evicted_keys;
        if evicted > 0 {
            errln!(
                "warning: sample rule `{}` may have missed samples: {evicted} keys evicted \
                 (memory limits)",
                sample.rule.name
            );
        }
    }
}

fn malformed(name: &str, line_number: u64, message: &str, totals: &mut Totals) {
    errln!("{name}:{line_number}: skipped malformed event: {message}");
    totals.malformed += 1;
    if totals.first_malformed.len() < SUMMARY_MALFORMED {
        totals.first_malformed.push(format!("{name}:{line_number}"));
    }
}
