//! Tests of the parser: trees in a compact form, spans, limits and errors.

use std::fmt::Write as _;

use super::{MAX_QUERY_LEN, parse_expression, parse_query};
use crate::ast::{
    Category, EventQuery, Expr, ExprKind, JoinTerm, Literal, Query, QueryBody, SequenceStep, Span,
    UnaryOp,
};

// ---------------------------------------------------------------------------
// Helpers.

/// Parses `input` as a query and compares its compact form with `expected`.
#[track_caller]
fn check(input: &str, expected: &str) {
    match parse_query(input) {
        Ok(query) => assert_eq!(show_query(&query), expected, "query: {input}"),
        Err(error) => panic!("{input}\nfailed: {}", error.render(input)),
    }
}

/// Parses `input` as an expression and compares its compact form.
#[track_caller]
fn check_expr(input: &str, expected: &str) {
    match parse_expression(input) {
        Ok(expr) => assert_eq!(show_expr(&expr), expected, "expression: {input}"),
        Err(error) => panic!("{input}\nfailed: {}", error.render(input)),
    }
}

/// Parses `input` as a query, expecting an error with this message, the
/// span over `at` (the text the caret should cover) and this help.
#[track_caller]
fn check_error(input: &str, message: &str, at: &str, help: Option<&str>) {
    let error = match parse_query(input) {
        Ok(query) => panic!("{input}\nparsed: {}", show_query(&query)),
        Err(error) => error,
    };
    let shown = input.get(error.span.range()).unwrap_or("<bad span>");
    assert_eq!(
        (error.message.as_str(), shown, error.help.as_deref()),
        (message, at, help),
        "query: {input}\n{}",
        error.render(input)
    );
}

fn show_query(query: &Query) -> String {
    let mut out = match &query.body {
        QueryBody::Event(event) => show_event(event),
        QueryBody::Sequence(sequence) => {
            let mut out = "(sequence".to_owned();
            show_keys(&mut out, &sequence.by);
            if let Some(maxspan) = &sequence.maxspan {
                let unit = maxspan.unit.as_ref().map_or("", |unit| unit.node.as_str());
                let _ = write!(out, " maxspan={}{unit}", maxspan.value.node);
            }
            if sequence.with_before_by.is_some() {
                out.push_str(" with-before-by");
            }
            for step in &sequence.steps {
                out.push(' ');
                out.push_str(&show_step(step));
            }
            if let Some(until) = &sequence.until {
                let _ = write!(out, " until {}", show_step(until));
            }
            out.push(')');
            out
        }
        QueryBody::Sample(sample) => {
            let mut out = "(sample".to_owned();
            show_keys(&mut out, &sample.by);
            for term in &sample.terms {
                let _ = write!(out, " {}", show_term(term));
            }
            out.push(')');
            out
        }
        QueryBody::Join(join) => {
            let mut out = "(join".to_owned();
            show_keys(&mut out, &join.by);
            for term in &join.terms {
                let _ = write!(out, " {}", show_term(term));
            }
            if let Some(until) = &join.until {
                let _ = write!(out, " until {}", show_term(until));
            }
            out.push(')');
            out
        }
    };
    for pipe in &query.pipes {
        let _ = write!(out, " | {}", pipe.name.node);
        for arg in &pipe.args {
            let _ = write!(out, " {}", show_expr(arg));
        }
    }
    out
}

fn show_event(event: &EventQuery) -> String {
    let category = match &event.category {
        Category::Any(_) => "any".to_owned(),
        Category::Named(name) => format!("{:?}", name.node),
    };
    format!("[{category} where {}]", show_expr(&event.condition))
}

fn show_step(step: &SequenceStep) -> String {
    let mut out = String::new();
    if step.missing {
        out.push('!');
    }
    out.push_str(&show_event(&step.query));
    show_keys(&mut out, &step.by);
    for param in &step.params {
        let _ = write!(out, " with {}={}", param.name.node, param.value.node);
    }
    out
}

fn show_term(term: &JoinTerm) -> String {
    let mut out = String::new();
    if term.missing {
        out.push('!');
    }
    out.push_str(&show_event(&term.query));
    show_keys(&mut out, &term.by);
    out
}

fn show_keys(out: &mut String, keys: &[Expr]) {
    if !keys.is_empty() {
        let keys: Vec<String> = keys.iter().map(show_expr).collect();
        let _ = write!(out, " by {}", keys.join(", "));
    }
}

