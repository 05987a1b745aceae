//! One search run: the evolutionary search over every budget with one shared score cache (a
//! Pareto front), then random search with the same number of predictor queries per budget.

use oms_dataset::Record;
use oms_search::{
    Candidate, EvolveConfig, FrontPoint, Genome, JointConfig, ScoreCache, Scorer, pareto_search,
    random_search,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::Result;
use crate::budgets::search_seeds;
use crate::setup::Setup;

/// How the search runs.
#[derive(Debug, Clone, Copy)]
pub struct SearchConfig {
    /// Generations per budget (reference: 1000).
    pub generations: usize,
    /// What the search may change beyond the slots.
    pub joint: JointConfig,
    /// Start from the baseline plan and the best labels ([`search_seeds`]).
    pub seeds: bool,
    /// Seed of the search (random search uses `seed ^ 0x5eed`).
    pub seed: u64,
    /// Also run query-matched random search.
    pub random: bool,
}

/// What a search run found.
pub struct SearchRun {
    /// Per budget, ascending: the best candidates.
    pub front: Vec<FrontPoint>,
    /// Per budget: random search's best (empty without [`SearchConfig::random`]).
    pub random: Vec<Vec<Candidate>>,
    /// Predictor queries in all.
    pub queries: usize,
}

/// Searches `budgets` scoring with `scorer`; `on_generation` is called after each generation.
pub fn run_search(
    setup: &Setup,
    scorer: &mut dyn Scorer,
    labels: &[Record],
    budgets: &[f64],
    config: &SearchConfig,
    on_generation: &mut dyn FnMut(),
) -> Result<SearchRun> {
    let mut cache = ScoreCache::new(scorer);
    let evolve = EvolveConfig {
        generations: config.generations,
        joint: config.joint,
        ..EvolveConfig::default()
    };
    let seeds: Vec<Genome> = if config.seeds {
        search_seeds(&setup.space, labels, &config.joint)
    } else {
        vec![]
    };
    let front = pareto_search(
        &setup.space,
        &mut cache,
        budgets,
        &seeds,
        &evolve,
        config.seed,
        &mut |_, _, _| on_generation(),
    )?;
    let mut random = vec![];
    if config.random {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5eed);
        for p in &front {
            random.push(random_search(
                &setup.space,
                &mut cache,
                p.budget,
                p.queries,
                1,
                &config.joint,
                &mut rng,
            )?);
        }
    }
    Ok(SearchRun {
        front,
        random,
        queries: cache.queries,
    })
}
