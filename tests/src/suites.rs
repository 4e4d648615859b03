//! Elasticsearch's EQL conformance suites: which suite runs against which
//! data set with which request options, and how to read a suite file.
//!
//! This module is compiled twice: into the `eqlc-tests` library, for the
//! conformance test, and into `build.rs` (through `#[path]`), which compiles
//! every event query to Rust. Both must agree on the options of a suite, so
//! they live here once. It uses only `std`, `toml`, `serde_json` and
//! `eqlc`, which both have.
//!
//! The suite files are copies of Elasticsearch's, quirks included (see
//! `conformance/README.md` in the shared data); the quirks are handled here
//! and in the data-set loader, never by editing the files.

use std::collections::BTreeMap;
use std::path::Path;

use eqlc::FieldType;
use serde_json::Value;

/// The folder of the suites and data sets, relative to the shared data.
pub const CONFORMANCE_DIR: &str = "conformance/elasticsearch";

/// One suite file and the data set its queries run against.
#[derive(Clone, Copy, Debug)]
pub struct Suite {
    /// The file name, relative to [`CONFORMANCE_DIR`].
    pub file: &'static str,
    pub data: &'static DataSet,
}

/// A data set as Elasticsearch's test loader indexes it.
#[derive(Clone, Copy, Debug)]
pub struct DataSet {
    /// A name for messages.
    pub name: &'static str,
    /// `(documents, mapping)` file pairs, relative to [`CONFORMANCE_DIR`];
    /// several pairs are searched together as one data set.
    pub parts: &'static [(&'static str, &'static str)],
    /// The field whose value the suites list in `expected_event_ids`.
    pub id_field: &'static str,
    /// The tiebreaker field of the search request, if any.
    pub tiebreaker: Option<&'static str>,
    /// What the loader does to each document's timestamps.
    pub timestamps: Timestamps,
}

/// How the loader derives `@timestamp` (Elasticsearch's `DataLoader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamps {
    /// The documents are indexed as they are.
    AsIs,
    /// `timestamp` is a Windows FILETIME (100 ns ticks since 1601);
    /// `@timestamp` becomes the epoch milliseconds it denotes, a number.
    FiletimeToMillis,
    /// The same `timestamp` read as epoch nanoseconds: `@timestamp` becomes
    /// the string `"<12 digits of millis>[.<the other 6 digits>]"` (the
    /// fraction only when it is not zero) and `timestamp` the whole
    /// milliseconds.
    FiletimeToNanos,
}

/// The field every suite orders events by (the harness's request).
pub const TIMESTAMP_FIELD: &str = "@timestamp";

/// The field the suites' `event.category` is an alias of, in every mapping.
pub const CATEGORY_FIELD: &str = "event_type";

/// The Endgame sample, with millisecond timestamps (index `endgame-140`).
pub const ENDGAME: DataSet = DataSet {
    name: "endgame-140",
    parts: &[("test_data.json", "data/endgame-140.mapping")],
    id_field: "serial_event_id",
    tiebreaker: Some("serial_event_id"),
    timestamps: Timestamps::FiletimeToMillis,
};

/// The Endgame sample, with nanosecond timestamps (`endgame-140-nanos`).
pub const ENDGAME_NANOS: DataSet = DataSet {
    name: "endgame-140-nanos",
    parts: &[("test_data.json", "data/endgame-140-nanos.mapping")],
    id_field: "serial_event_id",
    tiebreaker: Some("serial_event_id"),
    timestamps: Timestamps::FiletimeToNanos,
};

pub const EXTRA: DataSet = DataSet {
    name: "extra",
    parts: &[("data/extra.data", "data/extra.mapping")],
    id_field: "sequence",
    tiebreaker: Some("sequence"),
    timestamps: Timestamps::AsIs,
};

pub const MISSING_EVENTS: DataSet = DataSet {
    name: "missing-events",
    parts: &[("data/missing-events.data", "data/missing-events.mapping")],
    id_field: "sequence",
    tiebreaker: Some("sequence"),
    timestamps: Timestamps::AsIs,
};

/// Three indices searched together (`sample1,sample2,sample3`).
pub const SAMPLE: DataSet = DataSet {
    name: "sample1,sample2,sample3",
    parts: &[
        ("data/sample1.data", "data/sample1.mapping"),
        ("data/sample2.data", "data/sample2.mapping"),
        ("data/sample3.data", "data/sample3.mapping"),
    ],
    id_field: "id",
    tiebreaker: None,
    timestamps: Timestamps::AsIs,
};

