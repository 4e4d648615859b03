//! The lowered form of a query: typed predicates over field reads.
//!
//! A condition is a tree of `and`/`or` over [`Test`]s in negation normal
//! form: `not` survives only as the `negated` flag of a test. A test reads
//! one field and asks whether any of its values satisfies a disjunction of
//! [`ValuePred`]s; a negated test asks that none does, which is also true
//! when the field is missing. This is how Elasticsearch runs EQL: each test
//! becomes a Lucene query on the field, and `not` a `must_not`.
//!
//! Conditions that are not a predicate on one field's values (functions,
//! arithmetic) are kept as [`Scalar`] expressions in [`Cond::Expr`] and
//! evaluated with SQL's three-valued logic; their result `null` counts as
//! false.

use std::fmt;

use eql_core::Number;
use eql_core::date::{DateRange, Resolution};

use crate::ast::{ArithOp, CompareOp, Span};

/// Index of a field in a rule's [`FieldTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// The fields a rule reads, each once, in the order first read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldTable {
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The dotted ECS path.
    pub path: String,
    /// Every reference was written `?path`: an event type without this
    /// field reads it as missing instead of failing to compile.
    pub optional: bool,
    /// Where it was first read, for errors about the field.
    pub span: Span,
}

impl FieldTable {
    /// The id of `path`, adding it if new. A field is optional only if every
    /// reference to it is.
    pub fn intern(&mut self, path: &str, optional: bool, span: Span) -> FieldId {
        if let Some(index) = self.fields.iter().position(|field| field.path == path) {
            let field = &mut self.fields[index];
            field.optional &= optional;
            return FieldId(index as u32);
        }
        self.fields.push(Field {
            path: path.to_owned(),
            optional,
            span,
        });
        FieldId((self.fields.len() - 1) as u32)
    }

    pub fn get(&self, id: FieldId) -> &Field {
        &self.fields[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// A lowered single-event query.
#[derive(Clone, Debug, PartialEq)]
pub struct EventFilter {
    pub condition: Cond,
    pub fields: FieldTable,
}

/// A boolean condition in negation normal form.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Const(bool),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Test(Test),
    /// A general expression of boolean type, true only when it evaluates to
    /// `true` (not `false`, not `null`); `negated` flips that to "not true",
    /// as a `must_not` around a script query does.
    Expr {
        expr: Scalar,
        negated: bool,
    },
}

/// "Some value of `field` satisfies one of `preds`", or with `negated`,
/// "no value does".
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub field: FieldId,
    pub negated: bool,
    pub preds: Vec<ValuePred>,
}

/// A predicate on one value of a field.
#[derive(Clone, Debug, PartialEq)]
pub enum ValuePred {
    /// The value exists (`field != null`; negated: `field == null`).
    Exists,
    /// Equal to one of the strings (`==`, `in`, `:` without wildcards).
    /// With `insensitive`, ASCII letters fold and the strings are stored
    /// lower-cased.
    Strings {
        values: Vec<String>,
        insensitive: bool,
    },
    /// Matches one of the wildcard patterns (`:`, `like`, `like~`).
    Wildcards {
        patterns: Vec<String>,
        insensitive: bool,
    },
    /// Matches one of the Lucene regular expressions as a whole.
    Regex(RegexSet),
    /// Equal to one of the numbers.
    Numbers(Vec<Number>),
    /// Equal to the boolean.
    Bool(bool),
    /// Ordered against a constant (`<`, `<=`, `>`, `>=`; `==`/`!=` on
    /// numbers and strings use the set forms above).
    Compare { op: CompareOp, constant: Constant },
    /// An IP address (or its text) inside one of the blocks (`cidrMatch`).
    Cidr(Vec<eql_core::scalar::Cidr>),
    /// A value of a `date` or `date_nanos` field compared with a date
    /// literal, read when compiling (`@timestamp < "2020-01-01"`): see
    /// [`eql_core::date::compare`]. `op` is never `!=`, which is the
    /// negated test of `==`.
    Date {
        op: CompareOp,
        resolution: Resolution,
        range: DateRange,
    },
    /// A value of a `version` field ordered against a version literal
    /// (`version > "1.5.0"`): see [`eql_core::version::compare`]. `op` is
    /// `<`, `<=`, `>` or `>=`; equality is [`ValuePred::Strings`], since
    /// two versions are equal exactly when their texts are.
    Version { op: CompareOp, constant: String },
}

/// Regular expressions of one `regex`/`regex~` test, merged.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexSet {
    /// The patterns as written (Lucene syntax).
    pub sources: Vec<String>,
    pub insensitive: bool,
    /// One `regex` crate pattern, anchored to the whole value, equivalent to
    /// any of the sources matching.
    pub translated: String,
}

/// A constant a value is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Constant::Null => f.write_str("null"),
            Constant::Bool(b) => write!(f, "{b}"),
            Constant::Number(Number::Int(n)) => write!(f, "{n}"),
            Constant::Number(Number::UInt(n)) => write!(f, "{n}"),
            Constant::Number(Number::Float(n)) => write!(f, "{n:?}"),
            Constant::String(s) => write!(f, "{s:?}"),
        }
    }
}

