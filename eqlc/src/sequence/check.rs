//! Checks of sequence and sample queries: what Elasticsearch's parser and
//! verifier refuse. Each check is a function preceded by the rule it
//! enforces, called in order from [`check_sequence`] or [`check_sample`].

use crate::ast::{Expr, ExprKind, MaxSpan, Sample, Sequence, SequenceStep, StepParam};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// The units `maxspan` accepts, with their length in nanoseconds.
const UNITS: [(&str, u64); 5] = [
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 3600 * 1_000_000_000),
    ("d", 86_400 * 1_000_000_000),
];

/// The bounds of `with runs=N`.
pub const RUNS: std::ops::RangeInclusive<u64> = 1..=100;

/// Runs every check on a sequence.
pub fn check_sequence(sequence: &Sequence, diagnostics: &mut Diagnostics) {
    check_by_before_with(sequence, diagnostics);
    check_step_count(sequence, diagnostics);
    check_key_counts(
        sequence.by.len(),
        sequence
            .steps
            .iter()
            .chain(&sequence.until)
            .map(|step| (step.by.len(), step.span)),
        diagnostics,
    );
    for key in sequence.by.iter().chain(
        sequence
            .steps
            .iter()
            .chain(&sequence.until)
            .flat_map(|s| &s.by),
    ) {
        check_key_is_field(key, diagnostics);
    }
    if let Some(maxspan) = &sequence.maxspan {
        check_maxspan(maxspan, diagnostics);
    }
    for step in &sequence.steps {
        check_step_params(&step.params, diagnostics);
    }
    if let Some(param) = sequence.until.iter().flat_map(|until| &until.params).next() {
        diagnostics.push(
            Diagnostic::error(param.span, "an `until` step takes no parameters")
                .with_help("remove the `with` after the `until` step"),
        );
    }
    check_missing_steps(sequence, diagnostics);
}

/// Runs every check on a sample.
pub fn check_sample(sample: &Sample, diagnostics: &mut Diagnostics) {
    if sample.terms.len() < 2 {
        diagnostics.push(
            Diagnostic::error(sample.span, "a sample needs at least two filters")
                .with_help("add another `[category where condition]`"),
        );
    }
    check_key_counts(
        sample.by.len(),
        sample.terms.iter().map(|term| (term.by.len(), term.span)),
        diagnostics,
    );
    for key in sample
        .by
        .iter()
        .chain(sample.terms.iter().flat_map(|t| &t.by))
    {
        check_key_is_field(key, diagnostics);
    }
    // A sample has no order, so nothing can be missing.
    for term in sample.terms.iter().filter(|term| term.missing) {
        diagnostics.push(
            Diagnostic::error(
                term.span,
                "missing-event filters (`![…]`) are not allowed in samples",
            )
            .with_help("use `[…]`; missing events are a feature of sequences"),
        );
    }
}

/// `sequence by k with maxspan=…`: Elasticsearch refuses `with` before
/// `by`.
fn check_by_before_with(sequence: &Sequence, diagnostics: &mut Diagnostics) {
    if let Some(span) = sequence.with_before_by {
        diagnostics.push(
            Diagnostic::error(span, "`by` must come before `with maxspan` in a sequence")
                .with_help("write `sequence by key with maxspan=…`"),
        );
    }
}

/// A sequence has at least two steps once `runs` are written out (the
/// `until` does not count): `[…] with runs=2` alone is a sequence.
fn check_step_count(sequence: &Sequence, diagnostics: &mut Diagnostics) {
    let steps: u64 = sequence
        .steps
        .iter()
        .map(|step| runs(&step.params).unwrap_or(1))
        .sum();
    if steps < 2 {
        diagnostics.push(
            Diagnostic::error(sequence.span, "a sequence needs at least two steps")
                .with_help("for a single event, write the event query without `sequence`"),
        );
    }
}

/// Every step has as many join keys as the first (the query's `by` keys
/// plus its own).
fn check_key_counts(
    shared: usize,
    steps: impl Iterator<Item = (usize, crate::ast::Span)>,
    diagnostics: &mut Diagnostics,
) {
    let mut first: Option<usize> = None;
    for (own, span) in steps {
        let count = shared + own;
        match first {
            None => first = Some(count),
            Some(expected) if expected != count => diagnostics.push(
                Diagnostic::error(
                    span,
                    format!(
                        "inconsistent number of join keys: this step has {count}, \
                         the first step has {expected}"
                    ),
                )
                .with_help("give every step the same number of `by` keys"),
            ),
            Some(_) => {}
        }
    }
}

