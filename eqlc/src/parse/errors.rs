//! Turning pest's failures into rustc-style diagnostics.
//!
//! Pest reports the position where parsing got furthest and the rules it
//! tried there. Each rule is described in words ([`describe`]): tokens by
//! themselves (`` `where` ``), whole classes by their name ("an expression",
//! "an operator"). The message says what was expected and what was found,
//! with the span on the offending token, and a help when the offending token
//! is a known mistake (`=`, `AND`, `&&`, …).

use pest::error::{Error, ErrorVariant, InputLocation};

use crate::ast::Span;
use crate::diagnostic::Diagnostic;

use super::Rule;
use super::scan::token_end;

/// The keywords of EQL, all lower case.
const KEYWORDS: &[&str] = &[
    "and", "any", "by", "false", "in", "join", "like", "maxspan", "not", "null", "of", "or",
    "regex", "sample", "sequence", "true", "until", "where", "with",
];

/// The diagnostic for a failed parse of `text`.
pub(super) fn syntax_error(text: &str, error: Error<Rule>) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(position) => position,
        InputLocation::Span((start, _)) => start,
    };
    let found = token_at(text, position);
    match error.variant {
        ErrorVariant::ParsingError { positives, .. } => expected_error(text, found, &positives),
        ErrorVariant::CustomError { message } => {
            Diagnostic::error(found, format!("query is too complex to parse: {message}"))
                .with_help("split the query into simpler rules")
        }
    }
}

/// What a rule stands for in an "expected …" list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    /// A token or construct, named as it is written.
    Token(&'static str),
    Literal,
    Expression,
    Operator,
    End,
    /// A rule worth naming only when nothing else is expected: the optional
    /// continuations of a field or function name, which are rarely what the
    /// user meant.
    Noise(&'static str),
}

impl Expected {
    fn words(self) -> &'static str {
        match self {
            Expected::Token(words) | Expected::Noise(words) => words,
            Expected::Literal => "a literal",
            Expected::Expression => "an expression",
            Expected::Operator => "an operator",
            Expected::End => "the end of the query",
        }
    }
}

/// How a rule is named in an error message.
fn describe(rule: Rule) -> Expected {
    use Expected::{End, Expression, Literal, Noise, Operator, Token};
    match rule {
        Rule::EOI => End,
        Rule::query => Token("an event category, `sequence` or `sample`"),
        Rule::event_filter | Rule::event_category | Rule::kw_any => Token("an event category"),
        Rule::sequence | Rule::kw_sequence => Token("`sequence`"),
        Rule::sample | Rule::kw_sample => Token("`sample`"),
        Rule::join | Rule::kw_join => Token("`join`"),
        Rule::maxspan | Rule::step_param | Rule::kw_with => Token("`with`"),
        Rule::kw_maxspan => Token("`maxspan`"),
        Rule::time_unit => Token("a time unit"),
        Rule::sequence_step | Rule::join_term | Rule::subquery | Rule::lbracket => Token("`[`"),
        Rule::missing_open => Token("`![`"),
        Rule::until_clause | Rule::join_until | Rule::kw_until => Token("`until`"),
        Rule::join_keys | Rule::kw_by => Token("`by`"),
        Rule::pipe | Rule::pipe_bar => Token("`|`"),
        Rule::pipe_name => Token("a pipe name"),
        Rule::kw_where => Token("`where`"),

        Rule::expression_input
        | Rule::expression
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::lineage
        | Rule::comparison
        | Rule::additive
        | Rule::multiplicative
        | Rule::unary
        | Rule::predicated
        | Rule::group
        | Rule::call
        | Rule::function_name
        | Rule::field
        | Rule::kw_not
        | Rule::op_neg
        | Rule::op_plus
        | Rule::paren_open
        | Rule::optional_mark => Expression,

        Rule::in_predicate
        | Rule::match_predicate
        | Rule::kw_and
        | Rule::kw_or
        | Rule::kw_in
        | Rule::kw_in_insensitive
        | Rule::in_negation
        | Rule::kw_like
        | Rule::kw_like_insensitive
        | Rule::kw_regex
        | Rule::kw_regex_insensitive
        | Rule::op_colon
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_lt
        | Rule::op_ge
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod => Operator,

        Rule::literal | Rule::kw_null | Rule::kw_true | Rule::kw_false => Literal,
        Rule::number | Rule::float | Rule::integer => Token("a number"),
        Rule::string | Rule::raw_string | Rule::quoted_string => Token("a string"),
        Rule::ident | Rule::quoted_ident => Token("an identifier"),
        Rule::pattern_list | Rule::in_open | Rule::list_open => Token("`(`"),
        Rule::rparen => Token("`)`"),
        Rule::rbracket => Token("`]`"),
        Rule::comma => Token("`,`"),
        Rule::equals => Token("`=`"),

        Rule::dot => Noise("`.`"),
        Rule::index | Rule::index_open => Noise("`[`"),
        Rule::call_open => Noise("`(`"),
        Rule::tilde => Noise("`~`"),
        Rule::kw_of => Noise("`of`"),
        Rule::keyword => Noise("a keyword"),

        // Silent rules: pest never reports them.
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::line_comment
        | Rule::block_comment
        | Rule::query_body
        | Rule::compare_op
        | Rule::match_op
        | Rule::primary
        | Rule::field_segment
        | Rule::exponent
        | Rule::escape
        | Rule::ident_char => Noise("a token"),
    }
}

