//! The reference evolutionary search (method.md section 6) over slot schedules, extended to the
//! joint space of method.md section 7 item 2 (step placement and solver, [`Form`]), with a score
//! cache shared between budgets so one run yields a whole Pareto front.

use std::collections::HashMap;

use oms_schedule::{EncodingError, NoiseSchedule, Schedule, SlotEncoding, Solver};
use oms_space::{Form, SlotSpace, restore_invariant};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::SearchError;

/// A point of the search space: canonical slots (models and orders) and their form (placement
/// and solver). Its cost is the slots' cost: the form changes neither the NFEs nor the models.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Genome {
    /// Canonical slot form.
    pub slots: SlotEncoding,
    /// Placement and solver.
    pub form: Form,
}

impl Genome {
    /// A reference-form genome of `slots` (made canonical).
    pub fn reference(slots: &SlotEncoding) -> Genome {
        Genome {
            slots: slots.canonical(),
            form: Form::REFERENCE,
        }
    }

    /// The schedule this genome runs over `models` (ids 1.. of the slots): single-step
    /// DPM-Solver, or multistep DPM-Solver++ where the form says so ([`Form::schedule`]).
    pub fn schedule(
        &self,
        models: &[String],
        noise: &NoiseSchedule,
        lambda_start: f64,
    ) -> Result<Schedule, EncodingError> {
        self.form
            .schedule(&self.slots, models, noise, Solver::DpmSolver, lambda_start)
    }
}

/// Predicted quality of schedules, lower = better (the predictor, or anything ranking like it).
pub trait Scorer {
    /// Scores of `items`, in order.
    fn scores(&mut self, items: &[Genome]) -> Vec<f64>;
}

/// Which parts of a genome the search may change beyond the models and orders of the slots.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JointConfig {
    /// Move step boundaries (placement knots).
    pub placement: bool,
    /// Switch between single-step DPM-Solver and multistep DPM-Solver++.
    pub multistep: bool,
    /// Standard deviation of one knot move, thousandths of the lambda range.
    pub knot_sigma: f64,
    /// Smallest distance kept between knots (and from the ends), thousandths: no step of a
    /// searched placement is squeezed to nothing.
    pub min_gap: u16,
}

impl JointConfig {
    /// The reference search: slots only.
    pub const SLOTS: JointConfig = JointConfig {
        placement: false,
        multistep: false,
        knot_sigma: 0.0,
        min_gap: 1,
    };
    /// The joint search.
    pub const JOINT: JointConfig = JointConfig {
        placement: true,
        multistep: true,
        knot_sigma: 60.0,
        min_gap: 100,
    };

    /// `form` restricted to what this search may change: the reference placement and solver
    /// where those are not searched.
    pub fn project(&self, form: Form) -> Form {
        Form {
            placement: if self.placement {
                form.placement
            } else {
                Form::REFERENCE.placement
            },
            multistep: self.multistep && form.multistep,
        }
    }
}

impl std::str::FromStr for JointConfig {
    type Err = String;

    /// `joint` ([`JointConfig::JOINT`]) or `slots` ([`JointConfig::SLOTS`], the reference).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "joint" => Ok(JointConfig::JOINT),
            "slots" => Ok(JointConfig::SLOTS),
            other => Err(format!(
                "unknown search space '{other}': use joint or slots"
            )),
        }
    }
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
    /// What else mutations may change.
    pub joint: JointConfig,
}

impl Default for EvolveConfig {
    fn default() -> Self {
        EvolveConfig {
            population: 40,
            generations: 1000,
            children: 40,
            attempts: 200,
            max_positions: 10,
            joint: JointConfig::SLOTS,
        }
    }
}

/// A scored schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The schedule.
    pub genome: Genome,
    /// Predicted score (lower = better).
    pub score: f64,
    /// Cost under the space's latency table, ms.
    pub cost: f64,
}

/// Pairs schedules with their scores and costs.
pub fn candidates(space: &SlotSpace, genomes: Vec<Genome>, scores: Vec<f64>) -> Vec<Candidate> {
    genomes
        .into_iter()
        .zip(scores)
        .map(|(genome, score)| Candidate {
            cost: space.cost(&genome.slots),
            genome,
            score,
        })
        .collect()
}

/// A child of `parent`: the reference's 1..=`max_positions` slot positions, or (when `joint`
/// allows) one to three placement knot moves, or the other solver.
pub fn mutate(
    space: &SlotSpace,
    parent: &Genome,
    config: &EvolveConfig,
    rng: &mut impl Rng,
) -> Genome {
    let j = config.joint;
    let roll: f64 = rng.random();
    let mut child = parent.clone();
    if j.placement && roll < 0.3 {
        for _ in 0..rng.random_range(1..=3) {
            child.form.placement = child.form.placement.jitter(j.knot_sigma, j.min_gap, rng);
        }
    } else if j.multistep && roll < 0.4 {
        child.form.multistep = !child.form.multistep;
    } else {
        let k = rng.random_range(1..=config.max_positions);
        child.slots = restore_invariant(space.mutate_positions(&parent.slots, k, rng)).canonical();
    }
    child
}

/// Scores by canonical form, shared between searches; counts the scorer's queries.
pub struct ScoreCache<'a> {
    scorer: &'a mut dyn Scorer,
    known: HashMap<Genome, f64>,
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
    pub fn scores(&mut self, items: &[Genome]) -> Vec<f64> {
        let mut seen = std::collections::HashSet::new();
        let mut fresh: Vec<Genome> = vec![];
        for it in items {
            if !self.known.contains_key(it) && seen.insert(it) {
                fresh.push(it.clone());
            }
        }
        if !fresh.is_empty() {
            self.queries += fresh.len();
            for (it, s) in fresh.iter().zip(self.scorer.scores(&fresh)) {
                self.known.insert(it.clone(), s);
            }
        }
        items.iter().map(|it| self.known[it]).collect()
    }

    /// Every schedule scored so far with its score.
    pub fn known(&self) -> impl Iterator<Item = (&Genome, f64)> + '_ {
        self.known.iter().map(|(g, s)| (g, *s))
    }
}

/// The best schedules with cost at most `budget` (best first): a random schedule repaired into
/// `[0.9 budget, budget]`, plus the `seeds` within budget, evolved for `config.generations`.
pub fn evolve(
    space: &SlotSpace,
    cache: &mut ScoreCache,
    budget: f64,
    seeds: &[Genome],
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
    let mut pop: Vec<Genome> = vec![Genome::reference(&start)];
    for s in seeds {
        if space.cost(&s.slots) <= budget && !pop.contains(s) {
            pop.push(s.clone());
        }
    }
    let mut scores = cache.scores(&pop);
    for generation in 0..config.generations {
        let mut children: Vec<Genome> = vec![];
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
            let child = mutate(space, parent, config, rng);
            if space.cost(&child.slots) <= budget
                && !pop.contains(&child)
                && !children.contains(&child)
            {
                children.push(child);
            }
        }
        let child_scores = cache.scores(&children);
        pop.extend(children);
        scores.extend(child_scores);
        let mut order: Vec<usize> = (0..pop.len()).collect();
        order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]).then(pop[i].cmp(&pop[j])));
        order.truncate(config.population);
        pop = order.iter().map(|&i| pop[i].clone()).collect();
        scores = order.iter().map(|&i| scores[i]).collect();
        on_generation(generation, scores[0]);
    }
    Ok(candidates(space, pop, scores))
}
