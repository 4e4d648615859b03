//! Field schemas: the type of each field a rule reads, and the warnings that
//! follow from it.
//!
//! Elasticsearch checks a query against the index mapping: a field it does
//! not know is an error (unless written `?field`), and so is an operator that
//! the field's type does not support (a wildcard on a `long`, `cidrMatch` on
//! a `keyword`). eqlc compiles rules without a mapping, so these checks are
//! made against the Elastic Common Schema instead, whose definitions ship
//! in the module `ecs` (generated from ECS's `ecs_flat.yml` by [`generate`]), and
//! reported as warnings: events may well carry fields outside ECS.
//!
//! [`check_compiled`] runs the checks on a compiled query: it reads the
//! fields from the IR's field table and the operators, with their spans,
//! from the syntax tree. [`Schema::field_type`] is the look-up a later stage
//! may use to type fields while lowering.
//!
//! Fields that Elastic's integrations define outside ECS (`winlog.*`,
//! `aws.*`, Elastic Defend's `process.Ext.*` …) are common in detection
//! rules; [`Schema::ecs`] knows them by prefix ([`INTEGRATION_PREFIXES`],
//! [`INTEGRATION_SEGMENTS`]) and neither warns about them nor checks their
//! types.

// The generated table keeps one field per line, which rustfmt would wrap.
#[rustfmt::skip]
mod ecs;
pub mod generate;

use std::collections::HashMap;
use std::fmt;

use crate::Compiled;
use crate::ast::{self, CompareOp, Expr, ExprKind, Literal, MatchOp, Span};
use crate::diagnostic::Diagnostic;
use crate::ir::Function;
use crate::lower::Options;

pub use ecs::ECS_VERSION;

/// A field type of Elasticsearch's mappings, as ECS names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldType {
    Binary,
    Boolean,
    Byte,
    ConstantKeyword,
    Date,
    DateNanos,
    Double,
    Flattened,
    Float,
    GeoPoint,
    HalfFloat,
    Integer,
    Ip,
    Keyword,
    Long,
    MatchOnlyText,
    Nested,
    Object,
    ScaledFloat,
    Short,
    Text,
    UnsignedLong,
    Wildcard,
}

/// What a field's values are, for the checks: the types that behave alike
/// in a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// `keyword`, `wildcard`, `constant_keyword`, `text`, `match_only_text`.
    String,
    /// Integers and floating-point numbers of every width.
    Number,
    Boolean,
    Ip,
    /// `date`, `date_nanos`.
    Date,
    /// `object`, `flattened`, `nested`: named sub-fields, not one value.
    Object,
    /// `geo_point`, `binary`: values no EQL operator reads.
    Other,
}

impl FieldType {
    /// Every type, for look-up by name.
    pub const ALL: [FieldType; 23] = [
        FieldType::Binary,
        FieldType::Boolean,
        FieldType::Byte,
        FieldType::ConstantKeyword,
        FieldType::Date,
        FieldType::DateNanos,
        FieldType::Double,
        FieldType::Flattened,
        FieldType::Float,
        FieldType::GeoPoint,
        FieldType::HalfFloat,
        FieldType::Integer,
        FieldType::Ip,
        FieldType::Keyword,
        FieldType::Long,
        FieldType::MatchOnlyText,
        FieldType::Nested,
        FieldType::Object,
        FieldType::ScaledFloat,
        FieldType::Short,
        FieldType::Text,
        FieldType::UnsignedLong,
        FieldType::Wildcard,
    ];

