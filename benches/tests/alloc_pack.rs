//! The full corpus pack allocates nothing per event on pre-decoded events.
//!
//! Its own test binary with a single test, because it installs a counting
//! global allocator (see `alloc_seed.rs`).

use std::alloc::System;

use eqlc_bench::data::{decode_each, event_sets, records};
use eqlc_bench::{CorpusPack, corpus_found, facts};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn alerts(views: &[eql_core::json::RecordView<'_, CorpusPack>]) -> usize {
    let mut alerts = 0;
    for view in views {
        CorpusPack::for_each_match(view, |_| alerts += 1);
    }
    alerts
}

#[test]
fn full_pack_allocates_nothing_per_event() {
    if !corpus_found() {
        eprintln!("skipped: the shared rule corpus was not found when the pack was built");
        return;
    }
    for set in event_sets() {
        let mut records = records::<CorpusPack>(&set);
        let views = decode_each(&mut records, &set);
        // The first pass builds the automata and regular-expression sets.
        let warm = alerts(&views);

        let region = Region::new(GLOBAL);
        let counted = alerts(&views);
        let allocations = region.change().allocations;

        assert_eq!(counted, warm);
        facts::record(
            &format!("alloc_pack_{}", set.name),
            serde_json::json!({"events": views.len(), "allocations": allocations}),
        );
        assert_eq!(allocations, 0, "{}: the pack allocated", set.name);
    }
}
