//! Training of zoo members on real data: the denoising loss in each member's own convention
//! (noise schedule, prediction type, time input), Adam with linear warm-up, per-tensor gradient
//! clipping, EMA weights, periodic checkpoints and resumption after an interruption.

pub mod checkpoint;
mod classifier;
mod ema;
mod loss;
mod step;
mod trainer;
mod warm;

pub use classifier::{ClassifierRecipe, accuracy, train_classifier};
pub use ema::Ema;
pub use loss::{DiffusionBatch, NoiseLevels, diffusion_batch};
pub use oms_zoo::Recipe;
pub use step::{Throughput, measure_throughput};
pub use trainer::{Progress, TrainError, TrainOutcome, train_unet};
pub use warm::{WarmStart, warm_start_run};