/// "expected …, found …", with the special cases that deserve their own
/// message or a help.
fn expected_error(text: &str, found: Span, positives: &[Rule]) -> Diagnostic {
    let found_text = text.get(found.range()).unwrap_or("");
    let at_query_start = positives.contains(&Rule::query) || positives.contains(&Rule::kw_sequence);
    let mut expected: Vec<Expected> = if at_query_start {
        // Whichever alternatives pest names at the start, say it one way.
        vec![describe(Rule::query)]
    } else {
        positives.iter().map(|&rule| describe(rule)).collect()
    };
    if expected
        .iter()
        .any(|item| !matches!(item, Expected::Noise(_)))
    {
        expected.retain(|item| !matches!(item, Expected::Noise(_)));
    }
    expected.sort();
    expected.dedup_by_key(|item| item.words());
    let words: Vec<&str> = expected.iter().map(|item| item.words()).collect();

    if at_query_start && only_comments(text) {
        return Diagnostic::error(found, "query is empty")
            .with_help("write a query such as `process where process.name == \"cmd.exe\"`");
    }

    // Operators of other languages. `||` fails at its second `|`, the first
    // one having been read as a pipe.
    let after_bar = found_text == "|" && text[..found.start as usize].ends_with('|');
    let foreign = match found_text {
        "&&" => Some(("&&", "and", found)),
        "|" if after_bar => Some((
            "||",
            "or",
            Span::new(found.start as usize - 1, found.end as usize),
        )),
        "!" if expects_value(positives) => Some(("!", "not", found)),
        _ => None,
    };
    if let Some((operator, instead, span)) = foreign {
        return Diagnostic::error(span, format!("`{operator}` is not an EQL operator"))
            .with_help(format!("use `{instead}`"));
    }
    if found_text == "=" {
        return Diagnostic::error(found, "`=` is not a comparison operator")
            .with_help("use `==` to compare");
    }

    let found_words = if found.is_empty() {
        "the end of the query".to_owned()
    } else {
        format!("`{}`", shorten(found_text))
    };
    let message = match words.as_slice() {
        [] => format!("unexpected {found_words}"),
        ["`where`"] => format!("expected `where` after the event category, found {found_words}"),
        ["`(`"] if positives.contains(&Rule::in_open) => {
            format!("expected `(` after `in`, found {found_words}")
        }
        _ if negating_in(positives) => format!("expected `in` after `not`, found {found_words}"),
        _ => format!("expected {}, found {found_words}", list(&words)),
    };
    let mut diagnostic = Diagnostic::error(found, message);
    if let Some(help) = help_for(found_text, positives, at_query_start) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// A help text for a known mistake at the offending token.
fn help_for(found_text: &str, positives: &[Rule], at_query_start: bool) -> Option<String> {
    if let Some(c) = found_text.chars().next().filter(|&c| is_invisible(c)) {
        return Some(format!(
            "the query holds an invisible character, U+{:04X}, here; delete it",
            u32::from(c)
        ));
    }
    let lower = found_text.to_ascii_lowercase();
    if lower != found_text && KEYWORDS.contains(&lower.as_str()) {
        return Some(format!("keywords are lower case: `{lower}`"));
    }
    if KEYWORDS.contains(&found_text) && expects_value(positives) {
        return Some(format!(
            "`{found_text}` is a keyword; write it in back-quotes to use it as a field name"
        ));
    }
    let expects_step = positives
        .iter()
        .any(|rule| matches!(rule, Rule::subquery | Rule::missing_open));
    if found_text == "!" && expects_step {
        return Some("a missing event is written `![`, without a space".to_owned());
    }
    if found_text == "~" {
        return Some(
            "write `~` directly after the function name or operator, without a space: \
             `startsWith~(`, `in~`, `like~`, `regex~`"
                .to_owned(),
        );
    }
    if positives.contains(&Rule::in_open) {
        return Some("`in` takes a parenthesised list: `x in (\"a\", \"b\")`".to_owned());
    }
    if negating_in(positives) {
        let operator = match found_text {
            ":" | "like" | "like~" | "regex" | "regex~" => found_text,
            _ => ":",
        };
        return Some(format!(
            "only `in` can be negated in place; put `not` before the whole test: \
             `not x {operator} \"…\"`"
        ));
    }
    if found_text == "where" && at_query_start {
        return Some(
            "a query starts with its event category: `process where …`, or `any where …`"
                .to_owned(),
        );
    }
    None
}

/// Whether a value (an expression, a literal or a field name) could follow.
fn expects_value(positives: &[Rule]) -> bool {
    positives.iter().any(|&rule| {
        matches!(describe(rule), Expected::Expression | Expected::Literal) || rule == Rule::ident
    })
}

/// Whether only `in` could follow: the parser read `not` after a value.
fn negating_in(positives: &[Rule]) -> bool {
    !positives.is_empty()
        && positives
            .iter()
            .all(|rule| matches!(rule, Rule::kw_in | Rule::kw_in_insensitive))
}

/// `a`, `a or b`, `a, b or c`.
fn list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Whether the text holds nothing but whitespace and comments.
fn only_comments(text: &str) -> bool {
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        if let Some(comment) = rest.strip_prefix("//") {
            rest = comment.find(['\r', '\n']).map_or("", |end| &comment[end..]);
        } else if rest.starts_with("/*") {
            // The scan has checked that block comments are closed.
            rest = skip_block_comment(rest);
        } else {
            return false;
        }
        rest = rest.trim_start();
    }
    true
}

