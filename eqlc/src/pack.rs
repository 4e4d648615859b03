//! Rule packs: a folder of detection-rule files compiled into one type.
//!
//! [`load_pack`] reads every `.toml` file under a folder (sorted by path, so
//! the output is deterministic), skips rules in other languages with a note,
//! and compiles each EQL rule with its own options. [`emit_pack`] writes one
//! type that evaluates every rule on an event and reports each match.

use std::path::{Path, PathBuf};

use proc_macro2::{Ident, TokenStream};

use crate::emit::EmitContext;
use crate::rule_file::{RuleFile, parse_rule_file};
use crate::{Compiled, Diagnostic, Options};

/// A compiled rule of a pack.
#[derive(Clone, Debug)]
pub struct PackRule {
    pub path: PathBuf,
    pub rule: RuleFile,
    pub compiled: Compiled,
}

/// A folder of rules, compiled.
#[derive(Clone, Debug, Default)]
pub struct Pack {
    pub rules: Vec<PackRule>,
    /// Files that were not compiled, with the reason (another query
    /// language, for instance).
    pub skipped: Vec<(PathBuf, String)>,
}

/// A rule file of a pack that failed, with a message that names the file and
/// the line within it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Every `.toml` file under `dir`, sorted by path.
pub fn rule_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and compiles the rules under `dir`. Every failing file is reported,
/// not only the first.
pub fn load_pack(dir: &Path) -> Result<Pack, Vec<PackError>> {
    load_pack_with(dir, &LoadOptions::default())
}

/// What a pack does with rules it cannot take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Skip (with a note) sequence and sample rules, which a pack of event
    /// rules cannot hold, instead of failing; for compiling a whole rule
    /// repository (`eqlc::sequence::pack` compiles the others).
    pub skip_unsupported: bool,
}

/// [`load_pack`] with options.
pub fn load_pack_with(dir: &Path, options: &LoadOptions) -> Result<Pack, Vec<PackError>> {
    let files = rule_files(dir).map_err(|error| {
        vec![PackError {
            path: dir.to_path_buf(),
            message: format!("cannot read the rule folder: {error}"),
        }]
    })?;
    let mut pack = Pack::default();
    let mut errors = Vec::new();
    for path in files {
        match load_rule_with(&path, options) {
            Ok(Loaded::Rule(rule)) => pack.rules.push(*rule),
            Ok(Loaded::Skipped(reason)) => pack.skipped.push((path, reason)),
            Err(message) => errors.push(PackError { path, message }),
        }
    }
    if errors.is_empty() {
        Ok(pack)
    } else {
        Err(errors)
    }
}

/// A rule file, compiled or passed over.
#[derive(Clone, Debug)]
pub enum Loaded {
    Rule(Box<PackRule>),
    /// Not compiled, for this reason.
    Skipped(String),
}

/// Compiles one rule file; `Ok(None)` when it is in another language.
pub fn load_rule(path: &Path) -> Result<Option<PackRule>, String> {
    match load_rule_with(path, &LoadOptions::default())? {
        Loaded::Rule(rule) => Ok(Some(*rule)),
        Loaded::Skipped(_) => Ok(None),
    }
}

/// Compiles one rule file with options.
pub fn load_rule_with(path: &Path, load: &LoadOptions) -> Result<Loaded, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read: {error}"))?;
    let rule = parse_rule_file(&text).map_err(|error| error.message)?;
    if rule.language != "eql" {
        return Ok(Loaded::Skipped(format!(
            "a `{}` rule, not EQL",
            rule.language
        )));
    }
    let kind = match crate::parse::parse_query(&rule.query).map(|query| query.body) {
        Ok(crate::ast::QueryBody::Sequence(_)) => Some("sequence"),
        Ok(crate::ast::QueryBody::Sample(_)) => Some("sample"),
        _ => None,
    };
    if let Some(kind) = kind {
        let reason = format!(
            "a {kind} rule: name a type for the folder's sequence and sample rules \
             (`sequences = Name` in `eql_pack!`, `PackBuild::sequences`), or compile it \
             with `eql_rule!`"
        );
        return if load.skip_unsupported {
            Ok(Loaded::Skipped(reason))
        } else {
            Err(reason)
        };
    }
    let options = rule_options(&rule);
    let compiled = crate::compile(&rule.query, &options)
        .map_err(|diagnostics| render_in_file(&diagnostics.items, &rule, &text))?;
    Ok(Loaded::Rule(Box::new(PackRule {
        path: path.to_path_buf(),
        rule,
        compiled,
    })))
}

/// The compile options a rule file asks for.
pub fn rule_options(rule: &RuleFile) -> Options {
    let mut options = Options::default();
    if let Some(field) = &rule.event_category_override {
        options.category_field = field.clone();
    }
    options
}

/// Renders diagnostics of a rule's query against the whole file, so that
/// lines and columns are those of the file.
pub fn render_in_file(diagnostics: &[Diagnostic], rule: &RuleFile, file_text: &str) -> String {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|diagnostic| match rule.query_offset {
            Some(offset) => {
                let mut shifted = diagnostic.clone();
                shifted.span.start += offset as u32;
                shifted.span.end += offset as u32;
                shifted.render(file_text)
            }
            None => diagnostic.render(&rule.query),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a pack type is written.
#[derive(Clone, Debug)]
pub struct PackItem<'a> {
    pub attrs: TokenStream,
    pub vis: TokenStream,
    pub name: Ident,
    pub pack: &'a Pack,
    /// Paths to decode besides those the rules read (for alerts).
    pub extra_fields: Vec<String>,
}

/// The pack type: the rules planned together (see [`crate::plan`]) so that
/// one pass over an event serves all of them.
pub fn emit_pack(item: &PackItem<'_>, cx: &EmitContext) -> TokenStream {
    let plan = crate::plan::plan_pack(item.pack, &item.extra_fields);
    crate::emit_pack::emit_planned_pack(
        &crate::emit_pack::PlannedPackItem {
            attrs: item.attrs.clone(),
            vis: item.vis.clone(),
            name: item.name.clone(),
            plan: &plan,
            metas: item
                .pack
                .rules
                .iter()
                .map(|rule| rule.rule.meta())
                .collect(),
            tracked_files: item
                .pack
                .rules
                .iter()
                .map(|rule| rule.path.display().to_string())
                .collect(),
            skipped: item
                .pack
                .skipped
                .iter()
                .map(|(path, reason)| (path.display().to_string(), reason.clone()))
                .collect(),
        },
        cx,
    )
}
