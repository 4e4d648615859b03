//! Every EQL query of the detection-rule corpus and of the Elasticsearch
//! conformance suites must parse.

use std::path::{Path, PathBuf};

use eqlc::parse::parse_query;

/// The number of EQL rules in `shared/corpus/detection-rules`.
const CORPUS_EQL_RULES: usize = 824;

/// The number of active `[[queries]]` tables in
/// `shared/conformance/elasticsearch/*.toml` (see its README).
const CONFORMANCE_QUERIES: usize = 301;

#[test]
fn every_corpus_rule_parses() {
    let Some(root) = eqlc_tests::shared_path("corpus/detection-rules") else {
        return;
    };
    let mut files = Vec::new();
    collect_toml_files(&root, &mut files);
    files.sort();

    let mut parsed = 0;
    let mut other_languages = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let document = match read_toml(file) {
            Ok(document) => document,
            Err(error) => {
                failures.push(format!("{name}: not TOML: {error}"));
                continue;
            }
        };
        let rule = document.get("rule");
        let language = rule
            .and_then(|rule| rule.get("language"))
            .and_then(|v| v.as_str());
        if language != Some("eql") {
            other_languages += 1;
            continue;
        }
        let Some(query) = rule
            .and_then(|rule| rule.get("query"))
            .and_then(|v| v.as_str())
        else {
            failures.push(format!("{name}: no [rule].query"));
            continue;
        };
        match parse_query(query) {
            Ok(_) => parsed += 1,
            Err(error) => failures.push(format!("{name}:\n{}", error.render(query))),
        }
    }

    assert!(
        failures.is_empty(),
        "{} of {} rules failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    eprintln!("parsed {parsed} EQL rules, skipped {other_languages} in other languages");
    assert_eq!(parsed, CORPUS_EQL_RULES);
}

#[test]
fn every_conformance_query_parses() {
    let Some(root) = eqlc_tests::shared_path("conformance/elasticsearch") else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", root.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no suites in {}", root.display());

    let mut parsed = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        for (test, query) in suite_queries(file) {
            match parse_query(&query) {
                Ok(_) => parsed += 1,
                Err(error) => failures.push(format!("{name} {test}:\n{}", error.render(&query))),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} conformance queries failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("parsed {parsed} conformance queries");
    assert_eq!(parsed, CONFORMANCE_QUERIES);
}

fn collect_toml_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
            .path();
        if path.is_dir() {
            collect_toml_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
}

fn read_toml(path: &Path) -> Result<toml::Table, String> {
    let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    text.parse::<toml::Table>()
        .map_err(|error| error.to_string())
}

/// The `(name, query)` of every active `[[queries]]` table of a suite.
fn suite_queries(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    // Elasticsearch's TOML reader accepts a bare `null` in arrays, which is
    // not TOML; quote it when the file does not parse as it is.
    let table = text
        .parse::<toml::Table>()
        .or_else(|_| quote_bare_nulls(&text).parse::<toml::Table>())
        .unwrap_or_else(|error| panic!("{} is not TOML: {error}", path.display()));
    let queries = table
        .get("queries")
        .and_then(|queries| queries.as_array())
        .unwrap_or_else(|| panic!("{} has no [[queries]]", path.display()));
    queries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let name = entry
                .get("name")
                .and_then(|name| name.as_str())
                .map_or_else(|| format!("#{i}"), str::to_owned);
            let query = entry
                .get("query")
                .and_then(|query| query.as_str())
                .unwrap_or_else(|| panic!("{}: {name} has no query", path.display()));
            (name, query.to_owned())
        })
        .collect()
}

/// `text` with every bare `null` outside strings and comments replaced by
/// `"null"`.
fn quote_bare_nulls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let skip = if let Some(body) = rest.strip_prefix("'''") {
            body.find("'''").map_or(rest.len(), |end| end + 6)
        } else if let Some(body) = rest.strip_prefix("\"\"\"") {
            body.find("\"\"\"").map_or(rest.len(), |end| end + 6)
        } else if c == '\'' {
            rest[1..].find('\'').map_or(rest.len(), |end| end + 2)
        } else if c == '"' {
            basic_string_len(rest)
        } else if c == '#' {
            rest.find('\n').unwrap_or(rest.len())
        } else if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            let word_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if &rest[..word_len] == "null" {
                out.push_str("\"null\"");
                rest = &rest[word_len..];
                continue;
            }
            word_len
        } else {
            c.len_utf8()
        };
        out.push_str(&rest[..skip]);
        rest = &rest[skip..];
    }
    out
}

/// The length of the `"…"` TOML string at the start of `text`.
fn basic_string_len(text: &str) -> usize {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    text.len()
}
