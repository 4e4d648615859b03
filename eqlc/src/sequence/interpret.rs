//! Sequences and samples on the reference interpreter: each step's condition
//! is interpreted ([`crate::interpret::Interpreter`]) and its keys read by
//! path, and the results go through the same engines as generated code.

use eql_core::join::{EventKeys, Ordinal, Tiebreaker, timestamp_nanos};
use eql_core::sample::{SampleMatch, SampleSpec, Samples};
use eql_core::sequence::{Refused, SequenceMatch, Sequences, Stats};

use super::{KeyField, SamplePlan, SequencePlan, Step};
use crate::interpret::{FieldSource, Interpreter};

/// The steps as written, interpreted, each with the engine stages it feeds.
#[derive(Debug)]
struct Stages {
    written: Vec<WrittenStep>,
}

#[derive(Debug)]
struct WrittenStep {
    condition: Interpreter,
    keys: Vec<KeyField>,
    /// The stages of the engine this step is (several with `runs`).
    stages: Vec<usize>,
}

impl Stages {
    /// `steps` in engine order; steps with the same `written` index share
    /// one condition.
    fn new<'a>(steps: impl IntoIterator<Item = &'a Step>) -> Result<Stages, regex::Error> {
        let mut written: Vec<WrittenStep> = Vec::new();
        let mut last: Option<usize> = None;
        for (stage, step) in steps.into_iter().enumerate() {
            if last == Some(step.written) {
                if let Some(current) = written.last_mut() {
                    current.stages.push(stage);
                }
                continue;
            }
            last = Some(step.written);
            written.push(WrittenStep {
                condition: Interpreter::new(step.filter.clone())?,
                keys: step.keys.clone(),
                stages: vec![stage],
            });
        }
        Ok(Stages { written })
    }

    /// Describes `event` in `keys`.
    fn describe(&self, event: &dyn FieldSource, keys: &mut EventKeys) {
        keys.clear();
        for step in &self.written {
            if !step.condition.matches(event) {
                continue;
            }
            for &stage in &step.stages {
                let mut writer = keys.stage(stage);
                for key in &step.keys {
                    writer.key(key.optional, |push| {
                        event.any_value_at(&key.path, &mut |value| {
                            push(value);
                            false
                        });
                    });
                }
            }
        }
    }
}

/// A sequence query run by the interpreter over a stream of events.
#[derive(Debug)]
pub struct SequenceInterpreter<P> {
    stages: Stages,
    timestamp_field: String,
    tiebreaker_field: Option<String>,
    engine: Sequences<P>,
    keys: EventKeys,
}

impl<P: Clone> SequenceInterpreter<P> {
    /// Prepares `plan`; fails only if a regular expression does not build,
    /// which lowering has already ruled out.
    pub fn new(plan: &SequencePlan) -> Result<SequenceInterpreter<P>, String> {
        let spec = plan.spec().map_err(|error| error.to_string())?;
        let stages =
            Stages::new(plan.steps.iter().chain(&plan.until)).map_err(|error| error.to_string())?;
        Ok(SequenceInterpreter {
            stages,
            timestamp_field: plan.timestamp_field.clone(),
            tiebreaker_field: plan.tiebreaker_field.clone(),
            keys: spec.event_keys(),
            engine: Sequences::new(spec),
        })
    }

    /// Takes the next event; see [`Sequences::push`].
    pub fn push(
        &mut self,
        event: &dyn FieldSource,
        payload: P,
        on_match: impl FnMut(SequenceMatch<'_, P>),
    ) -> Result<(), Refused> {
        let mut timestamp = None;
        event.any_value_at(&self.timestamp_field, &mut |value| {
            timestamp = timestamp_nanos(value);
            true
        });
        let mut tiebreaker = Tiebreaker::Missing;
        if let Some(field) = &self.tiebreaker_field {
            event.any_value_at(field, &mut |value| match value.as_number() {
                Some(number) => {
                    tiebreaker = Tiebreaker::Number(number);
                    true
                }
                None => false,
            });
        }
        let ordinal = timestamp.map(|timestamp| Ordinal {
            timestamp,
            tiebreaker,
        });
        self.stages.describe(event, &mut self.keys);
        self.engine.push(ordinal, &self.keys, payload, on_match)
    }

    /// Ends the stream; see [`Sequences::finish`].
    pub fn finish(&mut self, on_match: impl FnMut(SequenceMatch<'_, P>)) {
        self.engine.finish(on_match);
    }

    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }
}

/// A sample query run by the interpreter over a stream of events.
#[derive(Debug)]
pub struct SampleInterpreter<P> {
    stages: Stages,
    engine: Samples<P>,
    keys: EventKeys,
}

impl<P: Clone> SampleInterpreter<P> {
    /// Prepares `plan` with the engine settings of `spec` (from
    /// [`SamplePlan::spec`], with the request's `size` and
    /// `max_samples_per_key`).
    pub fn new(plan: &SamplePlan, spec: SampleSpec) -> Result<SampleInterpreter<P>, String> {
        let stages = Stages::new(&plan.filters).map_err(|error| error.to_string())?;
        Ok(SampleInterpreter {
            stages,
            keys: spec.event_keys(),
            engine: Samples::new(spec),
        })
    }

    pub fn push(&mut self, event: &dyn FieldSource, payload: P) {
        self.stages.describe(event, &mut self.keys);
        self.engine.push(&self.keys, payload);
    }

    /// Ends the stream and reports the samples; see [`Samples::finish`].
    pub fn finish(&mut self, on_match: impl FnMut(SampleMatch<'_, P>)) {
        self.engine.finish(on_match);
    }

    pub fn stats(&self) -> eql_core::sample::Stats {
        self.engine.stats()
    }
}
