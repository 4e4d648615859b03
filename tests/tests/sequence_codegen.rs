//! A snapshot of the Rust a sequence rule becomes, pretty-printed, so that a
//! change to its emission shows up as a reviewable diff.

use eqlc::emit::{EmitContext, RuleMeta};
use eqlc::sequence::emit::{JoinRuleItem, emit_sequence_rule};
use eqlc::{CompiledQuery, Options, compile_query};
use proc_macro2::{Ident, Span};
use quote::quote;

#[test]
fn sequence_rule() {
    let query = r#"sequence by host.id with maxspan=30s
  [process where process.name == "sh"] by ?user.name with runs=2
  ![file where file.path : "/tmp/*"] by user.name
  [network where destination.port in (80, 443)] by user.name
until [process where event.action == "exit"] by user.name"#;
    let Ok(CompiledQuery::Sequence(sequence)) = compile_query(query, &Options::default()) else {
        panic!("the sequence compiles");
    };
    let meta = RuleMeta {
        id: "shell-then-connect".into(),
        name: "ShellThenConnect".into(),
        query: query.into(),
        ..RuleMeta::default()
    };
    let tokens = emit_sequence_rule(
        &JoinRuleItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new("ShellThenConnect", Span::call_site()),
            meta: &meta,
            tracked_file: None,
        },
        &sequence.plan,
        &EmitContext::default(),
    );
    insta::assert_snapshot!(eqlc::pretty(&tokens).expect("generated code parses as Rust"));
}
