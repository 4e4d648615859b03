//! Runs one engine over one event set many times, for a profiler:
//!
//! ```sh
//! cargo build --release -p eqlc-bench --example profile
//! valgrind --tool=callgrind --toggle-collect='profile::run*' \
//!     target/release/examples/profile pack-all stream 20
//! callgrind_annotate --inclusive=yes callgrind.out.*
//! ```
//!
//! Engines: `generated`, `handwritten`, `interpreter` (the seed rule on typed
//! events), `pack-1`, `pack-10`, `pack-100`, `pack-all` (pre-decoded), and
//! `decode`, `decode-match` (NDJSON with the full pack). Each `run_*`
//! function is never inlined, so a profiler can count it alone.

use std::hint::black_box;

use eql_core::json::{Record, RecordView};
use eqlc::interpret::Typed;
use eqlc_bench::data::{EventSet, decode_each, records, samples, stream, typed};
use eqlc_bench::events::ProcessEvent;
use eqlc_bench::{CorpusPack, Pack1, Pack10, Pack100, SeedRule, handwritten, seed_interpreter};

#[inline(never)]
fn run_generated(events: &[ProcessEvent]) -> usize {
    events
        .iter()
        .filter(|e| SeedRule::matches(black_box(*e)))
        .count()
}

#[inline(never)]
fn run_handwritten(events: &[ProcessEvent]) -> usize {
    events
        .iter()
        .filter(|e| handwritten::matches(black_box(*e)))
        .count()
}

#[inline(never)]
fn run_interpreter(interpreter: &eqlc::interpret::Interpreter, events: &[ProcessEvent]) -> usize {
    events
        .iter()
        .filter(|e| interpreter.matches(&Typed(black_box(*e))))
        .count()
}

macro_rules! run_pack {
    ($name:ident, $pack:ty) => {
        #[inline(never)]
        fn $name(views: &[RecordView<'_, $pack>]) -> usize {
            let mut alerts = 0;
            for view in views {
                <$pack>::for_each_match(black_box(view), |_| alerts += 1);
            }
            alerts
        }
    };
}

run_pack!(run_pack_1, Pack1);
run_pack!(run_pack_10, Pack10);
run_pack!(run_pack_100, Pack100);
run_pack!(run_pack_all, CorpusPack);

#[inline(never)]
fn run_decode(record: &mut Record<CorpusPack>, set: &EventSet) -> usize {
    set.lines
        .iter()
        .filter(|line| record.decode(black_box(line.as_bytes())).is_ok())
        .count()
}

#[inline(never)]
fn run_decode_match(record: &mut Record<CorpusPack>, set: &EventSet) -> usize {
    let mut alerts = 0;
    for line in &set.lines {
        if let Ok(view) = record.decode(black_box(line.as_bytes())) {
            CorpusPack::for_each_match(&view, |_| alerts += 1);
        }
    }
    alerts
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (engine, set, times) = match &args[..] {
        [engine, set, times] => (engine.as_str(), set.as_str(), times.parse().unwrap_or(10)),
        _ => {
            eprintln!("usage: profile ENGINE samples|stream TIMES");
            std::process::exit(2);
        }
    };
    let set = if set == "samples" {
        samples()
    } else {
        stream()
    };
    let mut total = 0usize;
    macro_rules! packs {
        ($run:ident, $pack:ty) => {{
            let mut records = records::<$pack>(&set);
            let views = decode_each(&mut records, &set);
            for _ in 0..times {
                total += $run(&views);
            }
        }};
    }
    match engine {
        "generated" | "handwritten" | "interpreter" => {
            let events = typed(&set);
            let interpreter = seed_interpreter();
            for _ in 0..times {
                total += match engine {
                    "generated" => run_generated(&events),
                    "handwritten" => run_handwritten(&events),
                    _ => run_interpreter(&interpreter, &events),
                };
            }
        }
        "pack-1" => packs!(run_pack_1, Pack1),
        "pack-10" => packs!(run_pack_10, Pack10),
        "pack-100" => packs!(run_pack_100, Pack100),
        "pack-all" => packs!(run_pack_all, CorpusPack),
        "decode" | "decode-match" => {
            let mut record = Record::<CorpusPack>::new();
            for _ in 0..times {
                total += if engine == "decode" {
                    run_decode(&mut record, &set)
                } else {
                    run_decode_match(&mut record, &set)
                };
            }
        }
        other => {
            eprintln!("unknown engine {other}");
            std::process::exit(2);
        }
    }
    println!("{total}");
}
