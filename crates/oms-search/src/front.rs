//! One search over a list of budgets (a Pareto front), sharing predictor evaluations between
//! budgets, and random search as the query-matched baseline.

use oms_space::{Form, KNOTS, SlotSpace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::SearchError;
use crate::evolve::{Candidate, EvolveConfig, Genome, JointConfig, ScoreCache, candidates, evolve};

/// The search result at one budget.
#[derive(Debug, Clone)]
pub struct FrontPoint {
    /// Budget, ms.
    pub budget: f64,
    /// Best candidates within it, best first.
    pub best: Vec<Candidate>,
    /// The best-scored reference-form schedule (lambda-uniform single-step) within the budget
    /// among everything scored so far: what a slots-only search would offer, for verification
    /// next to the joint candidates.
    pub best_reference: Option<Candidate>,
    /// The best-scored schedules within the budget among everything scored so far that differ
    /// in their slots or solver (at most [`DISTINCT`], best first): the candidates worth
    /// verifying, where `best` often holds one schedule in many near-equal placements.
    pub distinct: Vec<Candidate>,
    /// Predictor queries this budget added to the shared cache.
    pub queries: usize,
}

/// How many distinct candidates a [`FrontPoint`] keeps.
pub const DISTINCT: usize = 20;

/// The best-scored genomes within `budget` in `cache`, one per (slots, solver), best first
/// (ties broken by the genome's order, so the result does not depend on hashing).
fn distinct_best(space: &SlotSpace, cache: &ScoreCache, budget: f64) -> Vec<Candidate> {
    let mut all: Vec<(&Genome, f64)> = cache
        .known()
        .filter(|(g, _)| space.cost(&g.slots) <= budget)
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    let mut seen = std::collections::HashSet::new();
    all.into_iter()
        .filter(|(g, _)| seen.insert((g.slots.clone(), g.form.multistep)))
        .take(DISTINCT)
        .map(|(g, score)| Candidate {
            cost: space.cost(&g.slots),
            genome: g.clone(),
            score,
        })
        .collect()
}

/// `count` budgets spaced geometrically from `lo` to `hi`.
pub fn geometric_budgets(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if count <= 1 {
        return vec![hi];
    }
    (0..count)
        .map(|i| lo * (hi / lo).powf(i as f64 / (count - 1) as f64))
        .collect()
}

/// Searches every budget (ascending); each budget's population starts from a repaired random
/// schedule, the best schedules found for the smaller budgets and the `seeds` that fit (for
/// example the baselines' schedules). Seeded.
pub fn pareto_search(
    space: &SlotSpace,
    cache: &mut ScoreCache,
    budgets: &[f64],
    seeds: &[Genome],
    config: &EvolveConfig,
    seed: u64,
    on_generation: &mut dyn FnMut(usize, usize, f64),
) -> Result<Vec<FrontPoint>, SearchError> {
    let mut sorted = budgets.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut out: Vec<FrontPoint> = vec![];
    for (bi, &budget) in sorted.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(bi as u64));
        let mut start: Vec<Genome> = seeds.to_vec();
        start.extend(out.iter().flat_map(|p| {
            p.best
                .iter()
                .take(config.population / 4)
                .map(|c| c.genome.clone())
        }));
        let before = cache.queries;
        let best = evolve(
            space,
            cache,
            budget,
            &start,
            config,
            &mut rng,
            &mut |g, s| on_generation(bi, g, s),
        )?;
        let best_reference = cache
            .known()
            .filter(|(g, _)| g.form == Form::REFERENCE && space.cost(&g.slots) <= budget)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)))
            .map(|(g, score)| Candidate {
                cost: space.cost(&g.slots),
                genome: g.clone(),
                score,
            });
        out.push(FrontPoint {
            budget,
            best,
            best_reference,
            distinct: distinct_best(space, cache, budget),
            queries: cache.queries - before,
        });
    }
    Ok(out)
}

/// A random form of the space `joint` allows: placement moved by up to eight knot jitters,
/// either solver.
pub fn random_form(joint: &JointConfig, rng: &mut impl Rng) -> Form {
    let mut form = Form::REFERENCE;
    if joint.placement {
        for _ in 0..rng.random_range(0..=2 * KNOTS) {
            form.placement = form
                .placement
                .jitter(2.0 * joint.knot_sigma, joint.min_gap, rng);
        }
    }
    if joint.multistep {
        form.multistep = rng.random_bool(0.5);
    }
    form
}

/// Random search: `queries` random schedules within `budget` (reference generator, repaired
/// into `[0.9 budget, budget]` when needed, with a random form of the space `joint` allows),
/// the best `keep` by score.
pub fn random_search(
    space: &SlotSpace,
    cache: &mut ScoreCache,
    budget: f64,
    queries: usize,
    keep: usize,
    joint: &JointConfig,
    rng: &mut impl Rng,
) -> Result<Vec<Candidate>, SearchError> {
    let (cheapest, _) = space.cost_range();
    if budget < cheapest {
        return Err(SearchError::NoSchedule { budget, cheapest });
    }
    let mut items = Vec::with_capacity(queries);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..queries.max(1) * 10 {
        if items.len() >= queries.max(1) {
            break;
        }
        let mut s = space.reference_random(rng);
        if space.cost(&s) > budget {
            match space.repair(&s, 0.9 * budget, budget, 2_000, rng) {
                Ok(r) => s = r,
                Err(_) => continue,
            }
        }
        let g = Genome {
            slots: s.canonical(),
            form: random_form(joint, rng),
        };
        if seen.insert(g.clone()) {
            items.push(g);
        }
    }
    let scores = cache.scores(&items);
    let mut out = candidates(space, items, scores);
    out.sort_by(|a, b| a.score.total_cmp(&b.score));
    out.truncate(keep);
    Ok(out)
}
