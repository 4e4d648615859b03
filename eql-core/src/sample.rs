//! EQL samples: events of every filter that share a join key, in any order.
//!
//! `sample by host [alert where …] [failure where …]` returns, for each key
//! tuple that every filter has an event for, one event per filter, all of
//! them different events. Time plays no part. As Elasticsearch does:
//!
//! - keys come out in ascending order (null first, strings by bytes), as a
//!   composite aggregation lists its buckets;
//! - for each key, each filter offers its first hits (in the order events
//!   were pushed), at most `filters × max_samples_per_key` of them, and the
//!   samples are the first combinations of distinct events found by
//!   backtracking over them, at most `max_samples_per_key` per key;
//! - `size` bounds the number of samples, then `head`/`tail` pipes select
//!   from them.
//!
//! A sample is known only when the stream ends, so results come from
//! [`Samples::finish`]. The engine keeps, per open key, at most
//! `filters × max_samples_per_key` payloads per filter; at most
//! [`Limits::max_keys`] keys are open, and opening one more closes the key
//! changed least recently ([`Stats::evicted_keys`]; its hits are lost).
//! Pushing an event whose keys are all open allocates nothing.

use std::fmt;

use crate::join::{Atom, EventKeys, KeyRef, KeyTable};
use crate::pipe::Pipe;
pub use crate::sequence::Limits;

/// The shape of a sample query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleSpec {
    filters: usize,
    key_count: usize,
    max_samples_per_key: usize,
    size: Option<usize>,
    pipes: Vec<Pipe>,
}

impl SampleSpec {
    /// A sample of `filters` filters with `key_count` join keys each; one
    /// sample per key, no limit on their number, and the query's pipes.
    pub fn new(filters: usize, key_count: usize, pipes: Vec<Pipe>) -> SampleSpec {
        SampleSpec {
            filters,
            key_count,
            max_samples_per_key: 1,
            size: None,
            pipes,
        }
    }

    /// At most `n` samples per key (`max_samples_per_key` of the search
    /// request; default 1).
    pub fn max_samples_per_key(mut self, n: usize) -> SampleSpec {
        self.max_samples_per_key = n;
        self
    }

    /// At most `n` samples in all (`size` of the search request).
    pub fn size(mut self, n: Option<usize>) -> SampleSpec {
        self.size = n;
        self
    }

    pub fn filters(&self) -> usize {
        self.filters
    }

    pub fn key_count(&self) -> usize {
        self.key_count
    }

    /// Buffers sized for this sample: one stage per filter.
    pub fn event_keys(&self) -> EventKeys {
        EventKeys::new(self.filters, self.key_count)
    }

    /// How many hits of each filter a key keeps.
    fn hits_per_filter(&self) -> usize {
        self.filters.saturating_mul(self.max_samples_per_key.max(1))
    }
}

/// Counters of a sample engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events pushed.
    pub events: u64,
    /// Keys closed because [`Limits::max_keys`] were open.
    pub evicted_keys: u64,
    /// Samples reported (after `size` and the pipes).
    pub results: u64,
}

/// One sample: the payload of the event of each filter, and the key.
#[derive(Clone, Copy)]
pub struct SampleMatch<'a, P> {
    events: &'a [P],
    key: KeyRef<'a>,
}

impl<'a, P> SampleMatch<'a, P> {
    /// One payload per filter, in query order.
    pub fn events(&self) -> &'a [P] {
        self.events
    }

    pub fn key(&self) -> KeyRef<'a> {
        self.key
    }
}

impl<P: fmt::Debug> fmt::Debug for SampleMatch<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SampleMatch")
            .field("events", &self.events)
            .field("key", &self.key)
            .finish()
    }
}

/// The hits of one key: per filter, the engine's number and the payload of
/// each event, in push order.
struct KeyHits<P> {
    filters: Box<[Vec<(u64, P)>]>,
}

/// A sample query running over a stream of events; see the module
/// documentation.
pub struct Samples<P> {
    spec: SampleSpec,
    limits: Limits,
    keys: KeyTable<KeyHits<P>>,
    /// The number of the current event, which tells events apart.
    event_number: u64,
    tuple: Vec<Atom>,
    stats: Stats,
}

impl<P: Clone> Samples<P> {
    pub fn new(spec: SampleSpec) -> Samples<P> {
        Samples::with_limits(spec, Limits::default())
    }

    pub fn with_limits(spec: SampleSpec, limits: Limits) -> Samples<P> {
        Samples {
            spec,
            limits,
            keys: KeyTable::new(),
            event_number: 0,
            tuple: Vec::new(),
            stats: Stats::default(),
        }
    }

