//! Decoding one line of NDJSON into the fields a rule reads.
//!
//! Two decoders share one walker over the line:
//!
//! - [`Record`] keeps only the ECS paths of a [`PathSet`], the paths a rule or
//!   a rule pack reads, known at compile time. Its [`RecordView`] implements
//!   [`Fields`], so generated matchers read it through constant slots.
//! - [`Document`] keeps every leaf path, for the interpreter and for tools
//!   that look fields up by name at run time.
//!
//! # Semantics
//!
//! A line is flattened the way Elasticsearch indexes a document:
//!
//! - The path of a value is the keys leading to it joined with `.`. Nested
//!   objects and dotted keys are therefore the same at any level:
//!   `{"container":{"image.name":"x"}}`, `{"container.image":{"name":"x"}}`
//!   and `{"container.image.name":"x"}` all give `container.image.name`.
//! - Only leaves are values. An object at a path gives no value there, and
//!   neither does `null` or an empty array.
//! - An array gives each of its elements at the array's own path: arrays of
//!   arrays are flattened, and each object of an array of objects contributes
//!   its leaves under the same prefix (`{"a":[{"b":1},{"b":2}]}` gives `a.b`
//!   the values 1 and 2).
//! - Every value of a path is kept in document order, including the values of
//!   duplicate keys and of keys that spell the same path differently.
//! - Integers that fit in `i64` are [`Value::Int`], larger ones up to
//!   `u64::MAX` are [`Value::UInt`], so `6042695217945480400` keeps its exact
//!   value; every other number is a [`Value::Float`] (one too large for `f64`
//!   becomes infinite). Booleans are [`Value::Bool`].
//! - Strings are borrowed from the line when they hold no escape, and
//!   otherwise unescaped into a buffer of the decoder. A lone UTF-16
//!   surrogate written as `\uD800` becomes U+FFFD, as Lucene stores it.
//! - The top level must be an object. A UTF-8 byte order mark before it and
//!   whitespace around it (such as the `\r` of a CRLF line end) are allowed.
//!
//! Every line is checked in full, including the parts a [`Record`] does not
//! keep, so a line is valid or invalid whatever paths are read.
//!
//! # Errors and limits
//!
//! Invalid UTF-8, invalid JSON, a top level that is not an object, nesting
//! deeper than [`MAX_DEPTH`] objects and arrays, and a line longer than the
//! decoder's limit ([`MAX_LINE`] unless changed) give a [`DecodeError`] with
//! a message and the byte offset, line and column where decoding stopped.
//! No input makes the decoder panic, and the nesting limit bounds its
//! recursion, so no input can overflow the stack.
//!
//! # Allocation
//!
//! A decoder owns its buffers (values, unescaped strings, the current path)
//! and reuses them for every line. Once they have grown to fit the lines seen,
//! decoding allocates nothing: a stream of similar lines is decoded without
//! touching the allocator, which `tests/json_alloc.rs` checks. Subtrees whose
//! path cannot lead to a wanted path are checked and skipped without building
//! anything.
//!
//! The walker is written here rather than on top of `serde_json`, because
//! `serde_json` keeps a scratch buffer per `Deserializer`, and a deserializer
//! borrows the line it reads, so it cannot outlive one line: every line that
//! has an escaped string, or an object nested in a skipped object, would
//! allocate that buffer anew.

use std::fmt;
use std::marker::PhantomData;

use crate::event::{FieldEntry, Fields, Shape};
use crate::value::Value;

/// The default longest line, in bytes, that a decoder accepts: 1 MiB.
pub const MAX_LINE: usize = 1 << 20;

/// The deepest nesting of objects and arrays a line may have, counting the
/// top-level object as one level.
pub const MAX_DEPTH: usize = 128;

/// The ECS paths that a rule or a rule pack reads, known at compile time.
///
/// Generated code implements this trait for each rule pack. [`Record`]
/// checks at compile time that the two constants agree as described below.
pub trait PathSet {
    /// The paths, sorted ascending by bytes and without duplicates (see
    /// [`is_sorted_unique`]). The decoder binary-searches them.
    const PATHS: &'static [&'static str];

    /// The fields of the record shape: entry `i` is
    /// `FieldEntry { name: PATHS[i], shape: Shape::Leaf, first_slot: i }`,
    /// so the slot of a path is its index in [`PathSet::PATHS`].
    const FIELDS: &'static [FieldEntry];
}

/// Whether `paths` is sorted ascending by bytes with no duplicates, as
/// [`PathSet::PATHS`] must be.
pub const fn is_sorted_unique(paths: &[&str]) -> bool {
    let mut index = 1;
    while index < paths.len() {
        if !bytes_less(paths[index - 1].as_bytes(), paths[index].as_bytes()) {
            return false;
        }
        index += 1;
    }
    true
}

