//! `eql_rule!`: reads the rule items, compiles each with `eqlc`, and returns
//! the generated code or spanned errors.

use std::path::PathBuf;

use eqlc::emit::{EmitContext, RuleItem, RuleMeta};
use eqlc::sequence::emit::{JoinRuleItem, emit_sample_rule, emit_sequence_rule};
use eqlc::{CompiledQuery, Diagnostic, Options, rule_file};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

use crate::spans;

pub fn expand(input: TokenStream) -> TokenStream {
    let items = match syn::parse2::<Items>(input) {
        Ok(items) => items,
        Err(error) => return error.to_compile_error(),
    };
    items.0.iter().map(expand_item).collect()
}

struct Items(Vec<Item>);

/// `#[attrs] vis Name = "query";` or `#[eql(file = "…")] vis Name;`
struct Item {
    attrs: Vec<Attribute>,
    options: ItemOptions,
    vis: Visibility,
    name: Ident,
    query: Option<LitStr>,
}

#[derive(Default)]
struct ItemOptions {
    file: Option<LitStr>,
    category_field: Option<LitStr>,
    timestamp_field: Option<LitStr>,
    tiebreaker_field: Option<LitStr>,
    /// `field_type(field = "…", type = "…")`, in order.
    field_types: Vec<(LitStr, LitStr)>,
    runtime: Option<syn::Path>,
}

impl Parse for Items {
    fn parse(input: ParseStream<'_>) -> syn::Result<Items> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Items(items))
    }
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Item> {
        let all_attrs = input.call(Attribute::parse_outer)?;
        let mut attrs = Vec::new();
        let mut options = ItemOptions::default();
        for attr in all_attrs {
            if attr.path().is_ident("eql") {
                parse_options(&attr, &mut options)?;
            } else {
                attrs.push(attr);
            }
        }
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse()?;
        let query = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse::<LitStr>()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        match (&query, &options.file) {
            (None, None) => {
                return Err(syn::Error::new(
                    name.span(),
                    "expected `= \"query\"` after the rule name, or `#[eql(file = \"path.toml\")]`",
                ));
            }
            (Some(query), Some(_)) => {
                return Err(syn::Error::new(
                    query.span(),
                    "a rule takes either a query or `#[eql(file = …)]`, not both",
                ));
            }
            _ => {}
        }
        Ok(Item {
            attrs,
            options,
            vis,
            name,
            query,
        })
    }
}

fn parse_options(attr: &Attribute, options: &mut ItemOptions) -> syn::Result<()> {
    attr.parse_nested_meta(|meta| {
        let slot = if meta.path.is_ident("file") {
            &mut options.file
        } else if meta.path.is_ident("category_field") {
            &mut options.category_field
        } else if meta.path.is_ident("timestamp_field") {
            &mut options.timestamp_field
        } else if meta.path.is_ident("tiebreaker_field") {
            &mut options.tiebreaker_field
        } else if meta.path.is_ident("field_type") {
            options.field_types.push(parse_field_type(&meta)?);
            return Ok(());
        } else if meta.path.is_ident("crate") {
            options.runtime = Some(meta.value()?.parse()?);
            return Ok(());
        } else {
            return Err(meta.error(
                "unknown option: expected `file`, `category_field`, `timestamp_field`, \
                 `tiebreaker_field`, `field_type` or `crate`",
            ));
        };
        *slot = Some(meta.value()?.parse()?);
        Ok(())
    })
}

