//! End to end on NDJSON text: split the text into lines and decode each
//! into the fields the full pack reads, with and without matching the pack;
//! and the same for the seed rule alone. One iteration reads the whole text
//! of a set.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eql_core::json::Record;
use eqlc_bench::data::event_sets;
use eqlc_bench::{CorpusPack, SeedRule, corpus_found};

/// The non-empty lines of an NDJSON text.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
}

fn ndjson(c: &mut Criterion) {
    for set in event_sets() {
        let text = set.ndjson();
        let text = text.as_bytes();
        let mut group = c.benchmark_group(format!("ndjson/{}", set.name));
        group.throughput(Throughput::Bytes(text.len() as u64));

        if corpus_found() {
            let mut record = Record::<CorpusPack>::new();
            group.bench_function("decode", |b| {
                b.iter(|| {
                    let mut decoded = 0usize;
                    for line in lines(black_box(text)) {
                        if let Ok(view) = record.decode(line) {
                            black_box(&view);
                            decoded += 1;
                        }
                    }
                    decoded
                })
            });
            group.bench_function("decode_match", |b| {
                b.iter(|| {
                    let mut alerts = 0usize;
                    for line in lines(black_box(text)) {
                        if let Ok(view) = record.decode(line) {
                            CorpusPack::for_each_match(&view, |_| alerts += 1);
                        }
                    }
                    alerts
                })
            });
        } else {
            eprintln!("ndjson: full pack skipped, the shared rule corpus was not found");
        }

        let mut record = Record::<SeedRule>::new();
        group.bench_function("seed_decode", |b| {
            b.iter(|| {
                let mut decoded = 0usize;
                for line in lines(black_box(text)) {
                    if let Ok(view) = record.decode(line) {
                        black_box(&view);
                        decoded += 1;
                    }
                }
                decoded
            })
        });
        group.bench_function("seed_decode_match", |b| {
            b.iter(|| {
                let mut matches = 0usize;
                for line in lines(black_box(text)) {
                    if let Ok(view) = record.decode(line) {
                        matches += usize::from(SeedRule::matches(&view));
                    }
                }
                matches
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = ndjson
}
criterion_main!(benches);
