//! Random events for the differential tests, made from a rule's own literals.
//!
//! [`EventGenerator`] reads a compiled rule (its [`EventFilter`]) and gives a
//! proptest [`Strategy`] of NDJSON lines, one JSON object per event, over the
//! fields the rule reads. The values come from the rule itself, as the team's
//! `oracle/diffcheck.py` makes them:
//!
//! - each literal as written, with its case flipped (ASCII letters only when
//!   the rule folds case, so the value still matches; also characters that
//!   Unicode, but not Elasticsearch, folds to ASCII: KELVIN SIGN `K`, `İ`,
//!   `ı`, long `ſ`, `ß`), and near misses (one character dropped, added or
//!   changed);
//! - wildcard patterns instantiated (`*` as nothing, `x` or random text, `?`
//!   as one ASCII or multi-byte character) and their near misses;
//! - strings generated from each regular expression (its translation to the
//!   `regex` crate's syntax, through `proptest::string::string_regex`) and
//!   their near misses;
//! - numbers at, just above and just below each constant, written as
//!   integers, floats and exponents, and the integers at the edges of `i64`
//!   and `u64`; numbers written as strings and numeric strings as numbers;
//! - booleans, addresses inside and just outside each CIDR block (IPv4,
//!   IPv6, and IPv4 written as IPv4-mapped IPv6), empty strings and short
//!   random strings.
//!
//! A field is absent, `null`, an empty array, an object (so that it has no
//! value of its own), a scalar, or an array of up to three values (with, at
//! times, a `null` element or a nested array). Each path is written nested,
//! with dotted keys, or split anywhere between (`{"process":{"name":…}}`,
//! `{"process.name":…}`), sometimes inside a one-element array of objects,
//! and decoy keys that look like the rule's paths but are not (`process.namex`,
//! `Process.name`, a value at a prefix of the path) hold the rule's values.
//!
//! So that events match often enough to test the matching paths, most events
//! follow a plan: a random branch of the condition is chosen to hold (or, for
//! some events, to fail), and each field gets values that satisfy (or avoid)
//! the tests of that branch; the remaining events are free draws from each
//! field's pool. The category field (the first field of a rule whose query
//! names a category) usually holds the rule's category, as a string or in an
//! array.
//!
//! Whether an event matches is never decided here: the generator only aims,
//! and the engines under test answer.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use eql_core::scalar::{Cidr, parse_cidr};
use eql_core::value::{Number, Value};
use eqlc::Compiled;
use eqlc::ast::{Category, QueryBody};
use eqlc::interpret::{eval_pred, eval_scalar};
use eqlc::ir::{Cond, Constant, EventFilter, Function, Scalar, ValuePred};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::{BoxedStrategy, Just, Union};
use proptest::string::string_regex;

/// Builds events for one rule.
#[derive(Clone, Debug)]
pub struct EventGenerator {
    inner: Rc<Inner>,
}

/// One scalar of an event, as written in the JSON text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Leaf {
    /// A JSON string, with the content given; `escaped` writes every
    /// character as a `\u` escape, so that the decoders unescape it.
    Text { text: String, escaped: bool },
    /// A JSON number, `true` or `false`, as written.
    Raw(String),
}

impl Leaf {
    fn text(text: impl Into<String>) -> Leaf {
        Leaf::Text {
            text: text.into(),
            escaped: false,
        }
    }

    fn raw(raw: impl Into<String>) -> Leaf {
        Leaf::Raw(raw.into())
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Leaf::Text {
                text,
                escaped: false,
            } => out.push_str(&json_string(text)),
            Leaf::Text {
                text,
                escaped: true,
            } => {
                out.push('"');
                for unit in text.encode_utf16() {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
                out.push('"');
            }
            Leaf::Raw(raw) => out.push_str(raw),
        }
    }

    /// The value a decoder reads from this leaf, for sorting candidates.
    fn with_value<R>(&self, with: impl FnOnce(Value<'_>) -> R) -> R {
        match self {
            Leaf::Text { text, .. } => with(Value::Str(text)),
            Leaf::Raw(raw) => with(raw_value(raw)),
        }
    }
}

/// What a field holds in one event.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Absent,
    Null,
    /// An object at the field's path: the field itself has no value.
    Object(Leaf),
    Scalar(Leaf),
    /// An array; `style` 1 adds a `null` element, 2 nests the first element
    /// in an array of its own (arrays are flattened).
    Array {
        values: Vec<Leaf>,
        style: u8,
    },
}

/// How a field's path is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// For each `.` of the path, whether it opens a nested object (`true`)
    /// or stays inside a dotted key.
    pub splits: Vec<bool>,
    /// Whether the object holding the value is written as a one-element
    /// array of objects.
    pub wrapped: bool,
    /// Whether the keys this field brings are written with `\u` escapes.
    pub escaped_keys: bool,
    /// Whether the field's outermost object is a new one even where an
    /// object with the same key exists already (a duplicate key).
    pub separate: bool,
}

/// A key that resembles a rule's path but is not one of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoy {
    pub key: String,
    pub value: Leaf,
}

/// One generated event, before it is written as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The value and layout of each field, in the order of the rule's field
    /// table.
    pub fields: Vec<(String, FieldValue, Layout)>,
    pub decoys: Vec<Decoy>,
    /// Whether the objects are written with spaces and tabs between tokens.
    pub spaced: bool,
}

impl Event {
    /// The event as one line of JSON.
    pub fn to_json(&self) -> String {
        let mut root = Vec::new();
        for (path, value, layout) in &self.fields {
            let json = match value {
                FieldValue::Absent => continue,
                FieldValue::Null => "null".to_owned(),
                FieldValue::Object(leaf) => {
                    let mut json = String::from("{\"x\":");
                    leaf.write_json(&mut json);
                    json.push('}');
                    json
                }
                FieldValue::Scalar(leaf) => {
                    let mut json = String::new();
                    leaf.write_json(&mut json);
                    json
                }
                FieldValue::Array { values, style } => array_json(values, *style),
            };
            let keys = split_path(path, &layout.splits);
            insert(&mut root, &keys, json, layout, true);
        }
        for decoy in &self.decoys {
            let mut json = String::new();
            decoy.value.write_json(&mut json);
            let key = Key {
                text: decoy.key.clone(),
                escaped: false,
            };
            root.push((key, Node::Leaf(json)));
        }
        let mut out = String::new();
        write_object(&root, self.spaced, &mut out);
        out
    }
}