/// Whether `fields` is the record shape that [`PathSet::FIELDS`] must be for
/// `paths`: one leaf per path, in the same order, numbered from zero.
const fn fields_match_paths(fields: &[FieldEntry], paths: &[&str]) -> bool {
    if fields.len() != paths.len() {
        return false;
    }
    let mut index = 0;
    while index < fields.len() {
        let field = &fields[index];
        if !bytes_equal(field.name.as_bytes(), paths[index].as_bytes())
            || !matches!(field.shape, Shape::Leaf)
            || field.first_slot as usize != index
        {
            return false;
        }
        index += 1;
    }
    true
}

const fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    let mut index = 0;
    while index < a.len() && index < b.len() {
        if a[index] != b[index] {
            return a[index] < b[index];
        }
        index += 1;
    }
    a.len() < b.len()
}

const fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && !bytes_less(a, b) && !bytes_less(b, a)
}

/// Reusable buffers that decode lines into the values of the paths of `S`.
///
/// ```
/// use eql_core::event::{FieldEntry, Fields, Shape, resolve};
/// use eql_core::json::{PathSet, Record};
/// use eql_core::Value;
///
/// struct Paths;
/// impl PathSet for Paths {
///     const PATHS: &'static [&'static str] = &["event.category", "process.name"];
///     const FIELDS: &'static [FieldEntry] = &[
///         FieldEntry { name: "event.category", shape: Shape::Leaf, first_slot: 0 },
///         FieldEntry { name: "process.name", shape: Shape::Leaf, first_slot: 1 },
///     ];
/// }
///
/// let mut record = Record::<Paths>::new();
/// let line = br#"{"event":{"category":["process"]},"process.name":"ssh"}"#;
/// let view = record.decode(line).unwrap();
/// let slot = resolve(&Shape::Record(Paths::FIELDS), "process.name").unwrap();
/// assert!(view.any_value(slot, &mut |value| value == Value::Str("ssh")));
/// ```
pub struct Record<S: PathSet> {
    /// The longest line accepted, in bytes.
    max_line: usize,
    /// The path and unescaped-string buffers of the walker.
    buffers: Buffers,
    /// Every kept value of the current line, in document order, each linked
    /// to the next value of the same slot.
    values: Vec<Linked>,
    /// The first and last value of each slot, indexed by slot.
    chains: Vec<Chain>,
    paths: PhantomData<fn() -> S>,
}

impl<S: PathSet> Record<S> {
    /// The default longest line accepted, [`MAX_LINE`].
    pub const MAX_LINE: usize = MAX_LINE;

    /// Empty buffers that accept lines up to [`MAX_LINE`] bytes.
    ///
    /// Fails to compile when `S` breaks the rules of [`PathSet`]:
    ///
    /// ```compile_fail
    /// use eql_core::event::{FieldEntry, Shape};
    /// use eql_core::json::{PathSet, Record};
    ///
    /// struct Unsorted;
    /// impl PathSet for Unsorted {
    ///     const PATHS: &'static [&'static str] = &["b", "a"];
    ///     const FIELDS: &'static [FieldEntry] = &[
    ///         FieldEntry { name: "b", shape: Shape::Leaf, first_slot: 0 },
    ///         FieldEntry { name: "a", shape: Shape::Leaf, first_slot: 1 },
    ///     ];
    /// }
    ///
    /// let record = Record::<Unsorted>::new();
    /// ```
    pub fn new() -> Self {
        const {
            assert!(
                is_sorted_unique(S::PATHS),
                "PathSet::PATHS must be sorted by bytes and hold no duplicate"
            );
            assert!(
                fields_match_paths(S::FIELDS, S::PATHS),
                "PathSet::FIELDS must hold one leaf per path of PathSet::PATHS, in order"
            );
        }
        Record {
            max_line: MAX_LINE,
            buffers: Buffers::default(),
            values: Vec::new(),
            chains: Vec::new(),
            paths: PhantomData,
        }
    }

    /// The same decoder with another longest line, in bytes.
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// The longest line accepted, in bytes.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// Decodes one line (without or with its line end) and returns a view of
    /// the values of the paths of `S`. The view borrows the line and these
    /// buffers until the next call.
    pub fn decode<'a>(&'a mut self, line: &'a [u8]) -> Result<RecordView<'a, S>, DecodeError> {
        self.values.clear();
        self.chains.clear();
        self.chains.resize(S::PATHS.len(), Chain::EMPTY);
        let mut sink = SlotSink {
            paths: S::PATHS,
            values: &mut self.values,
            chains: &mut self.chains,
        };
        let text = self.buffers.walk(line, self.max_line, &mut sink)?;
        Ok(RecordView {
            line: text,
            scratch: &self.buffers.scratch,
            values: &self.values,
            chains: &self.chains,
            paths: PhantomData,
        })
    }
}

impl<S: PathSet> Default for Record<S> {
    fn default() -> Self {
        Record::new()
    }
}

impl<S: PathSet> fmt::Debug for Record<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("paths", &S::PATHS)
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

/// The values of one decoded line for the paths of `S`; see [`Record`].
///
/// Slot `i` of its [`Fields`] implementation is `S::PATHS[i]`, and
/// [`Fields::any_value`] visits the values of that path in document order.
pub struct RecordView<'a, S> {
    line: &'a str,
    scratch: &'a str,
    values: &'a [Linked],
    chains: &'a [Chain],
    paths: PhantomData<fn() -> S>,
}

