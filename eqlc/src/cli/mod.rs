//! The subcommands of `eqlc`, and what they share: reading rule files and
//! reporting diagnostics against them.

pub mod check;
pub mod expand;
pub mod run;

use std::fmt;
use std::io::IsTerminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use eqlc::rule_file::{RuleFile, parse_rule_file};
use eqlc::{CompiledQuery, Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

/// A rule read from a file, with the text its spans point into.
pub struct Source {
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    /// Where the query starts in `text`.
    pub query_offset: usize,
    /// The rule's metadata; for a `.eql` file, made up from its name.
    pub rule: RuleFile,
}

/// Reads a `.toml` rule file or a `.eql` query file. `Ok(Err(reason))` for
/// a rule in another query language, which is passed over.
pub fn read_source(path: &Path) -> Result<Result<Source, String>, String> {
    let extension = path.extension().and_then(|ext| ext.to_str());
    let is_eql = extension == Some("eql");
    if !is_eql && extension != Some("toml") {
        return Err(format!(
            "{}: not a rule file: eqlc reads `.toml` rule files and `.eql` queries",
            path.display()
        ));
    }
    let mut text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    // A byte order mark, which some editors write, is not part of the rule.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if is_eql {
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rule = RuleFile {
            rule_id: name.clone(),
            name,
            description: String::new(),
            severity: "low".into(),
            risk_score: 0,
            language: "eql".into(),
            query: text.clone(),
            index: Vec::new(),
            event_category_override: None,
            tactics: Vec::new(),
            techniques: Vec::new(),
            query_offset: Some(0),
        };
        return Ok(Ok(Source {
            path: path.to_path_buf(),
            text,
            query_offset: 0,
            rule,
        }));
    }
    let rule = parse_rule_file(&text)
        .map_err(|error| format!("{}: invalid rule file: {error}", path.display()))?;
    if rule.language != "eql" {
        return Ok(Err(format!("a `{}` rule, not EQL", rule.language)));
    }
    let query_offset = rule.query_offset.unwrap_or(0);
    Ok(Ok(Source {
        path: path.to_path_buf(),
        text,
        query_offset,
        rule,
    }))
}

impl Source {
    /// Compiles the rule, an event query, a sequence or a sample, with the
    /// options its file asks for.
    pub fn compile(&self) -> Result<CompiledQuery, Vec<Diagnostic>> {
        eqlc::compile_query(&self.rule.query, &self.options())
            .map_err(|diagnostics| diagnostics.items)
    }

    /// The compiler options the rule's file asks for.
    pub fn options(&self) -> eqlc::Options {
        eqlc::pack::rule_options(&self.rule)
    }

    /// `diagnostic` drawn against the file, with a caret under its span.
    ///
    /// When the query's place in the file is unknown (a TOML string with
    /// escapes), it is drawn against the query alone. Lines around the span
    /// that are longer than [`LONG_LINE`] are drawn as a window around the
    /// caret instead of whole: miette draws whole lines and cannot place a
    /// caret past column 65 535.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let (name, text, offset) = match self.rule.query_offset {
            Some(_) => (
                self.path.display().to_string(),
                self.text.as_str(),
                self.query_offset,
            ),
            None => (
                format!("{} (query)", self.path.display()),
                self.rule.query.as_str(),
                0,
            ),
        };
        let mut start = (offset + diagnostic.span.start as usize).min(text.len());
        let mut end = (offset + diagnostic.span.end as usize).clamp(start, text.len());
        // An error at the end of the query ("expected an expression") is
        // drawn just after its last character, not on a later line.
        let query_end = (offset + self.rule.query.trim_end().len()).min(text.len());
        if start >= query_end {
            start = query_end;
            end = query_end;
        }
        if long_line_near(text, start) {
            let mut in_text = diagnostic.clone();
            in_text.span = eqlc::ast::Span::new(start, end);
            let severity = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let position = eqlc::Position::of(text, start);
            return format!(
                "{severity}: {name}:{}:{}: {}\n{}\n",
                position.line,
                position.column,
                diagnostic.message,
                in_text.excerpt(text)
            );
        }
        // A label over many lines (a query too long) is drawn on its first
        // line only, not as the whole query.
        let label = text.get(start..end).unwrap_or("");
        if label.bytes().filter(|&b| b == b'\n').count() > MAX_LABEL_LINES {
            end = label.find('\n').map_or(end, |newline| start + newline);
        }
        // miette draws no label past the end of the text: give it a space
        // to sit on.
        let mut shown = lone_returns_as_newlines(text);
        if start >= shown.len() {
            shown.push(' ');
        }
        let report = Report {
            diagnostic: diagnostic.clone(),
            source: NamedSource::new(name, shown),
            span: SourceSpan::from((start, (end - start).max(1))),
        };
        let theme = if std::io::stderr().is_terminal() {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        if handler.render_report(&mut out, &report).is_err() {
            return diagnostic.render(&self.rule.query);
        }
        out
    }
}

