//! Emission of sequence and sample rules: a stateful type per rule.
//!
//! The type owns an engine of `eql_core::sequence` (or `sample`) and the
//! buffers that describe one event to it. Its `push` evaluates each step's
//! condition with the code event rules get ([`crate::emit::emit_matches_body`],
//! one function per step as written, shared by the copies `runs` makes),
//! reads the join keys and the timestamp through slots resolved at compile
//! time, and hands the result to the engine. Nothing is interpreted per
//! event, and nothing allocates once the buffers have grown.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{SamplePlan, SequencePlan, Step};
use crate::emit::{EmitContext, RuleMeta, emit_matches_body};

/// Everything needed to emit one sequence or sample rule.
#[derive(Clone, Debug)]
pub struct JoinRuleItem<'a> {
    /// Attributes and visibility written before the rule name (doc comments).
    pub attrs: TokenStream,
    pub vis: TokenStream,
    pub name: Ident,
    pub meta: &'a RuleMeta,
    /// Tokens that make cargo rebuild when a rule file changes, if the rule
    /// came from one.
    pub tracked_file: Option<String>,
}

/// The type and impls of a sequence rule.
pub fn emit_sequence_rule(
    item: &JoinRuleItem<'_>,
    plan: &SequencePlan,
    cx: &EmitContext,
) -> TokenStream {
    let rt = &cx.runtime;
    let name = &item.name;
    let engine_steps = plan.steps.iter().map(|step| {
        if step.missing {
            quote!(#rt::sequence::Step::Missing)
        } else {
            quote!(#rt::sequence::Step::Event)
        }
    });
    let key_count = plan.key_count;
    let maxspan = match plan.maxspan {
        Some(nanos) => quote!(::core::option::Option::Some(#nanos)),
        None => quote!(::core::option::Option::None),
    };
    let until = plan.until.is_some();
    let stages = Stages::new(plan.steps.iter().chain(&plan.until), &name.to_string(), cx);
    let step_fns = &stages.functions;
    let key_slots = &stages.key_slots;
    let describe = &stages.describe;
    let timestamp = &plan.timestamp_field;
    let timestamp_missing = format!(
        "the event type has no field `{timestamp}`, which sequence rule `{name}` orders events by \
         (add the field, or compile the rule with another `timestamp_field`)"
    );
    let timestamp_object = format!("`{timestamp}` is an object in the event type, not a timestamp");
    let tiebreaker_slot = match &plan.tiebreaker_field {
        Some(path) => quote!(#rt::__private::optional(&<__EqlEvent as #rt::Fields>::SHAPE, #path)),
        None => quote!(#rt::__private::ABSENT),
    };
    let engine = quote!(#rt::sequence::Sequences<__EqlPayload>);
    let common = common_items(item, engine, &plan.paths(), &plan.pipes, cx);
    let doc_new = format!("An empty `{name}`: no event seen, no key open.");
    quote! {
        #common

        const _: () = {
            #(#step_fns)*

            #[allow(
                // Generated code favours uniform shapes over idioms.
                clippy::all,
            )]
            impl<__EqlPayload: ::core::clone::Clone> #name<__EqlPayload> {
                #[doc = #doc_new]
                pub fn new() -> Self {
                    Self::with_limits(::core::default::Default::default())
                }

                /// An empty engine with other bounds on its memory.
                pub fn with_limits(limits: #rt::sequence::Limits) -> Self {
                    let spec = Self::spec();
                    #name {
                        __eql_keys: spec.event_keys(),
                        __eql_engine: #rt::sequence::Sequences::with_limits(spec, limits),
                    }
                }

                /// The shape of the sequence, as the engine runs it.
                pub fn spec() -> #rt::sequence::SequenceSpec {
                    match #rt::sequence::SequenceSpec::new(
                        ::std::vec![#(#engine_steps),*],
                        #key_count,
                        #maxspan,
                        #until,
                        <#name>::PIPES.to_vec(),
                    ) {
                        ::core::result::Result::Ok(spec) => spec,
                        // The compiler checked what the engine checks.
                        ::core::result::Result::Err(error) => ::core::panic!("{}", error),
                    }
                }

                /// Takes the next event, in timestamp order, with what the
                /// results should report for it (a line number, an id, the
                /// event itself), and calls `on_match` with each sequence
                /// completed, in Elasticsearch's order. An event older than
                /// the latest one, or without a timestamp, is refused and
                /// counted in `stats()`.
                #[allow(
                    // A step without join keys writes no key.
                    unused_mut,
                    unused_variables,
                )]
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
                    struct __EqlKeySlots<__EqlEvent: ?::core::marker::Sized>(
                        ::core::marker::PhantomData<__EqlEvent>,
                    );
                    impl<__EqlEvent: #rt::Fields + ?::core::marker::Sized> __EqlKeySlots<__EqlEvent> {
                        const TIMESTAMP: u32 = #rt::__private::require(
                            &<__EqlEvent as #rt::Fields>::SHAPE,
                            #timestamp,
                            #timestamp_missing,
                            #timestamp_object,
                        );
                        const TIEBREAKER: u32 = #tiebreaker_slot;
                        #(#key_slots)*
                    }
                    let __eql_keys = &mut self.__eql_keys;
                    __eql_keys.clear();
                    #describe
                    let ordinal = #rt::join::ordinal_of(
                        event,
                        __EqlKeySlots::<__EqlEvent>::TIMESTAMP,
                        __EqlKeySlots::<__EqlEvent>::TIEBREAKER,
                    );
                    self.__eql_engine.push(ordinal, &self.__eql_keys, payload, on_match)
                }

                /// Ends the stream: reports the sequences that waited for
                /// trailing missing steps and what a `tail` pipe kept, then
                /// starts afresh.
                pub fn finish<__EqlOnMatch>(&mut self, on_match: __EqlOnMatch)
                where
                    __EqlOnMatch: ::core::ops::FnMut(#rt::sequence::SequenceMatch<'_, __EqlPayload>),
                {
                    self.__eql_engine.finish(on_match)
                }

                /// Counters: events, refused events, closed keys, results.
                pub fn stats(&self) -> #rt::sequence::Stats {
                    self.__eql_engine.stats()
                }

                /// How many join keys hold state now.
                pub fn open_keys(&self) -> usize {
                    self.__eql_engine.open_keys()
                }

                /// Whether a `head` pipe is full, so that more events change
                /// nothing.
                pub fn is_done(&self) -> bool {
                    self.__eql_engine.is_done()
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
                    ::core::fmt::Debug::fmt(&self.__eql_engine, f)
                }
            }
        };
    }
}

