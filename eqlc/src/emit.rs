//! Emission: from the optimised IR to Rust tokens.
//!
//! A rule becomes a unit struct with an inherent `matches` function generic
//! over the event type. Inside it, a private struct holds one associated
//! constant per field: the field's slot, resolved by `const` evaluation when
//! `matches` is instantiated for an event type, so a field the type lacks is
//! a compile error naming the ECS path. The condition is straight-line code
//! over those constants: string sets become `match` arms, wildcard patterns
//! prefix, suffix and substring tests, regular expressions statics built on
//! first use. Nothing allocates per event.
//!
//! Every path in the output is absolute (`::core::…`, `::eql_runtime::…`),
//! so the code compiles in any module, even under `#![no_implicit_prelude]`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use eql_core::Number;
use eql_core::date::{DateRange, Resolution};
use eql_core::text::{self, PatternKind};

use crate::ast::{ArithOp, CompareOp};
use crate::ir::{
    Cond, Constant, EventFilter, FieldId, FieldTable, Function, Scalar, Test, ValuePred,
};

/// String sets up to this size become `match` arms; larger ones a sorted
/// table searched by bisection.
const MATCH_ARMS_MAX: usize = 32;

/// What the emitted code is named and how it refers to the runtime crate.
#[derive(Clone, Debug)]
pub struct EmitContext {
    /// The path of the runtime crate in the generated code.
    pub runtime: TokenStream,
}

impl Default for EmitContext {
    fn default() -> EmitContext {
        EmitContext {
            runtime: quote!(::eql_runtime),
        }
    }
}

/// Metadata that travels with a rule into its alerts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleMeta {
    pub id: String,
    pub name: String,
    pub severity: String,
    pub risk_score: u32,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    pub query: String,
}

/// Everything needed to emit one event rule.
#[derive(Clone, Debug)]
pub struct RuleItem<'a> {
    /// Attributes and visibility written before the rule name (doc comments).
    pub attrs: TokenStream,
    pub vis: TokenStream,
    pub name: Ident,
    pub filter: &'a EventFilter,
    pub meta: &'a RuleMeta,
    /// The query's `head`/`tail` pipes.
    pub pipes: &'a [eql_core::pipe::Pipe],
    /// Tokens that make cargo rebuild when a rule file changes
    /// (`include_bytes!` of the file), if the rule came from one.
    pub tracked_file: Option<String>,
}

/// The type and impls of one event rule.
pub fn emit_rule(item: &RuleItem<'_>, cx: &EmitContext) -> TokenStream {
    let RuleItem {
        attrs,
        vis,
        name,
        filter,
        meta,
        pipes,
        tracked_file,
    } = item;
    let rt = &cx.runtime;
    let pipes = pipes.iter().map(|pipe| match pipe {
        eql_core::pipe::Pipe::Head(n) => quote!(#rt::Pipe::Head(#n)),
        eql_core::pipe::Pipe::Tail(n) => quote!(#rt::Pipe::Tail(#n)),
    });
    let matches_body = emit_matches_body(filter, &name.to_string(), cx);
    let meta_tokens = emit_meta(meta, cx);
    let mut paths: Vec<&str> = filter
        .fields
        .fields
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let field_entries = paths.iter().enumerate().map(|(slot, path)| {
        let slot = slot as u32;
        quote!(#rt::__private::FieldEntry {
            name: #path,
            shape: #rt::__private::Shape::Leaf,
            first_slot: #slot,
        })
    });
    let tracked = tracked_file.as_ref().map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    quote! {
        #attrs
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #vis struct #name;

        const _: () = {
            #tracked

            #[allow(
                // `event` goes unused when the condition folds to a constant.
                unused_variables,
                // A slot constant goes unused when its test folds away.
                dead_code,
                // Generated code favours uniform shapes over idioms.
                clippy::all,
            )]
            impl #name {
                /// The rule's metadata and EQL query.
                pub const META: #rt::RuleMeta = #meta_tokens;

                /// The query's `head`/`tail` pipes, to apply to its matches
                /// in stream order (`eql_runtime::pipe::apply`).
                pub const PIPES: &'static [#rt::Pipe] = &[#(#pipes),*];

                /// The ECS paths the rule reads, sorted.
                pub const PATHS: &'static [&'static str] = &[#(#paths),*];

                /// Whether `event` matches the rule.
                #[inline]
                pub fn matches<__EqlEvent>(event: &__EqlEvent) -> bool
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    #matches_body
                }
            }

            #[automatically_derived]
            impl #rt::EventRule for #name {
                #[inline]
                fn meta(&self) -> &'static #rt::RuleMeta {
                    &Self::META
                }

                #[inline]
                fn matches<__EqlEvent>(&self, event: &__EqlEvent) -> bool
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    #name::matches(event)
                }
            }

            #[automatically_derived]
            impl #rt::json::PathSet for #name {
                const PATHS: &'static [&'static str] = #name::PATHS;
                const FIELDS: &'static [#rt::__private::FieldEntry] = &[#(#field_entries),*];
            }
        };
    }
}

