//! Verification: the best candidates per budget scored again with real FD on the verification
//! bank, and every reported schedule's latency measured on this device.

use anyhow::Result;
use oms_dataset::{Generator, Labeller, Record};
use oms_latency::Budget;
use oms_latency::profile::schedule_timing;
use oms_sampler::{Sampler, SamplerOptions, Zoo};
use oms_schedule::{Schedule, SlotEncoding};
use oms_search::{Candidate, FrontPoint, Genome};

use super::Context;
use super::baselines::Baselines;
use crate::progress::bar;

/// A schedule with its measured figures.
#[derive(Clone)]
pub struct Measured {
    /// What it is ("searched #1", "best single model", ...).
    pub name: String,
    /// Slots and form.
    pub genome: Genome,
    /// The schedule.
    pub schedule: Schedule,
    /// Predictor score, when the predictor ranked it.
    pub predicted: Option<f64>,
    /// FD on the verification bank.
    pub fd: f64,
    /// KID on the verification bank.
    pub kid: f64,
    /// The table's predicted latency, ms per batch.
    pub cost_ms: f64,
    /// Measured latency, ms per batch of the table's size.
    pub latency_ms: f64,
    /// Generated images (uint8, n x 28 x 28) when sampled here; baselines from the label file
    /// carry only the first grid's worth, sampled for the report.
    pub images: Vec<u8>,
}

/// Everything measured at one budget.
pub struct AtBudget {
    /// Budget, ms per batch.
    pub budget: f64,
    /// Verified search candidates, best measured FD first.
    pub searched: Vec<Measured>,
    /// Random search's best, verified.
    pub random: Option<Measured>,
    /// The label set's best within the budget (by its bank-0 label), verified.
    pub label_best: Option<Measured>,
    /// Best single model (from the baseline labels).
    pub single: Option<Measured>,
    /// Best two-model switch (from the baseline labels).
    pub switch: Option<Measured>,
    /// Predictor queries of the search at this budget.
    pub queries: usize,
}

/// Verifies every budget's candidates and measures the baselines' latency.
pub fn verify_all(
    ctx: &Context,
    labeller: &Labeller,
    zoo: &Zoo,
    front: &[FrontPoint],
    random: &[Vec<Candidate>],
    labels: &[Record],
    base: &Baselines,
) -> Result<Vec<AtBudget>> {
    let args = ctx.args;
    let grid = Labeller::new(
        zoo,
        labeller.net,
        labeller.reference,
        (64.min(args.n), args.batch, args.seed),
        ctx.manifest.image_shape,
    );
    let total = front
        .iter()
        .map(|p| p.distinct.len().min(args.top) + 2 + usize::from(args.verify_reference))
        .sum::<usize>();
    let pb = bar(total as u64, "verify");
    let mut out = vec![];
    for (p, rand) in front.iter().zip(random) {
        let one = |name: String, genome: &Genome, predicted: Option<f64>| -> Result<Measured> {
            let m = measure(ctx, labeller, zoo, name, genome, predicted);
            pb.inc(1);
            m
        };
        let top: Vec<&Candidate> = p.distinct.iter().take(args.top).collect();
        let mut searched = vec![];
        for (i, c) in top.iter().enumerate() {
            searched.push(one(
                format!("searched #{}", i + 1),
                &c.genome,
                Some(c.score),
            )?);
        }
        // With --verify-reference the joint search's best reference-form schedule is verified
        // too (when it is not already among the top): what a slots-only search would offer.
        if let Some(r) = p.best_reference.as_ref().filter(|_| args.verify_reference)
            && !top.iter().any(|c| c.genome == r.genome)
        {
            let name = "searched, reference form".to_string();
            searched.push(one(name, &r.genome, Some(r.score))?);
        }
        searched.sort_by(|a, b| a.fd.total_cmp(&b.fd));
        let random = match rand.first() {
            Some(c) => Some(one("random search".into(), &c.genome, Some(c.score))?),
            None => None,
        };
        let label_best = match best_label(ctx, labels, p.budget) {
            Some(r) => Some(one("best in label set".into(), &genome_of(r), None)?),
            None => None,
        };
        let from_file = |g: Generator, name: &str| -> Result<Option<Measured>> {
            base.best(ctx, g, p.budget)
                .map(|r| baseline(ctx, &grid, zoo, name, r))
                .transpose()
        };
        out.push(AtBudget {
            budget: p.budget,
            searched,
            random,
            label_best,
            single: from_file(Generator::SingleModel, "best single model")?,
            switch: from_file(Generator::TwoModel, "best two-model switch")?,
            queries: p.queries,
        });
    }
    pb.finish_and_clear();
    share_down(&mut out);
    Ok(out)
}