impl EventGenerator {
    /// A generator for a compiled query; the category, if the query names
    /// one, is taken from the query.
    pub fn new(compiled: &Compiled) -> EventGenerator {
        let category = match &compiled.query.body {
            QueryBody::Event(event) => match &event.category {
                Category::Named(name) => Some(name.node.as_str()),
                Category::Any(_) => None,
            },
            _ => None,
        };
        EventGenerator::from_filter(&compiled.filter, category)
    }

    /// A generator for a lowered rule; `category` is the category its query
    /// names, which the first field of the table tests.
    pub fn from_filter(filter: &EventFilter, category: Option<&str>) -> EventGenerator {
        let mut builder = Builder::new(filter);
        builder.collect(&filter.condition);
        let plan_true = builder.solve(&filter.condition, true);
        let plan_false = builder.solve(&filter.condition, false);
        let empty = Just(Plan::new(filter.fields.len())).boxed();
        let plan = Union::new_weighted(vec![(6, plan_true), (3, plan_false), (2, empty)]).boxed();
        let shared_pool: Vec<Leaf> = builder.all_candidates();
        let fields = builder.finish(category);
        EventGenerator {
            inner: Rc::new(Inner {
                fields,
                plan,
                shared_pool,
            }),
        }
    }

    /// The events, as JSON lines.
    pub fn strategy(&self) -> BoxedStrategy<String> {
        self.events().prop_map(|event| event.to_json()).boxed()
    }

    /// The events, before they are written.
    pub fn events(&self) -> BoxedStrategy<Event> {
        let inner = Rc::clone(&self.inner);
        let shared = if inner.shared_pool.is_empty() {
            Just(Leaf::text("a")).boxed()
        } else {
            select(inner.shared_pool.clone()).boxed()
        };
        (inner.plan.clone(), shared)
            .prop_flat_map(move |(plan, shared)| {
                let fields: Vec<BoxedStrategy<(String, FieldValue, Layout)>> = inner
                    .fields
                    .iter()
                    .zip(&plan.fields)
                    .map(|(field, wants)| field.strategy(wants, &shared))
                    .collect();
                let decoys = inner.decoys();
                (fields, decoys, prop::bool::weighted(0.15)).prop_map(|(fields, decoys, spaced)| {
                    Event {
                        fields,
                        decoys,
                        spaced,
                    }
                })
            })
            .boxed()
    }
}

#[derive(Debug)]
struct Inner {
    fields: Vec<FieldGen>,
    /// What each field should hold, chosen per event.
    plan: BoxedStrategy<Plan>,
    /// Every finite candidate of the rule, for values that two fields share.
    shared_pool: Vec<Leaf>,
}

impl Inner {
    /// Up to two decoy keys, each near one of the paths, holding a value
    /// from that field's pool.
    fn decoys(&self) -> BoxedStrategy<Vec<Decoy>> {
        if self.fields.is_empty() {
            return Just(Vec::new()).boxed();
        }
        let paths: Vec<&str> = self
            .fields
            .iter()
            .map(|field| field.path.as_str())
            .collect();
        let decoy = self
            .fields
            .iter()
            .map(|field| {
                // A decoy must not be another of the rule's paths.
                let keys: Vec<String> = decoy_keys(&field.path)
                    .into_iter()
                    .filter(|key| !paths.contains(&key.as_str()))
                    .collect();
                if keys.is_empty() {
                    return Just(Vec::new()).boxed();
                }
                let decoy = (select(keys), field.free_leaf.clone())
                    .prop_map(|(key, value)| Decoy { key, value });
                proptest::collection::vec(decoy, 0..=1).boxed()
            })
            .collect::<Vec<_>>();
        // Up to two fields get a decoy.
        (proptest::collection::vec(Union::new(decoy), 0..=2))
            .prop_map(|decoys| decoys.into_iter().flatten().collect())
            .boxed()
    }
}

/// What the plan asks of one field.
#[derive(Clone, Debug, Default, PartialEq)]
struct Wants {
    /// Tests (indexes into the field's tests) that some value must satisfy.
    hits: Vec<usize>,
    /// Tests that no value should satisfy.
    avoids: Vec<usize>,
    /// The field is compared with another field in an expression: it often
    /// takes the event's shared value.
    shared: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Plan {
    fields: Vec<Wants>,
}

impl Plan {
    fn new(n_fields: usize) -> Plan {
        Plan {
            fields: vec![Wants::default(); n_fields],
        }
    }

    fn merge(plans: Vec<Plan>, n_fields: usize) -> Plan {
        let mut merged = Plan::new(n_fields);
        for plan in plans {
            for (into, from) in merged.fields.iter_mut().zip(plan.fields) {
                into.hits.extend(from.hits);
                into.avoids.extend(from.avoids);
                into.shared |= from.shared;
            }
        }
        merged
    }
}

/// One test of the rule on a field, with values that satisfy it and values
/// that should not.
#[derive(Debug)]
struct TestGen {
    hit: BoxedStrategy<Leaf>,
    /// `None` when no value avoids the test (`field != null`): only an
    /// absent field does.
    miss: Option<BoxedStrategy<Leaf>>,
}

/// Everything the generator draws from for one field.
#[derive(Debug)]
struct FieldGen {
    path: String,
    n_dots: usize,
    tests: Vec<TestGen>,
    /// A value from the field's whole pool.
    free_leaf: BoxedStrategy<Leaf>,
    /// The query's category, if this is the category field.
    category: Option<String>,
}

impl FieldGen {
    fn strategy(
        &self,
        wants: &Wants,
        shared: &Leaf,
    ) -> BoxedStrategy<(String, FieldValue, Layout)> {
        let mut options: Vec<(u32, BoxedStrategy<FieldValue>)> = Vec::new();
        if !wants.hits.is_empty() {
            options.push((8, self.hit_value(wants)));
        } else if !wants.avoids.is_empty() {
            options.push((8, self.avoid_value(wants)));
        } else if let Some(category) = &self.category {
            options.push((8, category_value(category)));
        }
        if wants.shared {
            options.push((6, shared_value(shared.clone())));
        }
        options.push((if options.is_empty() { 1 } else { 2 }, self.free_value()));
        let path = self.path.clone();
        (Union::new_weighted(options), layout(self.n_dots))
            .prop_map(move |(value, layout)| (path.clone(), value, layout))
            .boxed()
    }

