//! Exact results of every function, many of them taken from Elasticsearch's
//! conformance suite (`test_queries.toml`, `additional_test_queries.toml`)
//! replayed by hand on the events of `test_data.json` that the queries
//! select, and from the examples of Elasticsearch's function reference.

use std::net::IpAddr;

use super::*;

const NULL: Scalar<'static> = Scalar::Null;

fn s(text: &str) -> Scalar<'_> {
    Scalar::from(text)
}

fn i(n: i64) -> Scalar<'static> {
    Scalar::from(n)
}

fn f(n: f64) -> Scalar<'static> {
    Scalar::from(n)
}

fn b(value: bool) -> Scalar<'static> {
    Scalar::Bool(value)
}

fn u(n: u64) -> Scalar<'static> {
    Scalar::Number(Number::UInt(n))
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

/// Whether `result` is a string that borrows from `source`.
fn borrows_from(result: &Scalar<'_>, source: &str) -> bool {
    let range = source.as_bytes().as_ptr_range();
    match result {
        Scalar::Str(Text::Borrowed(slice)) => {
            range.contains(&slice.as_ptr()) || slice.as_ptr() == range.end
        }
        _ => false,
    }
}

// -- between ----------------------------------------------------------------

#[test]
fn between_conformance_cases() {
    // betweenCaseInsensitive1/2: `between~(process_name, "s", "E") : "yst"`
    // matches events 1 and 2.
    for name in ["System Idle Process", "System"] {
        assert_eq!(between(&s(name), &s("s"), &s("E"), false, true), s("yst"));
    }
    assert_eq!(
        between(&s("smss.exe"), &s("s"), &s("E"), false, true),
        s("mss.")
    );
    // betweenCaseSensitive: `between(process_name, "s", "e", false) : "t"`
    // matches 1, 2 and 42.
    assert_eq!(
        between(&s("System Idle Process"), &s("s"), &s("e"), false, false),
        s("t")
    );
    assert_eq!(
        between(&s("TrustedInstaller.exe"), &s("s"), &s("e"), false, false),
        s("t")
    );
    // between1 / betweenCaseInsensitive3 (greedy): event 1.
    let idle = s("System Idle Process");
    assert_eq!(
        between(&idle, &s("S"), &s("e"), true, false),
        s("ystem Idle Proc")
    );
    assert_eq!(
        between(&idle, &s("s"), &s("e"), true, true),
        s("ystem Idle Proc")
    );
    // Case-sensitively, the first "s" is the third letter.
    assert_eq!(
        between(&idle, &s("s"), &s("e"), true, false),
        s("tem Idle Proc")
    );
    // between2 / between3: event 95, greedy or not.
    let path = s("C:\\workspace\\dev\\TestLogs\\something.json");
    for greedy in [false, true] {
        assert_eq!(
            between(&path, &s("dev"), &s(".json"), greedy, false),
            s("\\TestLogs\\something")
        );
    }
    // lengthCaseSensitive: `length(between(process_name, "g", "e")) > 0`
    // matches 7, 14, 29 and 44; length1 (`"g", "z"`) matches nothing.
    assert_eq!(
        between(&s("winlogon.exe"), &s("g"), &s("e"), false, false),
        s("on.")
    );
    assert_eq!(
        between(&s("LogonUI.exe"), &s("g"), &s("e"), false, false),
        s("onUI.")
    );
    assert_eq!(
        between(&s("taskeng.exe"), &s("g"), &s("e"), false, false),
        s(".")
    );
    assert_eq!(
        between(&s("winlogon.exe"), &s("g"), &s("z"), false, false),
        s("")
    );
    assert_eq!(
        between(&s("System Idle Process"), &s("g"), &s("e"), false, false),
        s("")
    );
}

#[test]
fn between_reference_examples() {
    let path = s("C:\\Windows\\System32\\cmd.exe");
    let check = |left: &str, right: &str, greedy, insensitive, expected: &str| {
        assert_eq!(
            between(&path, &s(left), &s(right), greedy, insensitive),
            s(expected),
            "between({left:?}, {right:?}, greedy {greedy}, insensitive {insensitive})"
        );
    };
    check("System32\\", ".exe", false, false, "cmd");
    check("system32\\", ".exe", false, false, "");
    check("workspace\\", ".exe", false, false, "");
    check("system32\\", ".exe", false, true, "cmd");
    check("\\", "\\", false, false, "Windows");
    check("\\", "\\", true, false, "Windows\\System32");
    assert_eq!(
        between(&s(""), &s("System32\\"), &s(".exe"), false, false),
        s("")
    );
    assert_eq!(between(&s(""), &s(""), &s(""), false, false), s(""));
}

#[test]
fn between_edge_cases() {
    // An empty left or right gives the source unchanged, as Elasticsearch.
    assert_eq!(between(&s("abc"), &s(""), &s("c"), false, false), s("abc"));
    assert_eq!(between(&s("abc"), &s("a"), &s(""), true, false), s("abc"));
    // The right bound must come after the left one, also when greedy.
    assert_eq!(between(&s("a-b"), &s("b"), &s("-"), true, false), s(""));
    assert_eq!(between(&s("xax"), &s("xa"), &s("ax"), true, false), s(""));
    // Adjacent bounds give an empty string.
    assert_eq!(between(&s("ab"), &s("a"), &s("b"), false, false), s(""));
    // Nulls and wrong types.
    assert_eq!(between(&NULL, &s("a"), &s("b"), false, false), NULL);
    assert_eq!(between(&s("ab"), &NULL, &s("b"), false, false), NULL);
    assert_eq!(between(&s("ab"), &s("a"), &NULL, false, false), NULL);
    assert_eq!(between(&i(5), &s("a"), &s("b"), false, false), NULL);
    assert_eq!(between(&s("a5b"), &s("a"), &i(5), false, false), NULL);
    // ASCII folding only: KELVIN SIGN is not `k`.
    assert_eq!(
        between(&s("a\u{212a}b"), &s("k"), &s("b"), false, true),
        s("")
    );
    assert_eq!(between(&s("aKb"), &s("k"), &s("B"), false, true), s(""));
    assert_eq!(between(&s("xKyB"), &s("k"), &s("b"), false, true), s("y"));
    // Multibyte text around the bounds.
    assert_eq!(
        between(&s("日本語[😀]"), &s("["), &s("]"), false, false),
        s("😀")
    );
}

#[test]
fn between_borrows_from_a_borrowed_source() {
    let field = String::from("C:\\Windows\\System32\\cmd.exe");
    let result = between(&s(&field), &s("\\"), &s("\\"), true, false);
    assert_eq!(result, s("Windows\\System32"));
    assert!(borrows_from(&result, &field));
}

