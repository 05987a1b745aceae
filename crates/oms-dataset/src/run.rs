//! Labelling a shard of a plan into a label file, resuming where a previous process stopped.

use std::time::Instant;

use burn::tensor::Device;
use oms_schedule::{NoiseSchedule, Solver};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::DatasetError;
use crate::label::Labeller;
use crate::store::{LabelFile, Record};
use oms_space::{Planned, Shard, SlotSpace};

/// What to label and where.
pub struct RunSpec<'a> {
    /// The whole plan (every shard sees the same list).
    pub plan: &'a [Planned],
    /// This process's part.
    pub shard: Shard,
    /// The schedule space (model names, costs).
    pub space: &'a SlotSpace,
    /// Noise schedule the slot boundaries are placed in.
    pub noise: &'a NoiseSchedule,
    /// Single-step solver of the slot schedules.
    pub solver: Solver,
    /// Noisiest level of the first step (every member must be trained there).
    pub lambda_start: f64,
    /// Identity of the run (see [`run_key`]).
    pub run_key: &'a str,
    /// Metric protocol hash written into every record.
    pub protocol_hash: &'a str,
    /// Zoo hash written into every record.
    pub zoo: &'a str,
}

/// Progress of [`label_plan`].
pub enum LabelEvent<'a> {
    /// Before the first label: records to make and records already in the file.
    Start {
        /// Labels this process will make.
        todo: usize,
        /// Labels of this shard already in the file.
        done: usize,
    },
    /// Sampling progress of the current label, in NFEs of one batch.
    Nfe(usize),
    /// A label was written.
    Written(&'a Record),
}

/// A short hash of everything that fixes the labels (the plan arguments, the zoo's weights, n,
/// seed, metric protocol): files of different runs are never mixed or merged.
pub fn run_key(parts: &impl Serialize) -> String {
    let json = serde_json::to_vec(parts).expect("key parts serialise");
    let digest = Sha256::digest(&json);
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Labels every schedule of `spec.shard` not yet in `out` and appends it there. Returns the
/// number of labels written by this call.
pub fn label_plan(
    spec: &RunSpec,
    labeller: &Labeller,
    out: &std::path::Path,
    device: &Device,
    events: &mut dyn FnMut(LabelEvent),
) -> Result<usize, DatasetError> {
    if labeller.seed >= crate::FRESH_BANK_MIN {
        return Err(DatasetError::FreshBank(labeller.seed));
    }
    let (mut file, existing) = LabelFile::open(out, spec.run_key)?;
    let done: std::collections::HashSet<u64> = existing.iter().map(|r| r.id).collect();
    let todo: Vec<&Planned> = spec
        .plan
        .iter()
        .filter(|p| spec.shard.owns(p.id) && !done.contains(&p.id))
        .collect();
    events(LabelEvent::Start {
        todo: todo.len(),
        done: done.len(),
    });
    for p in &todo {
        let schedule = p.form.schedule(
            &p.slots,
            &spec.space.models,
            spec.noise,
            spec.solver,
            spec.lambda_start,
        )?;
        let t0 = Instant::now();
        let (score, images) =
            labeller.label_images(&schedule, device, &mut |k| events(LabelEvent::Nfe(k)))?;
        let second = labeller.second_label(&images, device)?;
        let record = Record {
            id: p.id,
            generator: p.generator,
            slots: p.slots.entries.clone(),
            form: p.form,
            nfe: schedule.nfe(),
            cost_ms: spec.space.cost(&p.slots),
            schedule,
            fd: score.fd,
            kid: score.kid,
            kid_std: score.kid_std,
            n: score.n,
            seed: labeller.seed,
            protocol_hash: spec.protocol_hash.to_string(),
            zoo: spec.zoo.to_string(),
            run_key: spec.run_key.to_string(),
            wall_s: t0.elapsed().as_secs_f64(),
            second,
        };
        file.append(&record)?;
        events(LabelEvent::Written(&record));
    }
    Ok(todo.len())
}
