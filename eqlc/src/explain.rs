//! A readable account of what a compiled rule checks, in the order it checks
//! it: the lowered and optimised condition, with the sets and patterns that
//! were merged and how each will be tested. A sequence or sample is
//! explained step by step, each step as an event rule, with how the steps
//! join.

use std::fmt::Write;

use eql_core::pipe::Pipe;
use eql_core::text::{self, PatternKind};

use crate::ir::{Cond, Constant, EventFilter, FieldTable, Scalar, Test, ValuePred};
use crate::sequence::{CompiledSample, CompiledSequence, KeyField, Step};
use crate::{Compiled, CompiledQuery, ast};

/// The explanation of `compiled`, as indented text.
pub fn explain(compiled: &Compiled) -> String {
    let mut out = String::new();
    explain_filter(&compiled.filter, 0, &mut out);
    explain_pipes(&compiled.pipes, &mut out);
    out
}

/// The explanation of any compiled query.
pub fn explain_query(compiled: &CompiledQuery) -> String {
    match compiled {
        CompiledQuery::Event(compiled) => explain(compiled),
        CompiledQuery::Sequence(sequence) => explain_sequence(sequence),
        CompiledQuery::Sample(sample) => explain_sample(sample),
    }
}

/// A sequence: how events are ordered and joined, then each step as written
/// with the engine stages it fills, then the `until` and the pipes.
pub fn explain_sequence(compiled: &CompiledSequence) -> String {
    let plan = &compiled.plan;
    let ast::QueryBody::Sequence(sequence) = &compiled.query.body else {
        return String::new();
    };
    let written = plan.written_steps().len() - usize::from(plan.until.is_some());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "sequence of {written} steps ({} stages once `runs` is written out), {}",
        plan.steps.len(),
        describe_key_count(plan.key_count)
    );
    let _ = write!(out, "events in order of {}", plan.timestamp_field);
    if let Some(tiebreaker) = &plan.tiebreaker_field {
        let _ = write!(out, ", then {tiebreaker}");
    }
    let _ = writeln!(out, "; a late or untimed event is refused");
    match &sequence.maxspan {
        Some(maxspan) => {
            let unit = maxspan.unit.as_ref().map_or("", |unit| unit.node.as_str());
            let _ = writeln!(
                out,
                "maxspan: {}{unit} from the first event, inclusive",
                maxspan.value.node
            );
        }
        None => {
            let _ = writeln!(out, "maxspan: none");
        }
    }

    // Each step as written, with the stages it fills.
    let mut stage = 0;
    let mut number = 0;
    while stage < plan.steps.len() {
        let step = &plan.steps[stage];
        let runs = plan.steps[stage..]
            .iter()
            .take_while(|other| other.written == step.written)
            .count();
        number += 1;
        let stages = if runs == 1 {
            format!("stage {}", stage + 1)
        } else {
            format!("stages {}-{}, runs={runs}", stage + 1, stage + runs)
        };
        let _ = writeln!(out, "step {number} ({stages}):");
        if step.missing {
            let _ = writeln!(out, "  {}", describe_missing(plan.steps.as_slice(), stage));
        }
        explain_step(step, &mut out);
        stage += runs;
    }
    if let Some(until) = &plan.until {
        let _ = writeln!(
            out,
            "until (drops the pending sequences of its key, after the event was tried as a step):"
        );
        explain_step(until, &mut out);
    }
    explain_pipes(&plan.pipes, &mut out);
    out
}

/// A sample: each filter as an event rule and its keys.
pub fn explain_sample(compiled: &CompiledSample) -> String {
    let plan = &compiled.plan;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "sample of {} filters, {}; one distinct event per filter, in any order",
        plan.filters.len(),
        describe_key_count(plan.key_count)
    );
    let _ = writeln!(
        out,
        "samples are known at the end of the input, listed in key order"
    );
    for (index, filter) in plan.filters.iter().enumerate() {
        let _ = writeln!(out, "filter {}:", index + 1);
        explain_step(filter, &mut out);
    }
    explain_pipes(&plan.pipes, &mut out);
    out
}

fn describe_key_count(key_count: usize) -> String {
    match key_count {
        0 => "no join key".to_owned(),
        1 => "joined by 1 key".to_owned(),
        n => format!("joined by {n} keys"),
    }
}

