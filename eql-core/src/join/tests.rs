use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::*;

fn tuples(keys: &EventKeys, stage: usize) -> Vec<String> {
    keys.tuples(stage)
        .map(|key| {
            key.as_ref()
                .values()
                .map(|value| value.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

fn hash(key: KeyRef<'_>) -> u64 {
    let mut hasher = DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

#[test]
fn multi_valued_keys_give_the_cartesian_product_of_distinct_values() {
    let mut keys = EventKeys::new(2, 2);
    keys.clear();
    let mut stage = keys.stage(0);
    stage.key(false, |push| {
        push(Value::Str("a"));
        push(Value::Str("b"));
        push(Value::Str("a"));
    });
    stage.key(false, |push| {
        push(Value::Int(1));
        push(Value::Float(2.0));
        push(Value::UInt(1));
    });
    assert_eq!(tuples(&keys, 0), ["a|1", "a|2", "b|1", "b|2"]);
    assert_eq!(keys.tuple_count(1), 0, "stage 1 not matched");
}

#[test]
fn null_keys_drop_the_stage_unless_optional() {
    let mut keys = EventKeys::new(2, 2);
    keys.clear();
    let mut stage = keys.stage(0);
    stage.key(false, |push| push(Value::Str("x")));
    stage.key(false, |_| {});
    let mut stage = keys.stage(1);
    stage.key(false, |push| push(Value::Str("x")));
    stage.key(true, |_| {});
    assert!(keys.matched(0));
    assert_eq!(tuples(&keys, 0), Vec::<String>::new());
    assert_eq!(tuples(&keys, 1), ["x|null"]);
    // The next event starts afresh.
    keys.clear();
    assert!(!keys.matched(1));
}

#[test]
fn keys_compare_by_type_and_value() {
    let mut keys = EventKeys::new(4, 1);
    keys.clear();
    let values = [
        Value::Str("1"),
        Value::Int(1),
        Value::Float(1.0),
        Value::Float(1.5),
    ];
    for (stage, value) in values.into_iter().enumerate() {
        keys.stage(stage).key(false, |push| push(value));
    }
    let (mut a, mut b, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let string = keys.tuple_in(0, 0, &mut a);
    let int = keys.tuple_in(1, 0, &mut b);
    let float = keys.tuple_in(2, 0, &mut c);
    let fraction = keys.tuple_in(3, 0, &mut d);
    assert_ne!(string, int);
    assert_eq!(int, float);
    assert_eq!(hash(int), hash(float));
    assert_eq!(hash(int.to_key().as_ref()), hash(int));
    assert_ne!(int, fraction);
    assert_eq!(int.compare(&fraction), Ordering::Less);
    assert_eq!(
        fraction.compare(&string),
        Ordering::Less,
        "numbers before strings"
    );
}

#[test]
fn key_order_is_null_first_then_bytes() {
    let mut keys = EventKeys::new(3, 1);
    keys.clear();
    keys.stage(0).key(true, |_| {});
    keys.stage(1).key(false, |push| push(Value::Str("GTA")));
    keys.stage(2).key(false, |push| push(Value::Str("doom")));
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    let null = keys.tuple_in(0, 0, &mut a);
    let upper = keys.tuple_in(1, 0, &mut b);
    let lower = keys.tuple_in(2, 0, &mut c);
    assert_eq!(null.compare(&upper), Ordering::Less);
    assert_eq!(upper.compare(&lower), Ordering::Less);
}

#[test]
fn ordinals_sort_by_timestamp_then_tiebreaker_missing_last() {
    let at = |timestamp, tiebreaker| Ordinal {
        timestamp,
        tiebreaker,
    };
    let one = Tiebreaker::Number(Number::Int(1));
    let two = Tiebreaker::Number(Number::Int(2));
    assert_eq!(at(1, two).compare(&at(2, one)), Ordering::Less);
    assert_eq!(at(1, one).compare(&at(1, two)), Ordering::Less);
    assert_eq!(
        at(1, two).compare(&at(1, Tiebreaker::Missing)),
        Ordering::Less
    );

    let mut watermark = Watermark::default();
    assert!(watermark.admit(&at(5, two)));
    assert!(watermark.admit(&at(5, two)), "equal is not late");
    assert!(!watermark.admit(&at(5, one)));
    assert!(!watermark.admit(&at(4, Tiebreaker::Missing)));
    assert!(watermark.admit(&at(5, Tiebreaker::Str("a"))));
    assert!(!watermark.admit(&at(5, two)));
}

#[test]
fn timestamps_in_the_forms_of_the_default_date_format() {
    let nanos = |value| timestamp_nanos(value);
    assert_eq!(
        nanos(Value::Int(1_516_116_808_349)),
        Some(1_516_116_808_349_000_000)
    );
    assert_eq!(nanos(Value::Str("100")), Some(100_000_000));
    assert_eq!(
        nanos(Value::Str("131485996510.294365")),
        Some(131_485_996_510_294_365)
    );
    assert_eq!(nanos(Value::Str("1970-01-01T00:00:00Z")), Some(0));
    assert_eq!(
        nanos(Value::Str("2022-05-04T12:00:00.000Z")),
        Some(1_651_665_600_000_000_000)
    );
    assert_eq!(
        nanos(Value::Str("2022-05-04T14:00:00.5+02:00")),
        Some(1_651_665_600_500_000_000)
    );
    assert_eq!(
        nanos(Value::Str("2000-02-29")),
        Some(951_782_400_000_000_000)
    );
    assert_eq!(nanos(Value::Str("2001-02-29")), None);
    assert_eq!(nanos(Value::Str("yesterday")), None);
    assert_eq!(nanos(Value::Bool(true)), None);
    assert_eq!(nanos(Value::Int(i64::MAX)), None, "out of range");
}
