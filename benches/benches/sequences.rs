//! Sequences: events per second and state size for a sequence rule over a
//! stream with many keys.
//!
//! The rule is the team's `rules/container_tunnel_then_connection.toml`: a
//! tunnelling tool starts in a container, then the same process connects out
//! within a minute, joined by `container.id` and `process.entity_id`. The
//! stream (`stream`, built before timing) holds 200 000 typed events, one
//! millisecond apart, over 50 000 keys: for each key a process start, which
//! is a tunnelling tool for three keys in four, and a connection for half of
//! the keys, from 1 to 90 seconds later (so some come after `maxspan`), some
//! of them to the loopback; the rest are other process starts and
//! connections of processes that never started a tool. One iteration feeds
//! every event to a fresh engine and ends the stream: the generated type of
//! `eql_rule!` against the interpreter over the same engine.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eql_runtime::{Event, eql_rule};
use eqlc::CompiledQuery;
use eqlc::interpret::Typed;
use eqlc::sequence::interpret::SequenceInterpreter;
use eqlc_bench::facts;

eql_rule! {
    /// The team's sequence rule, as `generated-demo` bakes it.
    #[eql(file = "../rules/container_tunnel_then_connection.toml")]
    pub TunnelThenConnect;
}

const EVENTS: usize = 200_000;
const KEYS: u64 = 50_000;

#[derive(Event, Debug)]
struct Category<'a> {
    category: &'a str,
    #[eql(rename = "type")]
    kind: Option<&'a str>,
    action: &'a str,
}

#[derive(Event, Debug)]
struct Process<'a> {
    name: &'a str,
    entity_id: &'a str,
}

#[derive(Event, Debug)]
struct Container<'a> {
    id: &'a str,
}

#[derive(Event, Debug)]
struct Destination<'a> {
    ip: Option<&'a str>,
}

#[derive(Event, Debug)]
struct StreamEvent<'a> {
    #[eql(rename = "@timestamp")]
    timestamp: &'a str,
    event: Category<'a>,
    process: Process<'a>,
    container: Container<'a>,
    destination: Destination<'a>,
}

/// The text of one event, owned, from which [`StreamEvent`]s borrow.
struct Owned {
    timestamp: String,
    network: bool,
    name: &'static str,
    entity: String,
    container: String,
    ip: &'static str,
}

impl Owned {
    fn view(&self) -> StreamEvent<'_> {
        StreamEvent {
            timestamp: &self.timestamp,
            event: Category {
                category: if self.network { "network" } else { "process" },
                kind: (!self.network).then_some("start"),
                action: if self.network {
                    "connection_attempted"
                } else {
                    "exec"
                },
            },
            process: Process {
                name: self.name,
                entity_id: &self.entity,
            },
            container: Container {
                id: &self.container,
            },
            destination: Destination {
                ip: self.network.then_some(self.ip),
            },
        }
    }
}

/// A small deterministic generator (SplitMix64), so that runs repeat.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Milliseconds since the stream's start as an ISO-8601 timestamp.
fn timestamp(millis: u64) -> String {
    let seconds = millis / 1000;
    format!(
        "2026-03-04T{:02}:{:02}:{:02}.{:03}Z",
        9 + seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60,
        millis % 1000
    )
}

