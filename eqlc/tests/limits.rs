//! Bounds on the work a query may ask of the compiler: each limit is a
//! clear error at the offending text, never a stack overflow, a panic or a
//! compile that runs for minutes.

use std::time::{Duration, Instant};

use eqlc::{Diagnostics, Options};

fn compile(query: &str) -> Result<eqlc::Compiled, Diagnostics> {
    eqlc::compile(query, &Options::default())
}

/// The first error of compiling `query`, with the text at its span.
fn first_error(query: &str) -> (String, String) {
    let diagnostics = compile(query).expect_err("the query is refused");
    let error = diagnostics.errors().next().expect("an error");
    let text: String = query
        .get(error.span.range())
        .unwrap_or("")
        .chars()
        .take(20)
        .collect();
    (error.message.clone(), text)
}

#[test]
fn ten_thousand_nested_parentheses_are_an_error() {
    let query = format!(
        "process where {}process.name == \"a\"{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let (message, _) = first_error(&query);
    assert_eq!(message, "nesting is too deep: more than 64 levels");
}

#[test]
fn a_query_over_one_mebibyte_is_an_error() {
    let query = format!("process where x == \"{}\"", "a".repeat(1 << 20));
    let (message, _) = first_error(&query);
    assert!(message.starts_with("query is too long: "), "{message}");
}

#[test]
fn lists_are_bounded() {
    let max = eqlc::check::MAX_LIST_LEN;
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("\"v{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    assert!(compile(&format!("process where x in ({})", list(max))).is_ok());
    let (message, text) = first_error(&format!("process where x in ({})", list(max + 1)));
    assert_eq!(
        message,
        format!("the list has {} items, more than {max}", max + 1)
    );
    assert!(text.starts_with("x in (\"v0\""), "{text}");
    let (message, _) = first_error(&format!("process where x : ({})", list(max + 1)));
    assert!(message.starts_with("the list has"), "{message}");
    let (message, _) = first_error(&format!(
        "network where cidrMatch(source.ip, {})",
        (0..=max)
            .map(|i| format!("\"10.{}.{}.0/24\"", i / 256 % 256, i % 256))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    assert!(message.starts_with("`cidrMatch` has"), "{message}");
}

#[test]
fn a_regex_too_large_to_build_is_an_error_and_quick() {
    let started = Instant::now();
    let (message, text) =
        first_error(r#"process where process.name regex "((((a{1000}){1000}){1000}){1000})""#);
    assert!(
        message.starts_with("regular expression is too large"),
        "{message}"
    );
    assert_eq!(text, "\"((((a{1000}){1000})");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn the_fields_of_a_query_are_bounded() {
    let max = eqlc::check::MAX_FIELDS;
    let query = |n: usize| {
        let tests: Vec<String> = (0..n).map(|i| format!("f{i} == 1")).collect();
        format!("process where {}", tests.join(" or "))
    };
    let started = Instant::now();
    let compiled = compile(&query(max)).expect("compiles");
    let warnings =
        eqlc::schema::check_compiled(&compiled, &Options::default(), &eqlc::schema::Schema::ecs());
    assert_eq!(warnings.len(), max, "each is outside ECS");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let (message, text) = first_error(&query(max + 1));
    assert_eq!(message, "the query reads more than 1000 distinct fields");
    assert_eq!(text, "f1000");
    // Fields read again do not count.
    let again = format!("{} or f0 == 2 or f999 == 3", query(max));
    assert!(compile(&again).is_ok());
}
