//! Decoding allocates nothing once a decoder's buffers have grown.
//!
//! This file is its own test binary because it installs a counting global
//! allocator (`stats_alloc`, since the workspace forbids the `unsafe` a
//! hand-written one needs), and it holds a single test so that no other test
//! allocates while it counts.

use std::alloc::System;
use std::path::PathBuf;

use eql_core::event::{FieldEntry, Fields, Shape};
use eql_core::json::{Document, PathSet, Record};
use eql_core::value::Value;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Paths that detection rules commonly read, on Linux and Windows events.
struct RulePaths;

const RULE_PATHS: &[&str] = &[
    "container.id",
    "container.image.name",
    "event.action",
    "event.category",
    "event.type",
    "file.path",
    "host.os.type",
    "orchestrator.resource.name",
    "process.Ext.ptrace.data",
    "process.args",
    "process.command_line",
    "process.executable",
    "process.name",
    "process.parent.args",
    "process.parent.executable",
    "process.parent.name",
    "process.pid",
    "process.user.id",
    "user.name",
];

const fn leaf(index: usize) -> FieldEntry {
    FieldEntry {
        name: RULE_PATHS[index],
        shape: Shape::Leaf,
        first_slot: index as u32,
    }
}

impl PathSet for RulePaths {
    const PATHS: &'static [&'static str] = RULE_PATHS;
    const FIELDS: &'static [FieldEntry] = &[
        leaf(0),
        leaf(1),
        leaf(2),
        leaf(3),
        leaf(4),
        leaf(5),
        leaf(6),
        leaf(7),
        leaf(8),
        leaf(9),
        leaf(10),
        leaf(11),
        leaf(12),
        leaf(13),
        leaf(14),
        leaf(15),
        leaf(16),
        leaf(17),
        leaf(18),
    ];
}

/// Lines that exercise every kind of storage: escaped keys and values,
/// dotted keys, arrays of objects, skipped nested objects, big integers,
/// floats, and malformed lines (errors must not allocate either).
const SYNTHETIC_LINES: &[&str] = &[
    r#"{"process":{"name":"cmd.exe","executable":"C:\\Windows\\System32\\cmd.exe","args":["cmd.exe","/c","echo \"hi\""],"parent":{"name":"explorer.exe"}},"event":{"category":["process"],"type":["start"]}}"#,
    r#"{"container":{"id":"abc","image.name":"nginx"},"orchestrator":{"resource.name":"pod"},"process.user.id":0,"process":{"Ext":{"ptrace":{"data":6042695217945480400}}}}"#,
    r#"{"skip":{"deep":{"deeper":[{"a":1},{"b":[1,2,{"c":"\u00e9"}]}]}},"user":{"name":"caf\u00e9 \ud83d\ude00"},"pro\u0063ess":{"pid":18446744073709551615}}"#,
    r#"{"process":[{"args":["a","b"]},{"args":[["c"],null,[]]}],"host.os":{"type":"linux"},"file":{"path":1.5e3}}"#,
    r#"{"process":{"name":"x","args":[1,2,"#,
    r#"{"event":{"category":"\q"}}"#,
    r#"["not an object"]"#,
];

/// The shared real events, or nothing when the data is absent and was not
/// asked for (`EQLC_SHARED` unset).
fn shared_lines() -> Vec<Vec<u8>> {
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
            let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/events");
            if !folder.is_dir() {
                eprintln!(
                    "skipped the real events: {} not found (set EQLC_SHARED to the shared data \
                     folder); checking the synthetic lines only",
                    folder.display()
                );
                return Vec::new();
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
    let mut lines = Vec::new();
    for file in files {
        let text =
            std::fs::read(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        lines.extend(
            text.split(|&byte| byte == b'\n')
                .filter(|line| !line.is_empty())
                .map(<[u8]>::to_vec),
        );
    }
    assert!(!lines.is_empty(), "no event in {}", folder.display());
    lines
}

/// A number that depends on every value decoded, so that the measured
/// passes can be checked against the warm-up pass.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    lines: usize,
    errors: usize,
    values: usize,
    bytes: usize,
}

impl Tally {
    fn add(&mut self, value: Value<'_>) {
        self.values += 1;
        self.bytes += match value {
            Value::Str(text) => text.len(),
            _ => 1,
        };
    }
}

/// Decodes every line with both decoders and reads every value.
fn decode_all(lines: &[Vec<u8>], record: &mut Record<RulePaths>, document: &mut Document) -> Tally {
    let mut tally = Tally::default();
    for line in lines {
        tally.lines += 1;
        match record.decode(line) {
            Ok(view) => {
                for slot in 0..<RecordView<'_> as Fields>::SLOTS {
                    view.any_value(slot, &mut |value| {
                        tally.add(value);
                        false
                    });
                }
            }
            Err(error) => {
                tally.errors += 1;
                tally.bytes += error.offset();
            }
        }
        match document.decode(line) {
            Ok(view) => {
                for path in view.paths() {
                    view.values(path).for_each(|value| tally.add(value));
                }
            }
            Err(error) => {
                tally.errors += 1;
                tally.bytes += error.column();
            }
        }
    }
    tally
}

type RecordView<'a> = eql_core::json::RecordView<'a, RulePaths>;

#[test]
fn decoding_allocates_nothing_after_warm_up() {
    let mut lines: Vec<Vec<u8>> = SYNTHETIC_LINES
        .iter()
        .map(|line| line.as_bytes().to_vec())
        .collect();
    lines.extend(shared_lines());
    let mut record = Record::<RulePaths>::new();
    let mut document = Document::new();

    // The first pass grows the buffers to fit the largest line; that it
    // allocates also shows that the counting allocator is installed.
    let warm_up = Region::new(GLOBAL);
    let expected = decode_all(&lines, &mut record, &mut document);
    assert!(
        warm_up.change().allocations > 0,
        "the allocator does not count"
    );
    assert_eq!(expected.errors, 6, "the three malformed lines, twice");

    let region = Region::new(GLOBAL);
    let mut tallies = [(); 20].map(|()| Tally::default());
    for tally in &mut tallies {
        *tally = decode_all(&lines, &mut record, &mut document);
    }
    let change = region.change();

    assert_eq!(
        (change.allocations, change.reallocations),
        (0, 0),
        "decoding {} lines 20 times allocated {} bytes",
        lines.len(),
        change.bytes_allocated
    );
    for tally in &tallies {
        assert_eq!(*tally, expected);
    }
}
