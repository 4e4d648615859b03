//! The seed rule on typed events (`#[derive(Event)]` structs built before
//! timing): the code `eql_rule!` generates, the same rule written by hand,
//! and `eqlc`'s reference interpreter, over the shipped samples and the
//! generated stream. One iteration matches every event of a set once.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eqlc::interpret::Typed;
use eqlc_bench::data::{event_sets, typed};
use eqlc_bench::{SeedRule, facts, handwritten, seed_interpreter};

fn seed_rule(c: &mut Criterion) {
    let interpreter = seed_interpreter();
    for set in event_sets() {
        let events = typed(&set);
        let matches = events.iter().filter(|e| SeedRule::matches(*e)).count();
        facts::record(
            &format!("seed_{}", set.name),
            serde_json::json!({"events": events.len(), "matches": matches, "bytes": set.bytes()}),
        );

        let mut group = c.benchmark_group(format!("seed_rule/{}", set.name));
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function("generated", |b| {
            b.iter(|| {
                events
                    .iter()
                    .filter(|event| SeedRule::matches(black_box(*event)))
                    .count()
            })
        });
        group.bench_function("handwritten", |b| {
            b.iter(|| {
                events
                    .iter()
                    .filter(|event| handwritten::matches(black_box(*event)))
                    .count()
            })
        });
        group.bench_function("interpreter", |b| {
            b.iter(|| {
                events
                    .iter()
                    .filter(|event| interpreter.matches(&Typed(black_box(*event))))
                    .count()
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = seed_rule
}
criterion_main!(benches);