/// What a missing step at `stage` of `steps` rejects.
fn describe_missing(steps: &[Step], stage: usize) -> String {
    let positive = |index: &usize| !steps[*index].missing;
    let before = (0..stage).rev().find(positive);
    let after = (stage + 1..steps.len()).find(positive);
    match (before, after) {
        (Some(before), Some(after)) => format!(
            "missing: an event of the same key matching here between stages {} and {} \
             rejects the sequence",
            before + 1,
            after + 1
        ),
        (None, _) => "missing, leading: with the other leading and trailing missing steps, \
             rejects the sequence when each has a matching event of its key within maxspan"
            .to_owned(),
        (_, None) => "missing, trailing: with the other leading and trailing missing steps, \
             rejects the sequence when each has a matching event of its key within maxspan; \
             the sequence is reported once maxspan has passed or the input ends"
            .to_owned(),
    }
}

/// A step's keys and condition, indented under its heading.
fn explain_step(step: &Step, out: &mut String) {
    let keys: Vec<String> = step.keys.iter().map(describe_key).collect();
    if keys.is_empty() {
        let _ = writeln!(out, "  join keys: none");
    } else {
        let _ = writeln!(out, "  join keys: {}", keys.join(", "));
    }
    explain_filter(&step.filter, 1, out);
}

fn describe_key(key: &KeyField) -> String {
    if key.optional {
        format!("?{} (null when absent)", key.path)
    } else {
        key.path.clone()
    }
}

/// The fields a filter reads and its condition, at `depth` levels of indent.
fn explain_filter(filter: &EventFilter, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let _ = writeln!(out, "{indent}fields read ({}):", filter.fields.len());
    for field in &filter.fields.fields {
        let optional = if field.optional { " (optional)" } else { "" };
        let _ = writeln!(out, "{indent}  {}{optional}", field.path);
    }
    let _ = writeln!(out, "{indent}condition, cheapest checks first:");
    explain_cond(&filter.condition, &filter.fields, depth + 1, out);
}

fn explain_pipes(pipes: &[Pipe], out: &mut String) {
    if pipes.is_empty() {
        return;
    }
    let pipes: Vec<String> = pipes
        .iter()
        .map(|pipe| match pipe {
            Pipe::Head(n) => format!("head {n}"),
            Pipe::Tail(n) => format!("tail {n}"),
        })
        .collect();
    let _ = writeln!(out, "pipes: {}", pipes.join(" | "));
}

fn explain_cond(cond: &Cond, fields: &FieldTable, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match cond {
        Cond::Const(b) => {
            let _ = writeln!(out, "{indent}always {b}");
        }
        Cond::And(conds) | Cond::Or(conds) => {
            let word = if matches!(cond, Cond::And(_)) {
                "all of"
            } else {
                "any of"
            };
            let _ = writeln!(out, "{indent}{word}:");
            for cond in conds {
                explain_cond(cond, fields, depth + 1, out);
            }
        }
        Cond::Test(test) => explain_test(test, fields, &indent, out),
        Cond::Expr { expr, negated } => {
            let names: Vec<&str> = expr
                .fields()
                .iter()
                .map(|id| fields.get(*id).path.as_str())
                .collect();
            let verb = if *negated { "is not true" } else { "is true" };
            let _ = writeln!(
                out,
                "{indent}expression {verb} for some value of each of [{}] (script)",
                names.join(", ")
            );
            let _ = writeln!(out, "{indent}  {}", describe_scalar(expr, fields));
        }
    }
}

fn explain_test(test: &Test, fields: &FieldTable, indent: &str, out: &mut String) {
    let path = &fields.get(test.field).path;
    let quantifier = if test.negated {
        "no value"
    } else {
        "some value"
    };
    let _ = writeln!(out, "{indent}{quantifier} of {path}:");
    for pred in &test.preds {
        let _ = writeln!(out, "{indent}  {}", describe_pred(pred));
    }
}

