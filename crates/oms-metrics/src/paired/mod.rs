//! Paired comparisons of sample sets that share their noise: image `i` of every schedule starts
//! from the same noise, so the difference of two schedules' FD (or KID) is estimated far more
//! tightly than either value. The 95% interval is a bootstrap one (Efron & Tibshirani
//! 1993; the "basic" interval of Davison & Hinkley 1997, eq. 5.6, which corrects for the shift
//! that resampling with repeats gives FD) that resamples image indices in blocks, the same draws
//! for every schedule:
//! images are independent, so blocks of them are too, and a block's sufficient statistics (sum,
//! scatter matrix, kernel sums) make each resample cost one Fréchet distance, not a pass over
//! the images.
//!
//! FD is the usual one against the reference's Gaussian; KID is the unbiased MMD^2 with the
//! polynomial kernel of [`kid`](crate::kid) between all generated images and a seeded subset of
//! the reference images.

use faer::{Mat, Side};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::MetricError;
use crate::reference::Reference;

/// How the intervals are made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairedConfig {
    /// Blocks the images are cut into (the resampling unit).
    pub blocks: usize,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Reference images KID compares against (a seeded subset).
    pub kid_reference: usize,
    /// Seed of the resamples and of the KID subset.
    pub seed: u64,
}

impl Default for PairedConfig {
    fn default() -> Self {
        PairedConfig {
            blocks: 40,
            resamples: 200,
            kid_reference: 5000,
            seed: 0,
        }
    }
}

/// What every schedule of one feature space is compared against: the reference's statistics in
/// the form each resample needs, the KID subset and the shared resample draws.
pub struct PairedReference {
    dim: usize,
    mean: Vec<f64>,
    sqrt_cov: Mat<f64>,
    /// `sqrt_cov^2`: the reference covariance as the square root sees it.
    cov: Mat<f64>,
    trace: f64,
    kid_rows: Mat<f64>,
    kid_within: f64,
    draws: Vec<Vec<f64>>,
    blocks: usize,
}

/// One schedule's values and its bootstrap replicates (same draws as every other schedule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedSet {
    /// Images.
    pub n: usize,
    /// FD of all images.
    pub fd: f64,
    /// KID (unbiased MMD^2) of all images against the reference subset.
    pub kid: f64,
    /// FD of each resample.
    pub boot_fd: Vec<f64>,
    /// KID of each resample.
    pub boot_kid: Vec<f64>,
}

/// A difference `a - b` (lower is better) with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// `a - b` on all images.
    pub diff: f64,
    /// 2.5% quantile of the resampled differences.
    pub lo: f64,
    /// 97.5% quantile.
    pub hi: f64,
}

/// What an interval says about `a` against `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The whole interval is below zero: `a` is better.
    Better,
    /// The interval contains zero.
    Tie,
    /// The whole interval is above zero: `a` is worse.
    Worse,
}

impl Interval {
    /// The verdict of this interval.
    pub fn verdict(&self) -> Verdict {
        if self.hi < 0.0 {
            Verdict::Better
        } else if self.lo > 0.0 {
            Verdict::Worse
        } else {
            Verdict::Tie
        }
    }
}

fn numerical(e: impl std::fmt::Debug) -> MetricError {
    MetricError::Numerical(format!("{e:?}"))
}

/// The polynomial kernel of KID on a dot product.
fn kernel(dot: f64, dim: usize) -> f64 {
    (dot / dim as f64 + 1.0).powi(3)
}

