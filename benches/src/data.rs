//! The events the benches run on: the shipped samples and the generated
//! stream, as NDJSON lines, typed structs or pre-decoded records.

use std::path::{Path, PathBuf};

use eql_core::json::{Document, PathSet, Record, RecordView};

use crate::events::ProcessEvent;

/// A named set of NDJSON events.
#[derive(Clone, Debug)]
pub struct EventSet {
    /// `samples` or `stream`: the name used in bench ids and the report.
    pub name: &'static str,
    pub lines: Vec<String>,
}

impl EventSet {
    /// The size of the lines with their line ends, as in a file.
    pub fn bytes(&self) -> usize {
        self.lines.iter().map(|line| line.len() + 1).sum()
    }

    /// The lines as one NDJSON text.
    pub fn ndjson(&self) -> String {
        let mut text = String::with_capacity(self.bytes());
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// The folder of the shipped sample events.
pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// Every event of every `samples/*.ndjson` file, files in name order. The
/// few lines there that are deliberately malformed (to show that the demo
/// reports and skips them) are left out: they are not events.
pub fn samples() -> EventSet {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples_dir())
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "ndjson"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut lines = Vec::new();
    let mut document = Document::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
        lines.extend(
            text.lines()
                .filter(|line| document.decode(line.as_bytes()).is_ok())
                .map(str::to_owned),
        );
    }
    assert!(!lines.is_empty(), "no sample events under samples/");
    EventSet {
        name: "samples",
        lines,
    }
}

/// The generated stream (see [`crate::stream`]).
pub fn stream() -> EventSet {
    EventSet {
        name: "stream",
        lines: crate::stream::bench_stream(),
    }
}

/// Both sets: the samples, then the stream.
pub fn event_sets() -> Vec<EventSet> {
    vec![samples(), stream()]
}

/// Each line as a typed event.
pub fn typed(set: &EventSet) -> Vec<ProcessEvent> {
    let mut document = Document::new();
    set.lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let view = document
                .decode(line.as_bytes())
                .unwrap_or_else(|error| panic!("{} line {}: {error}", set.name, index + 1));
            ProcessEvent::from_document(&view)
                .unwrap_or_else(|error| panic!("{} line {}: {error}", set.name, index + 1))
        })
        .collect()
}

/// One decoder per line, for [`decode_each`].
pub fn records<S: PathSet>(set: &EventSet) -> Vec<Record<S>> {
    set.lines.iter().map(|_| Record::new()).collect()
}

/// Each line decoded by its own decoder, so that all the views live at
/// once: events pre-decoded before timing.
pub fn decode_each<'a, S: PathSet>(
    records: &'a mut [Record<S>],
    set: &'a EventSet,
) -> Vec<RecordView<'a, S>> {
    records
        .iter_mut()
        .zip(&set.lines)
        .enumerate()
        .map(|(index, (record, line))| {
            record
                .decode(line.as_bytes())
                .unwrap_or_else(|error| panic!("{} line {}: {error}", set.name, index + 1))
        })
        .collect()
}

/// The shared rule corpus, found as the tests find it: `EQLC_SHARED`, else
/// `../shared` beside the repository.
pub fn corpus_dir() -> PathBuf {
    let shared = match std::env::var_os("EQLC_SHARED") {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    shared.join("corpus/detection-rules")
}
