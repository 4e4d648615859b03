//! Parsing EQL text into the syntax tree of [`crate::ast`].
