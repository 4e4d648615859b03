//! Differential tests against the team's independent EQL evaluator (the
//! Python oracle in the shared folder): its `diffcheck.py` generates events
//! from each rule's literals, runs the oracle and `eqlc run` on them, and
//! prints every event where the two disagree.
//!
//! The oracle needs Python with the `eql` package (1.0.1): the test runs when
//! `EQLC_ORACLE_PYTHON` names such an interpreter (`.ci/run` makes one) and
//! says it was skipped otherwise. `eqlc run` is the interpreter; the
//! property tests check that generated code agrees with it.
//!
//! Every disagreement must be explained. The only ones today are events where
//! a function reads a multi-valued field: Elasticsearch evaluates such a
//! script for every value (`InternalEqlScriptUtils.multiValueDocValues`),
//! and so does eqlc, while the oracle passes only the lowest value (its own
//! header marks this uncertain).

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The Python to run the oracle with, and the shared folder, or `None`
/// (skipped) when either is missing on a machine that did not ask for them.
fn setup() -> Option<(PathBuf, PathBuf)> {
    let shared = match std::env::var_os("EQLC_SHARED") {
        Some(root) => PathBuf::from(root),
        None => workspace().join("../shared"),
    };
    let python = match std::env::var_os("EQLC_ORACLE_PYTHON") {
        Some(python) => PathBuf::from(python),
        None => {
            eprintln!("skipped: set EQLC_ORACLE_PYTHON to a Python with eql==1.0.1");
            return None;
        }
    };
    let diffcheck = shared.join("oracle/diffcheck.py");
    assert!(
        diffcheck.exists(),
        "EQLC_ORACLE_PYTHON is set but {} is missing",
        diffcheck.display()
    );
    Some((python, shared))
}

/// Runs diffcheck with `args` and returns, per rule file, its number of
/// disagreements, and the whole output.
fn diffcheck(python: &Path, shared: &Path, args: &[&str]) -> (Vec<(String, u32)>, String) {
    let product = format!(
        "{} run --rules {{rule}} {{events}}",
        env!("CARGO_BIN_EXE_eqlc")
    );
    let output = Command::new(python)
        .arg(shared.join("oracle/diffcheck.py"))
        .args(args)
        .args(["--product", &product])
        .current_dir(shared)
        .output()
        .expect("diffcheck runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_ne!(
        output.status.code(),
        Some(2),
        "diffcheck could not run:\n{text}"
    );
    let counts = text
        .lines()
        .filter_map(|line| {
            let (file, rest) = line.split_once(": ")?;
            let count = rest.rsplit_once("disagreements ")?.1.trim().parse().ok()?;
            let name = Path::new(file).file_stem()?.to_string_lossy().into_owned();
            Some((name, count))
        })
        .collect();
    (counts, text)
}

#[test]
fn shipped_rules_agree_with_the_oracle() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let mut counts = Vec::new();
    let mut outputs = String::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join("rules"))
        .expect("rules folder")
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    for file in &files {
        let (found, text) = diffcheck(&python, &shared, &["--rule", &file.display().to_string()]);
        counts.extend(found);
        outputs.push_str(&text);
    }
    let disagreeing: Vec<&(String, u32)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(counts.len(), files.len(), "{outputs}");
    // `length(process.name) <= 2` on `["x", "_", "Cz9"]`: the oracle tests
    // only the lowest value, `Cz9`. `not cidrMatch(destination.ip, …)` on
    // `["::1", "15.7.143.108"]`: Elasticsearch's function is true when any
    // value is in the blocks, so its negation is false; the oracle tests one
    // value. Each of the 20 is a connection of that shape (or the process
    // start it would have completed).
    assert_eq!(
        disagreeing,
        [
            &("container_short_or_hidden_temp_binary".to_owned(), 1),
            &("container_tunnel_then_connection".to_owned(), 20)
        ],
        "{outputs}"
    );
}

#[test]
fn corpus_sample_agrees_with_the_oracle() {
    let Some((python, shared)) = setup() else {
        return;
    };
    let (counts, text) = diffcheck(
        &python,
        &shared,
        &[
            "--sample-rules",
            "corpus/detection-rules",
            "--count",
            "60",
            "--seed",
            "2",
        ],
    );
    assert_eq!(counts.len(), 60, "{text}");
    let disagreeing: Vec<&(String, u32)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(disagreeing, Vec::<&(String, u32)>::new(), "{text}");
}
