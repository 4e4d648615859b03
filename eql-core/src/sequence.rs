//! The state machine of EQL sequences, fed one event at a time.
//!
//! A sequence query lists steps (`[process where …] [file where …]`), each
//! with a condition and join keys. The caller evaluates the conditions and
//! reads the keys of each event (compiled code, or the interpreter) and
//! describes the result in an [`EventKeys`]; [`Sequences::push`] does the
//! bookkeeping and reports each sequence as it completes. Nothing here
//! reads events, so the engine is the same for generated code and for the
//! interpreter.
//!
//! # Semantics
//!
//! As Elasticsearch runs sequences (`docs/semantics.md` has the details and
//! the conformance tests behind each rule):
//!
//! - Each key holds at most one pending sequence per step; a newer one
//!   replaces an older one. For each event the steps are tried from the last
//!   to the first, so one event can complete one sequence, advance another
//!   and start a third, but never fills two steps of one sequence.
//! - `maxspan` is inclusive and measured from the first event: a pending
//!   sequence that would take an event more than `maxspan` after its first
//!   event is dropped instead.
//! - An `until` event drops the pending sequences of its key, after the
//!   event has been tried against the steps.
//! - Missing-event steps (`![…]`) do not take part in matching. A missing
//!   step between two steps rejects a sequence if a matching event of the
//!   same key lies strictly between the events of those steps; leading and
//!   trailing ones reject it together if each has a matching event (the
//!   latest before the first event, the earliest after the last) and all of
//!   them fit within `maxspan`. A rejected sequence still consumed its
//!   events.
//! - Results come in completion order; sequences completed by one event, in
//!   key order. A sequence with trailing missing steps completes when it is
//!   known that they are satisfied: when `maxspan` has passed since its
//!   start, or at [`Sequences::finish`]. Results are held back so that the
//!   order is kept.
//! - `head`/`tail` pipes select from the results in that order.
//!
//! # Order and late events
//!
//! Events must come in the order of an EQL search: by timestamp, then by
//! tiebreaker ([`Ordinal`]). An event before the latest one seen (the
//! watermark) cannot be joined correctly, since the states it should have
//! changed have moved on: it is refused with [`Refused::Late`], counted in
//! [`Stats::late`], and changes nothing. An event without a timestamp, or
//! with one that [`crate::join::timestamp_nanos`] cannot read (not a date,
//! or outside the years 1678 to 2261), is refused with [`Refused::Untimed`].
//!
//! # Memory
//!
//! The state of a key is at most one pending sequence per step: the
//! payloads of its events and a few numbers. Pending sequence `j` (waiting
//! for step `j + 1`) holds `j + 1` payloads, so a key holds at most
//! `n (n - 1) / 2` payloads for `n` event steps (`runs` written out); the
//! buffers grow to the furthest step the key has reached and are reused
//! after, so a key that only ever starts sequences holds one payload.
//! Processing an event that opens no key and takes no key further than it
//! has been allocates nothing. The number of open keys is
//! bounded:
//!
//! - with `maxspan`, a key whose state was last changed more than `maxspan`
//!   ago can complete nothing more and is closed ([`Stats::expired_keys`]);
//! - always, at most [`Limits::max_keys`] keys are open: opening one more
//!   closes the key changed least recently, and counts it in
//!   [`Stats::evicted_keys`]. Its pending sequences are lost, so a stream
//!   that evicts keys may miss sequences; the count says so.
//!
//! Sequences waiting for their trailing missing steps are held at most
//! `maxspan`, and at most [`Limits::max_waiting`] of them: past that the
//! oldest is dropped and counted in [`Stats::dropped_results`].

use std::collections::VecDeque;
use std::fmt;

use crate::join::{Atom, EventKeys, KeyBuf, KeyRef, KeyTable, Ordinal, Watermark};
use crate::pipe::Pipe;

/// A step of a sequence, after `with runs=N` was expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// `[…]`: an event that must happen.
    Event,
    /// `![…]`: an event that must not happen.
    Missing,
}

/// The shape of a sequence query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequenceSpec {
    steps: Vec<Step>,
    key_count: usize,
    maxspan: Option<u64>,
    until: bool,
    pipes: Vec<Pipe>,
}

