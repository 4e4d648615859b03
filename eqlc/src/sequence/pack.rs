//! A folder's sequence and sample rules, compiled into one module.
//!
//! Rule packs ([`crate::pack`]) evaluate event rules on each event and report
//! which match; sequence and sample rules keep state, so each is a type of
//! its own ([`super::emit`]). [`JoinPackBuild`] compiles every sequence and
//! sample rule under a folder into one file, for a build script to
//! `include!`: a type per rule, `RULES` with their metadata, and `run_lines`,
//! which runs one rule over lines of NDJSON (for tests and tools that pick a
//! rule at run time).

use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::emit::{JoinRuleItem, emit_sample_rule, emit_sequence_rule};
use super::{CompiledQuery, compile_query};
use crate::emit::EmitContext;
use crate::pack::{PackError, render_in_file, rule_files, rule_options};
use crate::rule_file::{RuleFile, parse_rule_file};

/// A compiled sequence or sample rule of a folder.
#[derive(Clone, Debug)]
pub struct JoinPackRule {
    pub path: PathBuf,
    pub rule: RuleFile,
    /// A [`CompiledQuery::Sequence`] or [`CompiledQuery::Sample`].
    pub compiled: CompiledQuery,
}

/// The sequence and sample rules of a folder.
#[derive(Clone, Debug, Default)]
pub struct JoinPack {
    pub rules: Vec<JoinPackRule>,
    /// Files passed over (event rules, other languages), with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Compiles the sequence and sample rules under `dir`; every failing file is
/// reported.
pub fn load_join_pack(dir: &Path) -> Result<JoinPack, Vec<PackError>> {
    let files = rule_files(dir).map_err(|error| {
        vec![PackError {
            path: dir.to_path_buf(),
            message: format!("cannot read the rule folder: {error}"),
        }]
    })?;
    let mut pack = JoinPack::default();
    let mut errors = Vec::new();
    for path in files {
        match load_join_rule(&path) {
            Ok(Ok(rule)) => pack.rules.push(rule),
            Ok(Err(reason)) => pack.skipped.push((path, reason)),
            Err(message) => errors.push(PackError { path, message }),
        }
    }
    if errors.is_empty() {
        Ok(pack)
    } else {
        Err(errors)
    }
}

/// One file: the compiled rule, or why it is not one (`Ok(Err(reason))`), or
/// its errors.
fn load_join_rule(path: &Path) -> Result<Result<JoinPackRule, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read: {error}"))?;
    let rule = parse_rule_file(&text).map_err(|error| error.message)?;
    if rule.language != "eql" {
        return Ok(Err(format!("a `{}` rule, not EQL", rule.language)));
    }
    let is_join = matches!(
        crate::parse::parse_query(&rule.query).map(|query| query.body),
        Ok(crate::ast::QueryBody::Sequence(_) | crate::ast::QueryBody::Sample(_))
    );
    if !is_join {
        return Ok(Err("an event rule (see `eqlc::pack`)".into()));
    }
    let compiled = compile_query(&rule.query, &rule_options(&rule))
        .map_err(|diagnostics| render_in_file(&diagnostics.items, &rule, &text))?;
    Ok(Ok(JoinPackRule {
        path: path.to_path_buf(),
        rule,
        compiled,
    }))
}