impl<'a, S> RecordView<'a, S> {
    /// The line this view was decoded from.
    pub fn line(&self) -> &'a [u8] {
        self.line.as_bytes()
    }

    fn chain(&self, slot: usize) -> ChainValues<'a> {
        ChainValues {
            next: self.chains.get(slot).map_or(NONE, |chain| chain.first),
            values: self.values,
            line: self.line,
            scratch: self.scratch,
        }
    }
}

impl<S> Clone for RecordView<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for RecordView<'_, S> {}

impl<S: PathSet> Fields for RecordView<'_, S> {
    const SHAPE: Shape = Shape::Record(S::FIELDS);
    const SLOTS: u32 = S::PATHS.len() as u32;

    #[inline]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        match usize::try_from(slot) {
            Ok(slot) => self.chain(slot).any(visit),
            Err(_) => false,
        }
    }
}

impl<S: PathSet> fmt::Debug for RecordView<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (slot, path) in S::PATHS.iter().enumerate() {
            let values = self.chain(slot);
            if values.clone().next().is_some() {
                map.entry(path, &DebugValues(values));
            }
        }
        map.finish()
    }
}

/// Reusable buffers that decode lines into the values of every leaf path.
///
/// ```
/// use eql_core::json::Document;
/// use eql_core::Value;
///
/// let mut document = Document::new();
/// let view = document.decode(br#"{"process":{"args":["ls","-l"]}}"#).unwrap();
/// assert_eq!(view.paths().collect::<Vec<_>>(), ["process.args"]);
/// let args: Vec<Value<'_>> = view.values("process.args").collect();
/// assert_eq!(args, [Value::Str("ls"), Value::Str("-l")]);
/// ```
pub struct Document {
    /// The longest line accepted, in bytes.
    max_line: usize,
    /// The path and unescaped-string buffers of the walker.
    buffers: Buffers,
    /// The paths of the values, end to end; values point into it.
    path_text: String,
    /// Every value of the current line, in document order.
    values: Vec<Entry>,
    /// Indices into `values`, sorted by path and then by document order.
    order: Vec<usize>,
}

impl Document {
    /// The default longest line accepted, [`MAX_LINE`].
    pub const MAX_LINE: usize = MAX_LINE;

    /// Empty buffers that accept lines up to [`MAX_LINE`] bytes.
    pub fn new() -> Self {
        Document {
            max_line: MAX_LINE,
            buffers: Buffers::default(),
            path_text: String::new(),
            values: Vec::new(),
            order: Vec::new(),
        }
    }

    /// The same decoder with another longest line, in bytes.
    pub fn with_max_line(mut self, max_line: usize) -> Self {
        self.max_line = max_line;
        self
    }

    /// The longest line accepted, in bytes.
    pub fn max_line(&self) -> usize {
        self.max_line
    }

    /// Decodes one line (without or with its line end) and returns a view of
    /// all its values. The view borrows the line and these buffers until the
    /// next call.
    pub fn decode<'a>(&'a mut self, line: &'a [u8]) -> Result<DocumentView<'a>, DecodeError> {
        self.path_text.clear();
        self.values.clear();
        self.order.clear();
        let mut sink = PathSink {
            path_text: &mut self.path_text,
            values: &mut self.values,
            last_path: None,
        };
        let text = self.buffers.walk(line, self.max_line, &mut sink)?;

        // An unstable sort does not allocate; the index breaks ties, so the
        // values of one path stay in document order.
        let path_text = self.path_text.as_str();
        let values = self.values.as_slice();
        self.order.extend(0..values.len());
        self.order.sort_unstable_by(|&a, &b| {
            entry_path(values, path_text, a)
                .cmp(entry_path(values, path_text, b))
                .then(a.cmp(&b))
        });

        Ok(DocumentView {
            line: text,
            scratch: &self.buffers.scratch,
            path_text,
            values,
            order: &self.order,
        })
    }
}

impl Default for Document {
    fn default() -> Self {
        Document::new()
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("max_line", &self.max_line)
            .finish_non_exhaustive()
    }
}

/// All values of one decoded line, looked up by path; see [`Document`].
#[derive(Clone, Copy)]
pub struct DocumentView<'a> {
    line: &'a str,
    scratch: &'a str,
    path_text: &'a str,
    values: &'a [Entry],
    order: &'a [usize],
}

impl<'a> DocumentView<'a> {
    /// The line this view was decoded from.
    pub fn line(&self) -> &'a [u8] {
        self.line.as_bytes()
    }

    /// Calls `visit` with each value of `path` until it returns `true`;
    /// returns whether it did. A path the line lacks has no value.
    pub fn any_value_at(&self, path: &str, visit: &mut impl FnMut(Value<'_>) -> bool) -> bool {
        self.values(path).any(visit)
    }

    /// The values of `path`, in document order.
    pub fn values(&self, path: &str) -> impl Iterator<Item = Value<'a>> + use<'a> {
        self.path_values(path)
    }

    /// The distinct paths that have at least one value, sorted by bytes.
    pub fn paths(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let (values, path_text) = (self.values, self.path_text);
        self.order
            .chunk_by(move |&a, &b| {
                entry_path(values, path_text, a) == entry_path(values, path_text, b)
            })
            .filter_map(|run| run.first())
            .map(move |&index| entry_path(values, path_text, index))
    }
}

