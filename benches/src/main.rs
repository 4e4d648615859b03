//! `eqlc-bench`: the helper of `scripts/bench`.
//!
//! - `eqlc-bench events DIR` writes the bench event sets as
//!   `DIR/samples.ndjson` and `DIR/stream.ndjson`, for engines outside Rust.
//! - `eqlc-bench report CRITERION FACTS NOTES OUT` reads criterion's results
//!   (`CRITERION/**/new/estimates.json`), the facts the benches, tests and
//!   script recorded (`FACTS/*.json`, `FACTS/*.txt`) and the hand-written
//!   reading of the figures (`NOTES`), and writes `OUT` (BENCHMARKS.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value as Json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["events", dir] => write_events(Path::new(dir)),
        ["report", criterion, facts, notes, out] => report(
            Path::new(criterion),
            Path::new(facts),
            Path::new(notes),
            Path::new(out),
        ),
        _ => {
            Err("usage: eqlc-bench events DIR | eqlc-bench report CRITERION FACTS NOTES OUT".into())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn write_events(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for set in eqlc_bench::data::event_sets() {
        let path = dir.join(format!("{}.ndjson", set.name));
        std::fs::write(&path, set.ndjson()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// One criterion result: the median time of one iteration, in nanoseconds,
/// and the median absolute deviation.
#[derive(Clone, Copy, Debug)]
struct Estimate {
    median: f64,
    mad: f64,
}

/// Every result under `dir`, by full id (`seed_rule/stream/generated`).
fn read_criterion(dir: &Path) -> BTreeMap<String, Estimate> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n == "benchmark.json")
                && path.parent().is_some_and(|p| p.ends_with("new"))
            {
                let benchmark = read_json(&path);
                let estimates = read_json(&path.with_file_name("estimates.json"));
                let (Some(id), Some(median), Some(mad)) = (
                    benchmark["full_id"].as_str(),
                    estimates["median"]["point_estimate"].as_f64(),
                    estimates["median_abs_dev"]["point_estimate"].as_f64(),
                ) else {
                    continue;
                };
                found.insert(id.to_owned(), Estimate { median, mad });
            }
        }
    }
    found
}

fn read_json(path: &Path) -> Json {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Json::Null)
}

/// What the report reads.
struct Inputs {
    results: BTreeMap<String, Estimate>,
    facts: PathBuf,
}

impl Inputs {
    fn fact(&self, name: &str) -> Json {
        read_json(&self.facts.join(format!("{name}.json")))
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.facts.join(format!("{name}.txt")))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    fn count(&self, fact: &str, key: &str) -> Option<u64> {
        self.fact(fact)[key].as_u64()
    }

    /// Nanoseconds per event of a bench over a set.
    fn per_event(&self, id: &str, events: Option<u64>) -> Option<f64> {
        Some(self.results.get(id)?.median / events? as f64)
    }

    fn spread(&self, id: &str) -> String {
        match self.results.get(id) {
            Some(e) if e.median > 0.0 => format!("±{:.0} %", 100.0 * e.mad / e.median),
            _ => "".into(),
        }
    }
}

const SETS: [&str; 2] = ["samples", "stream"];

fn report(criterion: &Path, facts: &Path, notes: &Path, out: &Path) -> Result<(), String> {
    let inputs = Inputs {
        results: read_criterion(criterion),
        facts: facts.to_path_buf(),
    };
    if inputs.results.is_empty() {
        return Err(format!(
            "no criterion results under {}",
            criterion.display()
        ));
    }
    let notes = std::fs::read_to_string(notes).unwrap_or_default();
    let mut doc = String::new();
    let w = &mut doc;

    header(w, &inputs);
    let targets = targets(&inputs);
    line(w, "## Targets\n");
    line(
        w,
        "Each figure is a ratio of two benches of the same run (medians), so the",
    );
    line(w, "machine's load cancels out as far as it can.\n");
    line(w, "| target | measured | |");
    line(w, "|---|---|---|");
    for (target, measured, met) in &targets {
        let status = match met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "not measured",
        };
        line(w, &format!("| {target} | {measured} | {status} |"));
    }
    line(w, "");
    reading(w, &notes);
    event_sets(w, &inputs);
    seed_rule(w, &inputs);
    packs(w, &inputs);
    ndjson(w, &inputs);
    sequences(w, &inputs);
    python(w, &inputs);
    allocations(w, &inputs);
    build_cost(w, &inputs);
    std::fs::write(out, doc).map_err(|e| format!("{}: {e}", out.display()))
}

