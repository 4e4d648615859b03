//! The reference interpreter: walks the optimised IR over an event.
//!
//! It evaluates exactly what the emitted code evaluates, with the same
//! primitives from `eql-core`, but reads fields by path at run time and
//! builds regular expressions when a rule is loaded. It is the oracle of the
//! differential tests and the engine of `eqlc run`; it is not fast.

use std::collections::HashMap;

use eql_core::event::{Fields, resolve};
use eql_core::ops::{self, Comparison};
use eql_core::text::{self, PatternKind};
use eql_core::value::Value;

use crate::ast::CompareOp;
use crate::ir::{Cond, Constant, EventFilter, Test, ValuePred};

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

/// A rule loaded for interpretation.
#[derive(Debug)]
pub struct Interpreter {
    filter: EventFilter,
    regexes: HashMap<String, regex::Regex>,
}

impl Interpreter {
    /// Prepares `filter`; fails only if one of its regular expressions does
    /// not compile, which lowering has already ruled out.
    pub fn new(filter: EventFilter) -> Result<Interpreter, regex::Error> {
        let mut regexes = HashMap::new();
        let mut pending = vec![&filter.condition];
        while let Some(cond) = pending.pop() {
            match cond {
                Cond::And(conds) | Cond::Or(conds) => pending.extend(conds),
                Cond::Test(test) => {
                    for pred in &test.preds {
                        if let ValuePred::Regex(set) = pred {
                            regexes.insert(
                                set.translated.clone(),
                                regex::Regex::new(&set.translated)?,
                            );
                        }
                    }
                }
                Cond::Const(_) | Cond::Expr { .. } => {}
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
            // Expressions are rejected before this point until functions land.
            Cond::Expr { negated, .. } => *negated,
        }
    }

    fn eval_test(&self, test: &Test, event: &dyn FieldSource) -> bool {
        let path = &self.filter.fields.get(test.field).path;
        let found = event.any_value_at(path, &mut |value| {
            test.preds.iter().any(|pred| self.eval_pred(pred, value))
        });
        found != test.negated
    }

    fn eval_pred(&self, pred: &ValuePred, value: Value<'_>) -> bool {
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
                self.regexes
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
        }
    }
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

impl FieldSource for eql_core::json::DocumentView<'_> {
    fn any_value_at(&self, path: &str, visit: &mut dyn FnMut(Value<'_>) -> bool) -> bool {
        eql_core::json::DocumentView::any_value_at(self, path, &mut |value| visit(value))
    }
}