/// The module's items: a type per rule, `RULES`, `run_lines`.
pub fn emit_join_pack(pack: &JoinPack, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let names = type_names(&pack.rules);
    let mut types = Vec::new();
    let mut runs = Vec::new();
    for (index, (rule, name)) in pack.rules.iter().zip(&names).enumerate() {
        let meta = rule.rule.meta();
        let doc = format!("{} ({})", rule.rule.name, rule.path.display());
        let item = JoinRuleItem {
            attrs: quote!(#[doc = #doc]),
            vis: quote!(pub),
            name: name.clone(),
            meta: &meta,
            tracked_file: Some(rule.path.display().to_string()),
        };
        match &rule.compiled {
            CompiledQuery::Sequence(sequence) => {
                types.push(emit_sequence_rule(&item, &sequence.plan, cx));
                runs.push(quote! {
                    #index => {
                        let mut record = #rt::json::Record::<#name>::new();
                        let mut rule = #name::<usize>::new();
                        for (number, line) in lines.iter().enumerate() {
                            if let ::core::result::Result::Ok(event) = record.decode(line) {
                                let _ = rule.push(&event, number, |found| on_result(found.events()));
                            }
                        }
                        rule.finish(|found| on_result(found.events()));
                        true
                    }
                });
            }
            CompiledQuery::Sample(sample) => {
                types.push(emit_sample_rule(&item, &sample.plan, cx));
                runs.push(quote! {
                    #index => {
                        let mut record = #rt::json::Record::<#name>::new();
                        let mut rule = #name::<usize>::new();
                        for (number, line) in lines.iter().enumerate() {
                            if let ::core::result::Result::Ok(event) = record.decode(line) {
                                rule.push(&event, number);
                            }
                        }
                        rule.finish(|found| {
                            let events: ::std::vec::Vec<::core::option::Option<usize>> =
                                found.events().iter().copied().map(::core::option::Option::Some).collect();
                            on_result(&events)
                        });
                        true
                    }
                });
            }
            CompiledQuery::Event(_) => {}
        }
    }
    let count = pack.rules.len();
    quote! {
        #(#types)*

        /// The metadata of every rule, in file order.
        pub const RULES: [&#rt::RuleMeta; #count] = [#(&<#names>::META),*];

        /// Runs rule `index` (of [`RULES`]) over NDJSON lines, each line's
        /// number its payload, and calls `on_result` with the payloads of
        /// each result (`None` for a missing-event step). Lines that do not
        /// decode, and events a sequence refuses, are passed over. `false`
        /// for an index past the end.
        #[allow(
            // An empty pack never reads its arguments.
            unused_variables,
            clippy::all,
        )]
        pub fn run_lines(
            index: usize,
            lines: &[&[u8]],
            on_result: &mut dyn ::core::ops::FnMut(&[::core::option::Option<usize>]),
        ) -> bool {
            match index {
                #(#runs)*
                _ => false,
            }
        }
    }
}

/// A type name per rule from its file name (`ssh_tunnel.toml` becomes
/// `SshTunnel`), made unique.
fn type_names(rules: &[JoinPackRule]) -> Vec<Ident> {
    let mut names: Vec<String> = Vec::new();
    for rule in rules {
        let stem = rule
            .path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut base: String = stem
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .map(|part| part[..1].to_ascii_uppercase() + &part[1..])
            .collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, "Rule");
        }
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        names.push(name);
    }
    names
        .iter()
        .map(|name| Ident::new(name, Span::call_site()))
        .collect()
}

/// Compiles a folder's sequence and sample rules from a build script.
#[derive(Clone, Debug)]
pub struct JoinPackBuild {
    dir: PathBuf,
    runtime: String,
}

impl JoinPackBuild {
    pub fn new(dir: impl Into<PathBuf>) -> JoinPackBuild {
        JoinPackBuild {
            dir: dir.into(),
            runtime: "::eql_runtime".into(),
        }
    }

    /// The path of the runtime crate in the generated code.
    pub fn runtime_path(mut self, path: &str) -> JoinPackBuild {
        self.runtime = path.to_owned();
        self
    }

    /// Writes the module's items to `out` (formatted), tells cargo what to
    /// watch, and returns the pack.
    pub fn write(&self, out: &Path) -> Result<JoinPack, Vec<PackError>> {
        println!("cargo:rerun-if-changed={}", self.dir.display());
        let pack = load_join_pack(&self.dir)?;
        let runtime: TokenStream = self.runtime.parse().map_err(|_| {
            vec![PackError {
                path: self.dir.clone(),
                message: format!("`{}` is not a path", self.runtime),
            }]
        })?;
        let tokens = emit_join_pack(&pack, &EmitContext { runtime });
        let code = crate::pretty(&tokens).unwrap_or_else(|_| tokens.to_string());
        std::fs::write(out, code).map_err(|error| {
            vec![PackError {
                path: out.to_path_buf(),
                message: format!("cannot write the generated rules: {error}"),
            }]
        })?;
        Ok(pack)
    }
}
