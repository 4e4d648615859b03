//! `eqlc expand` and `eqlc explain`: what a rule becomes.

use std::path::Path;
use std::process::ExitCode;

use eqlc::CompiledQuery;
use eqlc::emit::{EmitContext, RuleItem, emit_rule};
use eqlc::sequence::emit::{JoinRuleItem, emit_sample_rule, emit_sequence_rule};
use proc_macro2::Ident;
use quote::quote;

use super::{Source, read_source};

/// Reads and compiles one rule, reporting problems on stderr.
fn compile(path: &Path) -> Result<(Source, CompiledQuery), ExitCode> {
    let source = match read_source(path) {
        Ok(Ok(source)) => source,
        Ok(Err(reason)) => {
            errln!("error: {}: {reason}", path.display());
            return Err(ExitCode::FAILURE);
        }
        Err(message) => {
            errln!("error: {message}");
            return Err(ExitCode::FAILURE);
        }
    };
    match source.compile() {
        Ok(compiled) => Ok((source, compiled)),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                err!("{}", source.render(diagnostic));
            }
            Err(ExitCode::FAILURE)
        }
    }
}

pub fn run(path: &Path, name: &str) -> ExitCode {
    let (source, compiled) = match compile(path) {
        Ok(compiled) => compiled,
        Err(code) => return code,
    };
    let Ok(name) = syn::parse_str::<Ident>(name) else {
        errln!("error: `{name}` is not a Rust type name");
        return ExitCode::FAILURE;
    };
    let meta = source.rule.meta();
    let cx = EmitContext::default();
    let tokens = match &compiled {
        CompiledQuery::Event(compiled) => emit_rule(
            &RuleItem {
                attrs: quote!(),
                vis: quote!(pub),
                name,
                filter: &compiled.filter,
                meta: &meta,
                pipes: &compiled.pipes,
                tracked_file: None,
            },
            &cx,
        ),
        CompiledQuery::Sequence(sequence) => {
            emit_sequence_rule(&join_item(name, &meta), &sequence.plan, &cx)
        }
        CompiledQuery::Sample(sample) => {
            emit_sample_rule(&join_item(name, &meta), &sample.plan, &cx)
        }
    };
    match eqlc::pretty(&tokens) {
        Ok(code) => {
            out!("{code}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            errln!("error: the generated code does not parse ({error}); this is a bug in eqlc");
            ExitCode::FAILURE
        }
    }
}

/// A sequence or sample rule named `name`, as `eqlc expand` shows it.
fn join_item(name: Ident, meta: &eqlc::emit::RuleMeta) -> JoinRuleItem<'_> {
    JoinRuleItem {
        attrs: quote!(),
        vis: quote!(pub),
        name,
        meta,
        tracked_file: None,
    }
}

pub fn explain(path: &Path) -> ExitCode {
    match compile(path) {
        Ok((_, compiled)) => {
            out!("{}", eqlc::explain::explain_query(&compiled));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
