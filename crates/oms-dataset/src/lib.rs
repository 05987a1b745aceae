//! Schedule-quality labels for the predictor (method.md section 5): random slot schedules (the
//! reference generator and an even-cost one), a deterministic plan split into shards, labelling
//! by FD / KID on a fixed noise bank, and a crash-safe append-only JSON-lines store with an exact
//! merge of shard files.

pub mod label;
pub mod run;
pub mod store;

use std::path::PathBuf;

/// Noise banks from here up are kept for fresh verification: labels never use them, so a
/// claim checked on them cannot have been selected on them (issue 15).
pub const FRESH_BANK_MIN: u64 = 1000;

pub use label::Labeller;
// The schedule space lives in the burn-free `oms-space`; re-exported for labelling code.
pub use oms_space::{
    Form, Generator, KNOTS, Mutation, Placement, Planned, Shard, SlotSpace, SpaceError,
    baseline_plan, joint_plan, ordered_slots, plan, restore_invariant,
};
pub use run::{LabelEvent, RunSpec, label_plan, run_key};
pub use store::{LabelFile, Record, SpaceLabel, merge_records, read_records, same_label, to_jsonl};

/// Errors of the dataset stage.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A noise bank kept for fresh verification ([`FRESH_BANK_MIN`] and up) was asked to label.
    #[error(
        "noise bank {0} is kept for fresh verification (banks from {FRESH_BANK_MIN} up): label with a lower bank"
    )]
    FreshBank(u64),
    /// A bad argument of the schedule space or the plan, or no schedule in a cost window.
    #[error(transparent)]
    Space(#[from] oms_space::SpaceError),
    /// Reading or writing a file failed.
    #[error("{}: {err}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        err: std::io::Error,
    },
    /// A label file holds something it should not.
    #[error("{} line {line}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line (0: the file as a whole).
        line: usize,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A schedule does not convert.
    #[error(transparent)]
    Encoding(#[from] oms_schedule::EncodingError),
    /// A schedule does not fit the zoo.
    #[error(transparent)]
    Schedule(#[from] oms_schedule::ScheduleError),
    /// Sampling failed (NaN, shapes).
    #[error(transparent)]
    Sample(#[from] oms_sampler::SampleError),
    /// Scoring failed.
    #[error(transparent)]
    Metric(#[from] oms_metrics::MetricError),
}
