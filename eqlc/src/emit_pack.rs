//! Emission of a planned rule pack (see [`crate::plan`]).
//!
//! The pack becomes one type with `for_each_match` and `rule_matches`.
//! Inside a `const _` block sit: the slot constants of every field the pack
//! reads; one function per key field that computes that field's key atoms
//! in one pass over its values (its exact-string hash table and its
//! automaton are statics); one function per rule, which
//! reads an atom when its field has been computed and tests the values
//! otherwise, through the state when other rules share the test; and the
//! tables that map key atoms to the rules they select.

use std::collections::{BTreeMap, HashMap};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use eql_core::pack::ExactTable;

use crate::emit::{
    EmitContext, RuleMeta, emit_scalar_cond, emit_single_pred, emit_test, slot_consts,
};
use crate::ir::{Scalar, Test};
use crate::plan::{AtomId, PCond, PackPlan, PatternCheck, PatternPlan};

/// Everything needed to emit a pack type.
#[derive(Clone, Debug)]
pub struct PlannedPackItem<'a> {
    pub attrs: TokenStream,
    pub vis: TokenStream,
    pub name: Ident,
    pub plan: &'a PackPlan,
    pub metas: Vec<RuleMeta>,
    /// Rule files to track for rebuilds.
    pub tracked_files: Vec<String>,
    /// Files passed over, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The pack type and its implementation.