/// `text` with every `\r` not followed by `\n` turned into `\n`, byte for
/// byte, so that miette, which ends lines at `\n` only, numbers the lines of
/// a file with old Mac line ends as [`eqlc::Position`] does.
fn lone_returns_as_newlines(text: &str) -> String {
    let bytes = text.as_bytes();
    text.char_indices()
        .map(|(at, c)| {
            if c == '\r' && bytes.get(at + 1) != Some(&b'\n') {
                '\n'
            } else {
                c
            }
        })
        .collect()
}

/// The exit status of a program killed by `SIGPIPE`, as shells report it.
pub const CLOSED_PIPE: u8 = 128 + 13;

/// Writes `args` to standard error. When the reader of a pipe has gone
/// (`eqlc check … 2>&1 | head`), nothing more can be said, and the program
/// ends at once with [`CLOSED_PIPE`], as a Unix tool killed by `SIGPIPE`
/// does, instead of panicking as `eprint!` would. Other failures are
/// ignored: there is nowhere left to report them.
pub fn write_err(args: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    if let Err(error) = stderr.write_fmt(args) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(CLOSED_PIPE));
        }
    }
}

/// Writes `args` to standard output, flushed, so that a failure is seen
/// here and not lost at exit: a closed pipe ends the program as in
/// [`write_err`]; any other failure (a full disk under `eqlc expand >
/// out.rs`) is reported on standard error and ends it with status 1.
pub fn write_out(args: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(CLOSED_PIPE));
        }
        write_err(format_args!("error: cannot write the output: {error}\n"));
        std::process::exit(1);
    }
}

/// `count` followed by the singular or plural noun: `1 rule`, `2 rules`.
pub fn counted(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The most lines a label spans before it is cut to its first line.
const MAX_LABEL_LINES: usize = 8;

/// The longest line, in bytes, that [`Source::render`] lets miette draw.
const LONG_LINE: usize = 400;

/// Whether the line holding byte `at` of `text`, or the line before or after
/// it, is longer than [`LONG_LINE`].
fn long_line_near(text: &str, at: usize) -> bool {
    let at = at.min(text.len());
    let bytes = text.as_bytes();
    let line_start = bytes[..at]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |newline| newline + 1);
    let line_end = bytes[at..]
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(bytes.len(), |newline| at + newline);
    let before = bytes[..line_start.saturating_sub(1)]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |newline| newline + 1);
    let after = bytes[(line_end + 1).min(bytes.len())..]
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(bytes.len(), |newline| line_end + 1 + newline);
    line_start.saturating_sub(before) > LONG_LINE
        || line_end - line_start > LONG_LINE
        || after.saturating_sub(line_end + 1) > LONG_LINE
}

/// A diagnostic of eqlc shaped for miette.
#[derive(Debug)]
struct Report {
    diagnostic: Diagnostic,
    source: NamedSource<String>,
    /// Where the label goes in the source.
    span: SourceSpan,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_with_span(
            self.diagnostic.label.clone().or(Some("here".into())),
            self.span,
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// The rule files under `path` (itself, if it is a file), sorted.
pub fn rule_paths(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|error| format!("cannot read {}: {error}", folder.display()))?;
        for entry in entries {
            let path = entry
                .map_err(|error| format!("cannot read {}: {error}", folder.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|ext| ext == "toml" || ext == "eql")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
