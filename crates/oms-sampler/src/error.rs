//! Errors of a sampling run.

use oms_schedule::ScheduleError;
use thiserror::Error;

/// Why a sampling run stopped.
#[derive(Debug, Error)]
pub enum SampleError {
    /// The schedule does not fit the zoo or the solver.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A model produced NaN or infinite values.
    #[error(
        "step {step}: model '{model}' produced NaN or Inf at lambda {lambda}; check the model's checkpoint and convention, or avoid this model at this noise level"
    )]
    NonFiniteOutput {
        /// Step index.
        step: usize,
        /// Model name.
        model: String,
        /// Noise level of the evaluation.
        lambda: f64,
    },
    /// The update itself produced NaN or infinite values.
    #[error(
        "step {step}: the sample became NaN or Inf after the update with model(s) {models}; the step is too large for its order, try more steps or a lower order"
    )]
    NonFiniteSample {
        /// Step index.
        step: usize,
        /// The step's models.
        models: String,
    },
    /// Samples could not be read back from the device.
    #[error("cannot read samples back from the device: {0}")]
    Readback(String),
    /// A zoo could not be assembled.
    #[error("zoo: {0}")]
    Zoo(String),
}
