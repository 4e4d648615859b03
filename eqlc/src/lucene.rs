//! Translation of Lucene regular expressions into the `regex` crate's syntax.
//!
//! EQL's `regex` operator uses Lucene's `RegExp` syntax and matches the whole
//! value. This module parses that syntax the way Lucene's recursive-descent
//! parser does, so its corners carry over: `^` and `$` are plain characters,
//! `\` makes any character literal, `"…"` quotes a literal string, `.`
//! matches any character including a newline, `@` matches any string and `#`
//! nothing. The output is anchored with `\A(?:…)\z`.
//!
//! For `regex~`, folding follows Lucene's ASCII case-insensitive flag: single
//! ASCII letters match either case, while ranges such as `[a-z]` are kept as
//! written.
//!
//! Lucene operators with no equivalent in the `regex` crate (intersection
//! `&`, complement `~`, named automata `<name>`) are errors that name the
//! construct, never approximations.

use std::fmt::Write;

/// A pattern that cannot be translated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError {
    pub message: String,
    pub help: Option<String>,
    /// Character offset in the pattern where the problem is.
    pub offset: usize,
}

/// The longest numeric interval `<n-m>` expanded into an alternation.
const MAX_INTERVAL: u64 = 10_000;

/// Translates a Lucene pattern to an anchored `regex` crate pattern.
pub fn translate(pattern: &str, insensitive: bool) -> Result<String, RegexError> {
    let body = translate_unanchored(pattern, insensitive)?;
    Ok(format!("\\A(?:{body})\\z"))
}

/// Translates without the anchors, for joining several patterns into one.
pub fn translate_unanchored(pattern: &str, insensitive: bool) -> Result<String, RegexError> {
    // Lucene reads an empty pattern as the empty string; anywhere else an
    // empty alternative is an error.
    if pattern.is_empty() {
        return Ok(String::new());
    }
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
        insensitive,
        depth: 0,
    };
    let body = parser.union()?;
    if parser.pos < parser.chars.len() {
        return Err(parser.error(format!(
            "unexpected `{}` in regular expression",
            parser.chars[parser.pos]
        )));
    }
    Ok(body)
}

/// How deeply groups may nest before the pattern is refused.
const MAX_DEPTH: usize = 64;

/// A cursor over the pattern. Each method parses one production of Lucene's
/// grammar starting at `pos` and leaves `pos` after what it consumed.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    insensitive: bool,
    depth: usize,
}

impl Parser {
    fn error(&self, message: String) -> RegexError {
        RegexError {
            message,
            help: None,
            offset: self.pos,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn next(&mut self) -> Result<char, RegexError> {
        match self.peek() {
            Some(c) => {
                self.pos += 1;
                Ok(c)
            }
            None => Err(self.error("regular expression ends too early".into())),
        }
    }

    /// union := inter ('|' inter)*
    fn union(&mut self) -> Result<String, RegexError> {
        let mut alternatives = vec![self.inter()?];
        while self.eat('|') {
            alternatives.push(self.inter()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or_default()
        } else {
            format!("(?:{})", alternatives.join("|"))
        })
    }

    /// inter := concat ('&' inter)?
    fn inter(&mut self) -> Result<String, RegexError> {
        let concat = self.concat()?;
        if self.peek() == Some('&') {
            return Err(RegexError {
                help: Some("write `\\&` to match a literal `&`".into()),
                ..self.error("the Lucene intersection operator `&` has no equivalent in Rust regular expressions".into())
            });
        }
        Ok(concat)
    }

    /// concat := repeat+
    fn concat(&mut self) -> Result<String, RegexError> {
        let mut out = self.repeat()?;
        while let Some(c) = self.peek() {
            if matches!(c, ')' | '|' | '&') {
                break;
            }
            out.push_str(&self.repeat()?);
        }
        Ok(out)
    }

    /// repeat := complement ('?' | '*' | '+' | '{' n (',' m?)? '}')*
    fn repeat(&mut self) -> Result<String, RegexError> {
        let mut atom = self.complement()?;
        loop {
            if self.eat('?') {
                atom = format!("(?:{atom})?");
            } else if self.eat('*') {
                atom = format!("(?:{atom})*");
            } else if self.eat('+') {
                atom = format!("(?:{atom})+");
            } else if self.peek() == Some('{') {
                let start = self.pos;
                self.pos += 1;
                let min = self.integer()?;
                let max = if self.eat(',') {
                    if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        Some(self.integer()?)
                    } else {
                        None
                    }
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    return Err(self.error("expected `}` to close the repetition".into()));
                }
                if let Some(max) = max {
                    if max < min {
                        self.pos = start;
                        return Err(self.error(format!(
                            "repetition `{{{min},{max}}}` has a maximum below its minimum"
                        )));
                    }
                }
                atom = match max {
                    Some(max) if max == min => format!("(?:{atom}){{{min}}}"),
                    Some(max) => format!("(?:{atom}){{{min},{max}}}"),
                    None => format!("(?:{atom}){{{min},}}"),
                };
            } else {
                return Ok(atom);
            }
        }
    }

    fn integer(&mut self) -> Result<u32, RegexError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        if digits.is_empty() {
            return Err(self.error("expected a number in the repetition".into()));
        }
        digits
            .parse()
            .map_err(|_| self.error(format!("repetition count `{digits}` is too large")))
    }