/// Why a [`SequenceSpec`] cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// Every step is a missing-event step.
    SpecNoEventStep,
    /// A missing-event step without `maxspan`.
    SpecMissingWithoutMaxspan,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecError::SpecNoEventStep => "a sequence needs at least one step that is not missing",
            SpecError::SpecMissingWithoutMaxspan => "missing-event steps need `maxspan`",
        })
    }
}

impl std::error::Error for SpecError {}

impl SequenceSpec {
    /// A sequence of `steps` (`runs` expanded), each with `key_count` join
    /// keys, at most `maxspan` nanoseconds long, with an `until` step if
    /// `until`, and the query's pipes.
    pub fn new(
        steps: Vec<Step>,
        key_count: usize,
        maxspan: Option<u64>,
        until: bool,
        pipes: Vec<Pipe>,
    ) -> Result<SequenceSpec, SpecError> {
        if !steps.contains(&Step::Event) {
            return Err(SpecError::SpecNoEventStep);
        }
        if steps.contains(&Step::Missing) && maxspan.is_none() {
            return Err(SpecError::SpecMissingWithoutMaxspan);
        }
        Ok(SequenceSpec {
            steps,
            key_count,
            maxspan,
            until,
            pipes,
        })
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn key_count(&self) -> usize {
        self.key_count
    }

    pub fn maxspan(&self) -> Option<u64> {
        self.maxspan
    }

    pub fn has_until(&self) -> bool {
        self.until
    }

    /// The stage number of the `until` step in [`EventKeys`] (after the
    /// steps), if there is one.
    pub fn until_stage(&self) -> Option<usize> {
        self.until.then_some(self.steps.len())
    }

    /// Buffers sized for this sequence: one stage per step, and the `until`.
    pub fn event_keys(&self) -> EventKeys {
        EventKeys::new(self.steps.len() + usize::from(self.until), self.key_count)
    }
}

/// Bounds on an engine's memory; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most keys open at once (default 100 000).
    pub max_keys: usize,
    /// The most completed sequences waiting for their trailing missing
    /// steps (default 100 000).
    pub max_waiting: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_keys: 100_000,
            max_waiting: 100_000,
        }
    }
}

/// Counters of an engine, since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events pushed, refused ones included.
    pub events: u64,
    /// Events refused because they came before the watermark.
    pub late: u64,
    /// Events refused because they had no timestamp.
    pub untimed: u64,
    /// Keys closed because `maxspan` had passed.
    pub expired_keys: u64,
    /// Keys closed because [`Limits::max_keys`] were open.
    pub evicted_keys: u64,
    /// Completed sequences dropped because [`Limits::max_waiting`] were
    /// waiting.
    pub dropped_results: u64,
    /// Results reported (after the pipes).
    pub results: u64,
}

/// Why [`Sequences::push`] did not take an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The event comes before the latest event seen.
    Late,
    /// The event has no timestamp.
    Untimed,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::Late => "the event is older than the latest event seen",
            Refused::Untimed => {
                "the event has no timestamp that reads as a date from the year 1678 to 2261"
            }
        })
    }
}

impl std::error::Error for Refused {}

impl Refused {
    /// How many events were refused for each reason, as the tools' summaries
    /// say it: `1 out of order, 12 without a usable timestamp`, leaving out
    /// a reason with none; empty when there were none.
    pub fn describe_counts(late: u64, untimed: u64) -> String {
        let mut reasons = Vec::new();
        if late > 0 {
            reasons.push(format!("{late} out of order"));
        }
        if untimed > 0 {
            reasons.push(format!("{untimed} without a usable timestamp"));
        }
        reasons.join(", ")
    }
}

/// A completed sequence: the payload of the event of each step (`None` for
/// a missing-event step), and the join key.
#[derive(Clone, Copy)]
pub struct SequenceMatch<'a, P> {
    events: &'a [Option<P>],
    key: KeyRef<'a>,
}

impl<'a, P> SequenceMatch<'a, P> {
    /// One entry per step, `runs` expanded: the payload of its event, or
    /// `None` for a missing-event step.
    pub fn events(&self) -> &'a [Option<P>] {
        self.events
    }

    /// The join key tuple.
    pub fn key(&self) -> KeyRef<'a> {
        self.key
    }

    /// An owned copy.
    pub fn to_owned(&self) -> OwnedSequenceMatch<P>
    where
        P: Clone,
    {
        OwnedSequenceMatch {
            events: self.events.to_vec(),
            key: self.key.to_key(),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for SequenceMatch<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SequenceMatch")
            .field("events", &self.events)
            .field("key", &self.key)
            .finish()
    }
}