pub fn emit_planned_pack(item: &PlannedPackItem<'_>, cx: &EmitContext) -> TokenStream {
    let rt = &cx.runtime;
    let PlannedPackItem {
        attrs,
        vis,
        name,
        plan,
        metas,
        tracked_files,
        skipped,
    } = item;
    let skipped = skipped
        .iter()
        .map(|(file, reason)| quote!((#file, #reason)));
    let n_rules = plan.rules.len();
    let n_atoms = plan.atoms.len();
    let atom_words = words(plan.atoms.len());
    let field_words = words(plan.fields.len());
    let rule_words = words(n_rules);
    let slot_names = crate::emit::slot_names(&plan.fields);
    let shared = SharedTests::of(plan);
    let shared_words = words(shared.len());
    let state = quote!(#rt::__private::PackState<#atom_words, #field_words, #shared_words>);

    let pack_name = name.to_string();
    let slots = slot_consts(&plan.fields, &pack_name, cx);

    // One function per field with key atoms; the rules test other atoms
    // themselves.
    let computed: Vec<usize> = (0..plan.fields.len())
        .filter(|&index| !plan.field_plans[index].is_empty())
        .collect();
    let field_fns = computed
        .iter()
        .map(|&index| emit_field_fn(plan, index, &slot_names, &state, cx));
    let field_arms = computed.iter().map(|&index| {
        let function = field_fn(index);
        let index = index as u32;
        quote!(#index => #function(event, state),)
    });
    let rule_fns = plan.rules.iter().enumerate().map(|(index, rule)| {
        let function = rule_fn(index);
        let body = emit_pcond(&rule.cond, plan, &slot_names, &shared, cx);
        quote! {
            #[inline]
            fn #function<__EqlEvent>(event: &__EqlEvent, state: &mut #state) -> bool
            where
                __EqlEvent: #rt::Fields + ?::core::marker::Sized,
            {
                let matched = #body;
                matched
            }
        }
    });
    let rule_arms = (0..n_rules).map(|index| {
        let function = rule_fn(index);
        quote!(#index => #function(event, state),)
    });

    // Which rules each key atom selects, and the rules without a key.
    let mut key_rules: Vec<Vec<u32>> = vec![Vec::new(); plan.atoms.len()];
    let mut always = vec![0u64; rule_words];
    for (index, rule) in plan.rules.iter().enumerate() {
        match &rule.key {
            Some(atoms) => {
                for &atom in atoms {
                    key_rules[atom].push(index as u32);
                }
            }
            None => always[index / 64] |= 1 << (index % 64),
        }
    }
    let mut key_mask = vec![0u64; atom_words];
    for (atom, rules) in key_rules.iter().enumerate() {
        if !rules.is_empty() {
            key_mask[atom / 64] |= 1 << (atom % 64);
        }
    }
    let key_rule_lists = key_rules.iter().map(|rules| quote!(&[#(#rules),*]));
    // Category fields first; then the key fields of the rules whose category
    // holds (and of the rules without a category).
    let mut category_fields: Vec<u32> = plan
        .rules
        .iter()
        .filter_map(|rule| rule.category)
        .map(|atom| plan.atoms[atom].field.0)
        .collect();
    category_fields.sort_unstable();
    category_fields.dedup();
    let key_groups = plan
        .key_field_groups()
        .into_iter()
        .map(|(category, fields)| {
            let fields = fields.iter().map(|field| field.0);
            let ensure = quote!(#(__eql_ensure(#fields, event, state);)*);
            match category {
                Some(atom) => {
                    let atom = atom as u32;
                    quote!(if state.atom(#atom) { #ensure })
                }
                None => ensure,
            }
        });
    let metas = metas.iter().map(|meta| crate::emit::emit_meta(meta, cx));
    let tracked = tracked_files.iter().map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    let paths: Vec<&str> = {
        let mut paths: Vec<&str> = plan.fields.fields.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        paths
    };
    let entries = paths.iter().enumerate().map(|(slot, path)| {
        let slot = slot as u32;
        quote!(#rt::__private::FieldEntry {
            name: #path,
            shape: #rt::__private::Shape::Leaf,
            first_slot: #slot,
        })
    });

    quote! {
        #attrs
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        #vis struct #name;

        #[allow(
            // A field's slot constant goes unused when no rule needs it per event.
            dead_code,
            // A value goes unused when a pattern such as `*` holds for any value.
            unused_variables,
            // Generated code favours uniform shapes over idioms.
            clippy::all,
        )]
        const _: () = {
            #(#tracked)*

            struct __EqlSlots<__EqlEvent: ?::core::marker::Sized>(
                ::core::marker::PhantomData<__EqlEvent>,
            );
            impl<__EqlEvent: #rt::Fields + ?::core::marker::Sized> __EqlSlots<__EqlEvent> {
                #slots
            }

            /// Rule metadata, in rule order.
            static __EQL_METAS: [#rt::RuleMeta; #n_rules] = [#(#metas),*];
            /// The rules each key atom selects.
            static __EQL_KEY_RULES: [&[u32]; #n_atoms] = [#(#key_rule_lists),*];
            /// The atoms that are keys of some rule.
            static __EQL_KEY_ATOMS: [u64; #atom_words] = [#(#key_mask),*];
            /// The rules evaluated for every event.
            static __EQL_ALWAYS: [u64; #rule_words] = [#(#always),*];

            #(#field_fns)*

            /// Computes field `field`'s key atoms, if not done yet for this
            /// event.
            #[inline]
            fn __eql_ensure<__EqlEvent>(field: u32, event: &__EqlEvent, state: &mut #state)
            where
                __EqlEvent: #rt::Fields + ?::core::marker::Sized,
            {
                if state.field_done(field) {
                    return;
                }
                match field {
                    #(#field_arms)*
                    _ => {}
                }
            }

            #(#rule_fns)*

            #[inline]
            fn __eql_rule<__EqlEvent>(index: usize, event: &__EqlEvent, state: &mut #state) -> bool
            where
                __EqlEvent: #rt::Fields + ?::core::marker::Sized,
            {
                match index {
                    #(#rule_arms)*
                    _ => false,
                }
            }

            impl #name {
                /// The metadata of every rule, in file order.
                pub const RULES: &'static [#rt::RuleMeta] = &__EQL_METAS;

                /// The files of the folder that were not compiled, with the
                /// reason (another query language, a kind of query skipped).
                pub const SKIPPED: &'static [(&'static str, &'static str)] = &[#(#skipped),*];

                /// The ECS paths the rules read, and the extra ones asked
                /// for, sorted.
                pub const PATHS: &'static [&'static str] = &[#(#paths),*];

                /// Calls `on_match` with each rule that matches `event`, in
                /// rule order.
                pub fn for_each_match<__EqlEvent, __EqlOnMatch>(
                    event: &__EqlEvent,
                    mut on_match: __EqlOnMatch,
                ) where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                    __EqlOnMatch: ::core::ops::FnMut(&'static #rt::RuleMeta),
                {
                    let mut state = <#state>::new();
                    let state = &mut state;
                    #(__eql_ensure(#category_fields, event, state);)*
                    #(#key_groups)*
                    let mut candidates = __EQL_ALWAYS;
                    state.for_each_atom_in(&__EQL_KEY_ATOMS, |atom| {
                        for &rule in __EQL_KEY_RULES[atom as usize] {
                            candidates[(rule / 64) as usize] |= 1 << (rule % 64);
                        }
                    });
                    #rt::__private::for_each_bit(&candidates, |rule| {
                        if __eql_rule(rule, event, state) {
                            on_match(&__EQL_METAS[rule]);
                        }
                    });
                }

                /// Whether rule `index` (of [`Self::RULES`]) matches `event`;
                /// `false` for an index past the end.
                pub fn rule_matches<__EqlEvent>(index: usize, event: &__EqlEvent) -> bool
                where
                    __EqlEvent: #rt::Fields + ?::core::marker::Sized,
                {
                    let mut state = <#state>::new();
                    __eql_rule(index, event, &mut state)
                }
            }

            impl #rt::json::PathSet for #name {
                const PATHS: &'static [&'static str] = #name::PATHS;
                const FIELDS: &'static [#rt::__private::FieldEntry] = &[#(#entries),*];
            }
        };
    }
}

/// How many 64-bit words hold `n` bits.
fn words(n: usize) -> usize {
    n.div_ceil(64).max(1)
}

fn field_fn(index: usize) -> Ident {
    format_ident!("__eql_field_{}", index)
}

fn rule_fn(index: usize) -> Ident {
    format_ident!("__eql_rule_{}", index)
}

/// The function that computes the key atoms of field `index`, in one pass
/// over its values.
fn emit_field_fn(
    plan: &PackPlan,
    index: usize,
    slot_names: &[Ident],
    state: &TokenStream,
    cx: &EmitContext,
) -> TokenStream {
    let function = field_fn(index);
    let field_plan = &plan.field_plans[index];
    let field_index = index as u32;
    let rt = &cx.runtime;
    let slot = &slot_names[index];

    let mut text_steps = Vec::new();
    let mut statics = Vec::new();
    if !field_plan.exact.is_empty() || !field_plan.exact_folded.is_empty() {
        let table = exact_table(&field_plan.exact, &field_plan.exact_folded, rt);
        statics.push(quote!(static EXACT: #rt::__private::ExactTable = #table;));
        text_steps.push(quote! {
            EXACT.lookup(text, |atom| state.set_atom(atom));
        });
    }
    // One automaton for all the field's patterns, so that each value is
    // scanned once: it folds case when any pattern does, and case-sensitive
    // patterns then check their needle's bytes at the hit.
    let patterns: Vec<(&PatternPlan, bool)> = field_plan
        .patterns
        .iter()
        .map(|p| (p, false))
        .chain(field_plan.patterns_folded.iter().map(|p| (p, true)))
        .collect();
    if !patterns.is_empty() {
        let insensitive = !field_plan.patterns_folded.is_empty();
        let (needles, entries, ranges) = pattern_tables(&patterns, cx);
        let (n_needles, n_entries) = (needles.len(), entries.len());
        statics.push(quote! {
            static NEEDLES: #rt::__private::Needles =
                #rt::__private::Needles::new(&[#(#needles),*], #insensitive);
            static ENTRIES: [#rt::__private::PatternEntry; #n_entries] = [#(#entries),*];
            static RANGES: [(u32, u32); #n_needles] = [#(#ranges),*];
        });
        text_steps.push(quote! {
            NEEDLES.scan(text, &ENTRIES, &RANGES, |atom| state.set_atom(atom));
        });
    }
    let direct_steps = field_plan.direct.iter().map(|&atom| {
        let test = emit_single_pred(&plan.atoms[atom].pred, cx);
        let atom = atom as u32;
        quote!(if #test { state.set_atom(#atom); })
    });
    let text_block = if text_steps.is_empty() {
        quote!()
    } else {
        quote! {
            #rt::__private::with_text(value, |text| {
                #(#text_steps)*
                false
            });
        }
    };
    let exists = field_plan.exists.iter().map(|&atom| atom as u32);
    quote! {
        #[inline(never)]
        fn #function<__EqlEvent>(event: &__EqlEvent, state: &mut #state)
        where
            __EqlEvent: #rt::Fields + ?::core::marker::Sized,
        {
            #(#statics)*
            state.mark_field(#field_index);
            let mut any = false;
            #rt::Fields::any_value(event, __EqlSlots::<__EqlEvent>::#slot, &mut |value| {
                any = true;
                #text_block
                #(#direct_steps)*
                false
            });
            if any {
                #(state.set_atom(#exists);)*
            }
            let _ = any;
        }
    }
}

/// A field's exact strings as the runtime's hash table
/// (`eql_core::pack::ExactTable`): the strings grouped by their ASCII-folded
/// key, the keys laid out by `ExactTable::layout`.
fn exact_table(
    exact: &[(String, Vec<AtomId>)],
    exact_folded: &[(String, Vec<AtomId>)],
    rt: &TokenStream,
) -> TokenStream {
    type Group<'a> = (Vec<AtomId>, Vec<(&'a str, &'a [AtomId])>);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (text, atoms) in exact_folded {
        let group = groups.entry(text.to_ascii_lowercase()).or_default();
        group.0.extend(atoms);
    }
    for (text, atoms) in exact {
        let group = groups.entry(text.to_ascii_lowercase()).or_default();
        group.1.push((text, atoms));
    }
    for (any_case, _) in groups.values_mut() {
        any_case.sort_unstable();
        any_case.dedup();
    }
    let keys: Vec<&str> = groups.keys().map(String::as_str).collect();
    let slots = ExactTable::layout(&keys);
    let mut entries = Vec::with_capacity(groups.len());
    for (folded, (any_case, exact)) in &groups {
        let any_case = any_case.iter().map(|&a| a as u32);
        let exact = exact.iter().map(|(text, atoms)| {
            let atoms = atoms.iter().map(|&a| a as u32);
            quote!((#text, &[#(#atoms),*]))
        });
        entries.push(quote! {
            #rt::__private::ExactEntry {
                folded: #folded,
                any_case: &[#(#any_case),*],
                exact: &[#(#exact),*],
            }
        });
    }
    quote! {
        #rt::__private::ExactTable {
            slots: &[#(#slots),*],
            entries: &[#(#entries),*],
        }
    }
}

/// The needles (deduplicated), the entries sorted by needle, and each
/// needle's range of entries.
fn pattern_tables(
    patterns: &[(&PatternPlan, bool)],
    cx: &EmitContext,
) -> (Vec<String>, Vec<TokenStream>, Vec<TokenStream>) {
    let rt = &cx.runtime;
    // A needle is its text and whether it folds case: `Foo` sensitive and
    // `foo` folded are two needles, each with its own entries.
    let mut keys: Vec<(&str, bool)> = patterns
        .iter()
        .map(|(p, insensitive)| (p.needle.as_str(), *insensitive))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let mut sorted: Vec<(usize, &PatternPlan, bool)> = patterns
        .iter()
        .map(|&(p, insensitive)| {
            let key = (p.needle.as_str(), insensitive);
            (keys.binary_search(&key).unwrap_or(0), p, insensitive)
        })
        .collect();
    sorted.sort_by_key(|(needle, p, _)| (*needle, p.atom));
    let mut ranges = Vec::with_capacity(keys.len());
    let mut start = 0usize;
    for needle in 0..keys.len() {
        let end = start
            + sorted[start..]
                .iter()
                .take_while(|(n, _, _)| *n == needle)
                .count();
        let (from, to) = (start as u32, end as u32);
        ranges.push(quote!((#from, #to)));
        start = end;
    }
    let entries = sorted
        .iter()
        .map(|(needle, p, insensitive)| {
            let needle = *needle as u32;
            let check = match p.check {
                PatternCheck::Prefix => quote!(#rt::__private::Check::Prefix),
                PatternCheck::Suffix => quote!(#rt::__private::Check::Suffix),
                PatternCheck::Contains => quote!(#rt::__private::Check::Contains),
                PatternCheck::Whole => quote!(#rt::__private::Check::Whole),
            };
            let pattern = &p.pattern;
            let atom = p.atom as u32;
            quote!(#rt::__private::PatternEntry {
                needle: #needle,
                check: #check,
                pattern: #pattern,
                atom: #atom,
                insensitive: #insensitive,
            })
        })
        .collect();
    let needles = keys
        .into_iter()
        .map(|(needle, _)| needle.to_owned())
        .collect();
    (needles, entries, ranges)
}

/// A rule's condition over atoms, computing fields on demand.
fn emit_pcond(
    cond: &PCond,
    plan: &PackPlan,
    slot_names: &[Ident],
    shared: &SharedTests,
    cx: &EmitContext,
) -> TokenStream {
    match cond {
        PCond::Const(b) => quote!(#b),
        PCond::And(conds) => {
            // Conjuncts over key atoms first, which cost a bit test, then
            // the others by their chance of holding, the least likely
            // first (positive tests before negated ones, which mostly hold).
            // Conjuncts have no side effects, so the order is free; the
            // sort is stable, so ties keep the rule's order.
            let mut conds: Vec<(bool, f64, &PCond)> = conds
                .iter()
                .map(|c| (!key_atoms_only(c, plan), plan.chance(c), c))
                .collect();
            conds.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let conds: Vec<&PCond> = conds.into_iter().map(|(_, _, c)| c).collect();
            let conds = conds
                .into_iter()
                .map(|c| parenthesised(c, plan, slot_names, shared, cx));
            quote!(#(#conds)&&*)
        }
        PCond::Or(conds) => {
            let conds = conds
                .iter()
                .map(|c| parenthesised(c, plan, slot_names, shared, cx));
            quote!(#(#conds)||*)
        }
        PCond::Atoms { atoms, negated } => {
            // The rule tests the values itself unless the field's pass has
            // computed every atom of the test already.
            let field = plan.atoms[atoms[0]].field;
            let test = Test {
                field,
                negated: *negated,
                preds: atoms.iter().map(|&a| plan.atoms[a].pred.clone()).collect(),
            };
            if !atoms.iter().all(|&a| plan.key_atoms[a]) {
                // A test that other places share is evaluated once, by the
                // first to ask; it is kept positive and negated here.
                if let Some(index) = shared.index(&SharedKey::Atoms(atoms.clone())) {
                    let positive = emit_test(
                        &Test {
                            negated: false,
                            ..test
                        },
                        slot_names,
                        cx,
                    );
                    let read = quote!(state.shared(#index, || #positive));
                    return if *negated { quote!(!#read) } else { read };
                }
                return emit_test(&test, slot_names, cx);
            }
            let direct = emit_test(&test, slot_names, cx);
            let field = Literal::u32_unsuffixed(field.0);
            let n_atoms = atoms.len();
            let atoms = atoms.iter().map(|&a| Literal::u32_unsuffixed(a as u32));
            let any = quote!(#(state.atom(#atoms))||*);
            let computed = match (negated, n_atoms) {
                (false, _) => any,
                (true, 1) => quote!(!#any),
                (true, _) => quote!(!(#any)),
            };
            quote!(if state.field_done(#field) { #computed } else { #direct })
        }
        PCond::Expr { expr, negated } => {
            let direct = emit_scalar_cond(expr, *negated, slot_names, cx);
            match shared.index(&SharedKey::expr(expr, *negated)) {
                Some(index) => quote!(state.shared(#index, || #direct)),
                None => direct,
            }
        }
    }
}

/// Which test of the rules' conditions is shared.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SharedKey {
    /// A test of atoms of one field, not all computed by the field's pass,
    /// read positive.
    Atoms(Vec<AtomId>),
    /// A script expression, negated or not, by its description (`Scalar`
    /// holds numbers, so it cannot be a key itself).
    Expr(String),
}

impl SharedKey {
    fn expr(expr: &Scalar, negated: bool) -> SharedKey {
        SharedKey::Expr(format!("{negated} {expr:?}"))
    }
}

/// The tests that occur more than once in the conditions of a pack's rules,
/// each with its index in the state's shared results, so that each is
/// evaluated at most once per event. A test that occurs once needs no slot:
/// a rule is evaluated at most once per event.
struct SharedTests {
    index: HashMap<SharedKey, u32>,
}

impl SharedTests {
    fn of(plan: &PackPlan) -> SharedTests {
        let mut counts: HashMap<SharedKey, usize> = HashMap::new();
        let mut order: Vec<SharedKey> = Vec::new();
        let mut pending: Vec<&PCond> = plan.rules.iter().map(|rule| &rule.cond).collect();
        while let Some(cond) = pending.pop() {
            let key = match cond {
                PCond::Const(_) => continue,
                PCond::And(conds) | PCond::Or(conds) => {
                    pending.extend(conds.iter());
                    continue;
                }
                PCond::Atoms { atoms, .. } if atoms.iter().all(|&a| plan.key_atoms[a]) => continue,
                PCond::Atoms { atoms, .. } => SharedKey::Atoms(atoms.clone()),
                PCond::Expr { expr, negated } => SharedKey::expr(expr, *negated),
            };
            let count = counts.entry(key.clone()).or_default();
            if *count == 0 {
                order.push(key);
            }
            *count += 1;
        }
        let index = order
            .into_iter()
            .filter(|key| counts[key] > 1)
            .zip(0u32..)
            .collect();
        SharedTests { index }
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn index(&self, key: &SharedKey) -> Option<u32> {
        self.index.get(key).copied()
    }
}

/// Whether `cond` tests key atoms only (or nothing).
fn key_atoms_only(cond: &PCond, plan: &PackPlan) -> bool {
    match cond {
        PCond::Const(_) => true,
        PCond::And(conds) | PCond::Or(conds) => conds.iter().all(|c| key_atoms_only(c, plan)),
        PCond::Atoms { atoms, .. } => atoms.iter().all(|&a| plan.key_atoms[a]),
        PCond::Expr { .. } => false,
    }
}

fn parenthesised(
    cond: &PCond,
    plan: &PackPlan,
    slot_names: &[Ident],
    shared: &SharedTests,
    cx: &EmitContext,
) -> TokenStream {
    let inner = emit_pcond(cond, plan, slot_names, shared, cx);
    match cond {
        PCond::And(_) | PCond::Or(_) => quote!((#inner)),
        _ => inner,
    }
}