pub const SAMPLE_MULTI: DataSet = DataSet {
    name: "sample-multi",
    parts: &[("data/sample-multi.data", "data/sample-multi.mapping")],
    id_field: "id",
    tiebreaker: None,
    timestamps: Timestamps::AsIs,
};

/// Every suite, in the order reports list them.
pub const SUITES: &[Suite] = &[
    Suite {
        file: "test_queries.toml",
        data: &ENDGAME,
    },
    Suite {
        file: "additional_test_queries.toml",
        data: &ENDGAME,
    },
    Suite {
        file: "test_queries_date.toml",
        data: &ENDGAME,
    },
    Suite {
        file: "test_queries_date_nanos.toml",
        data: &ENDGAME_NANOS,
    },
    Suite {
        file: "test_extra.toml",
        data: &EXTRA,
    },
    Suite {
        file: "test_missing_events.toml",
        data: &MISSING_EVENTS,
    },
    Suite {
        file: "test_sample.toml",
        data: &SAMPLE,
    },
    Suite {
        file: "test_sample_multi.toml",
        data: &SAMPLE_MULTI,
    },
];

impl Suite {
    /// The file name without `.toml`.
    pub fn name(&self) -> &'static str {
        self.file.strip_suffix(".toml").unwrap_or(self.file)
    }

    /// The compiler options that match the harness's search request, with
    /// the field types of the data set's mappings, read from `dir` (the
    /// conformance folder). The mappings alias `event.category` to
    /// `event_type`, so `process where` tests `event_type`.
    pub fn options(&self, dir: &Path) -> Result<eqlc::Options, String> {
        Ok(eqlc::Options {
            category_field: CATEGORY_FIELD.to_owned(),
            timestamp_field: TIMESTAMP_FIELD.to_owned(),
            tiebreaker_field: self.data.tiebreaker.map(str::to_owned),
            field_types: self.data.field_types(dir)?,
        })
    }
}

impl DataSet {
    /// The fields its mappings give a type that [`FieldType`] has (`date`,
    /// `date_nanos`, `version`), by path, aliases included. Left out, and so compared
    /// by their values as they are: fields of other types, a date field
    /// with a custom `format` (which eqlc does not read; the sample data
    /// sets' `@timestamp_pretty`, which no event query compares), and a
    /// field that two parts map differently.
    pub fn field_types(&self, dir: &Path) -> Result<BTreeMap<String, FieldType>, String> {
        let mut types: BTreeMap<String, Option<FieldType>> = BTreeMap::new();
        for (_, mapping_file) in self.parts {
            let mapping = read_mapping(&dir.join(mapping_file))?;
            let mut fields = Vec::new();
            collect_types(&mapping, "", &mut fields);
            let by_path: BTreeMap<&str, &MappedField> = fields
                .iter()
                .map(|field| (field.path.as_str(), field))
                .collect();
            for field in &fields {
                // An alias has the type of the field it names.
                let target = match &field.alias_of {
                    Some(path) => by_path.get(path.as_str()).copied(),
                    None => Some(field),
                };
                let Some(target) = target else { continue };
                let ty = match (&target.type_name, target.custom_format) {
                    (Some(name), false) => FieldType::from_name(name),
                    _ => None,
                };
                let entry = types.entry(field.path.clone()).or_insert(ty);
                if *entry != ty {
                    *entry = None;
                }
            }
        }
        Ok(types
            .into_iter()
            .filter_map(|(path, ty)| Some((path, ty?)))
            .collect())
    }
}

/// A mapping file as Elasticsearch's test loader reads it: lines that start
/// with `#` are dropped, and the `[runtime_random_keyword_type]` placeholder
/// becomes `keyword` (the loader picks `keyword` or `wildcard`; EQL results
/// must not depend on that choice).
pub fn read_mapping(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let json: String = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| [line, "\n"])
        .collect::<String>()
        .replace("[runtime_random_keyword_type]", "keyword");
    serde_json::from_str(&json)
        .map_err(|error| format!("{} is not a JSON mapping: {error}", path.display()))
}

/// One field of a mapping.
struct MappedField {
    path: String,
    type_name: Option<String>,
    /// Whether it has a `format`, which changes how dates are read.
    custom_format: bool,
    /// The `path` of an `alias` field.
    alias_of: Option<String>,
}

fn collect_types(mapping: &Value, prefix: &str, out: &mut Vec<MappedField>) {
    let Some(properties) = mapping.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, field) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let type_name = field.get("type").and_then(Value::as_str);
        out.push(MappedField {
            path: path.clone(),
            type_name: type_name.map(str::to_owned),
            custom_format: field.get("format").is_some(),
            alias_of: match type_name {
                Some("alias") => field.get("path").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            },
        });
        collect_types(field, &path, out);
    }
}