fn line(w: &mut String, text: &str) {
    w.push_str(text);
    w.push('\n');
}

fn header(w: &mut String, inputs: &Inputs) {
    line(w, "# Benchmarks");
    line(w, "");
    line(
        w,
        "<!-- Written by `scripts/bench` (`eqlc-bench report`); edit",
    );
    line(
        w,
        "     benches/NOTES.md or the report tool, not this file. -->",
    );
    line(w, "");
    line(
        w,
        "How fast the matchers eqlc generates are, against a hand-written matcher, \
         eqlc's own interpreter and Elastic's Python `eql`; how that holds from one rule \
         to every single-event rule of Elastic's corpus; and what the compiler costs at \
         build time. Every figure below comes from one run of",
    );
    line(w, "");
    line(w, "```sh");
    line(w, "scripts/bench");
    line(w, "```");
    line(w, "");
    line(
        w,
        "which runs the criterion benches of `benches/` (crate `eqlc-bench`), the \
         allocation tests, the Python reference and two release builds, then rewrites \
         this file. It takes about a quarter of an hour. A single bench runs with \
         `cargo bench -p eqlc-bench --bench NAME`.",
    );
    line(w, "");
    line(w, "## Machine\n");
    let lscpu = inputs.text("lscpu");
    let wanted = [
        "Architecture",
        "CPU(s)",
        "Model name",
        "Thread(s) per core",
        "CPU max MHz",
        "L1d cache",
        "L2 cache",
        "L3 cache",
        "Hypervisor vendor",
    ];
    line(w, "| | |");
    line(w, "|---|---|");
    for row in lscpu.lines() {
        if let Some((key, value)) = row.split_once(':') {
            if wanted.contains(&key.trim()) {
                line(w, &format!("| {} | {} |", key.trim(), value.trim()));
            }
        }
    }
    let rustc = inputs.text("rustc");
    if let Some(version) = rustc.lines().next() {
        line(w, &format!("| rustc | {version} |"));
    }
    let date = inputs.text("date");
    if !date.is_empty() {
        line(w, &format!("| run | {date} |"));
    }
    for (name, label) in [("load_before", "load before"), ("load_after", "load after")] {
        let load = inputs.text(name);
        if let Some((_, averages)) = load.split_once("load average:") {
            line(
                w,
                &format!("| {label} (1, 5, 15 min) | {} |", averages.trim()),
            );
        }
    }
    line(w, "");
    line(
        w,
        "The machine has 2 cores and is shared with other builds and fuzzers, so \
         absolute times move from run to run by 10 % or more (the ± column is the \
         median absolute deviation of the samples); the ratios, measured in the same \
         run, move less, though the two benches of a ratio run minutes apart and the \
         load can change in between. Benches are built with the release profile \
         (`opt-level = 3`, no LTO, `codegen-units` at its default).",
    );
    line(w, "");
}

fn fmt_ns(ns: Option<f64>) -> String {
    match ns {
        Some(ns) if ns >= 10_000.0 => format!("{:.1} µs", ns / 1000.0),
        Some(ns) if ns >= 100.0 => format!("{ns:.0} ns"),
        Some(ns) => format!("{ns:.1} ns"),
        None => "–".into(),
    }
}

