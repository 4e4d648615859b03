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

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::emit::EmitContext;
use crate::pack::{LoadOptions, Pack, PackError, PackItem, emit_pack, load_pack_with, rule_files};
use crate::sequence::pack::{JoinPack, JoinSetItem, emit_join_set, join_paths, load_mixed};

/// A pack to compile from a build script.
#[derive(Clone, Debug)]
pub struct PackBuild {
    dir: PathBuf,
    name: String,
    extra_fields: Vec<String>,
    load: LoadOptions,
    /// The type for the folder's sequence and sample rules, if any.
    sequences: Option<String>,
    runtime: String,
}

/// What a build produced.
#[derive(Clone, Debug, Default)]
pub struct PackSummary {
    /// How many event rules were compiled into the pack.
    pub rules: usize,
    /// How many sequence and sample rules were compiled (with
    /// [`PackBuild::sequences`]).
    pub sequences: usize,
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
            sequences: None,
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

    /// Compiles the folder's sequence and sample rules into a second type,
    /// `name` (see `eql_pack!`'s `sequences`); the pack then also decodes
    /// the fields they read.
    pub fn sequences(mut self, name: &str) -> PackBuild {
        self.sequences = Some(name.to_owned());
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

    /// The generated code, the event pack, and the sequence and sample
    /// rules (empty unless [`PackBuild::sequences`] names their type).
    pub fn generate(&self) -> Result<(TokenStream, Pack, JoinPack), Vec<PackError>> {
        let (pack, joins) = match &self.sequences {
            Some(_) => load_mixed(&self.dir)?,
            None => (self.load()?, JoinPack::default()),
        };
        let runtime: TokenStream = self.runtime.parse().map_err(|_| {
            vec![PackError {
                path: self.dir.clone(),
                message: format!("`{}` is not a path", self.runtime),
            }]
        })?;
        let cx = EmitContext { runtime };
        let name = type_name(&self.name, &self.dir)?;
        let mut extra_fields = self.extra_fields.clone();
        extra_fields.extend(join_paths(&joins));
        let mut tokens = emit_pack(
            &PackItem {
                attrs: quote!(),
                vis: quote!(pub),
                name,
                pack: &pack,
                extra_fields,
            },
            &cx,
        );
        if let Some(sequences) = &self.sequences {
            tokens.extend(emit_join_set(
                &JoinSetItem {
                    attrs: quote!(),
                    vis: quote!(pub),
                    name: type_name(sequences, &self.dir)?,
                    pack: &joins,
                },
                &cx,
            ));
        }
        Ok((tokens, pack, joins))
    }

    /// Writes the generated code to `out` and tells cargo what to watch.
    pub fn write(&self, out: &Path) -> Result<PackSummary, Vec<PackError>> {
        println!("cargo:rerun-if-changed={}", self.dir.display());
        if let Ok(files) = rule_files(&self.dir) {
            for file in files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        let (tokens, pack, joins) = self.generate()?;
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
            sequences: joins.rules.len(),
            skipped: pack.skipped,
            bytes: code.len(),
        })
    }
}

/// A type name given to the build, or an error naming it.
fn type_name(name: &str, dir: &Path) -> Result<Ident, Vec<PackError>> {
    syn::parse_str::<Ident>(name).map_err(|_| {
        vec![PackError {
            path: dir.to_path_buf(),
            message: format!("`{name}` is not a Rust type name"),
        }]
    })
}
