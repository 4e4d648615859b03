//! What a build pays for eqlc: the compiler run as a library, as the macros
//! and `PackBuild` run it: rule file parsed, query compiled (parse, check,
//! lower, optimise), Rust tokens emitted. For the seed rule, and for every
//! single-event rule of the corpus planned and emitted as one pack. Reading
//! the files is left out (done once before timing); rustc's own work on the
//! tokens is measured by `scripts/bench` with `cargo build --release`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use eqlc::ast::QueryBody;
use eqlc::emit::{EmitContext, RuleItem, emit_rule};
use eqlc::pack::{Pack, PackItem, PackRule, emit_pack, rule_files, rule_options};
use eqlc::rule_file::parse_rule_file;
use eqlc_bench::SEED_RULE_FILE;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// What `eql_rule!` does with a rule file.
fn compile_rule(text: &str) -> TokenStream {
    let rule = parse_rule_file(text).unwrap_or_else(|error| panic!("seed rule file: {error}"));
    let compiled = eqlc::compile(&rule.query, &rule_options(&rule))
        .unwrap_or_else(|errors| panic!("seed rule: {errors:?}"));
    let meta = rule.meta();
    emit_rule(
        &RuleItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new("SeedRule", Span::call_site()),
            filter: &compiled.filter,
            meta: &meta,
            pipes: &compiled.pipes,
            tracked_file: Some(SEED_RULE_FILE.to_owned()),
        },
        &EmitContext::default(),
    )
}

/// What `PackBuild` does with a folder, from the files' text: every EQL
/// single-event rule compiled, the pack planned and emitted.
fn compile_pack(files: &[(PathBuf, String)]) -> TokenStream {
    let mut pack = Pack::default();
    for (path, text) in files {
        let Ok(rule) = parse_rule_file(text) else {
            continue;
        };
        if rule.language != "eql" {
            continue;
        }
        let body = eqlc::parse::parse_query(&rule.query).map(|query| query.body);
        if let Ok(QueryBody::Sequence(_) | QueryBody::Sample(_)) = body {
            continue;
        }
        let Ok(compiled) = eqlc::compile(&rule.query, &rule_options(&rule)) else {
            continue;
        };
        pack.rules.push(PackRule {
            path: path.clone(),
            rule,
            compiled,
        });
    }
    emit_pack(
        &PackItem {
            attrs: quote!(),
            vis: quote!(pub),
            name: Ident::new("CorpusPack", Span::call_site()),
            pack: &pack,
            extra_fields: vec!["@timestamp".into()],
        },
        &EmitContext::default(),
    )
}

fn compile(c: &mut Criterion) {
    let seed = std::fs::read_to_string(SEED_RULE_FILE)
        .unwrap_or_else(|error| panic!("cannot read {SEED_RULE_FILE}: {error}"));
    let mut group = c.benchmark_group("compile");
    group.bench_function("seed_rule", |b| b.iter(|| compile_rule(black_box(&seed))));

    let corpus = eqlc_bench::data::corpus_dir();
    match rule_files(&corpus) {
        Ok(paths) => {
            let files: Vec<(PathBuf, String)> = paths
                .into_iter()
                .filter_map(|path| Some((path.clone(), std::fs::read_to_string(path).ok()?)))
                .collect();
            let rules = eqlc_bench::CorpusPack::RULES.len();
            eqlc_bench::facts::record(
                "compile_corpus",
                serde_json::json!({"files": files.len(), "rules": rules}),
            );
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(15));
            group.bench_function("corpus_pack", |b| {
                b.iter(|| compile_pack(black_box(&files)))
            });
        }
        Err(_) => eprintln!(
            "compile: corpus pack skipped, no corpus at {}",
            corpus.display()
        ),
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = compile
}
criterion_main!(benches);