/// `field_type(field = "event.created", type = "date_nanos")`.
fn parse_field_type(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<(LitStr, LitStr)> {
    let (mut field, mut ty) = (None, None);
    meta.parse_nested_meta(|inner| {
        let slot = if inner.path.is_ident("field") {
            &mut field
        } else if inner.path.is_ident("type") {
            &mut ty
        } else {
            return Err(inner.error("unknown key: expected `field` or `type`"));
        };
        *slot = Some(inner.value()?.parse::<LitStr>()?);
        Ok(())
    })?;
    let (Some(field), Some(ty)) = (field, ty) else {
        return Err(
            meta.error("write `field_type(field = \"event.created\", type = \"date_nanos\")`")
        );
    };
    if eqlc::FieldType::from_name(&ty.value()).is_none() {
        let mut known: Vec<String> = eqlc::FieldType::ALL
            .iter()
            .map(|ty| format!("`{}`", ty.name()))
            .collect();
        let last = known.pop().unwrap_or_default();
        let expected = if known.is_empty() {
            last
        } else {
            format!("{} or {last}", known.join(", "))
        };
        return Err(syn::Error::new(
            ty.span(),
            format!("unknown field type: expected {expected}"),
        ));
    }
    Ok((field, ty))
}

/// Where a rule's query came from, for pointing errors at it.
enum Source {
    Inline(LitStr),
    File {
        literal: LitStr,
        path: PathBuf,
        text: String,
        query_offset: Option<usize>,
    },
}

fn expand_item(item: &Item) -> TokenStream {
    let runtime = item
        .options
        .runtime
        .as_ref()
        .map(ToTokens::to_token_stream)
        .unwrap_or_else(|| quote!(::eql_runtime));
    let cx = EmitContext { runtime };
    match compile_item(item, &cx) {
        Ok(tokens) => tokens,
        Err(errors) => {
            let fallback = match item_kind(item) {
                Some(kind) => join_fallback(item, &cx, kind),
                None => fallback(item, &cx),
            };
            quote!(#errors #fallback)
        }
    }
}

fn compile_item(item: &Item, cx: &EmitContext) -> Result<TokenStream, TokenStream> {
    let mut options = Options::default();
    let (query, source, mut meta) = match (&item.query, &item.options.file) {
        (Some(literal), _) => {
            let query = literal.value();
            let meta = RuleMeta {
                id: item.name.to_string(),
                name: item.name.to_string(),
                severity: "low".into(),
                risk_score: 0,
                query: query.clone(),
                ..RuleMeta::default()
            };
            (query, Source::Inline(literal.clone()), meta)
        }
        (None, Some(literal)) => {
            let path = resolve_path(&literal.value());
            // Messages name the file as written; the span is on the path.
            let written = literal.value();
            let text = std::fs::read_to_string(&path).map_err(|error| {
                syn::Error::new(
                    literal.span(),
                    format!(
                        "cannot read rule file `{written}`: {error}\n  \
                         = help: the path is relative to the folder of the crate's \
                         `Cargo.toml`, here {}",
                        manifest_dir().display()
                    ),
                )
                .to_compile_error()
            })?;
            let rule = rule_file::parse_rule_file(&text).map_err(|error| {
                syn::Error::new(
                    literal.span(),
                    format!(
                        "invalid rule file `{written}`: {error}\n  \
                         = help: a rule file is a TOML document with a `[rule]` table \
                         holding `language = \"eql\"` and the `query`"
                    ),
                )
                .to_compile_error()
            })?;
            if rule.language != "eql" {
                return Err(syn::Error::new(
                    literal.span(),
                    format!(
                        "`{written}` is a `{}` rule; `eql_rule!` compiles EQL rules only\n  \
                         = help: point `file` at a rule whose `language` is `eql`",
                        rule.language
                    ),
                )
                .to_compile_error());
            }
            if let Some(field) = &rule.event_category_override {
                options.category_field = field.clone();
            }
            let source = Source::File {
                literal: literal.clone(),
                path,
                text,
                query_offset: rule.query_offset,
            };
            (rule.query.clone(), source, rule.meta())
        }
        (None, None) => return Err(quote!()),
    };
    if let Some(field) = &item.options.category_field {
        options.category_field = field.value();
    }
    if let Some(field) = &item.options.timestamp_field {
        options.timestamp_field = field.value();
    }
    if let Some(field) = &item.options.tiebreaker_field {
        options.tiebreaker_field = Some(field.value());
    }
    for (field, ty) in &item.options.field_types {
        if let Some(ty) = eqlc::FieldType::from_name(&ty.value()) {
            options.field_types.insert(field.value(), ty);
        }
    }
    meta.query = query.clone();

    let compiled = eqlc::compile_query(&query, &options).map_err(|diagnostics| {
        diagnostics
            .errors()
            .map(|diagnostic| error_tokens(diagnostic, &query, &source))
            .collect::<TokenStream>()
    })?;

    let attrs = &item.attrs;
    let vis = &item.vis;
    let tracked_file = match &source {
        Source::File { path, .. } => Some(path.display().to_string()),
        Source::Inline(_) => None,
    };
    let compiled = match compiled {
        CompiledQuery::Event(compiled) => compiled,
        CompiledQuery::Sequence(sequence) => {
            return Ok(emit_sequence_rule(
                &join_item(item, &meta, tracked_file),
                &sequence.plan,
                cx,
            ));
        }
        CompiledQuery::Sample(sample) => {
            return Ok(emit_sample_rule(
                &join_item(item, &meta, tracked_file),
                &sample.plan,
                cx,
            ));
        }
    };
    Ok(eqlc::emit::emit_rule(
        &RuleItem {
            attrs: quote!(#(#attrs)*),
            vis: vis.to_token_stream(),
            name: item.name.clone(),
            filter: &compiled.filter,
            meta: &meta,
            pipes: &compiled.pipes,
            tracked_file,
        },
        cx,
    ))
}

/// What a sequence or sample rule is emitted with.
fn join_item<'a>(
    item: &Item,
    meta: &'a RuleMeta,
    tracked_file: Option<String>,
) -> JoinRuleItem<'a> {
    let attrs = &item.attrs;
    JoinRuleItem {
        attrs: quote!(#(#attrs)*),
        vis: item.vis.to_token_stream(),
        name: item.name.clone(),
        meta,
        tracked_file,
    }
}

/// A path relative to the crate being compiled.
fn resolve_path(relative: &str) -> PathBuf {
    manifest_dir().join(relative)
}

/// The folder of the `Cargo.toml` of the crate being compiled.
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// One `compile_error!` for a diagnostic, spanned as closely as the compiler
/// allows, with the position and a caret excerpt in the message.
fn error_tokens(diagnostic: &Diagnostic, query: &str, source: &Source) -> TokenStream {
    match source {
        Source::Inline(literal) => {
            let span = spans::query_span(literal, diagnostic.span.range());
            let message = format!("EQL: {}", diagnostic.render(query));
            syn::Error::new(span, message).to_compile_error()
        }
        Source::File {
            literal,
            text,
            query_offset,
            ..
        } => {
            let message = match query_offset {
                Some(offset) => {
                    let shifted = Diagnostic {
                        span: eqlc::ast::Span {
                            start: diagnostic.span.start + *offset as u32,
                            end: diagnostic.span.end + *offset as u32,
                        },
                        ..diagnostic.clone()
                    };
                    format!("EQL in `{}`: {}", literal.value(), shifted.render(text))
                }
                None => format!("EQL in `{}`: {}", literal.value(), diagnostic.render(query)),
            };
            syn::Error::new(literal.span(), message).to_compile_error()
        }
    }
}

/// Whether the item's query parses as a sequence (`true`) or a sample
/// (`false`); `None` for anything else, or a query that cannot be read.
fn item_kind(item: &Item) -> Option<bool> {
    let query = match (&item.query, &item.options.file) {
        (Some(literal), _) => literal.value(),
        (None, Some(literal)) => {
            let text = std::fs::read_to_string(resolve_path(&literal.value())).ok()?;
            rule_file::parse_rule_file(&text).ok()?.query
        }
        (None, None) => return None,
    };
    match eqlc::parse::parse_query(&query).ok()?.body {
        eqlc::ast::QueryBody::Sequence(_) => Some(true),
        eqlc::ast::QueryBody::Sample(_) => Some(false),
        _ => None,
    }
}

/// The type of a sequence (`sequence`) or sample rule, with bodies that
/// never run, for the same reason as [`fallback`].
fn join_fallback(item: &Item, cx: &EmitContext, sequence: bool) -> TokenStream {
    let rt = &cx.runtime;
    let attrs = &item.attrs;
    let vis = &item.vis;
    let name = &item.name;
    let (module, found, push) = if sequence {
        (
            quote!(sequence),
            quote!(#rt::sequence::SequenceMatch<'_, __EqlPayload>),
            quote! {
                pub fn push<__EqlEvent, __EqlOnMatch>(
                    &mut self,
                    event: &__EqlEvent,
                    payload: __EqlPayload,
                    on_match: __EqlOnMatch,
                ) -> ::core::result::Result<(), #rt::sequence::Refused>
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                    __EqlOnMatch: ::core::ops::FnMut(#rt::sequence::SequenceMatch<'_, __EqlPayload>),
                {
                    ::core::unreachable!()
                }
            },
        )
    } else {
        (
            quote!(sample),
            quote!(#rt::sample::SampleMatch<'_, __EqlPayload>),
            quote! {
                pub fn push<__EqlEvent>(&mut self, event: &__EqlEvent, payload: __EqlPayload)
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    ::core::unreachable!()
                }
            },
        )
    };
    quote! {
        #(#attrs)*
        #vis struct #name<__EqlPayload = u64>(::core::marker::PhantomData<__EqlPayload>);

        #[allow(unreachable_code, unused_variables)]
        impl #name {
            pub const META: #rt::RuleMeta = #rt::RuleMeta {
                id: "",
                name: "",
                severity: "",
                risk_score: 0,
                tactics: &[],
                techniques: &[],
                query: "",
            };
            pub const PATHS: &'static [&'static str] = &[];
            pub const PIPES: &'static [#rt::Pipe] = &[];
        }

        #[allow(unreachable_code, unused_variables)]
        impl<__EqlPayload: ::core::clone::Clone> #name<__EqlPayload> {
            pub fn new() -> Self {
                ::core::unreachable!()
            }

            pub fn with_limits(limits: #rt::sequence::Limits) -> Self {
                ::core::unreachable!()
            }

            #push

            pub fn finish<__EqlOnMatch>(&mut self, on_match: __EqlOnMatch)
            where
                __EqlOnMatch: ::core::ops::FnMut(#found),
            {
                ::core::unreachable!()
            }

            pub fn stats(&self) -> #rt::#module::Stats {
                ::core::unreachable!()
            }

            pub fn open_keys(&self) -> usize {
                ::core::unreachable!()
            }
        }

        impl<__EqlPayload> #rt::json::PathSet for #name<__EqlPayload> {
            const PATHS: &'static [&'static str] = &[];
            const FIELDS: &'static [#rt::__private::FieldEntry] = &[];
        }
    }
}

