//! Planning a rule pack: the index that lets one pass over an event serve
//! every rule.
//!
//! Each rule's condition is rewritten over *atoms*. An atom is one value
//! predicate on one field ("some value of `process.name` is one of
//! {`ssh`, `sshd`}"); identical atoms of different rules are one atom.
//!
//! Rules are not all evaluated: each rule gets a *key*, a set of atoms of
//! which one must hold for the rule to match (a selective conjunct, or one
//! per branch of a disjunction), and a *category*, the atom of its category
//! test. Wildcard patterns without a wildcard count as exact strings: they
//! are looked up in the exact-string tables.
//!
//! A rule may also get a *guard*, the key of another of its conjuncts,
//! which its body tests first. Key, guard and category atoms are computed
//! by passes over a field, with every exact-string atom of a field that has
//! a pass: all of them in one pass over the field's values, exact strings
//! through one hash table, wildcard patterns through one Aho-Corasick
//! automaton (whose hits are then confirmed), the rest one by one (regular
//! expressions key no rule: run on every value, they cost the passes more
//! than they saved). Per event, the category fields
//! and the key fields of the rules whose category holds are computed first;
//! only rules whose key holds are then evaluated, in file order. A
//! candidate rule reads computed atoms where its field's pass has run and
//! tests the values itself elsewhere, so an atom that keys no rule costs
//! nothing until a candidate rule needs it.

use std::collections::BTreeMap;

use eql_core::text::{self, PatternKind};

use crate::ir::{Cond, FieldId, FieldTable, Scalar, Test, ValuePred};
use crate::pack::Pack;

/// Index of an atom in [`PackPlan::atoms`].
pub type AtomId = usize;

/// A pack, planned.
#[derive(Clone, Debug)]
pub struct PackPlan {
    /// Every field any rule reads, plus the extra fields of the pack.
    pub fields: FieldTable,
    pub atoms: Vec<Atom>,
    /// Per field (by [`FieldId`]), how its key atoms are computed.
    pub field_plans: Vec<FieldPlan>,
    /// Per atom, whether the pass of its field computes it: it keys some
    /// rule or gives its category, or it is an exact-string test of a field
    /// that has a pass anyway.
    pub key_atoms: Vec<bool>,
    /// Per rule of the pack, in order.
    pub rules: Vec<PlannedRule>,
    /// Per atom, how many rules test it.
    pub sharing: Vec<usize>,
}

impl PackPlan {
    /// A rough chance that `cond` holds for an event, for ordering the
    /// conjuncts of a rule so that the likeliest to fail come first: a test
    /// of atoms as [`atom_rate`] estimates it (a tenth when it cannot, as
    /// for a regular expression or a number), its complement when negated,
    /// a half for a script expression, and the product (`and`) or the
    /// complement of the product of the complements (`or`) of the parts.
    pub fn chance(&self, cond: &PCond) -> f64 {
        match cond {
            PCond::Const(true) => 1.0,
            PCond::Const(false) => 0.0,
            PCond::And(conds) => conds.iter().map(|c| self.chance(c)).product(),
            PCond::Or(conds) => 1.0 - conds.iter().map(|c| 1.0 - self.chance(c)).product::<f64>(),
            PCond::Atoms { atoms, negated } => {
                let none: f64 = atoms
                    .iter()
                    .map(|&id| {
                        let rate = atom_rate(&self.atoms[id], &self.fields, self.sharing[id])
                            .unwrap_or(0.1);
                        1.0 - rate.min(1.0)
                    })
                    .product();
                if *negated { none } else { 1.0 - none }
            }
            PCond::Expr { .. } => 0.5,
        }
    }
}

/// "Some value of `field` satisfies `pred`".
#[derive(Clone, Debug, PartialEq)]
pub struct Atom {
    pub field: FieldId,
    pub pred: ValuePred,
}

/// A rule's condition over atoms.
#[derive(Clone, Debug, PartialEq)]
pub enum PCond {
    Const(bool),
    And(Vec<PCond>),
    Or(Vec<PCond>),
    /// Some atom of the list holds (a test with several predicates); with
    /// `negated`, none does.
    Atoms {
        atoms: Vec<AtomId>,
        negated: bool,
    },
    /// A script expression over pack fields, as in a single rule.
    Expr {
        expr: Scalar,
        negated: bool,
    },
}

