//! Turning the pest tree of `eql.pest` into the AST.
//!
//! Every function here takes the pair of one grammar rule and reads its
//! children in the order the grammar gives them; a child that is not where
//! the grammar puts it is an internal error, never a panic. Operator chains
//! (`a or b or c`, `not not x`) are folded with loops, so recursion happens
//! only at parentheses and brackets, which the scan has bounded.
//!
//! Expressions are built as [`Tree`]s that know their depth, so that a chain
//! too long for later stages is refused with [`MAX_EXPRESSION_DEPTH`] before
//! it exists.

use pest::iterators::{Pair, Pairs};

use crate::ast::{
    ArithOp, Category, CompareOp, EventQuery, Expr, ExprKind, FieldRef, Join, JoinTerm, Literal,
    MatchOp, MaxSpan, Pipe, Query, QueryBody, Sample, Sequence, SequenceStep, Span, Spanned,
    StepParam, UnaryOp,
};
use crate::diagnostic::Diagnostic;

use super::scan::decode_quoted_string;
use super::{MAX_EXPRESSION_DEPTH, Rule};

type Node<'i> = Pair<'i, Rule>;

type Result<T> = std::result::Result<T, Diagnostic>;

/// The only pair of a successful parse (the entry rule).
pub(super) fn single<'i>(pairs: &mut Pairs<'i, Rule>) -> Result<Node<'i>> {
    pairs
        .next()
        .ok_or_else(|| internal(Span::default(), "the parse produced no tree"))
}

/// Builds a [`Query`] from a `query` pair.
pub(super) fn query(pair: Node<'_>) -> Result<Query> {
    let mut children = Children::of(pair);
    let body_pair = children.any()?;
    let mut span = span_of(&body_pair);
    let body = match body_pair.as_rule() {
        Rule::event_filter => QueryBody::Event(event_filter(body_pair)?.0),
        Rule::sequence => QueryBody::Sequence(sequence(body_pair)?),
        Rule::sample => QueryBody::Sample(sample(body_pair)?),
        Rule::join => QueryBody::Join(join(body_pair)?),
        _ => return Err(unexpected(&body_pair)),
    };
    let mut pipes = Vec::new();
    while let Some(pipe_pair) = children.take(Rule::pipe) {
        let pipe = pipe(pipe_pair)?;
        span = span.to(pipe.span);
        pipes.push(pipe);
    }
    children.expect(Rule::EOI)?;
    Ok(Query { body, pipes, span })
}

/// Builds an [`Expr`] from an `expression_input` pair.
pub(super) fn expression_input(pair: Node<'_>) -> Result<Expr> {
    let mut children = Children::of(pair);
    let tree = expression(children.expect(Rule::expression)?)?;
    children.expect(Rule::EOI)?;
    Ok(tree.expr)
}

// ---------------------------------------------------------------------------
// Queries.

/// `category where condition`, with the depth of its condition.
fn event_filter(pair: Node<'_>) -> Result<(EventQuery, usize)> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    let category_pair = Children::of(children.expect(Rule::event_category)?).any()?;
    let category_span = span_of(&category_pair);
    let category = match category_pair.as_rule() {
        Rule::kw_any => Category::Any(category_span),
        Rule::ident => Category::Named(Spanned::new(
            category_pair.as_str().to_owned(),
            category_span,
        )),
        Rule::string => Category::Named(Spanned::new(string_value(category_pair)?, category_span)),
        _ => return Err(unexpected(&category_pair)),
    };
    children.expect(Rule::kw_where)?;
    let condition = expression(children.expect(Rule::expression)?)?;
    let query = EventQuery {
        category,
        condition: condition.expr,
        span,
    };
    Ok((query, condition.depth))
}

