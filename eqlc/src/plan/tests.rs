use std::path::PathBuf;

use super::*;
use crate::pack::PackRule;
use crate::rule_file::RuleFile;

/// A pack of `queries`, planned.
fn plan(queries: &[&str]) -> PackPlan {
    let rules = queries
        .iter()
        .enumerate()
        .map(|(index, query)| {
            let compiled = match crate::compile(query, &crate::Options::default()) {
                Ok(compiled) => compiled,
                Err(errors) => panic!("{query}: {errors:?}"),
            };
            PackRule {
                path: PathBuf::from(format!("rule-{index}.toml")),
                rule: RuleFile {
                    rule_id: index.to_string(),
                    name: format!("rule {index}"),
                    description: String::new(),
                    severity: "low".into(),
                    risk_score: 21,
                    language: "eql".into(),
                    query: (*query).to_owned(),
                    index: Vec::new(),
                    event_category_override: None,
                    tactics: Vec::new(),
                    techniques: Vec::new(),
                    query_offset: None,
                },
                compiled,
            }
        })
        .collect();
    plan_pack(
        &Pack {
            rules,
            skipped: Vec::new(),
        },
        &[],
    )
}

/// The atoms of a key, as `path pred` lines, sorted.
fn describe(plan: &PackPlan, atoms: Option<&Vec<AtomId>>) -> Vec<String> {
    let mut lines: Vec<String> = atoms
        .into_iter()
        .flatten()
        .map(|&id| {
            let atom = &plan.atoms[id];
            let pred = match &atom.pred {
                ValuePred::Strings { values, .. } => format!("in {values:?}"),
                ValuePred::Wildcards { patterns, .. } => format!("like {patterns:?}"),
                ValuePred::Numbers(_) => "number".to_owned(),
                ValuePred::Regex(set) => format!("regex {:?}", set.sources),
                other => format!("{other:?}"),
            };
            format!("{} {pred}", plan.fields.get(atom.field).path)
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn the_two_most_selective_conjuncts_are_the_key_and_the_guard() {
    let plan = plan(&[
        r#"process where event.action == "exec" and process.args : "*LISTEN*" and process.name == "socat""#,
    ]);
    let rule = &plan.rules[0];
    assert_eq!(
        describe(&plan, rule.key.as_ref()),
        ["process.name in [\"socat\"]"]
    );
    assert_eq!(
        describe(&plan, rule.guard.as_ref()),
        ["process.args like [\"*listen*\"]"]
    );
    // A pass computes the key; no field gets a pass for a guard alone, so
    // the rule tests the guard on the values.
    let fields = |plan: &PackPlan| -> Vec<String> {
        plan.key_fields()
            .into_iter()
            .map(|field| plan.fields.get(field).path.clone())
            .collect()
    };
    assert_eq!(fields(&plan), ["event.category", "process.name"]);
    let (key, guard) = (
        rule.key.as_ref().expect("a key")[0],
        rule.guard.as_ref().expect("a guard")[0],
    );
    assert!(plan.key_atoms[key]);
    assert!(!plan.key_atoms[guard]);

    // Once another rule's key gives `process.args` a pass, that pass
    // computes the guard too.
    let plan = self::plan(&[
        r#"process where event.action == "exec" and process.args : "*LISTEN*" and process.name == "socat""#,
        r#"process where process.args : "*connect*""#,
    ]);
    assert_eq!(
        fields(&plan),
        ["event.category", "process.args", "process.name"]
    );
    let rule = &plan.rules[0];
    for &atom in rule.key.iter().chain(&rule.guard).flatten() {
        assert!(plan.key_atoms[atom]);
    }
}

#[test]
fn a_broad_field_is_a_key_only_when_nothing_else_is() {
    let plan = plan(&[
        r#"process where event.action == "exec" and process.name == "socat""#,
        r#"process where event.action == "exec" and process.user.id == "0" and process.args_count > 3"#,
    ]);
    assert_eq!(
        describe(&plan, plan.rules[0].key.as_ref()),
        ["process.name in [\"socat\"]"]
    );
    assert_eq!(plan.rules[0].guard, None);
    // Both keys of the second rule test broad fields: the better one keys
    // it, and no guard is kept.
    assert_eq!(plan.rules[1].key.as_ref().map(Vec::len), Some(1));
    assert_eq!(plan.rules[1].guard, None);
}

#[test]
fn numbers_can_key_a_rule_and_regular_expressions_cannot() {
    let plan = plan(&[
        r#"process where process.name == "gost" or process.args regex """[0-9]+:[0-9]+""""#,
        r#"process where (problemchild.prediction == 1 and problemchild.prediction_probability > 0.98) or blocklist_label == 1"#,
    ]);
    // A regular expression run on every value of a field cost more in the
    // passes than it saved in candidates (callgrind on the bench stream):
    // a disjunction with one has no key, and the rule is always evaluated.
    assert_eq!(plan.rules[0].key, None);
    assert_eq!(
        describe(&plan, plan.rules[1].key.as_ref()),
        ["blocklist_label number", "problemchild.prediction number"]
    );
}

#[test]
fn a_branch_without_a_key_leaves_a_disjunction_unkeyed() {
    // `?*` has no literal for the automaton to find.
    let plan = plan(&[
        r#"process where event.type == "start" and (process.name == "gost" or container.id like "?*")"#,
    ]);
    let rule = &plan.rules[0];
    assert_eq!(
        describe(&plan, rule.key.as_ref()),
        ["event.type in [\"start\"]"]
    );
    assert_eq!(rule.guard, None);
}
