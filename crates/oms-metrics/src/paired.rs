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
        let blocks = config.blocks.clamp(2, n.max(2));
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

/// Per-block sufficient statistics of one set of features.
struct BlockStats {
    dim: usize,
    bounds: Vec<usize>,
    sizes: Vec<f64>,
    sq_norms: Vec<f64>,
    /// `X S_r X^T` and `X S_r` when the FD works in image space.
    image_space: Option<(Mat<f64>, Mat<f64>)>,
    sums: Vec<Vec<f64>>,
    scatters: Vec<Vec<f64>>,
    kernel_blocks: Vec<f64>,
    kernel_diag: Vec<f64>,
    kernel_ref: Vec<f64>,
}

impl BlockStats {
    fn new(
        features: &[f32],
        dim: usize,
        blocks: usize,
        kid_rows: &Mat<f64>,
        image_space: Option<&Mat<f64>>,
    ) -> Self {
        let n = features.len() / dim;
        let bounds: Vec<usize> = (0..=blocks).map(|k| k * n / blocks).collect();
        let all = Mat::from_fn(n, dim, |r, c| features[r * dim + c] as f64);
        let block_of = |r: usize| bounds.partition_point(|&b| b <= r) - 1;
        let image_space = image_space.map(|cov| {
            let x_cov = &all * cov;
            (&x_cov * all.transpose(), x_cov)
        });
        let mut s = BlockStats {
            dim,
            bounds: bounds.clone(),
            sq_norms: vec![],
            image_space,
            sizes: vec![],
            sums: vec![],
            scatters: vec![],
            kernel_blocks: vec![0.0; blocks * blocks],
            kernel_diag: vec![],
            kernel_ref: vec![],
        };
        for k in 0..blocks {
            let (lo, hi) = (bounds[k], bounds[k + 1]);
            let x = all.subrows(lo, hi - lo);
            s.sizes.push((hi - lo) as f64);
            s.sums.push(
                (0..dim)
                    .map(|c| (0..hi - lo).map(|r| x[(r, c)]).sum())
                    .collect(),
            );
            let sq: f64 = (0..hi - lo)
                .flat_map(|r| (0..dim).map(move |c| (r, c)))
                .map(|(r, c)| x[(r, c)] * x[(r, c)])
                .sum();
            s.sq_norms.push(sq);
            if s.image_space.is_none() {
                let scatter = x.transpose() * x;
                s.scatters.push(
                    (0..dim * dim)
                        .map(|i| scatter[(i / dim, i % dim)])
                        .collect(),
                );
            }
            let gram = x * all.transpose();
            let mut diag = 0.0;
            for r in 0..hi - lo {
                for col in 0..n {
                    let v = kernel(gram[(r, col)], dim);
                    s.kernel_blocks[k * blocks + block_of(col)] += v;
                    if col == lo + r {
                        diag += v;
                    }
                }
            }
            s.kernel_diag.push(diag);
            let cross = x * kid_rows.transpose();
            let m = kid_rows.nrows() as f64;
            let total: f64 = (0..cross.ncols())
                .flat_map(|c| (0..cross.nrows()).map(move |r| (r, c)))
                .map(|(r, c)| kernel(cross[(r, c)], dim))
                .sum();
            s.kernel_ref.push(total / m);
        }
        s
    }

    /// The block of image `row`.
    fn block_of(&self, row: usize) -> usize {
        self.bounds.partition_point(|&b| b <= row) - 1
    }

    /// Count and mean of the images the block `counts` select.
    fn mean(&self, counts: &[f64]) -> (f64, Vec<f64>) {
        let n: f64 = counts.iter().zip(&self.sizes).map(|(c, s)| c * s).sum();
        let mut mean = vec![0.0; self.dim];
        for (k, &c) in counts.iter().enumerate() {
            mean.iter_mut()
                .zip(&self.sums[k])
                .for_each(|(m, s)| *m += c * s / n);
        }
        (n, mean)
    }

    /// Count, mean and unbiased covariance of the images the block `counts` select.
    fn moments(&self, counts: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let d = self.dim;
        let n: f64 = counts.iter().zip(&self.sizes).map(|(c, s)| c * s).sum();
        let mut mean = vec![0.0; d];
        let mut scatter = vec![0.0; d * d];
        for (k, &c) in counts.iter().enumerate().filter(|(_, c)| **c > 0.0) {
            mean.iter_mut()
                .zip(&self.sums[k])
                .for_each(|(m, s)| *m += c * s);
            scatter
                .iter_mut()
                .zip(&self.scatters[k])
                .for_each(|(m, s)| *m += c * s);
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let cov = (0..d * d)
            .map(|i| (scatter[i] - n * mean[i / d] * mean[i % d]) / (n - 1.0))
            .collect();
        (n, mean, cov)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frechet::{GaussianStats, frechet_distance};
    use crate::reference::Protocol;

    fn features(n: usize, dim: usize, seed: u64, shift: f32) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n * dim)
            .map(|i| rng.random_range(-1.0f32..1.0) * (1.0 + (i % dim) as f32 * 0.1) + shift)
            .collect()
    }

    fn reference(dim: usize) -> Reference {
        let features = features(600, dim, 99, 0.0);
        let protocol = Protocol {
            dataset: "test".into(),
            split: "train".into(),
            feature_net: "none".into(),
            weights_sha256: String::new(),
            count: 600,
            preprocessing: String::new(),
        };
        let stats = GaussianStats::from_features(&features, dim).unwrap();
        Reference {
            protocol,
            stats,
            features,
        }
    }