fn describe_pred(pred: &ValuePred) -> String {
    match pred {
        ValuePred::Exists => "exists".into(),
        ValuePred::Bool(b) => format!("is {b}"),
        ValuePred::Numbers(numbers) => {
            let numbers: Vec<String> = numbers
                .iter()
                .map(|n| Constant::Number(*n).to_string())
                .collect();
            match numbers.as_slice() {
                [one] => format!("equals {one}"),
                _ => format!("equals one of {}", preview(&numbers)),
            }
        }
        ValuePred::Strings {
            values,
            insensitive,
        } => {
            let case = case_word(*insensitive);
            let how = if values.len() > 32 {
                "sorted table, binary search"
            } else {
                "match arms"
            };
            let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
            match values.len() {
                1 => format!("equals a string, {case}: {}", preview(&quoted)),
                n => format!(
                    "equals one of {n} strings, {case} ({how}): {}",
                    preview(&quoted)
                ),
            }
        }
        ValuePred::Wildcards {
            patterns,
            insensitive,
        } => {
            let kinds: Vec<String> = patterns
                .iter()
                .map(|pattern| match text::classify(pattern) {
                    PatternKind::Exact(s) => format!("{s:?} (equal)"),
                    PatternKind::Prefix(s) => format!("{s:?}… (prefix)"),
                    PatternKind::Suffix(s) => format!("…{s:?} (suffix)"),
                    PatternKind::Contains(s) => format!("…{s:?}… (substring)"),
                    PatternKind::Length { min, exact } => {
                        let noun = if min == 1 { "character" } else { "characters" };
                        if exact {
                            format!("exactly {min} {noun}")
                        } else {
                            format!("at least {min} {noun} ({pattern:?})")
                        }
                    }
                    PatternKind::General => format!("{pattern:?} (wildcard)"),
                })
                .collect();
            match patterns.len() {
                1 => format!(
                    "matches a pattern, {}: {}",
                    case_word(*insensitive),
                    preview(&kinds)
                ),
                n => format!(
                    "matches one of {n} patterns, {}: {}",
                    case_word(*insensitive),
                    preview(&kinds)
                ),
            }
        }
        ValuePred::Regex(set) => {
            let quoted: Vec<String> = set.sources.iter().map(|s| format!("{s:?}")).collect();
            format!(
                "matches a regular expression, {} (built once): {}",
                case_word(set.insensitive),
                preview(&quoted)
            )
        }
        ValuePred::Compare { op, constant } => format!("{op} {constant}"),
        ValuePred::Date {
            op,
            resolution,
            range,
        } => format!("as a date ({resolution:?}), {op} the range {range:?}"),
        ValuePred::Version { op, constant } => format!("as a version, {op} {constant:?}"),
        ValuePred::Cidr(blocks) => {
            let blocks: Vec<String> = blocks.iter().map(ToString::to_string).collect();
            format!("is an address in {}", preview(&blocks))
        }
    }
}

fn case_word(insensitive: bool) -> &'static str {
    if insensitive {
        "ASCII case-insensitive"
    } else {
        "case-sensitive"
    }
}

/// The first few items of a list, and how many more.
fn preview(items: &[impl std::fmt::Display]) -> String {
    const SHOWN: usize = 6;
    let shown: Vec<String> = items.iter().take(SHOWN).map(|i| i.to_string()).collect();
    let mut text = shown.join(", ");
    if items.len() > SHOWN {
        let _ = write!(text, ", … {} more", items.len() - SHOWN);
    }
    text
}

/// An expression written back in EQL-like notation.
fn describe_scalar(scalar: &Scalar, fields: &FieldTable) -> String {
    match scalar {
        Scalar::Constant(Constant::String(s)) => format!("{s:?}"),
        Scalar::Constant(constant) => constant.to_string(),
        Scalar::Field(id) => fields.get(*id).path.clone(),
        Scalar::Neg(inner) => format!("-{}", describe_scalar(inner, fields)),
        Scalar::Arith { op, lhs, rhs } => format!(
            "({} {op} {})",
            describe_scalar(lhs, fields),
            describe_scalar(rhs, fields)
        ),
        Scalar::Compare { op, lhs, rhs } => format!(
            "({} {op} {})",
            describe_scalar(lhs, fields),
            describe_scalar(rhs, fields)
        ),
        Scalar::IsNull(inner) => format!("({} == null)", describe_scalar(inner, fields)),
        Scalar::Not(inner) => format!("not {}", describe_scalar(inner, fields)),
        Scalar::And(lhs, rhs) => format!(
            "({} and {})",
            describe_scalar(lhs, fields),
            describe_scalar(rhs, fields)
        ),
        Scalar::Or(lhs, rhs) => format!(
            "({} or {})",
            describe_scalar(lhs, fields),
            describe_scalar(rhs, fields)
        ),
        Scalar::Match { value, preds } => {
            let preds: Vec<String> = preds.iter().map(describe_pred).collect();
            format!(
                "({} {})",
                describe_scalar(value, fields),
                preds.join(" or ")
            )
        }
        Scalar::Call {
            function,
            insensitive,
            args,
        } => {
            let args: Vec<String> = args.iter().map(|a| describe_scalar(a, fields)).collect();
            let tilde = if *insensitive { "~" } else { "" };
            format!("{}{tilde}({})", function.name(), args.join(", "))
        }
    }
}