/// `text` after the nested block comment it starts with.
fn skip_block_comment(text: &str) -> &str {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(rest) = text.get(at..) {
        if rest.starts_with("/*") {
            depth += 1;
            at += 2;
        } else if rest.starts_with("*/") {
            depth = depth.saturating_sub(1);
            at += 2;
            if depth == 0 {
                return text.get(at..).unwrap_or("");
            }
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
        if at >= text.len() {
            break;
        }
    }
    ""
}

/// The token at byte `at`: a word, a number, a string, a two-character
/// operator, or one character. Empty at the end of the text.
fn token_at(text: &str, at: usize) -> Span {
    let Some(rest) = text.get(at..) else {
        return Span::new(text.len(), text.len());
    };
    let Some(first) = rest.chars().next() else {
        return Span::new(at, at);
    };
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '@';
    let len = if is_word(first) {
        rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
    } else if first == '"' || first == '`' {
        // The scan has checked that strings and quoted identifiers are
        // closed; show the whole token.
        token_end(text, at).map_or(1, |end| end - at)
    } else if ["==", "!=", "<=", ">=", "![", "&&", "||"]
        .iter()
        .any(|operator| rest.starts_with(operator))
    {
        2
    } else {
        first.len_utf8()
    };
    Span::new(at, at + len)
}

/// The token as shown in a message: at most 30 characters.
fn shorten(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    let cut = first_line.chars().count() > 30 || first_line.len() < text.len();
    let mut short: String = first_line.chars().take(30).flat_map(visible).collect();
    if cut {
        short.push('…');
    }
    short
}

/// `c` as a message shows it: a character that prints nothing or looks like
/// a space (a control or format character, a space other than U+0020) as
/// its escape, `\u{200b}`, so that a reader sees what is there.
fn visible(c: char) -> Vec<char> {
    if is_invisible(c) {
        c.escape_unicode().collect()
    } else {
        vec![c]
    }
}

fn is_invisible(c: char) -> bool {
    c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fff8}'
        )
}
