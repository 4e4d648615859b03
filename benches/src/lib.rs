//! What the benchmarks share: the seed rule compiled three ways, the typed
//! event it runs on, the rule packs of growing size, and the event streams.
//!
//! - [`SeedRule`] is the tunnelling rule of `rules/` through `eql_rule!`;
//!   [`handwritten::matches`] is the same rule written by hand;
//!   [`seed_interpreter`] loads it into `eqlc`'s reference interpreter.
//! - [`events::ProcessEvent`] is a `#[derive(Event)]` struct such as a
//!   program that already holds its events in memory would have.
//! - [`Pack1`], [`Pack10`] and [`Pack100`] (from `build.rs`) and
//!   [`CorpusPack`] are packs of 1, 10, 100 and all single-event rules of the
//!   corpus.
//! - [`data`] loads the shipped samples and [`stream`] generates the larger
//!   stream; both are NDJSON lines.
//!
//! A new bench (sequences, for instance) is one file under `benches/` plus
//! its `[[bench]]` entry in `Cargo.toml`; [`data`] gives it the events and
//! [`facts`] records what the report needs besides criterion's timings.

pub mod data;
pub mod events;
pub mod facts;
pub mod handwritten;
pub mod stream;

pub use eqlc_corpus_pack::CorpusPack;

use eql_runtime::eql_rule;

eql_rule! {
    /// Elastic's container tunnelling rule, the project's seed rule.
    #[eql(file = "../rules/tunneling_port_forwarding_defend_for_containers.toml")]
    pub SeedRule;
}

include!(concat!(env!("OUT_DIR"), "/packs.rs"));

/// The seed rule's file, relative to this crate.
pub const SEED_RULE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../rules/tunneling_port_forwarding_defend_for_containers.toml"
);

/// The seed rule loaded into the reference interpreter.
pub fn seed_interpreter() -> eqlc::interpret::Interpreter {
    let compiled = eqlc::compile(SeedRule::META.query, &eqlc::Options::default())
        .unwrap_or_else(|errors| panic!("the seed rule compiles: {errors:?}"));
    eqlc::interpret::Interpreter::new(compiled.filter)
        .unwrap_or_else(|error| panic!("the seed rule's regexes build: {error}"))
}

/// Whether the shared rule corpus was found when the packs were built.
pub fn corpus_found() -> bool {
    !CorpusPack::RULES.is_empty()
}