impl<'a> DocumentView<'a> {
    fn path_values(&self, path: &str) -> PathValues<'a> {
        let (order, values, path_text) = (self.order, self.values, self.path_text);
        let start = order.partition_point(|&index| entry_path(values, path_text, index) < path);
        let end = order.partition_point(|&index| entry_path(values, path_text, index) <= path);
        PathValues {
            indices: order.get(start..end).unwrap_or_default().iter(),
            values,
            line: self.line,
            scratch: self.scratch,
        }
    }
}

impl fmt::Debug for DocumentView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for path in self.paths() {
            map.entry(&path, &DebugValues(self.path_values(path)));
        }
        map.finish()
    }
}

/// Why a line could not be decoded, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
    line: usize,
    column: usize,
}

impl DecodeError {
    fn new(input: &[u8], kind: DecodeErrorKind, offset: usize) -> DecodeError {
        let before = input.get(..offset).unwrap_or(input);
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        DecodeError {
            kind,
            offset,
            line: 1 + before.iter().filter(|&&byte| byte == b'\n').count(),
            column: 1 + offset - line_start,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The byte offset in the input where decoding stopped, from 0.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The line of the input where decoding stopped, from 1. An NDJSON line
    /// has one line, but JSON allows line breaks between tokens.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The column, in bytes from 1, where decoding stopped.
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 1 {
            write!(f, "{} at column {}", self.kind, self.column)
        } else {
            write!(
                f,
                "{} at line {} column {}",
                self.kind, self.line, self.column
            )
        }
    }
}

impl std::error::Error for DecodeError {}

/// The kinds of [`DecodeError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// A backslash in a string is followed by a character that begins no
    /// escape (`None` when the line ends there).
    EscapeInvalid(Option<char>),
    /// `\u` is not followed by four hexadecimal digits.
    EscapeUnicodeInvalid,
    /// The line is longer than the decoder's limit, in bytes.
    LineTooLong { max: usize },
    /// Objects and arrays nest deeper than [`MAX_DEPTH`] levels.
    NestingTooDeep,
    /// A number has a zero followed by more digits before its fraction.
    NumberLeadingZero,
    /// A number is too large for a double (`1e400`): Elasticsearch refuses
    /// such a document rather than store an infinity.
    NumberOutOfRange,
    /// A string holds a control character (below U+0020) that is not escaped.
    StringControlCharacter(char),
    /// A string has no closing quote.
    StringUnterminated,
    /// The line holds a JSON value that is not an object; `found` describes it.
    TopLevelNotObject { found: &'static str },
    /// Something other than whitespace follows the top-level object.
    TrailingCharacters,
    /// The grammar wants `expected` where the line has `found` (`None` for its
    /// end).
    TokenUnexpected {
        expected: &'static str,
        found: Option<char>,
    },
    /// The line is not valid UTF-8.
    Utf8Invalid,
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::EscapeInvalid(Some(found)) => {
                write!(f, "invalid escape `\\{}` in a string", found.escape_debug())
            }
            DecodeErrorKind::EscapeInvalid(None) => {
                f.write_str("string ends in the middle of an escape")
            }
            DecodeErrorKind::EscapeUnicodeInvalid => f.write_str(
                "invalid escape in a string: `\\u` must be followed by four hexadecimal digits",
            ),
            DecodeErrorKind::LineTooLong { max } => {
                write!(f, "line longer than the limit of {max} bytes")
            }
            DecodeErrorKind::NestingTooDeep => {
                write!(f, "objects and arrays nest deeper than {MAX_DEPTH} levels")
            }
            DecodeErrorKind::NumberLeadingZero => f.write_str("number with a leading zero"),
            DecodeErrorKind::NumberOutOfRange => {
                f.write_str("number too large for a double (beyond ±1.8e308)")
            }
            DecodeErrorKind::StringControlCharacter(found) => write!(
                f,
                "unescaped control character U+{:04X} in a string, write it as `\\u{:04x}`",
                u32::from(*found),
                u32::from(*found)
            ),
            DecodeErrorKind::StringUnterminated => f.write_str("string without a closing quote"),
            DecodeErrorKind::TopLevelNotObject { found } => {
                write!(f, "expected an object at the top level, found {found}")
            }
            DecodeErrorKind::TrailingCharacters => {
                f.write_str("unexpected characters after the top-level object")
            }
            DecodeErrorKind::TokenUnexpected { expected, found } => match found {
                Some(found) => write!(f, "expected {expected}, found `{}`", found.escape_debug()),
                None => write!(f, "expected {expected}, found the end of the line"),
            },
            DecodeErrorKind::Utf8Invalid => f.write_str("invalid UTF-8"),
        }
    }
}

