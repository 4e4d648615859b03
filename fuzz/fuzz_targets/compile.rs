//! What `eql_rule!` runs on a query: parse, check, lower, optimise and emit,
//! then the schema check and the explanation that `eqlc check` and `eqlc
//! explain` show. A query that compiles must emit Rust that parses, and its
//! filter must build an interpreter; one that fails must fail with spans
//! inside the text. Nothing may panic.

#![no_main]

use eqlc::emit::{EmitContext, RuleItem, RuleMeta, emit_rule};
use eqlc::interpret::Interpreter;
use libfuzzer_sys::fuzz_target;
use proc_macro2::{Ident, Span};
use quote::quote;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let compiled = match eqlc::compile(text, &eqlc::Options::default()) {
        Ok(compiled) => compiled,
        Err(diagnostics) => {
            assert!(diagnostics.has_errors(), "a failure without an error");
            for diagnostic in &diagnostics.items {
                assert!(diagnostic.span.end as usize <= text.len());
                let _ = diagnostic.render(text);
            }
            // `eqlc check` still checks the fields of a query that parses.
            if let Ok(query) = eqlc::parse::parse_query(text) {
                let schema = eqlc::schema::Schema::ecs();
                let options = eqlc::Options::default();
                for warning in eqlc::schema::check_query(&query, &options, &schema) {
                    assert!(warning.diagnostic.span.end as usize <= text.len());
                }
            }
            return;
        }
    };
    let schema = eqlc::schema::Schema::ecs();
    for warning in eqlc::schema::check_compiled(&compiled, &eqlc::Options::default(), &schema) {
        assert!(!warning.diagnostic.is_error());
        assert!(warning.diagnostic.span.end as usize <= text.len());
    }
    let _ = eqlc::explain::explain(&compiled);
    let meta = RuleMeta {
        query: text.to_owned(),
        ..RuleMeta::default()
    };
    let tokens = emit_rule(
        &RuleItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new("Fuzzed", Span::call_site()),
            filter: &compiled.filter,
            meta: &meta,
            pipes: &compiled.pipes,
            tracked_file: None,
        },
        &EmitContext::default(),
    );
    if let Err(error) = eqlc::pretty(&tokens) {
        panic!("the code emitted for {text:?} does not parse: {error}");
    }
    Interpreter::new(compiled.filter).expect("a compiled filter's regexes build");
});
