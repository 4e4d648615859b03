//! The eqlc compiler: Elastic EQL in, specialised Rust out.
//!
//! A query goes through five stages, each with its own module and its own
//! representation:
//!
//! ```text
//! text ─parse─▶ ast::Query ─check─▶ (same, vetted) ─lower─▶ ir::EventFilter
//!      ─optimise─▶ ir::EventFilter ─emit─▶ Rust tokens
//! ```
//!
//! - [`parse`] reads the whole language with one pest grammar into a syntax
//!   tree whose every node has a byte span;
//! - [`check`] rejects what Elasticsearch parses but does not run, and what
//!   this compiler does not compile yet;
//! - [`desugar`] rewrites comparisons of two `?optional` fields, which
//!   Elasticsearch accepts only because an unmapped one is `null`;
//! - [`lower`] resolves fields and functions, checks types and produces
//!   typed predicates in negation normal form ([`ir`]);
//! - [`optimise`] merges tests per field and orders them by cost;
//! - [`emit`] writes the matcher as `quote!` tokens.
//!
//! Sequences and samples ([`sequence`], through [`compile_query`]) run each
//! step through the same stages, and add a plan of how steps join; their
//! rules become stateful types that feed the engines of `eql_core`.
//!
//! Errors at every stage are [`Diagnostic`]s with a span into the query
//! text; nothing panics on any input. Input is bounded: the parser refuses
//! queries over 1 MiB and nesting deeper than 64 levels, the checker lists
//! of more than [`check::MAX_LIST_LEN`] items and queries reading more than
//! [`check::MAX_FIELDS`] distinct fields, and lowering regular
//! expressions that compile to more than the `regex` crate's size limit.
//!
//! This crate is not a stable API: the macro crate pins it with `=`, and
//! anything else that uses it should do the same.

pub mod ast;
pub mod build;
pub mod check;
pub mod desugar;
pub mod diagnostic;
pub mod emit;
pub mod emit_pack;
pub mod explain;
pub mod interpret;
pub mod ir;
pub mod lower;
pub mod lucene;
pub mod optimise;
pub mod pack;
pub mod parse;
pub mod plan;
pub mod rule_file;
pub mod schema;
pub mod sequence;

pub use diagnostic::{Diagnostic, Diagnostics, Position, Severity};
pub use lower::{FieldType, Options};
pub use sequence::{CompiledQuery, compile_query};

use proc_macro2::TokenStream;

/// A query that compiled, with what each stage made of it.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub query: ast::Query,
    pub filter: ir::EventFilter,
    /// The `head`/`tail` pipes, in order.
    pub pipes: Vec<eql_core::pipe::Pipe>,
    /// Problems that do not stop compilation.
    pub warnings: Diagnostics,
}

/// Parses, checks, lowers and optimises a single-event query.
pub fn compile(text: &str, options: &Options) -> Result<Compiled, Diagnostics> {
    // Parse.
    let mut query = parse::parse_query(text).map_err(Diagnostics::from)?;

    // Check.
    let checked = check::check_query(&query);
    if checked.has_errors() {
        return Err(checked);
    }
    desugar::desugar_query(&mut query);
    let ast::QueryBody::Event(event) = &query.body else {
        return Err(Diagnostic::error(query.span, "only event queries compile").into());
    };

    // Lower.
    let filter = lower::lower_event_query(event, options)?;

    // Optimise.
    let filter = ir::EventFilter {
        condition: optimise::optimise(filter.condition),
        fields: filter.fields,
    };

    let pipes = query
        .pipes
        .iter()
        .filter_map(|pipe| {
            let count = check::pipe_count(pipe)?;
            Some(match pipe.name.node.as_str() {
                "head" => eql_core::pipe::Pipe::Head(count),
                _ => eql_core::pipe::Pipe::Tail(count),
            })
        })
        .collect();

    Ok(Compiled {
        query,
        filter,
        pipes,
        warnings: checked,
    })
}

/// Formats generated tokens as Rust source, for snapshots and `eqlc expand`.
pub fn pretty(tokens: &TokenStream) -> Result<String, syn::Error> {
    let file: syn::File = syn::parse2(tokens.clone())?;
    Ok(prettyplease::unparse(&file))
}