// The walker, shared by both decoders. It validates the whole line and tells
// a `Sink` about every value below a path the sink wants.

/// The end of a chain of values.
const NONE: usize = usize::MAX;

const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// A value as stored between decoding and reading: strings are byte ranges,
/// because the buffers that hold values outlive each line.
#[derive(Clone, Copy, Debug)]
enum Raw {
    /// A string without escapes: `line[start..end]`.
    Line(usize, usize),
    /// An escaped string, unescaped into `scratch[start..end]`.
    Scratch(usize, usize),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

impl Raw {
    #[inline]
    fn value<'a>(self, line: &'a str, scratch: &'a str) -> Value<'a> {
        match self {
            Raw::Line(start, end) => Value::Str(line.get(start..end).unwrap_or_default()),
            Raw::Scratch(start, end) => Value::Str(scratch.get(start..end).unwrap_or_default()),
            Raw::Int(n) => Value::Int(n),
            Raw::UInt(n) => Value::UInt(n),
            Raw::Float(n) => Value::Float(n),
            Raw::Bool(b) => Value::Bool(b),
        }
    }
}

/// A value of a [`Record`], linked to the next value of its slot.
#[derive(Clone, Copy, Debug)]
struct Linked {
    raw: Raw,
    next: usize,
}

/// The first and last value of one slot of a [`Record`] (`NONE` if none).
#[derive(Clone, Copy, Debug)]
struct Chain {
    first: usize,
    last: usize,
}

impl Chain {
    const EMPTY: Chain = Chain {
        first: NONE,
        last: NONE,
    };
}

/// The values of one slot of a [`RecordView`], following the chain.
#[derive(Clone)]
struct ChainValues<'a> {
    next: usize,
    values: &'a [Linked],
    line: &'a str,
    scratch: &'a str,
}

impl<'a> Iterator for ChainValues<'a> {
    type Item = Value<'a>;

    #[inline]
    fn next(&mut self) -> Option<Value<'a>> {
        let linked = self.values.get(self.next)?;
        self.next = linked.next;
        Some(linked.raw.value(self.line, self.scratch))
    }
}

/// A value of a [`Document`] and the range of its path in `path_text`.
#[derive(Clone, Copy, Debug)]
struct Entry {
    path_start: usize,
    path_end: usize,
    raw: Raw,
}

/// The values of one path of a [`DocumentView`].
#[derive(Clone)]
struct PathValues<'a> {
    indices: std::slice::Iter<'a, usize>,
    values: &'a [Entry],
    line: &'a str,
    scratch: &'a str,
}

impl<'a> Iterator for PathValues<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Value<'a>> {
        let entry = self.values.get(*self.indices.next()?)?;
        Some(entry.raw.value(self.line, self.scratch))
    }
}

fn entry_path<'a>(values: &[Entry], path_text: &'a str, index: usize) -> &'a str {
    values
        .get(index)
        .and_then(|entry| path_text.get(entry.path_start..entry.path_end))
        .unwrap_or_default()
}

/// Lists values for `Debug`.
struct DebugValues<I>(I);

impl<'a, I: Iterator<Item = Value<'a>> + Clone> fmt::Debug for DebugValues<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// What the walker does with the value at a path.
#[derive(Clone, Copy, Debug)]
struct Target<L> {
    /// Where scalars at this path go, if the sink wants them.
    leaf: Option<L>,
    /// Whether the sink wants some path below this one, so objects here are
    /// walked rather than skipped.
    children: bool,
}

impl<L> Target<L> {
    const SKIP: Target<L> = Target {
        leaf: None,
        children: false,
    };
}

/// Where the walker sends values.
trait Sink {
    /// How the sink identifies a wanted path (a slot, or nothing when the
    /// path itself is enough).
    type Leaf: Copy;

    /// What to do with the value at `path`.
    fn target(&self, path: &str) -> Target<Self::Leaf>;

    /// Receives one scalar value at `path`.
    fn push(&mut self, leaf: Self::Leaf, path: &str, raw: Raw);
}

/// Keeps the values of the paths of a [`PathSet`], by slot.
struct SlotSink<'r> {
    /// Sorted, so a binary search finds a path and the paths below a prefix.
    paths: &'static [&'static str],
    values: &'r mut Vec<Linked>,
    chains: &'r mut [Chain],
}

