//! Rules written in Elastic's Event Query Language, compiled into your
//! binary.
//!
//! This is the one crate a program depends on. It re-exports the
//! [`eql_rule!`] macro, which compiles an EQL query at build time into a
//! specialised matcher, and [`derive@Event`], which lets a struct of your own
//! be matched. Events decoded from NDJSON use [`json::Record`].
//!
//! ```
//! use eql_runtime::{eql_rule, Event};
//!
//! eql_rule! {
//!     /// An ssh client asked to forward a port.
//!     pub SshForward = r#"process where process.name == "ssh" and process.args : "-L*""#;
//! }
//!
//! #[derive(Event)]
//! struct Process<'a> {
//!     name: &'a str,
//!     args: Vec<&'a str>,
//! }
//!
//! #[derive(Event)]
//! struct ProcessEvent<'a> {
//!     #[eql(rename = "event.category")]
//!     category: &'a str,
//!     process: Process<'a>,
//! }
//!
//! let event = ProcessEvent {
//!     category: "process",
//!     process: Process { name: "ssh", args: vec!["ssh", "-l8080:db:5432"] },
//! };
//! assert!(SshForward::matches(&event));
//! ```
//!
//! The language, the semantics chosen where Elasticsearch leaves room, and
//! the limitations are described in the repository's `docs/` folder.

pub use eql_core::event::Fields;
pub use eql_core::pipe::{self, Pipe};
pub use eql_core::value::{Number, Value};
pub use eql_core::{alert, join, json, ndjson, sample, sequence, text};
pub use eql_macros::{Event, eql_pack, eql_rule};

/// Metadata of a compiled rule, as its rule file states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// The rule's stable id (`rule_id` in Elastic's rule files).
    pub id: &'static str,
    pub name: &'static str,
    /// `low`, `medium`, `high` or `critical`.
    pub severity: &'static str,
    /// 0 to 100.
    pub risk_score: u32,
    /// MITRE ATT&CK tactic ids (`TA0011`).
    pub tactics: &'static [&'static str],
    /// MITRE ATT&CK technique and sub-technique ids (`T1572`).
    pub techniques: &'static [&'static str],
    /// The EQL query as written.
    pub query: &'static str,
}

/// A compiled single-event rule.
pub trait EventRule {
    fn meta(&self) -> &'static RuleMeta;

    /// Whether `event` matches the rule.
    fn matches<E>(&self, event: &E) -> bool
    where
        E: Fields + ?Sized;
}

/// What generated code calls. Not a public API: it changes with the
/// compiler, which is why the macro and this crate are pinned together.
#[doc(hidden)]
pub mod __private {
    use std::sync::OnceLock;

    pub use eql_core::date::{DateRange, Resolution, compare as compare_date};
    pub use eql_core::event::{ABSENT, FieldEntry, Shape, exists, optional, require, resolve};
    pub use eql_core::ops::{
        Comparison, bool3, compare_number, compare_text, contains_sorted, contains_sorted_folded,
        ip_in, number_in, with_text, with_value,
    };
    pub use eql_core::pack::{
        Check, ExactEntry, ExactTable, Needles, PackState, PatternEntry, for_each_bit,
    };
    pub use eql_core::scalar::{self, Cidr, Scalar, Text};
    pub use eql_core::value::Value;
    pub use eql_core::version::compare as compare_version;

    use eql_core::event::Fields;

    /// Calls `visit` with each value of `slot` as a scalar, or once with
    /// null when the field has no value; stops at the first `true`.
    #[inline]
    pub fn any_binding<E, F>(event: &E, slot: u32, visit: &mut F) -> bool
    where
        E: Fields + ?Sized,
        F: FnMut(Scalar<'_>) -> bool,
    {
        let mut any = false;
        if event.any_value(slot, &mut |value| {
            any = true;
            visit(Scalar::from_value(value))
        }) {
            return true;
        }
        !any && visit(Scalar::Null)
    }

    pub use eql_core::text::{has_length, wildcard_match};

    #[inline]
    pub fn starts_with_folded(text: &str, prefix: &str) -> bool {
        eql_core::text::starts_with(text, prefix, true)
    }

    #[inline]
    pub fn ends_with_folded(text: &str, suffix: &str) -> bool {
        eql_core::text::ends_with(text, suffix, true)
    }

    #[inline]
    pub fn contains_folded(text: &str, needle: &str) -> bool {
        eql_core::text::contains(text, needle, true)
    }

    /// A regular expression compiled on first use. The compiler has already
    /// compiled the same pattern, so building it cannot fail; if it did, the
    /// regex would match nothing.
    #[derive(Debug)]
    pub struct LazyRegex {
        pattern: &'static str,
        compiled: OnceLock<Option<regex::Regex>>,
    }

    impl LazyRegex {
        pub const fn new(pattern: &'static str) -> LazyRegex {
            LazyRegex {
                pattern,
                compiled: OnceLock::new(),
            }
        }

        #[inline]
        pub fn is_match(&self, text: &str) -> bool {
            self.compiled
                .get_or_init(|| regex::Regex::new(self.pattern).ok())
                .as_ref()
                .is_some_and(|regex| regex.is_match(text))
        }
    }
}
