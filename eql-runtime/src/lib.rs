//! Runtime support for EQL rules compiled by eqlc.