    /// The type's name in an Elasticsearch mapping (`keyword`, `long`).
    pub fn es_name(self) -> &'static str {
        match self {
            FieldType::Binary => "binary",
            FieldType::Boolean => "boolean",
            FieldType::Byte => "byte",
            FieldType::ConstantKeyword => "constant_keyword",
            FieldType::Date => "date",
            FieldType::DateNanos => "date_nanos",
            FieldType::Double => "double",
            FieldType::Flattened => "flattened",
            FieldType::Float => "float",
            FieldType::GeoPoint => "geo_point",
            FieldType::HalfFloat => "half_float",
            FieldType::Integer => "integer",
            FieldType::Ip => "ip",
            FieldType::Keyword => "keyword",
            FieldType::Long => "long",
            FieldType::MatchOnlyText => "match_only_text",
            FieldType::Nested => "nested",
            FieldType::Object => "object",
            FieldType::ScaledFloat => "scaled_float",
            FieldType::Short => "short",
            FieldType::Text => "text",
            FieldType::UnsignedLong => "unsigned_long",
            FieldType::Wildcard => "wildcard",
        }
    }

    /// The type named `name` in a mapping.
    pub fn from_es_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|ty| ty.es_name() == name)
    }

    pub fn kind(self) -> FieldKind {
        match self {
            FieldType::ConstantKeyword
            | FieldType::Keyword
            | FieldType::MatchOnlyText
            | FieldType::Text
            | FieldType::Wildcard => FieldKind::String,
            FieldType::Byte
            | FieldType::Double
            | FieldType::Float
            | FieldType::HalfFloat
            | FieldType::Integer
            | FieldType::Long
            | FieldType::ScaledFloat
            | FieldType::Short
            | FieldType::UnsignedLong => FieldKind::Number,
            FieldType::Boolean => FieldKind::Boolean,
            FieldType::Ip => FieldKind::Ip,
            FieldType::Date | FieldType::DateNanos => FieldKind::Date,
            FieldType::Flattened | FieldType::Nested | FieldType::Object => FieldKind::Object,
            FieldType::Binary | FieldType::GeoPoint => FieldKind::Other,
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.es_name())
    }
}

/// Prefixes of the fields that Elastic's integrations define outside ECS
/// and detection rules read. Chosen from the rule corpus: these are the
/// namespaces of every integration whose fields its rules read without `?`
/// (Windows event logs, cloud audit logs, auditd, Kubernetes audit,
/// Kibana alerts …), and of Elastic Defend's top-level `Effective_process`.
/// No ECS field starts with one, so a misspelt ECS field is still reported.
pub const INTEGRATION_PREFIXES: &[&str] = &[
    "Effective_process.",
    "auditd.",
    "aws.",
    "azure.",
    "fortinet.",
    "github.",
    "google_workspace.",
    "kibana.",
    "kubernetes.",
    "network_traffic.",
    "o365.",
    "okta.",
    "problemchild.",
    "winlog.",
];

/// Path segments of objects that Elastic Defend adds inside ECS objects:
/// `process.Ext.*`, `file.Ext.*`, `dll.Ext.*`, `user.Ext.*`. No ECS field
/// has such a segment.
pub const INTEGRATION_SEGMENTS: &[&str] = &["Ext"];

/// Field definitions to check rules against.
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    /// `(path, type)`, sorted by path.
    fields: &'static [(&'static str, FieldType)],
    /// `(path, values)`, sorted by path.
    allowed_values: &'static [(&'static str, &'static [&'static str])],
    /// Fields under these prefixes are known but not typed.
    known_prefixes: &'static [&'static str],
    /// Fields with one of these segments are known but not typed.
    known_segments: &'static [&'static str],
    version: &'static str,
}

/// What a schema says about a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A field of the schema, with its type.
    Field(FieldType),
    /// A path under an `object`, `flattened` or `nested` field (such as
    /// `labels.team` under `labels`), whose sub-fields are free.
    InObject {
        object: &'static str,
    },
    /// A path under a prefix of [`INTEGRATION_PREFIXES`], or with a
    /// segment of [`INTEGRATION_SEGMENTS`].
    Integration {
        namespace: &'static str,
    },
    Unknown,
}

impl Schema {
    /// ECS, with the integration prefixes of [`INTEGRATION_PREFIXES`].
    pub fn ecs() -> Schema {
        Schema {
            fields: ecs::FIELDS,
            allowed_values: ecs::ALLOWED_VALUES,
            known_prefixes: INTEGRATION_PREFIXES,
            known_segments: INTEGRATION_SEGMENTS,
            version: ecs::ECS_VERSION,
        }
    }

    /// ECS alone: every field outside it is unknown.
    pub fn ecs_only() -> Schema {
        Schema {
            known_prefixes: &[],
            known_segments: &[],
            ..Schema::ecs()
        }
    }

    /// The schema's name and version, for messages (`ECS 9.5.0-dev`).
    pub fn name(&self) -> String {
        format!("ECS {}", self.version)
    }

    /// How many fields (and multi-fields) the schema defines.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The type of `path`, if the schema defines it.
    pub fn field_type(&self, path: &str) -> Option<FieldType> {
        self.fields
            .binary_search_by(|(name, _)| name.cmp(&path))
            .ok()
            .map(|index| self.fields[index].1)
    }