/// A completed sequence, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedSequenceMatch<P> {
    pub events: Vec<Option<P>>,
    pub key: crate::join::Key,
}

impl<P> OwnedSequenceMatch<P> {
    pub fn as_match(&self) -> SequenceMatch<'_, P> {
        SequenceMatch {
            events: &self.events,
            key: self.key.as_ref(),
        }
    }
}

/// Where each step stands, from [`SequenceSpec::steps`].
#[derive(Clone, Debug)]
struct Layout {
    /// The step numbers of the event steps.
    positive: Vec<usize>,
    /// Missing steps before the first event step.
    leading: Vec<usize>,
    /// Missing steps after the last event step.
    trailing: Vec<usize>,
    /// Missing steps between event steps `j` and `j + 1`: `(step, j)`.
    middle: Vec<(usize, usize)>,
}

impl Layout {
    fn new(steps: &[Step]) -> Layout {
        let positive: Vec<usize> = (0..steps.len())
            .filter(|&i| steps[i] == Step::Event)
            .collect();
        let first = positive.first().copied().unwrap_or(0);
        let last = positive.last().copied().unwrap_or(0);
        let mut layout = Layout {
            positive: positive.clone(),
            leading: Vec::new(),
            trailing: Vec::new(),
            middle: Vec::new(),
        };
        for (step, kind) in steps.iter().enumerate() {
            if *kind == Step::Event {
                continue;
            }
            if step < first {
                layout.leading.push(step);
            } else if step > last {
                layout.trailing.push(step);
            } else {
                let before = positive.iter().filter(|&&p| p < step).count() - 1;
                layout.middle.push((step, before));
            }
        }
        layout
    }

    /// Where the payloads of pending slot `j` start: slot `j` holds `j + 1`.
    fn offset(slot: usize) -> usize {
        slot * (slot + 1) / 2
    }
}

/// A pending sequence of a key, waiting for event step `slot + 1`.
#[derive(Clone, Copy, Debug, Default)]
struct Pending {
    open: bool,
    /// An event of a missing step came between two of its events.
    doomed: bool,
    first: i64,
    /// The engine's number of its latest event.
    last_event: u64,
    /// The earliest of the latest events of each leading missing step
    /// before the first event, if each had one.
    lead: Option<i64>,
}

/// The state of one key. Slots and payloads grow to the highest slot the
/// key has used, so that a key that only ever starts sequences holds one
/// payload, not one per step of the longest.
struct KeyState<P> {
    /// The pending sequence of each slot used so far; slots past the end
    /// are closed.
    slots: Vec<Pending>,
    /// The payloads of the pending sequences; see [`Layout::offset`].
    events: Vec<Option<P>>,
    /// The timestamp of the latest event of each leading missing step.
    leading: Box<[Option<i64>]>,
}

impl<P> KeyState<P> {
    fn new(layout: &Layout) -> KeyState<P> {
        KeyState {
            slots: Vec::new(),
            events: Vec::new(),
            leading: vec![None; layout.leading.len()].into_boxed_slice(),
        }
    }

    /// The lead of a sequence starting now; see [`Pending::lead`].
    fn lead(&self) -> Option<i64> {
        let mut lead: Option<i64> = None;
        for latest in self.leading.iter() {
            let latest = (*latest)?;
            lead = Some(lead.map_or(latest, |l| l.min(latest)));
        }
        lead
    }

    /// The pending sequence of `slot` (closed if the slot was never used).
    fn slot(&self, slot: usize) -> Pending {
        self.slots.get(slot).copied().unwrap_or_default()
    }

    /// Closes `slot` and drops its payloads.
    fn clear_slot(&mut self, slot: usize) {
        let Some(pending) = self.slots.get_mut(slot) else {
            return;
        };
        pending.open = false;
        let start = Layout::offset(slot);
        let end = (start + slot + 1).min(self.events.len());
        for payload in self.events.get_mut(start..end).into_iter().flatten() {
            *payload = None;
        }
    }

    /// Opens `slot` with `pending`, making room for its payloads, which are
    /// then `None`.
    fn open_slot(&mut self, slot: usize, pending: Pending) {
        self.clear_slot(slot);
        if self.slots.len() <= slot {
            self.slots.resize(slot + 1, Pending::default());
        }
        let end = Layout::offset(slot) + slot + 1;
        if self.events.len() < end {
            self.events.resize_with(end, || None);
        }
        self.slots[slot] = pending;
    }
}