/// An expression that yields one value or null, for conditions that are
/// not a plain test of a field.
///
/// A condition over a scalar holds when some choice of one value per field
/// it reads (null for a missing field) makes it `true`: Elasticsearch runs
/// such conditions as scripts that iterate over every value of each field.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Constant(Constant),
    Field(FieldId),
    Neg(Box<Scalar>),
    Arith {
        op: ArithOp,
        lhs: Box<Scalar>,
        rhs: Box<Scalar>,
    },
    Compare {
        op: CompareOp,
        lhs: Box<Scalar>,
        rhs: Box<Scalar>,
    },
    /// `x == null`: true when `x` is null (never null itself).
    IsNull(Box<Scalar>),
    Not(Box<Scalar>),
    And(Box<Scalar>, Box<Scalar>),
    Or(Box<Scalar>, Box<Scalar>),
    Call {
        function: Function,
        insensitive: bool,
        args: Vec<Scalar>,
    },
    /// Value predicates applied to a computed value (`concat(a, b) : "x*"`):
    /// null when the value is null.
    Match {
        value: Box<Scalar>,
        preds: Vec<ValuePred>,
    },
}

impl Scalar {
    /// The fields the expression reads, each once, in first-read order.
    pub fn fields(&self) -> Vec<FieldId> {
        let mut fields = Vec::new();
        let mut pending = vec![self];
        while let Some(scalar) = pending.pop() {
            match scalar {
                Scalar::Constant(_) => {}
                Scalar::Field(id) => {
                    if !fields.contains(id) {
                        fields.push(*id);
                    }
                }
                Scalar::Neg(inner) | Scalar::IsNull(inner) | Scalar::Not(inner) => {
                    pending.push(inner)
                }
                Scalar::Match { value, .. } => pending.push(value),
                Scalar::Arith { lhs, rhs, .. }
                | Scalar::Compare { lhs, rhs, .. }
                | Scalar::And(lhs, rhs)
                | Scalar::Or(lhs, rhs) => {
                    pending.push(rhs);
                    pending.push(lhs);
                }
                Scalar::Call { args, .. } => pending.extend(args.iter().rev()),
            }
        }
        fields
    }
}

/// The functions of Elasticsearch EQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    Add,
    Between,
    CidrMatch,
    Concat,
    Divide,
    EndsWith,
    IndexOf,
    Length,
    Modulo,
    Multiply,
    Number,
    StartsWith,
    String,
    StringContains,
    Substring,
    Subtract,
}

impl Function {
    /// Every function, for look-up by name.
    pub const ALL: [Function; 16] = [
        Function::Add,
        Function::Between,
        Function::CidrMatch,
        Function::Concat,
        Function::Divide,
        Function::EndsWith,
        Function::IndexOf,
        Function::Length,
        Function::Modulo,
        Function::Multiply,
        Function::Number,
        Function::StartsWith,
        Function::String,
        Function::StringContains,
        Function::Substring,
        Function::Subtract,
    ];

    /// The documented spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Add => "add",
            Function::Between => "between",
            Function::CidrMatch => "cidrMatch",
            Function::Concat => "concat",
            Function::Divide => "divide",
            Function::EndsWith => "endsWith",
            Function::IndexOf => "indexOf",
            Function::Length => "length",
            Function::Modulo => "modulo",
            Function::Multiply => "multiply",
            Function::Number => "number",
            Function::StartsWith => "startsWith",
            Function::String => "string",
            Function::StringContains => "stringContains",
            Function::Substring => "substring",
            Function::Subtract => "subtract",
        }
    }

    /// Looks a function up by name, ignoring case as Elasticsearch does.
    pub fn lookup(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|function| function.name().eq_ignore_ascii_case(name))
    }

    /// Whether `name~(…)` is allowed.
    pub fn has_insensitive_form(self) -> bool {
        matches!(
            self,
            Function::Between
                | Function::EndsWith
                | Function::IndexOf
                | Function::StartsWith
                | Function::StringContains
        )
    }

    /// The fewest and most arguments (`None`: no upper bound).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Add
            | Function::Divide
            | Function::Modulo
            | Function::Multiply
            | Function::Subtract
            | Function::EndsWith
            | Function::StartsWith
            | Function::StringContains => (2, Some(2)),
            Function::Between => (3, Some(4)),
            Function::CidrMatch => (2, None),
            Function::Concat => (1, None),
            Function::IndexOf => (2, Some(3)),
            Function::Length | Function::String => (1, Some(1)),
            Function::Number => (1, Some(2)),
            Function::Substring => (2, Some(3)),
        }
    }
}

impl Cond {
    /// `and` of `conds`, flattened, with constants folded away.
    pub fn and(conds: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(conds.len());
        for cond in conds {
            match cond {
                Cond::Const(true) => {}
                Cond::Const(false) => return Cond::Const(false),
                Cond::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::Const(true),
            1 => out.pop().unwrap_or(Cond::Const(true)),
            _ => Cond::And(out),
        }
    }

    /// `or` of `conds`, flattened, with constants folded away.
    pub fn or(conds: Vec<Cond>) -> Cond {
        let mut out = Vec::with_capacity(conds.len());
        for cond in conds {
            match cond {
                Cond::Const(false) => {}
                Cond::Const(true) => return Cond::Const(true),
                Cond::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Cond::Const(false),
            1 => out.pop().unwrap_or(Cond::Const(false)),
            _ => Cond::Or(out),
        }
    }

    /// The negation, pushed down to the leaves (De Morgan). Valid because
    /// every leaf is two-valued: a test either holds for the event or not.
    pub fn negate(self) -> Cond {
        match self {
            Cond::Const(b) => Cond::Const(!b),
            Cond::And(conds) => Cond::or(conds.into_iter().map(Cond::negate).collect()),
            Cond::Or(conds) => Cond::and(conds.into_iter().map(Cond::negate).collect()),
            Cond::Test(test) => Cond::Test(Test {
                negated: !test.negated,
                ..test
            }),
            Cond::Expr { expr, negated } => Cond::Expr {
                expr,
                negated: !negated,
            },
        }
    }
}
