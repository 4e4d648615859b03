//! Lowering: from the checked syntax tree to the predicate IR of [`crate::ir`].
//!
//! Lowering resolves names (fields into the rule's field table, functions by
//! name), checks types where the operands are known, pushes `not` down to
//! the tests, flattens `and`/`or`, folds constants, and turns each operator
//! on a field into a [`Test`] with the value predicate it means in
//! Elasticsearch:
//!
//! | EQL                      | value predicate                         |
//! |--------------------------|-----------------------------------------|
//! | `f == "a"`, `f in (…)`   | `Strings`, case-sensitive               |
//! | `f in~ (…)`              | `Strings`, ASCII case-insensitive       |
//! | `f : "a"` (no wildcard)  | `Strings`, ASCII case-insensitive       |
//! | `f : "a*"`, `like~`      | `Wildcards`, ASCII case-insensitive     |
//! | `f like "a*"`            | `Wildcards`, case-sensitive             |
//! | `f regex "…"`, `regex~`  | `Regex`, translated from Lucene syntax  |
//! | `f != x`, `not …`        | the same test, negated                  |
//! | `f == null` / `f != null`| `Exists`, negated / plain               |

use eql_core::{Number, text};

use crate::ast::{self, CompareOp, Expr, ExprKind, Literal, MatchOp, Span};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::{Cond, Constant, EventFilter, FieldTable, RegexSet, Test, ValuePred};
use crate::lucene;

/// Settings that change what a query means, as in the `_eql/search` API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The field that `process where` tests (`event.category`; Elastic's
    /// `event_category_override` changes it per rule).
    pub category_field: String,
    /// The field events are ordered by (sequences).
    pub timestamp_field: String,
    /// The field that orders events with equal timestamps, if any.
    pub tiebreaker_field: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            category_field: "event.category".into(),
            timestamp_field: "@timestamp".into(),
            tiebreaker_field: None,
        }
    }
}

/// Lowers a single-event query.
pub fn lower_event_query(
    query: &ast::EventQuery,
    options: &Options,
) -> Result<EventFilter, Diagnostics> {
    let mut lowerer = Lowerer {
        fields: FieldTable::default(),
        diagnostics: Diagnostics::default(),
    };
    let category = match &query.category {
        ast::Category::Any(_) => Cond::Const(true),
        ast::Category::Named(name) => {
            let field = lowerer
                .fields
                .intern(&options.category_field, false, name.span);
            Cond::Test(Test {
                field,
                negated: false,
                preds: vec![ValuePred::Strings {
                    values: vec![name.node.clone()],
                    insensitive: false,
                }],
            })
        }
    };
    let condition = lowerer.lower_cond(&query.condition);
    if lowerer.diagnostics.has_errors() {
        return Err(lowerer.diagnostics);
    }
    Ok(EventFilter {
        condition: Cond::and(vec![category, condition]),
        fields: lowerer.fields,
    })
}

/// State of one lowering: the fields read so far and the problems found.
struct Lowerer {
    fields: FieldTable,
    diagnostics: Diagnostics,
}

impl Lowerer {
    fn error(&mut self, diagnostic: Diagnostic) -> Cond {
        self.diagnostics.push(diagnostic);
        Cond::Const(false)
    }