impl Sink for SlotSink<'_> {
    type Leaf = usize;

    fn target(&self, path: &str) -> Target<usize> {
        let mut index = self.paths.partition_point(|wanted| *wanted < path);
        let leaf = match self.paths.get(index) {
            Some(wanted) if *wanted == path => {
                index += 1;
                Some(index - 1)
            }
            _ => None,
        };
        // The paths below `path` begin with `path.`, so they follow one
        // another in sorted order, after `path` itself and after the paths
        // that continue `path` with a byte below `.` (such as `path-x`).
        let mut children = false;
        while let Some(rest) = self
            .paths
            .get(index)
            .and_then(|wanted| wanted.strip_prefix(path))
        {
            match rest.as_bytes().first() {
                Some(b'.') => children = true,
                Some(byte) if *byte < b'.' => {
                    index += 1;
                    continue;
                }
                _ => {}
            }
            break;
        }
        Target { leaf, children }
    }

    fn push(&mut self, slot: usize, _path: &str, raw: Raw) {
        let index = self.values.len();
        self.values.push(Linked { raw, next: NONE });
        if let Some(chain) = self.chains.get_mut(slot) {
            match self.values.get_mut(chain.last) {
                Some(previous) => previous.next = index,
                None => chain.first = index,
            }
            chain.last = index;
        }
    }
}

/// Keeps every value with its path.
struct PathSink<'d> {
    path_text: &'d mut String,
    values: &'d mut Vec<Entry>,
    /// The range of the last path added to `path_text`, reused while the
    /// values of an array arrive.
    last_path: Option<(usize, usize)>,
}

impl Sink for PathSink<'_> {
    type Leaf = ();

    fn target(&self, _path: &str) -> Target<()> {
        Target {
            leaf: Some(()),
            children: true,
        }
    }

    fn push(&mut self, _leaf: (), path: &str, raw: Raw) {
        let (path_start, path_end) = match self.last_path {
            Some((start, end)) if self.path_text.get(start..end) == Some(path) => (start, end),
            _ => {
                let start = self.path_text.len();
                self.path_text.push_str(path);
                let range = (start, self.path_text.len());
                self.last_path = Some(range);
                range
            }
        };
        self.values.push(Entry {
            path_start,
            path_end,
            raw,
        });
    }
}

/// The buffers the walker reuses from line to line.
#[derive(Debug, Default)]
struct Buffers {
    /// The path of the value being read: the keys leading to it, joined with
    /// `.`, unescaped.
    path: String,
    /// The unescaped text of the line's escaped strings, end to end.
    scratch: String,
}

impl Buffers {
    /// Checks the line's length and encoding, then walks it into `sink`.
    /// Returns the line as text.
    fn walk<'l, K: Sink>(
        &mut self,
        line: &'l [u8],
        max_line: usize,
        sink: &mut K,
    ) -> Result<&'l str, DecodeError> {
        self.path.clear();
        self.scratch.clear();
        if line.len() > max_line {
            return Err(DecodeError::new(
                line,
                DecodeErrorKind::LineTooLong { max: max_line },
                max_line,
            ));
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(error) => {
                return Err(DecodeError::new(
                    line,
                    DecodeErrorKind::Utf8Invalid,
                    error.valid_up_to(),
                ));
            }
        };
        let mut walker = Walker {
            text,
            bytes: line,
            pos: 0,
            depth: 0,
            path: &mut self.path,
            scratch: &mut self.scratch,
            sink,
        };
        match walker.document() {
            Ok(()) => Ok(text),
            Err(fault) => Err(DecodeError::new(line, fault.kind, fault.offset)),
        }
    }
}

/// An error found by the walker, before its line and column are worked out.
#[derive(Debug)]
struct Fault {
    kind: DecodeErrorKind,
    offset: usize,
}

/// A recursive-descent walk over one line that is valid UTF-8.
///
/// Every method that reads a token expects `pos` on its first byte (after any
/// whitespace) and leaves `pos` just past it.
struct Walker<'l, 'b, K> {
    text: &'l str,
    bytes: &'l [u8],
    pos: usize,
    /// How many objects and arrays enclose `pos`.
    depth: usize,
    path: &'b mut String,
    scratch: &'b mut String,
    sink: &'b mut K,
}

