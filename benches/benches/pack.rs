//! Rule packs on pre-decoded events: packs of 1, 10, 100 and all
//! single-event rules of the corpus (see `build.rs` for how the smaller
//! packs are chosen), each over its own `Record` per event, decoded before
//! timing. One iteration runs `for_each_match` on every event of a set.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eqlc_bench::data::{EventSet, decode_each, event_sets, records};
use eqlc_bench::{CorpusPack, Pack1, Pack10, Pack100, corpus_found, facts};

/// Benches one pack type over one event set.
macro_rules! bench_pack {
    ($group:expr, $set:expr, $pack:ty, $id:expr) => {{
        let set: &EventSet = $set;
        let mut records = records::<$pack>(set);
        let views = decode_each(&mut records, set);
        let mut alerts = 0usize;
        let mut alerted = 0usize;
        for view in &views {
            let before = alerts;
            <$pack>::for_each_match(view, |_| alerts += 1);
            alerted += usize::from(alerts > before);
        }
        facts::record(
            &format!("pack_{}_{}", set.name, $id),
            serde_json::json!({
                "rules": <$pack>::RULES.len(),
                "paths": <$pack>::PATHS.len(),
                "events": views.len(),
                "alerts": alerts,
                "events_alerted": alerted,
            }),
        );
        $group.bench_with_input(BenchmarkId::from_parameter($id), &views, |b, views| {
            b.iter(|| {
                let mut alerts = 0usize;
                for view in views {
                    <$pack>::for_each_match(black_box(view), |_| alerts += 1);
                }
                alerts
            })
        });
    }};
}

fn packs(c: &mut Criterion) {
    if !corpus_found() {
        eprintln!("pack: skipped, the shared rule corpus was not found when the packs were built");
        return;
    }
    for set in event_sets() {
        let mut group = c.benchmark_group(format!("pack/{}", set.name));
        group.throughput(Throughput::Elements(set.lines.len() as u64));
        bench_pack!(group, &set, Pack1, "1");
        bench_pack!(group, &set, Pack10, "10");
        bench_pack!(group, &set, Pack100, "100");
        bench_pack!(group, &set, CorpusPack, "all");
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = packs
}
criterion_main!(benches);
