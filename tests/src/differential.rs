//! The differential property: on every generated event, a rule's generated
//! matcher and the interpreter give the same answer.
//!
//! [`check_rule`] runs proptest over the events of an [`EventGenerator`]
//! with a random generator seeded from the rule's name, so every run checks
//! the same events, and no failure file is written: a disagreement is
//! reported with the smallest event proptest could shrink it to.

use std::cell::{Cell, RefCell};

use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::events::EventGenerator;

/// What checking one rule found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleRun {
    /// Events both engines judged (more than the cases when a failure was
    /// shrunk).
    pub events: u64,
    /// Events both engines matched.
    pub matched: u64,
    /// The disagreement, with the smallest event found, if any.
    pub disagreement: Option<String>,
}

/// The answers of the two engines on one event line: the generated code's,
/// then the interpreter's. An `Err` is an event one engine could not read.
pub type Verdicts = Result<(bool, bool), String>;

/// Checks `cases` events of `generator` with `judge`, seeded by `rule`.
pub fn check_rule(
    rule: &str,
    generator: &EventGenerator,
    cases: u32,
    judge: impl FnMut(&str) -> Verdicts,
) -> RuleRun {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 1024,
        ..Config::default()
    };
    // XorShift rather than proptest's default ChaCha: in a debug build
    // ChaCha takes most of the time of a run.
    let rng = TestRng::from_seed(RngAlgorithm::XorShift, &seed(rule));
    let mut runner = TestRunner::new_with_rng(config, rng);
    let judge = RefCell::new(judge);
    let events = Cell::new(0u64);
    let matched = Cell::new(0u64);
    let result = runner.run(&generator.strategy(), |line| {
        let (generated, interpreted) = (judge.borrow_mut())(&line).map_err(TestCaseError::fail)?;
        events.set(events.get() + 1);
        if generated != interpreted {
            return Err(TestCaseError::fail(format!(
                "generated code says {generated}, interpreter says {interpreted}"
            )));
        }
        if generated {
            matched.set(matched.get() + 1);
        }
        Ok(())
    });
    let disagreement = match result {
        Ok(()) => None,
        Err(TestError::Fail(reason, line)) => Some(format!("{reason} on event {line}")),
        Err(TestError::Abort(reason)) => Some(format!("aborted: {reason}")),
    };
    RuleRun {
        events: events.get(),
        matched: matched.get(),
        disagreement,
    }
}

/// A 16-byte seed from a rule's name (FNV-1a, stretched), so that each rule
/// has its own events and they are the same on every run.
fn seed(rule: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (round, chunk) in out.chunks_mut(8).enumerate() {
        for byte in rule.bytes().chain([round as u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        chunk.copy_from_slice(&hash.to_le_bytes());
    }
    out
}
