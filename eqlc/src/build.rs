//! Compiling a folder of rules from a build script.
//!
//! `eql_pack!` compiles a folder inside the compiler; a build script can do
//! the same through this module and `include!` the result, which suits large
//! rule repositories (the file can be inspected, and the build script can
//! decide what to skip):
//!
//! ```no_run
//! // build.rs
//! let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("rules.rs");
//! eqlc::build::PackBuild::new("rules", "Rules")
//!     .extra_fields(["@timestamp"])
//!     .write(&out)
//!     .unwrap();
//! ```
//!
//! ```ignore
//! // src/main.rs
//! include!(concat!(env!("OUT_DIR"), "/rules.rs"));
//! ```
//!
//! [`PackBuild::write`] prints `cargo:rerun-if-changed` for the folder and
//! every rule file, so cargo rebuilds when a rule changes or is added.

use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::emit::EmitContext;
use crate::pack::{LoadOptions, Pack, PackError, PackItem, emit_pack, load_pack_with, rule_files};

/// A pack to compile from a build script.
#[derive(Clone, Debug)]
pub struct PackBuild {
    dir: PathBuf,
    name: String,
    extra_fields: Vec<String>,
    load: LoadOptions,
    runtime: String,
}

/// What a build produced.
#[derive(Clone, Debug, Default)]
pub struct PackSummary {
    /// How many rules were compiled.
    pub rules: usize,
    /// The files passed over, with the reason.
    pub skipped: Vec<(PathBuf, String)>,
    /// How many bytes of Rust were written.
    pub bytes: usize,
}

impl PackBuild {
    /// A pack type `name` from the rule files under `dir`.
    pub fn new(dir: impl Into<PathBuf>, name: &str) -> PackBuild {
        PackBuild {
            dir: dir.into(),
            name: name.to_owned(),
            extra_fields: Vec::new(),
            load: LoadOptions::default(),
            runtime: "::eql_runtime".into(),
        }
    }

    /// ECS paths to decode besides those the rules read (for alerts).
    pub fn extra_fields<I, S>(mut self, fields: I) -> PackBuild
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra_fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// Skip sequence and sample rules (which `eqlc::sequence::pack::JoinPackBuild`
    /// compiles) instead of failing.
    pub fn skip_unsupported(mut self, skip: bool) -> PackBuild {
        self.load.skip_unsupported = skip;
        self
    }

    /// The path of the runtime crate in the generated code (default
    /// `::eql_runtime`).
    pub fn runtime_path(mut self, path: &str) -> PackBuild {
        self.runtime = path.to_owned();
        self
    }

    /// Compiles the rules.
    pub fn load(&self) -> Result<Pack, Vec<PackError>> {
        load_pack_with(&self.dir, &self.load)
    }

    /// The generated code.
    pub fn generate(&self) -> Result<(TokenStream, Pack), Vec<PackError>> {
        let pack = self.load()?;
        let runtime: TokenStream = self.runtime.parse().map_err(|_| {
            vec![PackError {
                path: self.dir.clone(),
                message: format!("`{}` is not a path", self.runtime),
            }]
        })?;
        let name = syn::parse_str::<Ident>(&self.name)
            .unwrap_or_else(|_| Ident::new("Rules", Span::call_site()));
        let tokens = emit_pack(
            &PackItem {
                attrs: quote!(),
                vis: quote!(pub),
                name,
                pack: &pack,
                extra_fields: self.extra_fields.clone(),
            },
            &EmitContext { runtime },
        );
        Ok((tokens, pack))
    }

    /// Writes the generated code to `out` and tells cargo what to watch.
    pub fn write(&self, out: &Path) -> Result<PackSummary, Vec<PackError>> {
        println!("cargo:rerun-if-changed={}", self.dir.display());
        if let Ok(files) = rule_files(&self.dir) {
            for file in files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let (tokens, pack) = self.generate()?;
        // Formatted, so that a compiler message about the file shows a line
        // and not megabytes of one-line code.
        let code = crate::pretty(&tokens).unwrap_or_else(|_| tokens.to_string());
        std::fs::write(out, &code).map_err(|error| {
            vec![PackError {
                path: out.to_path_buf(),
                message: format!("cannot write the generated pack: {error}"),
            }]
        })?;
        Ok(PackSummary {
            rules: pack.rules.len(),
            skipped: pack.skipped,
            bytes: code.len(),
        })
    }
}