/// The type and impls of a sample rule.
pub fn emit_sample_rule(
    item: &JoinRuleItem<'_>,
    plan: &SamplePlan,
    cx: &EmitContext,
) -> TokenStream {
    let rt = &cx.runtime;
    let name = &item.name;
    let filters = plan.filters.len();
    let key_count = plan.key_count;
    let stages = Stages::new(&plan.filters, &name.to_string(), cx);
    let step_fns = &stages.functions;
    let key_slots = &stages.key_slots;
    let describe = &stages.describe;
    let engine = quote!(#rt::sample::Samples<__EqlPayload>);
    let common = common_items(item, engine, &plan.paths(), &plan.pipes, cx);
    quote! {
        #common

        const _: () = {
            #(#step_fns)*

            #[allow(
                // Generated code favours uniform shapes over idioms.
                clippy::all,
            )]
            impl<__EqlPayload: ::core::clone::Clone> #name<__EqlPayload> {
                /// An empty sample: one sample per key, no limit on their
                /// number.
                pub fn new() -> Self {
                    Self::with_spec(Self::spec(), ::core::default::Default::default())
                }

                /// An empty sample with other settings (from `spec()`, with
                /// `max_samples_per_key` or `size`) and memory bounds.
                pub fn with_spec(
                    spec: #rt::sample::SampleSpec,
                    limits: #rt::sequence::Limits,
                ) -> Self {
                    #name {
                        __eql_keys: spec.event_keys(),
                        __eql_engine: #rt::sample::Samples::with_limits(spec, limits),
                    }
                }

                /// The shape of the sample, as the engine runs it.
                pub fn spec() -> #rt::sample::SampleSpec {
                    #rt::sample::SampleSpec::new(#filters, #key_count, <#name>::PIPES.to_vec())
                }

                /// Takes the next event with what the samples should report
                /// for it. Samples come from `finish`.
                #[allow(
                    // A filter without join keys writes no key.
                    unused_mut,
                    unused_variables,
                )]
                pub fn push<__EqlEvent>(&mut self, event: &__EqlEvent, payload: __EqlPayload)
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    struct __EqlKeySlots<__EqlEvent: ?::core::marker::Sized>(
                        ::core::marker::PhantomData<__EqlEvent>,
                    );
                    impl<__EqlEvent: #rt::Fields + ?::core::marker::Sized> __EqlKeySlots<__EqlEvent> {
                        #(#key_slots)*
                    }
                    let __eql_keys = &mut self.__eql_keys;
                    __eql_keys.clear();
                    #describe
                    self.__eql_engine.push(&self.__eql_keys, payload)
                }

                /// Ends the stream and reports the samples in Elasticsearch's
                /// order (by key), then starts afresh.
                pub fn finish<__EqlOnMatch>(&mut self, on_match: __EqlOnMatch)
                where
                    __EqlOnMatch: ::core::ops::FnMut(#rt::sample::SampleMatch<'_, __EqlPayload>),
                {
                    self.__eql_engine.finish(on_match)
                }

                /// Counters: events, evicted keys, samples.
                pub fn stats(&self) -> #rt::sample::Stats {
                    self.__eql_engine.stats()
                }

                /// How many join keys hold hits now.
                pub fn open_keys(&self) -> usize {
                    self.__eql_engine.open_keys()
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
                    ::core::fmt::Debug::fmt(&self.__eql_engine, f)
                }
            }
        };
    }
}