#[derive(Clone, Debug)]
pub struct PlannedRule {
    pub cond: PCond,
    /// The atom of the rule's category test, if it has one.
    pub category: Option<AtomId>,
    /// Atoms of which one must hold for the rule to match; `None` when no
    /// useful key exists and the rule is always evaluated.
    pub key: Option<Vec<AtomId>>,
    /// A second key, from another conjunct: atoms of which one must hold
    /// too, tested early in the rule's body: a bit test where the field has
    /// a pass for keys (which then computes the guard's atoms too), else a
    /// test of the values. A field gets no pass for guards alone: most
    /// events have no candidate that needs it.
    pub guard: Option<Vec<AtomId>>,
}

/// How the key atoms of one field are computed from its values.
#[derive(Clone, Debug, Default)]
pub struct FieldPlan {
    /// Case-sensitive exact strings, sorted, each with the atoms it makes
    /// true.
    pub exact: Vec<(String, Vec<AtomId>)>,
    /// Lower-case exact strings for case-insensitive atoms, sorted.
    pub exact_folded: Vec<(String, Vec<AtomId>)>,
    /// Wildcard patterns with a literal to search for, per case rule.
    pub patterns: Vec<PatternPlan>,
    pub patterns_folded: Vec<PatternPlan>,
    /// Atoms tested on every value one by one (numbers, comparisons, CIDR
    /// blocks, booleans, patterns without a literal, regular expressions).
    pub direct: Vec<AtomId>,
    /// Atoms that hold when the field has any value.
    pub exists: Vec<AtomId>,
}

/// A wildcard pattern found through an automaton.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternPlan {
    /// The literal searched for (lower-case for folded patterns).
    pub needle: String,
    pub pattern: String,
    /// How a hit of the needle is confirmed.
    pub check: PatternCheck,
    pub atom: AtomId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternCheck {
    /// The needle at the start (`abc*`).
    Prefix,
    /// The needle at the end (`*abc`).
    Suffix,
    /// The needle anywhere (`*abc*`).
    Contains,
    /// The whole pattern, checked by the wildcard matcher.
    Whole,
}

/// Fields whose values are shared by most events of a platform or a source;
/// they make poor keys.
const BROAD_FIELDS: &[&str] = &[
    "event.category",
    "event.type",
    "event.action",
    "event.kind",
    "event.outcome",
    "event.module",
    "event.dataset",
    "event.provider",
    "event.code",
    "host.os.type",
    "host.os.name",
    "host.os.platform",
    "data_stream.dataset",
    "agent.type",
    "user.id",
    "user.domain",
    "process.code_signature.trusted",
    "process.code_signature.exists",
    // Most Linux processes run as root, most container processes in a
    // container.
    "process.user.id",
    "process.group.id",
    "process.parent.user.id",
    "process.parent.group.id",
    "process.entry_leader.entry_meta.type",
    "process.interactive",
];