fn fmt_ratio(ratio: Option<f64>) -> String {
    match ratio {
        Some(r) if r >= 10.0 => format!("{r:.0}×"),
        Some(r) => format!("{r:.2}×"),
        None => "–".into(),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

fn seed_ns(inputs: &Inputs, set: &str, engine: &str) -> Option<f64> {
    let events = inputs.count(&format!("seed_{set}"), "events");
    inputs.per_event(&format!("seed_rule/{set}/{engine}"), events)
}

fn pack_ns(inputs: &Inputs, set: &str, size: &str) -> Option<f64> {
    let events = inputs.count(&format!("pack_{set}_{size}"), "events");
    inputs.per_event(&format!("pack/{set}/{size}"), events)
}

/// Bytes per second of an NDJSON bench.
fn ndjson_rate(inputs: &Inputs, set: &str, bench: &str) -> Option<(f64, f64)> {
    let bytes = inputs.count(&format!("seed_{set}"), "bytes")? as f64;
    let events = inputs.count(&format!("seed_{set}"), "events")? as f64;
    let seconds = inputs.results.get(&format!("ndjson/{set}/{bench}"))?.median / 1e9;
    Some((bytes / seconds, events / seconds))
}

type Target = (String, String, Option<bool>);

fn targets(inputs: &Inputs) -> Vec<Target> {
    let mut targets = Vec::new();
    let generated = seed_ns(inputs, "stream", "generated");
    let handwritten = seed_ns(inputs, "stream", "handwritten");
    let interpreter = seed_ns(inputs, "stream", "interpreter");
    let by_hand = ratio(generated, handwritten);
    targets.push((
        "seed rule, typed events: generated / hand-written ≤ 1.05".into(),
        format!(
            "{} on the stream ({} on the samples)",
            fmt_ratio(by_hand),
            fmt_ratio(ratio(
                seed_ns(inputs, "samples", "generated"),
                seed_ns(inputs, "samples", "handwritten")
            ))
        ),
        by_hand.map(|r| r <= 1.05),
    ));
    let speedup = ratio(interpreter, generated);
    targets.push((
        "seed rule: generated ≥ 30× faster than the interpreter".into(),
        format!(
            "{} on the stream ({} on the samples)",
            fmt_ratio(speedup),
            fmt_ratio(ratio(
                seed_ns(inputs, "samples", "interpreter"),
                seed_ns(inputs, "samples", "generated")
            ))
        ),
        speedup.map(|r| r >= 30.0),
    ));
    let all = pack_ns(inputs, "stream", "all");
    let rules = inputs.count("pack_stream_all", "rules");
    targets.push((
        "full pack, pre-decoded events: ≤ 150 ns per event".into(),
        format!(
            "{} per event on the stream, {} rules ({} on the samples)",
            fmt_ns(all),
            rules.map_or("–".into(), |n| n.to_string()),
            fmt_ns(pack_ns(inputs, "samples", "all"))
        ),
        all.map(|ns| ns <= 150.0),
    ));
    let hundred = pack_ns(inputs, "stream", "100");
    let growth = ratio(all, hundred);
    targets.push((
        "full pack: roughly flat in rule count (all rules ≤ 2× the time of 100)".into(),
        format!(
            "1 → 10 → 100 → all: {} → {} → {} → {} per event; all / 100 = {}",
            fmt_ns(pack_ns(inputs, "stream", "1")),
            fmt_ns(pack_ns(inputs, "stream", "10")),
            fmt_ns(hundred),
            fmt_ns(all),
            fmt_ratio(growth)
        ),
        growth.map(|g| g <= 2.0),
    ));
    let decode = ndjson_rate(inputs, "stream", "decode");
    let matched = ndjson_rate(inputs, "stream", "decode_match");
    let share = match (decode, matched) {
        (Some((d, _)), Some((m, _))) => Some(m / d),
        _ => None,
    };
    targets.push((
        "end to end, full pack: ≥ 85 % of decode-only throughput".into(),
        format!(
            "{} on the stream ({:.0} vs {:.0} MB/s)",
            share.map_or("–".into(), |s| format!("{:.0} %", 100.0 * s)),
            matched.map_or(0.0, |(b, _)| b / 1e6),
            decode.map_or(0.0, |(b, _)| b / 1e6)
        ),
        share.map(|s| s >= 0.85),
    ));
    targets
}

fn reading(w: &mut String, notes: &str) {
    if notes.trim().is_empty() {
        return;
    }
    line(w, notes.trim_end());
    line(w, "");
}

fn event_sets(w: &mut String, inputs: &Inputs) {
    line(w, "## Events\n");
    line(
        w,
        "- **samples**: every event of `samples/*.ndjson`, the synthetic Defend for \
         Containers and Elastic Defend events the team wrote for the rules of `rules/` \
         (the deliberately malformed lines left out).",
    );
    line(
        w,
        &format!(
            "- **stream**: {} events made by `benches/src/stream.rs` from a fixed seed, \
             shaped like the real Defend for Containers and Elastic Endpoint documents of \
             `shared/events/` (nested objects and dotted keys, arrays for \
             `event.category`, `event.type` and `process.args`). Kinds of event:",
            eqlc_bench::stream::STREAM_EVENTS
        ),
    );
    line(w, "");
    line(w, "  | share | kind |");
    line(w, "  |---|---|");
    for (share, kind) in eqlc_bench::stream::MIX {
        line(w, &format!("  | {share} % | {kind} |"));
    }
    line(w, "");
    line(w, "  and the command of each process event is drawn from:");
    line(w, "");
    line(w, "  | share | commands |");
    line(w, "  |---|---|");
    for (share, kind) in eqlc_bench::stream::COMMANDS {
        line(w, &format!("  | {share} % | {kind} |"));
    }
    line(w, "");
    line(
        w,
        "| set | events | bytes | seed rule matches | full pack: alerts | events with an alert |",
    );
    line(w, "|---|---|---|---|---|---|");
    for set in SETS {
        let seed = inputs.fact(&format!("seed_{set}"));
        let pack = inputs.fact(&format!("pack_{set}_all"));
        line(
            w,
            &format!(
                "| {set} | {} | {} | {} | {} | {} |",
                seed["events"],
                seed["bytes"],
                seed["matches"],
                pack["alerts"],
                pack["events_alerted"]
            ),
        );
    }
    line(w, "");
}

fn seed_rule(w: &mut String, inputs: &Inputs) {
    line(w, "## 1. The seed rule on typed events\n");
    line(
        w,
        "```sh\ncargo bench -p eqlc-bench --bench seed_rule\n```\n",
    );
    line(
        w,
        "The tunnelling rule of `rules/` on `#[derive(Event)]` structs with owned \
         strings, built before timing (`benches/src/events.rs`): the code `eql_rule!` \
         generates; the same rule written by hand (`benches/src/handwritten.rs`: a \
         `match` on the process name, byte tests on the arguments, one unanchored \
         regex); and eqlc's reference interpreter on the same structs. \
         `benches/tests/agreement.rs` checks that all three agree on every event.",
    );
    line(w, "");
    line(
        w,
        "| set | engine | per event | ± | events/s | time / generated |",
    );
    line(w, "|---|---|---|---|---|---|");
    for set in SETS {
        let generated = seed_ns(inputs, set, "generated");
        for engine in ["generated", "handwritten", "interpreter"] {
            let ns = seed_ns(inputs, set, engine);
            line(
                w,
                &format!(
                    "| {set} | {engine} | {} | {} | {} | {} |",
                    fmt_ns(ns),
                    inputs.spread(&format!("seed_rule/{set}/{engine}")),
                    fmt_rate(ns.map(|ns| 1e9 / ns)),
                    fmt_ratio(ratio(ns, generated))
                ),
            );
        }
    }
    line(w, "");
}

fn fmt_rate(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r >= 1e6 => format!("{:.1} M", r / 1e6),
        Some(r) if r >= 1e3 => format!("{:.0} k", r / 1e3),
        Some(r) => format!("{r:.0}"),
        None => "–".into(),
    }
}

fn packs(w: &mut String, inputs: &Inputs) {
    line(w, "## 2. Rule packs on pre-decoded events\n");
    line(w, "```sh\ncargo bench -p eqlc-bench --bench pack\n```\n");
    line(
        w,
        "Packs of 1, 10, 100 and all single-event rules of Elastic's detection-rules \
         corpus, each over its own `Record` per event decoded before timing (the typed \
         form of a pack: a record holds exactly the fields its rules read). The full \
         pack is `eqlc-corpus-pack`'s `CorpusPack`; the smaller ones are built by \
         `benches/build.rs` from the same rules, sorted by file path, taking rule \
         `i × total / N` for `i` in `0..N` (an even stride, so each pack keeps the \
         corpus's mix of platforms and categories; the 1-rule pack is the first rule by \
         path).",
    );
    line(w, "");
    line(
        w,
        "| rules | fields read | samples: per event | stream: per event | ± | stream: events/s | stream: alerts |",
    );
    line(w, "|---|---|---|---|---|---|---|");
    for size in ["1", "10", "100", "all"] {
        let fact = inputs.fact(&format!("pack_stream_{size}"));
        let stream = pack_ns(inputs, "stream", size);
        line(
            w,
            &format!(
                "| {} | {} | {} | {} | {} | {} | {} |",
                fact["rules"],
                fact["paths"],
                fmt_ns(pack_ns(inputs, "samples", size)),
                fmt_ns(stream),
                inputs.spread(&format!("pack/stream/{size}")),
                fmt_rate(stream.map(|ns| 1e9 / ns)),
                fact["alerts"]
            ),
        );
    }
    line(w, "");
}

fn ndjson(w: &mut String, inputs: &Inputs) {
    line(w, "## 3. End to end on NDJSON\n");
    line(w, "```sh\ncargo bench -p eqlc-bench --bench ndjson\n```\n");
    line(
        w,
        "The whole NDJSON text in memory, split into lines; each line decoded by one \
         reused `Record` into the fields a pack reads (strings borrowed from the line), \
         with or without matching. `decode` and `decode_match` use the full pack's \
         record (every field any corpus rule reads); `seed_*` use the seed rule's six \
         fields. Decoding checks every line in full either way.",
    );
    line(w, "");
    line(
        w,
        "| set | bench | MB/s | events/s | per event | ± | throughput / decode only |",
    );
    line(w, "|---|---|---|---|---|---|---|");
    for set in SETS {
        for (bench, base) in [
            ("decode", "decode"),
            ("decode_match", "decode"),
            ("seed_decode", "seed_decode"),
            ("seed_decode_match", "seed_decode"),
        ] {
            let rate = ndjson_rate(inputs, set, bench);
            let base = ndjson_rate(inputs, set, base);
            let share = match (rate, base) {
                (Some((r, _)), Some((b, _))) => format!("{:.0} %", 100.0 * r / b),
                _ => "–".into(),
            };
            line(
                w,
                &format!(
                    "| {set} | {bench} | {} | {} | {} | {} | {share} |",
                    rate.map_or("–".into(), |(b, _)| format!("{:.0}", b / 1e6)),
                    fmt_rate(rate.map(|(_, e)| e)),
                    fmt_ns(rate.map(|(_, e)| 1e9 / e)),
                    inputs.spread(&format!("ndjson/{set}/{bench}")),
                ),
            );
        }
    }
    line(w, "");
}

fn sequences(w: &mut String, inputs: &Inputs) {
    line(w, "## 4. Sequences\n");
    let results: Vec<(&String, &Estimate)> = inputs
        .results
        .iter()
        .filter(|(id, _)| id.starts_with("sequences/"))
        .collect();
    let fact = inputs.fact("sequences_stream");
    if results.is_empty() || fact.is_null() {
        line(w, "Not run.\n");
        return;
    }
    line(
        w,
        "```sh\ncargo bench -p eqlc-bench --bench sequences\n```\n",
    );
    let events = fact["events"].as_f64().unwrap_or(0.0);
    line(
        w,
        &format!(
            "The team's sequence rule (`rules/container_tunnel_then_connection.toml`: two \
             steps joined by `container.id` and `process.entity_id`, `maxspan=1m`) over {} \
             typed events one millisecond apart on average, with {} keys that start a \
             process and {} more that only connect (see `benches/benches/sequences.rs` for \
             the mix). One iteration feeds the whole stream to a fresh engine, then ends it.\n",
            fact["events"],
            fact["keys"],
            events as u64 - fact["keys"].as_u64().unwrap_or(0).min(events as u64),
        ),
    );
    line(w, "| engine | per event | events/s | ± |");
    line(w, "|---|---|---|---|");
    for (id, estimate) in &results {
        let per_event = estimate.median / events.max(1.0);
        line(
            w,
            &format!(
                "| {} | {} | {:.2} M | {} |",
                id.trim_start_matches("sequences/stream/"),
                fmt_ns(Some(per_event)),
                1e3 / per_event.max(1e-9),
                inputs.spread(id)
            ),
        );
    }
    line(
        w,
        &format!(
            "\nState: at most {} keys open at once (the engine's cap is {}, none evicted); \
             {} keys closed as `maxspan` passed; {} sequences found (generated code and \
             interpreter agree, checked before timing). The state per key is bounded by the \
             number of steps; `eql-core/tests/sequence_memory.rs` feeds a million distinct \
             keys and checks the bound.\n",
            fact["peak_open_keys"], fact["key_limit"], fact["expired_keys"], fact["results"],
        ),
    );
}

fn python(w: &mut String, inputs: &Inputs) {
    line(w, "## 5. Another engine: Elastic's Python `eql`\n");
    line(w, "```sh\nscripts/bench-python-eql\n```\n");
    let fact = inputs.fact("python_eql");
    if fact.is_null() {
        line(
            w,
            "Not run (the script needs `python3` with `venv` and access to PyPI).\n",
        );
        return;
    }
    line(
        w,
        &format!(
            "The seed rule in Elastic's `eql` {} (Python {}), installed from PyPI into a \
             venv under `target/`, with its Elasticsearch syntax switched on, over the same \
             events parsed into `eql.Event`s before timing (best of several passes). **A \
             speed reference only:** the stock engine mis-evaluates Elasticsearch's \
             semantics. It reads `like \"?*\"` as an exact comparison, does not take \
             arrays as multi-valued (it raises on `in` over `process.args`; such events \
             count as non-matches, and single-element `event.category`/`event.type` arrays \
             are made scalars so that it runs at all), and so it finds other matches than \
             Elasticsearch and eqlc.",
            fact["eql_version"].as_str().unwrap_or("?"),
            fact["python"].as_str().unwrap_or("?")
        ),
    );
    line(w, "");
    line(
        w,
        "| set | Python eql per event | matches (eqlc's) | events it raised on | eqlc generated per event | Python / generated |",
    );
    line(w, "|---|---|---|---|---|---|");
    for set in SETS {
        let py = &fact["sets"][set];
        let py_ns = py["ns_per_event"].as_f64();
        let generated = seed_ns(inputs, set, "generated");
        line(
            w,
            &format!(
                "| {set} | {} | {} ({}) | {} | {} | {} |",
                fmt_ns(py_ns),
                py["matches"],
                inputs.fact(&format!("seed_{set}"))["matches"],
                py["errors"],
                fmt_ns(generated),
                fmt_ratio(ratio(py_ns, generated))
            ),
        );
    }
    line(w, "");
}

fn allocations(w: &mut String, inputs: &Inputs) {
    line(w, "## 6. Allocations\n");
    line(
        w,
        "```sh\ncargo test --release -p eqlc-bench --test alloc_seed --test alloc_pack --test alloc_json\n```\n",
    );
    line(
        w,
        "Counted with `stats_alloc` as the global allocator, one test per file. The \
         seed-rule and pack tests assert zero allocations per event; the JSON test \
         asserts zero once the decoder's buffers have grown (its first pass also builds \
         the pack's automata and regex sets) and reports both passes.",
    );
    line(w, "");
    line(
        w,
        "| set | seed rule, typed (generated / hand-written) | full pack, pre-decoded | JSON + full pack: first pass / after | JSON + seed rule: first pass / after |",
    );
    line(w, "|---|---|---|---|---|");
    for set in SETS {
        let seed = inputs.fact(&format!("alloc_seed_{set}"));
        let pack = inputs.fact(&format!("alloc_pack_{set}"));
        let json = inputs.fact(&format!("alloc_json_{set}"));
        let per = |events: &Json, count: &Json| match (count.as_f64(), events.as_f64()) {
            (Some(c), Some(e)) if e > 0.0 => format!("{:.2}", c / e),
            _ => "–".into(),
        };
        let value = |v: &Json| v.as_f64().map_or("–".into(), |v| format!("{v:.2}"));
        line(
            w,
            &format!(
                "| {set} | {} / {} | {} | {} / {} | {} / {} |",
                per(&seed["events"], &seed["generated"]),
                per(&seed["events"], &seed["handwritten"]),
                per(&pack["events"], &pack["allocations"]),
                value(&json["pack_first_pass_per_event"]),
                value(&json["pack_per_event"]),
                value(&json["seed_first_pass_per_event"]),
                value(&json["seed_per_event"]),
            ),
        );
    }
    line(w, "\nAllocations per event.\n");
}

fn build_cost(w: &mut String, inputs: &Inputs) {
    line(w, "## 7. Build cost\n");
    line(w, "### The compiler as a library (what the macros run)\n");
    line(w, "```sh\ncargo bench -p eqlc-bench --bench compile\n```\n");
    let corpus = inputs.fact("compile_corpus");
    line(
        w,
        &format!(
            "Rule file parsed, query compiled (parse, check, lower, optimise) and Rust \
             tokens emitted, from text in memory: what `eql_rule!` does for the seed rule, \
             and what `PackBuild` does for the corpus ({} files, {} single-event rules \
             compiled, planned and emitted as one pack).",
            corpus["files"], corpus["rules"]
        ),
    );
    line(w, "");
    line(w, "| input | time | ± |");
    line(w, "|---|---|---|");
    for (id, label) in [
        ("compile/seed_rule", "seed rule"),
        ("compile/corpus_pack", "corpus pack"),
    ] {
        let time = inputs.results.get(id).map(|e| e.median);
        let shown = match time {
            Some(ns) if ns >= 1e6 => format!("{:.0} ms", ns / 1e6),
            Some(ns) => format!("{:.0} µs", ns / 1e3),
            None => "–".into(),
        };
        line(w, &format!("| {label} | {shown} | {} |", inputs.spread(id)));
    }
    line(w, "");
    line(w, "### Release builds\n");
    line(
        w,
        "`scripts/bench` writes two small crates under `target/bench-build/`, builds \
         them once with `cargo build --release` (so that every dependency is built), \
         then removes their own artifacts (`cargo clean --release -p`) and times a second \
         `cargo build --release`: the cost of the rules alone. `seed` holds the seed rule \
         (`eql_rule!`) and a function matching it on decoded JSON, so that rustc generates \
         its code; `pack` builds the corpus pack in a build script with `PackBuild` \
         (compiling the build script, running it, then rustc on the generated file) and a \
         function running it on decoded JSON. The corpus pack's time is also the \
         figure issue #5 asks for: the release build cost of the full corpus pack.",
    );
    line(w, "");
    line(w, "| crate | release build | generated Rust |");
    line(w, "|---|---|---|");
    for (name, label) in [("build_seed", "seed rule"), ("build_pack", "corpus pack")] {
        let fact = inputs.fact(name);
        let seconds = fact["seconds"].as_f64();
        line(
            w,
            &format!(
                "| {label} | {} | {} |",
                seconds.map_or("–".into(), |s| format!("{s:.1} s")),
                fact["generated"].as_str().unwrap_or("–")
            ),
        );
    }
    line(w, "");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_formats() {
        assert_eq!(fmt_ratio(Some(1.234)), "1.23×");
        assert_eq!(fmt_ratio(Some(45.6)), "46×");
        assert_eq!(fmt_ns(Some(12.34)), "12.3 ns");
        assert_eq!(fmt_ns(Some(1234.0)), "1234 ns");
        assert_eq!(fmt_ns(Some(12_345.0)), "12.3 µs");
        assert_eq!(ratio(Some(3.0), Some(2.0)), Some(1.5));
        assert_eq!(ratio(None, Some(2.0)), None);
    }
}
