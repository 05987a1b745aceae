//! Latency profiling of zoo members on the chosen device: forward passes timed with warm-up and a
//! device sync until the median is known to 2% (or a time cap), the sampler's own cost, the cost
//! of switching models, the latency table the search's cost model reads, and an end-to-end check
//! of its predictions on random model schedules.

pub mod check;
pub mod profile;
pub mod table;
pub mod timing;

pub use check::{CheckRow, check_schedules, median_abs_rel_error, random_schedules};
pub use profile::{LatencyError, LatencyProfile, Measured, ProfileInfo, ZeroCost, forward_timing};
pub use table::profile_zoo;
pub use timing::{Budget, Timing, measure, median};

use burn::tensor::Device;
use oms_sampler::Denoiser;

/// Times `model`'s forward on a batch of `batch` samples of `shape` `[C, H, W]` at a mid noise
/// level: `warmup` untimed runs, then exactly `runs` timed ones, each ended by a device sync.
pub fn time_forward(
    model: &dyn Denoiser,
    batch: usize,
    shape: [usize; 3],
    device: &Device,
    warmup: usize,
    runs: usize,
) -> Timing {
    let budget = Budget {
        warmup,
        min_runs: runs,
        max_runs: runs,
        max_seconds: f64::INFINITY,
        rel_precision: 0.0,
    };
    forward_timing(model, batch, shape, device, &budget)
}
