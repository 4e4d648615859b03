//! A readable account of what a compiled rule checks, in the order it checks
//! it: the lowered and optimised condition, with the sets and patterns that
//! were merged and how each will be tested.

use std::fmt::Write;

use eql_core::text::{self, PatternKind};

use crate::Compiled;
use crate::ir::{Cond, Constant, FieldTable, Scalar, Test, ValuePred};

/// The explanation of `compiled`, as indented text.
pub fn explain(compiled: &Compiled) -> String {
    let filter = &compiled.filter;
    let mut out = String::new();
    let _ = writeln!(out, "fields read ({}):", filter.fields.len());
    for field in &filter.fields.fields {
        let optional = if field.optional { " (optional)" } else { "" };
        let _ = writeln!(out, "  {}{optional}", field.path);
    }
    let _ = writeln!(out, "condition, cheapest checks first:");
    explain_cond(&filter.condition, &filter.fields, 1, &mut out);
    if !compiled.pipes.is_empty() {
        let _ = writeln!(out, "pipes: {:?}", compiled.pipes);
    }
    out
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
            format!("equals one of {}", preview(&numbers))
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
            format!(
                "equals one of {} strings, {case} ({how}): {}",
                values.len(),
                preview(&quoted)
            )
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
                    PatternKind::Length { min, exact: true } => format!("exactly {min} characters"),
                    PatternKind::Length { min, exact: false } => {
                        format!("at least {min} characters ({pattern:?})")
                    }
                    PatternKind::General => format!("{pattern:?} (wildcard)"),
                })
                .collect();
            format!(
                "matches one of {} patterns, {}: {}",
                patterns.len(),
                case_word(*insensitive),
                preview(&kinds)
            )
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