// -- string predicates --------------------------------------------------------

#[test]
fn starts_and_ends_with() {
    // startsWithCaseSensitive / startsWithCaseInsensitive1-3: events 88 and
    // (insensitively) 92.
    let e88 = s("explorer.exe");
    let e92 = s("EXPLORER.EXE-854AF04C.pf");
    assert_eq!(starts_with(&e88, &s("explorer."), false), b(true));
    assert_eq!(starts_with(&e92, &s("explorer."), false), b(false));
    for prefix in ["explorer.", "exploRER.", "expLORER.ExE"] {
        assert_eq!(starts_with(&e88, &s(prefix), true), b(true));
        assert_eq!(starts_with(&e92, &s(prefix), true), b(true));
    }
    // endsWith1 / endsWithCaseInsensitive: event 88 only.
    assert_eq!(ends_with(&e88, &s("lorer.exe"), false), b(true));
    assert_eq!(ends_with(&e88, &s("loREr.exe"), true), b(true));
    assert_eq!(ends_with(&e92, &s("loREr.exe"), true), b(false));
    // endsWith2: `startsWith("explorer.exeaaaaaaaa", file_name)`.
    assert_eq!(
        starts_with(&s("explorer.exeaaaaaaaa"), &e88, false),
        b(true)
    );
    // endsWithAndCondition.
    assert_eq!(
        starts_with(&s("explorer.exeaAAAA"), &s("EXPLORER.exe"), true),
        b(true)
    );
    // Reference examples.
    let exe = s("regsvr32.exe");
    assert_eq!(ends_with(&exe, &s(".exe"), false), b(true));
    assert_eq!(ends_with(&exe, &s(".EXE"), false), b(false));
    assert_eq!(ends_with(&exe, &s(".EXE"), true), b(true));
    assert_eq!(ends_with(&s(""), &s(""), false), b(true));
    assert_eq!(starts_with(&s(""), &s(""), false), b(true));
    assert_eq!(starts_with(&exe, &s("Regsvr32"), false), b(false));
    assert_eq!(starts_with(&exe, &s("Regsvr32"), true), b(true));
    assert_eq!(ends_with(&exe, &NULL, false), NULL);
    assert_eq!(ends_with(&s(""), &NULL, false), NULL);
    assert_eq!(starts_with(&NULL, &s("r"), false), NULL);
    // Numbers and booleans read as the text a keyword field holds.
    assert_eq!(starts_with(&i(12), &s("1"), false), b(true));
    assert_eq!(starts_with(&b(false), &s(""), false), b(true));
    assert_eq!(ends_with(&s("x12"), &i(12), false), b(true));
    // ASCII folding only.
    assert_eq!(
        starts_with(&s("\u{212a}elvin"), &s("kelvin"), true),
        b(false)
    );
    assert_eq!(ends_with(&s("stra\u{df}e"), &s("SSE"), true), b(false));
    assert_eq!(ends_with(&s("stra\u{df}E"), &s("\u{df}e"), true), b(true));
}

#[test]
fn string_contains_cases() {
    // stringContains2: event 88.
    assert_eq!(
        string_contains(
            &s("ABCDEFGHIexplorer.exeJKLMNOP"),
            &s("explorer.exe"),
            false
        ),
        b(true)
    );
    assert_eq!(
        string_contains(
            &s("ABCDEFGHIexplorer.exeJKLMNOP"),
            &s("EXPLORER.EXE-854AF04C.pf"),
            false
        ),
        b(false)
    );
    let command_line = s("start regsvr32.exe");
    assert_eq!(
        string_contains(&command_line, &s("regsvr32"), false),
        b(true)
    );
    assert_eq!(
        string_contains(&command_line, &s("Regsvr32"), false),
        b(false)
    );
    assert_eq!(
        string_contains(&command_line, &s("Regsvr32"), true),
        b(true)
    );
    assert_eq!(string_contains(&command_line, &s("start "), false), b(true));
    // Empty strings are documented (and computed in scripts) as false.
    assert_eq!(string_contains(&s(""), &s(""), false), b(false));
    assert_eq!(string_contains(&command_line, &s(""), false), b(false));
    assert_eq!(string_contains(&s(""), &s("a"), true), b(false));
    assert_eq!(string_contains(&NULL, &s("a"), false), NULL);
    assert_eq!(string_contains(&command_line, &NULL, false), NULL);
    assert_eq!(string_contains(&b(true), &s("ru"), false), b(true));
    assert_eq!(
        string_contains(&Scalar::Number(Number::Float(1.5)), &s(".5"), false),
        b(true)
    );
    // `*` and `?` are literal characters here.
    assert_eq!(string_contains(&s("a*b"), &s("*"), false), b(true));
    assert_eq!(string_contains(&s("ab"), &s("a?"), false), b(false));
    assert_eq!(string_contains(&s("\u{212a}"), &s("K"), true), b(false));
}

// -- indexOf ------------------------------------------------------------------

#[test]
fn index_of_conformance_cases() {
    let e88 = s("explorer.exe");
    let e92 = s("EXPLORER.EXE-854AF04C.pf");
    let index = |src: &Scalar<'_>, sub: &str, start: Option<i64>, insensitive| {
        index_of(src, &s(sub), start.map(i).as_ref(), insensitive)
    };
    // indexOfCaseInsensitive: event 88 only.
    assert_eq!(index(&e88, "plore", None, true), i(2));
    assert_eq!(index(&e88, ".pf", None, true), NULL);
    assert_eq!(index(&e92, ".pf", None, true), i(21));
    // indexOf1: 0 is not > 0, and 100 is past the end.
    assert_eq!(index(&e88, "explorer.", None, false), i(0));
    assert_eq!(index(&e88, "plore", Some(100), false), NULL);
    // indexOf2..11.
    assert_eq!(index(&e88, "plorer.", Some(0), false), i(2));
    assert_eq!(index(&e92, "plorer.", Some(0), false), NULL);
    assert_eq!(index(&e92, "plorer.", Some(0), true), i(2));
    assert_eq!(index(&e88, "plorer.", Some(2), false), i(2));
    assert_eq!(index(&e92, "plorer.", Some(2), true), i(2));
    assert_eq!(index(&e88, "plorer.", Some(4), false), NULL);
    assert_eq!(index(&e88, "thing that never happened", None, false), NULL);
    assert_eq!(index(&e92, "pLOrer.", Some(2), true), i(2));
    assert_eq!(index(&e88, "explorer.", Some(0), false), i(0));
    assert_eq!(index(&e92, "explorer.", Some(0), true), i(0));
}

