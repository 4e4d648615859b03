//! `#[derive(Event)]`: implements `eql_runtime::Fields` for a struct.
//!
//! Every named field contributes its type's shape under its name (or its
//! `rename`), and its slots follow those of the fields before it. Reading a
//! slot tests the slot against each field's range in turn; with the slot a
//! constant, the optimiser reduces that to one field access.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Data, DeriveInput, Fields, LitStr, parse_quote};

pub fn expand(input: TokenStream) -> TokenStream {
    match try_expand(input) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

struct FieldInfo {
    name: String,
    member: syn::Ident,
    ty: syn::Type,
}

fn try_expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let mut runtime = quote!(::eql_runtime);
    for attr in &input.attrs {
        if attr.path().is_ident("eql") {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("crate") {
                    let path: syn::Path = meta.value()?.parse()?;
                    runtime = path.to_token_stream();
                    Ok(())
                } else {
                    Err(meta.error("unknown option on the struct: expected `crate`"))
                }
            })?;
        }
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Event)]` needs a struct with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Event)]` needs a struct with named fields, \
             whose names are the ECS field names",
        ));
    };

    let mut fields = Vec::new();
    for field in &named.named {
        let Some(member) = field.ident.clone() else {
            continue;
        };
        let mut name = member.to_string().trim_start_matches("r#").to_owned();
        let mut skip = false;
        for attr in &field.attrs {
            if !attr.path().is_ident("eql") {
                continue;
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let renamed: LitStr = meta.value()?.parse()?;
                    if renamed.value().is_empty() {
                        return Err(syn::Error::new(
                            renamed.span(),
                            "the ECS name cannot be empty",
                        ));
                    }
                    name = renamed.value();
                    Ok(())
                } else if meta.path.is_ident("skip") {
                    skip = true;
                    Ok(())
                } else {
                    Err(meta.error("unknown field option: expected `rename = \"…\"` or `skip`"))
                }
            })?;
        }
        if skip {
            continue;
        }
        if name.split('.').any(str::is_empty) {
            return Err(syn::Error::new_spanned(
                &member,
                format!("`{name}` is not an ECS field name: it has an empty part between dots"),
            ));
        }
        if let Some(earlier) = fields.iter().find(|f: &&FieldInfo| f.name == name) {
            return Err(syn::Error::new_spanned(
                &member,
                format!(
                    "two fields are named `{name}` (`{}` and `{member}`); rename one with `#[eql(rename = \"…\")]`",
                    earlier.member
                ),
            ));
        }
        {
            fields.push(FieldInfo {
                name,
                member,
                ty: field.ty.clone(),
            });
        }
    }

    let rt = &runtime;
    let ident = &input.ident;
    let mut generics = input.generics.clone();
    {
        let where_clause = generics.make_where_clause();
        for field in &fields {
            let ty = &field.ty;
            where_clause.predicates.push(parse_quote!(#ty: #rt::Fields));
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    // The first slot of each field: the sum of the slots before it.
    let mut offsets = Vec::with_capacity(fields.len());
    let mut offset = quote!(0u32);
    for field in &fields {
        offsets.push(offset.clone());
        let ty = &field.ty;
        offset = quote!(#offset + <#ty as #rt::Fields>::SLOTS);
    }
    let total = offset;
    let entries = fields.iter().zip(&offsets).map(|(field, first_slot)| {
        let name = &field.name;
        let ty = &field.ty;
        quote! {
            #rt::__private::FieldEntry {
                name: #name,
                shape: <#ty as #rt::Fields>::SHAPE,
                first_slot: #first_slot,
            }
        }
    });
    let reads = fields.iter().map(|field| {
        let member = &field.member;
        let ty = &field.ty;
        quote! {
            let end = start + <#ty as #rt::Fields>::SLOTS;
            if slot < end {
                return #rt::Fields::any_value(&self.#member, slot - start, visit);
            }
            let start = end;
        }
    });

    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #rt::Fields for #ident #ty_generics #where_clause {
            const SHAPE: #rt::__private::Shape = #rt::__private::Shape::Record(&[#(#entries),*]);
            const SLOTS: u32 = #total;

            #[inline]
            fn any_value<__EqlVisit>(&self, slot: u32, visit: &mut __EqlVisit) -> bool
            where
                __EqlVisit: ::core::ops::FnMut(#rt::Value<'_>) -> bool,
            {
                let start = 0u32;
                #(#reads)*
                let _ = start;
                false
            }
        }
    })
}
