//! No input makes the macro panic: thousands of corpus queries, each
//! mutated a few times (bytes cut, repeated, swapped, or tokens of the
//! language inserted), go through what `eql_rule!` runs, `eqlc::compile`
//! then `emit_rule`, and must come out as code that parses or as errors
//! with spans inside the text.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use eqlc::emit::{EmitContext, RuleItem, RuleMeta, emit_rule};
use proc_macro2::{Ident, Span};
use quote::quote;

/// Mutants per corpus query.
const MUTANTS_PER_QUERY: usize = 4;

/// Pieces of EQL that make interesting mutants when inserted anywhere.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"\"",
    "`",
    "?",
    "~",
    "*",
    ":",
    "==",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "/",
    "%",
    ",",
    "|",
    "\\",
    "/*",
    "*/",
    "//",
    " and ",
    " or ",
    " not ",
    " in ",
    " in~ ",
    " like ",
    " like~ ",
    " regex ",
    " regex~ ",
    " where ",
    " sequence ",
    " by ",
    " with ",
    " maxspan=",
    " until ",
    " of ",
    "null",
    "true",
    "1e308",
    "-0",
    "18446744073709551616",
    "length(",
    "cidrMatch(",
    "between(",
    "concat(",
    "substring(",
    "number(",
    "\"\\u{10FFFF}\"",
    "\"[a-",
    "\"a{2,1}\"",
    "\"<1-99999999>\"",
    "\"a&b\"",
    "\"é*\"",
    "\0",
    "\r\n",
    "| head ",
    "| tail 0",
];

/// Text to put inside string literals.
const PATTERN_PIECES: &[&str] = &[
    "*",
    "?",
    "**",
    "\\\\",
    "\\\"",
    "\\t",
    "\\u{1F600}",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "{2}",
    "{3,1}",
    "<1-9>",
    "<9-1>",
    ".",
    ".*",
    "^",
    "$",
    "|",
    "&",
    "~",
    "@",
    "#",
    "+",
    "\\\\d",
    "/8",
    "/33",
    "::",
    "é",
    "İ",
    "ß",
    "ǅ",
];

/// Operators and their replacements.
const OPERATORS: &[(&str, &str)] = &[
    ("==", ":"),
    ("==", "!="),
    ("==", "<"),
    (":", "like~"),
    (":", "regex~"),
    (":", "=="),
    (" in ", " in~ "),
    (" in ", " like "),
    (" like ", " regex "),
    ("and", "or"),
    ("or", "and not"),
];

/// A small deterministic generator (xorshift64*), so that a failure
/// reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A char boundary of `text` chosen at random.
fn boundary(text: &str, rng: &mut Rng) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `query` with one to three random edits.
fn mutate(query: &str, rng: &mut Rng) -> String {
    let mut text = query.to_owned();
    for _ in 0..1 + rng.below(3) {
        let a = boundary(&text, rng);
        let b = boundary(&text, rng);
        let (start, end) = (a.min(b), a.max(b));
        match rng.below(8) {
            // Edits that keep the syntax: text inside a string literal (a
            // pattern, a regex, a CIDR block), or another operator.
            5 | 6 => {
                let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i + 1).collect();
                if !quotes.is_empty() {
                    let at = quotes[rng.below(quotes.len())];
                    text.insert_str(at, PATTERN_PIECES[rng.below(PATTERN_PIECES.len())]);
                }
            }
            7 => {
                let (from, to) = OPERATORS[rng.below(OPERATORS.len())];
                if let Some((at, _)) = text.match_indices(from).nth(rng.below(3)) {
                    text.replace_range(at..at + from.len(), to);
                }
            }
            0 => text.replace_range(start..end, ""),
            1 => {
                let piece = text[start..end].to_owned();
                text.insert_str(end, &piece);
            }
            2 => text.insert_str(start, TOKENS[rng.below(TOKENS.len())]),
            3 => {
                let piece = text[start..end].to_owned();
                text.replace_range(start..end, "");
                let at = boundary(&text, rng);
                text.insert_str(at, &piece);
            }
            _ => text.truncate(end),
        }
    }
    text
}

/// What the macro does with one query, with its invariants checked.
fn compile_like_the_macro(query: &str) {
    match eqlc::compile(query, &eqlc::Options::default()) {
        Ok(compiled) => {
            let meta = RuleMeta::default();
            let tokens = emit_rule(
                &RuleItem {
                    attrs: quote!(),
                    vis: quote!(pub),
                    name: Ident::new("Mutant", Span::call_site()),
                    filter: &compiled.filter,
                    meta: &meta,
                    pipes: &compiled.pipes,
                    tracked_file: None,
                },
                &EmitContext::default(),
            );
            if let Err(error) = eqlc::pretty(&tokens) {
                panic!("the emitted code does not parse: {error}");
            }
        }
        Err(diagnostics) => {
            assert!(diagnostics.has_errors(), "a failure without an error");
            for diagnostic in &diagnostics.items {
                assert!(diagnostic.span.start <= diagnostic.span.end);
                assert!(diagnostic.span.end as usize <= query.len());
                let _ = diagnostic.render(query);
            }
        }
    }
}

#[test]
fn mutated_corpus_queries_never_panic_the_compiler() {
    let Some(root) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    let mut files = Vec::new();
    collect_toml_files(&root, &mut files);
    files.sort();
    let mut rng = Rng(0x5eed_f00d_e91c_0001);
    let mut panics = Vec::new();
    let mut mutants = 0;
    let mut compiled = 0;
    // Keep the default hook's message off the output: each panic is
    // reported below with its query.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for file in &files {
        let text = std::fs::read_to_string(file).expect("rule file reads");
        let Ok(rule) = eqlc::rule_file::parse_rule_file(&text) else {
            continue;
        };
        for _ in 0..MUTANTS_PER_QUERY {
            let mutant = mutate(&rule.query, &mut rng);
            mutants += 1;
            compiled += usize::from(eqlc::compile(&mutant, &eqlc::Options::default()).is_ok());
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| compile_like_the_macro(&mutant))) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                panics.push(format!("{message}\n  query: {mutant:?}"));
            }
        }
    }
    std::panic::set_hook(hook);
    eprintln!("{mutants} mutants, {compiled} of them compile");
    assert!(mutants > 3000, "{mutants}");
    assert!(
        panics.is_empty(),
        "{} mutants panicked:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

fn collect_toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder reads") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_toml_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            out.push(path);
        }
    }
}
