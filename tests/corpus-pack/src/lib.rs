//! Every single-event rule of the shared rule corpus, compiled into one
//! pack by the build script. That this crate builds is the test that rustc
//! accepts the generated code of every rule.

include!(concat!(env!("OUT_DIR"), "/corpus_pack.rs"));