/// Plans `pack`, reading `extra_fields` too.
pub fn plan_pack(pack: &Pack, extra_fields: &[String]) -> PackPlan {
    let mut planner = Planner::default();
    for rule in &pack.rules {
        let filter = &rule.compiled.filter;
        let remap: Vec<FieldId> = filter
            .fields
            .fields
            .iter()
            .map(|field| {
                planner
                    .fields
                    .intern(&field.path, field.optional, field.span)
            })
            .collect();
        let cond = planner.plan_cond(&filter.condition, &remap);
        let category = category_atom(&cond);
        planner.rules.push(PlannedRule {
            cond,
            category,
            key: None,
            guard: None,
        });
    }
    for path in extra_fields {
        planner
            .fields
            .intern(path, true, crate::ast::Span::default());
    }

    // Keys, chosen once every atom's sharing is known.
    let sharing = planner.sharing();
    let Planner {
        rules,
        atoms,
        fields,
        ..
    } = &mut planner;
    for rule in rules.iter_mut() {
        let mut choices = top_level_keys(&rule.cond, rule.category, atoms, fields, &sharing)
            .into_iter()
            .map(|choice| choice.atoms);
        rule.key = choices.next();
        rule.guard = choices.next();
    }

    // Fields: the key and category fields get a pass, which computes the
    // key and category atoms; the other atoms are left to the rules that
    // test them, except where a pass runs anyway. There it computes the
    // guards, and every exact-string atom of the field too: a value is
    // hashed once whatever the table holds, and the rules read a bit.
    let mut is_key = vec![false; planner.atoms.len()];
    let mut has_pass = vec![false; planner.fields.len()];
    for rule in &planner.rules {
        for &atom in rule.key.iter().flatten().chain(&rule.category) {
            is_key[atom] = true;
            has_pass[planner.atoms[atom].field.0 as usize] = true;
        }
    }
    for rule in &planner.rules {
        for &atom in rule.guard.iter().flatten() {
            is_key[atom] |= has_pass[planner.atoms[atom].field.0 as usize];
        }
    }
    for (id, atom) in planner.atoms.iter().enumerate() {
        if has_pass[atom.field.0 as usize] && is_hashed(&atom.pred) {
            is_key[id] = true;
        }
    }
    let field_plans = (0..planner.fields.len())
        .map(|index| plan_field(FieldId(index as u32), &planner.atoms, |id| is_key[id]))
        .collect();
    PackPlan {
        fields: planner.fields,
        atoms: planner.atoms,
        field_plans,
        key_atoms: is_key,
        rules: planner.rules,
        sharing,
    }
}

#[derive(Default)]
struct Planner {
    fields: FieldTable,
    atoms: Vec<Atom>,
    /// Each atom by its printed form, to find duplicates quickly.
    atom_ids: std::collections::HashMap<String, AtomId>,
    rules: Vec<PlannedRule>,
}

impl Planner {
    fn atom(&mut self, field: FieldId, pred: &ValuePred) -> AtomId {
        let atom = Atom {
            field,
            pred: pred.clone(),
        };
        let key = format!("{atom:?}");
        if let Some(&id) = self.atom_ids.get(&key) {
            return id;
        }
        self.atoms.push(atom);
        self.atom_ids.insert(key, self.atoms.len() - 1);
        self.atoms.len() - 1
    }

    fn plan_cond(&mut self, cond: &Cond, remap: &[FieldId]) -> PCond {
        match cond {
            Cond::Const(b) => PCond::Const(*b),
            Cond::And(conds) => {
                PCond::And(conds.iter().map(|c| self.plan_cond(c, remap)).collect())
            }
            Cond::Or(conds) => PCond::Or(conds.iter().map(|c| self.plan_cond(c, remap)).collect()),
            Cond::Test(Test {
                field,
                negated,
                preds,
            }) => {
                let field = remap[field.0 as usize];
                let atoms = preds.iter().map(|pred| self.atom(field, pred)).collect();
                PCond::Atoms {
                    atoms,
                    negated: *negated,
                }
            }
            Cond::Expr { expr, negated } => PCond::Expr {
                expr: remap_scalar(expr, remap),
                negated: *negated,
            },
        }
    }

    /// How many rules use each atom.
    fn sharing(&self) -> Vec<usize> {
        let mut counts = vec![0; self.atoms.len()];
        for rule in &self.rules {
            let mut seen = Vec::new();
            collect_atoms(&rule.cond, &mut seen);
            seen.sort_unstable();
            seen.dedup();
            for atom in seen {
                counts[atom] += 1;
            }
        }
        counts
    }
}

fn collect_atoms(cond: &PCond, out: &mut Vec<AtomId>) {
    match cond {
        PCond::And(conds) | PCond::Or(conds) => conds.iter().for_each(|c| collect_atoms(c, out)),
        PCond::Atoms { atoms, .. } => out.extend(atoms),
        PCond::Const(_) | PCond::Expr { .. } => {}
    }
}

/// The category atom of a rule: its first conjunct, when that is the
/// positive test the lowering puts first (`process where …`).
fn category_atom(cond: &PCond) -> Option<AtomId> {
    let first = match cond {
        PCond::And(conds) => conds.first()?,
        other => other,
    };
    match first {
        PCond::Atoms {
            atoms,
            negated: false,
        } if atoms.len() == 1 => Some(atoms[0]),
        _ => None,
    }
}