impl PairedReference {
    /// Prepares `reference` for sets of `n` images.
    pub fn new(
        reference: &Reference,
        n: usize,
        config: &PairedConfig,
    ) -> Result<Self, MetricError> {
        let dim = reference.stats.dim;
        // At least two images per block: small checks (n < 2 x blocks) use fewer, wider blocks.
        let blocks = config.blocks.clamp(2, (n / 2).max(2));
        if config.resamples == 0 {
            return Err(MetricError::Shape(
                "a paired interval needs resamples > 0".into(),
            ));
        }
        if n < 2 * blocks {
            return Err(MetricError::Shape(format!(
                "{n} images are too few for {blocks} bootstrap blocks"
            )));
        }
        let cov = Mat::from_fn(dim, dim, |i, j| reference.stats.cov[i * dim + j]);
        let sqrt_cov = crate::frechet::sqrt_psd(&cov)?;
        let cov = &sqrt_cov * &sqrt_cov;
        let trace = (0..dim).map(|i| reference.stats.cov[i * dim + i]).sum();
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let rows = reference.features.len() / dim.max(1);
        let pick = sample(&mut rng, rows, config.kid_reference.min(rows)).into_vec();
        let kid_rows = Mat::from_fn(pick.len(), dim, |r, c| {
            reference.features[pick[r] * dim + c] as f64
        });
        let gram = &kid_rows * kid_rows.transpose();
        let m = pick.len();
        let mut within = 0.0;
        for j in 0..m {
            for i in 0..m {
                if i != j {
                    within += kernel(gram[(i, j)], dim);
                }
            }
        }
        let draws = (0..config.resamples)
            .map(|_| {
                let mut counts = vec![0.0; blocks];
                for _ in 0..blocks {
                    counts[rng.random_range(0..blocks)] += 1.0;
                }
                counts
            })
            .collect();
        Ok(PairedReference {
            dim,
            mean: reference.stats.mean.clone(),
            sqrt_cov,
            cov,
            trace,
            kid_rows,
            kid_within: within / (m as f64 * (m as f64 - 1.0)),
            draws,
            blocks,
        })
    }

    /// Scores one schedule's `features` (`n * dim`, image order = noise order).
    pub fn score(&self, features: &[f32]) -> Result<PairedSet, MetricError> {
        let d = self.dim;
        if d == 0 || !features.len().is_multiple_of(d) {
            return Err(MetricError::Shape(format!(
                "features are not rows of {d} values"
            )));
        }
        let n = features.len() / d;
        // Fewer images than dimensions: the FD's matrix square root is taken in image space.
        let image_space = (n < d).then_some(&self.cov);
        let stats = BlockStats::new(features, d, self.blocks, &self.kid_rows, image_space);
        let ones = vec![1.0; self.blocks];
        let (fd, kid) = (self.fd(&stats, &ones)?, self.kid(&stats, &ones));
        let mut boot_fd = Vec::with_capacity(self.draws.len());
        let mut boot_kid = Vec::with_capacity(self.draws.len());
        for counts in &self.draws {
            boot_fd.push(self.fd(&stats, counts)?);
            boot_kid.push(self.kid(&stats, counts));
        }
        Ok(PairedSet {
            n,
            fd,
            kid,
            boot_fd,
            boot_kid,
        })
    }

    /// FD of the images the block `counts` select (Heusel et al. 2017, eq. 6, with the
    /// reference's square root precomputed: tr sqrt(S_r^1/2 S S_r^1/2)).
    fn fd(&self, stats: &BlockStats, counts: &[f64]) -> Result<f64, MetricError> {
        if stats.image_space.is_some() {
            return self.fd_image_space(stats, counts);
        }
        let d = self.dim;
        let (n, mean, cov) = stats.moments(counts);
        let mean_term: f64 = mean
            .iter()
            .zip(&self.mean)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let cov = Mat::from_fn(d, d, |i, j| cov[i * d + j]);
        let trace: f64 = (0..d).map(|i| cov[(i, i)]).sum();
        let m = &self.sqrt_cov * &cov * &self.sqrt_cov;
        let sym = Mat::from_fn(d, d, |i, j| 0.5 * (m[(i, j)] + m[(j, i)]));
        let eig = sym
            .self_adjoint_eigenvalues(Side::Lower)
            .map_err(numerical)?;
        let tr_sqrt: f64 = eig.iter().map(|v| v.max(0.0).sqrt()).sum();
        debug_assert!(n > 1.0);
        Ok(mean_term + trace + self.trace - 2.0 * tr_sqrt)
    }

