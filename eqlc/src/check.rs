//! Checks on the syntax tree that do not need types: constructs that
//! Elasticsearch parses but rejects, and constructs this compiler does not
//! compile yet.
//!
//! Each check is a function preceded by the rule it enforces, called in
//! order from [`check_query`]. Type and name checks of expressions happen
//! while lowering, where the types are known (see [`crate::lower`]).

use crate::ast::{Expr, ExprKind, Query, QueryBody};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Runs every check on `query`.
pub fn check_query(query: &Query) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    check_query_kind(query, &mut diagnostics);
    check_pipes(query, &mut diagnostics);
    for expr in expressions(query) {
        walk(expr, &mut |expr| {
            check_lineage(expr, &mut diagnostics);
            check_array_index(expr, &mut diagnostics);
        });
    }
    diagnostics
}

/// `join` is parsed but Elasticsearch does not run it; sequences and samples
/// are compiled by the streaming engine, which event rules do not use yet.
fn check_query_kind(query: &Query, diagnostics: &mut Diagnostics) {
    match &query.body {
        QueryBody::Event(_) => {}
        QueryBody::Join(join) => diagnostics.push(
            Diagnostic::error(
                join.span,
                "`join` queries are not supported by Elasticsearch EQL",
            )
            .with_help("use a `sequence` with `by` keys, or a `sample`"),
        ),
        QueryBody::Sequence(sequence) => diagnostics.push(
            Diagnostic::error(sequence.span, "sequence queries are not supported yet")
                .with_help("only single-event queries (`category where condition`) compile today"),
        ),
        QueryBody::Sample(sample) => diagnostics.push(
            Diagnostic::error(sample.span, "sample queries are not supported yet")
                .with_help("only single-event queries (`category where condition`) compile today"),
        ),
    }
}

/// Pipes are limited to `head N` and `tail N`, each with one positive
/// integer literal.
fn check_pipes(query: &Query, diagnostics: &mut Diagnostics) {
    for pipe in &query.pipes {
        let name = pipe.name.node.as_str();
        if name != "head" && name != "tail" {
            diagnostics.push(
                Diagnostic::error(
                    pipe.name.span,
                    format!("unknown pipe `{name}`: Elasticsearch EQL has only `head` and `tail`"),
                )
                .with_help("filter in the query condition instead"),
            );
            continue;
        }
        if pipe_count(pipe).is_none() {
            diagnostics.push(
                Diagnostic::error(pipe.span, format!("`{name}` expects one positive integer"))
                    .with_help(format!("write `| {name} 10`")),
            );
        }
    }
}

/// The count of a `head`/`tail` pipe, if it is one positive integer.
pub fn pipe_count(pipe: &crate::ast::Pipe) -> Option<u64> {
    match pipe.args.as_slice() {
        [
            Expr {
                kind: ExprKind::Literal(crate::ast::Literal::Integer(n)),
                ..
            },
        ] if *n > 0 => u64::try_from(*n).ok(),
        _ => None,
    }
}

/// Process lineage (`descendant of`, `child of`, `event of`) is Endgame
/// EQL; Elasticsearch rejects it.
fn check_lineage(expr: &Expr, diagnostics: &mut Diagnostics) {
    if let ExprKind::Lineage { relation, .. } = &expr.kind {
        diagnostics.push(
            Diagnostic::error(
                expr.span,
                format!(
                    "process relationships (`{} of`) are not supported",
                    relation.node
                ),
            )
            .with_help("use a `sequence` joined `by process.entity_id` instead"),
        );
    }
}

/// Array indexes (`process.args[0]`) are not supported by Elasticsearch.
fn check_array_index(expr: &Expr, diagnostics: &mut Diagnostics) {
    if let ExprKind::Field(field) = &expr.kind {
        if let Some(&span) = field.indexes.first() {
            diagnostics.push(
                Diagnostic::error(span, "array indexes are not supported")
                    .with_help("a predicate on an array field holds when any element satisfies it"),
            );
        }
    }
}

/// Every top-level expression of a query: conditions and join keys.
fn expressions(query: &Query) -> Vec<&Expr> {
    let mut out = Vec::new();
    match &query.body {
        QueryBody::Event(event) => out.push(&event.condition),
        QueryBody::Sequence(sequence) => {
            out.extend(&sequence.by);
            for step in sequence.steps.iter().chain(&sequence.until) {
                out.push(&step.query.condition);
                out.extend(&step.by);
            }
        }
        QueryBody::Sample(sample) => {
            out.extend(&sample.by);
            for term in &sample.terms {
                out.push(&term.query.condition);
                out.extend(&term.by);
            }
        }
        QueryBody::Join(join) => {
            out.extend(&join.by);
            for term in join.terms.iter().chain(&join.until) {
                out.push(&term.query.condition);
                out.extend(&term.by);
            }
        }
    }
    for pipe in &query.pipes {
        out.extend(&pipe.args);
    }
    out
}

/// Calls `visit` on every expression node under `root`, without recursion,
/// so that long `and`/`or` chains cannot exhaust the stack.
pub fn walk<'a>(root: &'a Expr, visit: &mut dyn FnMut(&'a Expr)) {
    let mut stack = vec![root];
    while let Some(expr) = stack.pop() {
        visit(expr);
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) => {}
            ExprKind::Call { args, .. } => stack.extend(args.iter().rev()),
            ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => stack.push(operand),
            ExprKind::Arith { lhs, rhs, .. }
            | ExprKind::Compare { lhs, rhs, .. }
            | ExprKind::And(lhs, rhs)
            | ExprKind::Or(lhs, rhs) => {
                stack.push(rhs);
                stack.push(lhs);
            }
            ExprKind::In { value, list, .. } => {
                stack.extend(list.iter().rev());
                stack.push(value);
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                stack.extend(patterns.iter().rev());
                stack.push(value);
            }
            ExprKind::Lineage { query, .. } => stack.push(&query.condition),
        }
    }
}