/// What is known about a completed sequence's missing steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Accept,
    Reject,
    /// Trailing missing steps are still open.
    Waiting,
}

/// A completed sequence, queued so that results keep completion order.
struct Candidate<P> {
    events: Vec<Option<P>>,
    key: KeyBuf,
    last: i64,
    last_event: u64,
    /// The start of the stretch that missing steps are measured over.
    start: i64,
    verdict: Verdict,
    /// The earliest event of each trailing missing step after the last
    /// event.
    trailing: Vec<Option<i64>>,
}

impl<P> Candidate<P> {
    fn new(spec: &SequenceSpec) -> Candidate<P> {
        let trailing = spec
            .steps
            .iter()
            .rev()
            .take_while(|step| **step == Step::Missing)
            .count();
        Candidate {
            events: (0..spec.steps.len()).map(|_| None).collect(),
            key: KeyBuf::default(),
            last: 0,
            last_event: 0,
            start: 0,
            verdict: Verdict::Waiting,
            trailing: vec![None; trailing],
        }
    }
}

/// A sequence query running over a stream of events, for payloads `P`
/// (whatever identifies an event to the caller: a line number, an id, the
/// event itself). See the module documentation.
pub struct Sequences<P> {
    spec: SequenceSpec,
    layout: Layout,
    limits: Limits,
    keys: KeyTable<KeyState<P>>,
    watermark: Watermark,
    /// The number of the current event.
    event_number: u64,
    queue: VecDeque<Candidate<P>>,
    /// Candidates to reuse, so that completing a sequence does not allocate.
    spare: Vec<Candidate<P>>,
    /// A key tuple being looked up.
    tuple: Vec<Atom>,
    output: Output<P>,
    stats: Stats,
}

impl<P: Clone> Sequences<P> {
    pub fn new(spec: SequenceSpec) -> Sequences<P> {
        Sequences::with_limits(spec, Limits::default())
    }

    pub fn with_limits(spec: SequenceSpec, limits: Limits) -> Sequences<P> {
        Sequences {
            layout: Layout::new(&spec.steps),
            output: Output::new(&spec.pipes),
            spec,
            limits,
            keys: KeyTable::new(),
            watermark: Watermark::default(),
            event_number: 0,
            queue: VecDeque::new(),
            spare: Vec::new(),
            tuple: Vec::new(),
            stats: Stats::default(),
        }
    }