    /// Lowers an expression used as a condition.
    fn lower_cond(&mut self, expr: &Expr) -> Cond {
        match &expr.kind {
            ExprKind::And(..) => {
                let operands = chain(expr, |kind| match kind {
                    ExprKind::And(lhs, rhs) => Some((lhs, rhs)),
                    _ => None,
                });
                Cond::and(operands.into_iter().map(|e| self.lower_cond(e)).collect())
            }
            ExprKind::Or(..) => {
                let operands = chain(expr, |kind| match kind {
                    ExprKind::Or(lhs, rhs) => Some((lhs, rhs)),
                    _ => None,
                });
                Cond::or(operands.into_iter().map(|e| self.lower_cond(e)).collect())
            }
            ExprKind::Not(_) => {
                // Count a run of `not`s without recursing once per `not`.
                let mut inner = expr;
                let mut negations = 0usize;
                while let ExprKind::Not(operand) = &inner.kind {
                    inner = operand;
                    negations += 1;
                }
                let cond = self.lower_cond(inner);
                if negations % 2 == 1 {
                    cond.negate()
                } else {
                    cond
                }
            }
            ExprKind::Literal(Literal::Bool(b)) => Cond::Const(*b),
            ExprKind::Literal(literal) => self.error(
                Diagnostic::error(
                    expr.span,
                    format!("expected a condition, found {}", describe_literal(literal)),
                )
                .with_help("compare a field with it, for example `field == value`"),
            ),
            ExprKind::Field(field) => {
                let id = self.field(field, expr.span);
                Cond::Test(Test {
                    field: id,
                    negated: false,
                    preds: vec![ValuePred::Bool(true)],
                })
            }
            ExprKind::Compare { op, lhs, rhs } => self.lower_compare(expr.span, *op, lhs, rhs),
            ExprKind::In {
                value,
                negated,
                insensitive,
                list,
            } => {
                let cond = self.lower_in(value, *insensitive, list);
                if *negated { cond.negate() } else { cond }
            }
            ExprKind::Match {
                value,
                op,
                patterns,
                ..
            } => self.lower_match(value, *op, patterns),
            ExprKind::Call { name, .. } => self.error(
                Diagnostic::error(
                    name.span,
                    format!("function `{}` is not supported yet", name.node),
                )
                .with_help("compare fields with literals using operators instead"),
            ),
            ExprKind::Arith { .. } | ExprKind::Unary { .. } => self.error(
                Diagnostic::error(
                    expr.span,
                    "expected a condition, found an arithmetic expression",
                )
                .with_help("compare it with a value, for example `(a + 1) == 2`"),
            ),
            // Reported by the checker.
            ExprKind::Lineage { .. } => Cond::Const(false),
        }
    }

    fn field(&mut self, field: &ast::FieldRef, span: Span) -> crate::ir::FieldId {
        self.fields.intern(&field.path(), field.optional, span)
    }

    /// `a == b`, `a < b`, … with a field on one side and a literal on the
    /// other, or two literals.
    fn lower_compare(&mut self, span: Span, op: CompareOp, lhs: &Expr, rhs: &Expr) -> Cond {
        match (&lhs.kind, &rhs.kind) {
            (ExprKind::Field(field), ExprKind::Literal(literal)) => {
                let id = self.field(field, lhs.span);
                self.compare_field(id, op, literal, rhs.span)
            }
            (ExprKind::Literal(literal), ExprKind::Field(field)) => {
                let id = self.field(field, rhs.span);
                self.compare_field(id, flip(op), literal, lhs.span)
            }
            (ExprKind::Field(_), ExprKind::Field(_)) => self.error(
                Diagnostic::error(
                    span,
                    "comparing a field with another field is not supported",
                )
                .with_help(
                    "Elasticsearch compares fields only with literals; \
                         use a `sequence` joined `by` both fields to relate two events",
                ),
            ),
            (ExprKind::Literal(a), ExprKind::Literal(b)) => match compare_literals(op, a, b) {
                Some(result) => Cond::Const(result),
                None => self.error(Diagnostic::error(
                    span,
                    format!(
                        "cannot compare {} with {}",
                        describe_literal(a),
                        describe_literal(b)
                    ),
                )),
            },
            _ => self.error(
                Diagnostic::error(span, "comparisons of computed values are not supported yet")
                    .with_help("compare a field directly with a literal"),
            ),
        }
    }

    fn compare_field(
        &mut self,
        field: crate::ir::FieldId,
        op: CompareOp,
        literal: &Literal,
        literal_span: Span,
    ) -> Cond {
        let test = |pred: ValuePred, negated: bool| {
            Cond::Test(Test {
                field,
                negated,
                preds: vec![pred],
            })
        };
        let negated = op == CompareOp::Ne;
        match (op, literal) {
            (CompareOp::Eq | CompareOp::Ne, Literal::Null) => test(ValuePred::Exists, !negated),
            (_, Literal::Null) => Cond::Const(false),
            (CompareOp::Eq | CompareOp::Ne, Literal::String(s)) => test(
                ValuePred::Strings {
                    values: vec![s.clone()],
                    insensitive: false,
                },
                negated,
            ),
            (CompareOp::Eq | CompareOp::Ne, Literal::Bool(b)) => test(ValuePred::Bool(*b), negated),
            (CompareOp::Eq | CompareOp::Ne, Literal::Integer(n)) => {
                test(ValuePred::Numbers(vec![Number::Int(*n)]), negated)
            }
            (CompareOp::Eq | CompareOp::Ne, Literal::Float(n)) => {
                test(ValuePred::Numbers(vec![Number::Float(*n)]), negated)
            }
            (_, Literal::Bool(_)) => self.error(
                Diagnostic::error(literal_span, format!("`{op}` cannot order booleans"))
                    .with_help("compare booleans with `==` or `!=`"),
            ),
            (_, literal) => test(
                ValuePred::Compare {
                    op,
                    constant: constant(literal),
                },
                false,
            ),
        }
    }