/// The stream, in timestamp order: `(time, event)` pairs sorted by time.
fn stream() -> Vec<Owned> {
    const TOOLS: [&str; 4] = ["chisel", "gost", "socat", "frpc"];
    let mut random = Random(0x0005_e90e_4ce5);
    let mut planned: Vec<(u64, Owned)> = Vec::with_capacity(EVENTS);
    let span = EVENTS as u64; // one millisecond per event on average
    for key in 0..KEYS {
        let start = random.below(span);
        let container = format!("{:064x}", key % 5_000);
        let entity = format!("entity-{key}");
        let tool = random.below(4) != 0;
        planned.push((
            start,
            Owned {
                timestamp: String::new(),
                network: false,
                name: if tool {
                    TOOLS[random.below(4) as usize]
                } else {
                    "curl"
                },
                entity: entity.clone(),
                container: container.clone(),
                ip: "",
            },
        ));
        if random.below(2) == 0 {
            let later = start + 1_000 + random.below(89_000);
            planned.push((
                later,
                Owned {
                    timestamp: String::new(),
                    network: true,
                    name: "x",
                    entity,
                    container,
                    ip: if random.below(5) == 0 {
                        "127.0.0.1"
                    } else {
                        "203.0.113.9"
                    },
                },
            ));
        }
    }
    // Connections of processes that never started anything.
    while planned.len() < EVENTS {
        let at = random.below(span);
        let key = KEYS + planned.len() as u64;
        planned.push((
            at,
            Owned {
                timestamp: String::new(),
                network: true,
                name: "nginx",
                entity: format!("entity-{key}"),
                container: format!("{:064x}", key % 5_000),
                ip: "198.51.100.3",
            },
        ));
    }
    planned.sort_by_key(|(at, _)| *at);
    planned
        .into_iter()
        .map(|(at, mut event)| {
            event.timestamp = timestamp(at);
            event
        })
        .collect()
}

fn interpreter() -> SequenceInterpreter<usize> {
    let options = eqlc::pack::rule_options(
        &eqlc::rule_file::parse_rule_file(include_str!(
            "../../rules/container_tunnel_then_connection.toml"
        ))
        .expect("the rule file parses"),
    );
    match eqlc::compile_query(TunnelThenConnect::META.query, &options) {
        Ok(CompiledQuery::Sequence(sequence)) => {
            SequenceInterpreter::new(&sequence.plan).expect("regexes build")
        }
        _ => panic!("the rule is a sequence that compiles"),
    }
}

fn sequences(c: &mut Criterion) {
    let owned = stream();
    let events: Vec<StreamEvent<'_>> = owned.iter().map(Owned::view).collect();

    // What one pass finds, and how large the state grows.
    let mut rule = TunnelThenConnect::<usize>::new();
    let mut results = 0usize;
    let mut peak_keys = 0usize;
    for (index, event) in events.iter().enumerate() {
        rule.push(event, index, |_| results += 1)
            .expect("the stream is in order");
        peak_keys = peak_keys.max(rule.open_keys());
    }
    rule.finish(|_| results += 1);
    let stats = rule.stats();
    let mut interpreted = 0usize;
    let mut check = interpreter();
    for (index, event) in events.iter().enumerate() {
        let _ = check.push(&Typed(event), index, |_| interpreted += 1);
    }
    check.finish(|_| interpreted += 1);
    assert_eq!(results, interpreted, "generated code and interpreter agree");
    facts::record(
        "sequences_stream",
        serde_json::json!({
            "events": events.len(),
            "keys": KEYS,
            "results": results,
            "peak_open_keys": peak_keys,
            "expired_keys": stats.expired_keys,
            "evicted_keys": stats.evicted_keys,
            "key_limit": eql_runtime::sequence::Limits::default().max_keys,
        }),
    );

    let mut group = c.benchmark_group("sequences/stream");
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("generated", |b| {
        b.iter(|| {
            let mut rule = TunnelThenConnect::<usize>::new();
            let mut found = 0usize;
            for (index, event) in events.iter().enumerate() {
                let _ = rule.push(black_box(event), index, |_| found += 1);
            }
            rule.finish(|_| found += 1);
            found
        })
    });
    group.bench_function("interpreter", |b| {
        b.iter(|| {
            let mut rule = interpreter();
            let mut found = 0usize;
            for (index, event) in events.iter().enumerate() {
                let _ = rule.push(&Typed(black_box(event)), index, |_| found += 1);
            }
            rule.finish(|_| found += 1);
            found
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = sequences
}
criterion_main!(benches);