    pub fn spec(&self) -> &SequenceSpec {
        &self.spec
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// How many keys are open now.
    pub fn open_keys(&self) -> usize {
        self.keys.len()
    }

    /// How many payloads the open keys have room for: the measure of their
    /// memory (see the module documentation). It walks every key.
    pub fn payload_slots(&self) -> usize {
        self.keys
            .ids()
            .filter_map(|id| self.keys.state(id))
            .map(|state| state.events.len())
            .sum()
    }

    /// How many completed sequences wait for trailing missing steps or for
    /// an earlier one to be decided.
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// Whether the pipes will take no more results (a `head` is full), so
    /// that pushing more events is pointless.
    pub fn is_done(&self) -> bool {
        self.output.is_done()
    }

    /// Takes one event: `ordinal` is its place in the stream (`None`: it has
    /// no timestamp), `keys` what it offers each step, `payload` what
    /// results report for it. Calls `on_match` with each sequence that is
    /// complete and decided, in order.
    pub fn push<F>(
        &mut self,
        ordinal: Option<Ordinal<'_>>,
        keys: &EventKeys,
        payload: P,
        mut on_match: F,
    ) -> Result<(), Refused>
    where
        F: FnMut(SequenceMatch<'_, P>),
    {
        self.stats.events += 1;
        let Some(ordinal) = ordinal else {
            self.stats.untimed += 1;
            return Err(Refused::Untimed);
        };
        if !self.watermark.admit(&ordinal) {
            self.stats.late += 1;
            return Err(Refused::Late);
        }
        if self.output.is_done() {
            return Ok(());
        }
        self.event_number += 1;
        let now = ordinal.timestamp;
        self.expire(now);

        let completed_from = self.queue.len();
        for j in (0..self.layout.positive.len()).rev() {
            let step = self.layout.positive[j];
            for index in 0..keys.tuple_count(step) {
                self.take_event(j, keys, step, index, now, &payload);
            }
        }
        self.mark_missing(keys, now);
        if let Some(until) = self.spec.until_stage() {
            for index in 0..keys.tuple_count(until) {
                let key = keys.tuple_in(until, index, &mut self.tuple);
                if let Some(id) = self.keys.find(key) {
                    if let Some(state) = self.keys.state_mut(id) {
                        for slot in 0..state.slots.len() {
                            state.clear_slot(slot);
                        }
                    }
                }
            }
        }
        // Sequences completed by one event come in key order.
        let completed = &mut self.queue.make_contiguous()[completed_from..];
        completed.sort_unstable_by(|a, b| a.key.as_ref().compare(&b.key.as_ref()));

        self.emit_decided(Some(now), &mut on_match);
        Ok(())
    }

    /// Ends the stream: decides the sequences still waiting (their trailing
    /// missing steps found no event), reports them, then the results a
    /// `tail` pipe held back. The engine is then empty, as new.
    pub fn finish<F>(&mut self, mut on_match: F)
    where
        F: FnMut(SequenceMatch<'_, P>),
    {
        self.emit_decided(None, &mut on_match);
        self.stats.results += self.output.finish(&mut on_match);
        let stats = self.stats;
        *self = Sequences::with_limits(self.spec.clone(), self.limits);
        self.stats = stats;
    }

    /// Closes the keys whose state is older than `maxspan`.
    fn expire(&mut self, now: i64) {
        let Some(maxspan) = self.spec.maxspan else {
            return;
        };
        while let Some((id, touched)) = self.keys.oldest() {
            if (now as i128) - (touched as i128) <= i128::from(maxspan) {
                break;
            }
            self.keys.remove(id);
            self.stats.expired_keys += 1;
        }
    }

    /// The event, with its `index`-th key tuple, tried against event step
    /// `j` (step number `step`).
    fn take_event(
        &mut self,
        j: usize,
        keys: &EventKeys,
        step: usize,
        index: usize,
        now: i64,
        payload: &P,
    ) {
        let last = self.layout.positive.len() - 1;
        let key = keys.tuple_in(step, index, &mut self.tuple);
        let found = self.keys.find(key);
        if j == 0 {
            let lead = found
                .and_then(|id| self.keys.state(id))
                .and_then(KeyState::lead);
            if last == 0 {
                let pending = Pending {
                    open: true,
                    doomed: false,
                    first: now,
                    last_event: self.event_number,
                    lead,
                };
                let mut candidate = self
                    .spare
                    .pop()
                    .unwrap_or_else(|| Candidate::new(&self.spec));
                candidate.events[step] = Some(payload.clone());
                candidate
                    .key
                    .set(keys.tuple_in(step, index, &mut self.tuple));
                self.queue_candidate(candidate, pending, now);
                return;
            }
            let id = match found {
                Some(id) => id,
                None => self.open_key(keys, step, index, now),
            };
            let event_number = self.event_number;
            if let Some(state) = self.keys.state_mut(id) {
                state.open_slot(
                    0,
                    Pending {
                        open: true,
                        doomed: false,
                        first: now,
                        last_event: event_number,
                        lead,
                    },
                );
                state.events[0] = Some(payload.clone());
            }
            self.keys.touch(id, now);
            return;
        }

        let Some(id) = found else { return };
        let maxspan = self.spec.maxspan;
        let Some(state) = self.keys.state_mut(id) else {
            return;
        };
        let from = j - 1;
        let mut pending = state.slot(from);
        if !pending.open {
            return;
        }
        let within = maxspan
            .is_none_or(|maxspan| (now as i128) - (pending.first as i128) <= i128::from(maxspan));
        if !within {
            state.clear_slot(from);
            return;
        }
        pending.last_event = self.event_number;
        let source = Layout::offset(from);
        if j == last {
            let mut candidate = self
                .spare
                .pop()
                .unwrap_or_else(|| Candidate::new(&self.spec));
            for (at, &step) in self.layout.positive[..j].iter().enumerate() {
                candidate.events[step] = state.events[source + at].take();
            }
            state.clear_slot(from);
            candidate.events[self.layout.positive[j]] = Some(payload.clone());
            candidate
                .key
                .set(keys.tuple_in(step, index, &mut self.tuple));
            self.queue_candidate(candidate, pending, now);
            return;
        }
        state.open_slot(j, pending);
        let target = Layout::offset(j);
        for at in 0..j {
            state.events[target + at] = state.events[source + at].take();
        }
        state.events[target + j] = Some(payload.clone());
        state.clear_slot(from);
        self.keys.touch(id, now);
    }

    /// Queues a completed sequence, with what its missing steps decide so
    /// far. Its events and key are filled in.
    fn queue_candidate(&mut self, mut candidate: Candidate<P>, pending: Pending, now: i64) {
        let maxspan = i128::from(self.spec.maxspan.unwrap_or(0));
        let (leading, trailing) = (
            !self.layout.leading.is_empty(),
            !self.layout.trailing.is_empty(),
        );
        candidate.last = now;
        candidate.last_event = self.event_number;
        candidate
            .trailing
            .iter_mut()
            .for_each(|found| *found = None);
        candidate.start = match (leading, pending.lead) {
            (true, Some(lead)) => lead.min(pending.first),
            _ => pending.first,
        };
        candidate.verdict = if pending.doomed {
            Verdict::Reject
        } else if (!leading && !trailing) || (leading && pending.lead.is_none()) {
            // Nothing to check, or a leading step found no event: the
            // missing steps cannot all be found.
            Verdict::Accept
        } else if !trailing {
            if (now as i128) - (candidate.start as i128) <= maxspan {
                Verdict::Reject
            } else {
                Verdict::Accept
            }
        } else {
            Verdict::Waiting
        };
        if self.queue.len() >= self.limits.max_waiting.max(1) {
            if let Some(mut dropped) = self.queue.pop_front() {
                self.stats.dropped_results += 1;
                dropped.events.iter_mut().for_each(|event| *event = None);
                self.spare.push(dropped);
            }
        }
        self.queue.push_back(candidate);
    }

    /// Opens the key of the `index`-th tuple of `step`, making room first.
    fn open_key(&mut self, keys: &EventKeys, step: usize, index: usize, now: i64) -> u32 {
        if self.keys.len() >= self.limits.max_keys.max(1) {
            if let Some((oldest, _)) = self.keys.oldest() {
                self.keys.remove(oldest);
                self.stats.evicted_keys += 1;
            }
        }
        let key = keys.tuple_in(step, index, &mut self.tuple);
        self.keys.insert(key, KeyState::new(&self.layout), now)
    }

    /// Records the event's matches of missing steps: it dooms the pending
    /// sequences it falls inside, is remembered for sequences that start
    /// later, or counts against completed ones.
    fn mark_missing(&mut self, keys: &EventKeys, now: i64) {
        let event_number = self.event_number;
        for &(step, slot) in &self.layout.middle {
            for index in 0..keys.tuple_count(step) {
                let key = keys.tuple_in(step, index, &mut self.tuple);
                let Some(id) = self.keys.find(key) else {
                    continue;
                };
                if let Some(pending) = self
                    .keys
                    .state_mut(id)
                    .and_then(|state| state.slots.get_mut(slot))
                {
                    if pending.open && pending.last_event < event_number {
                        pending.doomed = true;
                    }
                }
            }
        }
        for position in 0..self.layout.leading.len() {
            let step = self.layout.leading[position];
            for index in 0..keys.tuple_count(step) {
                let key = keys.tuple_in(step, index, &mut self.tuple);
                let id = match self.keys.find(key) {
                    Some(id) => id,
                    None => self.open_key(keys, step, index, now),
                };
                if let Some(state) = self.keys.state_mut(id) {
                    state.leading[position] = Some(now);
                }
                self.keys.touch(id, now);
            }
        }
        for position in 0..self.layout.trailing.len() {
            let step = self.layout.trailing[position];
            for index in 0..keys.tuple_count(step) {
                let key = keys.tuple_in(step, index, &mut self.tuple);
                for candidate in self.queue.iter_mut() {
                    if candidate.verdict == Verdict::Waiting
                        && candidate.last_event < event_number
                        && candidate.trailing[position].is_none()
                        && candidate.key.as_ref() == key
                    {
                        candidate.trailing[position] = Some(now);
                    }
                }
            }
        }
    }

    /// Reports the decided sequences at the front of the queue. `now` is the
    /// current timestamp, `None` at the end of the stream.
    fn emit_decided<F>(&mut self, now: Option<i64>, on_match: &mut F)
    where
        F: FnMut(SequenceMatch<'_, P>),
    {
        let maxspan = self.spec.maxspan.unwrap_or(0);
        while let Some(front) = self.queue.front_mut() {
            if front.verdict == Verdict::Waiting {
                decide_trailing(front, maxspan, now);
            }
            if front.verdict == Verdict::Waiting {
                break;
            }
            let Some(mut candidate) = self.queue.pop_front() else {
                break;
            };
            if candidate.verdict == Verdict::Accept {
                let found = SequenceMatch {
                    events: &candidate.events,
                    key: candidate.key.as_ref(),
                };
                if self.output.take(found, on_match) {
                    self.stats.results += 1;
                }
            }
            for event in &mut candidate.events {
                *event = None;
            }
            self.spare.push(candidate);
        }
    }
}

/// Decides a waiting sequence if its trailing missing steps are settled:
/// all found an event (reject if they fit within `maxspan`), or `maxspan`
/// has passed since its start (none can reject it any more), or the stream
/// ended (`now` is `None`: some found none).
fn decide_trailing<P>(candidate: &mut Candidate<P>, maxspan: u64, now: Option<i64>) {
    let span = |end: i64| (end as i128) - (candidate.start as i128);
    if candidate.trailing.iter().all(Option::is_some) {
        let end = candidate
            .trailing
            .iter()
            .flatten()
            .fold(candidate.last, |end, &at| end.max(at));
        candidate.verdict = if span(end) <= i128::from(maxspan) {
            Verdict::Reject
        } else {
            Verdict::Accept
        };
        return;
    }
    match now {
        None => candidate.verdict = Verdict::Accept,
        Some(now) if span(now) > i128::from(maxspan) => candidate.verdict = Verdict::Accept,
        Some(_) => {}
    }
}

/// The pipes, applied to results as they come.
struct Output<P> {
    /// How many more results the leading `head` pipes take.
    remaining: Option<u64>,
    /// From the first `tail` on: the results it keeps, and the pipes after.
    tail: Option<Tail<P>>,
}

struct Tail<P> {
    keep: usize,
    held: VecDeque<OwnedSequenceMatch<P>>,
    after: Vec<Pipe>,
}

impl<P: Clone> Output<P> {
    fn new(pipes: &[Pipe]) -> Output<P> {
        let first_tail = pipes
            .iter()
            .position(|pipe| matches!(pipe, Pipe::Tail(_)))
            .unwrap_or(pipes.len());
        let remaining = crate::pipe::head_limit(&pipes[..first_tail]);
        let tail = match pipes.get(first_tail) {
            Some(Pipe::Tail(n)) => Some(Tail {
                keep: usize::try_from(*n).unwrap_or(usize::MAX),
                held: VecDeque::new(),
                after: pipes[first_tail + 1..].to_vec(),
            }),
            _ => None,
        };
        Output { remaining, tail }
    }

    fn is_done(&self) -> bool {
        self.remaining == Some(0)
    }

    /// Passes one result on, or holds it for a `tail`; whether it was
    /// reported now.
    fn take<F>(&mut self, found: SequenceMatch<'_, P>, on_match: &mut F) -> bool
    where
        F: FnMut(SequenceMatch<'_, P>),
    {
        match &mut self.remaining {
            Some(0) => return false,
            Some(n) => *n -= 1,
            None => {}
        }
        match &mut self.tail {
            Some(tail) => {
                if tail.keep > 0 {
                    if tail.held.len() == tail.keep {
                        tail.held.pop_front();
                    }
                    tail.held.push_back(found.to_owned());
                }
                false
            }
            None => {
                on_match(found);
                true
            }
        }
    }

    /// Reports what a `tail` held; how many.
    fn finish<F>(&mut self, on_match: &mut F) -> u64
    where
        F: FnMut(SequenceMatch<'_, P>),
    {
        let Some(tail) = self.tail.take() else {
            return 0;
        };
        let held: Vec<_> = tail.held.into_iter().collect();
        let kept = crate::pipe::apply(&tail.after, held);
        for found in &kept {
            on_match(found.as_match());
        }
        kept.len() as u64
    }
}

impl<P> fmt::Debug for Sequences<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sequences")
            .field("spec", &self.spec)
            .field("open_keys", &self.keys.len())
            .field("waiting", &self.queue.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
