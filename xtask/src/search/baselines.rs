//! Baseline labels: every model alone at its best order and NFE, and two-model switches,
//! labelled with the same labeller, noise bank and n as the verification. Read from the
//! committed file when it matches this zoo, n, bank and metric; measured here otherwise.

use anyhow::Result;
use oms_dataset::{
    Generator, Labeller, Record, RunSpec, Shard, baseline_plan, label_plan, read_records, run_key,
};
use serde_json::json;

use super::Context;
use crate::progress::bar;

/// NFEs of the baseline plan (as `dataset --plan baselines`).
pub const NFES: [usize; 10] = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20];

/// Baseline records and where they came from.
pub struct Baselines {
    /// Labels of single-model and two-model schedules.
    pub records: Vec<Record>,
    /// The file they were read from or written to.
    pub source: String,
}

impl Baselines {
    /// The best (lowest FD) record of `generator` whose cost fits `budget` under this table.
    pub fn best(&self, ctx: &Context, generator: Generator, budget: f64) -> Option<&Record> {
        self.records
            .iter()
            .filter(|r| r.generator == generator)
            .filter(|r| {
                ctx.space.cost(&oms_schedule::SlotEncoding {
                    entries: r.slots.clone(),
                }) <= budget
            })
            .min_by(|a, b| a.fd.total_cmp(&b.fd))
    }
}

/// Reads the committed baselines if they match, else labels the baseline plan up to the
/// largest budget (resumable, under data/baselines).
pub fn load_or_measure(ctx: &Context, labeller: &Labeller, budgets: &[f64]) -> Result<Baselines> {
    let args = ctx.args;
    let protocol = labeller.reference.protocol.hash();
    let zoo_key = crate::dataset::zoo_key(&ctx.manifest);
    if let Ok(records) = read_records(&args.baselines) {
        let fits = |r: &Record| {
            r.n == args.n && r.seed == args.seed && r.protocol_hash == protocol && r.zoo == zoo_key
        };
        if !records.is_empty() && records.iter().all(fits) {
            eprintln!(
                "baselines: {} labels from {}",
                records.len(),
                args.baselines.display()
            );
            return Ok(Baselines {
                records,
                source: args.baselines.display().to_string(),
            });
        }
        eprintln!(
            "baselines: {} was made with another n, bank, metric or zoo; measuring here",
            args.baselines.display()
        );
    }
    let max = budgets.iter().copied().fold(0.0, f64::max);
    let mut plan: Vec<_> = baseline_plan(&ctx.space, &NFES)
        .into_iter()
        .filter(|p| ctx.space.cost(&p.slots) <= max)
        .collect();
    for (i, p) in plan.iter_mut().enumerate() {
        p.id = i as u64;
    }
    let key = run_key(
        &json!({"baselines": true, "zoo": zoo_key, "n": args.n, "seed": args.seed,
        "protocol": protocol, "max_budget": max, "slots": ctx.space.k_slots}),
    );
    let out = std::path::Path::new("data/baselines").join(format!("{key}.jsonl"));
    let spec = RunSpec {
        plan: &plan,
        shard: Shard::ALL,
        space: &ctx.space,
        noise: &ctx.noise,
        solver: oms_schedule::Solver::DpmSolver,
        lambda_start: ctx.lambda_start,
        run_key: &key,
        protocol_hash: &protocol,
        zoo: &zoo_key,
    };
    let pb = bar(plan.len() as u64, "baselines");
    label_plan(&spec, labeller, &out, ctx.device, &mut |e| {
        if let oms_dataset::LabelEvent::Written(_) = e {
            pb.inc(1);
        }
    })?;
    pb.finish_and_clear();
    Ok(Baselines {
        records: read_records(&out)?,
        source: out.display().to_string(),
    })
}
