//! Every rule of the shared rule corpus, compiled by the build script:
//! single-event rules into one pack, sequence and sample rules into
//! [`sequences`], a type each. That this crate builds is the test that rustc
//! accepts the generated code of every rule.

include!(concat!(env!("OUT_DIR"), "/corpus_pack.rs"));

/// The corpus's sequence and sample rules, a type each.
pub mod sequences {
    include!(concat!(env!("OUT_DIR"), "/corpus_sequences.rs"));
}