    /// A value for each test that must hold, and up to two more.
    fn hit_value(&self, wants: &Wants) -> BoxedStrategy<FieldValue> {
        let hits: Vec<BoxedStrategy<Leaf>> = wants
            .hits
            .iter()
            .map(|&test| self.tests[test].hit.clone())
            .collect();
        let extra = self.extra_leaf(wants);
        (
            hits,
            proptest::collection::vec(extra, 0..=2),
            prop::bool::weighted(0.6),
            array_style(),
        )
            .prop_flat_map(|(mut values, extra, with_extra, style)| {
                if with_extra {
                    values.extend(extra);
                }
                Just(values)
                    .prop_shuffle()
                    .prop_map(move |values| (values, style))
            })
            .prop_map(|(mut values, style)| {
                if values.len() == 1 && style != 2 {
                    FieldValue::Scalar(values.remove(0))
                } else {
                    FieldValue::Array { values, style }
                }
            })
            .boxed()
    }

    /// Besides the values a plan asks for: misses of the tests to avoid, or
    /// anything from the pool.
    fn extra_leaf(&self, wants: &Wants) -> BoxedStrategy<Leaf> {
        let misses: Vec<BoxedStrategy<Leaf>> = wants
            .avoids
            .iter()
            .filter_map(|&test| self.tests[test].miss.clone())
            .collect();
        if misses.is_empty() {
            self.free_leaf.clone()
        } else {
            Union::new(misses).boxed()
        }
    }

    /// No value, or only values meant to miss the tests to avoid.
    fn avoid_value(&self, wants: &Wants) -> BoxedStrategy<FieldValue> {
        let misses: Vec<BoxedStrategy<Leaf>> = wants
            .avoids
            .iter()
            .filter_map(|&test| self.tests[test].miss.clone())
            .collect();
        let mut options = vec![
            (4, Just(FieldValue::Absent).boxed()),
            (1, Just(FieldValue::Null).boxed()),
            (
                1,
                Just(FieldValue::Array {
                    values: Vec::new(),
                    style: 0,
                })
                .boxed(),
            ),
        ];
        if !misses.is_empty() {
            options.push((6, values_of(Union::new(misses).boxed(), 1)));
        }
        Union::new_weighted(options).boxed()
    }

    /// Anything: absent, null, an object, or values from the pool.
    fn free_value(&self) -> BoxedStrategy<FieldValue> {
        Union::new_weighted(vec![
            (4, Just(FieldValue::Absent).boxed()),
            (1, Just(FieldValue::Null).boxed()),
            (
                1,
                self.free_leaf.clone().prop_map(FieldValue::Object).boxed(),
            ),
            (14, values_of(self.free_leaf.clone(), 0)),
        ])
        .boxed()
    }
}

/// A scalar, or an array of `min..=3` values.
fn values_of(leaf: BoxedStrategy<Leaf>, min: usize) -> BoxedStrategy<FieldValue> {
    Union::new_weighted(vec![
        (3, leaf.clone().prop_map(FieldValue::Scalar).boxed()),
        (
            2,
            (proptest::collection::vec(leaf, min..=3), array_style())
                .prop_map(|(values, style)| FieldValue::Array { values, style })
                .boxed(),
        ),
    ])
    .boxed()
}

/// The category as a string, or in an array, alone or with another.
fn category_value(category: &str) -> BoxedStrategy<FieldValue> {
    let leaf = Leaf::text(category);
    let other = Leaf::text(if category == "network" {
        "process"
    } else {
        "network"
    });
    select(vec![
        FieldValue::Scalar(leaf.clone()),
        FieldValue::Array {
            values: vec![leaf.clone()],
            style: 0,
        },
        FieldValue::Array {
            values: vec![other.clone(), leaf.clone()],
            style: 0,
        },
        FieldValue::Array {
            values: vec![leaf, other],
            style: 1,
        },
    ])
    .boxed()
}

/// The event's shared value, alone or in an array.
fn shared_value(shared: Leaf) -> BoxedStrategy<FieldValue> {
    select(vec![
        FieldValue::Scalar(shared.clone()),
        FieldValue::Array {
            values: vec![Leaf::text("zz"), shared],
            style: 0,
        },
    ])
    .boxed()
}

/// Mostly plain arrays; some with a `null` element or a nested array.
fn array_style() -> BoxedStrategy<u8> {
    select(vec![0, 0, 0, 0, 0, 1, 2]).boxed()
}

fn layout(n_dots: usize) -> BoxedStrategy<Layout> {
    (
        proptest::collection::vec(any::<bool>(), n_dots),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(splits, wrapped, escaped_keys, separate)| Layout {
            splits,
            wrapped,
            escaped_keys,
            separate,
        })
        .boxed()
}

// ---------------------------------------------------------------------------
// Reading the rule
// ---------------------------------------------------------------------------

/// Collects the tests and candidate values of a rule, field by field.
struct Builder<'f> {
    filter: &'f EventFilter,
    /// Per field: its tests, in the order met.
    tests: Vec<Vec<TestGen>>,
    /// Per field: finite candidates (literals, their variants, numbers
    /// around constants, addresses).
    candidates: Vec<Vec<Leaf>>,
    /// Per field: generated candidates (wildcards and regexes instantiated).
    generated: Vec<Vec<BoxedStrategy<Leaf>>>,
    /// The index among its field's tests of each `Cond::Test`, and of each
    /// `Cond::Expr` that reads one field, by address, for the solver.
    test_index: HashMap<*const Cond, usize>,
}

