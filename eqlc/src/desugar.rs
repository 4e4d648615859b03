//! Desugaring of the syntax tree before lowering: comparisons of two
//! `?optional` fields.
//!
//! Elasticsearch refuses to compare a field with another field, except that
//! an `?optional` field the index does not map is the constant `null`
//! before that check runs. So `?x == ?y` is accepted exactly when at least
//! one of the fields is unmapped, and then means (with `null == null` true
//! and `f == null` "f has no value", as Elasticsearch rewrites them):
//!
//! | written    | both unmapped | `?y` unmapped | rewritten to                 |
//! |------------|---------------|---------------|------------------------------|
//! | `?x == ?y` | true          | `x == null`   | `x == null and y == null`    |
//! | `?x != ?y` | false         | `x != null`   | `x != null or y != null`     |
//! | `?x < ?y`  | false         | false         | `false` (likewise `<=` …)    |
//!
//! An unmapped field never has a value, so each rewrite agrees with
//! Elasticsearch whenever Elasticsearch accepts the query; eqlc, which
//! knows no mapping, accepts it always. Comparisons of fields without `?`
//! stay errors, reported by lowering.

use crate::ast::{CompareOp, Expr, ExprKind, Literal, Query, QueryBody};

/// Rewrites every comparison of two `?optional` fields in `query`.
pub fn desugar_query(query: &mut Query) {
    let mut roots: Vec<&mut Expr> = Vec::new();
    match &mut query.body {
        QueryBody::Event(event) => roots.push(&mut event.condition),
        QueryBody::Sequence(sequence) => {
            for step in sequence.steps.iter_mut().chain(&mut sequence.until) {
                roots.push(&mut step.query.condition);
            }
        }
        QueryBody::Sample(sample) => {
            for term in &mut sample.terms {
                roots.push(&mut term.query.condition);
            }
        }
        QueryBody::Join(_) => {}
    }
    for root in roots {
        desugar_expr(root);
    }
}

/// Rewrites the comparisons under `root`, without recursion, so that long
/// `and`/`or` chains cannot exhaust the stack.
fn desugar_expr(root: &mut Expr) {
    let mut stack = vec![root];
    while let Some(expr) = stack.pop() {
        if let Some(rewritten) = optional_comparison(expr) {
            *expr = rewritten;
            continue;
        }
        match &mut expr.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Lineage { .. } => {}
            ExprKind::Call { args, .. } => stack.extend(args.iter_mut()),
            ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => stack.push(operand),
            ExprKind::Arith { lhs, rhs, .. }
            | ExprKind::Compare { lhs, rhs, .. }
            | ExprKind::And(lhs, rhs)
            | ExprKind::Or(lhs, rhs) => {
                stack.push(lhs);
                stack.push(rhs);
            }
            ExprKind::In { value, list, .. } => {
                stack.push(value);
                stack.extend(list.iter_mut());
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                stack.push(value);
                stack.extend(patterns.iter_mut());
            }
        }
    }
}

/// The rewrite of `expr` if it compares two `?optional` fields.
fn optional_comparison(expr: &Expr) -> Option<Expr> {
    let ExprKind::Compare { op, lhs, rhs } = &expr.kind else {
        return None;
    };
    let optional = |side: &Expr| matches!(&side.kind, ExprKind::Field(field) if field.optional);
    if !optional(lhs) || !optional(rhs) {
        return None;
    }
    let span = expr.span;
    let node = |kind| Expr { kind, span };
    let against_null = |side: &Expr, op| {
        node(ExprKind::Compare {
            op,
            lhs: Box::new(side.clone()),
            rhs: Box::new(node(ExprKind::Literal(Literal::Null))),
        })
    };
    Some(match op {
        CompareOp::Eq => node(ExprKind::And(
            Box::new(against_null(lhs, CompareOp::Eq)),
            Box::new(against_null(rhs, CompareOp::Eq)),
        )),
        CompareOp::Ne => node(ExprKind::Or(
            Box::new(against_null(lhs, CompareOp::Ne)),
            Box::new(against_null(rhs, CompareOp::Ne)),
        )),
        CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
            node(ExprKind::Literal(Literal::Bool(false)))
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::interpret::Interpreter;
    use crate::{Options, compile};

    /// Whether `condition` matches the JSON `event`.
    fn matches(condition: &str, event: &str) -> bool {
        let compiled = compile(&format!("any where {condition}"), &Options::default())
            .unwrap_or_else(|error| panic!("{condition}: {error:?}"));
        let interpreter = Interpreter::new(compiled.filter).expect("no regex");
        let mut document = eql_core::json::Document::new();
        let view = document.decode(event.as_bytes()).expect("JSON");
        interpreter.matches(&view)
    }

    #[test]
    fn comparisons_of_optional_fields_mean_what_elasticsearch_accepts() {
        assert!(matches("?x == ?y", "{}"));
        assert!(matches("?x == ?y", r#"{"z": 1}"#));
        assert!(!matches("?x == ?y", r#"{"x": 1}"#));
        assert!(!matches("?x != ?y", "{}"));
        assert!(matches("?x != ?y", r#"{"x": 1}"#));
        assert!(!matches("?x < ?y", "{}"));
        assert!(matches("not ?x >= ?y", "{}"));
        assert!(compile("any where x == ?y", &Options::default()).is_err());
    }
}