/// The struct and what sequence and sample rules share: `META`, `PATHS`,
/// `PIPES`, and the JSON path set.
fn common_items(
    item: &JoinRuleItem<'_>,
    engine: TokenStream,
    paths: &[&str],
    pipes: &[eql_core::pipe::Pipe],
    cx: &EmitContext,
) -> TokenStream {
    let rt = &cx.runtime;
    let JoinRuleItem {
        attrs,
        vis,
        name,
        meta,
        tracked_file,
    } = item;
    let meta_tokens = emit_meta(meta, cx);
    let pipes = pipes.iter().map(|pipe| match pipe {
        eql_core::pipe::Pipe::Head(n) => quote!(#rt::Pipe::Head(#n)),
        eql_core::pipe::Pipe::Tail(n) => quote!(#rt::Pipe::Tail(#n)),
    });
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
        #vis struct #name<__EqlPayload = u64> {
            __eql_engine: #engine,
            __eql_keys: #rt::join::EventKeys,
        }

        const _: () = {
            #tracked

            impl #name {
                /// The rule's metadata and EQL query.
                pub const META: #rt::RuleMeta = #meta_tokens;

                /// The query's `head`/`tail` pipes, which the rule applies
                /// itself.
                pub const PIPES: &'static [#rt::Pipe] = &[#(#pipes),*];

                /// The ECS paths the rule reads, sorted.
                pub const PATHS: &'static [&'static str] = &[#(#paths),*];
            }

            #[automatically_derived]
            impl<__EqlPayload> #rt::json::PathSet for #name<__EqlPayload> {
                const PATHS: &'static [&'static str] = <#name>::PATHS;
                const FIELDS: &'static [#rt::__private::FieldEntry] = &[#(#field_entries),*];
            }
        };
    }
}

/// The code that describes an event to the engine: a function per step as
/// written, slot constants for the join keys, and the statements that fill
/// the engine's `EventKeys`.
struct Stages {
    functions: Vec<TokenStream>,
    key_slots: Vec<TokenStream>,
    describe: TokenStream,
}

impl Stages {
    fn new<'a>(steps: impl IntoIterator<Item = &'a Step>, rule: &str, cx: &EmitContext) -> Stages {
        let rt = &cx.runtime;
        // The steps as written, each with the engine stages it feeds.
        let mut written: Vec<(&Step, Vec<usize>)> = Vec::new();
        for (stage, step) in steps.into_iter().enumerate() {
            match written.last_mut() {
                Some((last, stages)) if last.written == step.written && !stages.is_empty() => {
                    stages.push(stage)
                }
                _ => written.push((step, vec![stage])),
            }
        }
        // One slot constant per distinct (path, optional) key.
        let mut keys: Vec<(&str, bool)> = Vec::new();
        for (step, _) in &written {
            for key in &step.keys {
                if !keys.contains(&(key.path.as_str(), key.optional)) {
                    keys.push((key.path.as_str(), key.optional));
                }
            }
        }
        let key_slot = |path: &str, optional: bool| {
            let index = keys
                .iter()
                .position(|key| *key == (path, optional))
                .unwrap_or(0);
            format_ident!("KEY_{}", index)
        };
        let key_slots = keys
            .iter()
            .map(|&(path, optional)| {
                let name = key_slot(path, optional);
                let shape = quote!(&<__EqlEvent as #rt::Fields>::SHAPE);
                let slot = if optional {
                    quote!(#rt::__private::optional(#shape, #path))
                } else {
                    let missing = format!(
                        "the event type has no field `{path}`, which rule `{rule}` joins by \
                         (add the field to the type, or write `?{path}` in the query if it may be absent)"
                    );
                    let object = format!(
                        "`{path}` is an object in the event type, but rule `{rule}` joins by it \
                         (join by one of its fields instead)"
                    );
                    quote!(#rt::__private::require(#shape, #path, #missing, #object))
                };
                quote!(const #name: u32 = #slot;)
            })
            .collect();

        let mut functions = Vec::new();
        let mut describe = Vec::new();
        for (index, (step, stages)) in written.iter().enumerate() {
            let function = format_ident!("__eql_step_{}", index);
            let body = emit_matches_body(&step.filter, rule, cx);
            functions.push(quote! {
                #[allow(
                    // `event` goes unused when the condition folds to a constant.
                    unused_variables,
                    // A slot constant goes unused when its test folds away.
                    dead_code,
                    clippy::all,
                )]
                #[inline]
                fn #function<__EqlEvent>(event: &__EqlEvent) -> bool
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    #body
                }
            });
            let reads: Vec<TokenStream> = step
                .keys
                .iter()
                .map(|key| {
                    let slot = key_slot(&key.path, key.optional);
                    let optional = key.optional;
                    quote!(stage.field(event, __EqlKeySlots::<__EqlEvent>::#slot, #optional);)
                })
                .collect();
            let writes = stages.iter().map(|stage| {
                quote! {
                    let mut stage = __eql_keys.stage(#stage);
                    #(#reads)*
                }
            });
            describe.push(quote! {
                if #function(event) {
                    #(#writes)*
                }
            });
        }
        Stages {
            functions,
            key_slots,
            describe: quote!(#(#describe)*),
        }
    }
}

fn emit_meta(meta: &RuleMeta, cx: &EmitContext) -> TokenStream {
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