    /// complement := '~' complement | class
    fn complement(&mut self) -> Result<String, RegexError> {
        if self.peek() == Some('~') {
            return Err(RegexError {
                help: Some("write `\\~` to match a literal `~`".into()),
                ..self.error(
                    "the Lucene complement operator `~` has no equivalent in Rust regular expressions"
                        .into(),
                )
            });
        }
        self.class()
    }

    /// class := '[' '^'? item+ ']' | simple
    fn class(&mut self) -> Result<String, RegexError> {
        if !self.eat('[') {
            return self.simple();
        }
        let negated = self.eat('^');
        let mut items = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error("expected `]` to close the character class".into())),
                Some(']') if !items.is_empty() => {
                    self.pos += 1;
                    break;
                }
                _ => items.push_str(&self.class_item()?),
            }
        }
        Ok(format!("[{}{items}]", if negated { "^" } else { "" }))
    }

    /// item := shorthand | char ('-' char)?
    fn class_item(&mut self) -> Result<String, RegexError> {
        if let Some(shorthand) = self.shorthand(true)? {
            return Ok(shorthand.into());
        }
        let first = self.char_exp()?;
        if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&c| c != ']') {
            self.pos += 1;
            let last = self.char_exp()?;
            if last < first {
                return Err(self.error(format!("character range `{first}-{last}` is backwards")));
            }
            return Ok(format!("{}-{}", escape(first), escape(last)));
        }
        Ok(self.literal_in_class(first))
    }

    /// `\d \D \s \S \w \W`, which Lucene 9 reads as classes.
    fn shorthand(&mut self, in_class: bool) -> Result<Option<&'static str>, RegexError> {
        if self.peek() != Some('\\') {
            return Ok(None);
        }
        let class = match (self.chars.get(self.pos + 1), in_class) {
            (Some('d'), false) => "[0-9]",
            (Some('D'), false) => "[^0-9]",
            (Some('s'), false) => "[ \\t\\n\\r]",
            (Some('S'), false) => "[^ \\t\\n\\r]",
            (Some('w'), false) => "[a-zA-Z0-9_]",
            (Some('W'), false) => "[^a-zA-Z0-9_]",
            (Some('d'), true) => "0-9",
            (Some('s'), true) => " \\t\\n\\r",
            (Some('w'), true) => "a-zA-Z0-9_",
            (Some(c @ ('D' | 'S' | 'W')), true) => {
                return Err(self.error(format!(
                    "the negated class `\\{c}` cannot be used inside `[...]`"
                )));
            }
            _ => return Ok(None),
        };
        self.pos += 2;
        Ok(Some(class))
    }

    /// simple := '.' | '#' | '@' | '"' chars '"' | '(' ')' | '(' union ')'
    ///         | '<' interval '>' | shorthand | char
    fn simple(&mut self) -> Result<String, RegexError> {
        let Some(c) = self.peek() else {
            return Err(self.error("regular expression ends too early".into()));
        };
        match c {
            '.' => {
                self.pos += 1;
                Ok("(?s:.)".into())
            }
            '#' => {
                self.pos += 1;
                Ok("[^\\s\\S]".into())
            }
            '@' => {
                self.pos += 1;
                Ok("(?s:.*)".into())
            }
            '"' => {
                self.pos += 1;
                let mut out = String::from("(?:");
                loop {
                    match self.peek() {
                        None => {
                            return Err(self.error("expected `\"` to close the quoted text".into()));
                        }
                        Some('"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            self.pos += 1;
                            out.push_str(&self.literal(c));
                        }
                    }
                }
                out.push(')');
                Ok(out)
            }
            '(' => {
                self.pos += 1;
                if self.eat(')') {
                    return Ok("(?:)".into());
                }
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error(format!(
                        "regular expression nests groups more than {MAX_DEPTH} deep"
                    )));
                }
                let inner = self.union()?;
                self.depth -= 1;
                if !self.eat(')') {
                    return Err(self.error("expected `)` to close the group".into()));
                }
                Ok(format!("(?:{inner})"))
            }
            '<' => self.interval(),
            ')' | '|' | '&' | '?' | '*' | '+' | '{' | ']' => {
                Err(self.error(format!("unexpected `{c}` in regular expression")))
            }
            _ => {
                if let Some(shorthand) = self.shorthand(false)? {
                    return Ok(shorthand.into());
                }
                let c = self.char_exp()?;
                Ok(self.literal(c))
            }
        }
    }

    /// char := '\' any | any
    fn char_exp(&mut self) -> Result<char, RegexError> {
        self.eat('\\');
        self.next()
    }

    /// '<' n '-' m '>': a decimal integer between n and m.
    fn interval(&mut self) -> Result<String, RegexError> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| c != '>') {
            self.pos += 1;
        }
        let body: String = self.chars[start..self.pos].iter().collect();
        if !self.eat('>') {
            return Err(self.error("expected `>` to close the interval".into()));
        }
        let bounds = body
            .split_once('-')
            .filter(|(lo, hi)| {
                !lo.is_empty()
                    && !hi.is_empty()
                    && lo.bytes().all(|b| b.is_ascii_digit())
                    && hi.bytes().all(|b| b.is_ascii_digit())
            })
            .and_then(|(lo, hi)| Some((lo, hi, lo.parse::<u64>().ok()?, hi.parse::<u64>().ok()?)));
        let Some((lo_text, hi_text, lo, hi)) = bounds else {
            self.pos = open;
            return Err(self.error(format!(
                "the Lucene named automaton `<{body}>` has no equivalent in Rust regular expressions"
            )));
        };
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        if hi - lo > MAX_INTERVAL {
            self.pos = open;
            return Err(self.error(format!(
                "the numeric interval `<{body}>` spans more than {MAX_INTERVAL} numbers"
            )));
        }
        let mut out = String::from("(?:");
        if lo_text.len() == hi_text.len() {
            let width = lo_text.len();
            for (i, n) in (lo..=hi).enumerate() {
                if i > 0 {
                    out.push('|');
                }
                let _ = write!(out, "{n:0width$}");
            }
        } else {
            out.push_str("0*(?:");
            for (i, n) in (lo..=hi).enumerate() {
                if i > 0 {
                    out.push('|');
                }
                let _ = write!(out, "{n}");
            }
            out.push(')');
        }
        out.push(')');
        Ok(out)
    }

    fn literal(&self, c: char) -> String {
        if self.insensitive && c.is_ascii_alphabetic() {
            format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
        } else {
            escape(c)
        }
    }

    fn literal_in_class(&self, c: char) -> String {
        if self.insensitive && c.is_ascii_alphabetic() {
            format!("{}{}", c.to_ascii_lowercase(), c.to_ascii_uppercase())
        } else {
            escape(c)
        }
    }
}

