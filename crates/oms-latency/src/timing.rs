//! Repeated timing of one operation: warm-up runs (autotune on GPUs), then timed runs until the
//! median is known to the requested precision or a time cap is reached; robust spread and
//! outliers.

use std::time::Instant;

/// Timings of one operation, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Every timed run, in order.
    pub runs_ms: Vec<f64>,
}

/// How long to keep measuring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Untimed runs first (kernel autotune, allocator warm-up, caches).
    pub warmup: usize,
    /// Timed runs at least.
    pub min_runs: usize,
    /// Timed runs at most.
    pub max_runs: usize,
    /// Stop once this many seconds were spent timing (after `min_runs`).
    pub max_seconds: f64,
    /// Stop once the 95% confidence half-width of the median is below this fraction of it.
    pub rel_precision: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            warmup: 2,
            min_runs: 5,
            max_runs: 200,
            max_seconds: 30.0,
            rel_precision: 0.02,
        }
    }
}

impl Timing {
    /// Median of the runs.
    pub fn median_ms(&self) -> f64 {
        median(&self.runs_ms)
    }

    /// Smallest and largest run.
    pub fn range_ms(&self) -> (f64, f64) {
        let lo = self.runs_ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.runs_ms.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    }

    /// Robust standard deviation: 1.4826 times the median absolute deviation.
    pub fn robust_std_ms(&self) -> f64 {
        let m = self.median_ms();
        let dev: Vec<f64> = self.runs_ms.iter().map(|r| (r - m).abs()).collect();
        1.4826 * median(&dev)
    }

    /// 95% confidence half-width of the median relative to it (the median's standard error of a
    /// normal sample, `1.2533 sigma / sqrt(n)`, with the robust sigma); infinite below 3 runs.
    pub fn rel_half_width(&self) -> f64 {
        let n = self.runs_ms.len();
        if n < 3 {
            return f64::INFINITY;
        }
        1.96 * 1.2533 * self.robust_std_ms() / (n as f64).sqrt() / self.median_ms()
    }

    /// Runs more than five robust standard deviations (and 5%) away from the median.
    pub fn outliers_ms(&self) -> Vec<f64> {
        let (m, s) = (self.median_ms(), self.robust_std_ms());
        let limit = (5.0 * s).max(0.05 * m);
        self.runs_ms
            .iter()
            .copied()
            .filter(|r| (r - m).abs() > limit)
            .collect()
    }
}

/// Median of `values` (NaN for none).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Times `once` (which must return only after the device finished its work) under `budget`.
pub fn measure(budget: &Budget, mut once: impl FnMut()) -> Timing {
    for _ in 0..budget.warmup {
        once();
    }
    let mut timing = Timing { runs_ms: vec![] };
    let start = Instant::now();
    while timing.runs_ms.len() < budget.max_runs {
        let t = Instant::now();
        once();
        timing.runs_ms.push(t.elapsed().as_secs_f64() * 1e3);
        if timing.runs_ms.len() < budget.min_runs {
            continue;
        }
        if timing.rel_half_width() <= budget.rel_precision
            || start.elapsed().as_secs_f64() >= budget.max_seconds
        {
            break;
        }
    }
    timing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_known_runs() {
        let t = Timing {
            runs_ms: vec![10.0, 11.0, 9.0, 10.0, 50.0],
        };
        assert_eq!(t.median_ms(), 10.0);
        assert_eq!(t.range_ms(), (9.0, 50.0));
        assert!((t.robust_std_ms() - 1.4826).abs() < 1e-12);
        assert_eq!(t.outliers_ms(), vec![50.0]);
        let rel = 1.96 * 1.2533 * 1.4826 / 5f64.sqrt() / 10.0;
        assert!((t.rel_half_width() - rel).abs() < 1e-12);
    }

    #[test]
    fn measuring_stops_at_the_precision_or_the_cap() {
        let budget = Budget {
            warmup: 1,
            min_runs: 5,
            max_runs: 50,
            max_seconds: 10.0,
            rel_precision: 0.5,
        };
        let mut calls = 0;
        let t = measure(&budget, || {
            calls += 1;
            std::thread::sleep(std::time::Duration::from_millis(2));
        });
        // Sleeps are steady to far better than 50%, so the minimum number of runs suffices.
        assert_eq!(t.runs_ms.len(), 5);
        assert_eq!(calls, 6);
        assert!(t.median_ms() >= 2.0);
        let capped = Budget {
            max_runs: 7,
            rel_precision: -1.0,
            ..budget
        };
        assert_eq!(measure(&capped, || {}).runs_ms.len(), 7);
    }
}
