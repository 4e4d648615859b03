//! Procedural macros of eqlc: a thin shim over the `eqlc` library.
