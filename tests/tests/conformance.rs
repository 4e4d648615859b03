//! Elasticsearch's EQL conformance suites, run on both engines.
//!
//! Every event query of the suites under `shared/conformance/elasticsearch`
//! runs twice over its data set: as the Rust that `build.rs` generated for it
//! (decoding each event into the rule's own `Record`) and through the
//! reference interpreter (over `Document`). Both must return exactly the
//! ids Elasticsearch returns, after the query's `head`/`tail` pipes. Events
//! come in the order of an EQL search (`eqlc_tests::datasets`).
//!
//! The report lists, per suite and engine, how many queries pass and fail,
//! then every failure grouped by its cause, most frequent cause first.
//! A second test runs the sequence and sample queries the same way: the
//! generated type of each rule and the interpreter feed the engines of
//! `eql_core::sequence` and `eql_core::sample`, and both must return the
//! expected ids (`-1` for a missing-event step) and, where the suite gives
//! them, the `join_keys`.
//!
//! The harness of Elasticsearch caps results at 50 (its request `size`); no
//! event query of the suites expects that many, so no cap is applied here
//! and a wrong matcher shows all it returns.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use eql_runtime::Pipe;
use eql_runtime::json::Document;
use eqlc::CompiledQuery;
use eqlc::interpret::Interpreter;
use eqlc::sequence::interpret::{SampleInterpreter, SequenceInterpreter};
use eqlc::sequence::{SamplePlan, SequencePlan};
use eqlc_tests::datasets::{self, Event};
use eqlc_tests::suites::{self, CONFORMANCE_DIR, Case, QueryKind, SUITES, Suite};

/// An event query as `build.rs` compiled it.
#[derive(Debug)]
pub struct GeneratedCase {
    pub suite: &'static str,
    pub name: &'static str,
    pub query: &'static str,
    pub matcher: Matcher,
}

/// What `build.rs` made of an event query.
#[derive(Debug)]
pub enum Matcher {
    /// The rule's generated code: decode one NDJSON line and match it, and
    /// the rule's pipes.
    Compiled {
        matches: fn(&[u8]) -> Result<bool, String>,
        pipes: &'static [Pipe],
    },
    /// `eqlc::compile` rejected the query: its first error message and all
    /// its errors rendered with the query text.
    Rejected {
        message: &'static str,
        rendered: &'static str,
    },
    /// There is no code for another reason (a panic, invalid emitted code,
    /// `EQLC_CONFORMANCE_EXCLUDE`).
    NotGenerated { reason: &'static str },
    /// A sequence rule's generated type, run over the lines of a data set.
    Sequence { run: RunSequence },
    /// A sample rule's generated type, run over the lines of a data set with
    /// the request's `max_samples_per_key` and `size`.
    Sample { run: RunSample },
}

/// Runs a generated sequence type over the lines of a data set.
pub type RunSequence = fn(&[&[u8]]) -> Result<Vec<Joined>, String>;

/// Runs a generated sample type over the lines of a data set, with the
/// request's `max_samples_per_key` and `size`.
pub type RunSample = fn(&[&[u8]], usize, Option<usize>) -> Result<Vec<Joined>, String>;

/// One sequence or sample: the index in the data set of the event of each
/// step (`None` for a missing-event step), and the join key values as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined {
    pub events: Vec<Option<usize>>,
    pub keys: Vec<String>,
}

impl Joined {
    pub fn of_sequence(found: eql_runtime::sequence::SequenceMatch<'_, usize>) -> Joined {
        Joined {
            events: found.events().to_vec(),
            keys: found
                .key()
                .values()
                .map(|value| value.to_string())
                .collect(),
        }
    }

    pub fn of_sample(found: eql_runtime::sample::SampleMatch<'_, usize>) -> Joined {
        Joined {
            events: found.events().iter().copied().map(Some).collect(),
            keys: found
                .key()
                .values()
                .map(|value| value.to_string())
                .collect(),
        }
    }
}

mod generated {
    include!(concat!(env!("OUT_DIR"), "/conformance_rules.rs"));
}

