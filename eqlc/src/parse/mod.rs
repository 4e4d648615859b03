//! Parsing EQL text into the syntax tree of [`crate::ast`].
//!
//! Parsing runs in three steps:
//!
//! 1. `scan` reads the text once, before the grammar runs: it enforces the
//!    input limits ([`MAX_QUERY_LEN`], [`MAX_NESTING`]) and reports lexical
//!    mistakes (unterminated strings and comments, unknown escapes,
//!    single-quoted strings) with a precise span and a help text.
//! 2. The pest grammar `eql.pest` parses the text; its failures are turned
//!    into rustc-style messages by `errors`.
//! 3. `build` turns the pest tree into the AST, building operator chains
//!    left-associatively with loops, and rejecting what the grammar accepts
//!    only to report it better (chained comparisons, expressions deeper than
//!    [`MAX_EXPRESSION_DEPTH`]).
//!
//! Every node gets the byte span of its source text. A parenthesised
//! expression keeps the span of the parentheses, so a parent's span always
//! covers its children's. String literals hold their value after escape
//! processing.
//!
//! Nothing here recurses deeper than the nesting limit allows: the grammar
//! and the tree builder recurse once per parenthesis or bracket, and the scan
//! refuses more than [`MAX_NESTING`] of those before they run.

mod build;
mod errors;
mod scan;

#[cfg(test)]
mod tests;

use pest::Parser as _;

use crate::ast::{Expr, Query};
use crate::diagnostic::Diagnostic;

/// The longest query accepted, in bytes (1 MiB).
pub const MAX_QUERY_LEN: usize = 1 << 20;

/// How deeply parentheses and brackets (and block comments) may nest.
pub const MAX_NESTING: usize = 64;

/// How deep the expression tree of a query may be. A chain of operators
/// (`a or b or c …`, `not not …`) nests one level per operator, and every
/// later stage, down to dropping the tree, recurses over that depth.
pub const MAX_EXPRESSION_DEPTH: usize = 10_000;

mod grammar {
    //! The pest parser generated from `eql.pest`.

    #[derive(pest_derive::Parser)]
    #[grammar = "parse/eql.pest"]
    pub(super) struct EqlParser;
}

use grammar::{EqlParser, Rule};

/// Parses a whole statement: a query (event query, `sequence`, `sample` or
/// `join`) followed by its pipes.
///
/// Only the syntax is checked; the tree may still use constructs that the
/// checker rejects.
pub fn parse_query(text: &str) -> Result<Query, Diagnostic> {
    scan::scan(text)?;
    let mut pairs =
        EqlParser::parse(Rule::query, text).map_err(|error| errors::syntax_error(text, error))?;
    build::query(build::single(&mut pairs)?)
}

/// Parses an expression alone, such as `process.name : "cmd.exe" and x > 1`,
/// for tests and tools.
pub fn parse_expression(text: &str) -> Result<Expr, Diagnostic> {
    scan::scan(text)?;
    let mut pairs = EqlParser::parse(Rule::expression_input, text)
        .map_err(|error| errors::syntax_error(text, error))?;
    build::expression_input(build::single(&mut pairs)?)
}