/// A key candidate: its atoms and the estimated chance that one holds for
/// an event (lower is better).
struct KeyChoice {
    atoms: Vec<AtomId>,
    rate: f64,
    /// Whether some atom tests a field whose values most events share: such
    /// a key still tells platforms apart, but makes a poor second key.
    broad: bool,
}

/// The two best keys of a rule's condition, from different conjuncts, the
/// better first: none, one or two.
fn top_level_keys(
    cond: &PCond,
    category: Option<AtomId>,
    atoms: &[Atom],
    fields: &FieldTable,
    sharing: &[usize],
) -> Vec<KeyChoice> {
    let mut choices: Vec<KeyChoice> = match cond {
        PCond::And(conds) => conds
            .iter()
            .filter_map(|c| choose_key(c, category, atoms, fields, sharing))
            .collect(),
        other => choose_key(other, category, atoms, fields, sharing)
            .into_iter()
            .collect(),
    };
    choices.sort_by(|a, b| a.broad.cmp(&b.broad).then(a.rate.total_cmp(&b.rate)));
    choices.truncate(2);
    if choices.get(1).is_some_and(|guard| guard.broad) {
        choices.truncate(1);
    }
    choices
}

/// The key of a condition, or `None` when the condition has no key.
fn choose_key(
    cond: &PCond,
    category: Option<AtomId>,
    atoms: &[Atom],
    fields: &FieldTable,
    sharing: &[usize],
) -> Option<KeyChoice> {
    match cond {
        PCond::Atoms {
            atoms: ids,
            negated: false,
        } => {
            if Some(ids[0]) == category && ids.len() == 1 {
                return None;
            }
            let mut rate = 0.0;
            let mut broad = false;
            for &id in ids {
                rate += atom_rate(&atoms[id], fields, sharing[id])?;
                broad |= is_broad(&atoms[id], fields);
            }
            Some(KeyChoice {
                atoms: ids.clone(),
                rate,
                broad,
            })
        }
        PCond::And(conds) => conds
            .iter()
            .filter_map(|c| choose_key(c, category, atoms, fields, sharing))
            .min_by(|a, b| a.broad.cmp(&b.broad).then(a.rate.total_cmp(&b.rate))),
        PCond::Or(conds) => {
            let mut all = KeyChoice {
                atoms: Vec::new(),
                rate: 0.0,
                broad: false,
            };
            for c in conds {
                let branch = choose_key(c, category, atoms, fields, sharing)?;
                all.atoms.extend(branch.atoms);
                all.rate += branch.rate;
                all.broad |= branch.broad;
            }
            all.atoms.sort_unstable();
            all.atoms.dedup();
            Some(all)
        }
        _ => None,
    }
    .filter(|choice| choice.rate < 0.5)
}

/// Whether `atom` tests a field of [`BROAD_FIELDS`].
fn is_broad(atom: &Atom, fields: &FieldTable) -> bool {
    BROAD_FIELDS.contains(&fields.get(atom.field).path.as_str())
}

/// A rough chance that an atom holds for an event, or `None` when the
/// pass of its field cannot compute it cheaply (a pattern without a literal
/// to search for, a comparison, a regular expression).
fn atom_rate(atom: &Atom, fields: &FieldTable, sharing: usize) -> Option<f64> {
    let broad = if is_broad(atom, fields) { 20.0 } else { 1.0 };
    let shared = 1.0 + (sharing as f64).ln();
    let base = match &atom.pred {
        ValuePred::Strings { values, .. } => 0.002 * values.len() as f64,
        ValuePred::Wildcards { patterns, .. } => {
            let mut rate = 0.0;
            for pattern in patterns {
                let (needle, _) = needle_of(pattern)?;
                let kind = text::classify(pattern);
                let anchored = matches!(kind, PatternKind::Prefix(_) | PatternKind::Suffix(_));
                rate += match needle.len() {
                    _ if matches!(kind, PatternKind::Exact(_)) => 0.002,
                    // A value rarely starts or ends with a given literal.
                    0..=2 if anchored => 0.05,
                    0..=2 => 0.2,
                    _ if anchored => 0.005,
                    3..=5 => 0.02,
                    _ => 0.005,
                };
            }
            rate
        }
        // A number the field's pass tests on each value.
        ValuePred::Numbers(numbers) => 0.01 * numbers.len() as f64,
        _ => return None,
    };
    Some(base * broad * shared)
}