/// Active queries of each kind across the suites, as counted in
/// `conformance/README.md`.
const EVENT_QUERIES: usize = 162;
const SEQUENCE_QUERIES: usize = 105;
const SAMPLE_QUERIES: usize = 34;

#[test]
fn suites_hold_the_documented_number_of_queries() {
    let Some(dir) = eqlc_tests::shared_path(CONFORMANCE_DIR) else {
        return;
    };
    let mut counts = BTreeMap::new();
    for suite in SUITES {
        let cases =
            suites::read_suite(&dir.join(suite.file)).unwrap_or_else(|error| panic!("{error}"));
        for case in cases {
            *counts.entry(kind_name(case.kind)).or_insert(0) += 1;
        }
    }
    let count = |kind: QueryKind| counts.get(kind_name(kind)).copied().unwrap_or(0);
    assert_eq!(
        (
            count(QueryKind::Event),
            count(QueryKind::Sequence),
            count(QueryKind::Sample)
        ),
        (EVENT_QUERIES, SEQUENCE_QUERIES, SAMPLE_QUERIES),
        "(event, sequence, sample) queries"
    );
}

#[test]
fn event_queries_return_what_elasticsearch_returns() {
    let Some(dir) = eqlc_tests::shared_path(CONFORMANCE_DIR) else {
        return;
    };
    let mut report = Report::titled("event queries");
    for suite in SUITES {
        run_suite(&dir, suite, &[QueryKind::Event], &mut report);
    }
    println!("{}", report.render());
    // The summary again, where a failing run ends.
    assert!(
        report.failed_cases == 0 && report.unreadable.is_empty(),
        "{} of {} event queries fail on at least one engine; every failure is listed above\n\n{}",
        report.failed_cases,
        report.cases,
        report.summary()
    );
}

#[test]
fn sequence_and_sample_queries_return_what_elasticsearch_returns() {
    let Some(dir) = eqlc_tests::shared_path(CONFORMANCE_DIR) else {
        return;
    };
    let mut report = Report::titled("sequence and sample queries");
    for suite in SUITES {
        run_suite(
            &dir,
            suite,
            &[QueryKind::Sequence, QueryKind::Sample],
            &mut report,
        );
    }
    println!("{}", report.render());
    let failing: Vec<&str> = report
        .failing
        .iter()
        .map(|(case, _)| case.as_str())
        .collect();
    let known: Vec<&str> = KNOWN_SEQUENCE_FAILURES
        .iter()
        .map(|(case, _)| *case)
        .collect();
    assert!(
        failing == known && report.unreadable.is_empty(),
        "{} of {} sequence and sample queries fail on at least one engine, \
         where these are known to: {known:?}; every failure is listed above\n\n{}",
        report.failed_cases,
        report.cases,
        report.summary()
    );
}

/// Sequence and sample queries that fail on both engines today, and why.
/// The test fails if this list is wrong either way, so that a fix shows.
const KNOWN_SEQUENCE_FAILURES: &[(&str, &str)] = &[];

fn kind_name(kind: QueryKind) -> &'static str {
    match kind {
        QueryKind::Event => "event",
        QueryKind::Sequence => "sequence",
        QueryKind::Sample => "sample",
    }
}

/// The two engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Engine {
    Generated,
    Interpreter,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Generated => "generated",
            Engine::Interpreter => "interpreter",
        }
    }
}

/// Why an engine failed a case.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Failure {
    /// The compiler rejected the query.
    Rejected { message: String, rendered: String },
    /// Something broke before any event was matched: no generated code,
    /// the data set or the expectation could not be read, a panic, a
    /// regex the interpreter could not build. The text is the cause.
    Broken(String),
    /// An event of the data set did not decode.
    Undecodable { id: i64, error: String },
    /// The ids returned, when they are not the expected ones.
    WrongIds(Vec<i64>),
    /// The right ids, but not the expected `join_keys`.
    WrongKeys(Vec<String>),
}