impl<K: Sink> Walker<'_, '_, K> {
    fn document(&mut self) -> Result<(), Fault> {
        if self.bytes.starts_with(BYTE_ORDER_MARK) {
            self.pos = BYTE_ORDER_MARK.len();
        }
        self.skip_whitespace();
        let found = match self.peek() {
            Some(b'{') => None,
            Some(b'[') => Some("an array"),
            Some(b'"') => Some("a string"),
            Some(b'-' | b'0'..=b'9') => Some("a number"),
            Some(b't' | b'f') => Some("a boolean"),
            Some(b'n') => Some("`null`"),
            _ => return Err(self.unexpected("an object")),
        };
        if let Some(found) = found {
            return Err(self.fault(DecodeErrorKind::TopLevelNotObject { found }));
        }
        self.object(true, true)?;
        self.skip_whitespace();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.fault(DecodeErrorKind::TrailingCharacters)),
        }
    }

    /// Reads one value at the current path and hands what `target` wants to
    /// the sink. Skips leading whitespace.
    fn value(&mut self, target: Target<K::Leaf>) -> Result<(), Fault> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(target.children, false),
            Some(b'[') => self.array(target),
            Some(b'"') => {
                let string = self.string()?;
                if let Some(leaf) = target.leaf {
                    let raw = self.string_value(string);
                    self.sink.push(leaf, self.path, raw);
                }
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let number = self.number()?;
                if let Some(leaf) = target.leaf {
                    let raw = self.number_value(number);
                    self.sink.push(leaf, self.path, raw);
                }
                Ok(())
            }
            Some(b't') => self.literal(b"true", "`true`", target, Some(Raw::Bool(true))),
            Some(b'f') => self.literal(b"false", "`false`", target, Some(Raw::Bool(false))),
            Some(b'n') => self.literal(b"null", "`null`", target, None),
            _ => Err(self.unexpected("a value")),
        }
    }

    /// Reads an object. When `walk` is set, each key extends the path and
    /// the sink decides what to do with its value; otherwise the object is
    /// only checked. `root` marks the top-level object, whose keys are paths
    /// on their own.
    fn object(&mut self, walk: bool, root: bool) -> Result<(), Fault> {
        self.enter()?;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            return self.leave();
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a string key"));
            }
            let key = self.string()?;
            let mark = self.path.len();
            let target = if walk {
                if !root {
                    self.path.push('.');
                }
                self.push_string(key, PushTo::Path);
                self.sink.target(self.path)
            } else {
                Target::SKIP
            };
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("`:` after an object key"));
            }
            self.pos += 1;
            self.value(target)?;
            self.path.truncate(mark);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => return self.leave(),
                _ => return Err(self.unexpected("`,` or `}`")),
            }
        }
    }

    /// Reads an array; each element is a value at the array's own path.
    fn array(&mut self, target: Target<K::Leaf>) -> Result<(), Fault> {
        self.enter()?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            return self.leave();
        }
        loop {
            self.value(target)?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => return self.leave(),
                _ => return Err(self.unexpected("`,` or `]`")),
            }
        }
    }

    /// Steps into an object or an array, refusing to nest too deep. This
    /// check is what bounds the recursion.
    fn enter(&mut self) -> Result<(), Fault> {
        if self.depth == MAX_DEPTH {
            return Err(self.fault(DecodeErrorKind::NestingTooDeep));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// Steps past the `}` or `]` at `pos`.
    fn leave(&mut self) -> Result<(), Fault> {
        self.depth -= 1;
        self.pos += 1;
        Ok(())
    }

    /// Checks a string and returns where its contents lie.
    fn string(&mut self) -> Result<StringSpan, Fault> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            let Some(stop) = string_stop(rest) else {
                return Err(Fault {
                    kind: DecodeErrorKind::StringUnterminated,
                    offset: open,
                });
            };
            self.pos += stop;
            match rest[stop] {
                b'"' => {
                    let end = self.pos;
                    self.pos += 1;
                    return Ok(StringSpan {
                        start,
                        end,
                        escaped,
                    });
                }
                b'\\' => {
                    escaped = true;
                    self.escape()?;
                }
                control => {
                    return Err(
                        self.fault(DecodeErrorKind::StringControlCharacter(char::from(control)))
                    );
                }
            }
        }
    }

    /// Checks the escape whose backslash is at `pos`.
    fn escape(&mut self) -> Result<(), Fault> {
        match self.bytes.get(self.pos + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 2;
                Ok(())
            }
            Some(b'u') => match self.bytes.get(self.pos + 2..self.pos + 6).and_then(hex4) {
                Some(_) => {
                    self.pos += 6;
                    Ok(())
                }
                None => Err(self.fault(DecodeErrorKind::EscapeUnicodeInvalid)),
            },
            _ => {
                let found = self
                    .text
                    .get(self.pos + 1..)
                    .and_then(|rest| rest.chars().next());
                Err(self.fault(DecodeErrorKind::EscapeInvalid(found)))
            }
        }
    }

    /// The string's value: borrowed from the line, or unescaped into the
    /// scratch buffer.
    fn string_value(&mut self, string: StringSpan) -> Raw {
        if !string.escaped {
            return Raw::Line(string.start, string.end);
        }
        let start = self.scratch.len();
        self.push_string(string, PushTo::Scratch);
        Raw::Scratch(start, self.scratch.len())
    }

    /// Appends the string's unescaped text to a buffer.
    fn push_string(&mut self, string: StringSpan, to: PushTo) {
        let out = match to {
            PushTo::Path => &mut *self.path,
            PushTo::Scratch => &mut *self.scratch,
        };
        let text = self.text.get(string.start..string.end).unwrap_or_default();
        if string.escaped {
            unescape(text, out);
        } else {
            out.push_str(text);
        }
    }

    /// Checks a number and returns where it starts and whether it is an
    /// integer (no fraction, no exponent).
    fn number(&mut self) -> Result<NumberSpan, Fault> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.fault(DecodeErrorKind::NumberLeadingZero));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.unexpected("a digit")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit after the decimal point"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.unexpected("a digit in the exponent"));
            }
            self.digits();
        }
        // Only a number with an exponent or with more than 300 digits can
        // be too large for a double; parse those alone to tell.
        let text = self.text.get(start..self.pos).unwrap_or_default();
        if (text.len() > 300 || text.contains(['e', 'E']))
            && text.parse::<f64>().is_ok_and(f64::is_infinite)
        {
            return Err(Fault {
                kind: DecodeErrorKind::NumberOutOfRange,
                offset: start,
            });
        }
        Ok(NumberSpan { start, integer })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// The value of the number that ends at `pos`.
    fn number_value(&self, number: NumberSpan) -> Raw {
        let text = self.text.get(number.start..self.pos).unwrap_or_default();
        if number.integer {
            if let Ok(n) = text.parse::<i64>() {
                return Raw::Int(n);
            }
            if let Ok(n) = text.parse::<u64>() {
                return Raw::UInt(n);
            }
        }
        // JSON's number syntax is a subset of what `f64` parses, so this
        // cannot fail, and `number` has refused what would be infinite.
        Raw::Float(text.parse::<f64>().unwrap_or(f64::NAN))
    }

    /// Reads `true`, `false` or `null`, handing `raw` to the sink if it wants
    /// it.
    fn literal(
        &mut self,
        word: &[u8],
        name: &'static str,
        target: Target<K::Leaf>,
        raw: Option<Raw>,
    ) -> Result<(), Fault> {
        for &expected in word {
            if self.peek() != Some(expected) {
                return Err(self.unexpected(name));
            }
            self.pos += 1;
        }
        if let (Some(leaf), Some(raw)) = (target.leaf, raw) {
            self.sink.push(leaf, self.path, raw);
        }
        Ok(())
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn fault(&self, kind: DecodeErrorKind) -> Fault {
        Fault {
            kind,
            offset: self.pos,
        }
    }

    /// A fault for the character at `pos`, where `expected` should be.
    fn unexpected(&self, expected: &'static str) -> Fault {
        let found = self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next());
        self.fault(DecodeErrorKind::TokenUnexpected { expected, found })
    }
}

