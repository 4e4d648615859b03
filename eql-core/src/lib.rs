//! Semantics shared by the eqlc compiler, its interpreter and generated code.