/// One front: a schedule verified for a smaller budget fits every larger one, so it competes
/// there too (without being sampled again) when it measured better than everything verified at
/// the larger budget; each budget's list stays sorted by measured FD. `at` is in ascending
/// budget order, as the search returns it.
fn share_down(at: &mut [AtBudget]) {
    for i in 1..at.len() {
        let (lower, upper) = at.split_at_mut(i);
        let here = &mut upper[0];
        let own = here
            .searched
            .iter()
            .map(|m| m.fd)
            .fold(f64::INFINITY, f64::min);
        for m in lower.iter().flat_map(|a| &a.searched) {
            // Within every larger budget: the lower budgets' candidates cost at most theirs.
            if m.fd < own && !here.searched.iter().any(|h| h.genome == m.genome) {
                let mut shared = m.clone();
                shared.name = format!("{} (verified at a smaller budget)", m.name);
                here.searched.push(shared);
            }
        }
        here.searched.sort_by(|a, b| a.fd.total_cmp(&b.fd));
    }
}

/// The genome of a labelled schedule.
pub fn genome_of(r: &Record) -> Genome {
    Genome {
        slots: SlotEncoding {
            entries: r.slots.clone(),
        },
        form: r.form,
    }
}

fn best_label<'a>(ctx: &Context, labels: &'a [Record], budget: f64) -> Option<&'a Record> {
    labels
        .iter()
        .filter(|r| ctx.space.cost(&genome_of(r).slots) <= budget)
        .min_by(|a, b| a.fd.total_cmp(&b.fd))
}

/// Real FD on the verification bank plus measured latency.
fn measure(
    ctx: &Context,
    labeller: &Labeller,
    zoo: &Zoo,
    name: String,
    genome: &Genome,
    predicted: Option<f64>,
) -> Result<Measured> {
    let schedule = ctx.schedule(genome)?;
    let (score, images) = labeller.label_images(&schedule, ctx.device, &mut |_| {})?;
    Ok(Measured {
        name,
        genome: genome.clone(),
        predicted,
        fd: score.fd,
        kid: score.kid,
        cost_ms: ctx.space.cost(&genome.slots),
        latency_ms: latency(ctx, zoo, &schedule)?,
        schedule,
        images,
    })
}

/// A baseline from the label file: its FD and KID as labelled, latency and a grid measured here.
fn baseline(ctx: &Context, grid: &Labeller, zoo: &Zoo, name: &str, r: &Record) -> Result<Measured> {
    let genome = genome_of(r);
    let schedule = ctx.schedule(&genome)?;
    let (_, images) = grid.label_images(&schedule, ctx.device, &mut |_| {})?;
    Ok(Measured {
        name: name.into(),
        predicted: None,
        fd: r.fd,
        kid: r.kid,
        cost_ms: ctx.space.cost(&genome.slots),
        latency_ms: latency(ctx, zoo, &schedule)?,
        genome,
        schedule,
        images,
    })
}

/// Median of three timed runs (after one warm-up) on a batch of the table's size.
fn latency(ctx: &Context, zoo: &Zoo, schedule: &Schedule) -> Result<f64> {
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let [c, h, w] = ctx.manifest.image_shape;
    let x = burn::tensor::Tensor::<4>::zeros([ctx.profile.table.batch, c, h, w], ctx.device);
    let budget = Budget {
        warmup: 1,
        min_runs: 3,
        max_runs: 3,
        max_seconds: 0.0,
        rel_precision: 1.0,
    };
    Ok(schedule_timing(&sampler, schedule, &x, ctx.device, &budget)?.median_ms())
}
