//! Snapshots of the Rust that rules become, pretty-printed, so that a change
//! to the compiler shows up as a reviewable diff of generated code.

use eqlc::emit::{EmitContext, RuleItem, emit_rule};
use eqlc::pack::load_rule;
use proc_macro2::{Ident, Span};
use quote::quote;

fn expand_rule_file(relative: &str, type_name: &str) -> String {
    let path = eqlc_tests::workspace_dir().join(relative);
    let rule = load_rule(&path)
        .expect("the rule compiles")
        .expect("the rule is EQL");
    let meta = rule.rule.meta();
    let tokens = emit_rule(
        &RuleItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new(type_name, Span::call_site()),
            filter: &rule.compiled.filter,
            meta: &meta,
            pipes: &rule.compiled.pipes,
            tracked_file: Some(relative.to_owned()),
        },
        &EmitContext::default(),
    );
    eqlc::pretty(&tokens).expect("generated code parses as Rust")
}

#[test]
fn seed_rule() {
    insta::assert_snapshot!(expand_rule_file(
        "rules/tunneling_port_forwarding_defend_for_containers.toml",
        "TunnelingPortForwarding"
    ));
}