/// What kind of query a case runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryKind {
    /// `category where condition`; also a query that does not parse, so
    /// that its parse error is reported.
    Event,
    Sequence,
    Sample,
}

impl QueryKind {
    /// The kind of `query`, from its syntax tree.
    pub fn of(query: &str) -> QueryKind {
        match eqlc::parse::parse_query(query).map(|query| query.body) {
            Ok(eqlc::ast::QueryBody::Sequence(_)) => QueryKind::Sequence,
            Ok(eqlc::ast::QueryBody::Sample(_)) => QueryKind::Sample,
            _ => QueryKind::Event,
        }
    }
}

/// One active `[[queries]]` table of a suite.
#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    pub query: String,
    pub kind: QueryKind,
    /// The acceptable id lists (usually one), or why `expected_event_ids`
    /// could not be read.
    pub expected: Result<Vec<Vec<i64>>, String>,
    /// `join_keys`: the key values of every result, concatenated, as text
    /// (`null` for a null key), when the case gives them.
    pub join_keys: Option<Vec<String>>,
    /// `size`: the request's limit on results (samples), when given.
    pub size: Option<usize>,
    /// `max_samples_per_key` of the request (samples; default 1).
    pub max_samples_per_key: Option<usize>,
}

/// Reads the active cases of a suite file.
pub fn read_suite(path: &Path) -> Result<Vec<Case>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    parse_suite(&text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Parses the text of a suite file. Commented-out tables are not active.
///
/// Elasticsearch reads the suites with a Java TOML library that accepts a
/// bare `null` as an array element, which TOML does not allow
/// (`test_extra.toml` has some in `join_keys`); when the text does not parse
/// as it is, such nulls are read as the string `"null"`, which is how the
/// harness compares join keys anyway.
pub fn parse_suite(text: &str) -> Result<Vec<Case>, String> {
    let table = match text.parse::<toml::Table>() {
        Ok(table) => table,
        Err(error) => quote_bare_nulls(text)
            .parse::<toml::Table>()
            .map_err(|_| format!("not TOML: {error}"))?,
    };
    let Some(queries) = table.get("queries") else {
        return Ok(Vec::new());
    };
    let queries = queries
        .as_array()
        .ok_or("`queries` is not an array of tables")?;
    let mut cases = Vec::with_capacity(queries.len());
    for (index, entry) in queries.iter().enumerate() {
        let name = entry
            .get("name")
            .and_then(toml::Value::as_str)
            .map_or_else(|| format!("#{}", index + 1), str::to_owned);
        let query = entry
            .get("query")
            .and_then(toml::Value::as_str)
            .ok_or_else(|| format!("query {name} has no `query` string"))?
            .to_owned();
        let expected = expected_ids(entry.get("expected_event_ids"));
        let join_keys = entry
            .get("join_keys")
            .and_then(toml::Value::as_array)
            .map(|keys| {
                keys.iter()
                    .map(|key| match key {
                        toml::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            });
        let count = |key: &str| {
            entry
                .get(key)
                .and_then(toml::Value::as_integer)
                .and_then(|n| usize::try_from(n).ok())
        };
        cases.push(Case {
            kind: QueryKind::of(&query),
            name,
            query,
            expected,
            join_keys,
            size: count("size"),
            max_samples_per_key: count("max_samples_per_key"),
        });
    }
    Ok(cases)
}

/// `expected_event_ids`: a flat list of ids, or a list of alternative flat
/// lists. A missing key means no result.
fn expected_ids(value: Option<&toml::Value>) -> Result<Vec<Vec<i64>>, String> {
    let Some(value) = value else {
        return Ok(vec![Vec::new()]);
    };
    let items = value
        .as_array()
        .ok_or_else(|| format!("`expected_event_ids` is not an array: {value}"))?;
    let flat = |items: &[toml::Value]| -> Result<Vec<i64>, String> {
        items
            .iter()
            .map(|item| {
                item.as_integer()
                    .ok_or_else(|| format!("`expected_event_ids` holds {item}, not an id"))
            })
            .collect()
    };
    if items.iter().all(toml::Value::is_array) && !items.is_empty() {
        items
            .iter()
            .map(|item| flat(item.as_array().map(Vec::as_slice).unwrap_or_default()))
            .collect()
    } else {
        Ok(vec![flat(items)?])
    }
}

/// `text` with every bare `null` that is an array element (after `[` or `,`,
/// outside strings and comments) replaced by the string `"null"`.
pub fn quote_bare_nulls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The last character that was neither whitespace nor inside a comment.
    let mut last_significant = '\n';
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if c == '#' {
            rest.find('\n').unwrap_or(rest.len())
        } else if c == '"' || c == '\'' {
            toml_string_len(rest)
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if &rest[..len] == "null" && matches!(last_significant, '[' | ',') {
                out.push_str("\"null\"");
                last_significant = '"';
                rest = &rest[len..];
                continue;
            }
            len
        } else {
            c.len_utf8()
        };
        let (taken, left) = rest.split_at(len.max(1).min(rest.len()));
        if c != '#' {
            if let Some(last) = taken.chars().rev().find(|c| !c.is_whitespace()) {
                last_significant = last;
            }
        }
        out.push_str(taken);
        rest = left;
    }
    out
}

/// The length in bytes of the TOML string that starts `text` (basic or
/// literal, single- or multi-line), or of the rest of `text` if it is not
/// closed.
fn toml_string_len(text: &str) -> usize {
    let basic = text.starts_with('"');
    let (quote, triple) = if basic {
        ('"', "\"\"\"")
    } else {
        ('\'', "'''")
    };
    let (open, multiline) = if text.starts_with(triple) {
        (3, true)
    } else {
        (1, false)
    };
    let mut escaped = false;
    for (offset, c) in text[open..].char_indices() {
        let at = open + offset;
        if escaped {
            escaped = false;
        } else if basic && c == '\\' {
            escaped = true;
        } else if multiline && text[at..].starts_with(triple) {
            // Up to two more quotes right before the closing three belong
            // to the string.
            let quotes = text[at..].chars().take_while(|&q| q == quote).count();
            return at + quotes.min(5);
        } else if !multiline && (c == quote || c == '\n') {
            return at + c.len_utf8();
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_types_come_from_mappings() {
        let dir = std::env::temp_dir().join(format!("eqlc-suites-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).expect("a temporary file");
        };
        write(
            "a.mapping",
            r#"# a comment line
{"properties": {
  "@timestamp": {"type": "date"},
  "pretty": {"type": "date", "format": "dd-MM-yyyy"},
  "both": {"type": "date"},
  "event": {"properties": {"created": {"type": "date_nanos"}, "time": {"type": "alias", "path": "@timestamp"}}},
  "user": {"type": "[runtime_random_keyword_type]"}
}}"#,
        );
        write(
            "b.mapping",
            r#"{"properties": {"both": {"type": "date_nanos"}}}"#,
        );
        let data = DataSet {
            name: "test",
            parts: &[("a.data", "a.mapping"), ("b.data", "b.mapping")],
            id_field: "id",
            tiebreaker: None,
            timestamps: Timestamps::AsIs,
        };
        let types = data.field_types(&dir);
        std::fs::remove_dir_all(&dir).expect("the temporary folder goes");
        assert_eq!(
            types,
            Ok(BTreeMap::from([
                ("@timestamp".to_owned(), FieldType::Date),
                ("event.created".to_owned(), FieldType::DateNanos),
                ("event.time".to_owned(), FieldType::Date),
            ]))
        );
    }

    #[test]
    fn bare_nulls_in_arrays_become_strings() {
        let text =
            "a = [null, 1, null]\nb = 'null' # null\nc = \"\"\"[null\"\"\"\nd = [\n  null\n]\n";
        assert_eq!(
            quote_bare_nulls(text),
            "a = [\"null\", 1, \"null\"]\nb = 'null' # null\nc = \"\"\"[null\"\"\"\nd = [\n  \"null\"\n]\n"
        );
    }

    #[test]
    fn cases_read_with_alternatives_and_quirks() {
        let text = r#"
[[queries]]
name = "one"
query = 'process where true'
expected_event_ids = [1, 2]
join_keys = [null, "x"]

#[[queries]]
#name = "off"

[[queries]]
name = "two"
query = '''sequence [a where true] [b where true]'''
expected_event_ids = [[1, 2], [3, 4]]

[[queries]]
name = "three"
query = 'sample [a where true] [b where true]'
"#;
        let cases = parse_suite(text).expect("the suite parses");
        let summary: Vec<_> = cases
            .iter()
            .map(|case| (case.name.as_str(), case.kind, case.expected.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("one", QueryKind::Event, Ok(vec![vec![1, 2]])),
                ("two", QueryKind::Sequence, Ok(vec![vec![1, 2], vec![3, 4]])),
                ("three", QueryKind::Sample, Ok(vec![vec![]])),
            ]
        );
    }
}
