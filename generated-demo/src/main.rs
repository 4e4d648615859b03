//! Scans ECS events (NDJSON) for the detection rules baked in from `rules/`.
//!
//! Every rule file under `rules/` is compiled into this binary by
//! `eql_pack!` when it is built; nothing is interpreted at run time. Each
//! input line is decoded into just the fields the rules read, matched against
//! every event rule, fed to every sequence rule, and each match is written to
//! stdout as one JSON alert. A line that is not a valid event is reported on
//! stderr with its number and skipped; the scan goes on.
//!
//! Each input file is one stream for the sequence rules: its events must come
//! in timestamp order (an older event is refused by the sequences, reported
//! and counted, and still matched by the event rules), and at its end the
//! sequences waiting for it are reported and the state is cleared.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use eql_runtime::alert::{self, ALERT_FIELDS};
use eql_runtime::join::JoinMatch;
use eql_runtime::json::{Record, RecordView};
use eql_runtime::ndjson::{LineRead, read_line};
use eql_runtime::sequence::Refused;
use eql_runtime::{Fields, RuleMeta, eql_pack};

/// `eprintln!`, except that when standard error is a pipe whose reader has
/// gone (`generated-demo … 2>&1 | head`) the program ends at once, with the
/// status of a program killed by `SIGPIPE`, instead of panicking.
macro_rules! note {
    ($($arg:tt)*) => {{
        let mut stderr = ::std::io::stderr().lock();
        if let Err(error) = ::std::writeln!(stderr, $($arg)*) {
            if error.kind() == ::std::io::ErrorKind::BrokenPipe {
                ::std::process::exit(128 + 13);
            }
        }
    }};
}

eql_pack! {
    /// The rules of `rules/`, with the fields every alert reports.
    #[eql(
        dir = "../rules",
        fields = ["@timestamp", "container.id", "process.name", "process.args"],
        sequences = RuleSequences,
    )]
    pub Rules;
}

/// Longest input line read; longer lines are reported and skipped.
const MAX_LINE: usize = 1 << 20;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Scan NDJSON ECS events with the rules compiled from rules/"
)]
struct Args {
    /// NDJSON files to scan; none, or `-`, reads standard input.
    files: Vec<PathBuf>,

    /// Print nothing on stderr but errors (unreadable files, malformed
    /// lines); events left out of the sequence rules are not named.
    #[arg(long, short)]
    quiet: bool,
}

/// Counts for the summary.
#[derive(Debug, Default)]
struct Totals {
    /// Lines decoded into events.
    events: u64,
    alerts: u64,
    malformed: u64,
    /// `file:line` of the first malformed lines, for the summary.
    first_malformed: Vec<String>,
    /// Events the sequence rules refused as older than an earlier event of
    /// the same file.
    late: u64,
    /// Events the sequence rules refused for want of a timestamp they read.
    untimed: u64,
}

impl Totals {
    fn refused(&self) -> u64 {
        self.late + self.untimed
    }
}

