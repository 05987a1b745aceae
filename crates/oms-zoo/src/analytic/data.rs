//! Analytic data distributions whose exact denoiser is known in closed form: mixtures of
//! Gaussians with diagonal covariance (a single Gaussian is a mixture of one).
//!
//! For `x_t = alpha x0 + sigma eps` and component `k` with mean `m_k`, std `s_k`:
//! `p(x_t | k) = N(alpha m_k, alpha^2 s_k^2 + sigma^2)` and
//! `E[x0 | x_t, k] = m_k + c_k (x_t - alpha m_k)`, `c_k = alpha s_k^2 / (alpha^2 s_k^2 + sigma^2)`;
//! `E[x0 | x_t]` weighs the components by their posterior probabilities.

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorCreationOptions, TensorData};
use serde::{Deserialize, Serialize};

/// A mixture of diagonal Gaussians over `D = channels * height * width` dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mixture {
    /// Component weights (normalised on use).
    pub weights: Vec<f64>,
    /// Component means, `K x D`.
    pub means: Vec<Vec<f64>>,
    /// Component standard deviations, `K x D`.
    pub stds: Vec<Vec<f64>>,
}

impl Mixture {
    /// A single Gaussian.
    pub fn gaussian(mean: Vec<f64>, std: Vec<f64>) -> Self {
        Mixture {
            weights: vec![1.0],
            means: vec![mean],
            stds: vec![std],
        }
    }

    /// Dimension `D`.
    pub fn dim(&self) -> usize {
        self.means.first().map_or(0, Vec::len)
    }

    /// Checks shapes and positivity.
    pub fn check(&self) -> Result<(), String> {
        let (k, d) = (self.weights.len(), self.dim());
        if k == 0 || d == 0 {
            return Err("a mixture needs at least one component of positive dimension".into());
        }
        if self.means.len() != k || self.stds.len() != k {
            return Err(format!(
                "{k} weights but {} means and {} stds",
                self.means.len(),
                self.stds.len()
            ));
        }
        if self.means.iter().chain(&self.stds).any(|v| v.len() != d) {
            return Err(format!("every mean and std must have {d} entries"));
        }
        if self.weights.iter().any(|w| !(w.is_finite() && *w > 0.0))
            || self
                .stds
                .iter()
                .flatten()
                .any(|s| !(s.is_finite() && *s > 0.0))
        {
            return Err("weights and stds must be positive".into());
        }
        Ok(())
    }

    /// The exact posterior mean `E[x0 | x_t]` at `(alpha, sigma)`.
    ///
    /// # Shapes
    /// - `x`: `[batch, D]`
    ///
    /// # Returns
    /// `[batch, D]`, in the dtype of `x`.
    pub fn posterior_mean(&self, x: Tensor<2>, alpha: f64, sigma: f64) -> Tensor<2> {
        let (k, d) = (self.weights.len(), self.dim());
        let total: f64 = self.weights.iter().sum();
        let mut inv_v = Vec::with_capacity(k * d);
        let mut mean_over_v = Vec::with_capacity(k * d);
        let mut c = Vec::with_capacity(k * d);
        let mut offset = Vec::with_capacity(k * d);
        let mut logit_const = Vec::with_capacity(k);
        for ((w, m), s) in self.weights.iter().zip(&self.means).zip(&self.stds) {
            let mut lc = (w / total).ln();
            for (&m, &s) in m.iter().zip(s) {
                let v = alpha * alpha * s * s + sigma * sigma;
                let ck = alpha * s * s / v;
                inv_v.push(1.0 / v);
                mean_over_v.push(alpha * m / v);
                c.push(ck);
                offset.push(m - ck * alpha * m);
                lc -= 0.5 * (v.ln() + alpha * alpha * m * m / v);
            }
            logit_const.push(lc);
        }
        let device = x.device();
        let dtype = x.dtype();
        let mat = |v: Vec<f64>, rows: usize, cols: usize| {
            let opts = TensorCreationOptions::new(device.clone()).with_dtype(dtype);
            Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), opts)
        };
        // log p(x | k) up to a constant shared by all components.
        let quad = x
            .clone()
            .powi_scalar(2)
            .matmul(mat(inv_v, k, d).transpose())
            .mul_scalar(-0.5);
        let cross = x.clone().matmul(mat(mean_over_v, k, d).transpose());
        let logits = quad + cross + mat(logit_const, 1, k);
        let w = softmax(logits, 1);
        let scale = w.clone().matmul(mat(c, k, d));
        scale * x + w.matmul(mat(offset, k, d))
    }

    /// Draws `n` samples (rows) with a seeded generator; for tests and reference statistics.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f64>> {
        use rand::{Rng, SeedableRng};
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let total: f64 = self.weights.iter().sum();
        (0..n)
            .map(|_| {
                let mut u = rng.random::<f64>() * total;
                let k = self.weights.iter().position(|w| {
                    u -= w;
                    u < 0.0
                });
                let k = k.unwrap_or(self.weights.len() - 1);
                let z = |rng: &mut rand_chacha::ChaCha8Rng| -> f64 { StandardNormal.sample(rng) };
                (0..self.dim())
                    .map(|j| self.means[k][j] + self.stds[k][j] * z(&mut rng))
                    .collect()
            })
            .collect()
    }
}

/// `[rows, D]` f64 tensor from rows.
pub fn rows_to_tensor(rows: &[Vec<f64>], device: &Device, dtype: burn::tensor::DType) -> Tensor<2> {
    let d = rows.first().map_or(0, Vec::len);
    let flat: Vec<f64> = rows.iter().flatten().copied().collect();
    let opts = TensorCreationOptions::new(device.clone()).with_dtype(dtype);
    Tensor::from_data(TensorData::new(flat, [rows.len(), d]), opts)
}
