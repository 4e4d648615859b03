//! Decoding one line of NDJSON into the fields a rule reads.

use crate::event::FieldEntry;

/// The ECS paths a rule or rule pack reads.
pub trait PathSet {
    const PATHS: &'static [&'static str];
    const FIELDS: &'static [FieldEntry];
}