/// The rule type with a body that never runs, so that one mistake in a
/// query gives one error and not a cascade at every use of the rule.
fn fallback(item: &Item, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let attrs = &item.attrs;
    let vis = &item.vis;
    let name = &item.name;
    let _ = Span::call_site();
    quote! {
        #(#attrs)*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #vis struct #name;

        #[allow(unreachable_code, unused_variables)]
        impl #name {
            pub const META: #rt::RuleMeta = #rt::RuleMeta {
                id: "",
                name: "",
                severity: "",
                risk_score: 0,
                tactics: &[],
                techniques: &[],
                query: "",
            };
            pub const PATHS: &'static [&'static str] = &[];
            pub const PIPES: &'static [#rt::Pipe] = &[];

            pub fn matches<__EqlEvent>(event: &__EqlEvent) -> bool
            where
                __EqlEvent: #rt::Fields + ?::core::marker::Sized,
            {
                ::core::unreachable!()
            }
        }

        #[allow(unreachable_code, unused_variables)]
        impl #rt::EventRule for #name {
            fn meta(&self) -> &'static #rt::RuleMeta {
                &Self::META
            }

            fn matches<__EqlEvent>(&self, event: &__EqlEvent) -> bool
            where
                __EqlEvent: #rt::Fields + ?::core::marker::Sized,
            {
                ::core::unreachable!()
            }
        }

        impl #rt::json::PathSet for #name {
            const PATHS: &'static [&'static str] = &[];
            const FIELDS: &'static [#rt::__private::FieldEntry] = &[];
        }
    }
}