impl Failure {
    /// The cause failures are grouped by.
    fn cause(&self) -> String {
        match self {
            Failure::Rejected { message, .. } => format!("rejected by the compiler: {message}"),
            Failure::Broken(cause) => cause.clone(),
            Failure::Undecodable { .. } => "an event of the data set does not decode".to_owned(),
            Failure::WrongIds(_) => "wrong ids".to_owned(),
            Failure::WrongKeys(_) => "wrong join keys".to_owned(),
        }
    }
}

/// The outcome of one event query on both engines.
#[derive(Clone, Debug)]
struct Outcome {
    suite: &'static Suite,
    case: Case,
    generated: Option<Failure>,
    interpreter: Option<Failure>,
}

fn run_suite(dir: &Path, suite: &'static Suite, kinds: &[QueryKind], report: &mut Report) {
    let cases = match suites::read_suite(&dir.join(suite.file)) {
        Ok(cases) => cases,
        Err(error) => {
            report.unreadable.push(error);
            return;
        }
    };
    let (runs, others): (Vec<&Case>, Vec<&Case>) =
        cases.iter().partition(|case| kinds.contains(&case.kind));
    let mut tally = Tally {
        not_run: others.len(),
        ..Tally::default()
    };
    let data = if runs.is_empty() {
        Ok(Vec::new())
    } else {
        datasets::load(dir, suite.data)
            .map_err(|error| format!("the data set does not load: {error}"))
    };
    let data = data.and_then(|data| {
        let options = suite
            .options(dir)
            .map_err(|error| format!("the suite's options: {error}"))?;
        Ok((data, options))
    });
    for case in runs {
        let outcome = match &data {
            Ok((data, options)) => run_case(suite, options, case, data),
            Err(error) => Outcome {
                suite,
                case: case.clone(),
                generated: Some(Failure::Broken(error.clone())),
                interpreter: Some(Failure::Broken(error.clone())),
            },
        };
        tally.count(&outcome);
        report.add(outcome);
    }
    report.tallies.push((suite.name(), tally));
}

/// What an engine returned: the ids of the events of every result, and for
/// sequences and samples their join keys.
type Returned = (Vec<i64>, Option<Vec<String>>);

fn run_case(
    suite: &'static Suite,
    options: &eqlc::Options,
    case: &Case,
    data: &[Event],
) -> Outcome {
    let check = |result: Result<Returned, Failure>| -> Option<Failure> {
        let (ids, keys) = match result {
            Ok(returned) => returned,
            Err(failure) => return Some(failure),
        };
        match &case.expected {
            Err(error) => Some(Failure::Broken(format!("unreadable expectation: {error}"))),
            Ok(alternatives) if !alternatives.contains(&ids) => Some(Failure::WrongIds(ids)),
            Ok(_) => match (&case.join_keys, keys) {
                (Some(expected), Some(keys)) if *expected != keys => Some(Failure::WrongKeys(keys)),
                _ => None,
            },
        }
    };
    Outcome {
        suite,
        case: case.clone(),
        generated: check(guard(|| run_generated(suite, case, data))),
        interpreter: check(guard(|| run_interpreter(options, case, data))),
    }
}

/// The ids and keys of sequences or samples: each event's id (`-1` for a
/// missing-event step, as the suites write it), results concatenated.
fn joined_ids(results: &[Joined], data: &[Event]) -> Returned {
    let ids = results
        .iter()
        .flat_map(|result| &result.events)
        .map(|event| event.map_or(-1, |index| data[index].id))
        .collect();
    let keys = results
        .iter()
        .flat_map(|result| result.keys.iter().cloned())
        .collect();
    (ids, Some(keys))
}

