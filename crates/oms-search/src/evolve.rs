//! The reference evolutionary search (method.md section 6) over slot schedules, with a score
//! cache shared between budgets so one run yields a whole Pareto front.

use std::collections::HashMap;

use oms_dataset::{SlotSpace, restore_invariant};
use oms_schedule::SlotEncoding;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::SearchError;

/// Predicted quality of schedules, lower = better (the predictor, or anything ranking like it).
pub trait Scorer {
    /// Scores of `items`, in order.
    fn scores(&mut self, items: &[SlotEncoding]) -> Vec<f64>;
}

/// Settings of the search (reference defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvolveConfig {
    /// Population kept after each generation.
    pub population: usize,
    /// Generations.
    pub generations: usize,
    /// Children kept per generation at most.
    pub children: usize,
    /// Mutation attempts per generation at most.
    pub attempts: usize,
    /// Positions changed by one mutation: uniform in `1..=max_positions`.
    pub max_positions: usize,
}

impl Default for EvolveConfig {
    fn default() -> Self {
        EvolveConfig {
            population: 40,
            generations: 1000,
            children: 40,
            attempts: 200,
            max_positions: 10,
        }
    }
}

/// A scored schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Canonical slot form.
    pub slots: SlotEncoding,
    /// Predicted score (lower = better).
    pub score: f64,
    /// Cost under the space's latency table, ms.
    pub cost: f64,
}

/// Pairs schedules with their scores and costs.
pub fn candidates(space: &SlotSpace, slots: Vec<SlotEncoding>, scores: Vec<f64>) -> Vec<Candidate> {
    slots
        .into_iter()
        .zip(scores)
        .map(|(slots, score)| Candidate {
            cost: space.cost(&slots),
            slots,
            score,
        })
        .collect()
}

/// Scores by canonical form, shared between searches; counts the scorer's queries.
pub struct ScoreCache<'a> {
    scorer: &'a mut dyn Scorer,
    known: HashMap<Vec<u32>, f64>,
    /// Schedules sent to the scorer so far.
    pub queries: usize,
}

impl<'a> ScoreCache<'a> {
    /// An empty cache over `scorer`.
    pub fn new(scorer: &'a mut dyn Scorer) -> Self {
        ScoreCache {
            scorer,
            known: HashMap::new(),
            queries: 0,
        }
    }

    /// Scores of `items` (canonical), asking the scorer only for unseen ones.
    pub fn scores(&mut self, items: &[SlotEncoding]) -> Vec<f64> {
        let mut fresh: Vec<SlotEncoding> = vec![];
        for it in items {
            if !self.known.contains_key(&it.entries) && !fresh.contains(it) {
                fresh.push(it.clone());
            }
        }
        if !fresh.is_empty() {
            self.queries += fresh.len();
            for (it, s) in fresh.iter().zip(self.scorer.scores(&fresh)) {
                self.known.insert(it.entries.clone(), s);
            }
        }
        items.iter().map(|it| self.known[&it.entries]).collect()
    }

    /// Every schedule scored so far with its score.
    pub fn known(&self) -> impl Iterator<Item = (SlotEncoding, f64)> + '_ {
        self.known
            .iter()
            .map(|(e, s)| (SlotEncoding { entries: e.clone() }, *s))
    }
}

/// The best schedules with cost at most `budget` (best first): a random schedule repaired into
/// `[0.9 budget, budget]`, plus `seeds` (already within budget), evolved for `config.generations`.
pub fn evolve(
    space: &SlotSpace,
    cache: &mut ScoreCache,
    budget: f64,
    seeds: &[SlotEncoding],
    config: &EvolveConfig,
    rng: &mut impl Rng,
    on_generation: &mut dyn FnMut(usize, f64),
) -> Result<Vec<Candidate>, SearchError> {
    let (cheapest, _) = space.cost_range();
    if budget < cheapest {
        return Err(SearchError::NoSchedule { budget, cheapest });
    }
    let start = space.reference_random(rng);
    let start = space
        .repair(&start, 0.9 * budget, budget, 10_000, rng)
        .or_else(|_| space.repair(&start, 0.0, budget, 10_000, rng))
        .map_err(|_| SearchError::NoSchedule { budget, cheapest })?;
    let mut pop: Vec<SlotEncoding> = vec![start.canonical()];
    pop.extend(seeds.iter().filter(|s| space.cost(s) <= budget).cloned());
    pop.dedup();
    let mut scores = cache.scores(&pop);
    for generation in 0..config.generations {
        let mut children: Vec<SlotEncoding> = vec![];
        for _ in 0..config.attempts {
            if children.len() >= config.children {
                break;
            }
            let (a, b) = (
                rng.random_range(0..pop.len()),
                rng.random_range(0..pop.len()),
            );
            let parent = if scores[a] <= scores[b] {
                &pop[a]
            } else {
                &pop[b]
            };
            let k = rng.random_range(1..=config.max_positions);
            let child = restore_invariant(space.mutate_positions(parent, k, rng)).canonical();
            if space.cost(&child) <= budget && !pop.contains(&child) && !children.contains(&child) {
                children.push(child);
            }
        }
        let child_scores = cache.scores(&children);
        pop.extend(children);
        scores.extend(child_scores);
        let mut order: Vec<usize> = (0..pop.len()).collect();
        order.sort_by(|&i, &j| {
            scores[i]
                .total_cmp(&scores[j])
                .then(pop[i].entries.cmp(&pop[j].entries))
        });
        order.truncate(config.population);
        pop = order.iter().map(|&i| pop[i].clone()).collect();
        scores = order.iter().map(|&i| scores[i]).collect();
        on_generation(generation, scores[0]);
    }
    Ok(candidates(space, pop, scores))
}
