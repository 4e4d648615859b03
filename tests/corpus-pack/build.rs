//! Compiles every rule of the shared rule corpus into one pack: the
//! single-event rules into `CorpusPack`, the sequence and sample rules into
//! `CorpusSequences` beside it.
//!
//! The corpus is found as the tests find it: `EQLC_SHARED`, else `../shared`
//! beside the workspace. Without it the pack is empty, and the tests say they
//! were skipped (or fail, when `EQLC_SHARED` is set).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=EQLC_SHARED");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let shared = match std::env::var_os("EQLC_SHARED") {
        Some(root) => PathBuf::from(root),
        None => manifest.join("../../../shared"),
    };
    let corpus = shared.join("corpus/detection-rules");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let out = out_dir.join("corpus_pack.rs");
    let found = corpus.is_dir();
    println!("cargo:rustc-env=EQLC_CORPUS_FOUND={found}");
    if !found {
        println!("cargo:rerun-if-changed={}", corpus.display());
        write_empty(&out);
        return;
    }
    let build = eqlc::build::PackBuild::new(&corpus, "CorpusPack")
        .sequences("CorpusSequences")
        .extra_fields(["@timestamp"]);
    match build.write(&out) {
        Ok(summary) => {
            println!(
                "cargo:rustc-env=EQLC_CORPUS_SKIPPED={}",
                summary.skipped.len()
            );
            println!(
                "cargo:rustc-env=EQLC_CORPUS_SEQUENCES={}",
                summary.sequences
            );
        }
        Err(errors) => {
            for error in errors {
                println!("cargo:warning={error}");
            }
            std::process::exit(1);
        }
    }
}

fn write_empty(out: &Path) {
    println!("cargo:rustc-env=EQLC_CORPUS_SKIPPED=0");
    println!("cargo:rustc-env=EQLC_CORPUS_SEQUENCES=0");
    let code = "eql_runtime::eql_pack! { \
                #[eql(dir = \"src/empty\", sequences = CorpusSequences)] pub CorpusPack; }";
    if let Err(error) = std::fs::write(out, code) {
        println!("cargo:warning=cannot write {}: {error}", out.display());
        std::process::exit(1);
    }
}