/// `count` followed by the singular or plural noun: `1 alert`, `2 alerts`.
fn counted(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// How many malformed lines the summary names, and how many refused events
/// are reported one by one.
const SUMMARY_MALFORMED: usize = 10;

fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut totals = Totals::default();
    let mut scanner = Scanner::new(args.quiet);
    if !args.quiet {
        // Files of rules/ the pack left out (another query language).
        for (file, reason) in Rules::SKIPPED {
            note!("note: {file}: {reason}, skipped");
        }
    }

    let inputs: Vec<Option<PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files
            .iter()
            .map(|path| (path.as_os_str() != "-").then(|| path.clone()))
            .collect()
    };
    let mut failed = false;
    for input in inputs {
        let result = match &input {
            None => scanner.scan("-", io::stdin().lock(), &mut out, &mut totals),
            Some(path) => match File::open(path) {
                Ok(file) => scanner.scan(
                    &path.display().to_string(),
                    BufReader::new(file),
                    &mut out,
                    &mut totals,
                ),
                Err(error) => {
                    note!("error: cannot open {}: {error}", path.display());
                    failed = true;
                    continue;
                }
            },
        };
        match result {
            Ok(()) => {}
            Err(Stop::Read(error)) => {
                let name = input
                    .as_ref()
                    .map_or("standard input".into(), |path| path.display().to_string());
                note!("error: cannot read {name}: {error}");
                failed = true;
            }
            Err(Stop::Write(error)) => return cannot_write(&error),
        }
    }
    if let Err(error) = out.flush() {
        return cannot_write(&error);
    }

    if !args.quiet {
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let mut listed = totals.first_malformed.join(", ");
        let unlisted = totals
            .malformed
            .saturating_sub(totals.first_malformed.len() as u64);
        if unlisted > 0 {
            listed.push_str(&format!(" and {unlisted} more"));
        }
        let refused = if totals.refused() == 0 {
            String::new()
        } else {
            format!(
                ", {} left out of sequences ({})",
                counted(totals.refused(), "event", "events"),
                Refused::describe_counts(totals.late, totals.untimed)
            )
        };
        note!(
            "{} read, {}, {} skipped{}{refused}; {:.0} events/s ({})",
            counted(totals.events, "event", "events"),
            counted(totals.alerts, "alert", "alerts"),
            counted(totals.malformed, "malformed line", "malformed lines"),
            if listed.is_empty() {
                String::new()
            } else {
                format!(" ({listed})")
            },
            totals.events as f64 / seconds,
            counted(
                (Rules::RULES.len() + RuleSequences::RULES.len()) as u64,
                "rule",
                "rules"
            ),
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Why a scan stopped before the end of its input.
enum Stop {
    /// The input could not be read; the next one can still be.
    Read(io::Error),
    /// Alerts could not be written; nothing more can be done.
    Write(io::Error),
}

/// The end of a scan whose alerts could not be written: quietly, with the
/// status of a program killed by `SIGPIPE`, when the reader of a pipe has
/// gone (`generated-demo … | head`); with a message otherwise.
fn cannot_write(error: &io::Error) -> ExitCode {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::from(128 + 13);
    }
    note!("error: cannot write alerts: {error}");
    ExitCode::FAILURE
}

/// Reusable buffers of a scan.
struct Scanner {
    record: Record<Rules>,
    /// The state of the sequence rules, for the file being read.
    sequences: RuleSequences<u64>,
    line: Vec<u8>,
    /// The slot of each alert field in the pack's record.
    alert_slots: [u32; ALERT_FIELDS.len()],
    /// Whether to keep notes that are not errors (events left out of the
    /// sequence rules) off stderr.
    quiet: bool,
}

impl Scanner {
    fn new(quiet: bool) -> Scanner {
        let alert_slots = ALERT_FIELDS.map(|path| {
            Rules::PATHS
                .binary_search(&path)
                .map(|slot| slot as u32)
                .unwrap_or(eql_runtime::__private::ABSENT)
        });
        Scanner {
            record: Record::new(),
            sequences: RuleSequences::new(),
            line: Vec::new(),
            alert_slots,
            quiet,
        }
    }

    fn scan(
        &mut self,
        name: &str,
        mut reader: impl BufRead,
        out: &mut impl Write,
        totals: &mut Totals,
    ) -> Result<(), Stop> {
        let mut line_number = 0u64;
        let mut write_error = None;
        loop {
            self.line.clear();
            let read = read_line(&mut reader, &mut self.line, MAX_LINE).map_err(Stop::Read)?;
            if read == LineRead::End {
                break;
            }
            line_number += 1;
            if read == LineRead::TooLong {
                report_malformed(name, line_number, "line is longer than 1 MiB", totals);
                continue;
            }
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let event = match self.record.decode(&self.line) {
                Ok(event) => event,
                Err(error) => {
                    report_malformed(name, line_number, &error.to_string(), totals);
                    continue;
                }
            };
            totals.events += 1;
            Rules::for_each_match(&event, |rule| {
                totals.alerts += 1;
                let alert = alert_json(rule, name, line_number, &event, &self.alert_slots);
                if let Err(error) = writeln!(out, "{alert}") {
                    write_error = Some(error);
                }
            });
            let pushed = self.sequences.push(&event, line_number, |rule, found| {
                totals.alerts += 1;
                if let Err(error) = writeln!(out, "{}", join_alert_json(rule, name, found)) {
                    write_error = Some(error);
                }
            });
            if let Err(refused) = pushed {
                match refused {
                    Refused::Late => totals.late += 1,
                    Refused::Untimed => totals.untimed += 1,
                }
                let count = totals.refused();
                if !self.quiet && count <= SUMMARY_MALFORMED as u64 {
                    note!("{name}:{line_number}: left out of the sequence rules: {refused}");
                }
                if count == SUMMARY_MALFORMED as u64 && !self.quiet {
                    note!(
                        "(further events left out of the sequence rules are only counted \
                         in the summary)"
                    );
                }
            }
            if let Some(error) = write_error {
                return Err(Stop::Write(error));
            }
        }
        // The end of the file ends its stream.
        self.sequences.finish(|rule, found| {
            totals.alerts += 1;
            if let Err(error) = writeln!(out, "{}", join_alert_json(rule, name, found)) {
                write_error = Some(error);
            }
        });
        match write_error {
            Some(error) => Err(Stop::Write(error)),
            None => Ok(()),
        }
    }
}

fn report_malformed(name: &str, line_number: u64, message: &str, totals: &mut Totals) {
    note!("{name}:{line_number}: skipped malformed event: {message}");
    totals.malformed += 1;
    if totals.first_malformed.len() < SUMMARY_MALFORMED {
        totals.first_malformed.push(format!("{name}:{line_number}"));
    }
}

/// The alert of a completed sequence or sample.
fn join_alert_json(rule: &RuleMeta, file: &str, found: JoinMatch<'_, u64>) -> serde_json::Value {
    let kind = match found {
        JoinMatch::Sequence(_) => "sequence",
        JoinMatch::Sample(_) => "sample",
    };
    let events: Vec<Option<(&str, u64)>> = found
        .events()
        .map(|line| line.map(|line| (file, *line)))
        .collect();
    let key: Vec<serde_json::Value> = found.key().values().map(alert::key_json).collect();
    alert::join_alert(&alert_rule(rule), kind, &events, &key)
}

fn alert_rule(rule: &RuleMeta) -> alert::AlertRule<'_> {
    alert::AlertRule {
        id: rule.id,
        name: rule.name,
        severity: rule.severity,
        risk_score: rule.risk_score,
        tactics: rule.tactics,
        techniques: rule.techniques,
    }
}

/// One alert as a JSON object.
fn alert_json(
    rule: &RuleMeta,
    file: &str,
    line: u64,
    event: &RecordView<'_, Rules>,
    slots: &[u32; ALERT_FIELDS.len()],
) -> serde_json::Value {
    let fields: Vec<(&str, Vec<serde_json::Value>)> = ALERT_FIELDS
        .iter()
        .zip(slots)
        .map(|(path, &slot)| {
            let mut values = Vec::new();
            event.any_value(slot, &mut |value| {
                values.push(alert::json_value(value));
                false
            });
            (*path, values)
        })
        .collect();
    alert::alert(&alert_rule(rule), file, line, &fields, event.line())
}