    fn lower_in(&mut self, value: &Expr, insensitive: bool, list: &[Expr]) -> Cond {
        let ExprKind::Field(field) = &value.kind else {
            return self.error(
                Diagnostic::error(value.span, "`in` on a computed value is not supported yet")
                    .with_help("test a field directly: `field in (…)`"),
            );
        };
        let id = self.field(field, value.span);
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let mut bools = Vec::new();
        let mut null = false;
        for item in list {
            match &item.kind {
                ExprKind::Literal(Literal::String(s)) => strings.push(if insensitive {
                    s.to_ascii_lowercase()
                } else {
                    s.clone()
                }),
                ExprKind::Literal(Literal::Integer(n)) => numbers.push(Number::Int(*n)),
                ExprKind::Literal(Literal::Float(n)) => numbers.push(Number::Float(*n)),
                ExprKind::Literal(Literal::Bool(b)) => bools.push(*b),
                ExprKind::Literal(Literal::Null) => null = true,
                _ => {
                    return self.error(
                        Diagnostic::error(item.span, "`in` lists may hold only literals")
                            .with_help("comparing a field with another field is not supported"),
                    );
                }
            }
        }
        let mut preds = Vec::new();
        if !strings.is_empty() {
            strings.sort();
            strings.dedup();
            preds.push(ValuePred::Strings {
                values: strings,
                insensitive,
            });
        }
        if !numbers.is_empty() {
            preds.push(ValuePred::Numbers(numbers));
        }
        for b in bools {
            preds.push(ValuePred::Bool(b));
        }
        let test = if preds.is_empty() {
            Cond::Const(false)
        } else {
            Cond::Test(Test {
                field: id,
                negated: false,
                preds,
            })
        };
        if null {
            let missing = Cond::Test(Test {
                field: id,
                negated: true,
                preds: vec![ValuePred::Exists],
            });
            Cond::or(vec![test, missing])
        } else {
            test
        }
    }

    fn lower_match(&mut self, value: &Expr, op: MatchOp, patterns: &[Expr]) -> Cond {
        let ExprKind::Field(field) = &value.kind else {
            return self.error(
                Diagnostic::error(
                    value.span,
                    format!("`{op}` on a computed value is not supported yet"),
                )
                .with_help("test a field directly"),
            );
        };
        let mut texts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            match &pattern.kind {
                ExprKind::Literal(Literal::String(s)) => texts.push((s.as_str(), pattern.span)),
                ExprKind::Literal(literal) => {
                    return self.error(
                        Diagnostic::error(
                            pattern.span,
                            format!(
                                "`{op}` needs a string pattern, found {}",
                                describe_literal(literal)
                            ),
                        )
                        .with_help("write the pattern in double quotes"),
                    );
                }
                _ => {
                    return self.error(
                        Diagnostic::error(
                            pattern.span,
                            format!("`{op}` patterns must be string literals"),
                        )
                        .with_help("comparing a field with another field is not supported"),
                    );
                }
            }
        }
        let id = self.field(field, value.span);
        let preds = match op {
            MatchOp::Colon | MatchOp::Like | MatchOp::LikeInsensitive => {
                let insensitive = op != MatchOp::Like;
                wildcard_preds(texts.iter().map(|(text, _)| *text), insensitive)
            }
            MatchOp::Regex | MatchOp::RegexInsensitive => {
                let insensitive = op == MatchOp::RegexInsensitive;
                match regex_set(&texts, insensitive) {
                    Ok(set) => vec![ValuePred::Regex(set)],
                    Err(diagnostic) => return self.error(diagnostic),
                }
            }
        };
        Cond::Test(Test {
            field: id,
            negated: false,
            preds,
        })
    }
}