impl<'f> Builder<'f> {
    fn new(filter: &'f EventFilter) -> Builder<'f> {
        let n = filter.fields.len();
        Builder {
            filter,
            tests: (0..n).map(|_| Vec::new()).collect(),
            candidates: vec![Vec::new(); n],
            generated: (0..n).map(|_| Vec::new()).collect(),
            test_index: HashMap::new(),
        }
    }

    fn collect(&mut self, cond: &Cond) {
        match cond {
            Cond::Const(_) => {}
            Cond::And(conds) | Cond::Or(conds) => {
                for cond in conds {
                    self.collect(cond);
                }
            }
            Cond::Test(test) => {
                let field = test.field.0 as usize;
                let mut hits = Vec::new();
                let mut misses = Vec::new();
                for pred in &test.preds {
                    let generated = pred_gen(pred);
                    self.candidates[field].extend(generated.candidates);
                    hits.push(generated.hit);
                    misses.extend(generated.miss);
                }
                self.generated[field].extend(hits.iter().cloned());
                self.generated[field].extend(misses.iter().cloned());
                self.test_index
                    .insert(cond as *const _, self.tests[field].len());
                self.tests[field].push(TestGen {
                    hit: Union::new(hits).boxed(),
                    miss: (!misses.is_empty()).then(|| Union::new(misses).boxed()),
                });
            }
            Cond::Expr { expr, .. } => {
                let candidates = self.collect_scalar(expr);
                // An expression of one field can be tried on each candidate,
                // so that the plan can aim at it as at a test.
                if let [field] = expr.fields()[..] {
                    let (hits, misses): (Vec<Leaf>, Vec<Leaf>) = dedup(candidates)
                        .into_iter()
                        .partition(|leaf| expression_holds(expr, leaf));
                    let field = field.0 as usize;
                    self.test_index
                        .insert(cond as *const _, self.tests[field].len());
                    self.tests[field].push(TestGen {
                        hit: if hits.is_empty() {
                            generic_leaf()
                        } else {
                            select(hits).boxed()
                        },
                        miss: (!misses.is_empty()).then(|| select(misses).boxed()),
                    });
                }
            }
        }
    }

    /// Candidates from an expression go to every field it reads; returns
    /// the finite ones.
    fn collect_scalar(&mut self, expr: &Scalar) -> Vec<Leaf> {
        let fields = expr.fields();
        let mut candidates = Vec::new();
        let mut generated = Vec::new();
        let mut numbers = Vec::new();
        let mut measures_length = false;
        let mut pending = vec![expr];
        while let Some(scalar) = pending.pop() {
            match scalar {
                Scalar::Constant(constant) => {
                    candidates.extend(constant_candidates(constant));
                    if let Constant::Number(n) = constant {
                        numbers.push(n.as_f64());
                    }
                }
                Scalar::Field(_) => {}
                Scalar::Neg(inner) | Scalar::IsNull(inner) | Scalar::Not(inner) => {
                    pending.push(inner)
                }
                Scalar::Arith { lhs, rhs, .. }
                | Scalar::Compare { lhs, rhs, .. }
                | Scalar::And(lhs, rhs)
                | Scalar::Or(lhs, rhs) => {
                    pending.push(lhs);
                    pending.push(rhs);
                }
                Scalar::Match { value, preds } => {
                    for pred in preds {
                        let pred = pred_gen(pred);
                        candidates.extend(pred.candidates);
                        generated.push(pred.hit);
                        generated.extend(pred.miss);
                    }
                    pending.push(value);
                }
                Scalar::Call { function, args, .. } => {
                    measures_length |= *function == Function::Length;
                    pending.extend(args);
                }
            }
        }
        // `length(field) > 255`: texts around each length the rule names,
        // in one-byte and in two-byte characters.
        if measures_length {
            for n in numbers {
                if (0.0..=10_000.0).contains(&n) {
                    let n = n as usize;
                    for len in [n.saturating_sub(1), n, n + 1] {
                        candidates.push(Leaf::text("a".repeat(len)));
                        candidates.push(Leaf::text("é".repeat(len)));
                    }
                }
            }
        }
        for field in fields {
            let field = field.0 as usize;
            self.candidates[field].extend(candidates.iter().cloned());
            self.generated[field].extend(generated.iter().cloned());
        }
        candidates
    }

    /// What the plan wants of each field for `cond` to be `want`.
    fn solve(&self, cond: &Cond, want: bool) -> BoxedStrategy<Plan> {
        let n = self.filter.fields.len();
        match cond {
            Cond::Const(_) => Just(Plan::new(n)).boxed(),
            Cond::And(conds) | Cond::Or(conds) => {
                // `and` wanted true and `or` wanted false need every part;
                // the others need one part, chosen at random.
                let all = matches!(cond, Cond::And(_)) == want;
                let parts: Vec<BoxedStrategy<Plan>> =
                    conds.iter().map(|cond| self.solve(cond, want)).collect();
                if all {
                    parts.prop_map(move |plans| Plan::merge(plans, n)).boxed()
                } else {
                    Union::new(parts).boxed()
                }
            }
            Cond::Test(test) => {
                let field = test.field.0 as usize;
                let index = self.test_index[&(cond as *const _)];
                let mut plan = Plan::new(n);
                if want != test.negated {
                    plan.fields[field].hits.push(index);
                } else {
                    plan.fields[field].avoids.push(index);
                }
                Just(plan).boxed()
            }
            Cond::Expr { expr, negated } => {
                let mut plan = Plan::new(n);
                let fields = expr.fields();
                if let (Some(&index), [field]) =
                    (self.test_index.get(&(cond as *const _)), &fields[..])
                {
                    let wants = &mut plan.fields[field.0 as usize];
                    if want != *negated {
                        wants.hits.push(index);
                    } else {
                        wants.avoids.push(index);
                    }
                } else if fields.len() > 1 {
                    for field in fields {
                        plan.fields[field.0 as usize].shared = true;
                    }
                }
                Just(plan).boxed()
            }
        }
    }

    fn all_candidates(&self) -> Vec<Leaf> {
        dedup(self.candidates.iter().flatten().cloned().collect())
    }

    fn finish(self, category: Option<&str>) -> Vec<FieldGen> {
        let shared = self.all_candidates();
        let mut fields = Vec::new();
        let parts = self
            .tests
            .into_iter()
            .zip(self.candidates)
            .zip(self.generated);
        for (index, ((tests, candidates), generated)) in parts.enumerate() {
            let path = self.filter.fields.fields[index].path.clone();
            let mut options: Vec<(u32, BoxedStrategy<Leaf>)> = Vec::new();
            if !candidates.is_empty() {
                options.push((6, select(dedup(candidates)).boxed()));
            }
            if !generated.is_empty() {
                options.push((6, Union::new(generated).boxed()));
            }
            if !shared.is_empty() {
                options.push((1, select(shared.clone()).boxed()));
            }
            options.push((2, generic_leaf()));
            fields.push(FieldGen {
                n_dots: path.matches('.').count(),
                category: category.filter(|_| index == 0).map(str::to_owned),
                path,
                tests,
                free_leaf: Union::new_weighted(options).boxed(),
            });
        }
        fields
    }
}

/// The values for one predicate: finite candidates around its constants,
/// values that satisfy it, and values meant not to (best effort: a near miss
/// of a wildcard instance may still match).
struct PredGen {
    candidates: Vec<Leaf>,
    hit: BoxedStrategy<Leaf>,
    /// `None` when no value fails the predicate (`Exists`).
    miss: Option<BoxedStrategy<Leaf>>,
}

fn pred_gen(pred: &ValuePred) -> PredGen {
    match pred {
        ValuePred::Exists => PredGen {
            candidates: Vec::new(),
            hit: generic_leaf(),
            miss: None,
        },
        ValuePred::Wildcards {
            patterns,
            insensitive,
        } => {
            let instances: Vec<_> = patterns.iter().map(|p| wildcard_instance(p)).collect();
            let instance = Union::new(instances).boxed();
            let hit = if *insensitive {
                Union::new_weighted(vec![
                    (2, instance.clone()),
                    (1, ascii_flip(instance.clone())),
                ])
                .boxed()
            } else {
                instance.clone()
            };
            PredGen {
                candidates: pred_candidates(pred),
                hit: text_leaf(hit),
                miss: Some(text_leaf(misses_of(instance, !*insensitive))),
            }
        }
        ValuePred::Regex(set) => {
            let instance = regex_instance(&set.sources, set.insensitive);
            PredGen {
                candidates: Vec::new(),
                hit: text_leaf(instance.clone()),
                miss: Some(text_leaf(misses_of(instance, !set.insensitive))),
            }
        }
        other => {
            let candidates = pred_candidates(other);
            let (hits, misses): (Vec<Leaf>, Vec<Leaf>) = candidates
                .iter()
                .cloned()
                .partition(|leaf| satisfies(other, leaf));
            let mut hit_options = Vec::new();
            let mut miss_options = Vec::new();
            if !hits.is_empty() {
                hit_options.push((4, select(hits).boxed()));
            }
            if !misses.is_empty() {
                miss_options.push((4, select(misses).boxed()));
            }
            match other {
                ValuePred::Cidr(blocks) => hit_options.push((4, cidr_inside(blocks))),
                ValuePred::Strings {
                    values,
                    insensitive,
                } => {
                    let value = select(values.clone()).boxed();
                    if *insensitive {
                        hit_options.push((3, text_leaf(ascii_flip(value.clone()))));
                    }
                    miss_options.push((3, text_leaf(misses_of(value, !*insensitive))));
                }
                _ => {}
            }
            PredGen {
                candidates,
                hit: if hit_options.is_empty() {
                    generic_leaf()
                } else {
                    Union::new_weighted(hit_options).boxed()
                },
                miss: (!miss_options.is_empty()).then(|| Union::new_weighted(miss_options).boxed()),
            }
        }
    }
}

/// Whether an expression of one field is true when the field holds `leaf`.
fn expression_holds(expr: &Scalar, leaf: &Leaf) -> bool {
    leaf.with_value(|value| {
        let bound = eql_core::scalar::Scalar::from_value(value).into_owned();
        eval_scalar(expr, &|_| bound.clone()).as_bool() == Some(true)
    })
}

/// Whether a decoder reading `leaf` would satisfy `pred`; only for the
/// predicates with finite candidates (not regexes).
fn satisfies(pred: &ValuePred, leaf: &Leaf) -> bool {
    leaf.with_value(|value| eval_pred(pred, value, &HashMap::new()))
}

/// The leaves without repeats, in first-seen order.
fn dedup(leaves: Vec<Leaf>) -> Vec<Leaf> {
    let mut seen = HashSet::new();
    leaves
        .into_iter()
        .filter(|leaf| seen.insert(leaf.clone()))
        .collect()
}

/// Finite candidates around a predicate's constants.
fn pred_candidates(pred: &ValuePred) -> Vec<Leaf> {
    match pred {
        ValuePred::Exists | ValuePred::Regex(_) => Vec::new(),
        ValuePred::Strings { values, .. } => {
            values.iter().flat_map(|s| string_variants(s)).collect()
        }
        ValuePred::Wildcards { patterns, .. } => patterns
            .iter()
            .flat_map(|pattern| {
                let plain: String = pattern.chars().filter(|&c| c != '*' && c != '?').collect();
                let mut out = string_variants(&plain);
                out.push(Leaf::text(pattern.clone()));
                out
            })
            .collect(),
        ValuePred::Numbers(numbers) => numbers.iter().flat_map(|&n| numbers_around(n)).collect(),
        ValuePred::Bool(_) => vec![
            Leaf::raw("true"),
            Leaf::raw("false"),
            Leaf::text("true"),
            Leaf::raw("1"),
        ],
        ValuePred::Compare { constant, .. } => constant_candidates(constant),
        ValuePred::Cidr(blocks) => blocks.iter().flat_map(cidr_edges).collect(),
        ValuePred::Date { range, .. } => date_candidates(range.lo, range.hi),
        ValuePred::Version { constant, .. } => version_candidates(constant),
    }
}

/// Versions at and around a version literal: the same release with more
/// or larger numbers, as a pre-release and with a build, and texts that are
/// not versions.
fn version_candidates(constant: &str) -> Vec<Leaf> {
    let mut out = constant_candidates(&Constant::String(constant.to_owned()));
    for text in [
        format!("{constant}.0"),
        format!("{constant}0"),
        format!("{constant}-alpha"),
        format!("{constant}-0"),
        format!("{constant}+build"),
        format!("1{constant}"),
        "0".to_owned(),
        "99.0.0".to_owned(),
        "bad".to_owned(),
    ] {
        out.push(Leaf::text(text));
    }
    out
}

/// Instants at and around a date range, as epoch milliseconds (numbers and
/// strings) and as ISO-8601 text.
fn date_candidates(lo: i128, hi: i128) -> Vec<Leaf> {
    const NANOS_PER_MILLI: i128 = 1_000_000;
    let mut out = Vec::new();
    for nanos in [lo, hi, lo - NANOS_PER_MILLI, hi + NANOS_PER_MILLI] {
        let millis = nanos.div_euclid(NANOS_PER_MILLI);
        out.push(Leaf::raw(millis.to_string()));
        out.push(Leaf::text(millis.to_string()));
        if let Some(iso) = iso_of_millis(millis) {
            out.push(Leaf::text(iso));
        }
    }
    out
}

/// `millis` since 1970 as `YYYY-MM-DDTHH:MM:SS.mmmZ`, for years 1970–9999.
fn iso_of_millis(millis: i128) -> Option<String> {
    let days = i64::try_from(millis.div_euclid(86_400_000)).ok()?;
    let rest = millis.rem_euclid(86_400_000);
    // Days to a civil date (proleptic Gregorian), from 1970-01-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(1970..=9999).contains(&year) {
        return None;
    }
    let (hours, minutes) = (rest / 3_600_000, rest / 60_000 % 60);
    let (seconds, milli) = (rest / 1000 % 60, rest % 1000);
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.{milli:03}Z"
    ))
}