    pub fn spec(&self) -> &SampleSpec {
        &self.spec
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn open_keys(&self) -> usize {
        self.keys.len()
    }

    /// Takes one event: `keys` says which filters it matches and with which
    /// keys; `payload` is what samples report for it.
    pub fn push(&mut self, keys: &EventKeys, payload: P) {
        self.stats.events += 1;
        self.event_number += 1;
        let want = self.spec.hits_per_filter();
        for filter in 0..self.spec.filters {
            for index in 0..keys.tuple_count(filter) {
                let key = keys.tuple_in(filter, index, &mut self.tuple);
                let id = match self.keys.find(key) {
                    Some(id) => {
                        let full = self
                            .keys
                            .state(id)
                            .is_none_or(|hits| hits.filters[filter].len() >= want);
                        if full {
                            continue;
                        }
                        id
                    }
                    None => {
                        if self.keys.len() >= self.limits.max_keys.max(1) {
                            if let Some((oldest, _)) = self.keys.oldest() {
                                self.keys.remove(oldest);
                                self.stats.evicted_keys += 1;
                            }
                        }
                        let hits = KeyHits {
                            filters: (0..self.spec.filters)
                                .map(|_| Vec::with_capacity(want.min(16)))
                                .collect(),
                        };
                        let key = keys.tuple_in(filter, index, &mut self.tuple);
                        self.keys.insert(key, hits, 0)
                    }
                };
                if let Some(hits) = self.keys.state_mut(id) {
                    hits.filters[filter].push((self.event_number, payload.clone()));
                }
                self.keys.touch(id, 0);
            }
        }
    }

    /// Ends the stream and reports the samples in Elasticsearch's order,
    /// after `size` and the pipes. The engine is then empty, as new.
    pub fn finish<F>(&mut self, mut on_match: F)
    where
        F: FnMut(SampleMatch<'_, P>),
    {
        let mut complete: Vec<u32> = self
            .keys
            .ids()
            .filter(|&id| {
                self.keys
                    .state(id)
                    .is_some_and(|hits| hits.filters.iter().all(|filter| !filter.is_empty()))
            })
            .collect();
        complete.sort_by(|&a, &b| self.keys.key(a).compare(&self.keys.key(b)));

        let limit = self.spec.max_samples_per_key.max(1);
        let mut results: Vec<(u32, Vec<P>)> = Vec::new();
        'keys: for id in complete {
            let Some(hits) = self.keys.state(id) else {
                continue;
            };
            for sample in distinct_combinations(&hits.filters, limit) {
                if self.spec.size.is_some_and(|size| results.len() >= size) {
                    break 'keys;
                }
                results.push((id, sample));
            }
        }
        for (id, events) in crate::pipe::apply(&self.spec.pipes, results) {
            on_match(SampleMatch {
                events: &events,
                key: self.keys.key(id),
            });
            self.stats.results += 1;
        }
        let stats = self.stats;
        *self = Samples::with_limits(self.spec.clone(), self.limits);
        self.stats = stats;
    }
}

/// The first `limit` ways to pick one hit per filter, all different events,
/// in the order of a depth-first search over the hits.
fn distinct_combinations<P: Clone>(filters: &[Vec<(u64, P)>], limit: usize) -> Vec<Vec<P>> {
    fn walk<P: Clone>(
        filters: &[Vec<(u64, P)>],
        chosen: &mut Vec<usize>,
        found: &mut Vec<Vec<P>>,
        limit: usize,
    ) {
        let depth = chosen.len();
        for (at, (number, _)) in filters[depth].iter().enumerate() {
            let taken = chosen
                .iter()
                .enumerate()
                .any(|(filter, &index)| filters[filter][index].0 == *number);
            if taken {
                continue;
            }
            chosen.push(at);
            if depth + 1 == filters.len() {
                found.push(
                    chosen
                        .iter()
                        .enumerate()
                        .map(|(filter, &index)| filters[filter][index].1.clone())
                        .collect(),
                );
            } else {
                walk(filters, chosen, found, limit);
            }
            chosen.pop();
            if found.len() >= limit {
                return;
            }
        }
    }

    let mut found = Vec::new();
    if !filters.is_empty() {
        walk(
            filters,
            &mut Vec::with_capacity(filters.len()),
            &mut found,
            limit,
        );
    }
    found.truncate(limit);
    found
}

impl<P> fmt::Debug for Samples<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Samples")
            .field("spec", &self.spec)
            .field("open_keys", &self.keys.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