    /// What the schema knows of `path`.
    pub fn lookup(&self, path: &str) -> Lookup {
        if let Some(ty) = self.field_type(path) {
            return Lookup::Field(ty);
        }
        // The longest defined prefix of `path` that is an object.
        let mut end = path.len();
        while let Some(dot) = path[..end].rfind('.') {
            end = dot;
            if let Ok(index) = self
                .fields
                .binary_search_by(|(name, _)| name.cmp(&&path[..end]))
            {
                let (name, ty) = self.fields[index];
                if ty.kind() == FieldKind::Object {
                    return Lookup::InObject { object: name };
                }
                break;
            }
        }
        let prefix = self
            .known_prefixes
            .iter()
            .find(|prefix| path.starts_with(*prefix));
        let segment = || {
            self.known_segments
                .iter()
                .find(|segment| path.split('.').any(|part| part == **segment))
        };
        match prefix.or_else(segment) {
            Some(namespace) => Lookup::Integration { namespace },
            None => Lookup::Unknown,
        }
    }

    /// The values ECS allows in `path`, if it lists them.
    pub fn allowed_values(&self, path: &str) -> Option<&'static [&'static str]> {
        self.allowed_values
            .binary_search_by(|(name, _)| name.cmp(&path))
            .ok()
            .map(|index| self.allowed_values[index].1)
    }

    /// The defined field closest to `path`, if it is one or two edits away:
    /// the likely intent of a misspelt field.
    pub fn suggest(&self, path: &str) -> Option<&'static str> {
        let segments = path.split('.').count();
        self.fields
            .iter()
            .filter(|(name, _)| {
                name.len().abs_diff(path.len()) <= 2 && name.split('.').count() == segments
            })
            .filter_map(|(name, _)| {
                let distance = edit_distance(path, name, 2)?;
                Some((distance, *name))
            })
            .min()
            .map(|(_, name)| name)
    }
}

/// The Levenshtein distance between `a` and `b`, if at most `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
        if row.iter().min().is_some_and(|&least| least > limit) {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&distance| distance <= limit)
}

/// How many unknown fields of one query get a suggested spelling.
const MAX_SUGGESTIONS: usize = 32;

/// What a schema warning is about, for summaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    /// A field the schema does not define.
    FieldUnknown,
    /// An operator, function or literal that does not fit the field's type.
    TypeMismatch,
    /// A value that the field's list of allowed values lacks.
    ValueUnknown,
}

impl WarningKind {
    /// How a summary names the kind.
    pub fn describe(self) -> &'static str {
        match self {
            WarningKind::FieldUnknown => "unknown field",
            WarningKind::TypeMismatch => "type mismatch",
            WarningKind::ValueUnknown => "unknown value",
        }
    }

    /// [`WarningKind::describe`] for more than one.
    pub fn describe_many(self) -> &'static str {
        match self {
            WarningKind::FieldUnknown => "unknown fields",
            WarningKind::TypeMismatch => "type mismatches",
            WarningKind::ValueUnknown => "unknown values",
        }
    }
}

/// One problem found by the schema check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaWarning {
    pub kind: WarningKind,
    /// A warning, spanned in the query text.
    pub diagnostic: Diagnostic,
}

/// Checks the fields of a compiled query against `schema`; see
/// [`check_query`].
pub fn check_compiled(
    compiled: &Compiled,
    options: &Options,
    schema: &Schema,
) -> Vec<SchemaWarning> {
    check_query(&compiled.query, options, schema)
}

/// Checks the fields a query reads against `schema`, and how it uses them.
/// Every problem is a warning. `options` names the field that the query's
/// category (`process where`) tests.
pub fn check_query(query: &ast::Query, options: &Options, schema: &Schema) -> Vec<SchemaWarning> {
    let mut checker = Checker {
        schema,
        warnings: Vec::new(),
    };
    checker.check_unknown_fields(query);
    checker.check_query(query, options);
    checker.warnings
}

/// The state of one schema check.
struct Checker<'s> {
    schema: &'s Schema,
    warnings: Vec<SchemaWarning>,
}

