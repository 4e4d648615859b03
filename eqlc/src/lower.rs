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
//! | `startsWith(f, "a")` …   | `Wildcards` (`a*`, `*a`, `*a*`)         |
//! | `cidrMatch(f, "…", …)`   | `Cidr`                                  |
//! | `f < "2020-01-01"` …     | `Date`, when `f` is a date field        |
//! | `f < "1.5.0"` …          | `Version`, when `f` is a version field  |
//! | `f != x`, `not …`        | the same test, negated                  |
//! | `f == null` / `f != null`| `Exists`, negated / plain               |
//!
//! A field is a date or version field when [`Options::field_types`] says
//! so; string and number literals compared with a date field are read as
//! dates when compiling, and string literals ordered against a version field
//! (`<`, `<=`, `>`, `>=`) compare as versions.
//!
//! Everything else (functions of fields, arithmetic, comparisons of
//! computed values) becomes a [`Scalar`] expression, which Elasticsearch
//! evaluates as a script; constant subexpressions are folded with the same
//! functions the generated code calls.

use std::collections::BTreeMap;

use eql_core::Number;
use eql_core::date::{self, DateError, Resolution};
use eql_core::scalar as values;
use eql_core::text;

use crate::ast::{self, ArithOp, CompareOp, Expr, ExprKind, Literal, MatchOp, Span, UnaryOp};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::interpret;
use crate::ir::{
    Cond, Constant, EventFilter, FieldId, FieldTable, Function, RegexSet, Scalar, Test, ValuePred,
};
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
    /// The index mapping's type of each field, by ECS path, where the type
    /// changes what a comparison means. A field not listed is compared by
    /// its values as they are (strings as keywords, numbers as numbers).
    /// The default lists `@timestamp` as a [`FieldType::Date`], as ECS
    /// maps it.
    pub field_types: BTreeMap<String, FieldType>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            category_field: "event.category".into(),
            timestamp_field: "@timestamp".into(),
            tiebreaker_field: None,
            field_types: BTreeMap::from([("@timestamp".to_owned(), FieldType::Date)]),
        }
    }
}

/// The Elasticsearch mapping type of a field, for [`Options::field_types`].
///
/// Only the types that change what a comparison with a literal means are
/// here so far; others (`keyword`, `long`, `ip`, …) may follow.
/// Two fields of one type are never compared with each other (a query may
/// compare a field only with literals), so the type only changes how a
/// value meets a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FieldType {
    /// `date` with its default format: compared with a string literal as
    /// with a date (ISO 8601 or epoch milliseconds, `"2017-08-30"` being
    /// the whole day), with a number as with epoch milliseconds, to the
    /// millisecond. See [`eql_core::date`].
    Date,
    /// `date_nanos` with its default format: as [`FieldType::Date`], to the
    /// nanosecond, between 1970 and 2262.
    DateNanos,
    /// `version`: ordered against a string literal (`<`, `<=`, `>`, `>=`)
    /// by software version precedence, `1.9.0 < 1.10.0 < 2.0.0-alpha <
    /// 2.0.0`, texts that are not versions last. Equality, `in`, `:`,
    /// `like` and `regex` see the text, as for a `keyword`. See
    /// [`eql_core::version`].
    Version,
}

impl FieldType {
    /// Every type, for look-up by name.
    pub const ALL: [FieldType; 3] = [FieldType::Date, FieldType::DateNanos, FieldType::Version];

    /// The name in an Elasticsearch mapping.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Date => "date",
            FieldType::DateNanos => "date_nanos",
            FieldType::Version => "version",
        }
    }

    /// The type with this mapping name, if it is one of [`FieldType::ALL`].
    pub fn from_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|ty| ty.name() == name)
    }

    /// How a field of this type stores dates, if it is a date type.
    pub fn date_resolution(self) -> Option<Resolution> {
        match self {
            FieldType::Date => Some(Resolution::Millis),
            FieldType::DateNanos => Some(Resolution::Nanos),
            FieldType::Version => None,
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
        field_types: &options.field_types,
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

/// The type of an expression, as far as it is known without a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Number,
    String,
    Null,
    /// A field, or anything computed from one whose type depends on it.
    Unknown,
}

impl Ty {
    fn of_constant(constant: &Constant) -> Ty {
        match constant {
            Constant::Null => Ty::Null,
            Constant::Bool(_) => Ty::Bool,
            Constant::Number(_) => Ty::Number,
            Constant::String(_) => Ty::String,
        }
    }

    /// Whether a value of this type may be where `wanted` is expected.
    fn fits(self, wanted: Ty) -> bool {
        matches!(self, Ty::Null | Ty::Unknown) || wanted == Ty::Unknown || self == wanted
    }

    fn describe(self) -> &'static str {
        match self {
            Ty::Bool => "a boolean",
            Ty::Number => "a number",
            Ty::String => "a string",
            Ty::Null => "`null`",
            Ty::Unknown => "a value",
        }
    }
}

/// A lowered scalar with its type and span, for checks.
struct Typed {
    scalar: Scalar,
    ty: Ty,
    span: Span,
}

/// State of one lowering: the fields read so far and the problems found.
struct Lowerer<'a> {
    fields: FieldTable,
    diagnostics: Diagnostics,
    /// From [`Options::field_types`].
    field_types: &'a BTreeMap<String, FieldType>,
}

