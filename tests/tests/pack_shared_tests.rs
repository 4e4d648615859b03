//! A test that several rules of a pack make is evaluated once per event:
//! the rules of `packs/shared-tests/` key on `process.name` and share their
//! tests of `process.args` (a negated wildcard pattern, which cannot key or
//! guard a rule, so no pass computes it) and `process.command_line` (a
//! function).

use std::cell::RefCell;

use eql_core::event::resolve;
use eql_runtime::{Event, Fields, Value, eql_pack};

eql_pack! {
    #[eql(dir = "packs/shared-tests")]
    SharedTests;
}

#[derive(Event)]
struct Process<'a> {
    event: Category<'a>,
    process: ProcessFields<'a>,
}

#[derive(Event)]
struct Category<'a> {
    category: &'a str,
}

#[derive(Event)]
struct ProcessFields<'a> {
    name: &'a str,
    args: Vec<&'a str>,
    command_line: &'a str,
}

/// An event that counts the reads of each of its slots.
struct Counting<'e, 'a> {
    event: &'e Process<'a>,
    reads: RefCell<Vec<u32>>,
}

impl Fields for Counting<'_, '_> {
    const SHAPE: eql_core::event::Shape = <Process<'static> as Fields>::SHAPE;
    const SLOTS: u32 = <Process<'static> as Fields>::SLOTS;

    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        if let Some(count) = self.reads.borrow_mut().get_mut(slot as usize) {
            *count += 1;
        }
        self.event.any_value(slot, visit)
    }
}

/// The names of the rules that match an event with this name, and how many
/// times the pack read `process.args` and `process.command_line`.
fn run(name: &str) -> (Vec<&'static str>, u32, u32) {
    let event = Process {
        event: Category {
            category: "process",
        },
        process: ProcessFields {
            name,
            args: vec!["sh", "-c", "id"],
            command_line: "sh -c id",
        },
    };
    let counting = Counting {
        event: &event,
        reads: RefCell::new(vec![0; Process::SLOTS as usize]),
    };
    let mut matched = Vec::new();
    SharedTests::for_each_match(&counting, |rule| matched.push(rule.id));
    let reads = counting.reads.borrow();
    let slot = |path| resolve(&Process::SHAPE, path).expect("a field of the event") as usize;
    (
        matched,
        reads[slot("process.args")],
        reads[slot("process.command_line")],
    )
}

#[test]
fn a_test_two_rules_share_is_evaluated_once() {
    // Both rules are candidates and match; each shared test is read once.
    assert_eq!(run("sh"), (vec!["shared-tests-a", "shared-tests-b"], 1, 1));
    // Only the case-insensitive rule is a candidate.
    assert_eq!(run("SH"), (vec!["shared-tests-b"], 1, 1));
    // Neither is: the shared tests are never evaluated.
    assert_eq!(run("bash"), (vec![], 0, 0));
}
