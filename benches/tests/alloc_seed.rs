//! The seed rule's generated matcher allocates nothing per event on typed
//! events (nor does the hand-written one).
//!
//! Its own test binary with a single test, because it installs a counting
//! global allocator (`stats_alloc`; the workspace forbids the `unsafe` a
//! hand-written one needs) and no other test may allocate while it counts.

use std::alloc::System;

use eqlc_bench::data::{event_sets, typed};
use eqlc_bench::{SeedRule, facts, handwritten};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn seed_rule_allocates_nothing_per_event() {
    for set in event_sets() {
        let events = typed(&set);
        // The first pass builds the rule's regular expression.
        let warm = events.iter().filter(|e| SeedRule::matches(*e)).count();
        let _ = events.iter().filter(|e| handwritten::matches(e)).count();

        let region = Region::new(GLOBAL);
        let generated = events.iter().filter(|e| SeedRule::matches(*e)).count();
        let generated_allocations = region.change().allocations;
        let region = Region::new(GLOBAL);
        let by_hand = events.iter().filter(|e| handwritten::matches(e)).count();
        let by_hand_allocations = region.change().allocations;

        assert_eq!(generated, warm);
        assert_eq!(by_hand, warm);
        facts::record(
            &format!("alloc_seed_{}", set.name),
            serde_json::json!({
                "events": events.len(),
                "generated": generated_allocations,
                "handwritten": by_hand_allocations,
            }),
        );
        assert_eq!(
            generated_allocations, 0,
            "{}: generated code allocated",
            set.name
        );
        assert_eq!(
            by_hand_allocations, 0,
            "{}: hand-written code allocated",
            set.name
        );
    }
}
