//! The schedule space, plain data without tensors (method.md sections 2, 5, 6 and 7): slot
//! schedules over a zoo priced by a latency table ([`SlotSpace`]), their joint form (step
//! placement and single-step or multistep solver, [`Form`]), the deterministic plans of schedules
//! to label and their shards. The search (`oms-search`) and the labelling (`oms-dataset`) both
//! build on it; nothing here depends on burn.

pub mod form;
pub mod joint;
pub mod plan;
pub mod space;

pub use form::{Form, KNOTS, Placement};
pub use joint::joint_plan;
pub use plan::{Generator, Planned, Shard, baseline_plan, ordered_slots, plan};
pub use space::{Mutation, SlotSpace, restore_invariant};

/// Errors of the schedule space and its plans.
#[derive(Debug, thiserror::Error)]
pub enum SpaceError {
    /// A bad argument of the space or a plan, with what to do.
    #[error("{0}")]
    Invalid(String),
    /// No schedule fits the cost window.
    #[error(
        "no schedule costs between {lo:.2} and {hi:.2} ms: the cheapest costs {cheapest:.2} ms and the dearest {dearest:.2} ms"
    )]
    Budget {
        /// Lower end asked.
        lo: f64,
        /// Upper end asked.
        hi: f64,
        /// The cheapest schedule's cost.
        cheapest: f64,
        /// The dearest schedule's cost.
        dearest: f64,
    },
}