/// The index of the first byte of `bytes` that ends a run of plain string
/// contents: a quote, a backslash or a control character.
///
/// Strings are most of a line, so this looks at eight bytes at a time: a
/// word has a byte below `n` (for `n` up to 128) exactly when
/// `(word - n * ONES) & !word & HIGHS` is not zero, and a byte equal to `b`
/// exactly when `word ^ (b * ONES)` has a byte below 1.
fn string_stop(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let is_stop = |byte: &u8| *byte == b'"' || *byte == b'\\' || *byte < 0x20;

    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        if below(quote, 1) | below(backslash, 1) | below(word, 0x20) != 0 {
            if let Some(index) = chunk.iter().position(is_stop) {
                return Some(offset + index);
            }
        }
        offset += 8;
    }
    let index = chunks.remainder().iter().position(is_stop)?;
    Some(offset + index)
}

/// Where a checked string's contents lie in the line.
#[derive(Clone, Copy, Debug)]
struct StringSpan {
    start: usize,
    end: usize,
    /// Whether the contents hold a backslash escape.
    escaped: bool,
}

/// Where a checked number starts; it ends at the walker's position.
#[derive(Clone, Copy, Debug)]
struct NumberSpan {
    start: usize,
    integer: bool,
}

/// The buffer [`Walker::push_string`] appends to.
#[derive(Clone, Copy, Debug)]
enum PushTo {
    Path,
    Scratch,
}

/// Appends the unescaped form of `text`, the contents of a checked string,
/// to `out`. Surrogate pairs combine; a lone surrogate becomes U+FFFD.
fn unescape(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(backslash) = rest.find('\\') {
        out.push_str(rest.get(..backslash).unwrap_or_default());
        let escape = rest.get(backslash + 1..).unwrap_or_default();
        let (decoded, length) = match escape.as_bytes().first() {
            Some(b'n') => ('\n', 1),
            Some(b't') => ('\t', 1),
            Some(b'r') => ('\r', 1),
            Some(b'b') => ('\u{8}', 1),
            Some(b'f') => ('\u{c}', 1),
            Some(b'u') => unicode_escape(escape),
            Some(&other) => (char::from(other), 1),
            None => break,
        };
        out.push(decoded);
        rest = escape.get(length..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// Decodes `uXXXX` at the start of `escape`, with the `\uXXXX` that follows
/// when the first is a high surrogate, and returns the character and how
/// many bytes of `escape` it used.
fn unicode_escape(escape: &str) -> (char, usize) {
    let bytes = escape.as_bytes();
    let Some(first) = bytes.get(1..5).and_then(hex4) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };
    if (0xD800..0xDC00).contains(&first) && bytes.get(5..7) == Some(b"\\u") {
        if let Some(second) = bytes.get(7..11).and_then(hex4) {
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return (
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER),
                    11,
                );
            }
        }
    }
    (
        char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER),
        5,
    )
}

/// The value of four hexadecimal digits.
fn hex4(digits: &[u8]) -> Option<u32> {
    if digits.len() != 4 {
        return None;
    }
    digits.iter().try_fold(0, |code, &digit| {
        Some(code * 16 + char::from(digit).to_digit(16)?)
    })
}

#[cfg(test)]
mod tests;
