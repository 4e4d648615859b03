//! Sequences: events per second and state size for a sequence rule over a
//! stream with many keys.
//!
//! FIXME: pending until sequence rules compile (branch `sequences`). Fill in
//! this file only: build the rule with `eql_rule!`, generate keyed events
//! with `eqlc_bench::stream`, bench a group named `sequences/<set>`, and
//! record the state size with `eqlc_bench::facts::record("sequences_<set>",
//! …)`; `eqlc-bench report` then fills in the section of BENCHMARKS.md.

fn main() {
    eprintln!("sequences: pending, sequence rules do not compile yet");
}
