//! Verification: the best candidates per budget scored again with real FD on the verification
//! noise bank, the baselines' latency measured and a grid of theirs sampled, and one front
//! across budgets (a schedule verified at a smaller budget competes at every larger one).

use burn::tensor::{Device, Tensor};
use oms_dataset::{Generator, Labeller, Record};
use oms_latency::Budget;
use oms_latency::profile::schedule_timing;
use oms_sampler::{Sampler, SamplerOptions, Zoo};
use oms_schedule::Schedule;
use oms_search::{Candidate, FrontPoint, Genome};

use crate::Result;
use crate::baselines::Baselines;
use crate::budgets::genome_of;
use crate::objective::Quality;
use crate::setup::Setup;

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
    /// Generated images (uint8, `n * C * H * W`) when sampled here; baselines from the label
    /// file carry only the first grid's worth (at most 64), sampled for the report.
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
    /// The label set's best within the budget (by its own label), verified.
    pub label_best: Option<Measured>,
    /// Best single model (from the baseline labels).
    pub single: Option<Measured>,
    /// Best two-model switch (from the baseline labels).
    pub switch: Option<Measured>,
    /// Predictor queries of the search at this budget.
    pub queries: usize,
}

/// What verification does per budget.
#[derive(Debug, Clone, Copy)]
pub struct VerifyConfig {
    /// Distinct candidates verified per budget (reference: 10).
    pub top: usize,
    /// Also verify the best-scored reference-form candidate when it is not among the top.
    pub verify_reference: bool,
    /// What the verified candidates and the baselines are ranked by.
    pub quality: Quality,
}

/// How many schedules [`verify_all`] samples with the full labeller (for a progress bar).
pub fn verify_count(front: &[FrontPoint], config: &VerifyConfig) -> usize {
    front
        .iter()
        .map(|p| p.distinct.len().min(config.top) + 2 + usize::from(config.verify_reference))
        .sum()
}

/// What verification works with.
pub struct Verifier<'a> {
    /// Zoo, space and table.
    pub setup: &'a Setup,
    /// The full labeller (verification n and noise bank).
    pub labeller: &'a Labeller<'a>,
    /// The zoo the labeller samples.
    pub zoo: &'a Zoo,
    /// Compute device.
    pub device: &'a Device,
}