impl Lowerer<'_> {
    fn error(&mut self, diagnostic: Diagnostic) -> Cond {
        self.diagnostics.push(diagnostic);
        Cond::Const(false)
    }

    fn error_scalar(&mut self, diagnostic: Diagnostic, span: Span) -> Typed {
        self.diagnostics.push(diagnostic);
        Typed {
            scalar: Scalar::Constant(Constant::Null),
            ty: Ty::Unknown,
            span,
        }
    }

    fn field(&mut self, field: &ast::FieldRef, span: Span) -> FieldId {
        self.fields.intern(&field.path(), field.optional, span)
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
                let cond = self.lower_in(expr.span, value, *insensitive, list);
                if *negated { cond.negate() } else { cond }
            }
            ExprKind::Match {
                value,
                op,
                patterns,
                ..
            } => self.lower_match(expr.span, value, *op, patterns),
            ExprKind::Call { .. } => {
                let typed = self.lower_scalar(expr);
                self.cond_of_call(typed)
            }
            // Reported by the checker.
            ExprKind::Lineage { .. } => Cond::Const(false),
            ExprKind::Literal(_) | ExprKind::Arith { .. } | ExprKind::Unary { .. } => {
                let typed = self.lower_scalar(expr);
                self.cond_of_scalar(typed)
            }
        }
    }

    /// A boolean scalar used as a condition.
    fn cond_of_scalar(&mut self, typed: Typed) -> Cond {
        match typed.ty {
            Ty::Bool | Ty::Unknown | Ty::Null => {}
            other => {
                return self.error(
                    Diagnostic::error(
                        typed.span,
                        format!("expected a condition, found {}", other.describe()),
                    )
                    .with_help("compare it with a value, for example `field == value`"),
                );
            }
        }
        match typed.scalar {
            Scalar::Constant(Constant::Bool(b)) => Cond::Const(b),
            Scalar::Constant(_) => Cond::Const(false),
            Scalar::Field(id) => Cond::Test(Test {
                field: id,
                negated: false,
                preds: vec![ValuePred::Bool(true)],
            }),
            scalar => Cond::Expr {
                expr: scalar,
                negated: false,
            },
        }
    }

    /// A function call used as a condition: the ones Elasticsearch runs as
    /// queries on a field become tests, the others scripts.
    fn cond_of_call(&mut self, typed: Typed) -> Cond {
        if let Scalar::Call {
            function,
            insensitive,
            args,
        } = &typed.scalar
        {
            if let Some(test) = field_test_of_call(*function, *insensitive, args) {
                return Cond::Test(test);
            }
        }
        self.cond_of_scalar(typed)
    }

    /// `a == b`, `a < b`, …
    fn lower_compare(&mut self, span: Span, op: CompareOp, lhs: &Expr, rhs: &Expr) -> Cond {
        if let (ExprKind::Field(_), ExprKind::Field(_)) = (&lhs.kind, &rhs.kind) {
            return self.error(
                Diagnostic::error(
                    span,
                    "comparing a field with another field is not supported",
                )
                .with_help(
                    "Elasticsearch compares fields only with literals; \
                         use a `sequence` joined `by` both fields to relate two events",
                ),
            );
        }
        let left = self.lower_scalar(lhs);
        let right = self.lower_scalar(rhs);
        match (&left.scalar, &right.scalar) {
            (Scalar::Field(field), Scalar::Constant(constant)) => {
                self.compare_field(*field, op, constant.clone(), right.span)
            }
            (Scalar::Constant(constant), Scalar::Field(field)) => {
                self.compare_field(*field, flip(op), constant.clone(), left.span)
            }
            _ => {
                let typed = self.compare_scalars(span, op, left, right);
                self.cond_of_scalar(typed)
            }
        }
    }

    /// A comparison of two scalars, type-checked and folded.
    fn compare_scalars(&mut self, span: Span, op: CompareOp, left: Typed, right: Typed) -> Typed {
        let is_null_test = matches!(op, CompareOp::Eq | CompareOp::Ne);
        let null_side = match (&left.scalar, &right.scalar) {
            (_, Scalar::Constant(Constant::Null)) => Some(left.scalar.clone()),
            (Scalar::Constant(Constant::Null), _) => Some(right.scalar.clone()),
            _ => None,
        };
        if let (true, Some(operand)) = (is_null_test, null_side) {
            // `x == null` asks whether x is null; it is never null itself.
            let test = Scalar::IsNull(Box::new(operand));
            let scalar = if op == CompareOp::Eq {
                test
            } else {
                Scalar::Not(Box::new(test))
            };
            return self.folded(scalar, Ty::Bool, span);
        }
        let ordered = !is_null_test;
        let bad_types = !left.ty.fits(right.ty) && !right.ty.fits(left.ty);
        if bad_types || (ordered && (left.ty == Ty::Bool || right.ty == Ty::Bool)) {
            self.diagnostics.push(
                Diagnostic::error(
                    span,
                    format!(
                        "cannot compare {} with {} using `{op}`",
                        left.ty.describe(),
                        right.ty.describe()
                    ),
                )
                .with_help("convert one side with `string(…)` or `number(…)`"),
            );
        }
        let scalar = Scalar::Compare {
            op,
            lhs: Box::new(left.scalar),
            rhs: Box::new(right.scalar),
        };
        self.folded(scalar, Ty::Bool, span)
    }

    fn compare_field(
        &mut self,
        field: FieldId,
        op: CompareOp,
        constant: Constant,
        constant_span: Span,
    ) -> Cond {
        let test = |pred: ValuePred, negated: bool| {
            Cond::Test(Test {
                field,
                negated,
                preds: vec![pred],
            })
        };
        let negated = op == CompareOp::Ne;
        if let (Some(resolution), Constant::String(_) | Constant::Number(_)) =
            (self.date_resolution(field), &constant)
        {
            return match self.date_pred(field, op, &constant, resolution, constant_span) {
                Some(pred) => test(pred, negated),
                None => Cond::Const(false),
            };
        }
        match (op, constant) {
            (
                CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge,
                Constant::String(s),
            ) if self.is_version_field(field) => {
                test(ValuePred::Version { op, constant: s }, false)
            }
            (CompareOp::Eq | CompareOp::Ne, Constant::Null) => test(ValuePred::Exists, !negated),
            (_, Constant::Null) => Cond::Const(false),
            (CompareOp::Eq | CompareOp::Ne, Constant::String(s)) => test(
                ValuePred::Strings {
                    values: vec![s],
                    insensitive: false,
                },
                negated,
            ),
            (CompareOp::Eq | CompareOp::Ne, Constant::Bool(b)) => test(ValuePred::Bool(b), negated),
            (CompareOp::Eq | CompareOp::Ne, Constant::Number(n)) => {
                test(ValuePred::Numbers(vec![n]), negated)
            }
            (_, Constant::Bool(_)) => self.error(
                Diagnostic::error(constant_span, format!("`{op}` cannot order booleans"))
                    .with_help("compare booleans with `==` or `!=`"),
            ),
            (_, constant) => test(ValuePred::Compare { op, constant }, false),
        }
    }

    /// How `field` stores dates, if [`Options::field_types`] makes it a
    /// date field.
    fn date_resolution(&self, field: FieldId) -> Option<Resolution> {
        let path = &self.fields.get(field).path;
        self.field_types.get(path)?.date_resolution()
    }

    /// Whether [`Options::field_types`] makes `field` a version field.
    fn is_version_field(&self, field: FieldId) -> bool {
        let path = &self.fields.get(field).path;
        self.field_types.get(path) == Some(&FieldType::Version)
    }

    /// `field op constant` on a date field (`!=` as `==`, for a negated
    /// test), with the constant read as a date now; `None` after reporting
    /// a constant that is not one.
    fn date_pred(
        &mut self,
        field: FieldId,
        op: CompareOp,
        constant: &Constant,
        resolution: Resolution,
        span: Span,
    ) -> Option<ValuePred> {
        let op = if op == CompareOp::Ne {
            CompareOp::Eq
        } else {
            op
        };
        let range = match constant {
            Constant::String(text) => date::parse_literal(text, resolution),
            Constant::Number(number) => date::millis_literal(*number),
            Constant::Null | Constant::Bool(_) => return None,
        };
        let range = range.and_then(|range| range.for_field(resolution, interpret::comparison(op)));
        match range {
            Ok(range) => Some(ValuePred::Date {
                op,
                resolution,
                range,
            }),
            Err(error) => {
                let path = self.fields.get(field).path.clone();
                self.diagnostics
                    .push(date_diagnostic(&path, constant, resolution, error, span));
                None
            }
        }
    }

    /// `field in (…)` on a date field: a date test per string or number,
    /// the other items as for any field. `None` after an error.
    fn date_in_preds(
        &mut self,
        field: FieldId,
        resolution: Resolution,
        list: &[Expr],
    ) -> Option<(Vec<ValuePred>, bool)> {
        let mut preds = Vec::new();
        let mut null = false;
        for item in list {
            let typed = self.lower_scalar(item);
            let pred = match &typed.scalar {
                Scalar::Constant(constant @ (Constant::String(_) | Constant::Number(_))) => {
                    self.date_pred(field, CompareOp::Eq, constant, resolution, typed.span)?
                }
                Scalar::Constant(Constant::Bool(b)) => ValuePred::Bool(*b),
                Scalar::Constant(Constant::Null) => {
                    null = true;
                    continue;
                }
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(item.span, "`in` lists may hold only literals")
                            .with_help("comparing a field with another field is not supported"),
                    );
                    return None;
                }
            };
            if !preds.contains(&pred) {
                preds.push(pred);
            }
        }
        Some((preds, null))
    }

    /// The value predicates of an `in` list, or `None` after an error.
    fn in_preds(&mut self, insensitive: bool, list: &[Expr]) -> Option<(Vec<ValuePred>, bool)> {
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        let mut bools = Vec::new();
        let mut null = false;
        for item in list {
            let typed = self.lower_scalar(item);
            match typed.scalar {
                Scalar::Constant(Constant::String(s)) => strings.push(if insensitive {
                    s.to_ascii_lowercase()
                } else {
                    s
                }),
                Scalar::Constant(Constant::Number(n)) => numbers.push(n),
                Scalar::Constant(Constant::Bool(b)) => bools.push(b),
                Scalar::Constant(Constant::Null) => null = true,
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(item.span, "`in` lists may hold only literals")
                            .with_help("comparing a field with another field is not supported"),
                    );
                    return None;
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
        Some((preds, null))
    }

    fn lower_in(&mut self, span: Span, value: &Expr, insensitive: bool, list: &[Expr]) -> Cond {
        let date_field = match &value.kind {
            ExprKind::Field(field) if !insensitive => self
                .field_types
                .get(&field.path())
                .and_then(|ty| ty.date_resolution())
                .map(|resolution| (self.field(field, value.span), resolution)),
            _ => None,
        };
        let preds = match date_field {
            Some((field, resolution)) => self.date_in_preds(field, resolution, list),
            None => self.in_preds(insensitive, list),
        };
        let Some((preds, null)) = preds else {
            return Cond::Const(false);
        };
        let typed = self.lower_scalar(value);
        match typed.scalar {
            Scalar::Field(id) => {
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
            scalar => {
                let matched = Scalar::Match {
                    value: Box::new(scalar.clone()),
                    preds,
                };
                let matched = if null {
                    Scalar::Or(
                        Box::new(matched),
                        Box::new(Scalar::IsNull(Box::new(scalar))),
                    )
                } else {
                    matched
                };
                let typed = self.folded(matched, Ty::Bool, span);
                self.cond_of_scalar(typed)
            }
        }
    }

    /// The value predicates of `:`, `like`, `regex` with these patterns.
    fn match_preds(&mut self, op: MatchOp, patterns: &[Expr]) -> Option<Vec<ValuePred>> {
        let mut texts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            match &pattern.kind {
                ExprKind::Literal(Literal::String(s)) => texts.push((s.as_str(), pattern.span)),
                ExprKind::Literal(literal) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            pattern.span,
                            format!(
                                "`{op}` needs a string pattern, found {}",
                                describe_literal(literal)
                            ),
                        )
                        .with_help("write the pattern in double quotes"),
                    );
                    return None;
                }
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            pattern.span,
                            format!("`{op}` patterns must be string literals"),
                        )
                        .with_help("comparing a field with another field is not supported"),
                    );
                    return None;
                }
            }
        }
        Some(match op {
            MatchOp::Colon | MatchOp::Like | MatchOp::LikeInsensitive => {
                let insensitive = op != MatchOp::Like;
                wildcard_preds(texts.iter().map(|(text, _)| *text), insensitive)
            }
            MatchOp::Regex | MatchOp::RegexInsensitive => {
                let insensitive = op == MatchOp::RegexInsensitive;
                match regex_set(&texts, insensitive) {
                    Ok(set) => vec![ValuePred::Regex(set)],
                    Err(diagnostic) => {
                        self.diagnostics.push(diagnostic);
                        return None;
                    }
                }
            }
        })
    }

    fn lower_match(&mut self, span: Span, value: &Expr, op: MatchOp, patterns: &[Expr]) -> Cond {
        let Some(preds) = self.match_preds(op, patterns) else {
            return Cond::Const(false);
        };
        let typed = self.lower_scalar(value);
        self.check_operand(&typed, Ty::String, &format!("`{op}`"));
        match typed.scalar {
            Scalar::Field(id) => Cond::Test(Test {
                field: id,
                negated: false,
                preds,
            }),
            scalar => {
                let matched = Scalar::Match {
                    value: Box::new(scalar),
                    preds,
                };
                let typed = self.folded(matched, Ty::Bool, span);
                self.cond_of_scalar(typed)
            }
        }
    }

    /// Reports an operand whose known type is not `wanted`.
    fn check_operand(&mut self, typed: &Typed, wanted: Ty, context: &str) {
        if !typed.ty.fits(wanted) {
            self.diagnostics.push(
                Diagnostic::error(
                    typed.span,
                    format!(
                        "{context} expects {}, found {}",
                        wanted.describe(),
                        typed.ty.describe()
                    ),
                )
                .with_help(match wanted {
                    Ty::String => "convert it with `string(…)`",
                    Ty::Number => "convert it with `number(…)`",
                    _ => "use a value of the expected type",
                }),
            );
        }
    }

    /// Folds `scalar` to a constant when it reads no field.
    fn folded(&mut self, scalar: Scalar, ty: Ty, span: Span) -> Typed {
        if !scalar.fields().is_empty() || matches!(scalar, Scalar::Constant(_)) {
            return Typed { scalar, ty, span };
        }
        let value = interpret::eval_scalar(&scalar, &|_| values::Scalar::Null);
        let constant = constant_of(&value);
        let ty = match constant {
            Constant::Null => ty,
            _ => Ty::of_constant(&constant),
        };
        Typed {
            scalar: Scalar::Constant(constant),
            ty,
            span,
        }
    }

    /// Lowers an expression used as a value.
    fn lower_scalar(&mut self, expr: &Expr) -> Typed {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Literal(literal) => {
                let constant = constant(literal);
                Typed {
                    ty: Ty::of_constant(&constant),
                    scalar: Scalar::Constant(constant),
                    span,
                }
            }
            ExprKind::Field(field) => Typed {
                scalar: Scalar::Field(self.field(field, span)),
                ty: Ty::Unknown,
                span,
            },
            ExprKind::Unary { op, operand } => {
                // A run of signs without recursing once per sign.
                let mut inner: &Expr = operand;
                let mut negative = *op == UnaryOp::Neg;
                while let ExprKind::Unary { op, operand } = &inner.kind {
                    negative ^= *op == UnaryOp::Neg;
                    inner = operand;
                }
                let operand = self.lower_scalar(inner);
                self.check_operand(&operand, Ty::Number, "`-`");
                if negative {
                    self.folded(Scalar::Neg(Box::new(operand.scalar)), Ty::Number, span)
                } else {
                    Typed { span, ..operand }
                }
            }
            ExprKind::Arith { op, lhs, rhs } => {
                let left = self.lower_scalar(lhs);
                let right = self.lower_scalar(rhs);
                let context = format!("`{op}`");
                self.check_operand(&left, Ty::Number, &context);
                self.check_operand(&right, Ty::Number, &context);
                let scalar = Scalar::Arith {
                    op: *op,
                    lhs: Box::new(left.scalar),
                    rhs: Box::new(right.scalar),
                };
                self.folded(scalar, Ty::Number, span)
            }
            ExprKind::Compare { op, lhs, rhs } => {
                if let (ExprKind::Field(_), ExprKind::Field(_)) = (&lhs.kind, &rhs.kind) {
                    return self.error_scalar(
                        Diagnostic::error(
                            span,
                            "comparing a field with another field is not supported",
                        ),
                        span,
                    );
                }
                let left = self.lower_scalar(lhs);
                let right = self.lower_scalar(rhs);
                self.compare_scalars(span, *op, left, right)
            }
            ExprKind::Not(operand) => {
                let operand = self.lower_scalar(operand);
                self.check_operand(&operand, Ty::Bool, "`not`");
                self.folded(Scalar::Not(Box::new(operand.scalar)), Ty::Bool, span)
            }
            ExprKind::And(..) | ExprKind::Or(..) => {
                let is_and = matches!(expr.kind, ExprKind::And(..));
                let operands = chain(expr, |kind| match (kind, is_and) {
                    (ExprKind::And(lhs, rhs), true) | (ExprKind::Or(lhs, rhs), false) => {
                        Some((lhs, rhs))
                    }
                    _ => None,
                });
                let mut result: Option<Scalar> = None;
                for operand in operands {
                    let typed = self.lower_scalar(operand);
                    self.check_operand(&typed, Ty::Bool, if is_and { "`and`" } else { "`or`" });
                    result = Some(match result {
                        None => typed.scalar,
                        Some(acc) if is_and => Scalar::And(Box::new(acc), Box::new(typed.scalar)),
                        Some(acc) => Scalar::Or(Box::new(acc), Box::new(typed.scalar)),
                    });
                }
                let scalar = result.unwrap_or(Scalar::Constant(Constant::Bool(is_and)));
                self.folded(scalar, Ty::Bool, span)
            }
            ExprKind::In {
                value,
                negated,
                insensitive,
                list,
            } => {
                let Some((preds, null)) = self.in_preds(*insensitive, list) else {
                    return self.error_scalar(Diagnostic::error(span, "invalid `in` list"), span);
                };
                let value = self.lower_scalar(value);
                let matched = Scalar::Match {
                    value: Box::new(value.scalar.clone()),
                    preds,
                };
                let matched = if null {
                    Scalar::Or(
                        Box::new(matched),
                        Box::new(Scalar::IsNull(Box::new(value.scalar))),
                    )
                } else {
                    matched
                };
                let scalar = if *negated {
                    Scalar::Not(Box::new(matched))
                } else {
                    matched
                };
                self.folded(scalar, Ty::Bool, span)
            }
            ExprKind::Match {
                value,
                op,
                patterns,
                ..
            } => {
                let Some(preds) = self.match_preds(*op, patterns) else {
                    return Typed {
                        scalar: Scalar::Constant(Constant::Null),
                        ty: Ty::Bool,
                        span,
                    };
                };
                let value = self.lower_scalar(value);
                self.check_operand(&value, Ty::String, &format!("`{op}`"));
                let scalar = Scalar::Match {
                    value: Box::new(value.scalar),
                    preds,
                };
                self.folded(scalar, Ty::Bool, span)
            }
            ExprKind::Call {
                name,
                insensitive,
                args,
            } => self.lower_call(span, name, *insensitive, args),
            ExprKind::Lineage { .. } => Typed {
                scalar: Scalar::Constant(Constant::Null),
                ty: Ty::Unknown,
                span,
            },
        }
    }

    fn lower_call(
        &mut self,
        span: Span,
        name: &ast::Spanned<String>,
        insensitive: bool,
        args: &[Expr],
    ) -> Typed {
        let Some(function) = Function::lookup(&name.node) else {
            let mut diagnostic =
                Diagnostic::error(name.span, format!("unknown function `{}`", name.node));
            diagnostic = match suggest_function(&name.node) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_help(format!(
                    "Elasticsearch EQL has {}",
                    Function::ALL
                        .iter()
                        .map(|f| format!("`{}`", f.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            return self.error_scalar(diagnostic, span);
        };
        if insensitive && !function.has_insensitive_form() {
            return self.error_scalar(
                Diagnostic::error(
                    name.span,
                    format!(
                        "`{}` has no case-insensitive form `{}~`",
                        function.name(),
                        name.node
                    ),
                )
                .with_help(format!("remove the `~`: `{}(…)`", name.node)),
                span,
            );
        }
        let (min, max) = function.arity();
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let expected = match max {
                Some(max) if max == min => format!("{min}"),
                Some(max) => format!("{min} to {max}"),
                None => format!("at least {min}"),
            };
            return self.error_scalar(
                Diagnostic::error(
                    span,
                    format!(
                        "`{}` takes {expected} argument{}, found {}",
                        function.name(),
                        if expected == "1" { "" } else { "s" },
                        args.len()
                    ),
                )
                .with_help(format!("write `{}`", signature(function))),
                span,
            );
        }
        let typed_args: Vec<Typed> = args.iter().map(|arg| self.lower_scalar(arg)).collect();
        for (index, arg) in typed_args.iter().enumerate() {
            let wanted = param_type(function, index);
            let context = format!("argument {} of `{}`", index + 1, function.name());
            self.check_operand(arg, wanted, &context);
        }
        self.check_constant_args(function, &typed_args);
        let ty = result_type(function);
        let scalar = Scalar::Call {
            function,
            insensitive,
            args: typed_args.into_iter().map(|arg| arg.scalar).collect(),
        };
        self.folded(scalar, ty, span)
    }

    /// Arguments that must be literals: the blocks of `cidrMatch` (checked
    /// here, at compile time) and the `greedy` flag of `between`.
    fn check_constant_args(&mut self, function: Function, args: &[Typed]) {
        match function {
            Function::CidrMatch => {
                for arg in &args[1..] {
                    match &arg.scalar {
                        Scalar::Constant(Constant::String(block)) => {
                            if let Err(message) = values::parse_cidr(block) {
                                self.diagnostics.push(
                                    Diagnostic::error(
                                        arg.span,
                                        format!("invalid CIDR block {block:?}: {message}"),
                                    )
                                    .with_help("write an address and prefix length, like `10.0.0.0/8` or `fe80::/10`"),
                                );
                            }
                        }
                        _ => self.diagnostics.push(
                            Diagnostic::error(
                                arg.span,
                                "the blocks of `cidrMatch` must be string literals",
                            )
                            .with_help(
                                "write `cidrMatch(source.ip, \"10.0.0.0/8\", \"192.168.0.0/16\")`",
                            ),
                        ),
                    }
                }
            }
            Function::Between => {
                if let Some(greedy) = args.get(3) {
                    if !matches!(greedy.scalar, Scalar::Constant(Constant::Bool(_))) {
                        self.diagnostics.push(
                            Diagnostic::error(
                                greedy.span,
                                "the `greedy` argument of `between` must be `true` or `false`",
                            )
                            .with_help("write `between(text, \"left\", \"right\", true)`"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// The test Elasticsearch runs for `startsWith`, `endsWith`,
/// `stringContains` and `cidrMatch` on a field with literals: a prefix,
/// wildcard or CIDR query, true when any value matches. A literal holding
/// `*` or `?` stays a function call, where those characters are literal.
fn field_test_of_call(function: Function, insensitive: bool, args: &[Scalar]) -> Option<Test> {
    let Some(Scalar::Field(field)) = args.first() else {
        return None;
    };
    let pred = match function {
        Function::StartsWith | Function::EndsWith | Function::StringContains => {
            let Some(Scalar::Constant(Constant::String(text))) = args.get(1) else {
                return None;
            };
            if text.contains(['*', '?']) {
                return None;
            }
            let pattern = match function {
                Function::StartsWith => format!("{text}*"),
                Function::EndsWith => format!("*{text}"),
                _ => format!("*{text}*"),
            };
            let mut preds = wildcard_preds(std::iter::once(pattern.as_str()), insensitive);
            preds.pop()?
        }
        Function::CidrMatch => {
            let mut blocks = Vec::new();
            for arg in &args[1..] {
                let Scalar::Constant(Constant::String(block)) = arg else {
                    return None;
                };
                blocks.push(values::parse_cidr(block).ok()?);
            }
            ValuePred::Cidr(blocks)
        }
        _ => return None,
    };
    Some(Test {
        field: *field,
        negated: false,
        preds: vec![pred],
    })
}

/// What type argument `index` of `function` should have.
fn param_type(function: Function, index: usize) -> Ty {
    match (function, index) {
        (
            Function::Add
            | Function::Subtract
            | Function::Multiply
            | Function::Divide
            | Function::Modulo,
            _,
        ) => Ty::Number,
        (Function::Between, 3) => Ty::Bool,
        (Function::Between, _) => Ty::String,
        (Function::CidrMatch, _) => Ty::String,
        (Function::Concat | Function::String, _) => Ty::Unknown,
        (Function::EndsWith | Function::StartsWith | Function::StringContains, _) => Ty::String,
        (Function::IndexOf, 2) => Ty::Number,
        (Function::IndexOf, _) => Ty::String,
        (Function::Length, _) => Ty::String,
        (Function::Number, 1) => Ty::Number,
        (Function::Number, _) => Ty::String,
        (Function::Substring, 0) => Ty::String,
        (Function::Substring, _) => Ty::Number,
    }
}

fn result_type(function: Function) -> Ty {
    match function {
        Function::Add
        | Function::Subtract
        | Function::Multiply
        | Function::Divide
        | Function::Modulo
        | Function::IndexOf
        | Function::Length
        | Function::Number => Ty::Number,
        Function::Between | Function::Concat | Function::String | Function::Substring => Ty::String,
        Function::CidrMatch
        | Function::EndsWith
        | Function::StartsWith
        | Function::StringContains => Ty::Bool,
    }
}

/// How a call of `function` is written, for help messages.
fn signature(function: Function) -> &'static str {
    match function {
        Function::Add => "add(a, b)",
        Function::Between => "between(source, left, right[, greedy])",
        Function::CidrMatch => "cidrMatch(ip, \"10.0.0.0/8\"[, …])",
        Function::Concat => "concat(value[, …])",
        Function::Divide => "divide(a, b)",
        Function::EndsWith => "endsWith(source, suffix)",
        Function::IndexOf => "indexOf(source, text[, start])",
        Function::Length => "length(text)",
        Function::Modulo => "modulo(a, b)",
        Function::Multiply => "multiply(a, b)",
        Function::Number => "number(text[, base])",
        Function::StartsWith => "startsWith(source, prefix)",
        Function::String => "string(value)",
        Function::StringContains => "stringContains(source, text)",
        Function::Substring => "substring(text, start[, end])",
        Function::Subtract => "subtract(a, b)",
    }
}

/// The known function whose name is closest to `name`, if close enough.
fn suggest_function(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    Function::ALL
        .iter()
        .map(|f| {
            (
                edit_distance(&lower, &f.name().to_ascii_lowercase()),
                f.name(),
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
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

/// The error for a literal that a date field cannot be compared with.
fn date_diagnostic(
    path: &str,
    constant: &Constant,
    resolution: Resolution,
    error: DateError,
    span: Span,
) -> Diagnostic {
    let field_type = match resolution {
        Resolution::Millis => FieldType::Date,
        Resolution::Nanos => FieldType::DateNanos,
    };
    let field = format!("`{path}` is a `{}` field", field_type.name());
    match (error, constant) {
        (DateError::DateMath, _) => {
            Diagnostic::error(span, format!("date math is not supported: {constant}")).with_help(
                "Elasticsearch evaluates date math (`now`, `||`) when it searches; \
                 write a fixed date, such as `\"2017-08-30T20:47:33Z\"`",
            )
        }
        (DateError::OutOfRange, _) => {
            let (first, last) = match resolution {
                Resolution::Millis => (
                    "-292275055-05-16T16:47:04.192Z",
                    "+292278994-08-17T07:12:55.807Z",
                ),
                Resolution::Nanos => ("1970-01-01T00:00:00Z", "2262-04-11T23:47:16.854775807Z"),
            };
            Diagnostic::error(
                span,
                format!("the date {constant} is out of range: {field}"),
            )
            .with_help(format!("the field holds dates from {first} to {last}"))
        }
        (DateError::Format, Constant::Number(_)) => Diagnostic::error(
            span,
            format!("{constant} is not epoch milliseconds as Elasticsearch writes it: {field}"),
        )
        .with_help("write a whole number of milliseconds, or the date as a string"),
        (DateError::Format, _) => {
            let help = match resolution {
                Resolution::Millis => {
                    "write an ISO 8601 date such as `\"2017-08-30\"`, `\"2017-08-30T20:47:33Z\"` or \
                     `\"2017-08-30T22:47:33.5+02:00\"`, or epoch milliseconds such as \
                     `\"1504126053000\"`"
                }
                Resolution::Nanos => {
                    "write an ISO 8601 date such as `\"2017-08-30\"` or, with hours, minutes and \
                     seconds, `\"2017-08-30T20:47:33.123456789Z\"`, or epoch milliseconds such as \
                     `\"1504126053000.123456\"`"
                }
            };
            Diagnostic::error(span, format!("{constant} is not a date: {field}")).with_help(help)
        }
    }
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
        Literal::Integer(n) => Constant::Number(match i64::try_from(*n) {
            Ok(n) => Number::Int(n),
            Err(_) => Number::UInt(*n),
        }),
        Literal::Float(n) => Constant::Number(Number::Float(*n)),
        Literal::String(s) => Constant::String(s.clone()),
    }
}

/// The constant for a computed value.
pub fn constant_of(value: &values::Scalar<'_>) -> Constant {
    match value {
        values::Scalar::Null => Constant::Null,
        values::Scalar::Bool(b) => Constant::Bool(*b),
        values::Scalar::Number(n) => Constant::Number(*n),
        values::Scalar::Str(text) => Constant::String(text.as_str().to_owned()),
    }
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

/// For the interpreter and the emitter: the arithmetic function of an
/// operator.
pub fn arith_function(op: ArithOp) -> Function {
    match op {
        ArithOp::Add => Function::Add,
        ArithOp::Sub => Function::Subtract,
        ArithOp::Mul => Function::Multiply,
        ArithOp::Div => Function::Divide,
        ArithOp::Mod => Function::Modulo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_query;

    /// The errors of lowering `query`, as `start..end: message (help)`.
    fn errors(query: &str) -> Vec<String> {
        errors_with(query, &Options::default())
    }

    fn errors_with(query: &str, options: &Options) -> Vec<String> {
        let parsed = parse_query(query).expect("query parses");
        let ast::QueryBody::Event(event) = &parsed.body else {
            panic!("not an event query");
        };
        match lower_event_query(event, options) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics
                .errors()
                .map(|d| {
                    format!(
                        "{}..{} {:?}: {} ({})",
                        d.span.start,
                        d.span.end,
                        &query[d.span.range()],
                        d.message,
                        d.help.as_deref().unwrap_or("")
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn argument_types() {
        assert_eq!(
            errors("any where length(5) > 1"),
            [
                r#"17..18 "5": argument 1 of `length` expects a string, found a number (convert it with `string(…)`)"#
            ]
        );
        assert_eq!(
            errors(r#"any where x + "a" == 1"#),
            [
                r#"14..17 "\"a\"": `+` expects a number, found a string (convert it with `number(…)`)"#
            ]
        );
        assert_eq!(
            errors(r#"any where "a" == 1"#),
            [
                r#"10..18 "\"a\" == 1": cannot compare a string with a number using `==` (convert one side with `string(…)` or `number(…)`)"#
            ]
        );
        assert_eq!(
            errors("any where 5"),
            [
                r#"10..11 "5": expected a condition, found a number (compare it with a value, for example `field == value`)"#
            ]
        );
        assert_eq!(
            errors("any where x : 5"),
            [
                r#"14..15 "5": `:` needs a string pattern, found the number `5` (write the pattern in double quotes)"#
            ]
        );
    }

    #[test]
    fn names_and_arity() {
        assert_eq!(
            errors(r#"any where strtsWith(x, "a")"#),
            [r#"10..19 "strtsWith": unknown function `strtsWith` (did you mean `startsWith`?)"#]
        );
        assert_eq!(
            errors("any where length(x, y) > 1"),
            [r#"10..22 "length(x, y)": `length` takes 1 argument, found 2 (write `length(text)`)"#]
        );
        assert_eq!(
            errors("any where concat~(x) == \"a\""),
            [
                r#"10..16 "concat": `concat` has no case-insensitive form `concat~` (remove the `~`: `concat(…)`)"#
            ]
        );
        assert!(errors("any where STARTSWITH(x, \"a\")").is_empty());
        assert!(errors("any where startswith~(x, \"a\")").is_empty());
    }

    #[test]
    fn fields_compare_with_literals_only() {
        assert_eq!(
            errors("any where a == b"),
            [
                r#"10..16 "a == b": comparing a field with another field is not supported (Elasticsearch compares fields only with literals; use a `sequence` joined `by` both fields to relate two events)"#
            ]
        );
        assert_eq!(
            errors("any where a in (\"x\", b)"),
            [
                r#"21..22 "b": `in` lists may hold only literals (comparing a field with another field is not supported)"#
            ]
        );
    }

    #[test]
    fn literals_that_must_be_valid() {
        assert_eq!(
            errors(r#"any where x regex "a&b""#),
            [
                r#"18..23 "\"a&b\"": invalid regular expression: the Lucene intersection operator `&` has no equivalent in Rust regular expressions (write `\&` to match a literal `&`)"#
            ]
        );
        let cidr = errors(r#"any where cidrMatch(ip, "10.0.0.0/33")"#);
        assert_eq!(cidr.len(), 1);
        assert!(
            cidr[0].starts_with(r#"24..37 "\"10.0.0.0/33\"": invalid CIDR block "10.0.0.0/33""#),
            "{cidr:?}"
        );
        assert_eq!(
            errors(r#"any where between(x, "a", "b", y) == "c""#),
            [
                r#"31..32 "y": the `greedy` argument of `between` must be `true` or `false` (write `between(text, "left", "right", true)`)"#
            ]
        );
    }

    #[test]
    fn constants_fold() {
        let parsed = parse_query("any where 1 + 2 * 3 == 7 and x == -1").expect("parses");
        let ast::QueryBody::Event(event) = &parsed.body else {
            panic!("not an event query");
        };
        let filter = lower_event_query(event, &Options::default()).expect("lowers");
        assert_eq!(
            filter.condition,
            Cond::Test(Test {
                field: FieldId(0),
                negated: false,
                preds: vec![ValuePred::Numbers(vec![Number::Int(-1)])],
            })
        );
    }

    /// The lowered condition of `query`.
    fn lowered(query: &str, options: &Options) -> Cond {
        let parsed = parse_query(query).expect("query parses");
        let ast::QueryBody::Event(event) = &parsed.body else {
            panic!("not an event query");
        };
        lower_event_query(event, options).expect("lowers").condition
    }

    /// Options where `t` is a `date_nanos` field and `@timestamp` is not
    /// typed.
    fn nanos_options() -> Options {
        Options {
            field_types: BTreeMap::from([("t".to_owned(), FieldType::DateNanos)]),
            ..Options::default()
        }
    }

    fn date_test(negated: bool, preds: Vec<(CompareOp, Resolution, i128, i128)>) -> Cond {
        Cond::Test(Test {
            field: FieldId(0),
            negated,
            preds: preds
                .into_iter()
                .map(|(op, resolution, lo, hi)| ValuePred::Date {
                    op,
                    resolution,
                    range: date::DateRange { lo, hi },
                })
                .collect(),
        })
    }

    #[test]
    fn date_fields_compare_with_dates() {
        let defaults = Options::default();
        let second = 1_504_126_053_000_000_000;
        assert_eq!(
            lowered(
                r#"any where @timestamp < "2017-08-30T20:47:33Z""#,
                &defaults
            ),
            date_test(
                false,
                vec![(CompareOp::Lt, Resolution::Millis, second, second)]
            )
        );
        // The whole second, to the millisecond.
        assert_eq!(
            lowered(
                r#"any where "2017-08-30T20:47:33Z" != @timestamp"#,
                &defaults
            ),
            date_test(
                true,
                vec![(
                    CompareOp::Eq,
                    Resolution::Millis,
                    second,
                    second + 999_000_000
                )]
            )
        );
        let millis = 1_516_116_808_349_000_000;
        assert_eq!(
            lowered("any where @timestamp >= 1516116808349", &defaults),
            date_test(
                false,
                vec![(CompareOp::Ge, Resolution::Millis, millis, millis)]
            )
        );
        assert_eq!(
            lowered(
                r#"any where @timestamp in ("2017-08-30T20:47:33Z", 1516116808349, null)"#,
                &defaults
            ),
            Cond::Or(vec![
                date_test(
                    false,
                    vec![
                        (
                            CompareOp::Eq,
                            Resolution::Millis,
                            second,
                            second + 999_000_000
                        ),
                        (CompareOp::Eq, Resolution::Millis, millis, millis),
                    ]
                ),
                Cond::Test(Test {
                    field: FieldId(0),
                    negated: true,
                    preds: vec![ValuePred::Exists],
                }),
            ])
        );
        let nanos = 131_509_374_294_365_140;
        assert_eq!(
            lowered(
                r#"any where t <= "1974-03-03T02:22:54.294365140Z""#,
                &nanos_options()
            ),
            date_test(
                false,
                vec![(CompareOp::Le, Resolution::Nanos, nanos, nanos)]
            )
        );
        // Untyped fields, and `in~`, compare text.
        assert_eq!(
            lowered(r#"any where @timestamp < "2017""#, &nanos_options()),
            Cond::Test(Test {
                field: FieldId(0),
                negated: false,
                preds: vec![ValuePred::Compare {
                    op: CompareOp::Lt,
                    constant: Constant::String("2017".into()),
                }],
            })
        );
        assert!(matches!(
            lowered(r#"any where @timestamp in~ ("2017")"#, &defaults),
            Cond::Test(Test { preds, .. }) if matches!(preds[..], [ValuePred::Strings { .. }])
        ));
    }

    #[test]
    fn version_fields_order_as_versions() {
        let options = Options {
            field_types: BTreeMap::from([("v".to_owned(), FieldType::Version)]),
            ..Options::default()
        };
        let test = |negated: bool, pred: ValuePred| {
            Cond::Test(Test {
                field: FieldId(0),
                negated,
                preds: vec![pred],
            })
        };
        let version = |op: CompareOp, constant: &str| ValuePred::Version {
            op,
            constant: constant.to_owned(),
        };
        assert_eq!(
            lowered(r#"any where v > "1.5.0""#, &options),
            test(false, version(CompareOp::Gt, "1.5.0"))
        );
        // Flipped with the operands; negated with `not`.
        assert_eq!(
            lowered(r#"any where "1.5.0" >= v"#, &options),
            test(false, version(CompareOp::Le, "1.5.0"))
        );
        assert_eq!(
            lowered(r#"any where not v < "bad""#, &options),
            test(true, version(CompareOp::Lt, "bad"))
        );
        // Versions are equal exactly when their texts are.
        assert_eq!(
            lowered(r#"any where v != "1.2.4""#, &options),
            test(
                true,
                ValuePred::Strings {
                    values: vec!["1.2.4".to_owned()],
                    insensitive: false,
                }
            )
        );
        // A number is no version literal; other fields compare text.
        assert_eq!(
            lowered(r#"any where v < 2"#, &options),
            test(
                false,
                ValuePred::Compare {
                    op: CompareOp::Lt,
                    constant: Constant::Number(Number::Int(2)),
                }
            )
        );
        assert_eq!(
            lowered(r#"any where w < "2""#, &options),
            test(
                false,
                ValuePred::Compare {
                    op: CompareOp::Lt,
                    constant: Constant::String("2".to_owned()),
                }
            )
        );
    }

    #[test]
    fn date_literals_that_must_be_dates() {
        let iso_help = "write an ISO 8601 date such as `\"2017-08-30\"`, `\"2017-08-30T20:47:33Z\"` \
                        or `\"2017-08-30T22:47:33.5+02:00\"`, or epoch milliseconds such as \
                        `\"1504126053000\"`";
        assert_eq!(
            errors(r#"any where @timestamp == "yesterday""#),
            [format!(
                r#"24..35 "\"yesterday\"": "yesterday" is not a date: `@timestamp` is a `date` field ({iso_help})"#
            )]
        );
        assert_eq!(
            errors(r#"any where @timestamp in ("2017-08-30", "2017-08-31T25")"#),
            [format!(
                r#"39..54 "\"2017-08-31T25\"": "2017-08-31T25" is not a date: `@timestamp` is a `date` field ({iso_help})"#
            )]
        );
        assert_eq!(
            errors(r#"any where @timestamp > "now-1d""#),
            [
                r#"23..31 "\"now-1d\"": date math is not supported: "now-1d" (Elasticsearch evaluates date math (`now`, `||`) when it searches; write a fixed date, such as `"2017-08-30T20:47:33Z"`)"#
            ]
        );
        assert_eq!(
            errors("any where @timestamp < 1.5e12"),
            [
                r#"23..29 "1.5e12": 1500000000000.0 is not epoch milliseconds as Elasticsearch writes it: `@timestamp` is a `date` field (write a whole number of milliseconds, or the date as a string)"#
            ]
        );
        assert_eq!(
            errors_with(r#"any where t < "1969-12-31""#, &nanos_options()),
            [
                r#"14..26 "\"1969-12-31\"": the date "1969-12-31" is out of range: `t` is a `date_nanos` field (the field holds dates from 1970-01-01T00:00:00Z to 2262-04-11T23:47:16.854775807Z)"#
            ]
        );
        assert_eq!(
            errors_with(r#"any where t == "2017-08-30T20:47Z""#, &nanos_options()),
            [
                r#"15..34 "\"2017-08-30T20:47Z\"": "2017-08-30T20:47Z" is not a date: `t` is a `date_nanos` field (write an ISO 8601 date such as `"2017-08-30"` or, with hours, minutes and seconds, `"2017-08-30T20:47:33.123456789Z"`, or epoch milliseconds such as `"1504126053000.123456"`)"#
            ]
        );
    }
}
