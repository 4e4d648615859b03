//! The macros' compile errors as a user sees them: one case per kind of
//! mistake under `tests/ui/` (by topic: the query, the rule file, the event
//! type), each beside the compiler's output in a `.stderr` file, and cases
//! that must compile and run (`tests/ui/pass/`).
//!
//! Diagnostics change between compiler releases, so the cases run only on
//! the release the `.stderr` files were written with ([`PINNED`]); on
//! another the test says it skipped. To rewrite the files after a change,
//! run `TRYBUILD=overwrite cargo test -p eql-runtime --test ui` and review
//! the diff.

use std::process::Command;

/// The `rustc` release the `.stderr` files come from.
const PINNED: &str = "rustc 1.95.";

#[test]
fn ui() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    if !version.starts_with(PINNED) {
        eprintln!(
            "skipped: the UI tests are pinned to {PINNED}x, this is {}",
            version.trim()
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    // With a `pass` case among them, trybuild builds every case instead of
    // only checking it, which the unknown-field case needs: that error comes
    // from evaluating a constant when `matches` is instantiated for the
    // struct, which `cargo check` does not do.
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/query/*.rs");
    // The rule-file cases name their files relative to trybuild's crate in
    // `target/tests/trybuild/`, so they need the target folder in its place.
    let default_target = std::env::var_os("CARGO_TARGET_DIR").is_none()
        && std::env::var_os("CARGO_BUILD_TARGET_DIR").is_none();
    if default_target {
        cases.compile_fail("tests/ui/rule_file/*.rs");
    } else {
        eprintln!("skipped: the rule-file cases need the default target folder");
    }
    cases.compile_fail("tests/ui/event/*.rs");
}
