//! Semantics shared by the eqlc compiler, its interpreter and generated code.
//!
//! Everything whose meaning must be the same when a rule is compiled, when it
//! is interpreted and when its generated code runs lives here, once:
//!
//! - [`value`]: the borrowed values a field read yields;
//! - [`event`]: the [`Fields`] trait through which rules read events, and the
//!   compile-time resolution of ECS paths to slots;
//! - [`text`]: ASCII case folding and wildcard matching;
//! - [`ops`]: comparisons of values with constants;
//! - [`date`]: dates as `date` and `date_nanos` fields read them, and their
//!   comparisons with date literals;
//! - [`version`]: the order of `version` fields, for their comparisons
//!   with version literals;
//! - [`pipe`]: the `head` and `tail` pipes;
//! - [`pack`]: the per-event state and shared look-ups of rule packs;
//! - [`join`], [`sequence`], [`sample`]: join keys, and the engines that run
//!   sequences and samples over a stream of events;
//! - [`scalar`]: the values of expressions, with EQL's functions, arithmetic
//!   and three-valued logic over them;
//! - [`json`]: decoding one line of NDJSON into the fields a rule reads, and
//!   [`ndjson`]: reading lines of bounded length;
//! - [`alert`]: the JSON alert written for a match.
//!
//! Users do not depend on this crate directly: `eql-runtime` re-exports what
//! they need together with the macros.

pub mod alert;
pub mod date;
pub mod event;
pub mod join;
pub mod json;
pub mod ndjson;
pub mod ops;
pub mod pack;
pub mod pipe;
pub mod sample;
pub mod scalar;
pub mod sequence;
pub mod text;
pub mod value;
pub mod version;

pub use event::{ABSENT, FieldEntry, Fields, Shape, resolve};
pub use value::{Number, Value};
