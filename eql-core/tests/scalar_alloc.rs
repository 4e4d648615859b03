//! Proves that the scalar functions generated code calls on every event
//! allocate nothing in the common cases: slices of field values, short
//! computed strings, lengths, positions and arithmetic.
//!
//! This test binary has its own global allocator, which counts every
//! allocation of the process. The workspace forbids `unsafe`, so the
//! counting allocator comes from `stats_alloc` rather than being written
//! here. Its counters are process-wide, so this file holds a single test:
//! no other test thread can allocate while it measures.

use std::alloc::System;
use std::hint::black_box;
use std::net::IpAddr;

use eql_core::Value;
use eql_core::scalar::{self, Cidr, Scalar};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many times `run` asked the allocator for memory (allocations and
/// reallocations).
fn allocations<R>(run: impl FnOnce() -> R) -> usize {
    let region = Region::new(ALLOCATOR);
    let result = run();
    let change = region.change();
    drop(black_box(result));
    change.allocations + change.reallocations
}

#[track_caller]
fn assert_no_allocation<R>(what: &str, run: impl FnOnce() -> R) {
    assert_eq!(allocations(run), 0, "{what} allocated");
}

#[test]
fn common_scalar_functions_do_not_allocate() {
    // The event: owned strings, as a decoded JSON record holds them.
    let command_line = String::from("C:\\Windows\\System32\\cmd.exe /c whoami");
    let file_name = String::from("EXPLORER.EXE-854AF04C.pf");
    let unicode = String::from("a\u{1f600}b\u{e9}");
    let address: IpAddr = "10.6.48.157".parse().expect("address");
    let command_line = Scalar::from_value(Value::Str(&command_line));
    let file_name = Scalar::from_value(Value::Str(&file_name));
    let unicode = Scalar::from_value(Value::Str(&unicode));
    let serial = Scalar::from_value(Value::Int(82));
    let ratio = Scalar::from_value(Value::Float(0.5));

    // The counter works: a heap string is noticed.
    assert!(allocations(|| String::from("heap")) > 0);
    let long = "x".repeat(scalar::INLINE_CAPACITY);
    assert!(allocations(|| scalar::concat(&[Scalar::from(long.as_str()), Scalar::from("y")])) > 0);

    assert_no_allocation("from_value", || {
        Scalar::from_value(Value::Ip(black_box(address)))
    });

    // Slices of field values borrow.
    assert_no_allocation("substring", || {
        scalar::substring(&command_line, &Scalar::from(-6), None)
    });
    assert_no_allocation("substring with end", || {
        scalar::substring(&unicode, &Scalar::from(1), Some(&Scalar::from(3)))
    });
    assert_no_allocation("between", || {
        scalar::between(
            &command_line,
            &Scalar::from("\\"),
            &Scalar::from("\\"),
            true,
            false,
        )
    });
    assert_no_allocation("between~", || {
        scalar::between(
            &file_name,
            &Scalar::from("explorer."),
            &Scalar::from("-"),
            false,
            true,
        )
    });

    // Short computed strings stay inline.
    assert_no_allocation("concat", || {
        scalar::concat(&[
            serial.clone(),
            Scalar::from("::"),
            file_name.clone(),
            Scalar::from("::"),
            ratio.clone(),
            Scalar::Bool(true),
        ])
    });
    assert_no_allocation("string(42)", || scalar::string(&Scalar::from(42)));
    assert_no_allocation("string(42.5)", || scalar::string(&Scalar::from(42.5)));
    assert_no_allocation("string(1e21)", || scalar::string(&Scalar::from(1e21)));
    assert_no_allocation("string(true)", || scalar::string(&Scalar::Bool(true)));
    assert_no_allocation("string(field)", || scalar::string(&file_name));
    assert_no_allocation("substring of a computed string", || {
        let joined = scalar::concat(&[serial.clone(), Scalar::from(":"), ratio.clone()]);
        scalar::substring(&joined, &Scalar::from(1), None)
    });

    // Numbers, positions and predicates.
    assert_no_allocation("length", || scalar::length(&unicode));
    assert_no_allocation("indexOf", || {
        scalar::index_of(&file_name, &Scalar::from(".pf"), None, false)
    });
    assert_no_allocation("indexOf~ with start", || {
        scalar::index_of(
            &file_name,
            &Scalar::from("plorer."),
            Some(&Scalar::from(2)),
            true,
        )
    });
    assert_no_allocation("startsWith~", || {
        scalar::starts_with(&file_name, &Scalar::from("explorer"), true)
    });
    assert_no_allocation("endsWith", || {
        scalar::ends_with(&file_name, &Scalar::from(".pf"), false)
    });
    assert_no_allocation("stringContains~", || {
        scalar::string_contains(&command_line, &Scalar::from("WHOAMI"), true)
    });
    assert_no_allocation("number", || {
        scalar::number(&Scalar::from("0x32"), Some(&Scalar::from(16)))
    });
    assert_no_allocation("number(float)", || {
        scalar::number(&Scalar::from(" 42.5 "), None)
    });
    assert_no_allocation("arithmetic", || {
        let sum = scalar::add(&serial, &Scalar::from(1));
        let difference = scalar::subtract(&sum, &ratio);
        let product = scalar::multiply(&difference, &serial);
        let quotient = scalar::divide(&product, &Scalar::from(2));
        let remainder = scalar::modulo(&serial, &Scalar::from(40));
        let overflow = scalar::add(&Scalar::from(i64::MAX), &Scalar::from(1));
        let by_zero = scalar::divide(&serial, &Scalar::from(0));
        (scalar::negate(&quotient), remainder, overflow, by_zero)
    });
    assert_no_allocation("comparisons", || {
        let equal = scalar::equals(&scalar::string(&serial), &Scalar::from("82"));
        let ordered = scalar::compare(&file_name, &command_line);
        scalar::and3(equal, ordered.map(|o| o.is_lt()))
    });

    const BLOCKS: [Cidr; 2] = [Cidr::v4([192, 168, 0, 0], 16), Cidr::v4([10, 0, 0, 0], 8)];
    let source = Scalar::from_value(Value::Ip(address));
    assert_no_allocation("cidrMatch with parsed blocks", || {
        scalar::cidr_match_parsed(&source, &BLOCKS)
    });
    assert_no_allocation("cidrMatch with literal blocks", || {
        scalar::cidr_match(&source, &["192.168.0.0/16", "10.6.48.157/8"])
    });
}