fn constant_candidates(constant: &Constant) -> Vec<Leaf> {
    match constant {
        Constant::Null => Vec::new(),
        Constant::Bool(b) => vec![Leaf::raw(b.to_string()), Leaf::raw((!b).to_string())],
        Constant::Number(n) => numbers_around(*n),
        Constant::String(s) => {
            let mut out = string_variants(s);
            // Around the constant in code-point order, for `<` and `>`.
            let mut above = s.clone();
            above.push('a');
            out.push(Leaf::text(above));
            let mut below: Vec<char> = s.chars().collect();
            if let Some(last) = below.pop() {
                if let Some(lower) = char::from_u32(last as u32 - 1) {
                    below.push(lower);
                    below.push('~');
                }
            }
            out.push(Leaf::text(below.into_iter().collect::<String>()));
            // Blocks of `cidrMatch(field, "…")` and texts as long as a
            // `length` constant would ask.
            if let Ok(block) = parse_cidr(s) {
                out.extend(cidr_edges(&block));
            }
            out.push(Leaf::text(format!("x{s}")));
            out.push(Leaf::text(format!("{s}x")));
            out.push(Leaf::text(format!("x{s}x")));
            out
        }
    }
}

/// A string, its case flipped, near misses and look-alikes, and the number
/// it spells, if any.
fn string_variants(s: &str) -> Vec<Leaf> {
    let mut out = vec![Leaf::text(s)];
    out.push(Leaf::text(s.to_ascii_uppercase()));
    out.push(Leaf::text(s.to_ascii_lowercase()));
    out.push(Leaf::text(swap_ascii_case(s)));
    if let Some(look_alike) = unicode_look_alike(s, 0) {
        out.push(Leaf::text(look_alike));
    }
    let chars: Vec<char> = s.chars().collect();
    if !chars.is_empty() {
        out.push(Leaf::text(
            chars[..chars.len() - 1].iter().collect::<String>(),
        ));
        out.push(Leaf::text(chars[1..].iter().collect::<String>()));
    }
    out.push(Leaf::text(format!("{s} ")));
    out.push(Leaf::text(""));
    // A numeric literal read from a number: keyword fields index numbers as
    // their text.
    if !s.is_empty() && serde_json::from_str::<serde_json::Number>(s).is_ok() {
        out.push(Leaf::raw(s));
    }
    out
}