/// Verifies every budget's candidates and measures the baselines' latency; `on_done` is called
/// after each verified schedule.
pub fn verify_all(
    v: &Verifier,
    front: &[FrontPoint],
    random: &[Vec<Candidate>],
    labels: &[Record],
    base: &Baselines,
    config: &VerifyConfig,
    on_done: &mut dyn FnMut(),
) -> Result<Vec<AtBudget>> {
    let l = v.labeller;
    let grid = Labeller::new(
        v.zoo,
        l.net,
        l.reference,
        (64.min(l.n), l.batch, l.seed),
        v.setup.manifest.image_shape,
    );
    let mut out = vec![];
    for (i, p) in front.iter().enumerate() {
        let mut one = |name: &str, genome: &Genome, predicted: Option<f64>| {
            let m = measure(v, name.to_string(), genome, predicted);
            on_done();
            m
        };
        let top: Vec<&Candidate> = p.distinct.iter().take(config.top).collect();
        let mut searched = vec![];
        for (k, c) in top.iter().enumerate() {
            searched.push(one(
                &format!("searched #{}", k + 1),
                &c.genome,
                Some(c.score),
            )?);
        }
        // The joint search's best reference-form schedule: what a slots-only search would offer.
        if let Some(r) = p
            .best_reference
            .as_ref()
            .filter(|_| config.verify_reference)
            && !top.iter().any(|c| c.genome == r.genome)
        {
            searched.push(one("searched, reference form", &r.genome, Some(r.score))?);
        }
        let q = config.quality;
        searched.sort_by(|a, b| q.of(a.fd, a.kid).total_cmp(&q.of(b.fd, b.kid)));
        let random = match random.get(i).and_then(|r| r.first()) {
            Some(c) => Some(one("random search", &c.genome, Some(c.score))?),
            None => None,
        };
        let label_best = match best_label(v.setup, labels, p.budget, &q) {
            Some(r) => Some(one("best in label set", &genome_of(r), None)?),
            None => None,
        };
        let space = &v.setup.space;
        let from_file = |g: Generator, name: &str| -> Result<Option<Measured>> {
            base.best(space, g, p.budget, &q)
                .map(|r| baseline(v, &grid, name, r))
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
    share_down(&mut out, &config.quality);
    Ok(out)
}

/// One front: a schedule verified for a smaller budget fits every larger one, so it competes
/// there too (without being sampled again) when it measured better (by `quality`) than
/// everything verified at the larger budget; each budget's list stays sorted by it. `at` is in
/// ascending budget order, as the search returns it.
pub fn share_down(at: &mut [AtBudget], quality: &Quality) {
    let q = |m: &Measured| quality.of(m.fd, m.kid);
    for i in 1..at.len() {
        let (lower, upper) = at.split_at_mut(i);
        let here = &mut upper[0];
        let own = here.searched.iter().map(q).fold(f64::INFINITY, f64::min);
        for m in lower.iter().flat_map(|a| &a.searched) {
            if q(m) < own && !here.searched.iter().any(|h| h.genome == m.genome) {
                let mut shared = m.clone();
                shared.name = format!("{} (verified at a smaller budget)", m.name);
                here.searched.push(shared);
            }
        }
        here.searched.sort_by(|a, b| q(a).total_cmp(&q(b)));
    }
}

/// The best-labelled record (by its own label, ranked by `quality`) that fits `budget`.
pub fn best_label<'a>(
    setup: &Setup,
    labels: &'a [Record],
    budget: f64,
    quality: &Quality,
) -> Option<&'a Record> {
    labels
        .iter()
        .filter(|r| setup.cost(&r.slot_encoding()) <= budget)
        .min_by(|a, b| quality.of_record(a).total_cmp(&quality.of_record(b)))
}

/// Real FD on the verification bank plus measured latency.
fn measure(
    v: &Verifier,
    name: String,
    genome: &Genome,
    predicted: Option<f64>,
) -> Result<Measured> {
    let schedule = v.setup.schedule(genome)?;
    let (score, images) = v.labeller.label_images(&schedule, v.device, &mut |_| {})?;
    let figures = (predicted, score.fd, score.kid);
    timed(v, name, genome.clone(), schedule, figures, images)
}

/// A baseline from the label file: its FD and KID as labelled, latency and a grid measured here.
fn baseline(v: &Verifier, grid: &Labeller, name: &str, r: &Record) -> Result<Measured> {
    let genome = genome_of(r);
    let schedule = v.setup.schedule(&genome)?;
    let (_, images) = grid.label_images(&schedule, v.device, &mut |_| {})?;
    timed(
        v,
        name.into(),
        genome,
        schedule,
        (None, r.fd, r.kid),
        images,
    )
}

/// A schedule with its figures `(predicted, fd, kid)`, its table cost and its latency measured
/// now.
fn timed(
    v: &Verifier,
    name: String,
    genome: Genome,
    schedule: Schedule,
    (predicted, fd, kid): (Option<f64>, f64, f64),
    images: Vec<u8>,
) -> Result<Measured> {
    Ok(Measured {
        name,
        predicted,
        fd,
        kid,
        cost_ms: v.setup.cost(&genome.slots),
        latency_ms: latency(v, &schedule)?,
        genome,
        schedule,
        images,
    })
}

/// Median of three timed runs (after one warm-up) on a batch of the table's size.
fn latency(v: &Verifier, schedule: &Schedule) -> Result<f64> {
    let sampler = Sampler::new(v.zoo, SamplerOptions::default());
    let [c, h, w] = v.setup.manifest.image_shape;
    let x = Tensor::<4>::zeros([v.setup.profile.table.batch, c, h, w], v.device);
    let budget = Budget {
        warmup: 1,
        min_runs: 3,
        max_runs: 3,
        max_seconds: 0.0,
        rel_precision: 1.0,
    };
    Ok(schedule_timing(&sampler, schedule, &x, v.device, &budget)?.median_ms())
}