#[test]
fn index_of_reference_examples() {
    let domain = s("subdomain.example.com");
    let index =
        |sub: &str, start: Option<i64>| index_of(&domain, &s(sub), start.map(i).as_ref(), false);
    assert_eq!(index("d", None), i(3));
    assert_eq!(index("D", None), NULL);
    assert_eq!(index(".", None), i(9));
    assert_eq!(index(".", Some(9)), i(9));
    assert_eq!(index(".", Some(10)), i(17));
    assert_eq!(index(".", Some(-6)), i(9));
    // The reference says 4, but "d" is at 3 ("sub" has three letters).
    assert_eq!(index_of(&domain, &s("D"), None, true), i(3));
    assert_eq!(index_of(&s(""), &s(""), None, false), i(0));
    assert_eq!(index("", None), i(0));
    assert_eq!(index("", Some(9)), i(9));
    assert_eq!(index("", Some(10)), i(10));
    assert_eq!(index("", Some(-6)), i(0));
    assert_eq!(index("z", None), NULL);
    assert_eq!(index("z", Some(9)), NULL);
    assert_eq!(index(".", Some(30)), NULL);
    assert_eq!(index_of(&NULL, &s("."), Some(&i(9)), false), NULL);
    assert_eq!(index_of(&domain, &NULL, Some(&i(9)), false), NULL);
}

#[test]
fn index_of_edge_cases() {
    let abc = s("abc");
    // Java: an empty needle past the end is found at the end.
    assert_eq!(index_of(&abc, &s(""), Some(&i(100)), false), i(3));
    assert_eq!(index_of(&abc, &s("c"), Some(&i(3)), false), NULL);
    assert_eq!(index_of(&abc, &s("c"), Some(&i(i64::MAX)), false), NULL);
    assert_eq!(index_of(&abc, &s("a"), Some(&i(i64::MIN)), false), i(0));
    // A null start is 0 (Elasticsearch's code; its reference says null).
    assert_eq!(index_of(&abc, &s("b"), Some(&NULL), false), i(1));
    // Float starts are truncated; other types are errors.
    assert_eq!(index_of(&abc, &s("c"), Some(&f(2.9)), false), i(2));
    assert_eq!(index_of(&abc, &s("b"), Some(&f(f64::NAN)), false), i(1));
    assert_eq!(index_of(&abc, &s("c"), Some(&u(u64::MAX)), false), NULL);
    assert_eq!(index_of(&abc, &s("b"), Some(&s("1")), false), NULL);
    assert_eq!(index_of(&i(123), &s("2"), None, false), NULL);
    // Positions count UTF-16 code units, as Java does.
    assert_eq!(index_of(&s("\u{1f600}x"), &s("x"), None, false), i(2));
    assert_eq!(index_of(&s("\u{e9}x"), &s("x"), None, false), i(1));
    assert_eq!(index_of(&s("日本語"), &s("語"), None, false), i(2));
    // A start between the halves of a surrogate pair searches after it.
    assert_eq!(
        index_of(&s("\u{1f600}x"), &s("x"), Some(&i(1)), false),
        i(2)
    );
    assert_eq!(index_of(&s("\u{1f600}x"), &s(""), Some(&i(1)), false), i(1));
    // ASCII folding only.
    assert_eq!(index_of(&s("\u{212a}"), &s("k"), None, true), NULL);
    assert_eq!(index_of(&s("\u{212a}K"), &s("k"), None, true), i(1));
}

// -- length and substring ---------------------------------------------------

#[test]
fn length_counts_utf16_code_units() {
    assert_eq!(length(&s("explorer.exe")), i(12));
    assert_eq!(length(&s("start explorer.exe")), i(18));
    assert_eq!(length(&s("")), i(0));
    assert_eq!(length(&NULL), NULL);
    assert_eq!(length(&i(5)), NULL);
    assert_eq!(length(&b(true)), NULL);
    assert_eq!(length(&s("\u{e9}")), i(1));
    assert_eq!(length(&s("日本語")), i(3));
    // Outside the Basic Multilingual Plane a character is two code units
    // in Java (and one code point in Python).
    assert_eq!(length(&s("\u{1f600}")), i(2));
    assert_eq!(length(&s("a\u{1f600}b")), i(4));
    assert_eq!(length(&s("\u{212a}")), i(1));
}

#[test]
fn substring_conformance_and_reference_cases() {
    let sub = |src: &str, start: i64, end: Option<i64>| {
        substring(&s(src), &i(start), end.map(i).as_ref())
            .as_str()
            .map(str::to_owned)
    };
    let text = |t: &str| Some(t.to_owned());
    // substring1..5 on event 88 ("explorer.exe") and 92.
    assert_eq!(sub("explorer.exe", 0, Some(4)), text("expl"));
    assert_eq!(sub("explorer.exe", 1, Some(3)), text("xp"));
    assert_eq!(sub("EXPLORER.EXE-854AF04C.pf", 1, Some(3)), text("XP"));
    assert_eq!(sub("explorer.exe", -4, None), text(".exe"));
    assert_eq!(sub("explorer.exe", -4, Some(-1)), text(".ex"));
    assert_eq!(sub("EXPLORER.EXE-854AF04C.pf", -4, None), text("C.pf"));
    // Reference examples.
    let line = "start regsvr32.exe";
    assert_eq!(sub(line, 6, None), text("regsvr32.exe"));
    assert_eq!(sub(line, 0, Some(5)), text("start"));
    assert_eq!(sub(line, 6, Some(14)), text("regsvr32"));
    assert_eq!(sub(line, -4, None), text(".exe"));
    assert_eq!(sub(line, -4, Some(-1)), text(".ex"));
    // regexWithSubstring: event 98 from its sixth character.
    assert_eq!(
        sub(
            "C:\\Windows\\system32\\net1  localgroup administrators findme2",
            5,
            None
        ),
        text("ndows\\system32\\net1  localgroup administrators findme2")
    );
}

