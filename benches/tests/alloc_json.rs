//! Allocations per event on the JSON path: one decoder for the full pack
//! reads each line and the pack matches it. The first pass grows the
//! decoder's buffers and builds the pack's automata; from the second on,
//! nothing is allocated.
//!
//! Its own test binary with a single test, because it installs a counting
//! global allocator (see `alloc_seed.rs`).

use std::alloc::System;

use eql_core::json::Record;
use eqlc_bench::data::event_sets;
use eqlc_bench::{CorpusPack, SeedRule, facts};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Decodes and matches every line; returns the alerts.
fn scan<S>(
    record: &mut Record<S>,
    lines: &[String],
    matches: impl Fn(&eql_core::json::RecordView<'_, S>) -> usize,
) -> usize
where
    S: eql_core::json::PathSet,
{
    let mut alerts = 0;
    for line in lines {
        if let Ok(view) = record.decode(line.as_bytes()) {
            alerts += matches(&view);
        }
    }
    alerts
}

fn pack_alerts(view: &eql_core::json::RecordView<'_, CorpusPack>) -> usize {
    let mut alerts = 0;
    CorpusPack::for_each_match(view, |_| alerts += 1);
    alerts
}

fn seed_matches(view: &eql_core::json::RecordView<'_, SeedRule>) -> usize {
    usize::from(SeedRule::matches(view))
}

#[test]
fn json_path_allocations_per_event() {
    for set in event_sets() {
        let events = set.lines.len() as f64;
        let mut pack = Record::<CorpusPack>::new();
        let mut seed = Record::<SeedRule>::new();

        let region = Region::new(GLOBAL);
        let warm_pack = scan(&mut pack, &set.lines, pack_alerts);
        let first_pack = region.change().allocations;
        let region = Region::new(GLOBAL);
        let warm_seed = scan(&mut seed, &set.lines, seed_matches);
        let first_seed = region.change().allocations;

        let region = Region::new(GLOBAL);
        let pack_alerts_again = scan(&mut pack, &set.lines, pack_alerts);
        let warm_pack_allocations = region.change().allocations;
        let region = Region::new(GLOBAL);
        let seed_again = scan(&mut seed, &set.lines, seed_matches);
        let warm_seed_allocations = region.change().allocations;

        assert_eq!(pack_alerts_again, warm_pack);
        assert_eq!(seed_again, warm_seed);
        facts::record(
            &format!("alloc_json_{}", set.name),
            serde_json::json!({
                "events": set.lines.len(),
                "pack_first_pass_per_event": first_pack as f64 / events,
                "pack_per_event": warm_pack_allocations as f64 / events,
                "seed_first_pass_per_event": first_seed as f64 / events,
                "seed_per_event": warm_seed_allocations as f64 / events,
            }),
        );
        assert_eq!(
            warm_pack_allocations, 0,
            "{}: the JSON path allocated",
            set.name
        );
        assert_eq!(
            warm_seed_allocations, 0,
            "{}: the JSON path allocated",
            set.name
        );
    }
}