/// An S-expression: `(op operand …)` for operators, plain text for leaves.
fn show_expr(expr: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(show_expr).collect::<Vec<_>>().join(" ");
    match &expr.kind {
        ExprKind::Literal(literal) => match literal {
            Literal::Null => "null".to_owned(),
            Literal::Bool(value) => value.to_string(),
            Literal::Integer(value) => value.to_string(),
            Literal::Float(value) => format!("{value:?}f"),
            Literal::String(value) => format!("{value:?}"),
        },
        ExprKind::Field(field) => {
            let mut out = String::new();
            if field.optional {
                out.push('?');
            }
            let segments: Vec<String> = field
                .segments
                .iter()
                .map(|segment| {
                    let plain = segment
                        .node
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@');
                    if plain && !segment.node.is_empty() {
                        segment.node.clone()
                    } else {
                        format!("`{}`", segment.node)
                    }
                })
                .collect();
            out.push_str(&segments.join("."));
            for _ in &field.indexes {
                out.push_str("[]");
            }
            out
        }
        ExprKind::Call {
            name,
            insensitive,
            args,
        } => {
            let tilde = if *insensitive { "~" } else { "" };
            if args.is_empty() {
                format!("({}{tilde})", name.node)
            } else {
                format!("({}{tilde} {})", name.node, list(args))
            }
        }
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Neg => "neg",
                UnaryOp::Plus => "plus",
            };
            format!("({op} {})", show_expr(operand))
        }
        ExprKind::Arith { op, lhs, rhs } => {
            format!("({op} {} {})", show_expr(lhs), show_expr(rhs))
        }
        ExprKind::Compare { op, lhs, rhs } => {
            format!("({op} {} {})", show_expr(lhs), show_expr(rhs))
        }
        ExprKind::In {
            value,
            negated,
            insensitive,
            list: items,
        } => {
            let not = if *negated { "not-" } else { "" };
            let tilde = if *insensitive { "~" } else { "" };
            format!("({not}in{tilde} {} {})", show_expr(value), list(items))
        }
        ExprKind::Match {
            value,
            op,
            patterns,
            list: is_list,
        } => {
            if *is_list {
                format!("({op} {} ({}))", show_expr(value), list(patterns))
            } else {
                format!("({op} {} {})", show_expr(value), list(patterns))
            }
        }
        ExprKind::Not(operand) => format!("(not {})", show_expr(operand)),
        ExprKind::And(lhs, rhs) => format!("(and {} {})", show_expr(lhs), show_expr(rhs)),
        ExprKind::Or(lhs, rhs) => format!("(or {} {})", show_expr(lhs), show_expr(rhs)),
        ExprKind::Lineage { relation, query } => {
            format!("({} of {})", relation.node, show_event(query))
        }
    }
}

// ---------------------------------------------------------------------------
// Queries.