/// The literal an automaton searches for to find `pattern`, and how a hit is
/// confirmed; `None` for a pattern without any literal.
fn needle_of(pattern: &str) -> Option<(String, PatternCheck)> {
    match text::classify(pattern) {
        PatternKind::Prefix(s) => Some((s.to_owned(), PatternCheck::Prefix)),
        PatternKind::Suffix(s) => Some((s.to_owned(), PatternCheck::Suffix)),
        PatternKind::Contains(s) => Some((s.to_owned(), PatternCheck::Contains)),
        PatternKind::Exact(s) => Some((s.to_owned(), PatternCheck::Whole)),
        PatternKind::Length { .. } => None,
        PatternKind::General => pattern
            .split(['*', '?'])
            .max_by_key(|part| part.len())
            .filter(|part| !part.is_empty())
            .map(|part| (part.to_owned(), PatternCheck::Whole)),
    }
    .filter(|(needle, _)| !needle.is_empty())
}

impl FieldPlan {
    /// Whether the plan computes no atom at all.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
            && self.exact_folded.is_empty()
            && self.patterns.is_empty()
            && self.patterns_folded.is_empty()
            && self.direct.is_empty()
            && self.exists.is_empty()
    }
}

impl PatternPlan {
    fn len(&self) -> usize {
        self.needle.len()
    }
}

/// Whether a field's pass computes `pred` through its exact-string table:
/// strings, and wildcard patterns without a wildcard.
fn is_hashed(pred: &ValuePred) -> bool {
    match pred {
        ValuePred::Strings { .. } => true,
        ValuePred::Wildcards { patterns, .. } => patterns
            .iter()
            .all(|pattern| matches!(text::classify(pattern), PatternKind::Exact(_))),
        _ => false,
    }
}

/// How the atoms of `field` that `include` accepts are computed.
fn plan_field(field: FieldId, atoms: &[Atom], include: impl Fn(AtomId) -> bool) -> FieldPlan {
    let mut exact: BTreeMap<String, Vec<AtomId>> = BTreeMap::new();
    let mut exact_folded: BTreeMap<String, Vec<AtomId>> = BTreeMap::new();
    let mut plan = FieldPlan::default();
    for (id, atom) in atoms
        .iter()
        .enumerate()
        .filter(|&(id, a)| a.field == field && include(id))
    {
        match &atom.pred {
            ValuePred::Strings {
                values,
                insensitive,
            } => {
                let table = if *insensitive {
                    &mut exact_folded
                } else {
                    &mut exact
                };
                for value in values {
                    table.entry(value.clone()).or_default().push(id);
                }
            }
            ValuePred::Wildcards {
                patterns,
                insensitive,
            } => {
                for pattern in patterns {
                    // A pattern without wildcards is an exact string (the
                    // wildcard matcher folds ASCII letters only, as the
                    // folded table does).
                    if let PatternKind::Exact(value) = text::classify(pattern) {
                        let (table, value) = if *insensitive {
                            (&mut exact_folded, value.to_ascii_lowercase())
                        } else {
                            (&mut exact, value.to_owned())
                        };
                        let atoms = table.entry(value).or_default();
                        if !atoms.contains(&id) {
                            atoms.push(id);
                        }
                        continue;
                    }
                    match needle_of(pattern) {
                        Some((needle, check)) => {
                            let planned = PatternPlan {
                                needle,
                                pattern: pattern.clone(),
                                check,
                                atom: id,
                            };
                            if *insensitive {
                                plan.patterns_folded.push(planned);
                            } else {
                                plan.patterns.push(planned);
                            }
                        }
                        None => {
                            if !plan.direct.contains(&id) {
                                plan.direct.push(id);
                            }
                        }
                    }
                }
            }
            ValuePred::Exists => plan.exists.push(id),
            ValuePred::Regex(_)
            | ValuePred::Bool(_)
            | ValuePred::Numbers(_)
            | ValuePred::Compare { .. }
            | ValuePred::Date { .. }
            | ValuePred::Version { .. }
            | ValuePred::Cidr(_) => plan.direct.push(id),
        }
    }
    plan.exact = exact.into_iter().collect();
    plan.exact_folded = exact_folded.into_iter().collect();
    // Longer needles first only matters for readability of the output.
    plan.patterns.sort_by_key(|p| std::cmp::Reverse(p.len()));
    plan.patterns_folded
        .sort_by_key(|p| std::cmp::Reverse(p.len()));
    plan
}

