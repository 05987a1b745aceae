//! Per-block sufficient statistics of one schedule's features: what each bootstrap resample of
//! [`super::PairedReference`] sums instead of revisiting the images.

use faer::Mat;

use super::kernel;

/// Per-block sufficient statistics of one set of features.
pub(super) struct BlockStats {
    dim: usize,
    bounds: Vec<usize>,
    /// Images per block.
    pub sizes: Vec<f64>,
    /// Sum of squared feature norms per block.
    pub sq_norms: Vec<f64>,
    /// `X S_r X^T` and `X S_r` when the FD works in image space.
    pub image_space: Option<(Mat<f64>, Mat<f64>)>,
    sums: Vec<Vec<f64>>,
    scatters: Vec<Vec<f64>>,
    /// KID kernel sums between every pair of blocks (row-major, blocks x blocks).
    pub kernel_blocks: Vec<f64>,
    /// KID kernel of each image with itself, summed per block.
    pub kernel_diag: Vec<f64>,
    /// Mean KID kernel against the reference subset, summed per block.
    pub kernel_ref: Vec<f64>,
}

impl BlockStats {
    pub(super) fn new(
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
    pub(super) fn block_of(&self, row: usize) -> usize {
        self.bounds.partition_point(|&b| b <= row) - 1
    }

    /// Count and mean of the images the block `counts` select.
    pub(super) fn mean(&self, counts: &[f64]) -> (f64, Vec<f64>) {
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
    pub(super) fn moments(&self, counts: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
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
