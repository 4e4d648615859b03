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
    check_field_count(query, &mut diagnostics);
    for expr in expressions(query) {
        check_depth(expr, &mut diagnostics);
        walk(expr, &mut |expr| {
            check_lineage(expr, &mut diagnostics);
            check_array_index(expr, &mut diagnostics);
            check_list_len(expr, &mut diagnostics);
        });
    }
    diagnostics
}

/// `join` is parsed but Elasticsearch does not run it. Sequences and samples
/// have their own checks ([`crate::sequence::check`]).
fn check_query_kind(query: &Query, diagnostics: &mut Diagnostics) {
    match &query.body {
        QueryBody::Event(_) | QueryBody::Sequence(_) | QueryBody::Sample(_) => {}
        QueryBody::Join(join) => diagnostics.push(
            Diagnostic::error(
                join.span,
                "`join` queries are not supported by Elasticsearch EQL",
            )
            .with_help("use a `sequence` with `by` keys, or a `sample`"),
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
        ] if *n > 0 => Some(*n),
        _ => None,
    }
}

/// How deeply value expressions (function calls, arithmetic, comparisons)
/// may nest. Chains of `and`, `or` and `not` that form the condition itself
/// do not count: they are flattened, so any length of them is fine; used
/// as values (`(a or b) == true`) they count.
pub const MAX_VALUE_DEPTH: usize = 128;

/// Value expressions nest at most [`MAX_VALUE_DEPTH`] deep, so that the
/// later stages, which recurse over them, cannot exhaust the stack.
fn check_depth(root: &Expr, diagnostics: &mut Diagnostics) {
    // Each entry: an expression, its depth, and whether it is a value (below
    // something that is not `and`, `or` or `not`).
    let mut stack = vec![(root, 0usize, false)];
    while let Some((expr, depth, in_value)) = stack.pop() {
        let chain = matches!(
            expr.kind,
            ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Not(_)
        );
        let depth = if chain && !in_value { depth } else { depth + 1 };
        let in_value = in_value || !chain;
        if depth > MAX_VALUE_DEPTH {
            diagnostics.push(
                Diagnostic::error(
                    expr.span,
                    format!("expression nests too deeply: more than {MAX_VALUE_DEPTH} levels"),
                )
                .with_help("split the expression, or remove redundant parentheses and signs"),
            );
            return;
        }
        let mut children = Vec::new();
        match &expr.kind {
            ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Lineage { .. } => {}
            ExprKind::Call { args, .. } => children.extend(args),
            ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => children.push(&**operand),
            ExprKind::Arith { lhs, rhs, .. }
            | ExprKind::Compare { lhs, rhs, .. }
            | ExprKind::And(lhs, rhs)
            | ExprKind::Or(lhs, rhs) => {
                children.push(&**lhs);
                children.push(&**rhs);
            }
            ExprKind::In { value, list, .. } => {
                children.push(&**value);
                children.extend(list);
            }
            ExprKind::Match {
                value, patterns, ..
            } => {
                children.push(&**value);
                children.extend(patterns);
            }
        }
        stack.extend(children.into_iter().map(|child| (child, depth, in_value)));
    }
}

/// The most items a list (`in (…)`, `: (…)`, `like (…)`) or the arguments
/// of one function call may have. Elasticsearch turns each item into a
/// clause of a Lucene query, and caps those clauses too.
pub const MAX_LIST_LEN: usize = 10_000;

/// Lists and argument lists hold at most [`MAX_LIST_LEN`] items, so that
/// no query makes the compiler build an unbounded set or match.
fn check_list_len(expr: &Expr, diagnostics: &mut Diagnostics) {
    let (len, what) = match &expr.kind {
        ExprKind::In { list, .. } => (list.len(), None),
        ExprKind::Match { patterns, .. } => (patterns.len(), None),
        ExprKind::Call { name, args, .. } => (args.len(), Some(&name.node)),
        _ => return,
    };
    if len <= MAX_LIST_LEN {
        return;
    }
    let diagnostic = match what {
        None => Diagnostic::error(
            expr.span,
            format!("the list has {len} items, more than {MAX_LIST_LEN}"),
        )
        .with_help("split it into several tests joined with `or`"),
        Some(name) => Diagnostic::error(
            expr.span,
            format!("`{name}` has {len} arguments, more than {MAX_LIST_LEN}"),
        )
        .with_help("split the call into several joined with `or`"),
    };
    diagnostics.push(diagnostic);
}

/// The most distinct fields one query may read: Elasticsearch's default
/// limit on the fields of an index mapping (`index.mapping.total_fields.limit`).
pub const MAX_FIELDS: usize = 1_000;

/// A query reads at most [`MAX_FIELDS`] distinct fields, which bounds the
/// field tables of the later stages and of the generated code.
fn check_field_count(query: &Query, diagnostics: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for root in expressions(query) {
        let mut beyond = None;
        walk(root, &mut |expr| {
            if let ExprKind::Field(field) = &expr.kind {
                if seen.insert(field.path()) && seen.len() > MAX_FIELDS && beyond.is_none() {
                    beyond = Some(expr.span);
                }
            }
        });
        if let Some(span) = beyond {
            diagnostics.push(
                Diagnostic::error(
                    span,
                    format!("the query reads more than {MAX_FIELDS} distinct fields"),
                )
                .with_label(format!("field number {}", MAX_FIELDS + 1))
                .with_help("split the rule into several rules"),
            );
            return;
        }
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

#[cfg(test)]
mod tests {
    use crate::parse::parse_query;

    fn errors(query: &str) -> Vec<String> {
        let query = parse_query(query).expect("query parses");
        super::check_query(&query)
            .errors()
            .map(|d| format!("{}: {}", d.span.start, d.message))
            .collect()
    }

    #[test]
    fn long_condition_chains_are_fine() {
        let chain = vec!["a == 1"; 5000].join(" or ");
        assert_eq!(errors(&format!("any where {chain}")), Vec::<String>::new());
        let nots = "not ".repeat(1000);
        assert_eq!(
            errors(&format!("any where {nots} a == 1")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn deep_values_are_refused() {
        let sum = vec!["1"; 200].join(" + ");
        assert_eq!(
            errors(&format!("any where a == {sum}")),
            ["307: expression nests too deeply: more than 128 levels"]
        );
        let chain = vec!["a == 1"; 200].join(" or ");
        assert_eq!(
            errors(&format!("any where ({chain}) == true")).len(),
            1,
            "a chain used as a value counts"
        );
        let signs = "- ".repeat(200);
        assert_eq!(errors(&format!("any where a == {signs}1")).len(), 1);
    }

    #[test]
    fn unsupported_constructs() {
        assert_eq!(
            errors("join [any where true] [any where true]"),
            ["0: `join` queries are not supported by Elasticsearch EQL"]
        );
        assert_eq!(
            errors("any where true | count"),
            ["17: unknown pipe `count`: Elasticsearch EQL has only `head` and `tail`"]
        );
        assert_eq!(
            errors("any where true | head 0"),
            ["15: `head` expects one positive integer"]
        );
        assert_eq!(
            errors("any where process.args[0] == \"x\""),
            ["22: array indexes are not supported"]
        );
        assert_eq!(
            errors("process where descendant of [process where true]"),
            ["14: process relationships (`descendant of`) are not supported"]
        );
    }
}
