//! Lowering of sequences and samples: each step as an event query, its
//! join keys as fields, `runs` written out, `maxspan` in nanoseconds.

use eql_core::pipe::Pipe;

use super::check::{maxspan_nanos, runs};
use super::{KeyField, SamplePlan, SequencePlan, Step};
use crate::ast::{self, EventQuery, Expr, ExprKind, Span};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::EventFilter;
use crate::lower::{Options, lower_event_query};

/// The `head`/`tail` pipes of a checked query.
pub fn lower_pipes(pipes: &[ast::Pipe]) -> Vec<Pipe> {
    pipes
        .iter()
        .filter_map(|pipe| {
            let count = crate::check::pipe_count(pipe)?;
            Some(match pipe.name.node.as_str() {
                "head" => Pipe::Head(count),
                _ => Pipe::Tail(count),
            })
        })
        .collect()
}

/// Lowers a checked sequence.
pub fn lower_sequence(
    sequence: &ast::Sequence,
    pipes: Vec<Pipe>,
    options: &Options,
) -> Result<SequencePlan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut steps = Vec::new();
    for (written, step) in sequence.steps.iter().enumerate() {
        let Some(lowered) = lower_step(
            &step.query,
            &sequence.by,
            &step.by,
            step.missing,
            written,
            step.span,
            options,
            &mut diagnostics,
        ) else {
            continue;
        };
        let repeat = runs(&step.params).unwrap_or(1);
        for _ in 1..repeat {
            steps.push(lowered.clone());
        }
        steps.push(lowered);
    }
    let until = sequence.until.as_ref().and_then(|until| {
        lower_step(
            &until.query,
            &sequence.by,
            &until.by,
            false,
            sequence.steps.len(),
            until.span,
            options,
            &mut diagnostics,
        )
    });
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(SequencePlan {
        key_count: steps.first().map_or(0, |step| step.keys.len()),
        steps,
        until,
        maxspan: sequence.maxspan.as_ref().and_then(maxspan_nanos),
        pipes,
        timestamp_field: options.timestamp_field.clone(),
        tiebreaker_field: options.tiebreaker_field.clone(),
    })
}

/// Lowers a checked sample.
pub fn lower_sample(
    sample: &ast::Sample,
    pipes: Vec<Pipe>,
    options: &Options,
) -> Result<SamplePlan, Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let filters: Vec<Step> = sample
        .terms
        .iter()
        .enumerate()
        .filter_map(|(written, term)| {
            lower_step(
                &term.query,
                &sample.by,
                &term.by,
                false,
                written,
                term.span,
                options,
                &mut diagnostics,
            )
        })
        .collect();
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(SamplePlan {
        key_count: filters.first().map_or(0, |step| step.keys.len()),
        filters,
        pipes,
    })
}

/// One step: its condition as an event query, then optimised; its keys.
#[allow(
    clippy::too_many_arguments,
    reason = "the parts of a step differ between sequences and samples"
)]
fn lower_step(
    query: &EventQuery,
    shared_keys: &[Expr],
    own_keys: &[Expr],
    missing: bool,
    written: usize,
    span: Span,
    options: &Options,
    diagnostics: &mut Diagnostics,
) -> Option<Step> {
    let filter = match lower_event_query(query, options) {
        Ok(filter) => filter,
        Err(errors) => {
            diagnostics.extend(errors);
            return None;
        }
    };
    let filter = EventFilter {
        condition: crate::optimise::optimise(filter.condition),
        fields: filter.fields,
    };
    let keys = shared_keys
        .iter()
        .chain(own_keys)
        .filter_map(|key| match &key.kind {
            ExprKind::Field(field) => Some(KeyField {
                path: field.path(),
                optional: field.optional,
                span: key.span,
            }),
            _ => {
                // The checker refuses it; this keeps lowering total.
                diagnostics.push(Diagnostic::error(key.span, "join keys must be fields"));
                None
            }
        })
        .collect();
    Some(Step {
        filter,
        keys,
        missing,
        written,
        span,
    })
}
