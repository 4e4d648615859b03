//! `eqlc expand` and `eqlc explain`: what a rule becomes.

use std::path::Path;
use std::process::ExitCode;

use eqlc::emit::{EmitContext, RuleItem, emit_rule};
use proc_macro2::{Ident, Span};
use quote::quote;

use super::{Source, read_source};

/// Reads and compiles one rule, reporting problems on stderr.
fn compile(path: &Path) -> Result<(Source, eqlc::Compiled), ExitCode> {
    let source = match read_source(path) {
        Ok(Some(source)) => source,
        Ok(None) => {
            eprintln!("error: {} is not an EQL rule", path.display());
            return Err(ExitCode::FAILURE);
        }
        Err(message) => {
            eprintln!("error: {message}");
            return Err(ExitCode::FAILURE);
        }
    };
    match source.compile() {
        Ok(compiled) => Ok((source, compiled)),
        Err(diagnostics) => {
            for diagnostic in &diagnostics {
                eprint!("{}", source.render(diagnostic));
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
        eprintln!("error: `{name}` is not a Rust type name");
        return ExitCode::FAILURE;
    };
    let meta = source.rule.meta();
    let tokens = emit_rule(
        &RuleItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new(&name.to_string(), Span::call_site()),
            filter: &compiled.filter,
            meta: &meta,
            pipes: &compiled.pipes,
            tracked_file: None,
        },
        &EmitContext::default(),
    );
    match eqlc::pretty(&tokens) {
        Ok(code) => {
            print!("{code}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: the generated code does not parse ({error}); this is a bug in eqlc");
            ExitCode::FAILURE
        }
    }
}

pub fn explain(path: &Path) -> ExitCode {
    match compile(path) {
        Ok((_, compiled)) => {
            print!("{}", eqlc::explain::explain(&compiled));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