    fn config() -> PairedConfig {
        PairedConfig {
            blocks: 10,
            resamples: 100,
            kid_reference: 200,
            seed: 3,
        }
    }

    /// Unbiased MMD^2 written out pair by pair.
    fn naive_kid(x: &[f32], y: &[f32], dim: usize) -> f64 {
        let rows = |f: &[f32]| f.chunks(dim).map(|r| r.to_vec()).collect::<Vec<_>>();
        let (x, y) = (rows(x), rows(y));
        let k = |a: &[f32], b: &[f32]| {
            kernel(
                a.iter().zip(b).map(|(p, q)| *p as f64 * *q as f64).sum(),
                dim,
            )
        };
        let within = |s: &[Vec<f32>]| {
            let m = s.len() as f64;
            let mut t = 0.0;
            for i in 0..s.len() {
                for j in 0..s.len() {
                    if i != j {
                        t += k(&s[i], &s[j]);
                    }
                }
            }
            t / (m * (m - 1.0))
        };
        let cross: f64 = x.iter().flat_map(|a| y.iter().map(move |b| k(a, b))).sum();
        within(&x) + within(&y) - 2.0 * cross / (x.len() * y.len()) as f64
    }

    #[test]
    fn all_images_give_the_plain_fd_and_kid() {
        let dim = 6;
        let r = reference(dim);
        let cfg = PairedConfig {
            kid_reference: 600,
            ..config()
        };
        let paired = PairedReference::new(&r, 300, &cfg).unwrap();
        let f = features(300, dim, 5, 0.2);
        let set = paired.score(&f).unwrap();
        let plain = frechet_distance(&GaussianStats::from_features(&f, dim).unwrap(), &r.stats);
        assert!(
            (set.fd - plain.unwrap()).abs() < 1e-9 * (1.0 + set.fd),
            "{}",
            set.fd
        );
        let kid = naive_kid(&f, &r.features, dim);
        assert!(
            (set.kid - kid).abs() < 1e-9 * (1.0 + kid.abs()),
            "{} vs {kid}",
            set.kid
        );
        assert_eq!(
            (set.n, set.boot_fd.len(), set.boot_kid.len()),
            (300, 100, 100)
        );
    }

    #[test]
    fn intervals_separate_a_shift_and_not_a_copy() {
        let dim = 4;
        let r = reference(dim);
        let paired = PairedReference::new(&r, 400, &config()).unwrap();
        let a = features(400, dim, 7, 0.0);
        let far: Vec<f32> = a.iter().map(|v| v + 0.3).collect();
        let (sa, sfar) = (paired.score(&a).unwrap(), paired.score(&far).unwrap());
        let (fd, kid) = paired_difference(&sa, &sfar);
        assert_eq!(
            (fd.verdict(), kid.verdict()),
            (Verdict::Better, Verdict::Better)
        );
        assert!(fd.lo <= fd.diff && fd.diff <= fd.hi, "{fd:?}");
        let (fd, kid) = paired_difference(&sfar, &sa);
        assert_eq!(
            (fd.verdict(), kid.verdict()),
            (Verdict::Worse, Verdict::Worse)
        );
        // The same images: every resample agrees, a zero-width tie.
        let (fd, kid) = paired_difference(&sa, &sa);
        assert_eq!((fd.lo, fd.hi, kid.lo, kid.hi), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(fd.verdict(), Verdict::Tie);
    }

    #[test]
    fn intervals_cover_a_true_difference_of_zero() {
        // Two independent sets from one distribution: the FD and KID differences are zero in
        // expectation, so a 95% interval should contain zero in about 95% of trials.
        let dim = 4;
        let r = reference(dim);
        let paired = PairedReference::new(&r, 400, &config()).unwrap();
        let trials = 40;
        let mut covered = [0usize; 2];
        for t in 0..trials {
            let a = paired
                .score(&features(400, dim, 1000 + 2 * t, 0.05))
                .unwrap();
            let b = paired
                .score(&features(400, dim, 1001 + 2 * t, 0.05))
                .unwrap();
            let (fd, kid) = paired_difference(&a, &b);
            covered[0] += usize::from(fd.lo <= 0.0 && 0.0 <= fd.hi);
            covered[1] += usize::from(kid.lo <= 0.0 && 0.0 <= kid.hi);
        }
        assert!(covered.iter().all(|&c| c >= 34), "{covered:?} of {trials}");
    }

    #[test]
    fn image_space_fd_equals_feature_space_fd() {
        let dim = 12;
        let r = reference(dim);
        let paired = PairedReference::new(&r, 40, &config()).unwrap();
        let f = features(40, dim, 11, 0.1);
        let wide = BlockStats::new(&f, dim, 10, &paired.kid_rows, None);
        let narrow = BlockStats::new(&f, dim, 10, &paired.kid_rows, Some(&paired.cov));
        for counts in paired.draws.iter().take(20) {
            let (a, b) = (
                paired.fd(&wide, counts).unwrap(),
                paired.fd(&narrow, counts).unwrap(),
            );
            // The image-space matrix is rank-deficient here (more images than dimensions):
            // its zero eigenvalues come out near 1e-15, whose square roots add ~1e-7.
            assert!((a - b).abs() < 1e-5 * (1.0 + a.abs()), "{a} vs {b}");
        }
    }

    #[test]
    fn too_few_images_or_resamples_are_errors() {
        let r = reference(3);
        assert!(PairedReference::new(&r, 10, &config()).is_err());
        let none = PairedConfig {
            resamples: 0,
            ..config()
        };
        assert!(PairedReference::new(&r, 400, &none).is_err());
    }
}
