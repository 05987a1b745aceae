//! The schedule-quality predictor (method.md section 4): schedules as step tokens, the reference
//! LSTM and an alternative per-step MLP encoder behind one enum, the pairwise hinge ranking loss
//! and MSE, seeded training with early stopping on validation Kendall tau, rank metrics, and the
//! predictor file the search loads.

pub mod batch;
pub mod encode;
pub mod fast;
pub mod file;
pub mod loss;
pub mod net;
pub mod rank;
pub mod train;

pub use batch::TokenBatch;
pub use encode::{EncodingSpec, StepToken, Tokens, solver_id, tokens};
pub use fast::FastLstm;
pub use file::{Predictor, PredictorInfo};
pub use loss::{Loss, rank_pairs};
pub use net::{EncoderKind, NetConfig, PredictorNet};
pub use rank::{kendall_tau_b, ranks, spearman_rho, top_precision};
pub use train::{EpochStats, Example, TrainConfig, predict, train};

use std::path::PathBuf;

/// Errors of the predictor: each names the file or the schedule and what to do.
#[derive(Debug, thiserror::Error)]
pub enum PredictorError {
    /// A schedule names a model the predictor was not trained on.
    #[error("step {step}: model '{model}' is not in the predictor's zoo")]
    UnknownModel {
        /// Step index (0 = noisiest).
        step: usize,
        /// The model's name.
        model: String,
    },
    /// A predictor file is missing, unreadable, malformed or of another version.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The weights file (named in the error).
    #[error(transparent)]
    Weights(#[from] oms_zoo::ZooError),
    /// The predictor's noise schedule is invalid.
    #[error(transparent)]
    Noise(#[from] oms_schedule::NoiseError),
}
