//! Procedural macros of eqlc: a thin shim over the `eqlc` library.
//!
//! This crate only converts token streams: it reads the macro input, calls
//! `eqlc` to compile the query, and turns `eqlc`'s diagnostics into
//! `compile_error!`s spanned on the query literal. Use the macros through
//! `eql-runtime`, which re-exports them.

use proc_macro::TokenStream;

mod derive;
mod pack;
mod rule;
mod spans;

/// Compiles EQL queries into matchers at build time.
///
/// ```text
/// eql_rule! {
///     /// An ssh client asked to forward a port.
///     pub SshForward = r#"process where process.name == "ssh" and process.args : "-L*""#;
///
///     /// A rule read from a detection-rules TOML file (path relative to the
///     /// crate's `Cargo.toml`); its metadata goes into `SshTunnel::META`.
///     #[eql(file = "rules/ssh_tunnel.toml")]
///     pub SshTunnel;
///
///     /// Options of the `_eql/search` API.
///     #[eql(category_field = "event_type")]
///     pub Legacy = "process where process_name == \"cmd.exe\"";
///
///     /// The mapping type of a field (`date`, `date_nanos` or `version`), where it
///     /// changes what a comparison means; `@timestamp` is a `date` unless
///     /// said otherwise.
///     #[eql(field_type(field = "event.created", type = "date_nanos"))]
///     pub Recent = r#"any where event.created >= "2024-05-01T00:00:00.000000001Z""#;
/// }
/// ```
///
/// Each rule becomes a unit struct with `matches(&event) -> bool` for any
/// event type that implements `eql_runtime::Fields` (a `#[derive(Event)]`
/// struct, or a JSON record), plus `META` and `PATHS`. A mistake in a query
/// is a compile error pointing into the literal, with the line and column
/// within the query.
///
/// A field of a date type compares with a string literal as with a date,
/// ISO 8601 or epoch milliseconds, and with a number as with epoch
/// milliseconds: `@timestamp < "2017-08-30"` asks for a value (ISO text or
/// epoch milliseconds) before that day, `@timestamp == "2017-08-30T20:47:33Z"`
/// for one within that second. A literal that is not such a date is a
/// compile error. A field of type `version` orders against a string
/// literal by software version precedence: `agent.version < "8.10.0"` holds
/// for `8.9.2` and `8.10.0-rc1`, not for `8.10.0` or `8.11.0`.
///
/// # Sequences and samples
///
/// A `sequence` or `sample` query becomes a stateful type `Name<P = u64>`,
/// where `P` is what results report for each event (a line number, an id,
/// the event itself; it must be `Clone`):
///
/// ```text
/// eql_rule! {
///     pub CurlThenTls = r#"sequence by host.id with maxspan=1m
///         [process where process.name == "curl"]
///         [network where destination.port == 443]"#;
/// }
///
/// let mut rule = CurlThenTls::new();           // or ::with_limits(limits)
/// for (line_number, event) in events {         // in timestamp order
///     rule.push(&event, line_number, |found| {
///         // found.events(): one Option<P> per step (None: a missing step)
///         // found.key(): the join key values
///     })?;                                     // Err(Refused::Late | Untimed)
/// }
/// rule.finish(|found| { /* results that waited for the end */ });
/// ```
///
/// `Name::new()` takes `P` from the calls to `push`; `let rule: Name =
/// Name::new();` gives the default `u64`.
///
/// `push` evaluates each step's condition with compiled code, reads the join
/// keys and the timestamp (`#[eql(timestamp_field = …)]`, default
/// `@timestamp`; `#[eql(tiebreaker_field = …)]`), and reports each sequence
/// as it completes, in Elasticsearch's order, after the query's `head`/`tail`
/// pipes. `stats()` counts refused events and closed keys; `open_keys()`
/// says how many keys hold state. A sample's `push` only records; `finish`
/// reports the samples in key order (`with_spec(Name::spec()
/// .max_samples_per_key(n).size(Some(m)), limits)` sets the request's
/// options). Both types implement `json::PathSet`, so
/// `json::Record::<Name>` decodes just the fields they read. The semantics,
/// the memory bounds and what happens to late events are in
/// `docs/semantics.md`.
#[proc_macro]
pub fn eql_rule(input: TokenStream) -> TokenStream {
    rule::expand(input.into()).into()
}

/// Lets a struct be matched by EQL rules: each named field is an ECS field,
/// a nested struct a nested object.
///
/// Field types may be strings (`String`, `&str`, `Cow<str>`, `Box<str>`),
/// numbers, `bool`, IP addresses, other `#[derive(Event)]` structs, and
/// `Option`, `Vec`, slices and arrays of any of these (absent values and
/// arrays). `#[eql(rename = "@timestamp")]` gives a field another ECS name
/// (dots allowed: `#[eql(rename = "event.category")]`), `#[eql(skip)]` hides
/// it. A rule that reads a field the struct lacks fails to compile with an
/// error naming the ECS path.
#[proc_macro_derive(Event, attributes(eql))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).into()
}

/// Compiles every detection-rule file under a folder into one pack type.
///
/// ```text
/// eql_pack! {
///     /// The rules shipped in `rules/`.
///     #[eql(dir = "../rules", fields = ["@timestamp", "process.name"])]
///     pub Rules;
/// }
/// ```
///
/// The folder is relative to the crate's `Cargo.toml`; every `.toml` file
/// under it whose `[rule].language` is `eql` is compiled, in path order.
/// `fields` names extra ECS paths to decode from JSON (for alerts). The
/// pack offers `RULES` (the metadata of each rule), `PATHS`, and
/// `for_each_match(&event, |rule| …)`, and decodes JSON through
/// `eql_runtime::json::Record<Rules>`.
///
/// Sequence and sample rules keep state, so they go into a second type,
/// named with `sequences = RuleSequences`: `RuleSequences::new()`, then
/// `push(&event, payload, |rule, found| …)` for each event in timestamp
/// order and `finish(|rule, found| …)` at the end of the stream
/// (`found` is an `eql_runtime::join::JoinMatch`). The pack's record then
/// also decodes the fields those rules read, so one decoded event feeds
/// both. Without `sequences`, a folder with such rules is an error, unless
/// `skip_unsupported` passes over them.
#[proc_macro]
pub fn eql_pack(input: TokenStream) -> TokenStream {
    pack::expand(input.into()).into()
}
