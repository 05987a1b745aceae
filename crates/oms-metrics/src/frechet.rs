//! The Fréchet distance between two Gaussians (Dowson and Landau 1982; FID, Heusel et al. 2017):
//! `|m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^{1/2})`.
//!
//! `tr((S1 S2)^{1/2})` equals `tr((S1^{1/2} S2 S1^{1/2})^{1/2})`, the trace of the square root of a
//! symmetric positive semi-definite matrix: the sum of the square roots of its eigenvalues. Two
//! symmetric eigen-decompositions (faer) replace pytorch-fid's general `scipy.linalg.sqrtm`, and
//! singular covariances need no offset: tiny negative eigenvalues from rounding are clipped.

use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use crate::MetricError;

/// Mean and covariance of a feature set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianStats {
    /// Feature dimension `d`.
    pub dim: usize,
    /// Number of samples the statistics came from.
    pub count: usize,
    /// Mean, `d` values.
    pub mean: Vec<f64>,
    /// Covariance (unbiased, `n - 1`), `d x d` row-major.
    pub cov: Vec<f64>,
}

impl GaussianStats {
    /// Statistics of `features` (`n` rows of `dim` values, row-major), as `numpy.cov(rowvar=False)`.
    pub fn from_features(features: &[f32], dim: usize) -> Result<Self, MetricError> {
        if dim == 0 || !features.len().is_multiple_of(dim) || features.len() / dim < 2 {
            return Err(MetricError::Shape(format!(
                "{} values are not at least 2 rows of {dim} features",
                features.len()
            )));
        }
        let n = features.len() / dim;
        let mut mean = vec![0.0f64; dim];
        for row in features.chunks_exact(dim) {
            for (m, &v) in mean.iter_mut().zip(row) {
                *m += v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let centered = Mat::from_fn(n, dim, |i, j| features[i * dim + j] as f64 - mean[j]);
        let cov = centered.transpose() * &centered;
        let cov: Vec<f64> = (0..dim * dim)
            .map(|k| cov[(k / dim, k % dim)] / (n - 1) as f64)
            .collect();
        Ok(GaussianStats {
            dim,
            count: n,
            mean,
            cov,
        })
    }

    fn cov_mat(&self) -> Mat<f64> {
        Mat::from_fn(self.dim, self.dim, |i, j| self.cov[i * self.dim + j])
    }
}

/// `A^{1/2}` of a symmetric positive semi-definite `A` (negative eigenvalues clipped to 0).
pub(crate) fn sqrt_psd(a: &Mat<f64>) -> Result<Mat<f64>, MetricError> {
    let evd = a
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| MetricError::Numerical(format!("{e:?}")))?;
    let (u, s) = (evd.U(), evd.S());
    let n = a.nrows();
    let scaled = Mat::from_fn(n, n, |i, j| u[(i, j)] * s[j].max(0.0).sqrt());
    Ok(&scaled * u.transpose())
}

/// The Fréchet distance between `a` and `b`.
pub fn frechet_distance(a: &GaussianStats, b: &GaussianStats) -> Result<f64, MetricError> {
    if a.dim != b.dim {
        return Err(MetricError::Shape(format!(
            "feature dimensions differ: {} vs {}",
            a.dim, b.dim
        )));
    }
    let d = a.dim;
    let mean_term: f64 = a
        .mean
        .iter()
        .zip(&b.mean)
        .map(|(x, y)| (x - y).powi(2))
        .sum();
    let trace = |s: &GaussianStats| (0..d).map(|i| s.cov[i * d + i]).sum::<f64>();
    let s1h = sqrt_psd(&a.cov_mat())?;
    let m = &s1h * b.cov_mat() * &s1h;
    let sym = Mat::from_fn(d, d, |i, j| 0.5 * (m[(i, j)] + m[(j, i)]));
    let eig = sym
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| MetricError::Numerical(format!("{e:?}")))?;
    let tr_sqrt: f64 = eig.iter().map(|v| v.max(0.0).sqrt()).sum();
    Ok(mean_term + trace(a) + trace(b) - 2.0 * tr_sqrt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_have_zero_distance_and_shifts_add_their_square() {
        let f: Vec<f32> = (0..200)
            .map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0)
            .collect();
        let a = GaussianStats::from_features(&f, 4).unwrap();
        assert!(frechet_distance(&a, &a).unwrap().abs() < 1e-9);
        let mut b = a.clone();
        b.mean[0] += 2.0;
        assert!((frechet_distance(&a, &b).unwrap() - 4.0).abs() < 1e-9);
        assert!(GaussianStats::from_features(&f[..3], 4).is_err());
    }
}