/// Splits wildcard patterns into exact strings (no wildcard) and patterns.
pub fn wildcard_preds<'a>(
    patterns: impl Iterator<Item = &'a str>,
    insensitive: bool,
) -> Vec<ValuePred> {
    let mut exact = Vec::new();
    let mut wildcards = Vec::new();
    for pattern in patterns {
        let pattern = if insensitive {
            pattern.to_ascii_lowercase()
        } else {
            pattern.to_owned()
        };
        match text::classify(&pattern) {
            text::PatternKind::Exact(_) => exact.push(pattern),
            _ => wildcards.push(pattern),
        }
    }
    exact.sort();
    exact.dedup();
    wildcards.sort();
    wildcards.dedup();
    let mut preds = Vec::new();
    if !exact.is_empty() {
        preds.push(ValuePred::Strings {
            values: exact,
            insensitive,
        });
    }
    if !wildcards.is_empty() {
        preds.push(ValuePred::Wildcards {
            patterns: wildcards,
            insensitive,
        });
    }
    preds
}

/// Translates and joins the patterns of one `regex` test, and checks that
/// the result compiles.
fn regex_set(patterns: &[(&str, Span)], insensitive: bool) -> Result<RegexSet, Diagnostic> {
    let mut alternatives = Vec::with_capacity(patterns.len());
    for (pattern, span) in patterns {
        match lucene::translate_unanchored(pattern, insensitive) {
            Ok(translated) => alternatives.push(translated),
            Err(error) => {
                let mut diagnostic = Diagnostic::error(
                    *span,
                    format!("invalid regular expression: {}", error.message),
                )
                .with_label(format!("at character {} of the pattern", error.offset + 1));
                if let Some(help) = error.help {
                    diagnostic = diagnostic.with_help(help);
                }
                return Err(diagnostic);
            }
        }
    }
    let translated = format!("\\A(?:{})\\z", alternatives.join("|"));
    if let Err(error) = regex::Regex::new(&translated) {
        let span = patterns
            .iter()
            .map(|(_, span)| *span)
            .reduce(Span::to)
            .unwrap_or_default();
        let message = match error {
            regex::Error::CompiledTooBig(limit) => {
                format!("regular expression is too large: it compiles to more than {limit} bytes")
            }
            other => format!("regular expression does not compile: {other}"),
        };
        return Err(Diagnostic::error(span, message).with_help("simplify the pattern"));
    }
    Ok(RegexSet {
        sources: patterns
            .iter()
            .map(|(pattern, _)| (*pattern).to_owned())
            .collect(),
        insensitive,
        translated,
    })
}

/// The operands of a left- or right-leaning chain of one binary operator,
/// in source order, collected without recursion.
fn chain<'a>(
    root: &'a Expr,
    split: impl Fn(&'a ExprKind) -> Option<(&'a Box<Expr>, &'a Box<Expr>)>,
) -> Vec<&'a Expr> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(expr) = stack.pop() {
        match split(&expr.kind) {
            Some((lhs, rhs)) => {
                stack.push(rhs);
                stack.push(lhs);
            }
            None => out.push(expr),
        }
    }
    out
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

fn constant(literal: &Literal) -> Constant {
    match literal {
        Literal::Null => Constant::Null,
        Literal::Bool(b) => Constant::Bool(*b),
        Literal::Integer(n) => Constant::Number(Number::Int(*n)),
        Literal::Float(n) => Constant::Number(Number::Float(*n)),
        Literal::String(s) => Constant::String(s.clone()),
    }
}

/// Folds a comparison of two literals; `None` when the types do not mix.
/// A comparison with `null` is null, which a condition reads as false,
/// except that `null == null` is true.
fn compare_literals(op: CompareOp, a: &Literal, b: &Literal) -> Option<bool> {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Literal::Null, Literal::Null) => return Some(op == CompareOp::Eq),
        (Literal::Null, _) | (_, Literal::Null) => return Some(op == CompareOp::Ne),
        (Literal::String(x), Literal::String(y)) => Some(text::compare(x, y)),
        (Literal::Bool(x), Literal::Bool(y)) => Some(x.cmp(y)),
        (x, y) => match (constant(x), constant(y)) {
            (Constant::Number(x), Constant::Number(y)) => x.compare(y),
            _ => return None,
        },
    };
    let Some(ordering) = ordering else {
        return Some(op == CompareOp::Ne);
    };
    Some(match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
    })
}

fn describe_literal(literal: &Literal) -> String {
    match literal {
        Literal::Null => "`null`".into(),
        Literal::Bool(b) => format!("the boolean `{b}`"),
        Literal::Integer(n) => format!("the number `{n}`"),
        Literal::Float(n) => format!("the number `{n}`"),
        Literal::String(s) => format!("the string {s:?}"),
    }
}
