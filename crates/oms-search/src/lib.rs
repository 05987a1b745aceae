//! Search for model schedules under a latency budget (method.md sections 6 and 7): the reference
//! evolutionary algorithm with a score cache shared across budgets (one run, a whole Pareto
//! front) and random search with the same number of predictor queries. Baselines, verification
//! and the predictor as scorer are `oms-pipeline`'s.

pub mod evolve;
pub mod front;

pub use evolve::{
    Candidate, EvolveConfig, Genome, JointConfig, ScoreCache, Scorer, evolve, mutate,
};
pub use front::{FrontPoint, geometric_budgets, pareto_search, random_form, random_search};

/// Errors of the search.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// No schedule of the space fits the budget.
    #[error(
        "no schedule fits the budget of {budget:.2} ms: the cheapest possible schedule costs {cheapest:.2} ms; raise the budget"
    )]
    NoSchedule {
        /// The budget asked for.
        budget: f64,
        /// The cheapest schedule's cost.
        cheapest: f64,
    },
}
