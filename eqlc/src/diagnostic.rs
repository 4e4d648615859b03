//! Errors and warnings about a query, each tied to a span of its text.
//!
//! Every stage reports problems as [`Diagnostic`]s and keeps going where it
//! can, so that one run shows every mistake. Messages follow rustc's wording:
//! lower case, no trailing period, EQL constructs in backticks, and a `help`
//! that says what to write instead.

use std::fmt;

use crate::ast::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where in the query text; the caret goes here.
    pub span: Span,
    /// A short text shown under the caret.
    pub label: Option<String>,
    /// What to write instead.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message with the query line, a caret under the span, and the help,
    /// for places that cannot show spans themselves (the macro on stable Rust,
    /// plain-text logs).
    pub fn render(&self, source: &str) -> String {
        let position = Position::of(source, self.span.start as usize);
        format!(
            "{} at line {}, column {}\n{}",
            self.message,
            position.line,
            position.column,
            self.excerpt(source)
        )
    }

    /// The lines under [`Diagnostic::render`]'s first: a window of the
    /// span's line with a caret under the span, its label, and the help.
    pub fn excerpt(&self, source: &str) -> String {
        let position = Position::of(source, self.span.start as usize);
        let mut out = String::new();
        let line_text = source
            .get(position.line_start..)
            .unwrap_or("")
            .split(['\n', '\r'])
            .next()
            .unwrap_or("");
        let line_chars: Vec<char> = line_text.chars().collect();
        let caret_at = position.column - 1;
        // Show a window of the line around the caret, so that a long line
        // (a query written on one line) stays readable.
        let window_start = caret_at.saturating_sub(WINDOW / 2);
        let window_end = (window_start + WINDOW).min(line_chars.len());
        let mut shown: String = line_chars[window_start.min(window_end)..window_end]
            .iter()
            .collect();
        let mut caret_column = caret_at - window_start;
        if window_start > 0 {
            shown.insert(0, '…');
            caret_column += 1;
        }
        if window_end < line_chars.len() {
            shown.push('…');
        }
        let span_chars = source
            .get(self.span.range())
            .map(|text| {
                text.split(['\n', '\r'])
                    .next()
                    .unwrap_or("")
                    .chars()
                    .count()
            })
            .unwrap_or(0)
            .max(1);
        let caret_len = span_chars.min(window_end.saturating_sub(caret_at).max(1));
        out.push_str("  |\n  | ");
        out.push_str(&shown);
        out.push_str("\n  | ");
        out.push_str(&" ".repeat(caret_column));
        out.push_str(&"^".repeat(caret_len));
        if let Some(label) = &self.label {
            out.push(' ');
            out.push_str(label);
        }
        if let Some(help) = &self.help {
            out.push_str("\n  = help: ");
            out.push_str(help);
        }
        out
    }
}

/// How many characters of a line [`Diagnostic::render`] shows at most.
const WINDOW: usize = 120;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// A 1-based line and column (in characters) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    /// Byte offset of the start of the line.
    pub line_start: usize,
}

impl Position {
    pub fn of(source: &str, offset: usize) -> Position {
        let offset = offset.min(source.len());
        let mut line = 1;
        let mut line_start = 0;
        // A line ends at `\n`, `\r\n` (counted at its `\r`) or a lone `\r`.
        let bytes = source.as_bytes();
        for (i, &byte) in bytes.iter().enumerate().take(offset) {
            match byte {
                b'\n' if i > 0 && bytes[i - 1] == b'\r' => line_start = i + 1,
                b'\n' | b'\r' => {
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
        }
        let column = source
            .get(line_start..offset)
            .map(|text| text.chars().count())
            .unwrap_or(offset - line_start)
            + 1;
        Position {
            line,
            column,
            line_start,
        }
    }
}

/// Diagnostics collected by a stage; errors make the stage fail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics {
            items: vec![diagnostic],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_caret_under_the_span() {
        let source = "process where\n  process.name = \"ssh\"";
        let diagnostic =
            Diagnostic::error(Span::new(29, 30), "`=` is not a comparison").with_help("use `==`");
        assert_eq!(
            diagnostic.render(source),
            "`=` is not a comparison at line 2, column 16\n  |\n  |   process.name = \"ssh\"\n  |                ^\n  = help: use `==`"
        );
    }

    #[test]
    fn every_line_ending_counts() {
        for source in [
            "a\nb\nc = 1",
            "a\r\nb\r\nc = 1",
            "a\rb\rc = 1",
            "a\r\nb\rc = 1",
        ] {
            let at = source.find('=').expect("typo");
            let rendered = Diagnostic::error(Span::new(at, at + 1), "bad").render(source);
            assert_eq!(
                rendered, "bad at line 3, column 3\n  |\n  | c = 1\n  |   ^",
                "{source:?}"
            );
        }
        assert_eq!(Position::of("a\r\nb", 2).line, 2);
    }

    #[test]
    fn long_lines_show_a_window_around_the_caret() {
        let source = format!("any where {} and x = 1", vec!["a == 1"; 100].join(" or "));
        let at = source.find(" = 1").expect("typo") + 1;
        let rendered = Diagnostic::error(Span::new(at, at + 1), "bad").render(&source);
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[0], format!("bad at line 1, column {}", at + 1));
        assert!(lines[2].starts_with("  | …"), "{rendered}");
        assert!(lines[2].chars().count() < 130, "{rendered}");
        let caret = lines[3].find('^').expect("caret");
        assert_eq!(lines[2].chars().nth(caret), Some('='), "{rendered}");
    }
}