#[test]
fn substring_edge_cases() {
    let sub = |start: i64, end: Option<i64>| {
        substring(&s("abc"), &i(start), end.map(i).as_ref())
            .as_str()
            .map(str::to_owned)
    };
    let text = |t: &str| Some(t.to_owned());
    assert_eq!(sub(5, None), text(""));
    assert_eq!(sub(3, None), text(""));
    assert_eq!(sub(2, Some(1)), text(""));
    assert_eq!(sub(1, Some(1)), text(""));
    assert_eq!(sub(-10, Some(2)), text("ab"));
    assert_eq!(sub(0, Some(100)), text("abc"));
    assert_eq!(sub(-1, Some(-10)), text(""));
    assert_eq!(sub(i64::MIN, Some(i64::MAX)), text("abc"));
    assert_eq!(sub(i64::MAX, Some(i64::MIN)), text(""));
    assert_eq!(substring(&s(""), &i(0), Some(&i(5))), s(""));
    // A missing or null end is the end; a null start returns the source.
    assert_eq!(substring(&s("abc"), &i(1), Some(&NULL)), s("bc"));
    assert_eq!(substring(&s("abc"), &NULL, Some(&i(1))), s("abc"));
    // Floats are truncated; other types are errors.
    assert_eq!(substring(&s("abc"), &f(1.9), None), s("bc"));
    assert_eq!(substring(&s("abc"), &f(-1.5), None), s("c"));
    assert_eq!(substring(&s("abc"), &s("1"), None), NULL);
    assert_eq!(substring(&s("abc"), &i(0), Some(&b(true))), NULL);
    assert_eq!(substring(&i(123), &i(1), None), NULL);
    assert_eq!(substring(&NULL, &i(1), None), NULL);
}

#[test]
fn substring_counts_utf16_and_never_splits_characters() {
    let smile = "a\u{1f600}b";
    let sub = |start: i64, end: Option<i64>| substring(&s(smile), &i(start), end.map(i).as_ref());
    assert_eq!(sub(1, Some(3)), s("\u{1f600}"));
    assert_eq!(sub(3, None), s("b"));
    assert_eq!(sub(-1, None), s("b"));
    assert_eq!(sub(-3, None), s("\u{1f600}b"));
    // Bounds between the halves of the pair keep whole characters only.
    assert_eq!(sub(2, None), s("b"));
    assert_eq!(sub(0, Some(2)), s("a"));
    assert_eq!(sub(2, Some(2)), s(""));
    assert_eq!(sub(2, Some(3)), s(""));
    assert_eq!(substring(&s("日本語"), &i(1), None), s("本語"));
    assert_eq!(substring(&s("日本語"), &i(-1), None), s("語"));
    assert_eq!(substring(&s("caf\u{e9}!"), &i(3), Some(&i(4))), s("\u{e9}"));
}

#[test]
fn substring_borrows_from_a_borrowed_source() {
    let field = String::from("C:\\Windows\\System32\\cmd.exe");
    let result = substring(&s(&field), &i(-7), None);
    assert_eq!(result, s("cmd.exe"));
    assert!(borrows_from(&result, &field));
    // A computed source is copied, still without allocating when short.
    let computed = concat(&[s("ab"), i(12)]);
    let result = substring(&computed, &i(1), None);
    assert_eq!(result, s("b12"));
    assert!(matches!(result, Scalar::Str(Text::Inline(_))));
}

// -- conversions ----------------------------------------------------------

#[test]
fn concat_cases() {
    // concat1 / concatCaseInsensitive / concatEquals1 / concatEquals2.
    assert_eq!(
        concat(&[i(5), s(":"), s("wininit.exe"), i(3)]),
        s("5:wininit.exe3")
    );
    assert_eq!(
        concat(&[i(5), s("::"), s("wininit.exe"), s("::"), i(3)]),
        s("5::wininit.exe::3")
    );
    assert_eq!(concat(&[i(1)]), s("1"));
    // concatWithCondition1-4: events 2 and 3 have both names, 1 and 4 lack
    // the parent.
    assert_eq!(
        concat(&[s("System"), s("System Idle Process")]),
        s("SystemSystem Idle Process")
    );
    assert_eq!(concat(&[s("System Idle Process"), NULL]), NULL);
    assert_eq!(concat(&[s("System"), NULL, NULL]), NULL);
    assert_eq!(concat(&[NULL]), NULL);
    // Reference examples.
    assert_eq!(
        concat(&[s("regsvr32.exe"), s(" "), i(42)]),
        s("regsvr32.exe 42")
    );
    assert_eq!(
        concat(&[s("regsvr32.exe"), s(" "), f(42.5)]),
        s("regsvr32.exe 42.5")
    );
    assert_eq!(
        concat(&[s("regsvr32.exe"), s(" "), b(true)]),
        s("regsvr32.exe true")
    );
    assert_eq!(
        concat(&[f(1.0), b(false), u(u64::MAX)]),
        s("1.0false18446744073709551615")
    );
    // A single string comes back borrowed; long results move to the heap.
    let field = String::from("regsvr32.exe");
    assert!(borrows_from(&concat(&[s(&field)]), &field));
    let long = "x".repeat(INLINE_CAPACITY);
    let joined = concat(&[s(&long), s("y")]);
    assert_eq!(joined.as_str().map(str::len), Some(INLINE_CAPACITY + 1));
    assert!(matches!(joined, Scalar::Str(Text::Owned(_))));
}

#[test]
fn string_cases() {
    // numberStringConversion1 and stringCidrMatch2.
    assert_eq!(string(&i(1)), s("1"));
    assert_eq!(
        string(&cidr_match(&s("10.6.48.157"), &["10.6.48.157/8"])),
        s("true")
    );
    // Reference examples.
    assert_eq!(string(&i(42)), s("42"));
    assert_eq!(string(&f(42.5)), s("42.5"));
    assert_eq!(string(&s("regsvr32.exe")), s("regsvr32.exe"));
    assert_eq!(string(&b(true)), s("true"));
    assert_eq!(string(&b(false)), s("false"));
    assert_eq!(string(&NULL), NULL);
    assert_eq!(string(&i(-7)), s("-7"));
    assert_eq!(string(&i(i64::MIN)), s("-9223372036854775808"));
    assert_eq!(string(&u(u64::MAX)), s("18446744073709551615"));
}

