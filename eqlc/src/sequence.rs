//! Sequences and samples: queries over several events.
//!
//! A `sequence` or `sample` query goes through the same stages as an event
//! query, step by step, and adds a plan of how the steps join:
//!
//! ```text
//! ast::Sequence ─check─▶ (vetted) ─lower─▶ SequencePlan ─emit─▶ a stateful Rust type
//!                                                     └─interpret─▶ the same engine
//! ```
//!
//! - [`check`] enforces what Elasticsearch validates in these queries
//!   (`by` before `with`, as many keys on every step, `maxspan` units, `runs`
//!   bounds, missing steps, nothing of sequences in samples);
//! - [`lower`] lowers each step's `category where condition` exactly as an
//!   event query ([`crate::lower::lower_event_query`], then
//!   [`crate::optimise`]), resolves the join keys, expands `with runs=N`
//!   and converts `maxspan` to nanoseconds;
//! - [`emit`] writes a type that evaluates each step's condition with the
//!   code of event rules and feeds `eql_core::sequence` (or `sample`);
//! - [`interpret`] evaluates the same steps with the interpreter and feeds
//!   the same engine;
//! - [`pack`] compiles a folder's sequence and sample rules into one module.
//!
//! The engines in `eql-core` hold the semantics of joining; this module only
//! says what each event offers them.

pub mod check;
pub mod emit;
pub mod interpret;
pub mod lower;
pub mod pack;

use eql_core::pipe::Pipe;

use crate::ast::{self, Span};
use crate::diagnostic::Diagnostics;
use crate::ir::EventFilter;
use crate::lower::Options;

/// A lowered sequence query.
#[derive(Clone, Debug, PartialEq)]
pub struct SequencePlan {
    /// The steps in order, `with runs=N` written out N times.
    pub steps: Vec<Step>,
    pub until: Option<Step>,
    /// The longest a sequence may last, in nanoseconds.
    pub maxspan: Option<u64>,
    /// How many join keys every step has.
    pub key_count: usize,
    pub pipes: Vec<Pipe>,
    /// The fields that order events.
    pub timestamp_field: String,
    pub tiebreaker_field: Option<String>,
}

/// A lowered sample query.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplePlan {
    /// One per filter; none is missing.
    pub filters: Vec<Step>,
    pub key_count: usize,
    pub pipes: Vec<Pipe>,
}

/// One step of a sequence (or filter of a sample).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The step's `category where condition`, lowered and optimised.
    pub filter: EventFilter,
    /// Its join keys: the query's `by` keys, then the step's own.
    pub keys: Vec<KeyField>,
    /// `![…]`: a missing-event step.
    pub missing: bool,
    /// The index of the step as written, before `runs` was expanded: steps
    /// with the same index share a condition and keys.
    pub written: usize,
    pub span: Span,
}

/// A join key: a field, read as a set of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyField {
    pub path: String,
    /// Written `?path`: no value gives the key `null` instead of dropping
    /// the event.
    pub optional: bool,
    pub span: Span,
}

/// What a query compiled into.
#[derive(Clone, Debug)]
pub enum CompiledQuery {
    Event(crate::Compiled),
    Sequence(CompiledSequence),
    Sample(CompiledSample),
}

impl CompiledQuery {
    /// The syntax tree, checked and desugared.
    pub fn query(&self) -> &ast::Query {
        match self {
            CompiledQuery::Event(compiled) => &compiled.query,
            CompiledQuery::Sequence(sequence) => &sequence.query,
            CompiledQuery::Sample(sample) => &sample.query,
        }
    }

    /// Problems that did not stop compilation.
    pub fn warnings(&self) -> &Diagnostics {
        match self {
            CompiledQuery::Event(compiled) => &compiled.warnings,
            CompiledQuery::Sequence(sequence) => &sequence.warnings,
            CompiledQuery::Sample(sample) => &sample.warnings,
        }
    }
}

/// A sequence query that compiled.
#[derive(Clone, Debug)]
pub struct CompiledSequence {
    pub query: ast::Query,
    pub plan: SequencePlan,
    pub warnings: Diagnostics,
}

