//! Every rule of the shared rule corpus, compiled by the build script into
//! one pack: the single-event rules into `CorpusPack`, the sequence and
//! sample rules into `CorpusSequences`. That this crate builds is the test
//! that rustc accepts the generated code of every rule.

include!(concat!(env!("OUT_DIR"), "/corpus_pack.rs"));