/// Expected texts checked against `Double.toString` of OpenJDK 17.
#[test]
fn floats_are_written_as_java_writes_them() {
    let cases = [
        (1.0, "1.0"),
        (-1.0, "-1.0"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (42.5, "42.5"),
        (100.0, "100.0"),
        (0.5, "0.5"),
        (0.001, "0.001"),
        (0.000_999, "9.99E-4"),
        (1.0e-4, "1.0E-4"),
        (1.5e-7, "1.5E-7"),
        (12_345.678, "12345.678"),
        (9_999_999.0, "9999999.0"),
        (1.0e7, "1.0E7"),
        (123_456_789.0, "1.23456789E8"),
        (1.0e21, "1.0E21"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1.0 / 3.0, "0.3333333333333333"),
        (f64::MAX, "1.7976931348623157E308"),
        (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
        (2e-323, "2.0E-323"),
        (1.5e-323, "1.5E-323"),
        // Java 19 and later, which Elasticsearch 8 bundles, write `1.0E23`
        // (Java 17 wrote `9.999999999999999E22`).
        (1e23, "1.0E23"),
        // Java writes `4.9E-324`: it prefers a closer two-digit form when
        // the shortest form has one digit, which only matters here.
        (f64::from_bits(1), "5.0E-324"),
    ];
    for (value, expected) in cases {
        assert_eq!(string(&f(value)), s(expected), "{value:e}");
    }
}

#[test]
fn number_conformance_and_reference_cases() {
    let num = |text: &str, base: Option<Scalar<'static>>| number(&s(text), base.as_ref());
    // stringNumberConversion1-3.
    assert_eq!(num("5", None), i(5));
    assert_eq!(num("0x32", Some(i(16))), i(50));
    assert_eq!(num("32", Some(i(16))), i(50));
    // numberStringConversion2-5 and numberStringEquality.
    assert_eq!(num("17", None), i(17));
    assert_eq!(num("17", Some(NULL)), i(17));
    assert_eq!(num("17", Some(i(10))), i(17));
    assert_eq!(num("31", Some(i(13))), i(40));
    assert_eq!(num("11", Some(i(16))), i(17));
    // Reference examples.
    assert_eq!(num("1337", None), i(1337));
    assert_eq!(num("42.5", None), f(42.5));
    assert_eq!(num("deadbeef", Some(i(16))), i(3_735_928_559));
    assert_eq!(num("0xdeadbeef", None), i(3_735_928_559));
    assert_eq!(num("0xdeadbeef", Some(i(16))), i(3_735_928_559));
    assert_eq!(num("0xdeadbeef", Some(NULL)), i(3_735_928_559));
    assert_eq!(num("+1337", None), i(1337));
    assert_eq!(num("-1337", None), i(-1337));
    assert_eq!(num("1337", Some(NULL)), i(1337));
    assert_eq!(number(&NULL, None), NULL);
    assert_eq!(number(&NULL, Some(&i(16))), NULL);
    // Surrounding whitespace is accepted only by Java's double parser, so
    // the result is a float (the reference shows 1337, which compares
    // equal).
    assert_eq!(num("  1337  ", None), f(1337.0));
    assert_eq!(equals(&num("  1337  ", None), &i(1337)), Some(true));
}

#[test]
fn number_edge_cases() {
    let num = |text: &str, base: Option<Scalar<'static>>| number(&s(text), base.as_ref());
    // Java's Double.valueOf forms.
    assert_eq!(num("1e3", None), f(1000.0));
    assert_eq!(num("-2.5E-1", None), f(-0.25));
    assert_eq!(num("1.5f", None), f(1.5));
    assert_eq!(num("7d", None), f(7.0));
    assert_eq!(num("1.", None), f(1.0));
    assert_eq!(num(".5", None), f(0.5));
    assert_eq!(num("\t42\n", None), f(42.0));
    assert_eq!(num("-Infinity", None), f(f64::NEG_INFINITY));
    assert!(matches!(num("NaN", None), Scalar::Number(Number::Float(n)) if n.is_nan()));
    assert_eq!(num("99999999999999999999", None), f(1e20));
    assert_eq!(num("-9223372036854775808", None), i(i64::MIN));
    // Garbage.
    for garbage in [
        "", " ", "abc", ".", "1e", "e5", "1e+", "--1", "+-1", "1 2", "inf", "nan", "1_000", "1,5",
        "0x", "0X1F", "-0x1F", "0x1p3", "\u{661}",
    ] {
        assert_eq!(num(garbage, None), NULL, "{garbage:?}");
    }
    // Other bases: digits only.
    assert_eq!(num("0x1F", None), i(31));
    assert_eq!(num("ff", Some(i(16))), i(255));
    assert_eq!(num("-ff", Some(i(16))), i(-255));
    assert_eq!(num("+ff", Some(i(16))), i(255));
    assert_eq!(num("z", Some(i(36))), i(35));
    assert_eq!(num("101", Some(i(2))), i(5));
    assert_eq!(num("12", Some(i(2))), NULL);
    assert_eq!(num("1.5", Some(i(16))), NULL);
    assert_eq!(num(" 1", Some(i(16))), NULL);
    assert_eq!(num("0x10", Some(i(10))), NULL);
    assert_eq!(num("0x10", Some(i(8))), NULL);
    assert_eq!(num("10000000000000000", Some(i(16))), NULL);
    // Bad bases and sources.
    assert_eq!(num("12", Some(i(1))), NULL);
    assert_eq!(num("12", Some(i(37))), NULL);
    assert_eq!(num("12", Some(i(-16))), NULL);
    assert_eq!(num("12", Some(f(10.0))), NULL);
    assert_eq!(num("12", Some(s("10"))), NULL);
    assert_eq!(number(&i(5), None), NULL);
    assert_eq!(number(&b(true), None), NULL);
}

// -- arithmetic ---------------------------------------------------------------

#[test]
fn arithmetic_conformance_cases() {
    // twoAdds, subtract, multiplyAndDivide.
    assert_eq!(add(&i(1), &i(0)), i(1));
    assert_eq!(add(&i(0), &i(1)), i(1));
    assert_eq!(subtract(&i(1), &i(-5)), i(6));
    assert_eq!(multiply(&i(6), &i(5)), i(30));
    assert_eq!(divide(&i(30), &f(4.0)), f(7.5));
    // moduloEqualsField.
    assert_eq!(modulo(&i(11), &i(10)), i(1));
    // fieldMath2-6: `serial_event_id / 2 == 41` matches 82 and 83,
    // `/ 2.0` only 82.
    assert_eq!(add(&i(82), &i(1)), i(83));
    assert_eq!(multiply(&i(82), &i(2)), i(164));
    assert_eq!(divide(&i(82), &i(2)), i(41));
    assert_eq!(divide(&i(83), &i(2)), i(41));
    assert_eq!(divide(&i(82), &f(2.0)), f(41.0));
    assert_eq!(divide(&i(83), &f(2.0)), f(41.5));
    assert_eq!(modulo(&i(82), &i(40)), i(2));
    // additionalMathWithFields4, 6 and 7.
    assert_eq!(add(&negate(&i(82)), &i(100)), i(18));
    assert_eq!(divide(&f(66.0), &i(66)), f(1.0));
    let constant = divide(
        &multiply(&add(&i(1), &i(3)), &i(2)),
        &subtract(&i(3), &i(1)),
    );
    assert_eq!(constant, i(4));
    assert_eq!(add(&i(46), &multiply(&constant, &i(2))), i(54));
}

#[test]
fn arithmetic_reference_examples() {
    assert_eq!(add(&i(4), &i(5)), i(9));
    assert_eq!(add(&i(4), &f(0.5)), f(4.5));
    assert_eq!(add(&f(0.5), &f(0.25)), f(0.75));
    assert_eq!(add(&i(-2), &i(-2)), i(-4));
    assert_eq!(divide(&i(4), &i(2)), i(2));
    assert_eq!(divide(&i(4), &i(3)), i(1));
    assert_eq!(divide(&i(4), &f(3.0)), f(4.0 / 3.0));
    assert_eq!(divide(&i(4), &f(0.5)), f(8.0));
    assert_eq!(divide(&f(0.5), &i(4)), f(0.125));
    assert_eq!(divide(&i(4), &i(-2)), i(-2));
    assert_eq!(divide(&i(-4), &i(-2)), i(2));
    assert_eq!(modulo(&i(10), &i(6)), i(4));
    assert_eq!(modulo(&i(10), &i(5)), i(0));
    assert_eq!(modulo(&i(10), &f(0.5)), f(0.0));
    assert_eq!(modulo(&i(10), &i(-6)), i(4));
    assert_eq!(modulo(&i(-10), &i(-6)), i(-4));
    assert_eq!(modulo(&i(106), &i(10)), i(6));
    assert_eq!(multiply(&f(0.5), &i(2)), f(1.0));
    assert_eq!(multiply(&i(-2), &i(-2)), i(4));
    assert_eq!(subtract(&i(10), &i(2)), i(8));
    assert_eq!(subtract(&f(10.5), &f(0.5)), f(10.0));
    assert_eq!(subtract(&i(-2), &i(4)), i(-6));
    for op in [add, subtract, multiply, divide, modulo] {
        assert_eq!(op(&NULL, &i(4)), NULL);
        assert_eq!(op(&i(4), &NULL), NULL);
        assert_eq!(op(&NULL, &NULL), NULL);
        assert_eq!(op(&s("4"), &i(4)), NULL);
        assert_eq!(op(&i(4), &b(true)), NULL);
    }
    assert_eq!(negate(&NULL), NULL);
    assert_eq!(negate(&s("1")), NULL);
}

#[test]
fn integer_division_truncates_and_remainder_follows_the_dividend() {
    assert_eq!(divide(&i(-7), &i(2)), i(-3));
    assert_eq!(divide(&i(7), &i(-2)), i(-3));
    assert_eq!(modulo(&i(-7), &i(2)), i(-1));
    assert_eq!(modulo(&i(7), &i(-2)), i(1));
    assert_eq!(modulo(&f(-7.5), &i(2)), f(-1.5));
    assert_eq!(modulo(&f(7.5), &f(-2.0)), f(1.5));
}

#[test]
fn division_by_zero() {
    // Integer: an error in Elasticsearch, null here.
    assert_eq!(divide(&i(1), &i(0)), NULL);
    assert_eq!(modulo(&i(1), &i(0)), NULL);
    assert_eq!(divide(&u(u64::MAX), &i(0)), NULL);
    assert_eq!(modulo(&i(0), &u(0)), NULL);
    // Float: IEEE 754.
    assert_eq!(divide(&f(1.0), &i(0)), f(f64::INFINITY));
    assert_eq!(divide(&i(-1), &f(0.0)), f(f64::NEG_INFINITY));
    assert!(matches!(divide(&f(0.0), &f(0.0)), Scalar::Number(Number::Float(n)) if n.is_nan()));
    assert!(matches!(modulo(&f(1.0), &i(0)), Scalar::Number(Number::Float(n)) if n.is_nan()));
}

#[test]
fn integer_overflow_is_null() {
    assert_eq!(add(&i(i64::MAX), &i(1)), NULL);
    assert_eq!(subtract(&i(i64::MIN), &i(1)), NULL);
    assert_eq!(multiply(&i(i64::MAX), &i(2)), NULL);
    assert_eq!(multiply(&i(1 << 32), &i(1 << 31)), NULL);
    assert_eq!(negate(&i(i64::MIN)), NULL);
    assert_eq!(add(&i(i64::MAX), &i(-1)), i(i64::MAX - 1));
    assert_eq!(multiply(&i(1 << 31), &i(1 << 31)), i(1 << 62));
    // Java's long division wraps here instead of throwing.
    assert_eq!(divide(&i(i64::MIN), &i(-1)), i(i64::MIN));
    assert_eq!(modulo(&i(i64::MIN), &i(-1)), i(0));
}

#[test]
fn unsigned_integers_mix_exactly() {
    let two_63 = 1u64 << 63;
    assert_eq!(add(&u(u64::MAX), &i(-1)), u(u64::MAX - 1));
    assert_eq!(add(&u(two_63), &i(-1)), i(i64::MAX));
    assert_eq!(add(&u(u64::MAX), &i(1)), NULL);
    assert_eq!(subtract(&i(0), &u(two_63)), i(i64::MIN));
    assert_eq!(subtract(&i(-1), &u(two_63)), NULL);
    assert_eq!(multiply(&u(two_63), &i(-1)), i(i64::MIN));
    assert_eq!(divide(&u(u64::MAX), &i(-1)), NULL);
    assert_eq!(divide(&u(u64::MAX), &u(u64::MAX)), i(1));
    assert_eq!(modulo(&u(u64::MAX), &i(10)), i(5));
    assert_eq!(modulo(&i(-7), &u(two_63)), i(-7));
    assert_eq!(negate(&u(two_63)), i(i64::MIN));
    assert_eq!(negate(&u(u64::MAX)), NULL);
    assert_eq!(add(&u(two_63), &f(0.5)), f(two_63 as f64 + 0.5));
}

#[test]
fn negation() {
    assert_eq!(negate(&i(82)), i(-82));
    assert_eq!(negate(&i(0)), i(0));
    assert_eq!(negate(&f(1.5)), f(-1.5));
    assert_eq!(negate(&f(0.0)), f(-0.0));
    assert_eq!(negate(&b(true)), NULL);
}

// -- comparisons and logic ---------------------------------------------------

#[test]
fn comparisons() {
    assert_eq!(compare(&i(1), &f(1.0)), Some(Ordering::Equal));
    assert_eq!(compare(&i(4), &f(4.5)), Some(Ordering::Less));
    assert_eq!(compare(&u(u64::MAX), &i(-1)), Some(Ordering::Greater));
    assert_eq!(compare(&f(f64::NAN), &f(f64::NAN)), None);
    assert_eq!(compare(&s("a"), &s("b")), Some(Ordering::Less));
    // Case-sensitive, by code point.
    assert_eq!(compare(&s("B"), &s("a")), Some(Ordering::Less));
    assert_eq!(
        compare(&s("\u{ffff}"), &s("\u{1f600}")),
        Some(Ordering::Less)
    );
    assert_eq!(compare(&b(true), &b(false)), Some(Ordering::Greater));
    assert_eq!(compare(&i(1), &s("1")), None);
    assert_eq!(compare(&b(true), &i(1)), None);
    assert_eq!(compare(&NULL, &NULL), None);
    // A borrowed and a computed string with the same characters are equal.
    assert_eq!(compare(&s("12"), &string(&i(12))), Some(Ordering::Equal));
    assert_eq!(equals(&s("12"), &string(&i(12))), Some(true));

    assert_eq!(equals(&i(5), &number(&s("5"), None)), Some(true));
    assert_eq!(equals(&i(1), &s("1")), Some(false));
    assert_eq!(equals(&NULL, &i(1)), None);
    assert_eq!(equals(&NULL, &NULL), None);
    assert_eq!(equals(&f(f64::NAN), &f(f64::NAN)), Some(false));
    assert_eq!(satisfies(&i(1), Comparison::NotEqual, &s("1")), Some(true));
    assert_eq!(satisfies(&i(1), Comparison::Less, &s("1")), Some(false));
    assert_eq!(satisfies(&i(1), Comparison::NotEqual, &NULL), None);
    assert_eq!(
        satisfies(&s("b"), Comparison::GreaterOrEqual, &s("a")),
        Some(true)
    );
}

#[test]
fn three_valued_logic() {
    let values = [Some(true), Some(false), None];
    for a in values {
        for b in values {
            let and = match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (None, _) | (_, None) => None,
                _ => Some(true),
            };
            let or = match (a, b) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (None, _) | (_, None) => None,
                _ => Some(false),
            };
            assert_eq!(and3(a, b), and, "{a:?} and {b:?}");
            assert_eq!(or3(a, b), or, "{a:?} or {b:?}");
        }
    }
    assert_eq!(not3(Some(true)), Some(false));
    assert_eq!(not3(Some(false)), Some(true));
    assert_eq!(not3(None), None);
}