/// `scalar` with its field ids translated by `remap`.
fn remap_scalar(scalar: &Scalar, remap: &[FieldId]) -> Scalar {
    let recurse = |inner: &Scalar| Box::new(remap_scalar(inner, remap));
    match scalar {
        Scalar::Constant(c) => Scalar::Constant(c.clone()),
        Scalar::Field(id) => Scalar::Field(remap[id.0 as usize]),
        Scalar::Neg(inner) => Scalar::Neg(recurse(inner)),
        Scalar::Arith { op, lhs, rhs } => Scalar::Arith {
            op: *op,
            lhs: recurse(lhs),
            rhs: recurse(rhs),
        },
        Scalar::Compare { op, lhs, rhs } => Scalar::Compare {
            op: *op,
            lhs: recurse(lhs),
            rhs: recurse(rhs),
        },
        Scalar::IsNull(inner) => Scalar::IsNull(recurse(inner)),
        Scalar::Not(inner) => Scalar::Not(recurse(inner)),
        Scalar::And(lhs, rhs) => Scalar::And(recurse(lhs), recurse(rhs)),
        Scalar::Or(lhs, rhs) => Scalar::Or(recurse(lhs), recurse(rhs)),
        Scalar::Match { value, preds } => Scalar::Match {
            value: recurse(value),
            preds: preds.clone(),
        },
        Scalar::Call {
            function,
            insensitive,
            args,
        } => Scalar::Call {
            function: *function,
            insensitive: *insensitive,
            args: args.iter().map(|arg| remap_scalar(arg, remap)).collect(),
        },
    }
}

impl PackPlan {
    /// The key fields (not guards) of the rules of each category: computed
    /// for an event once the category atom holds (the group without a
    /// category atom: for every event). Sorted by category atom, `None`
    /// first.
    pub fn key_field_groups(&self) -> Vec<(Option<AtomId>, Vec<FieldId>)> {
        let mut groups: BTreeMap<Option<AtomId>, Vec<FieldId>> = BTreeMap::new();
        for rule in &self.rules {
            let fields = groups.entry(rule.category).or_default();
            for &atom in rule.key.iter().flatten() {
                fields.push(self.atoms[atom].field);
            }
        }
        groups
            .into_iter()
            .map(|(category, mut fields)| {
                fields.sort_unstable();
                fields.dedup();
                (category, fields)
            })
            .collect()
    }

    /// The fields whose atoms key some rule or give its category: the
    /// fields with a pass.
    pub fn key_fields(&self) -> Vec<FieldId> {
        let mut fields: Vec<FieldId> = self
            .rules
            .iter()
            .flat_map(|rule| rule.key.iter().flatten().chain(&rule.category))
            .map(|&atom| self.atoms[atom].field)
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// A short account of the plan, for `eqlc explain` on packs and tests.
    pub fn summary(&self) -> String {
        let keyed = self.rules.iter().filter(|r| r.key.is_some()).count();
        let categorised = self.rules.iter().filter(|r| r.category.is_some()).count();
        let patterns: usize = self
            .field_plans
            .iter()
            .map(|p| p.patterns.len() + p.patterns_folded.len())
            .sum();
        format!(
            "{} rules over {} fields: {} distinct atoms ({} wildcard patterns in automata), \
             {} rules keyed, {} dispatched on their category, {} key fields",
            self.rules.len(),
            self.fields.len(),
            self.atoms.len(),
            patterns,
            keyed,
            categorised,
            self.key_fields().len()
        )
    }
}

#[cfg(test)]
mod tests;