fn run_generated(suite: &Suite, case: &Case, data: &[Event]) -> Result<Returned, Failure> {
    let entry = generated::CASES
        .iter()
        .find(|entry| entry.suite == suite.file && entry.name == case.name)
        .ok_or_else(|| {
            Failure::Broken(
                "no generated matcher: build.rs did not see this query \
                 (was the shared data there when the test was built?)"
                    .to_owned(),
            )
        })?;
    if entry.query != case.query {
        return Err(Failure::Broken(
            "no generated matcher: the generated code is older than the suite (rebuild)".to_owned(),
        ));
    }
    let (matches, pipes) = match &entry.matcher {
        Matcher::Compiled { matches, pipes } => (matches, pipes),
        Matcher::Rejected { message, rendered } => {
            return Err(Failure::Rejected {
                message: (*message).to_owned(),
                rendered: (*rendered).to_owned(),
            });
        }
        Matcher::NotGenerated { reason } => {
            return Err(Failure::Broken(format!("no generated matcher: {reason}")));
        }
        Matcher::Sequence { run } => {
            let lines: Vec<&[u8]> = data.iter().map(|event| event.line.as_bytes()).collect();
            let results = run(&lines).map_err(Failure::Broken)?;
            return Ok(joined_ids(&results, data));
        }
        Matcher::Sample { run } => {
            let lines: Vec<&[u8]> = data.iter().map(|event| event.line.as_bytes()).collect();
            let results = run(&lines, case.max_samples_per_key.unwrap_or(1), case.size)
                .map_err(Failure::Broken)?;
            return Ok(joined_ids(&results, data));
        }
    };
    let mut ids = Vec::new();
    for event in data {
        match matches(event.line.as_bytes()) {
            Ok(true) => ids.push(event.id),
            Ok(false) => {}
            Err(error) => {
                return Err(Failure::Undecodable {
                    id: event.id,
                    error,
                });
            }
        }
    }
    Ok((eql_runtime::pipe::apply(pipes, ids), None))
}

fn run_interpreter(
    options: &eqlc::Options,
    case: &Case,
    data: &[Event],
) -> Result<Returned, Failure> {
    let compiled =
        eqlc::compile_query(&case.query, options).map_err(|diagnostics| Failure::Rejected {
            message: diagnostics.errors().next().map_or_else(
                || "rejected without an error".to_owned(),
                |d| d.message.clone(),
            ),
            rendered: diagnostics
                .errors()
                .map(|diagnostic| diagnostic.render(&case.query))
                .collect::<Vec<_>>()
                .join("\n"),
        })?;
    let compiled = match compiled {
        CompiledQuery::Event(compiled) => compiled,
        CompiledQuery::Sequence(compiled) => {
            return run_sequence_interpreter(&compiled.plan, data);
        }
        CompiledQuery::Sample(compiled) => {
            return run_sample_interpreter(case, &compiled.plan, data);
        }
    };
    let interpreter = Interpreter::new(compiled.filter).map_err(|error| {
        Failure::Broken(format!("the interpreter cannot build a regex: {error}"))
    })?;
    let mut document = Document::new();
    let mut ids = Vec::new();
    for event in data {
        let view =
            document
                .decode(event.line.as_bytes())
                .map_err(|error| Failure::Undecodable {
                    id: event.id,
                    error: error.to_string(),
                })?;
        if interpreter.matches(&view) {
            ids.push(event.id);
        }
    }
    Ok((eql_runtime::pipe::apply(&compiled.pipes, ids), None))
}

fn run_sequence_interpreter(plan: &SequencePlan, data: &[Event]) -> Result<Returned, Failure> {
    let mut interpreter = SequenceInterpreter::new(plan).map_err(Failure::Broken)?;
    let mut document = Document::new();
    let mut results = Vec::new();
    for (index, event) in data.iter().enumerate() {
        let view =
            document
                .decode(event.line.as_bytes())
                .map_err(|error| Failure::Undecodable {
                    id: event.id,
                    error: error.to_string(),
                })?;
        interpreter
            .push(&view, index, |found| {
                results.push(Joined::of_sequence(found))
            })
            .map_err(|refused| Failure::Broken(format!("event {}: {refused}", event.id)))?;
    }
    interpreter.finish(|found| results.push(Joined::of_sequence(found)));
    Ok(joined_ids(&results, data))
}