/// Numbers at, above and below `n`, in several spellings, and the edges of
/// the integer types; also `n` as a string.
fn numbers_around(n: Number) -> Vec<Leaf> {
    let mut out = Vec::new();
    match n {
        Number::Int(i) => {
            for delta in [-2i128, -1, 0, 1, 2] {
                out.push(Leaf::raw((i as i128 + delta).to_string()));
            }
            out.push(Leaf::raw(format!("{i}.0")));
            out.push(Leaf::raw(format!("{i}e0")));
            out.push(Leaf::raw(format!("{}.5", i)));
            out.push(Leaf::raw(format!("{}", i as f64 - 0.5)));
            out.push(Leaf::text(i.to_string()));
        }
        Number::UInt(u) => {
            for delta in [-1i128, 0, 1] {
                out.push(Leaf::raw((u as i128 + delta).to_string()));
            }
            out.push(Leaf::raw(format!("{u}.0")));
            out.push(Leaf::text(u.to_string()));
        }
        Number::Float(f) => {
            for candidate in [f, f + 0.5, f - 0.5, f + 1.0, f - 1.0, f * 2.0] {
                if candidate.is_finite() {
                    out.push(Leaf::raw(format!("{candidate:?}")));
                }
            }
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                out.push(Leaf::raw(format!("{}", f as i64)));
            }
            out.push(Leaf::text(format!("{f}")));
        }
    }
    for edge in [
        "0",
        "-0",
        "-1",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "1e300",
        "-1e300",
        "1.7976931348623157e308",
        "-0.0",
        "1E2",
    ] {
        out.push(Leaf::raw(edge));
    }
    out
}

/// The first and last address of a block and the ones just outside it.
fn cidr_edges(block: &Cidr) -> Vec<Leaf> {
    let mut out = Vec::new();
    match block.network() {
        IpAddr::V4(network) => {
            let base = u32::from(network);
            let host = host_mask_v4(block.prefix());
            let last = base | host;
            out.push(Leaf::text(network.to_string()));
            out.push(Leaf::text(Ipv4Addr::from(last).to_string()));
            out.push(Leaf::text(format!("::ffff:{}", Ipv4Addr::from(last))));
            if let Some(before) = base.checked_sub(1) {
                out.push(Leaf::text(Ipv4Addr::from(before).to_string()));
            }
            if let Some(after) = last.checked_add(1) {
                out.push(Leaf::text(Ipv4Addr::from(after).to_string()));
            }
        }
        IpAddr::V6(network) => {
            let base = u128::from(network);
            let host = host_mask_v6(block.prefix());
            let last = base | host;
            out.push(Leaf::text(network.to_string()));
            out.push(Leaf::text(Ipv6Addr::from(last).to_string()));
            out.push(Leaf::text(
                Ipv6Addr::from(last).to_string().to_ascii_uppercase(),
            ));
            if let Some(before) = base.checked_sub(1) {
                out.push(Leaf::text(Ipv6Addr::from(before).to_string()));
            }
            if let Some(after) = last.checked_add(1) {
                out.push(Leaf::text(Ipv6Addr::from(after).to_string()));
            }
        }
    }
    out.push(Leaf::text("not an address"));
    out.push(Leaf::text("10.0.0.1:80"));
    out
}

/// A random address inside one of the blocks.
fn cidr_inside(blocks: &[Cidr]) -> BoxedStrategy<Leaf> {
    let blocks = blocks.to_vec();
    (any::<Index>(), any::<u128>(), 0..4u8)
        .prop_map(move |(which, random, style)| {
            let block = which.get(&blocks);
            match block.network() {
                IpAddr::V4(network) => {
                    let host = host_mask_v4(block.prefix());
                    let address = Ipv4Addr::from(u32::from(network) | (random as u32 & host));
                    if style == 0 {
                        Leaf::text(format!("::ffff:{address}"))
                    } else {
                        Leaf::text(address.to_string())
                    }
                }
                IpAddr::V6(network) => {
                    let host = host_mask_v6(block.prefix());
                    let address = Ipv6Addr::from(u128::from(network) | (random & host));
                    if style == 0 {
                        let segments = address.segments().map(|s| format!("{s:04x}"));
                        Leaf::text(segments.join(":"))
                    } else {
                        Leaf::text(address.to_string())
                    }
                }
            }
        })
        .boxed()
}

fn host_mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
}

fn host_mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Text strategies
// ---------------------------------------------------------------------------