/// Join keys are fields: Elasticsearch does not join on computed values.
fn check_key_is_field(key: &Expr, diagnostics: &mut Diagnostics) {
    if !matches!(key.kind, ExprKind::Field(_)) {
        diagnostics.push(
            Diagnostic::error(key.span, "join keys must be fields")
                .with_help("write a field name after `by`, such as `by host.id`"),
        );
    }
}

/// `maxspan` is a positive integer with a unit of `ms`, `s`, `m`, `h` or
/// `d`.
fn check_maxspan(maxspan: &MaxSpan, diagnostics: &mut Diagnostics) {
    let Some(unit) = &maxspan.unit else {
        diagnostics.push(
            Diagnostic::error(maxspan.span, "`maxspan` needs a time unit")
                .with_help(format!("write a unit after the number: {}", unit_list())),
        );
        return;
    };
    if !UNITS.iter().any(|(name, _)| *name == unit.node) {
        diagnostics.push(
            Diagnostic::error(unit.span, format!("unknown time unit `{}`", unit.node))
                .with_help(format!("`maxspan` takes {}", unit_list())),
        );
        return;
    }
    let digits = &maxspan.value.node;
    let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    // Digits alone that do not fit a `u64` are a positive integer too, and
    // too long.
    if !whole || digits.parse::<u64>() == Ok(0) {
        diagnostics.push(
            Diagnostic::error(maxspan.value.span, "`maxspan` must be a positive integer")
                .with_help("use a smaller unit for fractions: `500ms`, not `0.5s`"),
        );
    } else if maxspan_nanos(maxspan).is_none() {
        diagnostics.push(Diagnostic::error(
            maxspan.value.span,
            "`maxspan` is too long: at most 213503 days",
        ));
    }
}

fn unit_list() -> String {
    UNITS
        .iter()
        .map(|(name, _)| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `maxspan` in nanoseconds, if valid.
pub fn maxspan_nanos(maxspan: &MaxSpan) -> Option<u64> {
    let unit = maxspan.unit.as_ref()?;
    let (_, scale) = UNITS.iter().find(|(name, _)| *name == unit.node)?;
    let value: u64 = maxspan.value.node.parse().ok().filter(|v| *v > 0)?;
    // Timestamps are i64 nanoseconds, so a longer span means nothing more.
    value
        .checked_mul(*scale)
        .filter(|nanos| *nanos <= i64::MAX as u64)
}

/// The only step parameter is `runs`, an integer from 1 to 100.
fn check_step_params(params: &[StepParam], diagnostics: &mut Diagnostics) {
    for param in params {
        if param.name.node != "runs" {
            diagnostics.push(
                Diagnostic::error(
                    param.name.span,
                    format!("unknown step parameter `{}`", param.name.node),
                )
                .with_help("a step takes only `with runs=N`"),
            );
        } else if runs(std::slice::from_ref(param)).is_none() {
            diagnostics.push(
                Diagnostic::error(
                    param.value.span,
                    format!(
                        "`runs` must be an integer from {} to {}",
                        RUNS.start(),
                        RUNS.end()
                    ),
                )
                .with_help("write `with runs=3`"),
            );
        }
    }
}

/// How many times a step repeats: its valid `runs`, else once.
pub fn runs(params: &[StepParam]) -> Option<u64> {
    match params {
        [] => Some(1),
        [param] if param.name.node == "runs" => param
            .value
            .node
            .parse::<u64>()
            .ok()
            .filter(|n| RUNS.contains(n)),
        _ => None,
    }
}

/// Missing-event steps need `maxspan` and a step that is not missing, and
/// cannot be the `until`.
fn check_missing_steps(sequence: &Sequence, diagnostics: &mut Diagnostics) {
    let missing: Vec<&SequenceStep> = sequence.steps.iter().filter(|s| s.missing).collect();
    if let Some(first) = missing.first() {
        if sequence.maxspan.is_none() {
            diagnostics.push(
                Diagnostic::error(first.span, "missing-event steps need `with maxspan`")
                    .with_help("write `sequence with maxspan=5m` (any span)"),
            );
        }
        if missing.len() == sequence.steps.len() {
            diagnostics.push(
                Diagnostic::error(sequence.span, "a sequence needs a step that is not missing")
                    .with_help("write at least one step as `[…]`"),
            );
        }
    }
    if let Some(until) = sequence.until.as_ref().filter(|until| until.missing) {
        diagnostics.push(
            Diagnostic::error(until.span, "an `until` step cannot be missing")
                .with_help("write `until [category where condition]`"),
        );
    }
}