fn run_sample_interpreter(
    case: &Case,
    plan: &SamplePlan,
    data: &[Event],
) -> Result<Returned, Failure> {
    let spec = plan
        .spec()
        .max_samples_per_key(case.max_samples_per_key.unwrap_or(1))
        .size(case.size);
    let mut interpreter = SampleInterpreter::new(plan, spec).map_err(Failure::Broken)?;
    let mut document = Document::new();
    for (index, event) in data.iter().enumerate() {
        let view =
            document
                .decode(event.line.as_bytes())
                .map_err(|error| Failure::Undecodable {
                    id: event.id,
                    error: error.to_string(),
                })?;
        interpreter.push(&view, index);
    }
    let mut results = Vec::new();
    interpreter.finish(|found| results.push(Joined::of_sample(found)));
    Ok(joined_ids(&results, data))
}

/// Runs an engine, turning a panic into a failure.
fn guard(run: impl FnOnce() -> Result<Returned, Failure>) -> Result<Returned, Failure> {
    panic::catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Err(Failure::Broken(format!("panicked: {message}")))
    })
}

/// Passes and failures of one suite.
#[derive(Debug, Default)]
struct Tally {
    generated: (usize, usize),
    interpreter: (usize, usize),
    not_run: usize,
}

impl Tally {
    fn count(&mut self, outcome: &Outcome) {
        for (counts, failure) in [
            (&mut self.generated, &outcome.generated),
            (&mut self.interpreter, &outcome.interpreter),
        ] {
            match failure {
                None => counts.0 += 1,
                Some(_) => counts.1 += 1,
            }
        }
    }
}

/// The failing cases of one cause, each with the engines that fail for it.
type Group = Vec<(Outcome, Vec<Engine>)>;

/// Everything the test prints.
#[derive(Default)]
struct Report {
    /// What kind of queries it covers.
    title: &'static str,
    tallies: Vec<(&'static str, Tally)>,
    /// Failing cases by cause; a case whose engines fail differently is in
    /// two groups.
    groups: BTreeMap<String, Group>,
    unreadable: Vec<String>,
    /// `suite/name` and query of every failing case.
    failing: Vec<(String, String)>,
    cases: usize,
    failed_cases: usize,
}

impl Report {
    fn titled(title: &'static str) -> Report {
        Report {
            title,
            ..Report::default()
        }
    }

    fn add(&mut self, outcome: Outcome) {
        self.cases += 1;
        let groups = group_keys(&outcome);
        if !groups.is_empty() {
            self.failed_cases += 1;
            self.failing.push((
                format!("{}/{}", outcome.suite.name(), outcome.case.name),
                outcome.case.query.clone(),
            ));
        }
        for (cause, engines) in groups {
            self.groups
                .entry(cause)
                .or_default()
                .push((outcome.clone(), engines));
        }
    }

    /// The whole report: the summary, the features failing queries use,
    /// then every failure under its cause.
    fn render(&self) -> String {
        let mut out = self.summary();
        render_features(&mut out, &self.failing);
        for (cause, cases) in self.groups_by_size() {
            let plural = if cases.len() == 1 { "query" } else { "queries" };
            let _ = writeln!(out, "\n=== {cause} ({} {plural})", cases.len());
            for (outcome, engines) in cases {
                render_case(&mut out, outcome, engines);
            }
        }
        out
    }

    /// Passes and failures per suite and engine, and the failure causes
    /// with their counts.
    fn summary(&self) -> String {
        let mut out = format!("EQL conformance, {}\n\n", self.title);
        let width = self
            .tallies
            .iter()
            .map(|(suite, _)| suite.len())
            .max()
            .unwrap_or(0)
            + " [interpreter]".len();
        let mut totals = Tally::default();
        for (suite, tally) in &self.tallies {
            for (engine, (passed, failed)) in [
                (Engine::Generated, tally.generated),
                (Engine::Interpreter, tally.interpreter),
            ] {
                let label = format!("{suite} [{}]", engine.name());
                let _ = writeln!(out, "{label:width$}: {passed:3} passed, {failed:3} failed");
            }
            let _ = writeln!(
                out,
                "{suite}: not run here (other kinds): {}",
                tally.not_run
            );
            totals.generated.0 += tally.generated.0;
            totals.generated.1 += tally.generated.1;
            totals.interpreter.0 += tally.interpreter.0;
            totals.interpreter.1 += tally.interpreter.1;
            totals.not_run += tally.not_run;
        }
        let _ = writeln!(
            out,
            "\ntotal: generated {} passed, {} failed; interpreter {} passed, {} failed; \
             not run here (other kinds): {}",
            totals.generated.0,
            totals.generated.1,
            totals.interpreter.0,
            totals.interpreter.1,
            totals.not_run
        );
        for error in &self.unreadable {
            let _ = writeln!(out, "\nsuite not read: {error}");
        }
        let groups = self.groups_by_size();
        if !groups.is_empty() {
            let _ = writeln!(out, "\nfailure causes (queries):");
            for (cause, cases) in &groups {
                let _ = writeln!(out, "{:4}  {cause}", cases.len());
            }
        }
        out
    }