/// One character, escaped where the `regex` crate gives it a meaning (in or
/// out of a class).
fn escape(c: char) -> String {
    let mut buffer = [0; 4];
    regex_syntax::escape(c.encode_utf8(&mut buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, insensitive: bool, value: &str) -> bool {
        let translated = translate(pattern, insensitive).expect("pattern translates");
        regex::Regex::new(&translated)
            .expect("translation compiles")
            .is_match(value)
    }

    #[test]
    fn whole_value_only() {
        assert!(matches("ab", false, "ab"));
        assert!(!matches("ab", false, "xab"));
        assert!(!matches("ab", false, "abx"));
        assert!(matches(".*ab.*", false, "xxabyy"));
        assert!(matches(".", false, "\n"));
    }

    #[test]
    fn seed_rule_pattern() {
        let pattern = r".*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}.*";
        assert!(matches(pattern, false, "-L10.0.0.1:8080:192.168.1.5:80"));
        assert!(!matches(pattern, false, "10.0.0.1:192.168.1.5:80"));
    }

    #[test]
    fn lucene_corners() {
        assert!(matches("a^b$", false, "a^b$"));
        assert!(matches("\"a.b\"", false, "a.b"));
        assert!(!matches("\"a.b\"", false, "axb"));
        assert!(matches("a@", false, "anything"));
        assert!(!matches("#", false, ""));
        assert!(matches("a()b", false, "ab"));
        assert!(matches("\\d+", false, "123"));
        assert!(!matches("\\d", false, "\u{663}"));
        assert!(matches("x<1-12>", false, "x7"));
        assert!(matches("x<01-12>", false, "x07"));
        assert!(!matches("x<01-12>", false, "x7"));
        assert!(matches("[\\w.]+", false, "a_b.c"));
    }

    #[test]
    fn insensitive_folds_single_letters_not_ranges() {
        assert!(matches("abc", true, "AbC"));
        assert!(matches("[ab]", true, "B"));
        assert!(!matches("[a-c]", true, "B"));
        assert!(!matches("k", true, "\u{212a}"));
    }

    #[test]
    fn unsupported_operators_are_named() {
        let error = translate("a&b", false).expect_err("intersection");
        assert_eq!(
            error.message,
            "the Lucene intersection operator `&` has no equivalent in Rust regular expressions"
        );
        assert_eq!(error.offset, 1);
        let error = translate("~a", false).expect_err("complement");
        assert!(error.message.contains("complement operator `~`"));
        let error = translate("<name>", false).expect_err("automaton");
        assert_eq!(
            error.message,
            "the Lucene named automaton `<name>` has no equivalent in Rust regular expressions"
        );
        assert_eq!(translate("a{3,1}", false).expect_err("range").offset, 1);
        assert!(translate("(a", false).is_err());
        assert!(translate("[", false).is_err());
        assert!(translate("a)", false).is_err());
        assert!(translate("a|", false).is_err());
        assert!(matches("", false, ""));
        assert!(!matches("", false, "a"));
    }
}
