//! Optimisation passes over the predicate IR. Each pass is one function that
//! takes a condition and returns an equivalent one; [`optimise`] runs them in
//! order.
//!
//! 1. [`merge_tests`]: tests of one field joined by `or` become one test
//!    whose predicates are tried on each value in turn (`any(P) or any(Q)` is
//!    `any(P or Q)`); negated tests of one field joined by `and` likewise
//!    (`none(P) and none(Q)` is `none(P or Q)`). Positive tests joined by
//!    `and` are left alone: `args == "-s" and args == "-d"` asks for two
//!    different values.
//! 2. [`merge_preds`]: inside a test, string sets with the same case rule
//!    become one set, and wildcard lists one list.
//! 3. [`order_by_cost`]: operands of `and`/`or` sorted so that cheap tests run
//!    first (equality before wildcards before regular expressions), keeping
//!    the written order among equals.

use crate::ir::{Cond, Test, ValuePred};

/// Runs every pass.
pub fn optimise(cond: Cond) -> Cond {
    let cond = merge_tests(cond);
    let cond = merge_preds(cond);
    order_by_cost(cond)
}

/// Pass 1; see the module documentation.
pub fn merge_tests(cond: Cond) -> Cond {
    match cond {
        Cond::Or(conds) => {
            let conds = conds.into_iter().map(merge_tests).collect();
            Cond::or(merge_siblings(conds, false))
        }
        Cond::And(conds) => {
            let conds = conds.into_iter().map(merge_tests).collect();
            Cond::and(merge_siblings(conds, true))
        }
        other => other,
    }
}

/// Folds each test into the first earlier sibling test of the same field
/// whose `negated` flag equals `negated`.
fn merge_siblings(conds: Vec<Cond>, negated: bool) -> Vec<Cond> {
    let mut out: Vec<Cond> = Vec::with_capacity(conds.len());
    for cond in conds {
        if let Cond::Test(test) = &cond {
            if test.negated == negated {
                let target = out.iter_mut().find_map(|earlier| match earlier {
                    Cond::Test(earlier)
                        if earlier.field == test.field && earlier.negated == negated =>
                    {
                        Some(earlier)
                    }
                    _ => None,
                });
                if let Some(target) = target {
                    if let Cond::Test(test) = cond {
                        target.preds.extend(test.preds);
                    }
                    continue;
                }
            }
        }
        out.push(cond);
    }
    out
}

/// Pass 2; see the module documentation.
pub fn merge_preds(cond: Cond) -> Cond {
    map_tests(cond, &mut |mut test| {
        let mut preds: Vec<ValuePred> = Vec::with_capacity(test.preds.len());
        for pred in test.preds {
            let merged = preds.iter_mut().any(|earlier| match (earlier, &pred) {
                (
                    ValuePred::Strings {
                        values,
                        insensitive,
                    },
                    ValuePred::Strings {
                        values: more,
                        insensitive: same,
                    },
                ) if insensitive == same => {
                    values.extend(more.iter().cloned());
                    values.sort();
                    values.dedup();
                    true
                }
                (
                    ValuePred::Wildcards {
                        patterns,
                        insensitive,
                    },
                    ValuePred::Wildcards {
                        patterns: more,
                        insensitive: same,
                    },
                ) if insensitive == same => {
                    patterns.extend(more.iter().cloned());
                    patterns.sort();
                    patterns.dedup();
                    true
                }
                (ValuePred::Numbers(numbers), ValuePred::Numbers(more)) => {
                    numbers.extend(more.iter().copied());
                    true
                }
                (earlier, pred) => *earlier == *pred,
            });
            if !merged {
                preds.push(pred);
            }
        }
        preds.sort_by_key(pred_cost);
        test.preds = preds;
        test
    })
}

/// Pass 3; see the module documentation.
pub fn order_by_cost(cond: Cond) -> Cond {
    match cond {
        Cond::And(conds) => {
            let mut conds: Vec<Cond> = conds.into_iter().map(order_by_cost).collect();
            conds.sort_by_key(cond_cost);
            Cond::And(conds)
        }
        Cond::Or(conds) => {
            let mut conds: Vec<Cond> = conds.into_iter().map(order_by_cost).collect();
            conds.sort_by_key(cond_cost);
            Cond::Or(conds)
        }
        other => other,
    }
}

fn map_tests(cond: Cond, f: &mut dyn FnMut(Test) -> Test) -> Cond {
    match cond {
        Cond::Test(test) => Cond::Test(f(test)),
        Cond::And(conds) => Cond::And(conds.into_iter().map(|c| map_tests(c, f)).collect()),
        Cond::Or(conds) => Cond::Or(conds.into_iter().map(|c| map_tests(c, f)).collect()),
        other => other,
    }
}

/// A rough cost of evaluating a condition, in arbitrary units.
pub fn cond_cost(cond: &Cond) -> u32 {
    match cond {
        Cond::Const(_) => 0,
        Cond::Test(test) => test.preds.iter().map(pred_cost).sum::<u32>().max(1),
        Cond::And(conds) | Cond::Or(conds) => conds.iter().map(cond_cost).sum(),
        Cond::Expr { .. } => 200,
    }
}

/// A rough cost of one predicate on one value.
pub fn pred_cost(pred: &ValuePred) -> u32 {
    match pred {
        ValuePred::Exists | ValuePred::Bool(_) => 1,
        ValuePred::Numbers(_) | ValuePred::Compare { .. } => 2,
        ValuePred::Cidr(blocks) => 6 + (blocks.len() as u32).min(64),
        ValuePred::Date { .. } | ValuePred::Version { .. } => 6,
        ValuePred::Strings {
            values,
            insensitive,
        } => 3 + u32::from(*insensitive) + (values.len() as u32).min(64) / 16,
        ValuePred::Wildcards { patterns, .. } => 8 + 4 * (patterns.len() as u32).min(100),
        ValuePred::Regex(_) => 400,
    }
}
