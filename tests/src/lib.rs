//! Helpers shared by the cross-crate tests: where the team's shared data
//! lives, and how a test says it was skipped; for the conformance test, the
//! suites ([`suites`]) and their data sets ([`datasets`]); for the
//! differential property tests, events made from a rule's literals
//! ([`events`]) and the check that both engines agree on them
//! ([`differential`]).
//!
//! Tests that read `../shared` (the conformance suites, the rule corpus, the
//! real events) find it through [`shared_path`]. The folder is taken from the
//! `EQLC_SHARED` environment variable, or else `../shared` next to the
//! workspace. When `EQLC_SHARED` is set (CI sets it) and the folder or file is
//! missing, the test fails; when it is not set and the default folder is
//! absent, the test prints that it was skipped and passes.

use std::path::{Path, PathBuf};

pub mod datasets;
pub mod differential;
pub mod events;
pub mod suites;

/// The environment variable that names the shared data folder.
pub const SHARED_ENV: &str = "EQLC_SHARED";

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The shared data folder joined with `relative`, or `None` when the data is
/// absent on a machine that did not ask for it (the caller then returns
/// early). Panics when `EQLC_SHARED` is set and the path does not exist.
pub fn shared_path(relative: &str) -> Option<PathBuf> {
    match std::env::var_os(SHARED_ENV) {
        Some(root) => {
            let path = PathBuf::from(root).join(relative);
            assert!(
                path.exists(),
                "{SHARED_ENV} is set but {} does not exist: the shared data is missing",
                path.display()
            );
            Some(path)
        }
        None => {
            let path = workspace_dir().join("..").join("shared").join(relative);
            if path.exists() {
                Some(path)
            } else {
                eprintln!(
                    "skipped: {} not found (set {SHARED_ENV} to the shared data folder)",
                    path.display()
                );
                None
            }
        }
    }
}