/// Characters a `?` or a near miss may bring in: ASCII, multi-byte, and
/// characters that case folding must leave alone.
const ODD_CHARS: [char; 10] = ['x', 'Q', '7', '_', ' ', 'é', '日', '😀', '\u{212A}', 'ß'];

/// Short random text, mostly ASCII.
fn random_text() -> BoxedStrategy<String> {
    Union::new_weighted(vec![
        (
            3,
            string_regex("[a-zA-Z0-9 ./\\\\:_-]{1,6}")
                .map(|s| s.boxed())
                .unwrap_or_else(|_| Just("abc".to_owned()).boxed()),
        ),
        (
            1,
            proptest::collection::vec(select(ODD_CHARS.to_vec()), 1..=3)
                .prop_map(|chars| chars.into_iter().collect())
                .boxed(),
        ),
    ])
    .boxed()
}

/// A value of any kind, unrelated to the rule.
fn generic_leaf() -> BoxedStrategy<Leaf> {
    Union::new_weighted(vec![
        (4, text_leaf(random_text())),
        (1, Just(Leaf::text("")).boxed()),
        (
            1,
            (-3i64..300).prop_map(|n| Leaf::raw(n.to_string())).boxed(),
        ),
        (
            1,
            select(vec![
                Leaf::raw("true"),
                Leaf::raw("false"),
                Leaf::raw("1.5"),
            ])
            .boxed(),
        ),
    ])
    .boxed()
}

/// Strings as JSON strings, some written with `\u` escapes.
fn text_leaf(text: BoxedStrategy<String>) -> BoxedStrategy<Leaf> {
    (text, prop::bool::weighted(0.1))
        .prop_map(|(text, escaped)| Leaf::Text { text, escaped })
        .boxed()
}

/// A string matching a wildcard pattern: `*` becomes nothing, `x` or random
/// text, `?` one character.
fn wildcard_instance(pattern: &str) -> BoxedStrategy<String> {
    let mut pieces: Vec<BoxedStrategy<String>> = Vec::new();
    let mut literal = String::new();
    for c in pattern.chars() {
        if c != '*' && c != '?' {
            literal.push(c);
            continue;
        }
        if !literal.is_empty() {
            pieces.push(Just(std::mem::take(&mut literal)).boxed());
        }
        pieces.push(if c == '*' {
            Union::new_weighted(vec![
                (2, Just(String::new()).boxed()),
                (1, Just("x".to_owned()).boxed()),
                (3, random_text()),
            ])
            .boxed()
        } else {
            select(ODD_CHARS.to_vec()).prop_map(String::from).boxed()
        });
    }
    if !literal.is_empty() {
        pieces.push(Just(literal).boxed());
    }
    pieces.prop_map(|pieces| pieces.concat()).boxed()
}

/// A string matching one of the regular expressions, or, for one the
/// generator cannot follow, the pattern's text.
fn regex_instance(sources: &[String], insensitive: bool) -> BoxedStrategy<String> {
    let options: Vec<BoxedStrategy<String>> = sources
        .iter()
        .map(|source| {
            eqlc::lucene::translate_unanchored(source, insensitive)
                .ok()
                .and_then(|body| string_regex(&body).ok())
                .map(|strategy| strategy.boxed())
                .unwrap_or_else(|| Just(source.clone()).boxed())
        })
        .collect();
    Union::new(options).boxed()
}

/// Near misses of `text`: a character dropped, added or changed, the case
/// of ASCII letters flipped (when `flip_misses`, the test being
/// case-sensitive), or a letter swapped for a Unicode look-alike.
fn misses_of(text: BoxedStrategy<String>, flip_misses: bool) -> BoxedStrategy<String> {
    let mut options = vec![
        (4, near_miss(text.clone())),
        (
            1,
            (text.clone(), any::<Index>())
                .prop_map(|(s, index)| unicode_look_alike(&s, index.index(64)).unwrap_or(s))
                .boxed(),
        ),
    ];
    if flip_misses {
        options.push((2, ascii_flip(text)));
    }
    Union::new_weighted(options).boxed()
}

fn near_miss(text: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (text, any::<Index>(), 0..5u8, select(ODD_CHARS.to_vec()))
        .prop_map(|(s, index, edit, c)| {
            let mut chars: Vec<char> = s.chars().collect();
            let at = index.index(chars.len() + 1);
            match edit {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars[at] = c,
                2 => chars.push('\n'),
                3 => chars.insert(0, ' '),
                _ => chars.insert(at, c),
            }
            chars.into_iter().collect()
        })
        .boxed()
}

/// `text` with some ASCII letters in the other case.
fn ascii_flip(text: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (text, any::<u64>(), 0..3u8)
        .prop_map(|(s, mask, mode)| match mode {
            0 => s.to_ascii_uppercase(),
            1 => swap_ascii_case(&s),
            _ => s
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if mask >> (i % 64) & 1 == 1 {
                        swap_char_case(c)
                    } else {
                        c
                    }
                })
                .collect(),
        })
        .boxed()
}

fn swap_ascii_case(s: &str) -> String {
    s.chars().map(swap_char_case).collect()
}

fn swap_char_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

/// `s` with its `nth` (modulo their count) letter that has a Unicode
/// look-alike replaced by it: `k` by KELVIN SIGN, `i` by `İ` or `ı`, `s` by
/// long `ſ`, `ss` by `ß`. Unicode folds these to ASCII; Elasticsearch's
/// ASCII folding must not.
fn unicode_look_alike(s: &str, nth: usize) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let spots: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.to_ascii_lowercase(), 'k' | 'i' | 's'))
        .map(|(i, _)| i)
        .collect();
    if spots.is_empty() {
        return None;
    }
    let at = spots[nth % spots.len()];
    let mut out: Vec<char> = chars.clone();
    match chars[at] {
        'k' | 'K' => out[at] = '\u{212A}',
        'i' => out[at] = '\u{131}',
        'I' => out[at] = '\u{130}',
        _ if chars
            .get(at + 1)
            .is_some_and(|c| c.eq_ignore_ascii_case(&'s')) =>
        {
            out.splice(at..at + 2, ['ß']);
        }
        _ => out[at] = '\u{17F}',
    }
    Some(out.into_iter().collect())
}

// ---------------------------------------------------------------------------
// Writing JSON
// ---------------------------------------------------------------------------

/// A JSON object under construction: keys may repeat, and a key that holds
/// a leaf may also hold an object, as in the documents Elasticsearch takes.
#[derive(Debug)]
enum Node {
    Leaf(String),
    Object {
        entries: Vec<(Key, Node)>,
        wrapped: bool,
    },
}