// -- IP addresses -------------------------------------------------------------

#[test]
fn cidr_conformance_cases() {
    // cidrMatch1-4 and the additional variants: events 75304 and 75305.
    let source = s("10.6.48.157");
    assert_eq!(cidr_match(&source, &["10.6.48.157/8"]), b(true));
    assert_eq!(cidr_match(&source, &["192.168.0.0/16"]), b(false));
    assert_eq!(
        cidr_match(&source, &["192.168.0.0/16", "10.6.48.157/8"]),
        b(true)
    );
    assert_eq!(cidr_match(&source, &["0.0.0.0/0"]), b(true));
    // Reference examples.
    let address = s("192.168.152.12");
    assert_eq!(cidr_match(&address, &["192.168.0.0/16"]), b(true));
    assert_eq!(
        cidr_match(&address, &["192.168.0.0/16", "10.0.0.0/8"]),
        b(true)
    );
    assert_eq!(cidr_match(&address, &["10.0.0.0/8"]), b(false));
    assert_eq!(
        cidr_match(&address, &["10.0.0.0/8", "10.128.0.0/9"]),
        b(false)
    );
    assert_eq!(cidr_match(&NULL, &["10.0.0.0/8"]), NULL);
}

#[test]
fn cidr_parsing() {
    let parsed = |text: &str| parse_cidr(text).map(|cidr| cidr.to_string());
    assert_eq!(parsed("10.6.48.157/8"), Ok("10.0.0.0/8".to_owned()));
    assert_eq!(parsed("0.0.0.0/0"), Ok("0.0.0.0/0".to_owned()));
    assert_eq!(parsed("192.168.1.1"), Ok("192.168.1.1/32".to_owned()));
    assert_eq!(parsed(" 10.0.0.0/08 "), Ok("10.0.0.0/8".to_owned()));
    assert_eq!(parsed("fe80::1/10"), Ok("fe80::/10".to_owned()));
    assert_eq!(parsed("::1"), Ok("::1/128".to_owned()));
    assert_eq!(parsed("::/0"), Ok("::/0".to_owned()));
    assert_eq!(
        parsed("::ffff:10.1.2.3/104"),
        Ok("::ffff:10.0.0.0/104".to_owned())
    );
    for bad in [
        "",
        "/8",
        "abc",
        "10.0.0/8",
        "010.0.0.0/8",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "10.0.0.0/-1",
        "10.0.0.0/8/8",
        "10.0.0.0/ 8",
        "::/129",
        "fe80::1%eth0",
        "10.0.0.0/256",
        "1.2.3.4.5",
    ] {
        assert!(parse_cidr(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        parse_cidr("10.0.0.0/33"),
        Err(
            "invalid CIDR block `10.0.0.0/33`: the prefix length must be a number from 0 to 32"
                .to_owned()
        )
    );
    assert_eq!(
        parse_cidr("10.0.0/8"),
        Err("invalid CIDR block `10.0.0/8`: `10.0.0` is not an IPv4 or IPv6 address".to_owned())
    );
}

#[test]
fn cidr_constants_equal_parsed_blocks() {
    const TEN: Cidr = Cidr::v4([10, 6, 48, 157], 8);
    const LINK_LOCAL: Cidr = Cidr::v6([0xfe80, 0, 0, 0, 0, 0, 0, 1], 10);
    assert_eq!(Ok(TEN), parse_cidr("10.0.0.0/8"));
    assert_eq!(Ok(LINK_LOCAL), parse_cidr("fe80::/10"));
    assert_eq!(TEN.network(), ip("10.0.0.0"));
    assert_eq!(TEN.prefix(), 8);
    assert_eq!(LINK_LOCAL.network(), ip("fe80::"));
    assert_eq!(LINK_LOCAL.prefix(), 10);
    assert_eq!(format!("{TEN:?}"), "Cidr(10.0.0.0/8)");
    // Prefixes beyond the address width count as the width.
    assert_eq!(Cidr::v4([1, 2, 3, 4], 200), Cidr::v4([1, 2, 3, 4], 32));
    assert_eq!(Cidr::v6([1; 8], 200), Cidr::v6([1; 8], 128));
}

#[test]
fn cidr_containment_across_families() {
    let block = |text: &str| parse_cidr(text).expect("test block");
    assert!(block("10.0.0.0/8").contains(ip("10.255.255.255")));
    assert!(!block("10.0.0.0/8").contains(ip("11.0.0.0")));
    assert!(block("0.0.0.0/0").contains(ip("255.255.255.255")));
    assert!(!block("0.0.0.0/0").contains(ip("::1")));
    assert!(block("192.168.1.1").contains(ip("192.168.1.1")));
    assert!(!block("192.168.1.1").contains(ip("192.168.1.2")));
    assert!(block("fe80::/10").contains(ip("fe80::1")));
    assert!(block("fe80::/10").contains(ip("febf:ffff::")));
    assert!(!block("fe80::/10").contains(ip("fec0::1")));
    assert!(block("::1").contains(ip("::1")));
    assert!(!block("::1").contains(ip("::2")));
    // One address space, as Elasticsearch stores IPv4 as IPv4-mapped IPv6.
    assert!(block("::/0").contains(ip("10.1.2.3")));
    assert!(block("::ffff:10.0.0.0/104").contains(ip("10.1.2.3")));
    assert!(block("10.0.0.0/8").contains(ip("::ffff:10.1.2.3")));
    assert!(!block("10.0.0.0/8").contains(ip("::10.1.2.3")));
}

#[test]
fn cidr_match_bad_inputs() {
    assert_eq!(cidr_match(&s("not an address"), &["10.0.0.0/8"]), NULL);
    assert_eq!(cidr_match(&s(" 10.0.0.1"), &["10.0.0.0/8"]), NULL);
    assert_eq!(cidr_match(&s(""), &["10.0.0.0/8"]), NULL);
    assert_eq!(cidr_match(&i(167_772_161), &["10.0.0.0/8"]), NULL);
    assert_eq!(cidr_match(&s("10.0.0.1"), &["bad"]), NULL);
    assert_eq!(cidr_match(&s("10.0.0.1"), &["192.168.0.0/16", "bad"]), NULL);
    // Blocks are tried in order, as Elasticsearch does.
    assert_eq!(cidr_match(&s("10.0.0.1"), &["10.0.0.0/8", "bad"]), b(true));
    assert_eq!(cidr_match(&s("10.0.0.1"), &[]), b(false));

    const BLOCKS: [Cidr; 2] = [
        Cidr::v4([192, 168, 0, 0], 16),
        Cidr::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
    ];
    assert_eq!(cidr_match_parsed(&s("192.168.3.4"), &BLOCKS), b(true));
    assert_eq!(cidr_match_parsed(&s("fd12::1"), &BLOCKS), b(true));
    assert_eq!(cidr_match_parsed(&s("10.0.0.1"), &BLOCKS), b(false));
    assert_eq!(cidr_match_parsed(&s("x"), &BLOCKS), NULL);
    assert_eq!(cidr_match_parsed(&NULL, &BLOCKS), NULL);
}

// -- values and texts --------------------------------------------------------

#[test]
fn scalars_from_field_values() {
    let field = String::from("cmd.exe");
    let scalar = Scalar::from_value(Value::Str(&field));
    assert!(borrows_from(&scalar, &field));
    assert_eq!(Scalar::from_value(Value::Int(-3)), i(-3));
    assert_eq!(Scalar::from_value(Value::UInt(u64::MAX)), u(u64::MAX));
    assert_eq!(Scalar::from_value(Value::Float(0.5)), f(0.5));
    assert_eq!(Scalar::from_value(Value::Bool(true)), b(true));
    assert_eq!(
        Scalar::from_value(Value::Ip(ip("10.6.48.157"))),
        s("10.6.48.157")
    );
    assert_eq!(
        Scalar::from_value(Value::Ip(ip("::ffff:10.6.48.157"))),
        s("10.6.48.157")
    );
    assert_eq!(Scalar::from_value(Value::Ip(ip("FE80::0:1"))), s("fe80::1"));
    let longest = ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_eq!(
        Scalar::from_value(Value::Ip(longest)),
        s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    );
    // An `ip` field feeds `cidrMatch` through its text form.
    let source = Scalar::from_value(Value::Ip(ip("10.6.48.157")));
    assert_eq!(cidr_match(&source, &["10.0.0.0/8"]), b(true));
}

#[test]
fn texts() {
    let mut text = Text::new();
    text.push_str("abc");
    assert!(matches!(text, Text::Inline(_)));
    text.push_str(&"d".repeat(INLINE_CAPACITY - 3));
    assert!(matches!(text, Text::Inline(_)));
    text.push_str("e");
    assert!(matches!(text, Text::Owned(_)));
    assert_eq!(text.as_str().len(), INLINE_CAPACITY + 1);
    assert!(text.as_str().ends_with("dde"));

    let mut borrowed = Text::Borrowed("ab");
    borrowed.push_str("c");
    assert!(matches!(borrowed, Text::Inline(_)));
    assert_eq!(borrowed, Text::Borrowed("abc"));
    assert_eq!(borrowed, Text::Owned("abc".to_owned()));
    assert!(Text::Borrowed("a") < Text::copied("b"));
    assert_eq!(format!("{borrowed:?} {borrowed}"), "\"abc\" abc");
    assert!(InlineText::new(&"x".repeat(INLINE_CAPACITY + 1)).is_none());

    let owned = {
        let field = String::from("borrowed");
        Scalar::from_value(Value::Str(&field)).into_owned()
    };
    assert_eq!(owned, s("borrowed"));
    assert_eq!(
        format!("{:?}", [NULL, b(true), i(1), u(2), f(1.0), s("x")]),
        "[null, true, 1, 2u, 1.0, \"x\"]"
    );
}

#[test]
fn scalar_accessors() {
    assert!(NULL.is_null());
    assert_eq!(b(true).as_bool(), Some(true));
    assert_eq!(i(1).as_bool(), None);
    assert_eq!(i(1).as_number(), Some(Number::Int(1)));
    assert_eq!(s("x").as_str(), Some("x"));
    assert_eq!(s("x").as_number(), None);
    assert_eq!(Scalar::from(Number::Float(2.0)), f(2.0));
}

#[test]
fn scalars_stay_small() {
    // A scalar is passed and returned by value on every call; the inline
    // buffer is sized so that it fills one 64-byte cache line at most.
    assert!(std::mem::size_of::<Scalar<'_>>() <= 64);
}
