//! Builds the rule packs of growing size that `benches/pack.rs` measures:
//! `Pack1`, `Pack10` and `Pack100`, each made of N single-event rules of the
//! shared corpus. The full pack is `eqlc_corpus_pack::CorpusPack`.
//!
//! How the N rules are chosen: the corpus's single-event rules, sorted by
//! file path as `eqlc::pack::load_pack` returns them (all 657 of the full
//! pack), are taken at an even stride, rule `i * total / N` for `i` in
//! `0..N`. A strided sample keeps the corpus's mix of platforms, categories
//! and operators in every pack, where the first N files would all come from
//! one folder.
//!
//! Without the corpus (no `EQLC_SHARED` and no `../shared`), every pack is
//! empty and the benches say they were skipped.

use std::path::PathBuf;

use eqlc::emit::EmitContext;
use eqlc::pack::{LoadOptions, Pack, PackItem, emit_pack, load_pack_with};
use quote::{format_ident, quote};

/// The pack sizes below the full corpus.
const SIZES: [usize; 3] = [1, 10, 100];

fn main() {
    println!("cargo:rerun-if-env-changed=EQLC_SHARED");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let shared = match std::env::var_os("EQLC_SHARED") {
        Some(root) => PathBuf::from(root),
        None => manifest.join("../../shared"),
    };
    let corpus = shared.join("corpus/detection-rules");
    println!("cargo:rerun-if-changed={}", corpus.display());

    let pack = if corpus.is_dir() {
        let options = LoadOptions {
            skip_unsupported: true,
        };
        match load_pack_with(&corpus, &options) {
            Ok(pack) => pack,
            Err(errors) => {
                for error in errors {
                    println!("cargo:warning={error}");
                }
                std::process::exit(1);
            }
        }
    } else {
        Pack::default()
    };

    let mut code = String::new();
    for size in SIZES {
        let total = pack.rules.len();
        let chosen = if total == 0 {
            Vec::new()
        } else {
            (0..size.min(total))
                .map(|i| pack.rules[i * total / size.min(total)].clone())
                .collect()
        };
        let subset = Pack {
            rules: chosen,
            skipped: Vec::new(),
        };
        let name = format_ident!("Pack{}", size);
        let doc = format!("{size} rules of the corpus, taken at an even stride.");
        let tokens = emit_pack(
            &PackItem {
                attrs: quote!(#[doc = #doc]),
                vis: quote!(pub),
                name,
                pack: &subset,
                extra_fields: Vec::new(),
            },
            &EmitContext::default(),
        );
        code.push_str(&eqlc::pretty(&tokens).unwrap_or_else(|_| tokens.to_string()));
        code.push('\n');
    }
    let path = out.join("packs.rs");
    if let Err(error) = std::fs::write(&path, code) {
        println!("cargo:warning=cannot write {}: {error}", path.display());
        std::process::exit(1);
    }
}
