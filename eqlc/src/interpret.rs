//! The reference interpreter: walks the optimised IR over an event.
//!
//! It evaluates exactly what the emitted code evaluates, with the same
//! primitives from `eql-core`, but reads fields by path at run time and
//! builds regular expressions when a rule is loaded. It is the oracle of the
//! differential tests and the engine of `eqlc run`; it is not fast.
//!
//! [`eval_scalar`] also folds constant expressions at compile time.

use std::collections::HashMap;

use eql_core::date;
use eql_core::event::{Fields, resolve};
use eql_core::ops::{self, Comparison, bool3, with_value};
use eql_core::scalar::{self as values, Text};
use eql_core::text::{self, PatternKind};
use eql_core::value::Value;
use eql_core::version;

use crate::ast::CompareOp;
use crate::ir::{Cond, Constant, EventFilter, FieldId, Function, Scalar, Test, ValuePred};
use crate::lower::arith_function;

/// Something whose fields can be read by path.
pub trait FieldSource {
    /// Calls `visit` on each value at `path` until it returns `true`;
    /// returns whether it did.
    fn any_value_at(&self, path: &str, visit: &mut dyn FnMut(Value<'_>) -> bool) -> bool;
}

/// Any [`Fields`] type, read by resolving the path on each access.
#[derive(Debug)]
pub struct Typed<'e, E: ?Sized>(pub &'e E);

impl<E: Fields + ?Sized> FieldSource for Typed<'_, E> {
    fn any_value_at(&self, path: &str, visit: &mut dyn FnMut(Value<'_>) -> bool) -> bool {
        match resolve(&E::SHAPE, path) {
            Some(slot) => self.0.any_value(slot, &mut |value| visit(value)),
            None => false,
        }
    }
}

impl FieldSource for eql_core::json::DocumentView<'_> {
    fn any_value_at(&self, path: &str, visit: &mut dyn FnMut(Value<'_>) -> bool) -> bool {
        eql_core::json::DocumentView::any_value_at(self, path, &mut |value| visit(value))
    }
}

/// Compiled regular expressions, by their translated pattern.
type Regexes = HashMap<String, regex::Regex>;

/// A rule loaded for interpretation.
#[derive(Debug)]
pub struct Interpreter {
    filter: EventFilter,
    regexes: Regexes,
}

impl Interpreter {
    /// Prepares `filter`; fails only if one of its regular expressions does
    /// not compile, which lowering has already ruled out.
    pub fn new(filter: EventFilter) -> Result<Interpreter, regex::Error> {
        let mut regexes = HashMap::new();
        let mut conds = vec![&filter.condition];
        while let Some(cond) = conds.pop() {
            match cond {
                Cond::And(inner) | Cond::Or(inner) => conds.extend(inner),
                Cond::Test(test) => collect_regexes(&test.preds, &mut regexes)?,
                Cond::Expr { expr, .. } => collect_scalar_regexes(expr, &mut regexes)?,
                Cond::Const(_) => {}
            }
        }
        Ok(Interpreter { filter, regexes })
    }

    pub fn filter(&self) -> &EventFilter {
        &self.filter
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &dyn FieldSource) -> bool {
        self.eval(&self.filter.condition, event)
    }

    fn eval(&self, cond: &Cond, event: &dyn FieldSource) -> bool {
        match cond {
            Cond::Const(b) => *b,
            Cond::And(conds) => conds.iter().all(|c| self.eval(c, event)),
            Cond::Or(conds) => conds.iter().any(|c| self.eval(c, event)),
            Cond::Test(test) => self.eval_test(test, event),
            Cond::Expr { expr, negated } => {
                let fields = expr.fields();
                let mut bound = Vec::with_capacity(fields.len());
                let found = self.any_binding(expr, &fields, &mut bound, event);
                found != *negated
            }
        }
    }

    fn eval_test(&self, test: &Test, event: &dyn FieldSource) -> bool {
        let path = &self.filter.fields.get(test.field).path;
        let found = event.any_value_at(path, &mut |value| {
            test.preds
                .iter()
                .any(|pred| eval_pred(pred, value, &self.regexes))
        });
        found != test.negated
    }

