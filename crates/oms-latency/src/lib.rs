//! Latency measurement of zoo members: warm-up runs (autotune on GPUs), a device sync before the
//! clock is read, repeated timed runs, median and spread.

use std::time::Instant;

use burn::tensor::{Device, Tensor};
use oms_sampler::Denoiser;

/// Timings of one forward configuration, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Every timed run.
    pub runs_ms: Vec<f64>,
}

impl Timing {
    /// Median of the runs.
    pub fn median_ms(&self) -> f64 {
        let mut v = self.runs_ms.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        }
    }

    /// Smallest and largest run.
    pub fn range_ms(&self) -> (f64, f64) {
        let lo = self.runs_ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.runs_ms.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    }
}

/// Times `model`'s forward on a batch of `batch` samples of `shape` `[C, H, W]` at a mid noise
/// level: `warmup` untimed runs, then `runs` timed ones, each ended by a device sync.
pub fn time_forward(
    model: &dyn Denoiser,
    batch: usize,
    shape: [usize; 3],
    device: &Device,
    warmup: usize,
    runs: usize,
) -> Timing {
    let x = Tensor::<4>::zeros([batch, shape[0], shape[1], shape[2]], device);
    let t_input = model.convention().call_at(0.0).time_input;
    let once = || {
        let y = model.forward(x.clone(), t_input, None);
        // Reading one value forces the whole computation and synchronises the device.
        let _ = y.slice([0..1, 0..1, 0..1, 0..1]).into_scalar::<f32>();
        let _ = device.sync();
    };
    for _ in 0..warmup {
        once();
    }
    let runs_ms = (0..runs)
        .map(|_| {
            let start = Instant::now();
            once();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    Timing { runs_ms }
}
