//! Typed errors of schedules, noise schedules and reference encodings. Every message names the
//! offending step or slot and says what to change.

use thiserror::Error;

/// A noise schedule could not be built.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum NoiseError {
    /// The spec's numbers are out of range.
    #[error("invalid noise schedule: {0}")]
    Invalid(String),
}

/// A schedule is not valid for the zoo and solver it names.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScheduleError {
    /// The schedule has no steps.
    #[error("the schedule has no steps; add at least one step ending at the clean end")]
    Empty,
    /// The file was written by another format version.
    #[error(
        "schedule format version {found} is not supported (this build reads version {supported}); re-export the schedule with this version of oms"
    )]
    FormatVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A step names a model the zoo does not have.
    #[error("step {step}: unknown model '{model}'; the zoo has: {known}")]
    UnknownModel {
        /// Step index (0 = noisiest).
        step: usize,
        /// The name that was not found.
        model: String,
        /// Comma-separated known names.
        known: String,
    },
    /// A noise level is NaN or infinite where a finite level is needed.
    #[error(
        "step {step}: noise level lambda = {lambda} is not finite; only the last step may end at the clean end (\"clean\")"
    )]
    NonFinite {
        /// Step index.
        step: usize,
        /// The bad value.
        lambda: f64,
    },
    /// A step does not move towards the clean end.
    #[error(
        "step {step}: goes from lambda {from} to {to}; each step must end at a larger lambda (less noise) than it starts"
    )]
    NonMonotone {
        /// Step index.
        step: usize,
        /// Start level.
        from: f64,
        /// End level.
        to: f64,
    },
    /// A step does not start where the previous step ended.
    #[error("step {step}: starts at lambda {from} but step {} ended at {prev_to}; make consecutive steps share their boundary", step - 1)]
    Discontinuous {
        /// Step index.
        step: usize,
        /// This step's start.
        from: f64,
        /// The previous step's end.
        prev_to: f64,
    },
    /// A noise level lies outside the range a model was trained on.
    #[error(
        "step {step}: model '{model}' is called at lambda {lambda}, noisier than its training range (lambda >= {min}); start the schedule at lambda >= {min}"
    )]
    OutOfRange {
        /// Step index.
        step: usize,
        /// Model name.
        model: String,
        /// Requested level.
        lambda: f64,
        /// The smallest lambda the model supports.
        min: f64,
    },
    /// A step's order is not supported by the solver.
    #[error(
        "step {step}: order {order} is not supported by {solver} (supported: {supported}); change the step's order"
    )]
    OrderUnsupported {
        /// Step index.
        step: usize,
        /// Requested order.
        order: u8,
        /// Solver name.
        solver: String,
        /// Supported orders.
        supported: String,
    },
    /// The number of models of a step does not match its order.
    #[error(
        "step {step}: order {order} under {solver} needs {expected} model(s), one per NFE, but the step lists {found}; list {expected} model(s) or change the order"
    )]
    OrderMismatch {
        /// Step index.
        step: usize,
        /// Declared order.
        order: u8,
        /// Solver name.
        solver: String,
        /// Models expected.
        expected: usize,
        /// Models listed.
        found: usize,
    },
    /// A multistep step asks for more history than earlier steps provide.
    #[error("step {step}: multistep order {order} needs {} earlier step(s), but only {available} precede it; lower the order to {}", order - 1, available + 1)]
    MultistepHistory {
        /// Step index.
        step: usize,
        /// Declared order.
        order: u8,
        /// Earlier steps.
        available: usize,
    },
    /// Only first-order steps can end exactly at the clean end.
    #[error(
        "step {step}: an order-{order} step cannot end at the clean end (lambda = inf); end at a finite level (for example t = 1e-3) or use order 1"
    )]
    CleanEndHighOrder {
        /// Step index.
        step: usize,
        /// Declared order.
        order: u8,
    },
    /// The clean end appears before the last step.
    #[error(
        "step {step}: ends at the clean end, but steps follow it; only the last step may end at the clean end"
    )]
    CleanEndNotLast {
        /// Step index.
        step: usize,
    },
    /// A solver parameter is invalid.
    #[error("invalid solver parameter: {0}")]
    Solver(String),
}

/// A reference encoding (DDIM grid or DPM-Solver slots) is malformed or cannot express a schedule.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EncodingError {
    /// The array has the wrong length.
    #[error("encoding has length {len}: {expected}")]
    BadLength {
        /// Actual length.
        len: usize,
        /// What was expected.
        expected: String,
    },
    /// An entry names a model id the zoo does not have.
    #[error("entry {index} = {id} is not a model id: ids are 1..={n_models} (0 = no evaluation)")]
    ModelId {
        /// Position in the array.
        index: usize,
        /// The entry.
        id: u32,
        /// Number of models.
        n_models: usize,
    },
    /// A slot breaks the rule that its non-zero entries come first.
    #[error(
        "slot {slot} = {entries:?} breaks the slot invariant: non-zero entries must come first ([a,0,0], [a,b,0], [a,b,c] or [0,0,0])"
    )]
    SlotInvariant {
        /// Slot index (0 = clean end).
        slot: usize,
        /// Its three entries.
        entries: [u32; 3],
    },
    /// No entry is active.
    #[error("the encoding has no active entry; at least one model evaluation is needed")]
    Empty,
    /// The schedule cannot be written in this encoding.
    #[error("step {step} cannot be written in this encoding: {reason}")]
    NotRepresentable {
        /// Step index.
        step: usize,
        /// Why.
        reason: String,
    },
    /// The noise schedule does not fit the encoding.
    #[error("{0}")]
    NoiseSchedule(String),
}
