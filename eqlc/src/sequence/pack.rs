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
use quote::{format_ident, quote};

use super::emit::{JoinRuleItem, emit_sample_rule, emit_sequence_rule};
use super::{CompiledQuery, compile_query};
use crate::emit::EmitContext;
use crate::pack::{
    LoadOptions, Pack, PackError, load_pack_with, render_in_file, rule_files, rule_options,
};
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

/// How the type that runs a folder's sequence and sample rules is written.
#[derive(Clone, Debug)]
pub struct JoinSetItem<'a> {
    pub attrs: TokenStream,
    pub vis: TokenStream,
    pub name: Ident,
    pub pack: &'a JoinPack,
}

/// The ECS paths the rules of a join pack read, sorted and deduplicated.
pub fn join_paths(pack: &JoinPack) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for rule in &pack.rules {
        match &rule.compiled {
            CompiledQuery::Sequence(sequence) => {
                paths.extend(sequence.plan.paths().iter().map(|path| path.to_string()));
            }
            CompiledQuery::Sample(sample) => {
                paths.extend(sample.plan.paths().iter().map(|path| path.to_string()));
            }
            CompiledQuery::Event(_) => {}
        }
    }
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// One type that holds the state of every sequence and sample rule of a
/// folder: `push` feeds an event to each of them and reports each completed
/// sequence with the rule's metadata; `finish` ends the stream and reports
/// the samples and what waited for the end. The rules' own types sit in a
/// hidden module beside it.
pub fn emit_join_set(item: &JoinSetItem<'_>, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let JoinSetItem {
        attrs,
        vis,
        name,
        pack,
    } = item;
    let module = format_ident!("__eql_{}", snake_case(&name.to_string()));
    let names = type_names(&pack.rules);
    let mut types = Vec::new();
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut pushes = Vec::new();
    let mut sequence_pushes = Vec::new();
    let mut finishes = Vec::new();
    let mut open_keys = Vec::new();
    for (index, (rule, ty)) in pack.rules.iter().zip(&names).enumerate() {
        let field = format_ident!("rule_{index}");
        let meta = rule.rule.meta();
        let doc = format!("{} ({})", rule.rule.name, rule.path.display());
        let join_item = JoinRuleItem {
            attrs: quote!(#[doc = #doc]),
            vis: quote!(pub),
            name: ty.clone(),
            meta: &meta,
            tracked_file: Some(rule.path.display().to_string()),
        };
        fields.push(quote!(#field: #module::#ty<__EqlPayload>,));
        open_keys.push(quote!(self.#field.open_keys()));
        match &rule.compiled {
            CompiledQuery::Sequence(sequence) => {
                types.push(emit_sequence_rule(&join_item, &sequence.plan, cx));
                inits.push(quote!(#field: #module::#ty::with_limits(limits),));
                sequence_pushes.push(quote! {
                    refused = refused.and(self.#field.push(
                        event,
                        ::core::clone::Clone::clone(&payload),
                        |found| on_result(&<#module::#ty>::META, #rt::join::JoinMatch::Sequence(found)),
                    ));
                });
                finishes.push(quote! {
                    self.#field.finish(|found| {
                        on_result(&<#module::#ty>::META, #rt::join::JoinMatch::Sequence(found))
                    });
                });
            }
            CompiledQuery::Sample(sample) => {
                types.push(emit_sample_rule(&join_item, &sample.plan, cx));
                inits.push(quote!(#field: #module::#ty::with_spec(#module::#ty::<__EqlPayload>::spec(), limits),));
                pushes.push(quote! {
                    self.#field.push(event, ::core::clone::Clone::clone(&payload));
                });
                finishes.push(quote! {
                    self.#field.finish(|found| {
                        on_result(&<#module::#ty>::META, #rt::join::JoinMatch::Sample(found))
                    });
                });
            }
            CompiledQuery::Event(_) => {}
        }
    }
    let count = pack.rules.len();
    // Every sequence takes the event; the first refusal is returned.
    let push_body = if sequence_pushes.is_empty() {
        quote! {
            #(#pushes)*
            ::core::result::Result::Ok(())
        }
    } else {
        quote! {
            #(#pushes)*
            let mut refused = ::core::result::Result::Ok(());
            #(#sequence_pushes)*
            refused
        }
    };
    let paths = join_paths(pack);
    let entries = paths.iter().enumerate().map(|(slot, path)| {
        let slot = slot as u32;
        quote!(#rt::__private::FieldEntry {
            name: #path,
            shape: #rt::__private::Shape::Leaf,
            first_slot: #slot,
        })
    });
    let doc_module = format!("The rule types of [`{name}`].");
    quote! {
        #[doc = #doc_module]
        #[doc(hidden)]
        #[allow(non_snake_case, clippy::all)]
        #vis mod #module {
            #[allow(unused_imports)]
            use super::*;

            #(#types)*
        }

        #attrs
        #vis struct #name<__EqlPayload = u64> {
            #(#fields)*
            __eql_payload: ::core::marker::PhantomData<__EqlPayload>,
        }

        const _: () = {
            impl #name {
                /// The metadata of every sequence and sample rule, in file
                /// order.
                pub const RULES: [&'static #rt::RuleMeta; #count] = [#(&<#module::#names>::META),*];

                /// The ECS paths the rules read, sorted.
                pub const PATHS: &'static [&'static str] = &[#(#paths),*];
            }

            #[automatically_derived]
            impl<__EqlPayload> #rt::json::PathSet for #name<__EqlPayload> {
                const PATHS: &'static [&'static str] = <#name>::PATHS;
                const FIELDS: &'static [#rt::__private::FieldEntry] = &[#(#entries),*];
            }

            #[allow(
                // An empty folder reads neither the event nor the payload.
                unused_variables,
                unused_mut,
                clippy::all,
            )]
            impl<__EqlPayload: ::core::clone::Clone> #name<__EqlPayload> {
                /// Every rule with no event seen and no key open.
                pub fn new() -> Self {
                    Self::with_limits(::core::default::Default::default())
                }

                /// Every rule with other bounds on its memory (each rule has
                /// its own).
                pub fn with_limits(limits: #rt::sequence::Limits) -> Self {
                    #name {
                        #(#inits)*
                        __eql_payload: ::core::marker::PhantomData,
                    }
                }

                /// Feeds the next event, in timestamp order, to every rule,
                /// with what results should report for it (a line number, an
                /// id), and calls `on_result` with each sequence completed.
                /// An event older than the latest one, or without a
                /// timestamp, is refused by the sequences (and counted by
                /// each); the samples still take it.
                pub fn push<__EqlEvent, __EqlOnResult>(
                    &mut self,
                    event: &__EqlEvent,
                    payload: __EqlPayload,
                    mut on_result: __EqlOnResult,
                ) -> ::core::result::Result<(), #rt::sequence::Refused>
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                    __EqlOnResult: ::core::ops::FnMut(
                        &'static #rt::RuleMeta,
                        #rt::join::JoinMatch<'_, __EqlPayload>,
                    ),
                {
                    #push_body
                }

                /// Ends the stream: reports the sequences that waited for
                /// trailing missing steps or a `tail` pipe, and the samples,
                /// rule by rule; then every rule starts afresh.
                pub fn finish<__EqlOnResult>(&mut self, mut on_result: __EqlOnResult)
                where
                    __EqlOnResult: ::core::ops::FnMut(
                        &'static #rt::RuleMeta,
                        #rt::join::JoinMatch<'_, __EqlPayload>,
                    ),
                {
                    #(#finishes)*
                }

                /// How many join keys hold state now, over every rule.
                pub fn open_keys(&self) -> usize {
                    0 #(+ #open_keys)*
                }
            }

            #[automatically_derived]
            impl<__EqlPayload: ::core::clone::Clone> ::core::default::Default for #name<__EqlPayload> {
                fn default() -> Self {
                    Self::new()
                }
            }

            #[automatically_derived]
            impl<__EqlPayload> ::core::fmt::Debug for #name<__EqlPayload> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(::core::stringify!(#name))
                        .field("rules", &#count)
                        .finish_non_exhaustive()
                }
            }
        };
    }
}

/// `RuleSequences` becomes `rule_sequences`.
fn snake_case(name: &str) -> String {
    let mut snake = String::new();
    for (index, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if index > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// A folder's event rules, as a pack, and its sequence and sample rules.
/// The pack's `skipped` leaves out the files the join pack holds.
pub fn load_mixed(dir: &Path) -> Result<(Pack, JoinPack), Vec<PackError>> {
    let mut pack = load_pack_with(
        dir,
        &LoadOptions {
            skip_unsupported: true,
        },
    )?;
    let joins = load_join_pack(dir)?;
    pack.skipped
        .retain(|(path, _)| !joins.rules.iter().any(|rule| &rule.path == path));
    Ok((pack, joins))
}