pub fn emit_meta(meta: &RuleMeta, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let RuleMeta {
        id,
        name,
        severity,
        risk_score,
        tactics,
        techniques,
        query,
    } = meta;
    quote! {
        #rt::RuleMeta {
            id: #id,
            name: #name,
            severity: #severity,
            risk_score: #risk_score,
            tactics: &[#(#tactics),*],
            techniques: &[#(#techniques),*],
            query: #query,
        }
    }
}

/// The body of `matches`: the slot constants, then the condition.
pub fn emit_matches_body(filter: &EventFilter, rule_name: &str, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let slots = slot_names(&filter.fields);
    let consts = slot_consts(&filter.fields, rule_name, cx);
    let condition = emit_cond(&filter.condition, &slots, cx);
    quote! {
        struct __EqlSlots<__EqlEvent: ?::core::marker::Sized>(
            ::core::marker::PhantomData<__EqlEvent>,
        );
        impl<__EqlEvent: #rt::Fields + ?::core::marker::Sized> __EqlSlots<__EqlEvent> {
            #consts
        }
        #condition
    }
}

/// One `const NAME: u32` per field: its slot in `__EqlEvent`, resolved when
/// the code is instantiated for an event type (a missing field fails then,
/// with a message naming it and `rule_name`).
pub fn slot_consts(fields: &FieldTable, rule_name: &str, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let names = slot_names(fields);
    let consts = fields.fields.iter().enumerate().map(|(index, field)| {
        let name = &names[index];
        let path = &field.path;
        let shape = quote!(&<__EqlEvent as #rt::Fields>::SHAPE);
        let slot = if field.optional {
            quote!(#rt::__private::optional(#shape, #path))
        } else {
            let missing = format!(
                "the event type has no field `{path}`, which rule `{rule_name}` reads \
                 (add the field to the type, or write `?{path}` in the query if it may be absent)"
            );
            let object = format!(
                "`{path}` is an object in the event type, but rule `{rule_name}` reads it as a \
                 value (test one of its fields instead)"
            );
            quote!(#rt::__private::require(#shape, #path, #missing, #object))
        };
        quote!(const #name: u32 = #slot;)
    });
    quote!(#(#consts)*)
}

/// The names of the slot constants, one per field, made from the path.
pub fn slot_names(fields: &FieldTable) -> Vec<Ident> {
    let mut names: Vec<Ident> = Vec::with_capacity(fields.len());
    for field in &fields.fields {
        let mut base: String = field
            .path
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        base = base.trim_matches('_').to_owned();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert_str(0, "F_");
        }
        let mut name = base.clone();
        let mut n = 2;
        while names.iter().any(|existing| *existing == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(Ident::new(&name, Span::call_site()));
    }
    names
}

fn emit_cond(cond: &Cond, slots: &[Ident], cx: &EmitContext) -> TokenStream {
    match cond {
        Cond::Const(b) => quote!(#b),
        Cond::And(conds) => {
            // `&&` binds tighter than `||`; the parentheses around an inner
            // `or` are needed, those around an inner `and` only read better.
            let conds = conds.iter().map(|c| match c {
                Cond::Or(_) => {
                    let inner = emit_cond(c, slots, cx);
                    quote!((#inner))
                }
                _ => emit_cond(c, slots, cx),
            });
            quote!(#(#conds)&&*)
        }
        Cond::Or(conds) => {
            let conds = conds.iter().map(|c| match c {
                Cond::And(_) => {
                    let inner = emit_cond(c, slots, cx);
                    quote!((#inner))
                }
                _ => emit_cond(c, slots, cx),
            });
            quote!(#(#conds)||*)
        }
        Cond::Test(test) => emit_test(test, slots, cx),
        Cond::Expr { expr, negated } => emit_scalar_cond(expr, *negated, slots, cx),
    }
}

/// A script condition: some choice of one value per field the expression
/// reads (null for a missing one) makes it true; `negated`: none does.
pub fn emit_scalar_cond(
    expr: &Scalar,
    negated: bool,
    slots: &[Ident],
    cx: &EmitContext,
) -> TokenStream {
    let rt = &cx.runtime;
    let value = emit_scalar(expr, cx);
    let mut code = quote!(::core::matches!(#value, #rt::__private::Scalar::Bool(true)));
    for field in expr.fields().iter().rev() {
        let var = field_var(*field);
        let slot = &slots[field.0 as usize];
        code = quote! {
            #rt::__private::any_binding(event, __EqlSlots::<__EqlEvent>::#slot, &mut |#var| #code)
        };
    }
    if negated { quote!(!#code) } else { code }
}

/// The variable that holds the current value of a field in an expression.
fn field_var(field: FieldId) -> Ident {
    format_ident!("__eql_f{}", field.0)
}

/// An expression of type `Scalar<'_>` computing `scalar`.
fn emit_scalar(scalar: &Scalar, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let sc = quote!(#rt::__private::scalar);
    let s = quote!(#rt::__private::Scalar);
    match scalar {
        Scalar::Constant(constant) => emit_constant(constant, cx),
        Scalar::Field(id) => {
            let var = field_var(*id);
            quote!(::core::clone::Clone::clone(&#var))
        }
        Scalar::Neg(inner) => {
            let inner = emit_scalar(inner, cx);
            quote!(#sc::negate(&#inner))
        }
        Scalar::Arith { op, lhs, rhs } => {
            let function = Ident::new(arith_name(*op), Span::call_site());
            let (lhs, rhs) = (emit_scalar(lhs, cx), emit_scalar(rhs, cx));
            quote!(#sc::#function(&#lhs, &#rhs))
        }
        Scalar::Compare { op, lhs, rhs } => {
            let op = emit_comparison(*op, cx);
            let (lhs, rhs) = (emit_scalar(lhs, cx), emit_scalar(rhs, cx));
            quote!(#rt::__private::bool3(#sc::satisfies(&#lhs, #op, &#rhs)))
        }
        Scalar::IsNull(inner) => {
            let inner = emit_scalar(inner, cx);
            quote!(#s::Bool(#inner.is_null()))
        }
        Scalar::Not(inner) => {
            let inner = emit_scalar(inner, cx);
            quote!(#rt::__private::bool3(#sc::not3(#inner.as_bool())))
        }
        Scalar::And(lhs, rhs) | Scalar::Or(lhs, rhs) => {
            let function = if matches!(scalar, Scalar::And(..)) {
                quote!(and3)
            } else {
                quote!(or3)
            };
            let (lhs, rhs) = (emit_scalar(lhs, cx), emit_scalar(rhs, cx));
            quote!(#rt::__private::bool3(#sc::#function(#lhs.as_bool(), #rhs.as_bool())))
        }
        Scalar::Match { value, preds } => {
            let value = emit_scalar(value, cx);
            let test = emit_value_preds(preds, cx);
            quote!(#rt::__private::with_value(&#value, |value| #test))
        }
        Scalar::Call {
            function,
            insensitive,
            args,
        } => emit_call(*function, *insensitive, args, cx),
    }
}

fn emit_call(
    function: Function,
    insensitive: bool,
    args: &[Scalar],
    cx: &EmitContext,
) -> TokenStream {
    let rt = &cx.runtime;
    let sc = quote!(#rt::__private::scalar);
    let emitted: Vec<TokenStream> = args.iter().map(|arg| emit_scalar(arg, cx)).collect();
    let arg = |index: usize| {
        emitted
            .get(index)
            .cloned()
            .unwrap_or_else(|| quote!(#rt::__private::Scalar::Null))
    };
    let optional = |index: usize| match emitted.get(index) {
        Some(arg) => quote!(::core::option::Option::Some(&#arg)),
        None => quote!(::core::option::Option::None),
    };
    let (a, b) = (arg(0), arg(1));
    match function {
        Function::Add
        | Function::Subtract
        | Function::Multiply
        | Function::Divide
        | Function::Modulo => {
            let name = Ident::new(&function.name().to_ascii_lowercase(), Span::call_site());
            quote!(#sc::#name(&#a, &#b))
        }
        Function::Between => {
            let c = arg(2);
            let greedy = matches!(args.get(3), Some(Scalar::Constant(Constant::Bool(true))));
            quote!(#sc::between(&#a, &#b, &#c, #greedy, #insensitive))
        }
        Function::CidrMatch => {
            let blocks = args[1.min(args.len())..]
                .iter()
                .filter_map(|arg| match arg {
                    Scalar::Constant(Constant::String(block)) => {
                        eql_core::scalar::parse_cidr(block)
                            .ok()
                            .map(|cidr| emit_cidr(&cidr, cx))
                    }
                    _ => None,
                });
            quote!(#sc::cidr_match_parsed(&#a, &[#(#blocks),*]))
        }
        Function::Concat => quote!(#sc::concat(&[#(#emitted),*])),
        Function::EndsWith => quote!(#sc::ends_with(&#a, &#b, #insensitive)),
        Function::StartsWith => quote!(#sc::starts_with(&#a, &#b, #insensitive)),
        Function::StringContains => quote!(#sc::string_contains(&#a, &#b, #insensitive)),
        Function::IndexOf => {
            let start = optional(2);
            quote!(#sc::index_of(&#a, &#b, #start, #insensitive))
        }
        Function::Length => quote!(#sc::length(&#a)),
        Function::Number => {
            let base = optional(1);
            quote!(#sc::number(&#a, #base))
        }
        Function::String => quote!(#sc::string(&#a)),
        Function::Substring => {
            let end = optional(2);
            quote!(#sc::substring(&#a, &#b, #end))
        }
    }
}

fn emit_constant(constant: &Constant, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let s = quote!(#rt::__private::Scalar);
    match constant {
        Constant::Null => quote!(#s::Null),
        Constant::Bool(b) => quote!(#s::Bool(#b)),
        Constant::Number(n) => {
            let n = emit_number(*n, cx);
            quote!(#s::Number(#n))
        }
        Constant::String(text) => quote!(#s::Str(#rt::__private::Text::Borrowed(#text))),
    }
}

fn emit_cidr(cidr: &eql_core::scalar::Cidr, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let prefix = cidr.prefix();
    match cidr.network() {
        std::net::IpAddr::V4(v4) => {
            let octets = v4.octets();
            quote!(#rt::__private::Cidr::v4([#(#octets),*], #prefix))
        }
        std::net::IpAddr::V6(v6) => {
            let segments = v6.segments();
            quote!(#rt::__private::Cidr::v6([#(#segments),*], #prefix))
        }
    }
}

fn arith_name(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "add",
        ArithOp::Sub => "subtract",
        ArithOp::Mul => "multiply",
        ArithOp::Div => "divide",
        ArithOp::Mod => "modulo",
    }
}

pub fn emit_test(test: &Test, slots: &[Ident], cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let slot = &slots[test.field.0 as usize];
    let read = if test
        .preds
        .iter()
        .any(|pred| matches!(pred, ValuePred::Exists))
    {
        quote!(#rt::__private::exists(event, __EqlSlots::<__EqlEvent>::#slot))
    } else {
        let body = emit_value_preds(&test.preds, cx);
        quote!(#rt::Fields::any_value(event, __EqlSlots::<__EqlEvent>::#slot, &mut |value| #body))
    };
    if test.negated { quote!(!#read) } else { read }
}

/// One boolean expression over `value` that holds when `pred` does.
pub fn emit_single_pred(pred: &ValuePred, cx: &EmitContext) -> TokenStream {
    emit_value_preds(std::slice::from_ref(pred), cx)
}

/// One boolean expression over `value` that holds when any of `preds` does.
fn emit_value_preds(preds: &[ValuePred], cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let mut text_preds = Vec::new();
    let mut other_preds = Vec::new();
    for pred in preds {
        match pred {
            ValuePred::Strings {
                values,
                insensitive,
            } => text_preds.push(emit_strings(values, *insensitive, cx)),
            ValuePred::Wildcards {
                patterns,
                insensitive,
            } => text_preds.extend(patterns.iter().map(|p| emit_wildcard(p, *insensitive, cx))),
            ValuePred::Regex(set) => {
                let pattern = &set.translated;
                text_preds.push(quote! {{
                    static REGEX: #rt::__private::LazyRegex = #rt::__private::LazyRegex::new(#pattern);
                    REGEX.is_match(text)
                }});
            }
            ValuePred::Exists => other_preds.push(quote!(true)),
            ValuePred::Bool(b) => {
                other_preds.push(quote!(::core::matches!(value, #rt::Value::Bool(#b))));
            }
            ValuePred::Numbers(numbers) => {
                let numbers = numbers.iter().map(|n| emit_number(*n, cx));
                other_preds.push(quote!(#rt::__private::number_in(value, &[#(#numbers),*])));
            }
            ValuePred::Compare { op, constant } => {
                other_preds.push(emit_compare(*op, constant, cx));
            }
            ValuePred::Version { op, constant } => {
                let op = emit_comparison(*op, cx);
                other_preds.push(quote!(#rt::__private::compare_version(value, #op, #constant)));
            }
            ValuePred::Cidr(blocks) => {
                let blocks = blocks.iter().map(|block| emit_cidr(block, cx));
                other_preds.push(quote!(#rt::__private::ip_in(value, &[#(#blocks),*])));
            }
            ValuePred::Date {
                op,
                resolution,
                range,
            } => {
                let op = emit_comparison(*op, cx);
                let resolution = match resolution {
                    Resolution::Millis => quote!(#rt::__private::Resolution::Millis),
                    Resolution::Nanos => quote!(#rt::__private::Resolution::Nanos),
                };
                let DateRange { lo, hi } = range;
                other_preds.push(quote!(#rt::__private::compare_date(
                    value,
                    #resolution,
                    #op,
                    #rt::__private::DateRange { lo: #lo, hi: #hi },
                )));
            }
        }
    }
    let mut parts = Vec::new();
    if !text_preds.is_empty() {
        parts.push(quote!(#rt::__private::with_text(value, |text| #(#text_preds)||*)));
    }
    parts.extend(other_preds);
    quote!(#(#parts)||*)
}

fn emit_strings(values: &[String], insensitive: bool, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    if values.len() > MATCH_ARMS_MAX {
        return if insensitive {
            quote!(#rt::__private::contains_sorted_folded(&[#(#values),*], text))
        } else {
            quote!(#rt::__private::contains_sorted(&[#(#values),*], text))
        };
    }
    if !insensitive {
        return quote!(::core::matches!(text, #(#values)|*));
    }
    // Group by length so that most values are rejected by one comparison.
    let mut by_len: Vec<(usize, Vec<&String>)> = Vec::new();
    for value in values {
        match by_len.iter_mut().find(|(len, _)| *len == value.len()) {
            Some((_, group)) => group.push(value),
            None => by_len.push((value.len(), vec![value])),
        }
    }
    by_len.sort_by_key(|(len, _)| *len);
    if by_len.len() == 1 {
        let group = &by_len[0].1;
        return quote!(#(text.eq_ignore_ascii_case(#group))||*);
    }
    let arms = by_len.iter().map(|(len, group)| {
        let len = Literal::usize_unsuffixed(*len);
        quote!(#len => #(text.eq_ignore_ascii_case(#group))||*,)
    });
    quote!(match text.len() { #(#arms)* _ => false })
}

fn emit_wildcard(pattern: &str, insensitive: bool, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    match text::classify(pattern) {
        PatternKind::Exact(s) if insensitive => quote!(text.eq_ignore_ascii_case(#s)),
        PatternKind::Exact(s) => quote!(text == #s),
        PatternKind::Prefix(s) if insensitive => {
            quote!(#rt::__private::starts_with_folded(text, #s))
        }
        PatternKind::Prefix(s) => quote!(text.starts_with(#s)),
        PatternKind::Suffix(s) if insensitive => quote!(#rt::__private::ends_with_folded(text, #s)),
        PatternKind::Suffix(s) => quote!(text.ends_with(#s)),
        PatternKind::Contains(s) if insensitive => {
            quote!(#rt::__private::contains_folded(text, #s))
        }
        PatternKind::Contains(s) => quote!(text.contains(#s)),
        PatternKind::Length {
            min: 0,
            exact: false,
        } => quote!(true),
        PatternKind::Length {
            min: 1,
            exact: false,
        } => quote!(!text.is_empty()),
        PatternKind::Length { min, exact } => {
            quote!(#rt::__private::has_length(text, #min, #exact))
        }
        PatternKind::General => {
            quote!(#rt::__private::wildcard_match(#pattern, text, #insensitive))
        }
    }
}

fn emit_number(number: Number, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    match number {
        Number::Int(n) => quote!(#rt::Number::Int(#n)),
        Number::UInt(n) => quote!(#rt::Number::UInt(#n)),
        Number::Float(n) => quote!(#rt::Number::Float(#n)),
    }
}

fn emit_comparison(op: CompareOp, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    match op {
        CompareOp::Eq => quote!(#rt::__private::Comparison::Equal),
        CompareOp::Ne => quote!(#rt::__private::Comparison::NotEqual),
        CompareOp::Lt => quote!(#rt::__private::Comparison::Less),
        CompareOp::Le => quote!(#rt::__private::Comparison::LessOrEqual),
        CompareOp::Gt => quote!(#rt::__private::Comparison::Greater),
        CompareOp::Ge => quote!(#rt::__private::Comparison::GreaterOrEqual),
    }
}

fn emit_compare(op: CompareOp, constant: &Constant, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let op = emit_comparison(op, cx);
    match constant {
        Constant::Number(n) => {
            let n = emit_number(*n, cx);
            quote!(#rt::__private::compare_number(value, #op, #n))
        }
        Constant::String(s) => quote!(#rt::__private::compare_text(value, #op, #s)),
        Constant::Bool(_) | Constant::Null => quote!(false),
    }
}

/// A name for a generated item that cannot clash with user names.
pub fn private_ident(name: &str) -> Ident {
    format_ident!("__eql_{}", name)
}
