//! The eqlc compiler: Elastic EQL in, specialised Rust out.
//!
//! This crate is the compiler behind the `eql_rule!` macro and the `eqlc`
//! command. It is not a stable API: the macro crate pins it with `=`, and
//! anything else that uses it should do the same.

pub mod ast;
pub mod diagnostic;
pub mod parse;

pub use diagnostic::{Diagnostic, Diagnostics, Position, Severity};
