//! Tests of the NDJSON decoders: the flattening semantics on small lines,
//! exact error messages, limits, and every real event of the shared data,
//! checked against `serde_json` as an independent reader.

use std::path::PathBuf;

use super::*;
use crate::event::{ABSENT, resolve};

/// Declares a [`PathSet`] with explicit slot numbers; [`Record::new`] checks
/// them at compile time.
macro_rules! path_set {
    ($name:ident { $($slot:literal => $path:literal),* $(,)? }) => {
        struct $name;

        impl PathSet for $name {
            const PATHS: &'static [&'static str] = &[$($path),*];
            const FIELDS: &'static [FieldEntry] = &[$(FieldEntry {
                name: $path,
                shape: Shape::Leaf,
                first_slot: $slot,
            }),*];
        }
    };
}

// `a-b` < `a.b` < `a/b` by bytes: the prefix search must step over `a-b`.
path_set!(Semantics {
    0 => "a",
    1 => "a-b",
    2 => "a.b",
    3 => "a.b.c",
    4 => "a/b",
    5 => "ab",
    6 => "container.image.name",
    7 => "n",
    8 => "p.n",
    9 => "s",
});

/// Decodes `line` with both decoders and checks the values of `path`.
#[track_caller]
fn check(line: &str, path: &str, expected: &[Value<'_>]) {
    let mut document = Document::new();
    match document.decode(line.as_bytes()) {
        Ok(view) => assert_eq!(
            view.values(path).collect::<Vec<_>>(),
            expected,
            "document {line} at {path}"
        ),
        Err(error) => panic!("document {line}: {error}"),
    }
    let Some(slot) = resolve(&RecordView::<Semantics>::SHAPE, path) else {
        panic!("{path} is not in the test path set");
    };
    let mut record = Record::<Semantics>::new();
    match record.decode(line.as_bytes()) {
        Ok(view) => assert_eq!(
            view.chain(slot as usize).collect::<Vec<_>>(),
            expected,
            "record {line} at {path}"
        ),
        Err(error) => panic!("record {line}: {error}"),
    }
}

/// Decodes `line` with both decoders, which must fail with `message`.
#[track_caller]
fn check_error(line: &[u8], message: &str) {
    let document_error = Document::new().decode(line).map(|_| ()).err();
    let record_error = Record::<Semantics>::new().decode(line).map(|_| ()).err();
    let shown = |error: Option<DecodeError>| error.map(|error| error.to_string());
    assert_eq!(shown(document_error).as_deref(), Some(message), "document");
    assert_eq!(shown(record_error).as_deref(), Some(message), "record");
}

#[test]
fn nested_objects_and_dotted_keys_are_equivalent_at_any_level() {
    for line in [
        r#"{"a":{"b":{"c":1}}}"#,
        r#"{"a.b":{"c":1}}"#,
        r#"{"a":{"b.c":1}}"#,
        r#"{"a.b.c":1}"#,
    ] {
        check(line, "a.b.c", &[Value::Int(1)]);
        check(line, "a.b", &[]);
        check(line, "a", &[]);
    }
    for line in [
        r#"{"container":{"image.name":"x"}}"#,
        r#"{"container.image":{"name":"x"}}"#,
        r#"{"container.image.name":"x"}"#,
    ] {
        check(line, "container.image.name", &[Value::Str("x")]);
    }
}

#[test]
fn the_prefix_search_steps_over_paths_that_sort_between() {
    let line = r#"{"a-b":1,"a":{"b":2},"a/b":3,"ab":4}"#;
    check(line, "a-b", &[Value::Int(1)]);
    check(line, "a.b", &[Value::Int(2)]);
    check(line, "a/b", &[Value::Int(3)]);
    check(line, "ab", &[Value::Int(4)]);
}

#[test]
fn the_record_knows_which_paths_lie_below_a_prefix() {
    let mut values = Vec::new();
    let mut chains = Vec::new();
    let sink = SlotSink {
        paths: Semantics::PATHS,
        values: &mut values,
        chains: &mut chains,
    };
    let target = |path| {
        let target = sink.target(path);
        (target.leaf, target.children)
    };
    assert_eq!(target("a"), (Some(0), true));
    assert_eq!(target("a-b"), (Some(1), false));
    assert_eq!(target("a.b"), (Some(2), true));
    assert_eq!(target("a.b.c"), (Some(3), false));
    assert_eq!(target("a.b.c.d"), (None, false));
    assert_eq!(target("a/b"), (Some(4), false));
    assert_eq!(target("container"), (None, true));
    assert_eq!(target("container.image"), (None, true));
    assert_eq!(target("container.imag"), (None, false));
    assert_eq!(target("p"), (None, true));
    assert_eq!(target("zz"), (None, false));
    assert_eq!(target(""), (None, false));
    let sink = SlotSink {
        paths: &["a!", "a!b", "a-", "a.b"],
        values: &mut values,
        chains: &mut chains,
    };
    assert_eq!(
        (sink.target("a").leaf, sink.target("a").children),
        (None, true)
    );
    assert_eq!(
        (sink.target("a!").leaf, sink.target("a!").children),
        (Some(0), false)
    );
}

#[test]
fn arrays_give_each_element_and_arrays_of_arrays_are_flattened() {
    check(
        r#"{"n":[1,"x",true]}"#,
        "n",
        &[Value::Int(1), Value::Str("x"), Value::Bool(true)],
    );
    check(
        r#"{"n":[1,[2,[3,[]]],[[4]]]}"#,
        "n",
        &[1, 2, 3, 4].map(Value::Int),
    );
}

#[test]
fn arrays_of_objects_give_their_leaves_under_the_same_prefix() {
    let line = r#"{"p":[{"n":"a"},{"n":"b","m":1},[{"n":["c","d"]}],{"q":{}}]}"#;
    check(line, "p.n", &["a", "b", "c", "d"].map(Value::Str));
    let line = r#"{"a":[1,{"b":2},[{"b":{"c":3}}]]}"#;
    check(line, "a", &[Value::Int(1)]);
    check(line, "a.b", &[Value::Int(2)]);
    check(line, "a.b.c", &[Value::Int(3)]);
}

#[test]
fn null_and_empty_arrays_give_no_value() {
    check(r#"{"n":null}"#, "n", &[]);
    check(r#"{"n":[]}"#, "n", &[]);
    check(r#"{"n":[[],[[]]]}"#, "n", &[]);
    check(r#"{"n":[null,1,null,[null]]}"#, "n", &[Value::Int(1)]);

    let mut record = Record::<Semantics>::new();
    let view = record
        .decode(br#"{"n":[null],"s":""}"#)
        .map_err(|error| error.to_string());
    let Ok(view) = view else {
        panic!("{view:?}");
    };
    assert!(!crate::event::exists(&view, 7), "null is missing");
    assert!(crate::event::exists(&view, 9), "an empty string is present");
}

#[test]
fn an_object_at_a_wanted_path_gives_no_value() {
    check(r#"{"a":{"b":1}}"#, "a", &[]);
    check(r#"{"a":{"b":1}}"#, "a.b", &[Value::Int(1)]);
    check(r#"{"n":{"x":1},"s":[{"x":1},"y"]}"#, "n", &[]);
    check(
        r#"{"n":{"x":1},"s":[{"x":1},"y"]}"#,
        "s",
        &[Value::Str("y")],
    );
    check(r#"{"n":{}}"#, "n", &[]);
}

#[test]
fn duplicate_keys_and_spellings_keep_every_value_in_document_order() {
    check(r#"{"n":1,"n":2}"#, "n", &[Value::Int(1), Value::Int(2)]);
    let line = r#"{"a":{"b":1},"a.b":[2,3],"a":{"b":4}}"#;
    check(line, "a.b", &[1, 2, 3, 4].map(Value::Int));
}

#[test]
fn numbers_keep_their_exact_value() {
    let cases: &[(&str, Value<'_>)] = &[
        ("0", Value::Int(0)),
        ("-0", Value::Int(0)),
        ("-5", Value::Int(-5)),
        ("9223372036854775807", Value::Int(i64::MAX)),
        ("-9223372036854775808", Value::Int(i64::MIN)),
        ("9223372036854775808", Value::UInt(1 << 63)),
        ("6042695217945480400", Value::Int(6042695217945480400)),
        ("18446744073709551615", Value::UInt(u64::MAX)),
        ("18446744073709551616", Value::Float(18446744073709551616.0)),
        ("-9223372036854775809", Value::Float(-9223372036854775809.0)),
        ("1.5", Value::Float(1.5)),
        ("0.1", Value::Float(0.1)),
        ("-0.0", Value::Float(-0.0)),
        ("1e3", Value::Float(1000.0)),
        ("1E-2", Value::Float(0.01)),
        ("2.5e+1", Value::Float(25.0)),
        ("48628704.4029488", Value::Float(48628704.4029488)),
        ("1e-400", Value::Float(0.0)),
        ("1.7976931348623157e308", Value::Float(f64::MAX)),
    ];
    for (text, expected) in cases {
        check(&format!(r#"{{"n":{text}}}"#), "n", &[*expected]);
    }
}

#[test]
fn booleans_are_values() {
    check(
        r#"{"n":true,"n":false}"#,
        "n",
        &[Value::Bool(true), Value::Bool(false)],
    );
}

#[test]
fn strings_without_escapes_are_borrowed_from_the_line() {
    let line = r#"{"s":"plain é","s":"esc\naped"}"#;
    let mut document = Document::new();
    let Ok(view) = document.decode(line.as_bytes()) else {
        panic!("{line} does not decode");
    };
    let within_line = |value: Value<'_>| match value {
        Value::Str(text) => line.as_bytes().as_ptr_range().contains(&text.as_ptr()),
        _ => false,
    };
    let borrowed: Vec<bool> = view.values("s").map(within_line).collect();
    assert_eq!(borrowed, [true, false]);
    check(line, "s", &[Value::Str("plain é"), Value::Str("esc\naped")]);
}

#[test]
fn escaped_strings_are_unescaped() {
    let line = r#"{"s":"caf\u00e9 \ud83d\ude00 \" \\ \/ \b\f\n\r\t \u0000\u001F"}"#;
    check(
        line,
        "s",
        &[Value::Str("café 😀 \" \\ / \u{8}\u{c}\n\r\t \0\u{1f}")],
    );
    check(r#"{"s":"\uD83D\uDE00"}"#, "s", &[Value::Str("😀")]);
    check(
        r#"{"s":["C:\\Windows\\x.exe","a\\"]}"#,
        "s",
        &["C:\\Windows\\x.exe", "a\\"].map(Value::Str),
    );
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    check(r#"{"s":"\ud800x"}"#, "s", &[Value::Str("\u{fffd}x")]);
    check(r#"{"s":"\udc00"}"#, "s", &[Value::Str("\u{fffd}")]);
    check(r#"{"s":"\ud800\u0041"}"#, "s", &[Value::Str("\u{fffd}A")]);
    check(
        r#"{"s":"\ud800\ud800\udc00"}"#,
        "s",
        &[Value::Str("\u{fffd}\u{10000}")],
    );
    check(r#"{"s":"\ud800\n"}"#, "s", &[Value::Str("\u{fffd}\n")]);
}

#[test]
fn escaped_keys_are_unescaped_into_the_path() {
    check(r#"{"\u0061":{"b\u002ec":1}}"#, "a.b.c", &[Value::Int(1)]);
    check(r#"{"\"":1,"s\\":2,"s":3}"#, "s", &[Value::Int(3)]);
    let mut document = Document::new();
    let paths: Vec<String> = match document.decode(br#"{"\"":1,"s\\":2,"s":3}"#) {
        Ok(view) => view.paths().map(str::to_owned).collect(),
        Err(error) => panic!("{error}"),
    };
    assert_eq!(paths, ["\"", "s", "s\\"]);
}

#[test]
fn whitespace_line_ends_and_a_byte_order_mark_are_allowed() {
    check(
        " \t{ \"n\" : [ 1 , 2 ] ,\n\"s\":\"x\" }\r\n",
        "n",
        &[Value::Int(1), Value::Int(2)],
    );
    check("\u{feff}{\"n\":1}", "n", &[Value::Int(1)]);
    check("{}", "n", &[]);
}

#[test]
fn the_record_keeps_only_wanted_values() {
    let line = br#"{"x":{"y":[1,{"z":"a\"b"}]},"n":1,"s":{"t":2},"p":{"m":3,"n":4}}"#;
    let mut record = Record::<Semantics>::new();
    let Ok(view) = record.decode(line) else {
        panic!("the line does not decode");
    };
    assert_eq!(format!("{view:?}"), r#"{"n": [1], "p.n": [4]}"#);
    assert_eq!(record.values.len(), 2);
    assert_eq!(
        record.buffers.scratch, "",
        "skipped strings are not unescaped"
    );
}

#[test]
fn the_record_reads_through_fields() {
    let mut record = Record::<Semantics>::new();
    let line = br#"{"n":[3,1,2]}"#;
    let Ok(view) = record.decode(line) else {
        panic!("the line does not decode");
    };
    assert_eq!(<RecordView<'_, Semantics> as Fields>::SLOTS, 10);
    assert_eq!(view.line(), line);
    let mut seen = 0;
    assert!(view.any_value(7, &mut |value| {
        seen += 1;
        value == Value::Int(1)
    }));
    assert_eq!(seen, 2, "visiting stops at the first match");
    assert!(!view.any_value(7, &mut |_| false));
    assert!(!view.any_value(ABSENT, &mut |_| true));
    assert!(!view.any_value(10, &mut |_| true));
    let copy = view;
    assert!(copy.any_value(7, &mut |value| value == Value::Int(2)));
}

#[test]
fn buffers_are_cleared_between_lines() {
    let mut record = Record::<Semantics>::new();
    let mut document = Document::new();
    for line in [&br#"{"n":1,"s":"a\tb"}"#[..], br#"{"n":"#, br#"{"s":"c"}"#] {
        let _ = record.decode(line);
        let _ = document.decode(line);
    }
    match record.decode(br#"{"s":"c"}"#) {
        Ok(view) => assert_eq!(format!("{view:?}"), r#"{"s": ["c"]}"#),
        Err(error) => panic!("{error}"),
    }
    match document.decode(br#"{"s":"c"}"#) {
        Ok(view) => assert_eq!(format!("{view:?}"), r#"{"s": ["c"]}"#),
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn the_document_lists_paths_and_values() {
    let line = br#"{"b":[1,2],"a":{"x":"y","z":null},"a.x":"w","c":[]}"#;
    let mut document = Document::new();
    let Ok(view) = document.decode(line) else {
        panic!("the line does not decode");
    };
    assert_eq!(view.paths().collect::<Vec<_>>(), ["a.x", "b"]);
    assert_eq!(
        view.values("a.x").collect::<Vec<_>>(),
        ["y", "w"].map(Value::Str)
    );
    assert_eq!(view.values("a").count(), 0);
    assert_eq!(view.values("c").count(), 0);
    assert_eq!(view.values("zz").count(), 0);
    let mut seen = 0;
    assert!(view.any_value_at("b", &mut |value| {
        seen += 1;
        value == Value::Int(1)
    }));
    assert_eq!(seen, 1);
    assert!(!view.any_value_at("missing", &mut |_| true));
    assert_eq!(view.line(), line);
    assert_eq!(format!("{view:?}"), r#"{"a.x": ["y", "w"], "b": [1, 2]}"#);
}

#[test]
fn path_sets_must_be_sorted_and_unique() {
    assert!(is_sorted_unique(&[]));
    assert!(is_sorted_unique(&["a"]));
    assert!(is_sorted_unique(&["a", "a-b", "a.b", "ab", "b"]));
    assert!(!is_sorted_unique(&["a", "a"]));
    assert!(!is_sorted_unique(&["b", "a"]));
    assert!(!is_sorted_unique(&["a", "a.b", "a-b"]));
    assert!(!is_sorted_unique(&["ab", "a"]));
    assert!(fields_match_paths(Semantics::FIELDS, Semantics::PATHS));
    assert!(!fields_match_paths(
        Semantics::FIELDS,
        &Semantics::PATHS[1..]
    ));
    let leaf = |name, first_slot| FieldEntry {
        name,
        shape: Shape::Leaf,
        first_slot,
    };
    assert!(!fields_match_paths(&[leaf("a", 1)], &["a"]));
    assert!(!fields_match_paths(&[leaf("b", 0)], &["a"]));
    let record = FieldEntry {
        name: "a",
        shape: Shape::Record(&[]),
        first_slot: 0,
    };
    assert!(!fields_match_paths(&[record], &["a"]));
}

#[test]
fn malformed_lines_give_exact_messages() {
    let cases: &[(&[u8], &str)] = &[
        (
            b"[1]",
            "expected an object at the top level, found an array at column 1",
        ),
        (
            b"  \"x\"",
            "expected an object at the top level, found a string at column 3",
        ),
        (
            b"",
            "expected an object, found the end of the line at column 1",
        ),
        (b"x", "expected an object, found `x` at column 1"),
        (
            br#"{"a" 1}"#,
            "expected `:` after an object key, found `1` at column 6",
        ),
        (
            br#"{"a":1"#,
            "expected `,` or `}`, found the end of the line at column 7",
        ),
        (
            br#"{"a":1,}"#,
            "expected a string key, found `}` at column 8",
        ),
        (br#"{a:1}"#, "expected a string key, found `a` at column 2"),
        (
            br#"{"a":[1 2]}"#,
            "expected `,` or `]`, found `2` at column 9",
        ),
        (br#"{"a":[1,]}"#, "expected a value, found `]` at column 9"),
        (br#"{"a":x}"#, "expected a value, found `x` at column 6"),
        (
            br#"{"a":"\x"}"#,
            "invalid escape `\\x` in a string at column 7",
        ),
        (
            br#"{"a":"\"#,
            "string ends in the middle of an escape at column 7",
        ),
        (
            br#"{"a":"\u12"}"#,
            "invalid escape in a string: `\\u` must be followed by four hexadecimal digits \
             at column 7",
        ),
        (br#"{"a":"x"#, "string without a closing quote at column 6"),
        (br#"{"a":01}"#, "number with a leading zero at column 7"),
        (
            br#"{"a":-1e400}"#,
            "number too large for a double (beyond ±1.8e308) at column 6",
        ),
        (br#"{"a":-}"#, "expected a digit, found `}` at column 7"),
        (br#"{"a":+1}"#, "expected a value, found `+` at column 6"),
        (
            br#"{"a":1.}"#,
            "expected a digit after the decimal point, found `}` at column 8",
        ),
        (
            br#"{"a":1e}"#,
            "expected a digit in the exponent, found `}` at column 8",
        ),
        (br#"{"a":tru}"#, "expected `true`, found `}` at column 9"),
        (
            br#"{"a":nul"#,
            "expected `null`, found the end of the line at column 9",
        ),
        (
            br#"{"a":1} x"#,
            "unexpected characters after the top-level object at column 9",
        ),
        (
            br#"{"a":1}{}"#,
            "unexpected characters after the top-level object at column 8",
        ),
        (b"{\"a\":\"\xff\"}", "invalid UTF-8 at column 7"),
        (b"{\"\xc3\":1}", "invalid UTF-8 at column 3"),
        (
            b"{\"a\":\"\t\"}",
            "unescaped control character U+0009 in a string, write it as `\\u0009` at column 7",
        ),
        (
            b"{\n\"a\" 1}",
            "expected `:` after an object key, found `1` at line 2 column 5",
        ),
        (
            "{\"é\" é}".as_bytes(),
            "expected `:` after an object key, found `é` at column 7",
        ),
    ];
    for (line, message) in cases {
        check_error(line, message);
    }
}

#[test]
fn errors_report_kind_offset_line_and_column() {
    let result = Document::new().decode(b"{\"a\":1,\n \"b\":}").map(|_| ());
    let Err(error) = result else {
        panic!("the line decodes");
    };
    assert_eq!(
        error.kind(),
        DecodeErrorKind::TokenUnexpected {
            expected: "a value",
            found: Some('}')
        }
    );
    assert_eq!((error.offset(), error.line(), error.column()), (13, 2, 6));
    let source: &dyn std::error::Error = &error;
    assert_eq!(
        source.to_string(),
        "expected a value, found `}` at line 2 column 6"
    );
}

#[test]
fn invalid_subtrees_are_errors_even_when_skipped() {
    check_error(
        br#"{"zz":[1,2,}"#,
        "expected a value, found `}` at column 12",
    );
    check_error(
        br#"{"zz":{"k":"\q"}}"#,
        "invalid escape `\\q` in a string at column 13",
    );
    check_error(
        br#"{"zz":{"k" 1}}"#,
        "expected `:` after an object key, found `1` at column 12",
    );
    check_error(
        br#"{"a":{"b":01}}"#,
        "number with a leading zero at column 12",
    );
    check_error(
        br#"{"zz":[0,1E+999]}"#,
        "number too large for a double (beyond ±1.8e308) at column 10",
    );
    let long = format!(r#"{{"zz":{}}}"#, "9".repeat(400));
    check_error(
        long.as_bytes(),
        "number too large for a double (beyond ±1.8e308) at column 7",
    );
}

#[test]
fn lines_longer_than_the_limit_are_refused() {
    let line = br#"{"n":123456}"#;
    assert_eq!(Record::<Semantics>::MAX_LINE, 1 << 20);
    assert_eq!(Document::MAX_LINE, MAX_LINE);
    assert_eq!(Record::<Semantics>::new().max_line(), MAX_LINE);
    let mut record = Record::<Semantics>::new().with_max_line(line.len());
    assert_eq!(record.max_line(), line.len());
    assert!(record.decode(line).is_ok());
    let mut record = Record::<Semantics>::new().with_max_line(line.len() - 1);
    let message = record
        .decode(line)
        .map(|_| ())
        .map_err(|error| error.to_string());
    assert_eq!(
        message,
        Err("line longer than the limit of 11 bytes at column 12".to_owned())
    );
    let mut document = Document::new().with_max_line(4);
    assert_eq!(document.max_line(), 4);
    let error = document.decode(line).map(|_| ()).err();
    assert_eq!(
        error.map(|error| error.kind()),
        Some(DecodeErrorKind::LineTooLong { max: 4 })
    );

    let long = format!(r#"{{"s":"{}"}}"#, "x".repeat(MAX_LINE));
    let error = Document::new().decode(long.as_bytes()).map(|_| ()).err();
    assert_eq!(
        error.map(|error| error.to_string()),
        Some("line longer than the limit of 1048576 bytes at column 1048577".to_owned())
    );
}

#[test]
fn nesting_is_limited_to_128_levels() {
    // The top-level object is one level, so 127 arrays fit in it.
    let within = format!(r#"{{"n":{}{}}}"#, "[".repeat(127), "]".repeat(127));
    check(&within, "n", &[]);
    let within = format!(r#"{{"zz":{}{}}}"#, "[".repeat(127), "]".repeat(127));
    check(&within, "n", &[]);
    let message = "objects and arrays nest deeper than 128 levels at column 133";
    check_error(
        format!(r#"{{"n":{}{}}}"#, "[".repeat(128), "]".repeat(128)).as_bytes(),
        message,
    );
    let message = "objects and arrays nest deeper than 128 levels at column 134";
    check_error(
        format!(r#"{{"zz":{}{}}}"#, "[".repeat(128), "]".repeat(128)).as_bytes(),
        message,
    );
}

#[test]
fn deep_input_cannot_overflow_the_stack() {
    let deep_arrays = "[".repeat(100_000);
    let deep_objects = r#"{"a":"#.repeat(100_000);
    let lines = [
        deep_arrays.clone(),
        format!(r#"{{"n":{deep_arrays}"#),
        format!(r#"{{"zz":{deep_arrays}"#),
        deep_objects.clone(),
        format!(r#"{{"zz":{deep_objects}"#),
    ];
    for line in &lines {
        let document = Document::new().decode(line.as_bytes()).map(|_| ()).err();
        let record = Record::<Semantics>::new()
            .decode(line.as_bytes())
            .map(|_| ())
            .err();
        for error in [document, record] {
            let kind = error.map(|error| error.kind());
            assert!(
                matches!(
                    kind,
                    Some(
                        DecodeErrorKind::NestingTooDeep
                            | DecodeErrorKind::TopLevelNotObject { found: "an array" }
                    )
                ),
                "{kind:?}"
            );
        }
    }
}

#[test]
fn string_stops_are_found_eight_bytes_at_a_time_as_one_at_a_time() {
    let naive = |bytes: &[u8]| {
        bytes
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
    };
    let fillers = [b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xc3, 0xff];
    let stops = [b'"', b'\\', 0x00, 0x01, 0x1f];
    for length in 0..40 {
        for filler in fillers {
            let mut bytes = vec![filler; length];
            assert_eq!(string_stop(&bytes), None, "{bytes:?}");
            for at in 0..length {
                for stop in stops {
                    bytes[at] = stop;
                    assert_eq!(string_stop(&bytes), naive(&bytes), "{bytes:?}");
                    assert_eq!(string_stop(&bytes), Some(at), "{bytes:?}");
                    bytes[at] = filler;
                }
            }
        }
    }
}

// The real events of the shared data.

/// Every line of every NDJSON file of the shared events, or `None` when the
/// data is absent and was not asked for (`EQLC_SHARED` unset).
fn shared_events() -> Option<Vec<(String, Vec<u8>)>> {
    let folder = match std::env::var_os("EQLC_SHARED") {
        Some(root) => {
            let folder = PathBuf::from(root).join("events");
            assert!(
                folder.is_dir(),
                "EQLC_SHARED is set but {} is missing",
                folder.display()
            );
            folder
        }
        None => {
            let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
            let folder = workspace.join("..").join("shared").join("events");
            if !folder.is_dir() {
                eprintln!(
                    "skipped: {} not found (set EQLC_SHARED to the shared data folder)",
                    folder.display()
                );
                return None;
            }
            folder
        }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "ndjson")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no NDJSON file in {}", folder.display());
    let mut lines = Vec::new();
    for file in files {
        let text =
            std::fs::read(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        let name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        for (number, line) in text.split(|&byte| byte == b'\n').enumerate() {
            if !line.iter().all(u8::is_ascii_whitespace) {
                lines.push((format!("{name}:{}", number + 1), line.to_vec()));
            }
        }
    }
    Some(lines)
}

fn shared_line(name: &str) -> Option<Vec<u8>> {
    let lines = shared_events()?;
    let found = lines.into_iter().find(|(where_, _)| where_ == name);
    Some(
        found
            .unwrap_or_else(|| panic!("{name} is not in the shared events"))
            .1,
    )
}

/// Flattens a `serde_json` value as the decoders should, into
/// `(path, value as Debug)` pairs in document order.
fn oracle(
    value: &serde_json::Value,
    path: &mut String,
    root: bool,
    out: &mut Vec<(String, String)>,
) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let mark = path.len();
                if !root {
                    path.push('.');
                }
                path.push_str(key);
                oracle(value, path, false, out);
                path.truncate(mark);
            }
        }
        serde_json::Value::Array(values) => {
            for value in values {
                oracle(value, path, root, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::Bool(b) => out.push((path.clone(), format!("{:?}", Value::Bool(*b)))),
        serde_json::Value::String(text) => {
            out.push((path.clone(), format!("{:?}", Value::Str(text))));
        }
        serde_json::Value::Number(number) => {
            let value = match (number.as_i64(), number.as_u64(), number.as_f64()) {
                (Some(n), _, _) => Value::Int(n),
                (None, Some(n), _) => Value::UInt(n),
                (None, None, n) => Value::Float(n.unwrap_or(f64::NAN)),
            };
            out.push((path.clone(), format!("{value:?}")));
        }
    }
}

#[test]
fn every_real_event_decodes_as_serde_json_reads_it() {
    let Some(lines) = shared_events() else {
        return;
    };
    let mut document = Document::new();
    let mut record = Record::<Semantics>::new();
    for (name, line) in &lines {
        let view = match document.decode(line) {
            Ok(view) => view,
            Err(error) => panic!("{name}: {error}"),
        };
        let mut decoded: Vec<(String, String)> = Vec::new();
        for path in view.paths() {
            for value in view.values(path) {
                decoded.push((path.to_owned(), format!("{value:?}")));
            }
        }
        let parsed: serde_json::Value = match serde_json::from_slice(line) {
            Ok(parsed) => parsed,
            Err(error) => panic!("{name}: serde_json: {error}"),
        };
        let mut expected = Vec::new();
        oracle(&parsed, &mut String::new(), true, &mut expected);
        // A stable sort keeps each path's values in document order.
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(decoded, expected, "{name}");
        assert!(decoded.len() > 10, "{name} has few values");
        if let Err(error) = record.decode(line) {
            panic!("{name}: {error}");
        }
    }
}

path_set!(Cloud {
    0 => "container.image.name",
    1 => "event.category",
    2 => "orchestrator.resource.name",
    3 => "process.Ext.ptrace.data",
    4 => "process.user.id",
});

/// The values of `path` in `line`, read through [`Fields`], as Debug text.
fn cloud_values(record: &mut Record<Cloud>, line: &[u8], path: &str) -> Vec<String> {
    let Some(slot) = resolve(&RecordView::<Cloud>::SHAPE, path) else {
        panic!("{path} is not in the path set");
    };
    let view = match record.decode(line) {
        Ok(view) => view,
        Err(error) => panic!("{error}"),
    };
    let mut values = Vec::new();
    crate::event::for_each_value(&view, slot, |value| values.push(format!("{value:?}")));
    values
}

#[test]
fn cloud_defend_dotted_keys_arrays_and_integers() {
    let mut record = Record::<Cloud>::new();
    for name in [
        "cloud_defend_process.ndjson:1",
        "cloud_defend_process.ndjson:2",
    ] {
        let Some(line) = shared_line(name) else {
            return;
        };
        assert_eq!(
            cloud_values(&mut record, &line, "container.image.name"),
            ["\"nginx\""]
        );
        assert_eq!(
            cloud_values(&mut record, &line, "orchestrator.resource.name"),
            ["\"nginx-pod\""]
        );
        assert_eq!(
            cloud_values(&mut record, &line, "event.category"),
            ["\"process\""]
        );
        assert_eq!(cloud_values(&mut record, &line, "process.user.id"), ["0"]);
        let view = record.decode(&line).map_err(|error| error.to_string());
        let Ok(view) = view else {
            panic!("{view:?}");
        };
        assert!(view.any_value(4, &mut |value| value == Value::Int(0)));
        assert!(view.any_value(1, &mut |value| value == Value::Str("process")));
    }
}

#[test]
fn endpoint_ptrace_data_keeps_all_its_digits() {
    let Some(line) = shared_line("endpoint_process.ndjson:2") else {
        return;
    };
    let mut record = Record::<Cloud>::new();
    let view = record.decode(&line).map_err(|error| error.to_string());
    let Ok(view) = view else {
        panic!("{view:?}");
    };
    let expected = Value::Int(6042695217945480400);
    assert_eq!(view.chain(3).collect::<Vec<_>>(), [expected]);
    let mut document = Document::new();
    let view = document.decode(&line).map_err(|error| error.to_string());
    let Ok(view) = view else {
        panic!("{view:?}");
    };
    assert_eq!(
        view.values("process.Ext.ptrace.data").collect::<Vec<_>>(),
        [expected]
    );
}

#[test]
fn every_prefix_of_a_real_event_is_an_error() {
    let Some(lines) = shared_events() else {
        return;
    };
    let mut document = Document::new();
    let mut record = Record::<Semantics>::new();
    for (name, line) in &lines {
        let line = line.trim_ascii_end();
        for end in 0..line.len() {
            let prefix = &line[..end];
            assert!(document.decode(prefix).is_err(), "{name} cut at {end}");
            assert!(record.decode(prefix).is_err(), "{name} cut at {end}");
        }
    }
}

#[test]
fn edited_real_events_are_accepted_exactly_when_serde_json_accepts_them() {
    let names = ["cloud_defend_process.ndjson:1", "other_process.ndjson:5"];
    let mut document = Document::new();
    let mut record = Record::<Semantics>::new();
    let edits: &[&[u8]] = &[
        b"", b"\"", b"\\", b"{", b"}", b"[", b"]", b",", b":", b"0", b"-", b"e", b".", b"t", b"n",
        b" ", b"\xff", b"\x01", b"\\u",
    ];
    for name in names {
        let Some(line) = shared_line(name) else {
            return;
        };
        for at in 0..line.len() {
            for edit in edits {
                let mut edited = line.get(..at).unwrap_or_default().to_vec();
                edited.extend_from_slice(edit);
                edited.extend_from_slice(line.get(at + 1..).unwrap_or_default());
                // The one deliberate difference: a lone surrogate escape is an
                // error for `serde_json` and U+FFFD here, as in Lucene, so such
                // lines are only decoded, not compared.
                let expected = match serde_json::from_slice::<serde_json::Value>(&edited) {
                    Ok(value) => value.is_object(),
                    Err(error) if is_about_surrogates(&error) => {
                        let _ = document.decode(&edited);
                        let _ = record.decode(&edited);
                        continue;
                    }
                    Err(_) => false,
                };
                let shown = String::from_utf8_lossy(&edited);
                assert_eq!(
                    document.decode(&edited).is_ok(),
                    expected,
                    "document {shown}"
                );
                assert_eq!(record.decode(&edited).is_ok(), expected, "record {shown}");
            }
        }
    }
}

fn is_about_surrogates(error: &serde_json::Error) -> bool {
    let message = error.to_string();
    message.contains("surrogate") || message.contains("end of hex escape")
}
