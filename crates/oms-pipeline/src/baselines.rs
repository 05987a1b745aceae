//! Baseline labels: every model alone at its best order and NFE, and two-model switches,
//! labelled with the same labeller, noise bank and n as the verification. Read from a
//! committed file when it matches the zoo, n, bank and metric; labelled otherwise (resumable).

use crate::objective::Quality;
use std::path::{Path, PathBuf};

use burn::tensor::Device;
use oms_dataset::{
    Generator, LabelEvent, Labeller, Record, RunSpec, Shard, baseline_plan, label_plan,
    read_records,
};
use oms_space::SlotSpace;

use crate::Result;
use crate::budgets::BASELINE_NFES;
use crate::keys::{baselines_key, zoo_key};
use crate::setup::Setup;

/// Baseline records and where they came from.
pub struct Baselines {
    /// Labels of single-model and two-model schedules.
    pub records: Vec<Record>,
    /// The file they were read from or written to.
    pub source: PathBuf,
    /// Whether they were read from the given file (false: labelled now, under the cache).
    pub committed: bool,
}

impl Baselines {
    /// The best record (by `quality`) of `generator` whose cost fits `budget` in `space`.
    pub fn best(
        &self,
        space: &SlotSpace,
        generator: Generator,
        budget: f64,
        quality: &Quality,
    ) -> Option<&Record> {
        self.records
            .iter()
            .filter(|r| r.generator == generator)
            .filter(|r| space.cost(&r.slot_encoding()) <= budget)
            .min_by(|a, b| quality.of_record(a).total_cmp(&quality.of_record(b)))
    }
}

/// Where baselines come from.
pub struct BaselineSource<'a> {
    /// A label file of the baseline plan (`dataset --plan baselines`), used when every record
    /// matches this zoo, the labeller's n and bank, and its metric.
    pub file: &'a Path,
    /// Where baselines labelled now are kept (one file per run key), e.g. `data/baselines`.
    pub cache: &'a Path,
}

/// Whether `records` were made for this zoo with `labeller`'s n, bank and metric.
pub fn fit(records: &[Record], zoo: &str, labeller: &Labeller) -> bool {
    let protocol = labeller.reference.protocol.hash();
    !records.is_empty()
        && records.iter().all(|r| {
            r.n == labeller.n
                && r.seed == labeller.seed
                && r.protocol_hash == protocol
                && r.zoo == zoo
        })
}

/// Reads `source.file` when it fits, else labels the baseline plan up to the largest budget
/// under `source.cache`; `on_event` sees the labelling.
pub fn load_or_measure(
    setup: &Setup,
    labeller: &Labeller,
    source: &BaselineSource,
    budgets: &[f64],
    device: &Device,
    on_event: &mut dyn FnMut(LabelEvent),
) -> Result<Baselines> {
    let zoo = zoo_key(&setup.manifest);
    if let Ok(records) = read_records(source.file)
        && fit(&records, &zoo, labeller)
    {
        return Ok(Baselines {
            records,
            source: source.file.to_owned(),
            committed: true,
        });
    }
    let max = budgets.iter().copied().fold(0.0, f64::max);
    let space = &setup.space;
    let mut plan: Vec<_> = baseline_plan(space, &BASELINE_NFES)
        .into_iter()
        .filter(|p| space.cost(&p.slots) <= max)
        .collect();
    for (i, p) in plan.iter_mut().enumerate() {
        p.id = i as u64;
    }
    let protocol = labeller.reference.protocol.hash();
    let sizes = (labeller.n, labeller.seed);
    let key = baselines_key(&zoo, sizes, &protocol, max, space.k_slots);
    let out = source.cache.join(format!("{key}.jsonl"));
    let spec = RunSpec {
        plan: &plan,
        shard: Shard::ALL,
        space,
        noise: &setup.noise,
        solver: oms_schedule::Solver::DpmSolver,
        lambda_start: setup.lambda_start,
        run_key: &key,
        protocol_hash: &protocol,
        zoo: &zoo,
    };
    label_plan(&spec, labeller, &out, device, on_event)?;
    Ok(Baselines {
        records: read_records(&out)?,
        source: out,
        committed: false,
    })
}
