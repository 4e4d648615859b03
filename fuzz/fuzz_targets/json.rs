//! The NDJSON event decoder: any bytes decode or fail with a position
//! inside the line, never a panic. The two decoders agree: a line is valid
//! for `Record` exactly when it is for `Document`, and a `Record` keeps
//! the same values, in the same order, as the `Document` at its paths.

#![no_main]

use eql_core::Value;
use eql_core::event::{FieldEntry, Fields, Shape, resolve};
use eql_core::json::{Document, PathSet, Record};
use libfuzzer_sys::fuzz_target;

/// Paths that the seed events and a few hand-written shapes use.
struct Paths;

impl PathSet for Paths {
    const PATHS: &'static [&'static str] =
        &["a", "a.b", "event.category", "process.args", "process.name"];
    const FIELDS: &'static [FieldEntry] = &[
        FieldEntry {
            name: "a",
            shape: Shape::Leaf,
            first_slot: 0,
        },
        FieldEntry {
            name: "a.b",
            shape: Shape::Leaf,
            first_slot: 1,
        },
        FieldEntry {
            name: "event.category",
            shape: Shape::Leaf,
            first_slot: 2,
        },
        FieldEntry {
            name: "process.args",
            shape: Shape::Leaf,
            first_slot: 3,
        },
        FieldEntry {
            name: "process.name",
            shape: Shape::Leaf,
            first_slot: 4,
        },
    ];
}

fuzz_target!(|data: &[u8]| {
    let mut document = Document::new();
    let mut record = Record::<Paths>::new();
    let from_document = document.decode(data);
    let from_record = record.decode(data);
    match (&from_document, &from_record) {
        (Ok(view), Ok(record_view)) => {
            for path in Paths::PATHS {
                let expected: Vec<Value<'_>> = view.values(path).collect();
                let mut found = Vec::new();
                let Some(slot) = resolve(&Shape::Record(Paths::FIELDS), path) else {
                    panic!("{path} resolves");
                };
                record_view.any_value(slot, &mut |value| {
                    found.push(format!("{value:?}"));
                    false
                });
                let expected: Vec<String> =
                    expected.iter().map(|value| format!("{value:?}")).collect();
                assert_eq!(found, expected, "values of {path}");
            }
            for path in view.paths() {
                assert!(view.values(path).next().is_some());
            }
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert!(a.offset() <= data.len());
            let _ = a.to_string();
        }
        (a, b) => panic!(
            "the decoders disagree: {:?} / {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
});
