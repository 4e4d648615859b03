//! The syntax tree of an EQL query, as written.
//!
//! Every node carries the byte [`Span`] of the source text it was parsed
//! from, so every later stage can point at what the user wrote. Nothing here
//! is checked: a tree may name unknown functions, compare fields with fields
//! or use constructs Elasticsearch rejects (`join`, lineage, array indexes,
//! pipes other than `head`/`tail`). The checker decides.

use std::fmt;

/// A byte range `start..end` into the query text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

/// A whole statement: a query followed by zero or more pipes.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub body: QueryBody,
    pub pipes: Vec<Pipe>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum QueryBody {
    /// `process where …` or `any where …`.
    Event(EventQuery),
    Sequence(Sequence),
    Sample(Sample),
    /// `join …`: parsed so that the checker can reject it with a span.
    Join(Join),
}

/// `category where condition`, alone or inside `[…]`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    pub category: Category,
    pub condition: Expr,
    pub span: Span,
}

/// The word before `where`.
#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    /// `any`: no category test.
    Any(Span),
    /// An identifier or a string (`process`, `"my-category"`).
    Named(Spanned<String>),
}

/// `sequence [by k, …] [with maxspan=N unit] step+ [until step]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// Keys shared by every step (`sequence by host.id`).
    pub by: Vec<Expr>,
    pub maxspan: Option<MaxSpan>,
    /// Set when `with maxspan` was written before `by`, which Elasticsearch
    /// rejects; kept so the checker can say so.
    pub with_before_by: Option<Span>,
    pub steps: Vec<SequenceStep>,
    pub until: Option<SequenceStep>,
    pub span: Span,
}

/// `with maxspan=5m`: the number and unit as written, checked later.
#[derive(Clone, Debug, PartialEq)]
pub struct MaxSpan {
    /// The number as written (`5`, `0.5`).
    pub value: Spanned<String>,
    /// The unit identifier directly after the number (`m`, `ms`), if any.
    pub unit: Option<Spanned<String>>,
    pub span: Span,
}

/// One `[…]` or `![…]` step of a sequence, with its own keys and parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceStep {
    pub query: EventQuery,
    /// `![…]`: a missing-event step.
    pub missing: bool,
    pub by: Vec<Expr>,
    /// `with name=value` after the step; Elasticsearch knows only `runs`.
    pub params: Vec<StepParam>,
    pub span: Span,
}

/// `with runs=3` after a sequence step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepParam {
    pub name: Spanned<String>,
    /// The number as written.
    pub value: Spanned<String>,
    pub span: Span,
}

/// `sample [by k, …] term+`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub by: Vec<Expr>,
    pub terms: Vec<JoinTerm>,
    pub span: Span,
}

/// `join [by k, …] term+ [until term]`: accepted by the grammar only.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub by: Vec<Expr>,
    pub terms: Vec<JoinTerm>,
    pub until: Option<JoinTerm>,
    pub span: Span,
}

/// A `[…] [by …]` term of a sample or join.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinTerm {
    pub query: EventQuery,
    /// `![…]` is not valid here; kept so the checker can reject it.
    pub missing: bool,
    pub by: Vec<Expr>,
    pub span: Span,
}

/// `| name arg, …`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipe {
    pub name: Spanned<String>,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// An expression; conditions are expressions of boolean type.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Field(FieldRef),
    /// `name(args)` or `name~(args)`; the name is kept as written.
    Call {
        name: Spanned<String>,
        /// Written with `~` directly after the name.
        insensitive: bool,
        args: Vec<Expr>,
    },
    /// `-x`, `+x`.
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `a + b`, `a * b`, ….
    Arith {
        op: ArithOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `a == b`, `a < b`, ….
    Compare {
        op: CompareOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `x in (…)`, `x in~ (…)`, `x not in (…)`, `x not in~ (…)`.
    In {
        value: Box<Expr>,
        negated: bool,
        insensitive: bool,
        list: Vec<Expr>,
    },
    /// `x : p`, `x like (p, q)`, `x regex~ p`, ….
    Match {
        value: Box<Expr>,
        op: MatchOp,
        /// The patterns; literals in valid queries, checked later.
        patterns: Vec<Expr>,
        /// Written as a parenthesised list (`x : ("a", "b")`).
        list: bool,
    },
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `descendant of […]`, `child of […]`, `event of […]`: parsed only so
    /// that the checker can reject them.
    Lineage {
        relation: Spanned<String>,
        query: Box<EventQuery>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    /// An integer literal that fits in 64 unsigned bits; larger ones are
    /// read as [`Literal::Float`], as Elasticsearch does. Literals have no
    /// sign: `-1` is a unary minus applied to `1`.
    Integer(u64),
    Float(f64),
    /// A string after escape processing (`"…"`) or verbatim (`"""…"""`).
    String(String),
}

/// A field path such as `process.parent.name` or `?process.args`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    /// Written with a leading `?`.
    pub optional: bool,
    /// The path segments, back-quotes removed (a back-quoted segment may
    /// itself contain dots).
    pub segments: Vec<Spanned<String>>,
    /// `[0]` array indexes; Elasticsearch rejects them, so they are kept only
    /// for the checker's error.
    pub indexes: Vec<Span>,
}

impl FieldRef {
    /// The dotted path as Elasticsearch sees it (`process.parent.name`).
    pub fn path(&self) -> String {
        let mut path = String::new();
        for (i, segment) in self.segments.iter().enumerate() {
            if i > 0 {
                path.push('.');
            }
            path.push_str(&segment.node);
        }
        path
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `:`: case-insensitive, wildcards.
    Colon,
    /// `like`: case-sensitive, wildcards.
    Like,
    /// `like~`: case-insensitive, wildcards.
    LikeInsensitive,
    /// `regex`: case-sensitive Lucene regular expression.
    Regex,
    /// `regex~`: ASCII case-insensitive Lucene regular expression.
    RegexInsensitive,
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        })
    }
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        })
    }
}

impl fmt::Display for MatchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchOp::Colon => ":",
            MatchOp::Like => "like",
            MatchOp::LikeInsensitive => "like~",
            MatchOp::Regex => "regex",
            MatchOp::RegexInsensitive => "regex~",
        })
    }
}