fn sequence(pair: Node<'_>) -> Result<Sequence> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::kw_sequence)?;
    let mut sequence = Sequence {
        by: Vec::new(),
        maxspan: None,
        with_before_by: None,
        steps: Vec::new(),
        until: None,
        span,
    };
    for child in children.rest() {
        match child.as_rule() {
            Rule::join_keys => {
                sequence.by = join_keys(child)?;
                sequence.with_before_by = sequence.maxspan.as_ref().map(|maxspan| maxspan.span);
            }
            Rule::maxspan => sequence.maxspan = Some(maxspan(child)?),
            Rule::sequence_step => sequence.steps.push(sequence_step(child)?),
            Rule::until_clause => {
                let mut until = Children::of(child);
                until.expect(Rule::kw_until)?;
                sequence.until = Some(sequence_step(until.expect(Rule::sequence_step)?)?);
            }
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(sequence)
}

/// `with maxspan=5m`.
fn maxspan(pair: Node<'_>) -> Result<MaxSpan> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::kw_with)?;
    children.expect(Rule::kw_maxspan)?;
    children.expect(Rule::equals)?;
    let value = spanned_text(&children.expect(Rule::number)?);
    let unit = children
        .take(Rule::time_unit)
        .map(|unit| spanned_text(&unit));
    Ok(MaxSpan { value, unit, span })
}

fn sequence_step(pair: Node<'_>) -> Result<SequenceStep> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    let (query, missing) = subquery(children.expect(Rule::subquery)?)?;
    let by = match children.take(Rule::join_keys) {
        Some(keys) => join_keys(keys)?,
        None => Vec::new(),
    };
    let mut params = Vec::new();
    while let Some(param) = children.take(Rule::step_param) {
        params.push(step_param(param)?);
    }
    Ok(SequenceStep {
        query,
        missing,
        by,
        params,
        span,
    })
}

/// `with runs=3`.
fn step_param(pair: Node<'_>) -> Result<StepParam> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::kw_with)?;
    let name = spanned_text(&children.expect(Rule::ident)?);
    children.expect(Rule::equals)?;
    let value = spanned_text(&children.expect(Rule::number)?);
    Ok(StepParam { name, value, span })
}

/// `[category where condition]` or `![…]`: the query and whether it is a
/// missing-event clause.
fn subquery(pair: Node<'_>) -> Result<(EventQuery, bool)> {
    let mut children = Children::of(pair);
    let open = children.any()?;
    let missing = match open.as_rule() {
        Rule::missing_open => true,
        Rule::lbracket => false,
        _ => return Err(unexpected(&open)),
    };
    let (query, _) = event_filter(children.expect(Rule::event_filter)?)?;
    children.expect(Rule::rbracket)?;
    Ok((query, missing))
}

fn sample(pair: Node<'_>) -> Result<Sample> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::kw_sample)?;
    let by = match children.take(Rule::join_keys) {
        Some(keys) => join_keys(keys)?,
        None => Vec::new(),
    };
    let mut terms = Vec::new();
    for child in children.rest() {
        match child.as_rule() {
            Rule::join_term => terms.push(join_term(child)?),
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(Sample { by, terms, span })
}

fn join(pair: Node<'_>) -> Result<Join> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::kw_join)?;
    let by = match children.take(Rule::join_keys) {
        Some(keys) => join_keys(keys)?,
        None => Vec::new(),
    };
    let mut terms = Vec::new();
    let mut until = None;
    for child in children.rest() {
        match child.as_rule() {
            Rule::join_term => terms.push(join_term(child)?),
            Rule::join_until => {
                let mut until_children = Children::of(child);
                until_children.expect(Rule::kw_until)?;
                until = Some(join_term(until_children.expect(Rule::join_term)?)?);
            }
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(Join {
        by,
        terms,
        until,
        span,
    })
}

fn join_term(pair: Node<'_>) -> Result<JoinTerm> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    let (query, missing) = subquery(children.expect(Rule::subquery)?)?;
    let by = match children.take(Rule::join_keys) {
        Some(keys) => join_keys(keys)?,
        None => Vec::new(),
    };
    Ok(JoinTerm {
        query,
        missing,
        by,
        span,
    })
}

/// `by key, …`: the keys.
fn join_keys(pair: Node<'_>) -> Result<Vec<Expr>> {
    let mut children = Children::of(pair);
    children.expect(Rule::kw_by)?;
    expression_list(children)
}

/// `| name arg, …`.
fn pipe(pair: Node<'_>) -> Result<Pipe> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::pipe_bar)?;
    let name = spanned_text(&children.expect(Rule::pipe_name)?);
    let args = expression_list(children)?;
    Ok(Pipe { name, args, span })
}

/// The `expression` children of a list separated by `comma`s; other
/// children (the closing parenthesis) are skipped.
fn expression_list(children: Children<'_>) -> Result<Vec<Expr>> {
    children
        .rest()
        .filter(|child| child.as_rule() == Rule::expression)
        .map(|child| expression(child).map(|tree| tree.expr))
        .collect()
}

// ---------------------------------------------------------------------------
// Expressions.

/// An expression and the depth of its tree (1 for a leaf).
struct Tree {
    expr: Expr,
    depth: usize,
}

impl Tree {
    fn leaf(kind: ExprKind, span: Span) -> Tree {
        Tree {
            expr: Expr { kind, span },
            depth: 1,
        }
    }

    /// A node above children at most `child_depth` deep, refused when it
    /// would be deeper than [`MAX_EXPRESSION_DEPTH`]; `at` is the operator
    /// to blame.
    fn node(kind: ExprKind, span: Span, child_depth: usize, at: Span) -> Result<Tree> {
        let depth = child_depth + 1;
        if depth > MAX_EXPRESSION_DEPTH {
            return Err(Diagnostic::error(
                at,
                format!(
                    "expression is too deep: more than {MAX_EXPRESSION_DEPTH} nested operators"
                ),
            )
            .with_help("split the rule, or test a field against a list with `in (…)` or `: (…)`"));
        }
        Ok(Tree {
            expr: Expr { kind, span },
            depth,
        })
    }
}

/// Builds any pair of the expression rules, from `expression` down to a
/// primary expression.
///
/// A level that holds a single child (a plain `a` is an `or_expr` of one
/// `and_expr` of one `not_expr` …) is passed through in a loop, because
/// recursing through all ten levels at every parenthesis would take ten
/// times the stack.
fn expression(pair: Node<'_>) -> Result<Tree> {
    let pair = skip_single_child_levels(pair);
    match pair.as_rule() {
        Rule::or_expr => left_chain(pair, |op, lhs, rhs| match op {
            Rule::kw_or => Some(ExprKind::Or(lhs, rhs)),
            _ => None,
        }),
        Rule::and_expr => left_chain(pair, |op, lhs, rhs| match op {
            Rule::kw_and => Some(ExprKind::And(lhs, rhs)),
            _ => None,
        }),
        Rule::not_expr => not_expr(pair),
        Rule::lineage => lineage(pair),
        Rule::comparison => comparison(pair),
        Rule::additive => left_chain(pair, |op, lhs, rhs| {
            let op = match op {
                Rule::op_add => ArithOp::Add,
                Rule::op_sub => ArithOp::Sub,
                _ => return None,
            };
            Some(ExprKind::Arith { op, lhs, rhs })
        }),
        Rule::multiplicative => left_chain(pair, |op, lhs, rhs| {
            let op = match op {
                Rule::op_mul => ArithOp::Mul,
                Rule::op_div => ArithOp::Div,
                Rule::op_mod => ArithOp::Mod,
                _ => return None,
            };
            Some(ExprKind::Arith { op, lhs, rhs })
        }),
        Rule::unary => unary(pair),
        Rule::predicated => predicated(pair),
        Rule::literal => literal(pair),
        Rule::call => call(pair),
        Rule::field => field(pair),
        Rule::group => group(pair),
        _ => Err(unexpected(&pair)),
    }
}

/// The first pair below `pair` that is not an expression level with a
/// single child.
fn skip_single_child_levels(mut pair: Node<'_>) -> Node<'_> {
    while matches!(
        pair.as_rule(),
        Rule::expression
            | Rule::or_expr
            | Rule::and_expr
            | Rule::not_expr
            | Rule::comparison
            | Rule::additive
            | Rule::multiplicative
            | Rule::unary
            | Rule::predicated
    ) {
        let mut children = pair.clone().into_inner();
        match (children.next(), children.next()) {
            (Some(only), None) => pair = only,
            _ => break,
        }
    }
    pair
}

/// Folds `operand (op operand)*` to the left: `((a op b) op c) …`.
fn left_chain(
    pair: Node<'_>,
    make: fn(Rule, Box<Expr>, Box<Expr>) -> Option<ExprKind>,
) -> Result<Tree> {
    let mut children = Children::of(pair);
    let mut lhs = expression(children.any()?)?;
    while let Some(op) = children.next() {
        let rhs = expression(children.any()?)?;
        let span = lhs.expr.span.to(rhs.expr.span);
        let depth = lhs.depth.max(rhs.depth);
        let kind = make(op.as_rule(), Box::new(lhs.expr), Box::new(rhs.expr))
            .ok_or_else(|| unexpected(&op))?;
        lhs = Tree::node(kind, span, depth, span_of(&op))?;
    }
    Ok(lhs)
}

/// `not* (lineage | comparison)`.
fn not_expr(pair: Node<'_>) -> Result<Tree> {
    let mut children = Children::of(pair);
    let mut nots = Vec::new();
    let operand = loop {
        let child = children.any()?;
        if child.as_rule() != Rule::kw_not {
            break child;
        }
        nots.push(span_of(&child));
    };
    let mut tree = expression(operand)?;
    for not in nots.into_iter().rev() {
        let span = not.to(tree.expr.span);
        tree = Tree::node(ExprKind::Not(Box::new(tree.expr)), span, tree.depth, not)?;
    }
    Ok(tree)
}

/// `relation of [category where condition]`.
fn lineage(pair: Node<'_>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    let relation = spanned_text(&children.expect(Rule::ident)?);
    children.expect(Rule::kw_of)?;
    children.expect(Rule::lbracket)?;
    let (query, depth) = event_filter(children.expect(Rule::event_filter)?)?;
    children.expect(Rule::rbracket)?;
    let at = relation.span;
    let kind = ExprKind::Lineage {
        relation,
        query: Box::new(query),
    };
    Tree::node(kind, span, depth, at)
}

/// `a < b`; comparisons do not chain.
fn comparison(pair: Node<'_>) -> Result<Tree> {
    let mut children = Children::of(pair);
    let lhs = expression(children.expect(Rule::additive)?)?;
    let Some(op_pair) = children.next() else {
        return Ok(lhs);
    };
    let op = match op_pair.as_rule() {
        Rule::op_eq => CompareOp::Eq,
        Rule::op_ne => CompareOp::Ne,
        Rule::op_lt => CompareOp::Lt,
        Rule::op_le => CompareOp::Le,
        Rule::op_gt => CompareOp::Gt,
        Rule::op_ge => CompareOp::Ge,
        _ => return Err(unexpected(&op_pair)),
    };
    let rhs = expression(children.expect(Rule::additive)?)?;
    if let Some(second) = children.next() {
        return Err(
            Diagnostic::error(span_of(&second), "comparison operators cannot be chained")
                .with_help(format!(
                    "use `and` to test both: `a {op} b and b {} c`",
                    second.as_str()
                )),
        );
    }
    let span = lhs.expr.span.to(rhs.expr.span);
    let depth = lhs.depth.max(rhs.depth);
    let kind = ExprKind::Compare {
        op,
        lhs: Box::new(lhs.expr),
        rhs: Box::new(rhs.expr),
    };
    Tree::node(kind, span, depth, span_of(&op_pair))
}

/// `-x`, `+x`, `- -x`.
fn unary(pair: Node<'_>) -> Result<Tree> {
    let mut children = Children::of(pair);
    let mut signs = Vec::new();
    let operand = loop {
        let child = children.any()?;
        let op = match child.as_rule() {
            Rule::op_neg => UnaryOp::Neg,
            Rule::op_plus => UnaryOp::Plus,
            _ => break child,
        };
        signs.push((op, span_of(&child)));
    };
    let mut tree = expression(operand)?;
    for (op, at) in signs.into_iter().rev() {
        let span = at.to(tree.expr.span);
        let kind = ExprKind::Unary {
            op,
            operand: Box::new(tree.expr),
        };
        tree = Tree::node(kind, span, tree.depth, at)?;
    }
    Ok(tree)
}

/// A primary expression and its optional `in`/`:`/`like`/`regex`.
fn predicated(pair: Node<'_>) -> Result<Tree> {
    let mut children = Children::of(pair);
    let value = expression(children.any()?)?;
    match children.next() {
        None => Ok(value),
        Some(predicate) => match predicate.as_rule() {
            Rule::in_predicate => in_predicate(value, predicate),
            Rule::match_predicate => match_predicate(value, predicate),
            _ => Err(unexpected(&predicate)),
        },
    }
}

/// `value [not] in[~] (a, b)`.
fn in_predicate(value: Tree, pair: Node<'_>) -> Result<Tree> {
    let span = value.expr.span.to(span_of(&pair));
    let mut children = Children::of(pair);
    let negated = children.take(Rule::in_negation).is_some();
    let keyword = children.any()?;
    let insensitive = match keyword.as_rule() {
        Rule::kw_in => false,
        Rule::kw_in_insensitive => true,
        _ => return Err(unexpected(&keyword)),
    };
    children.expect(Rule::in_open)?;
    let mut depth = value.depth;
    let mut list = Vec::new();
    for child in children.rest() {
        if child.as_rule() == Rule::expression {
            let item = expression(child)?;
            depth = depth.max(item.depth);
            list.push(item.expr);
        }
    }
    let kind = ExprKind::In {
        value: Box::new(value.expr),
        negated,
        insensitive,
        list,
    };
    Tree::node(kind, span, depth, span_of(&keyword))
}

/// `value : p`, `value like (p, q)`, ….
fn match_predicate(value: Tree, pair: Node<'_>) -> Result<Tree> {
    let span = value.expr.span.to(span_of(&pair));
    let mut children = Children::of(pair);
    let op_pair = children.any()?;
    let op = match op_pair.as_rule() {
        Rule::op_colon => MatchOp::Colon,
        Rule::kw_like => MatchOp::Like,
        Rule::kw_like_insensitive => MatchOp::LikeInsensitive,
        Rule::kw_regex => MatchOp::Regex,
        Rule::kw_regex_insensitive => MatchOp::RegexInsensitive,
        _ => return Err(unexpected(&op_pair)),
    };
    let patterns_pair = children.any()?;
    let (patterns, list) = match patterns_pair.as_rule() {
        Rule::literal => (vec![literal(patterns_pair)?.expr], false),
        Rule::pattern_list => {
            let patterns = Children::of(patterns_pair)
                .rest()
                .filter(|child| child.as_rule() == Rule::literal)
                .map(|child| literal(child).map(|tree| tree.expr))
                .collect::<Result<Vec<_>>>()?;
            (patterns, true)
        }
        _ => return Err(unexpected(&patterns_pair)),
    };
    let kind = ExprKind::Match {
        value: Box::new(value.expr),
        op,
        patterns,
        list,
    };
    Tree::node(kind, span, value.depth, span_of(&op_pair))
}

/// `(expression)`: the expression takes the span of its parentheses.
fn group(pair: Node<'_>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    children.expect(Rule::paren_open)?;
    let mut tree = expression(children.expect(Rule::expression)?)?;
    children.expect(Rule::rparen)?;
    tree.expr.span = span;
    Ok(tree)
}

/// `name(args)` or `name~(args)`.
fn call(pair: Node<'_>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut children = Children::of(pair);
    let mut function_name = Children::of(children.expect(Rule::function_name)?);
    let name = spanned_text(&function_name.expect(Rule::ident)?);
    let insensitive = function_name.take(Rule::tilde).is_some();
    children.expect(Rule::call_open)?;
    let mut depth = 0;
    let mut args = Vec::new();
    for child in children.rest() {
        if child.as_rule() == Rule::expression {
            let arg = expression(child)?;
            depth = depth.max(arg.depth);
            args.push(arg.expr);
        }
    }
    let at = name.span;
    let kind = ExprKind::Call {
        name,
        insensitive,
        args,
    };
    Tree::node(kind, span, depth, at)
}

/// `?a.b.c`, `` `a b`.c ``, `a[0]`.
fn field(pair: Node<'_>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut field = FieldRef {
        optional: false,
        segments: Vec::new(),
        indexes: Vec::new(),
    };
    for child in Children::of(pair).rest() {
        match child.as_rule() {
            Rule::optional_mark => field.optional = true,
            Rule::ident => field.segments.push(spanned_text(&child)),
            Rule::quoted_ident => {
                let text = child.as_str();
                let inner = text
                    .strip_prefix('`')
                    .and_then(|rest| rest.strip_suffix('`'))
                    .ok_or_else(|| unexpected(&child))?;
                field
                    .segments
                    .push(Spanned::new(inner.replace("``", "`"), span_of(&child)));
            }
            Rule::index => field.indexes.push(span_of(&child)),
            Rule::dot => {}
            _ => return Err(unexpected(&child)),
        }
    }
    Ok(Tree::leaf(ExprKind::Field(field), span))
}

/// `null`, `true`, `false`, a number or a string.
fn literal(pair: Node<'_>) -> Result<Tree> {
    let span = span_of(&pair);
    let value_pair = Children::of(pair).any()?;
    let value = match value_pair.as_rule() {
        Rule::kw_null => Literal::Null,
        Rule::kw_true => Literal::Bool(true),
        Rule::kw_false => Literal::Bool(false),
        Rule::number => number(value_pair)?,
        Rule::string => Literal::String(string_value(value_pair)?),
        _ => return Err(unexpected(&value_pair)),
    };
    Ok(Tree::leaf(ExprKind::Literal(value), span))
}

/// An integer, or a float when it has a fraction or an exponent or does not
/// fit in 64 bits.
fn number(pair: Node<'_>) -> Result<Literal> {
    let span = span_of(&pair);
    let inner = Children::of(pair).any()?;
    let text = inner.as_str();
    if inner.as_rule() == Rule::integer {
        if let Ok(integer) = text.parse::<u64>() {
            return Ok(Literal::Integer(integer));
        }
    } else if inner.as_rule() != Rule::float {
        return Err(unexpected(&inner));
    }
    match text.parse::<f64>() {
        Ok(float) if float.is_finite() => Ok(Literal::Float(float)),
        _ => Err(Diagnostic::error(span, "number is too large")
            .with_help("numbers are 64-bit floats at most, up to about `1.8e308`")),
    }
}

/// The value of a `string` pair: escapes processed for `"…"`, verbatim for
/// `"""…"""`.
fn string_value(pair: Node<'_>) -> Result<String> {
    let inner = Children::of(pair).any()?;
    let text = inner.as_str();
    match inner.as_rule() {
        Rule::raw_string => text
            .get(3..text.len().saturating_sub(3))
            .map(str::to_owned)
            .ok_or_else(|| unexpected(&inner)),
        Rule::quoted_string => decode_quoted_string(text, inner.as_span().start()),
        _ => Err(unexpected(&inner)),
    }
}

// ---------------------------------------------------------------------------
// Helpers.

/// The children of a pair, read in grammar order.
struct Children<'i> {
    pairs: Pairs<'i, Rule>,
    /// The parent's span, for internal errors about missing children.
    parent: Span,
}

impl<'i> Children<'i> {
    fn of(pair: Node<'i>) -> Children<'i> {
        Children {
            parent: span_of(&pair),
            pairs: pair.into_inner(),
        }
    }

    fn next(&mut self) -> Option<Node<'i>> {
        self.pairs.next()
    }

    /// The next child, whatever its rule.
    fn any(&mut self) -> Result<Node<'i>> {
        self.pairs
            .next()
            .ok_or_else(|| internal(self.parent, "a child is missing"))
    }

    /// The next child, which must be a `rule`.
    fn expect(&mut self, rule: Rule) -> Result<Node<'i>> {
        let child = self.any()?;
        if child.as_rule() == rule {
            Ok(child)
        } else {
            Err(unexpected(&child))
        }
    }

    /// The next child if it is a `rule`.
    fn take(&mut self, rule: Rule) -> Option<Node<'i>> {
        match self.pairs.peek() {
            Some(child) if child.as_rule() == rule => self.pairs.next(),
            _ => None,
        }
    }

    /// The remaining children.
    fn rest(self) -> Pairs<'i, Rule> {
        self.pairs
    }
}

/// The span of a pair's text without the whitespace and comments that pest
/// leaves at the end of a rule ending in `?` or `*` (it skips them before
/// trying the optional part): from the pair's start to the end of its last
/// token.
fn span_of(pair: &Node<'_>) -> Span {
    let mut last = pair.clone();
    while let Some(child) = last.clone().into_inner().next_back() {
        last = child;
    }
    Span::new(pair.as_span().start(), last.as_span().end())
}

fn spanned_text(pair: &Node<'_>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_owned(), span_of(pair))
}

/// A pest tree that does not have the shape the grammar promises: a bug in
/// this module, reported instead of panicking.
fn internal(span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(span, format!("internal parser error: {what}"))
        .with_help("this is a bug in eqlc; please report it with the query")
}

fn unexpected(pair: &Node<'_>) -> Diagnostic {
    internal(
        span_of(pair),
        &format!("unexpected `{:?}` in the tree", pair.as_rule()),
    )
}