#[test]
fn event_queries() {
    check("process where true", r#"["process" where true]"#);
    check("any where true", "[any where true]");
    check(r#""my-cat" where true"#, r#"["my-cat" where true]"#);
    check(
        r##""""raw "cat"""" where true"##,
        r#"["raw \"cat\"" where true]"#,
    );
    check("PROCESS where true", r#"["PROCESS" where true]"#);
    check("_x1 where true", r#"["_x1" where true]"#);
}

#[test]
fn sequences() {
    check(
        "sequence [process where a] [file where b]",
        r#"(sequence ["process" where a] ["file" where b])"#,
    );
    check(
        "sequence by host.id, user.name with maxspan=5m [process where a] [file where b]",
        r#"(sequence by host.id, user.name maxspan=5m ["process" where a] ["file" where b])"#,
    );
    check(
        "sequence with maxspan=30s by host.id [process where a] ![file where b]",
        r#"(sequence by host.id maxspan=30s with-before-by ["process" where a] !["file" where b])"#,
    );
    check(
        "sequence with maxspan=1h [a where true] [b where true]",
        r#"(sequence maxspan=1h ["a" where true] ["b" where true])"#,
    );
    // The unit is optional in the grammar, and the number is kept as written.
    check(
        "sequence with maxspan=0.5 s [a where true]",
        r#"(sequence maxspan=0.5s ["a" where true])"#,
    );
    check(
        "sequence with maxspan=500 [a where true]",
        r#"(sequence maxspan=500 ["a" where true])"#,
    );
    check(
        "sequence [a where true] by x with runs=3 [b where true] by y",
        r#"(sequence ["a" where true] by x with runs=3 ["b" where true] by y)"#,
    );
    check(
        "sequence [a where true] with repeats=2",
        r#"(sequence ["a" where true] with repeats=2)"#,
    );
    check(
        "sequence by a [x where true] [y where true] until [z where true] by b",
        r#"(sequence by a ["x" where true] ["y" where true] until ["z" where true] by b)"#,
    );
    check(
        "sequence by a with maxspan=1m [x where true] ![y where true] [z where true]",
        r#"(sequence by a maxspan=1m ["x" where true] !["y" where true] ["z" where true])"#,
    );
}

#[test]
fn samples_and_joins() {
    check(
        "sample by a [x where true] by b [y where true]",
        r#"(sample by a ["x" where true] by b ["y" where true])"#,
    );
    check(
        "sample [x where true] ![y where true]",
        r#"(sample ["x" where true] !["y" where true])"#,
    );
    check(
        "join by a [x where true] [y where true] by b until [z where true]",
        r#"(join by a ["x" where true] ["y" where true] by b until ["z" where true])"#,
    );
}

#[test]
fn pipes() {
    check(
        "process where true | head 5",
        r#"["process" where true] | head 5"#,
    );
    check(
        "sequence [a where true] [b where true] | tail 2 | head 1",
        r#"(sequence ["a" where true] ["b" where true]) | tail 2 | head 1"#,
    );
    check(
        "process where true | unique a, b.c | count | filter x > 1",
        r#"["process" where true] | unique a b.c | count | filter (> x 1)"#,
    );
}

// ---------------------------------------------------------------------------
// Expressions.

#[test]
fn comparisons() {
    check_expr("a == 1", "(== a 1)");
    check_expr("a != 1", "(!= a 1)");
    check_expr("a < 1", "(< a 1)");
    check_expr("a <= 1", "(<= a 1)");
    check_expr("a > 1", "(> a 1)");
    check_expr("a >= 1", "(>= a 1)");
    check_expr("a == b", "(== a b)");
    check_expr("a+1==b*2", "(== (+ a 1) (* b 2))");
}

#[test]
fn match_operators() {
    check_expr(r#"a : "x*""#, r#"(: a "x*")"#);
    check_expr(r#"a : ("x", "y")"#, r#"(: a ("x" "y"))"#);
    check_expr(r#"a : ("x")"#, r#"(: a ("x"))"#);
    check_expr(r#"a like "x""#, r#"(like a "x")"#);
    check_expr(r#"a like~ ("x", "y")"#, r#"(like~ a ("x" "y"))"#);
    check_expr(r#"a regex "x.*""#, r#"(regex a "x.*")"#);
    check_expr(r#"a regex~ ("x", """y\d""")"#, r#"(regex~ a ("x" "y\\d"))"#);
    check_expr("a : 1", "(: a 1)");
    check_expr("a : null", "(: a null)");
}

#[test]
fn in_operators() {
    check_expr(r#"a in ("x", "y")"#, r#"(in a "x" "y")"#);
    check_expr(r#"a in~ ("x")"#, r#"(in~ a "x")"#);
    check_expr(r#"a in~("x")"#, r#"(in~ a "x")"#);
    check_expr("a not in (1, 2)", "(not-in a 1 2)");
    check_expr(r#"a not in~ ("x", "y")"#, r#"(not-in~ a "x" "y")"#);
    // The list holds expressions; the checker insists on literals.
    check_expr("a in (b, 1 + 2)", "(in a b (+ 1 2))");
}

#[test]
fn boolean_precedence() {
    check_expr("a or b and c", "(or a (and b c))");
    check_expr("a and b or c", "(or (and a b) c)");
    check_expr("a or b or c", "(or (or a b) c)");
    check_expr("a and b and c", "(and (and a b) c)");
    check_expr("(a or b) and c", "(and (or a b) c)");
    check_expr("not a", "(not a)");
    check_expr("not not a", "(not (not a))");
    check_expr("not a == 1 and b", "(and (not (== a 1)) b)");
    check_expr("not a or b", "(or (not a) b)");
    check_expr("a and not b", "(and a (not b))");
    check_expr("not (a or b)", "(not (or a b))");
    check_expr(
        "a == 1 or b : \"x\" and not c in (1)",
        r#"(or (== a 1) (and (: b "x") (not (in c 1))))"#,
    );
}

#[test]
fn arithmetic_precedence() {
    check_expr("1 + 2 * 3", "(+ 1 (* 2 3))");
    check_expr("(1 + 2) * 3", "(* (+ 1 2) 3)");
    check_expr("1 - 2 - 3", "(- (- 1 2) 3)");
    check_expr("a % b / c * d", "(* (/ (% a b) c) d)");
    check_expr("-1 * 2", "(* (neg 1) 2)");
    check_expr("- -x", "(neg (neg x))");
    check_expr("+x - -1", "(- (plus x) (neg 1))");
    check_expr("a-1", "(- a 1)");
    check_expr("a - b < c + d", "(< (- a b) (+ c d))");
}

#[test]
fn predicates_attach_to_primaries() {
    check_expr("x + 1 in (2, 3)", "(+ x (in 1 2 3))");
    check_expr("(x + 1) in (2, 3)", "(in (+ x 1) 2 3)");
    check_expr("-x in (1)", "(neg (in x 1))");
    check_expr(r#"x * y : "a""#, r#"(* x (: y "a"))"#);
    check_expr(r#"x : "a" == true"#, r#"(== (: x "a") true)"#);
    check_expr(r#"f(x) like "a""#, r#"(like (f x) "a")"#);
}

#[test]
fn function_calls() {
    check_expr("f()", "(f)");
    check_expr(r#"startsWith(a, "x")"#, r#"(startsWith a "x")"#);
    check_expr(r#"startsWith~(a, "x")"#, r#"(startsWith~ a "x")"#);
    check_expr("CONCAT(a, 1)", "(CONCAT a 1)");
    check_expr("length (a) > 0", "(> (length a) 0)");
    check_expr("f(g(a), b or c)", "(f (g a) (or b c))");
}

#[test]
fn lineage() {
    check_expr(
        "descendant of [process where a]",
        r#"(descendant of ["process" where a])"#,
    );
    check_expr(
        "not child of [any where true] and event of [x where y]",
        r#"(and (not (child of [any where true])) (event of ["x" where y]))"#,
    );
}

#[test]
fn fields() {
    check_expr("a", "a");
    check_expr("process.parent.name", "process.parent.name");
    check_expr("?user.id", "?user.id");
    check_expr("@timestamp", "@timestamp");
    check_expr("`a b`.c", "`a b`.c");
    check_expr("`a.b`", "`a.b`");
    check_expr("`a``b`", "`a`b`");
    check_expr("``", "``");
    check_expr("`sequence` == 1", "(== sequence 1)");
    check_expr("a[0]", "a[]");
    // The compact form shows indexes after the path; their spans say where.
    check_expr("a.b[0].c[12]", "a.b.c[][]");
    // Prefixes of keywords are identifiers.
    check_expr(
        "android or order or inx or notes or nullable or true_value or byte or within",
        "(or (or (or (or (or (or (or android order) inx) notes) nullable) true_value) byte) within)",
    );
    // `runs`, `descendant` and friends are not keywords.
    check_expr("runs == descendant", "(== runs descendant)");
}

#[test]
fn literals() {
    check_expr("null", "null");
    check_expr("true", "true");
    check_expr("false", "false");
    check_expr("0", "0");
    check_expr("9223372036854775807", "9223372036854775807");
    check_expr("9223372036854775808", "9223372036854775808");
    check_expr("18446744073709551615", "18446744073709551615");
    check_expr("18446744073709551616", "1.8446744073709552e19f");
    check_expr("99999999999999999999", "1e20f");
    check_expr("1.5", "1.5f");
    check_expr("1.", "1.0f");
    check_expr(".5", "0.5f");
    check_expr("1e3", "1000.0f");
    check_expr("1.5E-3", "0.0015f");
    check_expr(".5e2", "50.0f");
    check_expr("2E+2", "200.0f");
}

#[test]
fn strings() {
    check_expr(r#""""#, r#""""#);
    check_expr(r#""abc""#, r#""abc""#);
    check_expr(r#""a\"b""#, r#""a\"b""#);
    check_expr(r#""\n\r\t\\\"\'""#, r#""\n\r\t\\\"'""#);
    check_expr(r#""\u{41}\u{0042}\u{00000043}""#, r#""ABC""#);
    check_expr(r#""\u{1F600}\u{e9}""#, r#""😀é""#);
    check_expr(r#""C:\\Windows\\*""#, r#""C:\\Windows\\*""#);
    check_expr(r#""é // not /* a comment""#, r#""é // not /* a comment""#);
    check_expr(r#""(((((""#, r#""(((((""#);
}

#[test]
fn raw_strings() {
    check_expr(r#""""a\b""""#, r#""a\\b""#);
    check_expr(r##""""a"""""##, r#""a\"""#);
    check_expr(r##""""a""""""##, r#""a\"\"""#);
    check_expr(r##""""""""##, r#""""#);
    check_expr(r##"""""""""##, r#""\"""#);
    check_expr(r##""""say "hi" """"##, r#""say \"hi\" ""#);
    check_expr(r#""""\u{41}\n""""#, r#""\\u{41}\\n""#);
    check_expr(r#""""a""" == "b""#, r#"(== "a" "b")"#);
    check_expr(r##""""a"""" == "b""##, r#"(== "a\"" "b")"#);
}

#[test]
fn comments() {
    check(
        "// leading\nprocess /* c */ where /* nested /* inner */ still */ a == 1 // trailing",
        r#"["process" where (== a 1)]"#,
    );
    check(
        "process where a /* x */ . /* y */ b == 1",
        r#"["process" where (== a.b 1)]"#,
    );
    check(
        "process where a //c\r\n or b",
        r#"["process" where (or a b)]"#,
    );
    check("process where a /b/*c*/", r#"["process" where (/ a b)]"#);
}

#[test]
fn whitespace_is_optional_between_tokens() {
    check(
        "sequence by a with maxspan=5m[x where a==1][y where b:\"x\"]by c|head 1",
        r#"(sequence by a maxspan=5m ["x" where (== a 1)] ["y" where (: b "x")] by c) | head 1"#,
    );
    check(
        "process where a!=1and b",
        r#"["process" where (and (!= a 1) b)]"#,
    );
}

// ---------------------------------------------------------------------------
// Spans.

#[test]
fn spans_of_an_event_query() {
    let text = "  process where a.b == \"x\"  ";
    let query = parse_query(text).unwrap_or_else(|error| panic!("{}", error.render(text)));
    assert_eq!(query.span, Span::new(2, 26));
    let QueryBody::Event(event) = &query.body else {
        panic!("not an event query: {query:?}");
    };
    assert_eq!(event.span, Span::new(2, 26));
    let Category::Named(category) = &event.category else {
        panic!("not a named category");
    };
    assert_eq!(category.span, Span::new(2, 9));
    assert_eq!(event.condition.span, Span::new(16, 26));
    let ExprKind::Compare { lhs, rhs, .. } = &event.condition.kind else {
        panic!("not a comparison");
    };
    assert_eq!(lhs.span, Span::new(16, 19));
    assert_eq!(rhs.span, Span::new(23, 26));
    let ExprKind::Field(field) = &lhs.kind else {
        panic!("not a field");
    };
    let segments: Vec<Span> = field.segments.iter().map(|segment| segment.span).collect();
    assert_eq!(segments, [Span::new(16, 17), Span::new(18, 19)]);
}

#[test]
fn spans_of_expressions() {
    let text = "(a or b) and not ?`x y`[0] : (\"p\") and f~(1)";
    let expr = parse_expression(text).unwrap_or_else(|error| panic!("{}", error.render(text)));
    assert_eq!(expr.span, Span::new(0, 44));
    let ExprKind::And(lhs, call) = &expr.kind else {
        panic!("not an and");
    };
    assert_eq!(call.span, Span::new(39, 44));
    let ExprKind::Call {
        name, insensitive, ..
    } = &call.kind
    else {
        panic!("not a call");
    };
    assert_eq!(
        (name.node.as_str(), name.span, *insensitive),
        ("f", Span::new(39, 40), true)
    );
    let ExprKind::And(group, not) = &lhs.kind else {
        panic!("not an and");
    };
    // A parenthesised expression spans its parentheses.
    assert_eq!(group.span, Span::new(0, 8));
    assert_eq!(not.span, Span::new(13, 34));
    let ExprKind::Not(matching) = &not.kind else {
        panic!("not a not");
    };
    assert_eq!(matching.span, Span::new(17, 34));
    let ExprKind::Match {
        value, patterns, ..
    } = &matching.kind
    else {
        panic!("not a match");
    };
    assert_eq!(value.span, Span::new(17, 26));
    assert_eq!(patterns[0].span, Span::new(30, 33));
    let ExprKind::Field(field) = &value.kind else {
        panic!("not a field");
    };
    assert_eq!(field.segments[0].node, "x y");
    assert_eq!(field.segments[0].span, Span::new(18, 23));
    assert_eq!(field.indexes, [Span::new(23, 26)]);
}

#[test]
fn spans_of_a_sequence() {
    let text =
        "sequence with maxspan=5m by a [x where true] by b with runs=2 ![y where c] | head 3";
    let query = parse_query(text).unwrap_or_else(|error| panic!("{}", error.render(text)));
    assert_eq!(query.span, Span::new(0, text.len()));
    let QueryBody::Sequence(sequence) = &query.body else {
        panic!("not a sequence");
    };
    assert_eq!(sequence.span, Span::new(0, 74));
    let maxspan = sequence
        .maxspan
        .as_ref()
        .map(|maxspan| (maxspan.span, maxspan.value.span));
    assert_eq!(maxspan, Some((Span::new(9, 24), Span::new(22, 23))));
    assert_eq!(sequence.with_before_by, Some(Span::new(9, 24)));
    assert_eq!(sequence.by[0].span, Span::new(28, 29));
    let step = &sequence.steps[0];
    assert_eq!(step.span, Span::new(30, 61));
    assert_eq!(step.query.span, Span::new(31, 43));
    assert_eq!(step.params[0].span, Span::new(50, 61));
    assert_eq!(step.params[0].name.span, Span::new(55, 59));
    assert_eq!(sequence.steps[1].span, Span::new(62, 74));
    assert!(sequence.steps[1].missing);
    assert_eq!(query.pipes[0].span, Span::new(75, 83));
    assert_eq!(query.pipes[0].name.span, Span::new(77, 81));
}

// ---------------------------------------------------------------------------
// Limits.

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let text = format!(
        "process where {}a{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let error = parse_query(&text)
        .err()
        .map(|error| (error.message, error.span));
    let opener = "process where ".len() + 64;
    assert_eq!(
        error,
        Some((
            "nesting is too deep: more than 64 levels".to_owned(),
            Span::new(opener, opener + 1)
        ))
    );
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let text = format!("process where {}a{}", "(".repeat(64), ")".repeat(64));
    check(&text, r#"["process" where a]"#);

    // Brackets count too: 63 parentheses inside a step are 64 levels.
    let text = format!("sequence [x where {}a{}]", "(".repeat(63), ")".repeat(63));
    check(&text, r#"(sequence ["x" where a])"#);
    let text = format!("sequence [x where {}a{}]", "(".repeat(64), ")".repeat(64));
    assert!(parse_query(&text).is_err());

    // Nesting inside strings, identifiers and comments does not count.
    let text = format!(
        "process where a == \"{0}\" or `{0}` /* {0} */ // {0}",
        "(".repeat(100)
    );
    assert!(parse_query(&text).is_ok());
}

#[test]
fn deeply_nested_comments_are_refused() {
    let text = format!("process where a {} {}", "/*".repeat(100), "*/".repeat(100));
    let error = parse_query(&text)
        .err()
        .map(|error| (error.message, error.span.start));
    let opener = "process where a ".len() + 64 * 2;
    assert_eq!(
        error,
        Some((
            "nesting is too deep: more than 64 levels".to_owned(),
            opener as u32
        ))
    );
}

#[test]
fn a_long_or_chain_parses_left_associatively() {
    let terms: Vec<String> = (0..5_000).map(|i| format!("a{i} == {i}")).collect();
    let text = format!("process where {}", terms.join(" or "));
    let query = parse_query(&text).unwrap_or_else(|error| panic!("{}", error.message));
    let QueryBody::Event(event) = &query.body else {
        panic!("not an event query");
    };
    // Walk down the left spine without recursion.
    let mut expr = &event.condition;
    let mut ors = 0;
    while let ExprKind::Or(lhs, rhs) = &expr.kind {
        assert!(matches!(rhs.kind, ExprKind::Compare { .. }));
        ors += 1;
        expr = lhs;
    }
    assert_eq!(ors, 4_999);
    assert_eq!(show_expr(expr), "(== a0 0)");
}

#[test]
fn a_chain_deeper_than_the_limit_is_refused() {
    let text = format!("process where {}", vec!["a"; 10_001].join(" or "));
    let error = parse_query(&text)
        .err()
        .map(|error| (error.message, error.span));
    let last_or = text.rfind("or").unwrap_or(0);
    assert_eq!(
        error,
        Some((
            "expression is too deep: more than 10000 nested operators".to_owned(),
            Span::new(last_or, last_or + 2)
        ))
    );

    let text = format!("process where {}a", "not ".repeat(10_000));
    let error = parse_query(&text).err().map(|error| error.span);
    assert_eq!(error, Some(Span::new(14, 17)));

    let text = format!("process where {}a", "-".repeat(9_999));
    assert!(parse_query(&text).is_ok());
}

#[test]
fn long_queries_are_refused() {
    let prefix = "process where a == \"";
    let fill = MAX_QUERY_LEN - prefix.len() - 1;
    let text = format!("{prefix}{}\"", "x".repeat(fill));
    assert_eq!(text.len(), MAX_QUERY_LEN);
    assert!(parse_query(&text).is_ok());

    let text = format!("{prefix}{}\"", "x".repeat(fill + 1));
    let error = parse_query(&text)
        .err()
        .map(|error| (error.message, error.span));
    assert_eq!(
        error,
        Some((
            "query is too long: 1048577 bytes, more than 1048576".to_owned(),
            Span::new(MAX_QUERY_LEN, MAX_QUERY_LEN + 1)
        ))
    );
}

// ---------------------------------------------------------------------------
// Errors.

#[test]
fn lexical_errors() {
    check_error(
        "process where 'abc'",
        "single-quoted strings are not EQL",
        "'abc'",
        Some("use double quotes: `\"abc\"`"),
    );
    check_error(
        r#"process where x == "a\qb""#,
        "unknown escape `\\q` in string",
        "\\q",
        Some(
            "write `\\\\` for a backslash, or use a raw string `\"\"\"…\"\"\"`; the escapes are \
             `\\n`, `\\r`, `\\t`, `\\\"`, `\\'`, `\\\\` and `\\u{…}`",
        ),
    );
    check_error(
        "process where x == \"abc",
        "unterminated string",
        "\"abc",
        Some("add a closing `\"`"),
    );
    check_error(
        "process where x == \"abc\n\"",
        "unterminated string",
        "\"abc",
        Some("a string ends on the line it starts on; write `\\n` for a line break"),
    );
    check_error(
        "process where x == \"\"\"abc\"\"",
        "unterminated raw string",
        "\"\"\"abc\"\"",
        Some("a raw string ends with `\"\"\"` on the line it starts on"),
    );
    check_error(
        r#"process where x == "\u{d800}""#,
        "invalid unicode escape: `\\u{d800}` is not a character",
        "\\u{d800}",
        Some("write a Unicode scalar value: at most `10FFFF`, and not a surrogate"),
    );
    let digits_help = Some("write 2 to 8 hex digits in braces, such as `\\u{e9}` or `\\u{1F600}`");
    check_error(
        r#"x where y == "\u{1}""#,
        "invalid unicode escape",
        "\\u{1}",
        digits_help,
    );
    check_error(
        r#"x where y == "\u{123456789}""#,
        "invalid unicode escape",
        "\\u{123456789}",
        digits_help,
    );
    check_error(
        r#"x where y == "\u41""#,
        "invalid unicode escape",
        "\\u",
        digits_help,
    );
    check_error(
        "process where /* open",
        "unterminated block comment",
        "/*",
        Some("close it with `*/`; block comments nest"),
    );
    check_error(
        "process where `abc",
        "unterminated back-quoted identifier",
        "`",
        Some("add a closing back-quote; a doubled back-quote stands for one"),
    );
    check_error(
        "process where a : ?\"x*\"",
        "`?\"…\"` strings are not EQL",
        "?\"x*\"",
        Some("use a raw string: `\"\"\"…\"\"\"`"),
    );
}

#[test]
fn invisible_characters_are_named() {
    check_error(
        "process where\u{200b} true",
        "expected an expression, found `\\u{200b}`",
        "\u{200b}",
        Some("the query holds an invisible character, U+200B, here; delete it"),
    );
    check_error(
        "process where a ==\u{a0}1",
        "expected an expression, found `\\u{a0}`",
        "\u{a0}",
        Some("the query holds an invisible character, U+00A0, here; delete it"),
    );
}

#[test]
fn syntax_errors() {
    check_error(
        "process x == 1",
        "expected `where` after the event category, found `x`",
        "x",
        None,
    );
    check_error(
        "process WHERE a",
        "expected `where` after the event category, found `WHERE`",
        "WHERE",
        Some("keywords are lower case: `where`"),
    );
    check_error(
        "process where a AND b",
        "expected `|`, an operator or the end of the query, found `AND`",
        "AND",
        Some("keywords are lower case: `and`"),
    );
    check_error(
        "process where a == 1 Or b",
        "expected `|`, an operator or the end of the query, found `Or`",
        "Or",
        Some("keywords are lower case: `or`"),
    );
    check_error(
        "process where a = 1",
        "`=` is not a comparison operator",
        "=",
        Some("use `==` to compare"),
    );
    check_error(
        "process where a && b",
        "`&&` is not an EQL operator",
        "&&",
        Some("use `and`"),
    );
    check_error(
        "process where !a",
        "`!` is not an EQL operator",
        "!",
        Some("use `not`"),
    );
    check_error(
        "process where a < b < c",
        "comparison operators cannot be chained",
        "<",
        Some("use `and` to test both: `a < b and b < c`"),
    );
    check_error(
        "process where a in \"x\"",
        "expected `(` after `in`, found `\"x\"`",
        "\"x\"",
        Some("`in` takes a parenthesised list: `x in (\"a\", \"b\")`"),
    );
    check_error(
        "process where a not like \"x\"",
        "expected `in` after `not`, found `like`",
        "like",
        Some(
            "only `in` can be negated in place; put `not` before the whole test: `not x like \"…\"`",
        ),
    );
    check_error(
        "process where a : b",
        "expected `(` or a literal, found `b`",
        "b",
        None,
    );
    check_error(
        "where a == 1",
        "expected an event category, `sequence` or `sample`, found `where`",
        "where",
        Some("a query starts with its event category: `process where …`, or `any where …`"),
    );
    check_error(
        "process where (a or b",
        "expected `)` or an operator, found the end of the query",
        "",
        None,
    );
    check_error(
        "process where a or",
        "expected an expression, found the end of the query",
        "",
        None,
    );
    check_error(
        "process where f(a,)",
        "expected an expression, found `)`",
        ")",
        None,
    );
    check_error(
        "sequence [a where true] [b where true",
        "expected `]` or an operator, found the end of the query",
        "",
        None,
    );
    check_error(
        "sequence with maxspan 5m [a where true]",
        "expected `=`, found `5m`",
        "5m",
        None,
    );
    check_error(
        "process where startsWith ~(a, \"b\")",
        "expected `|`, an operator or the end of the query, found `~`",
        "~",
        Some(
            "write `~` directly after the function name or operator, without a space: \
             `startsWith~(`, `in~`, `like~`, `regex~`",
        ),
    );
    check_error(
        "process where x == 1e999",
        "number is too large",
        "1e999",
        Some("numbers are 64-bit floats at most, up to about `1.8e308`"),
    );
    check_error(
        "  // nothing\n",
        "query is empty",
        "",
        Some("write a query such as `process where process.name == \"cmd.exe\"`"),
    );
}

#[test]
fn operators_of_other_languages() {
    check_error(
        "process where a || b",
        "`||` is not an EQL operator",
        "||",
        Some("use `or`"),
    );
    check_error(
        "sequence ! [a where true]",
        "expected `[`, `by` or `with`, found `!`",
        "!",
        Some("a missing event is written `![`, without a space"),
    );
    check_error(
        "process where a == 1 |",
        "expected a pipe name, found the end of the query",
        "",
        None,
    );
}

#[test]
fn expression_errors() {
    let error = parse_expression("a ==")
        .err()
        .map(|error| (error.message, error.span));
    assert_eq!(
        error,
        Some((
            "expected an expression, found the end of the query".to_owned(),
            Span::new(4, 4)
        ))
    );
    let error = parse_expression("a b").err().map(|error| error.message);
    assert_eq!(
        error.as_deref(),
        Some("expected an operator or the end of the query, found `b`")
    );
}

#[test]
fn keywords_are_not_identifiers() {
    check_error(
        "process where sequence == 1",
        "expected an expression, found `sequence`",
        "sequence",
        Some("`sequence` is a keyword; write it in back-quotes to use it as a field name"),
    );
    check_error(
        "process where a.by == 1",
        "expected an identifier, found `by`",
        "by",
        Some("`by` is a keyword; write it in back-quotes to use it as a field name"),
    );
    check_error(
        "sequence where true",
        "expected `[`, `by` or `with`, found `where`",
        "where",
        None,
    );
    check_error(
        "any where maxspan > 1",
        "expected an expression, found `maxspan`",
        "maxspan",
        Some("`maxspan` is a keyword; write it in back-quotes to use it as a field name"),
    );
}