/// A key of an object, and whether it is written with `\u` escapes.
#[derive(Debug)]
struct Key {
    text: String,
    escaped: bool,
}

fn split_path(path: &str, splits: &[bool]) -> Vec<String> {
    let mut keys = Vec::new();
    let mut key = String::new();
    for (i, segment) in path.split('.').enumerate() {
        if i > 0 {
            if splits.get(i - 1).copied().unwrap_or(true) {
                keys.push(std::mem::take(&mut key));
            } else {
                key.push('.');
            }
        }
        key.push_str(segment);
    }
    keys.push(key);
    keys
}

/// Puts `json` at `keys`, reusing the objects already there (except, with
/// `layout.separate`, at the top level of the path).
fn insert(
    entries: &mut Vec<(Key, Node)>,
    keys: &[String],
    json: String,
    layout: &Layout,
    outermost: bool,
) {
    let (first, rest) = keys.split_first().expect("a path has one key at least");
    let key = Key {
        text: first.clone(),
        escaped: layout.escaped_keys,
    };
    if rest.is_empty() {
        entries.push((key, Node::Leaf(json)));
        return;
    }
    let existing = entries.iter_mut().position(|(key, node)| {
        key.text == *first && matches!(node, Node::Object { .. }) && !(outermost && layout.separate)
    });
    let index = match existing {
        Some(index) => index,
        None => {
            let object = Node::Object {
                entries: Vec::new(),
                wrapped: false,
            };
            entries.push((key, object));
            entries.len() - 1
        }
    };
    if let Node::Object {
        entries: inner,
        wrapped: inner_wrapped,
    } = &mut entries[index].1
    {
        if rest.len() == 1 {
            *inner_wrapped |= layout.wrapped;
        }
        insert(inner, rest, json, layout, false);
    }
}

fn write_object(entries: &[(Key, Node)], spaced: bool, out: &mut String) {
    let (colon, comma) = if spaced { (" :\t", " , ") } else { (":", ",") };
    out.push('{');
    for (i, (key, node)) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(comma);
        }
        if key.escaped {
            Leaf::Text {
                text: key.text.clone(),
                escaped: true,
            }
            .write_json(out);
        } else {
            out.push_str(&json_string(&key.text));
        }
        out.push_str(colon);
        match node {
            Node::Leaf(json) => out.push_str(json),
            Node::Object { entries, wrapped } => {
                if *wrapped {
                    out.push('[');
                }
                write_object(entries, spaced, out);
                if *wrapped {
                    out.push(']');
                }
            }
        }
    }
    out.push('}');
}

fn array_json(values: &[Leaf], style: u8) -> String {
    let mut out = String::from("[");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if i == 0 && style == 2 {
            out.push('[');
            value.write_json(&mut out);
            out.push(']');
        } else {
            value.write_json(&mut out);
        }
    }
    if style == 1 {
        if !values.is_empty() {
            out.push(',');
        }
        out.push_str("null");
    }
    out.push(']');
    out
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// Keys near `path` that are not it: a longer last segment, the first
/// segment capitalised, and a prefix of the path.
fn decoy_keys(path: &str) -> Vec<String> {
    let mut keys = vec![format!("{path}x")];
    let mut capitalised = path.to_owned();
    if let Some(first) = capitalised.get(..1) {
        let upper = first.to_ascii_uppercase();
        if upper != first {
            capitalised.replace_range(..1, &upper);
            keys.push(capitalised);
        }
    }
    if let Some((prefix, _)) = path.rsplit_once('.') {
        keys.push(prefix.to_owned());
    }
    keys
}

/// The value a decoder reads from a JSON number or boolean.
fn raw_value(raw: &str) -> Value<'static> {
    match raw {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => {
            if let Ok(n) = raw.parse::<i64>() {
                Value::Int(n)
            } else if let Ok(n) = raw.parse::<u64>() {
                Value::UInt(n)
            } else {
                Value::Float(raw.parse::<f64>().unwrap_or(f64::NAN))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use eql_core::json::Document;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};

    use super::*;

    /// A decoder reads back, at each field's path, exactly the values the
    /// generator put there, whatever the layout: the events say what the
    /// generator means them to say.
    #[test]
    fn events_hold_what_the_generator_put_in_them() {
        let query = r#"process where process.name : "ssh*" and process.parent.name == "bash"
            and not process.args like~ ("-L*", "?") and process.pid > 4
            and cidrMatch(source.ip, "10.0.0.0/8", "fe80::/10")
            and process.parent.args regex~ "[a-c]+.?" and length(process.title) == 3"#;
        let compiled = eqlc::compile(query, &eqlc::Options::default()).expect("compiles");
        let generator = EventGenerator::new(&compiled);
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&generator.events(), |event| {
            let line = event.to_json();
            let mut document = Document::new();
            let view = document
                .decode(line.as_bytes())
                .map_err(|error| TestCaseError::fail(format!("{error} in {line}")))?;
            for (path, value, _) in &event.fields {
                let expected: Vec<String> = match value {
                    FieldValue::Absent | FieldValue::Null | FieldValue::Object(_) => Vec::new(),
                    FieldValue::Scalar(leaf) => vec![leaf.with_value(|v| format!("{v:?}"))],
                    FieldValue::Array { values, .. } => values
                        .iter()
                        .map(|leaf| leaf.with_value(|v| format!("{v:?}")))
                        .collect(),
                };
                let found: Vec<String> = view.values(path).map(|v| format!("{v:?}")).collect();
                prop_assert_eq!(&found, &expected, "{} in {}", path, line);
            }
            Ok(())
        });
        if let Err(error) = result {
            panic!("{error}");
        }
    }

    #[test]
    fn look_alikes_are_not_ascii() {
        assert_eq!(unicode_look_alike("ssh", 0).as_deref(), Some("ßh"));
        assert_eq!(
            unicode_look_alike("Kill", 0).as_deref(),
            Some("\u{212A}ill")
        );
        assert_eq!(unicode_look_alike("Kill", 1).as_deref(), Some("K\u{131}ll"));
        assert_eq!(unicode_look_alike("bash", 0).as_deref(), Some("ba\u{17F}h"));
        assert_eq!(unicode_look_alike("xyz", 0), None);
    }

    #[test]
    fn paths_split_at_the_chosen_dots() {
        assert_eq!(split_path("a.b.c", &[true, false]), ["a", "b.c"]);
        assert_eq!(split_path("a.b.c", &[false, false]), ["a.b.c"]);
        assert_eq!(split_path("a", &[]), ["a"]);
    }
}