    /// The failure groups, largest first.
    fn groups_by_size(&self) -> Vec<(&String, &Group)> {
        let mut groups: Vec<_> = self.groups.iter().collect();
        groups.sort_by_key(|(cause, cases)| (std::cmp::Reverse(cases.len()), *cause));
        groups
    }
}

/// The groups a failing case belongs to, each with the engines that fail
/// for that cause; none when both pass.
fn group_keys(outcome: &Outcome) -> Vec<(String, Vec<Engine>)> {
    use Engine::{Generated, Interpreter};
    match (&outcome.generated, &outcome.interpreter) {
        (None, None) => Vec::new(),
        (Some(failure), None) => vec![(
            format!("{} (generated only)", failure.cause()),
            vec![Generated],
        )],
        (None, Some(failure)) => {
            vec![(
                format!("{} (interpreter only)", failure.cause()),
                vec![Interpreter],
            )]
        }
        (Some(Failure::WrongIds(a)), Some(Failure::WrongIds(b))) => {
            let cause = if a == b {
                "wrong ids (both engines, same ids)"
            } else {
                "wrong ids (both engines, and they disagree)"
            };
            vec![(cause.to_owned(), vec![Generated, Interpreter])]
        }
        (Some(g), Some(i)) if g.cause() == i.cause() => {
            vec![(
                format!("{} (both engines)", g.cause()),
                vec![Generated, Interpreter],
            )]
        }
        (Some(g), Some(i)) => vec![
            (format!("{} (generated)", g.cause()), vec![Generated]),
            (format!("{} (interpreter)", i.cause()), vec![Interpreter]),
        ],
    }
}

fn render_case(out: &mut String, outcome: &Outcome, engines: &[Engine]) {
    let case = &outcome.case;
    let query = case.query.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(out, "- {}/{}", outcome.suite.name(), case.name);
    let _ = writeln!(out, "    query:    {query}");
    let expected = match &case.expected {
        Ok(alternatives) if alternatives.len() == 1 => format!("{:?}", alternatives[0]),
        Ok(alternatives) => format!(
            "one of {}",
            alternatives
                .iter()
                .map(|ids| format!("{ids:?}"))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        Err(error) => format!("(unreadable: {error})"),
    };
    let failures: Vec<(Engine, &Failure)> = engines
        .iter()
        .filter_map(|&engine| {
            let failure = match engine {
                Engine::Generated => outcome.generated.as_ref(),
                Engine::Interpreter => outcome.interpreter.as_ref(),
            };
            failure.map(|failure| (engine, failure))
        })
        .collect();
    let same = failures.windows(2).all(|pair| pair[0].1 == pair[1].1);
    let shown: &[(Engine, &Failure)] = if same {
        &failures[..failures.len().min(1)]
    } else {
        &failures
    };
    let mut expected_shown = false;
    for &(engine, failure) in shown {
        let label = if same && failures.len() > 1 {
            String::new()
        } else {
            format!(" ({})", engine.name())
        };
        match failure {
            Failure::Rejected { rendered, .. } => {
                let _ = writeln!(out, "    error{label}:");
                for line in rendered.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
            Failure::Broken(cause) => {
                let _ = writeln!(out, "    cause{label}: {cause}");
            }
            Failure::Undecodable { id, error } => {
                let _ = writeln!(out, "    event {id} does not decode{label}: {error}");
            }
            Failure::WrongKeys(keys) => {
                let expected = case.join_keys.clone().unwrap_or_default();
                let _ = writeln!(out, "    {:<10}{expected:?}", "keys:");
                let _ = writeln!(out, "    {:<10}{keys:?}", format!("got{label}:"));
            }
            Failure::WrongIds(ids) => {
                if !expected_shown {
                    let _ = writeln!(out, "    {:<10}{expected}", "expected:");
                    expected_shown = true;
                }
                let _ = writeln!(out, "    {:<10}{ids:?}", format!("got{label}:"));
                if let Ok(alternatives) = &case.expected {
                    if let [wanted] = alternatives.as_slice() {
                        let missing: Vec<_> =
                            wanted.iter().filter(|id| !ids.contains(id)).collect();
                        let extra: Vec<_> = ids.iter().filter(|id| !wanted.contains(id)).collect();
                        if !missing.is_empty() {
                            let _ = writeln!(out, "      missing:    {missing:?}");
                        }
                        if !extra.is_empty() {
                            let _ = writeln!(out, "      unexpected: {extra:?}");
                        }
                        if missing.is_empty() && extra.is_empty() {
                            let _ = writeln!(out, "      (same ids, other order or duplicates)");
                        }
                    }
                }
            }
        }
    }
}

/// Lists the features that failing queries use (functions, arithmetic, date
/// comparisons), each with the queries that use it, so that the work that
/// unblocks most queries shows first. A query can need several.
fn render_features(out: &mut String, failing: &[(String, String)]) {
    let mut by_feature: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (case, query) in failing {
        for feature in features(query) {
            by_feature.entry(feature).or_default().push(case);
        }
    }
    if by_feature.is_empty() {
        return;
    }
    let mut features: Vec<_> = by_feature.into_iter().collect();
    features.sort_by(|(a, cases_a), (b, cases_b)| cases_b.len().cmp(&cases_a.len()).then(a.cmp(b)));
    let _ = writeln!(out, "\nfeatures used by failing queries:");
    for (feature, cases) in features {
        let _ = writeln!(out, "{:4}  {feature}: {}", cases.len(), cases.join(", "));
    }
}

/// The functions, arithmetic operators and comparisons on
/// `@timestamp` that `query` uses.
fn features(query: &str) -> BTreeSet<String> {
    use eqlc::ast::{Expr, ExprKind, QueryBody, UnaryOp};

    let mut found = BTreeSet::new();
    let Ok(parsed) = eqlc::parse::parse_query(query) else {
        return found;
    };
    let QueryBody::Event(event) = &parsed.body else {
        return found;
    };
    let mut pending: Vec<&Expr> = vec![&event.condition];
    while let Some(expr) = pending.pop() {
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Lineage { .. } => {}
            ExprKind::Call {
                name,
                insensitive,
                args,
            } => {
                let tilde = if *insensitive { "~" } else { "" };
                found.insert(format!(
                    "function `{}{tilde}`",
                    name.node.to_ascii_lowercase()
                ));
                pending.extend(args);
            }
            ExprKind::Unary { op, operand } => {
                let sign = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                };
                found.insert(format!("unary `{sign}`"));
                pending.push(operand);
            }
            ExprKind::Arith { op, lhs, rhs } => {
                found.insert(format!("arithmetic `{op}`"));
                pending.extend([&**lhs, &**rhs]);
            }
            ExprKind::Compare { lhs, rhs, .. } => {
                for side in [&**lhs, &**rhs] {
                    if let ExprKind::Field(field) = &side.kind {
                        if field.path() == suites::TIMESTAMP_FIELD {
                            found.insert(format!("comparison on `{}`", suites::TIMESTAMP_FIELD));
                        }
                    }
                }
                pending.extend([&**lhs, &**rhs]);
            }
            ExprKind::In { value, list, .. } => {
                pending.push(value);
                pending.extend(list);
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                pending.push(value);
                pending.extend(patterns);
            }
            ExprKind::Not(operand) => pending.push(operand),
            ExprKind::And(lhs, rhs) | ExprKind::Or(lhs, rhs) => pending.extend([&**lhs, &**rhs]),
        }
    }
    found
}