impl Checker<'_> {
    fn warn(&mut self, kind: WarningKind, diagnostic: Diagnostic) {
        self.warnings.push(SchemaWarning { kind, diagnostic });
    }

    /// The schema type of a field reference, when the schema defines it.
    fn type_of(&self, expr: &Expr) -> Option<(String, FieldType)> {
        let ExprKind::Field(field) = &expr.kind else {
            return None;
        };
        let path = field.path();
        let ty = self.schema.field_type(&path)?;
        Some((path, ty))
    }

    /// Every field a query reads is defined by the schema, lies inside one
    /// of its objects, or has a known integration prefix, unless every
    /// reference to it is written `?field`. Each field is reported once, at
    /// its first reference.
    fn check_unknown_fields(&mut self, query: &ast::Query) {
        // `(path, first span, every reference optional)`, in query order,
        // and where each path is in that list.
        let mut fields: Vec<(String, Span, bool)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for root in expressions(query) {
            crate::check::walk(root, &mut |expr| {
                if let ExprKind::Field(field) = &expr.kind {
                    let path = field.path();
                    match index.get(&path) {
                        Some(&at) => fields[at].2 &= field.optional,
                        None => {
                            index.insert(path.clone(), fields.len());
                            fields.push((path, expr.span, field.optional));
                        }
                    }
                }
            });
        }
        let mut suggested = 0;
        for (path, span, optional) in fields {
            if optional || self.schema.lookup(&path) != Lookup::Unknown {
                continue;
            }
            // A suggestion costs a pass over the schema: a query with
            // thousands of unknown fields gets them for the first few.
            suggested += 1;
            let suggestion = if suggested <= MAX_SUGGESTIONS {
                self.schema.suggest(&path)
            } else {
                None
            };
            let help = match suggestion {
                Some(suggestion) => format!("did you mean `{suggestion}`?"),
                None => format!(
                    "if your events have this field, write `?{path}` to say that some may not"
                ),
            };
            self.warn(
                WarningKind::FieldUnknown,
                Diagnostic::warning(span, format!("`{path}` is not an ECS field"))
                    .with_label(format!("not in {}", self.schema.name()))
                    .with_help(help),
            );
        }
    }

    /// Walks the query, checking each expression with the rules below.
    fn check_query(&mut self, query: &ast::Query, options: &Options) {
        let mut conditions = Vec::new();
        match &query.body {
            ast::QueryBody::Event(event) => conditions.push(event),
            ast::QueryBody::Sequence(sequence) => {
                conditions.extend(
                    sequence
                        .steps
                        .iter()
                        .chain(&sequence.until)
                        .map(|s| &s.query),
                );
            }
            ast::QueryBody::Sample(sample) => {
                conditions.extend(sample.terms.iter().map(|term| &term.query));
            }
            ast::QueryBody::Join(join) => {
                conditions.extend(join.terms.iter().chain(&join.until).map(|t| &t.query));
            }
        }
        for event in conditions {
            self.check_category(&event.category, options);
            // Each entry: an expression, and whether it stands where a
            // condition is expected (not as the operand of a value).
            let mut stack = vec![(&event.condition, true)];
            while let Some((expr, is_condition)) = stack.pop() {
                self.check_expr(expr, is_condition);
                match &expr.kind {
                    ExprKind::And(lhs, rhs) | ExprKind::Or(lhs, rhs) => {
                        stack.push((rhs, is_condition));
                        stack.push((lhs, is_condition));
                    }
                    ExprKind::Not(operand) => stack.push((operand, is_condition)),
                    ExprKind::Literal(_) | ExprKind::Field(_) | ExprKind::Lineage { .. } => {}
                    ExprKind::Call { args, .. } => stack.extend(args.iter().map(|a| (a, false))),
                    ExprKind::Unary { operand, .. } => stack.push((operand, false)),
                    ExprKind::Arith { lhs, rhs, .. } | ExprKind::Compare { lhs, rhs, .. } => {
                        stack.push((rhs, false));
                        stack.push((lhs, false));
                    }
                    ExprKind::In { value, list, .. } => {
                        stack.push((value, false));
                        stack.extend(list.iter().map(|item| (item, false)));
                    }
                    ExprKind::Match {
                        value, patterns, ..
                    } => {
                        stack.push((value, false));
                        stack.extend(patterns.iter().map(|pattern| (pattern, false)));
                    }
                }
            }
        }
    }

    fn check_expr(&mut self, expr: &Expr, is_condition: bool) {
        match &expr.kind {
            ExprKind::Field(_) if is_condition => self.check_field_condition(expr),
            ExprKind::Match {
                value,
                op,
                patterns,
                ..
            } => {
                self.check_match(value, *op, patterns);
            }
            ExprKind::Compare { op, lhs, rhs } => {
                self.check_comparison(expr.span, *op, lhs, rhs);
                self.check_comparison(expr.span, flip(*op), rhs, lhs);
            }
            ExprKind::In {
                value,
                list,
                insensitive,
                ..
            } => {
                for item in list {
                    self.check_equality(value, item, *insensitive);
                }
            }
            ExprKind::Call { name, args, .. } => self.check_call(name, args),
            ExprKind::Arith { op, lhs, rhs } => {
                for operand in [lhs, rhs] {
                    self.check_number_operand(operand, &format!("`{op}`"));
                }
            }
            ExprKind::Unary { operand, .. } => self.check_number_operand(operand, "`-`"),
            _ => {}
        }
    }

    /// The category of `process where` is a value ECS allows in the
    /// category field, when that field lists its values.
    fn check_category(&mut self, category: &ast::Category, options: &Options) {
        let ast::Category::Named(name) = category else {
            return;
        };
        self.check_allowed_value(&options.category_field, &name.node, false, name.span);
    }

    /// A value compared with a field that lists its allowed values
    /// (`event.category`, `event.type`, …) is one of them.
    fn check_allowed_value(&mut self, path: &str, value: &str, insensitive: bool, span: Span) {
        let Some(allowed) = self.schema.allowed_values(path) else {
            return;
        };
        let known = allowed.iter().any(|allowed| {
            *allowed == value || (insensitive && allowed.eq_ignore_ascii_case(value))
        });
        if known {
            return;
        }
        let closest = allowed
            .iter()
            .filter_map(|allowed| Some((edit_distance(value, allowed, 2)?, *allowed)))
            .min()
            .map(|(_, allowed)| allowed);
        let help = match closest {
            Some(closest) => format!("did you mean `{closest}`?"),
            None => format!(
                "ECS allows {}",
                allowed
                    .iter()
                    .map(|value| format!("`{value}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.warn(
            WarningKind::ValueUnknown,
            Diagnostic::warning(span, format!("`{value}` is not an ECS value of `{path}`"))
                .with_label(format!("not in {}", self.schema.name()))
                .with_help(help),
        );
    }

    /// A field alone as a condition (`process where process.interactive`)
    /// means `== true`, so it is a boolean field.
    fn check_field_condition(&mut self, expr: &Expr) {
        let Some((path, ty)) = self.type_of(expr) else {
            return;
        };
        let an = article(ty);
        if ty.kind() != FieldKind::Boolean {
            self.warn(
                WarningKind::TypeMismatch,
                Diagnostic::warning(
                    expr.span,
                    format!("`{path}` is used as a condition, but it is {an} field"),
                )
                .with_label("not a boolean")
                .with_help(format!(
                    "compare it with a value, or test that it exists with `{path} != null`"
                )),
            );
        }
    }

    /// `:`, `like` and `regex` match text: Elasticsearch runs them on
    /// string fields only.
    fn check_match(&mut self, value: &Expr, op: MatchOp, patterns: &[Expr]) {
        let Some((path, ty)) = self.type_of(value) else {
            return;
        };
        let an = article(ty);
        if ty.kind() == FieldKind::String {
            let insensitive = op != MatchOp::Like && op != MatchOp::Regex;
            if matches!(
                op,
                MatchOp::Colon | MatchOp::Like | MatchOp::LikeInsensitive
            ) {
                for pattern in patterns {
                    if let ExprKind::Literal(Literal::String(text)) = &pattern.kind {
                        if !text.contains(['*', '?']) {
                            self.check_allowed_value(&path, text, insensitive, pattern.span);
                        }
                    }
                }
            }
            return;
        }
        let help = match ty.kind() {
            FieldKind::Number => format!("compare numbers with `==`, `in` or `<`: `{path} == 4`"),
            FieldKind::Boolean => format!("write `{path} == true` or `{path} == false`"),
            FieldKind::Ip => format!(
                "compare addresses with `==` or match networks with `cidrMatch({path}, \"10.0.0.0/8\")`"
            ),
            FieldKind::Date => "compare dates with `<` and `>`".to_owned(),
            _ => "match one of its sub-fields instead".to_owned(),
        };
        self.warn(
            WarningKind::TypeMismatch,
            Diagnostic::warning(
                value.span,
                format!("`{op}` matches text, but `{path}` is {an} field"),
            )
            .with_label(format!("{an} field"))
            .with_help(help),
        );
    }

    /// `field op literal`: equality with a literal of the field's kind, and
    /// ordering only of numbers with numbers (a `keyword` field orders as
    /// text, so `"10" < "9"`).
    fn check_comparison(&mut self, span: Span, op: CompareOp, field: &Expr, other: &Expr) {
        if matches!(op, CompareOp::Eq | CompareOp::Ne) {
            self.check_equality(field, other, false);
            return;
        }
        let Some((path, ty)) = self.type_of(field) else {
            return;
        };
        let an = article(ty);
        let ExprKind::Literal(literal) = &unsigned(other).kind else {
            return;
        };
        let problem = match (ty.kind(), literal) {
            (FieldKind::String, Literal::Integer(_) | Literal::Float(_)) => Some((
                format!(
                    "`{op}` orders `{path}`, {an} field, as text, not as a number (\"10\" < \"9\")"
                ),
                "compare it with a string, or order a numeric field".to_owned(),
            )),
            (FieldKind::Number, Literal::String(text)) if text.trim().parse::<f64>().is_err() => {
                Some((
                    format!("`{path}` is {an} field, compared with the string {text:?}"),
                    format!("write a number: `{path} {op} 4`"),
                ))
            }
            (FieldKind::Boolean, _) => Some((
                format!("`{op}` cannot order `{path}`, {an} field"),
                format!("compare booleans with `==`: `{path} == true`"),
            )),
            (FieldKind::Ip, Literal::Integer(_) | Literal::Float(_)) => Some((
                format!("`{path}` is an `ip` field, compared with a number"),
                format!("match networks with `cidrMatch({path}, \"10.0.0.0/8\")`"),
            )),
            _ => None,
        };
        if let Some((message, help)) = problem {
            self.warn(
                WarningKind::TypeMismatch,
                Diagnostic::warning(span, message)
                    .with_label(format!("`{path}` is {an} field"))
                    .with_help(help),
            );
        }
    }

    /// `field == literal` and `field in (literal, …)`: the literal is a value
    /// the field can hold (a number for a numeric field, `true`/`false` for
    /// a boolean, an address or network for an `ip`), and one ECS allows.
    fn check_equality(&mut self, field: &Expr, other: &Expr, insensitive: bool) {
        let Some((path, ty)) = self.type_of(field) else {
            return;
        };
        let an = article(ty);
        let ExprKind::Literal(literal) = &unsigned(other).kind else {
            return;
        };
        let text_fits = |text: &str| match ty.kind() {
            FieldKind::Number => text.trim().parse::<f64>().is_ok(),
            FieldKind::Boolean => text == "true" || text == "false",
            FieldKind::Ip => {
                text.parse::<std::net::IpAddr>().is_ok()
                    || eql_core::scalar::parse_cidr(text).is_ok()
            }
            _ => true,
        };
        let fits = match literal {
            Literal::Null => true,
            Literal::String(text) => {
                if ty.kind() == FieldKind::String {
                    self.check_allowed_value(&path, text, insensitive, other.span);
                }
                text_fits(text)
            }
            Literal::Bool(_) => ty.kind() == FieldKind::Boolean,
            Literal::Integer(_) | Literal::Float(_) => {
                matches!(
                    ty.kind(),
                    FieldKind::Number | FieldKind::String | FieldKind::Date
                )
            }
        };
        if !fits {
            let wanted = match ty.kind() {
                FieldKind::Number => "a number",
                FieldKind::Boolean => "`true` or `false`",
                FieldKind::Ip => "an IP address or network in quotes",
                FieldKind::String => "a string",
                FieldKind::Date => "a date",
                FieldKind::Object | FieldKind::Other => "one of its sub-fields",
            };
            self.warn(
                WarningKind::TypeMismatch,
                Diagnostic::warning(
                    other.span,
                    format!(
                        "`{path}` is {an} field; it never equals {}",
                        describe(literal)
                    ),
                )
                .with_label(format!("`{path}` is {an} field"))
                .with_help(format!("compare it with {wanted}")),
            );
        }
    }

    /// Function arguments that are fields have the type the function takes:
    /// strings for the string functions, numbers for arithmetic, an `ip`
    /// field for `cidrMatch`.
    fn check_call(&mut self, name: &ast::Spanned<String>, args: &[Expr]) {
        let Some(function) = Function::lookup(&name.node) else {
            return;
        };
        for (index, arg) in args.iter().enumerate() {
            let Some((path, ty)) = self.type_of(arg) else {
                continue;
            };
            let an = article(ty);
            let context = format!("argument {} of `{}`", index + 1, function.name());
            match param_kind(function, index) {
                Param::String => {
                    if matches!(ty.kind(), FieldKind::String) {
                        continue;
                    }
                    self.warn(
                        WarningKind::TypeMismatch,
                        Diagnostic::warning(
                            arg.span,
                            format!("{context} expects a string, but `{path}` is {an} field"),
                        )
                        .with_label(format!("{an} field"))
                        .with_help(format!("convert it with `string({path})`")),
                    );
                }
                Param::Number => self.check_number_operand(arg, &context),
                Param::Ip => {
                    if ty.kind() == FieldKind::Ip {
                        continue;
                    }
                    self.warn(
                        WarningKind::TypeMismatch,
                        Diagnostic::warning(
                            arg.span,
                            format!(
                                "`cidrMatch` expects an `ip` field, but `{path}` is {an} field"
                            ),
                        )
                        .with_label(format!("{an} field"))
                        .with_help(
                            "match an `ip` field such as `source.ip`, or compare text with `:`",
                        ),
                    );
                }
                Param::Any => {}
            }
        }
    }

    /// Arithmetic reads numeric fields.
    fn check_number_operand(&mut self, operand: &Expr, context: &str) {
        let Some((path, ty)) = self.type_of(operand) else {
            return;
        };
        let an = article(ty);
        if ty.kind() == FieldKind::Number {
            return;
        }
        self.warn(
            WarningKind::TypeMismatch,
            Diagnostic::warning(
                operand.span,
                format!("{context} expects a number, but `{path}` is {an} field"),
            )
            .with_label(format!("{an} field"))
            .with_help(format!("convert it with `number({path})`")),
        );
    }
}

/// Every top-level expression of a query: conditions, join keys and pipe
/// arguments.
fn expressions(query: &ast::Query) -> Vec<&Expr> {
    let mut out = Vec::new();
    match &query.body {
        ast::QueryBody::Event(event) => out.push(&event.condition),
        ast::QueryBody::Sequence(sequence) => {
            out.extend(&sequence.by);
            for step in sequence.steps.iter().chain(&sequence.until) {
                out.push(&step.query.condition);
                out.extend(&step.by);
            }
        }
        ast::QueryBody::Sample(sample) => {
            out.extend(&sample.by);
            for term in &sample.terms {
                out.push(&term.query.condition);
                out.extend(&term.by);
            }
        }
        ast::QueryBody::Join(join) => {
            out.extend(&join.by);
            for term in join.terms.iter().chain(&join.until) {
                out.push(&term.query.condition);
                out.extend(&term.by);
            }
        }
    }
    for pipe in &query.pipes {
        out.extend(&pipe.args);
    }
    out
}

/// What a function argument should be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Param {
    String,
    Number,
    Ip,
    Any,
}

fn param_kind(function: Function, index: usize) -> Param {
    match (function, index) {
        (
            Function::Add
            | Function::Subtract
            | Function::Multiply
            | Function::Divide
            | Function::Modulo,
            _,
        ) => Param::Number,
        (Function::CidrMatch, 0) => Param::Ip,
        (Function::Between, 3) | (Function::Concat | Function::String, _) => Param::Any,
        (Function::IndexOf, 2) | (Function::Number, 1) | (Function::Substring, 1 | 2) => {
            Param::Number
        }
        _ => Param::String,
    }
}

/// A type's name after "a" or "an": "a `long`", "an `ip`".
fn article(ty: FieldType) -> String {
    let name = ty.es_name();
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an `{name}`")
    } else {
        format!("a `{name}`")
    }
}

/// The expression under any unary signs (`-1` is `1` with a sign).
fn unsigned(expr: &Expr) -> &Expr {
    let mut inner = expr;
    while let ExprKind::Unary { operand, .. } = &inner.kind {
        inner = operand;
    }
    inner
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

fn describe(literal: &Literal) -> String {
    match literal {
        Literal::Null => "`null`".into(),
        Literal::Bool(b) => format!("the boolean `{b}`"),
        Literal::Integer(n) => format!("the number `{n}`"),
        Literal::Float(n) => format!("the number `{n}`"),
        Literal::String(s) => format!("the string {s:?}"),
    }
}

#[cfg(test)]
mod tests;
