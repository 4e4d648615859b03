//! `eql_pack!`: compiles a folder of rule files into one pack type.

use eqlc::emit::EmitContext;
use eqlc::pack::{LoadOptions, PackItem, emit_pack, load_pack_with};
use eqlc::sequence::pack::{JoinSetItem, emit_join_set, join_paths, load_mixed};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token, Visibility};

pub fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<PackInput>(input) {
        Ok(input) => expand_pack(&input),
        Err(error) => error.to_compile_error(),
    }
}

/// `#[eql(dir = "…", fields = ["…", …])] vis Name;`
struct PackInput {
    attrs: Vec<Attribute>,
    dir: LitStr,
    fields: Vec<LitStr>,
    runtime: Option<syn::Path>,
    skip_unsupported: bool,
    /// The type for the folder's sequence and sample rules.
    sequences: Option<Ident>,
    vis: Visibility,
    name: Ident,
}

impl Parse for PackInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<PackInput> {
        let all_attrs = input.call(Attribute::parse_outer)?;
        let mut attrs = Vec::new();
        let mut dir = None;
        let mut fields = Vec::new();
        let mut runtime = None;
        let mut skip_unsupported = false;
        let mut sequences = None;
        for attr in all_attrs {
            if !attr.path().is_ident("eql") {
                attrs.push(attr);
                continue;
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("dir") {
                    dir = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("fields") {
                    let content;
                    meta.value()?;
                    syn::bracketed!(content in meta.input);
                    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                    fields.extend(list);
                } else if meta.path.is_ident("crate") {
                    runtime = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("skip_unsupported") {
                    skip_unsupported = true;
                } else if meta.path.is_ident("sequences") {
                    sequences = Some(meta.value()?.parse()?);
                } else {
                    return Err(meta.error(
                        "unknown option: expected `dir`, `fields`, `sequences`, \
                         `skip_unsupported` or `crate`",
                    ));
                }
                Ok(())
            })?;
        }
        let vis: Visibility = input.parse()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![;]>()?;
        let dir = dir.ok_or_else(|| {
            syn::Error::new(
                name.span(),
                "a pack needs `#[eql(dir = \"path/to/rules\")]` (relative to Cargo.toml)",
            )
        })?;
        Ok(PackInput {
            attrs,
            dir,
            fields,
            runtime,
            skip_unsupported,
            sequences,
            vis,
            name,
        })
    }
}

fn expand_pack(input: &PackInput) -> TokenStream {
    let runtime = input
        .runtime
        .as_ref()
        .map(ToTokens::to_token_stream)
        .unwrap_or_else(|| quote!(::eql_runtime));
    let cx = EmitContext { runtime };
    let base = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let dir = base.join(input.dir.value());
    let options = LoadOptions {
        skip_unsupported: input.skip_unsupported,
    };
    for field in &input.fields {
        let path = field.value();
        if path.is_empty()
            || path.split('.').any(str::is_empty)
            || path.contains(char::is_whitespace)
        {
            return syn::Error::new(field.span(), format!("`{path}` is not an ECS field path"))
                .to_compile_error();
        }
    }
    let dir_error = |errors: Vec<eqlc::pack::PackError>| -> TokenStream {
        errors
            .iter()
            .map(|error| {
                syn::Error::new(input.dir.span(), format!("EQL in {error}")).to_compile_error()
            })
            .collect()
    };
    let attrs = &input.attrs;
    let mut extra_fields: Vec<String> = input.fields.iter().map(LitStr::value).collect();
    let Some(sequences) = &input.sequences else {
        let pack = match load_pack_with(&dir, &options) {
            Ok(pack) => pack,
            Err(errors) => return dir_error(errors),
        };
        return emit_pack(
            &PackItem {
                attrs: quote!(#(#attrs)*),
                vis: input.vis.to_token_stream(),
                name: input.name.clone(),
                pack: &pack,
                extra_fields,
            },
            &cx,
        );
    };
    let (pack, joins) = match load_mixed(&dir) {
        Ok(loaded) => loaded,
        Err(errors) => return dir_error(errors),
    };
    // One decoded record serves both types.
    extra_fields.extend(join_paths(&joins));
    let events = emit_pack(
        &PackItem {
            attrs: quote!(#(#attrs)*),
            vis: input.vis.to_token_stream(),
            name: input.name.clone(),
            pack: &pack,
            extra_fields,
        },
        &cx,
    );
    let doc = format!(
        "The sequence and sample rules of `{}`, beside [`{}`].",
        input.dir.value(),
        input.name
    );
    let joins = emit_join_set(
        &JoinSetItem {
            attrs: quote!(#[doc = #doc]),
            vis: input.vis.to_token_stream(),
            name: sequences.clone(),
            pack: &joins,
        },
        &cx,
    );
    quote!(#events #joins)
}