/// A sample query that compiled.
#[derive(Clone, Debug)]
pub struct CompiledSample {
    pub query: ast::Query,
    pub plan: SamplePlan,
    pub warnings: Diagnostics,
}

impl SequencePlan {
    /// The engine's view of the steps.
    pub fn spec(&self) -> Result<eql_core::sequence::SequenceSpec, eql_core::sequence::SpecError> {
        let steps = self
            .steps
            .iter()
            .map(|step| {
                if step.missing {
                    eql_core::sequence::Step::Missing
                } else {
                    eql_core::sequence::Step::Event
                }
            })
            .collect();
        eql_core::sequence::SequenceSpec::new(
            steps,
            self.key_count,
            self.maxspan,
            self.until.is_some(),
            self.pipes.clone(),
        )
    }

    /// The steps as written, one per `written` index, with the until last.
    pub fn written_steps(&self) -> Vec<&Step> {
        let mut written: Vec<&Step> = Vec::new();
        for step in &self.steps {
            if written
                .last()
                .is_none_or(|last| last.written != step.written)
            {
                written.push(step);
            }
        }
        written.extend(&self.until);
        written
    }
}

impl SamplePlan {
    /// The engine's view of the filters.
    pub fn spec(&self) -> eql_core::sample::SampleSpec {
        eql_core::sample::SampleSpec::new(self.filters.len(), self.key_count, self.pipes.clone())
    }
}

/// Every ECS path a plan reads: the steps' fields, the keys, and the fields
/// that order events; sorted, without duplicates.
pub fn plan_paths<'a>(
    steps: impl IntoIterator<Item = &'a Step>,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut paths: Vec<&str> = Vec::new();
    for step in steps {
        paths.extend(step.filter.fields.fields.iter().map(|f| f.path.as_str()));
        paths.extend(step.keys.iter().map(|key| key.path.as_str()));
    }
    paths.extend(extra.iter().copied());
    paths.sort_unstable();
    paths.dedup();
    paths
}

impl SequencePlan {
    /// Every ECS path the sequence reads, sorted.
    pub fn paths(&self) -> Vec<&str> {
        let mut extra = vec![self.timestamp_field.as_str()];
        extra.extend(self.tiebreaker_field.as_deref());
        plan_paths(self.steps.iter().chain(&self.until), &extra)
    }
}

impl SamplePlan {
    /// Every ECS path the sample reads, sorted.
    pub fn paths(&self) -> Vec<&str> {
        plan_paths(&self.filters, &[])
    }
}

/// Parses, checks and lowers any query: event, sequence or sample.
pub fn compile_query(text: &str, options: &Options) -> Result<CompiledQuery, Diagnostics> {
    // Parse.
    let mut query = crate::parse::parse_query(text).map_err(Diagnostics::from)?;

    // Check: what every query must satisfy, then what these must.
    let mut checked = crate::check::check_query(&query);
    match &query.body {
        ast::QueryBody::Sequence(sequence) => check::check_sequence(sequence, &mut checked),
        ast::QueryBody::Sample(sample) => check::check_sample(sample, &mut checked),
        ast::QueryBody::Event(_) | ast::QueryBody::Join(_) => {}
    }
    if checked.has_errors() {
        return Err(checked);
    }
    crate::desugar::desugar_query(&mut query);

    // Lower and optimise.
    let pipes = lower::lower_pipes(&query.pipes);
    match &query.body {
        ast::QueryBody::Sequence(sequence) => {
            let plan = lower::lower_sequence(sequence, pipes, options)?;
            Ok(CompiledQuery::Sequence(CompiledSequence {
                query,
                plan,
                warnings: checked,
            }))
        }
        ast::QueryBody::Sample(sample) => {
            let plan = lower::lower_sample(sample, pipes, options)?;
            Ok(CompiledQuery::Sample(CompiledSample {
                query,
                plan,
                warnings: checked,
            }))
        }
        ast::QueryBody::Event(_) | ast::QueryBody::Join(_) => {
            crate::compile(text, options).map(CompiledQuery::Event)
        }
    }
}

#[cfg(test)]
mod tests;