    /// Whether some choice of one value per field (null for a missing one)
    /// makes `expr` true. `bound` holds the choices made so far for the
    /// first `bound.len()` fields.
    fn any_binding(
        &self,
        expr: &Scalar,
        fields: &[FieldId],
        bound: &mut Vec<(FieldId, values::Scalar<'static>)>,
        event: &dyn FieldSource,
    ) -> bool {
        let Some((&field, rest)) = fields.split_first() else {
            let lookup = |id: FieldId| {
                bound
                    .iter()
                    .find(|(bound_id, _)| *bound_id == id)
                    .map(|(_, value)| value.clone())
                    .unwrap_or(values::Scalar::Null)
            };
            return eval_scalar_with(expr, &lookup, &self.regexes).as_bool() == Some(true);
        };
        let path = &self.filter.fields.get(field).path;
        let mut any_value = false;
        let found = event.any_value_at(path, &mut |value| {
            any_value = true;
            bound.push((field, values::Scalar::from_value(value).into_owned()));
            let found = self.any_binding(expr, rest, bound, event);
            bound.pop();
            found
        });
        if found {
            return true;
        }
        if any_value {
            return false;
        }
        bound.push((field, values::Scalar::Null));
        let found = self.any_binding(expr, rest, bound, event);
        bound.pop();
        found
    }
}

/// Evaluates a value predicate on one value.
pub fn eval_pred(pred: &ValuePred, value: Value<'_>, regexes: &Regexes) -> bool {
    match pred {
        ValuePred::Exists => true,
        ValuePred::Bool(b) => value == Value::Bool(*b),
        ValuePred::Numbers(numbers) => ops::number_in(value, numbers),
        ValuePred::Strings {
            values,
            insensitive,
        } => ops::with_text(value, |s| {
            values.iter().any(|v| text::equals(s, v, *insensitive))
        }),
        ValuePred::Wildcards {
            patterns,
            insensitive,
        } => ops::with_text(value, |s| {
            patterns
                .iter()
                .any(|pattern| wildcard(pattern, s, *insensitive))
        }),
        ValuePred::Regex(set) => ops::with_text(value, |s| {
            regexes
                .get(&set.translated)
                .is_some_and(|regex| regex.is_match(s))
        }),
        ValuePred::Compare { op, constant } => {
            let op = comparison(*op);
            match constant {
                Constant::Number(n) => ops::compare_number(value, op, *n),
                Constant::String(s) => ops::compare_text(value, op, s),
                Constant::Bool(_) | Constant::Null => false,
            }
        }
        ValuePred::Cidr(blocks) => ops::ip_in(value, blocks),
        ValuePred::Date {
            op,
            resolution,
            range,
        } => date::compare(value, *resolution, comparison(*op), *range),
        ValuePred::Version { op, constant } => version::compare(value, comparison(*op), constant),
    }
}

/// Evaluates a scalar whose fields read as `bindings` (for constant folding,
/// an expression with no field).
pub fn eval_scalar<'a>(
    scalar: &'a Scalar,
    bindings: &dyn Fn(FieldId) -> values::Scalar<'a>,
) -> values::Scalar<'a> {
    let mut regexes = HashMap::new();
    // Lowering has compiled every pattern already; one that failed here
    // would only make its predicate false.
    let _ = collect_scalar_regexes(scalar, &mut regexes);
    eval_scalar_with(scalar, bindings, &regexes)
}

fn eval_scalar_with<'a>(
    scalar: &'a Scalar,
    bindings: &dyn Fn(FieldId) -> values::Scalar<'a>,
    regexes: &Regexes,
) -> values::Scalar<'a> {
    let eval = |inner: &'a Scalar| eval_scalar_with(inner, bindings, regexes);
    match scalar {
        Scalar::Constant(constant) => constant_value(constant),
        Scalar::Field(id) => bindings(*id),
        Scalar::Neg(inner) => values::negate(&eval(inner)),
        Scalar::Arith { op, lhs, rhs } => call(arith_function(*op), false, &[eval(lhs), eval(rhs)]),
        Scalar::Compare { op, lhs, rhs } => {
            bool3(values::satisfies(&eval(lhs), comparison(*op), &eval(rhs)))
        }
        Scalar::IsNull(inner) => values::Scalar::Bool(eval(inner).is_null()),
        Scalar::Not(inner) => bool3(values::not3(eval(inner).as_bool())),
        Scalar::And(lhs, rhs) => bool3(values::and3(eval(lhs).as_bool(), eval(rhs).as_bool())),
        Scalar::Or(lhs, rhs) => bool3(values::or3(eval(lhs).as_bool(), eval(rhs).as_bool())),
        Scalar::Match { value, preds } => {
            let value = eval(value);
            with_value(&value, |value| {
                preds.iter().any(|pred| eval_pred(pred, value, regexes))
            })
        }
        Scalar::Call {
            function,
            insensitive,
            args,
        } => {
            let args: Vec<values::Scalar<'a>> = args.iter().map(eval).collect();
            call(*function, *insensitive, &args)
        }
    }
}