    /// The same FD with the square root in image space: the non-zero eigenvalues of
    /// `S_r^1/2 S S_r^1/2 = Y^T Y` are those of `Y Y^T`, whose entries are
    /// `sqrt(w_a w_b) (x_a - m)^T S_r (x_b - m) / (n - 1)` over the selected images `a, b` with
    /// their draw counts `w` (a matrix of at most n x n instead of d x d).
    fn fd_image_space(&self, stats: &BlockStats, counts: &[f64]) -> Result<f64, MetricError> {
        let d = self.dim;
        let (gram, x_cov) = stats.image_space.as_ref().expect("image-space statistics");
        let (n, mean) = stats.mean(counts);
        let mean_term: f64 = mean
            .iter()
            .zip(&self.mean)
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        let sq: f64 = counts.iter().zip(&stats.sq_norms).map(|(c, q)| c * q).sum();
        let trace = (sq - n * mean.iter().map(|m| m * m).sum::<f64>()) / (n - 1.0);
        let m_col = Mat::from_fn(d, 1, |i, _| mean[i]);
        let v = x_cov * &m_col;
        let s = (m_col.transpose() * &self.cov * &m_col)[(0, 0)];
        let picked: Vec<(usize, f64)> = (0..gram.nrows())
            .map(|i| (i, counts[stats.block_of(i)]))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        let k = picked.len();
        let y = Mat::from_fn(k, k, |a, b| {
            let ((i, wi), (j, wj)) = (picked[a], picked[b]);
            (wi * wj).sqrt() * (gram[(i, j)] - v[(i, 0)] - v[(j, 0)] + s) / (n - 1.0)
        });
        let eig = y.self_adjoint_eigenvalues(Side::Lower).map_err(numerical)?;
        let tr_sqrt: f64 = eig.iter().map(|v| v.max(0.0).sqrt()).sum();
        Ok(mean_term + trace + self.trace - 2.0 * tr_sqrt)
    }

    /// Unbiased MMD^2 of the selected images against the KID subset (pairs of one draw with
    /// itself left out, so a block drawn twice contributes its cross pairs as distinct draws).
    fn kid(&self, stats: &BlockStats, counts: &[f64]) -> f64 {
        let k = self.blocks;
        let n: f64 = counts.iter().zip(&stats.sizes).map(|(c, s)| c * s).sum();
        let mut xx = 0.0;
        for a in 0..k {
            for b in 0..k {
                xx += counts[a] * counts[b] * stats.kernel_blocks[a * k + b];
            }
            xx -= counts[a] * stats.kernel_diag[a];
        }
        let cross: f64 = counts
            .iter()
            .zip(&stats.kernel_ref)
            .map(|(c, h)| c * h)
            .sum();
        xx / (n * (n - 1.0)) + self.kid_within - 2.0 * cross / n
    }
}

/// The paired difference `a - b` of FD and of KID, with 95% basic bootstrap intervals
/// `[2 t - q(0.975), 2 t - q(0.025)]` (`t` the difference on all images, `q` quantiles of the
/// resampled differences). A resample repeats images, which inflates FD (its bias grows as the
/// distinct images shrink) by different amounts for two schedules; percentile intervals then
/// sit beside the point estimate, the basic interval reflects the shift back around it.
pub fn paired_difference(a: &PairedSet, b: &PairedSet) -> (Interval, Interval) {
    let interval = |point: f64, xs: &[f64], ys: &[f64]| {
        let mut d: Vec<f64> = xs.iter().zip(ys).map(|(x, y)| x - y).collect();
        d.sort_by(f64::total_cmp);
        let q = |p: f64| d[((p * (d.len() - 1) as f64).round() as usize).min(d.len() - 1)];
        Interval {
            diff: point,
            lo: 2.0 * point - q(0.975),
            hi: 2.0 * point - q(0.025),
        }
    };
    (
        interval(a.fd - b.fd, &a.boot_fd, &b.boot_fd),
        interval(a.kid - b.kid, &a.boot_kid, &b.boot_kid),
    )
}

mod blocks;
#[cfg(test)]
mod tests;

use blocks::BlockStats;