/// Calls `function` on evaluated arguments. The arity was checked when
/// lowering; a missing argument reads as null.
pub fn call<'a>(
    function: Function,
    insensitive: bool,
    args: &[values::Scalar<'a>],
) -> values::Scalar<'a> {
    let null = values::Scalar::Null;
    let arg = |index: usize| args.get(index).unwrap_or(&null);
    let optional = |index: usize| args.get(index);
    match function {
        Function::Add => values::add(arg(0), arg(1)),
        Function::Subtract => values::subtract(arg(0), arg(1)),
        Function::Multiply => values::multiply(arg(0), arg(1)),
        Function::Divide => values::divide(arg(0), arg(1)),
        Function::Modulo => values::modulo(arg(0), arg(1)),
        Function::Between => {
            let greedy = arg(3).as_bool().unwrap_or(false);
            values::between(arg(0), arg(1), arg(2), greedy, insensitive)
        }
        Function::CidrMatch => {
            let blocks: Vec<&str> = args[1.min(args.len())..]
                .iter()
                .filter_map(values::Scalar::as_str)
                .collect();
            values::cidr_match(arg(0), &blocks)
        }
        Function::Concat => values::concat(args),
        Function::EndsWith => values::ends_with(arg(0), arg(1), insensitive),
        Function::StartsWith => values::starts_with(arg(0), arg(1), insensitive),
        Function::StringContains => values::string_contains(arg(0), arg(1), insensitive),
        Function::IndexOf => values::index_of(arg(0), arg(1), optional(2), insensitive),
        Function::Length => values::length(arg(0)),
        Function::Number => values::number(arg(0), optional(1)),
        Function::String => values::string(arg(0)),
        Function::Substring => values::substring(arg(0), arg(1), optional(2)),
    }
}

fn constant_value(constant: &Constant) -> values::Scalar<'_> {
    match constant {
        Constant::Null => values::Scalar::Null,
        Constant::Bool(b) => values::Scalar::Bool(*b),
        Constant::Number(n) => values::Scalar::Number(*n),
        Constant::String(s) => values::Scalar::Str(Text::Borrowed(s)),
    }
}

fn collect_regexes(preds: &[ValuePred], regexes: &mut Regexes) -> Result<(), regex::Error> {
    for pred in preds {
        if let ValuePred::Regex(set) = pred {
            if !regexes.contains_key(&set.translated) {
                regexes.insert(set.translated.clone(), regex::Regex::new(&set.translated)?);
            }
        }
    }
    Ok(())
}

fn collect_scalar_regexes(scalar: &Scalar, regexes: &mut Regexes) -> Result<(), regex::Error> {
    let mut pending = vec![scalar];
    while let Some(scalar) = pending.pop() {
        match scalar {
            Scalar::Constant(_) | Scalar::Field(_) => {}
            Scalar::Neg(inner) | Scalar::IsNull(inner) | Scalar::Not(inner) => pending.push(inner),
            Scalar::Arith { lhs, rhs, .. }
            | Scalar::Compare { lhs, rhs, .. }
            | Scalar::And(lhs, rhs)
            | Scalar::Or(lhs, rhs) => {
                pending.push(lhs);
                pending.push(rhs);
            }
            Scalar::Match { value, preds } => {
                collect_regexes(preds, regexes)?;
                pending.push(value);
            }
            Scalar::Call { args, .. } => pending.extend(args),
        }
    }
    Ok(())
}

/// Matches a wildcard pattern through the general matcher, except for the
/// shapes generated code special-cases, which are checked the same way here
/// so that a bug in either path shows up as a disagreement.
fn wildcard(pattern: &str, value: &str, insensitive: bool) -> bool {
    match text::classify(pattern) {
        PatternKind::Length { min, exact } => text::has_length(value, min, exact),
        _ => text::wildcard_match(pattern, value, insensitive),
    }
}

/// The runtime form of a comparison operator.
pub fn comparison(op: CompareOp) -> Comparison {
    match op {
        CompareOp::Eq => Comparison::Equal,
        CompareOp::Ne => Comparison::NotEqual,
        CompareOp::Lt => Comparison::Less,
        CompareOp::Le => Comparison::LessOrEqual,
        CompareOp::Gt => Comparison::Greater,
        CompareOp::Ge => Comparison::GreaterOrEqual,
    }
}
