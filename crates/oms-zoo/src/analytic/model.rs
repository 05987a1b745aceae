//! Analytic denoisers: the exact posterior mean of a [`Mixture`], optionally of a deliberately
//! wrong mixture (shifted means, scaled stds) so that models of controllable quality exist.

use burn::tensor::{Int, Tensor};
use oms_sampler::Denoiser;
use oms_schedule::vp;
use oms_solver::{ModelConvention, Prediction};
use serde::{Deserialize, Serialize};

use super::data::Mixture;

/// How wrong an analytic model is: it denoises as if the data were the true mixture with every
/// mean coordinate moved by `±mean_shift` (a fixed sign pattern per component) and every std
/// multiplied by `std_scale`. `(0, 1)` is the exact denoiser.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Imperfection {
    /// Shift of every mean coordinate.
    pub mean_shift: f64,
    /// Factor on every std.
    pub std_scale: f64,
}

impl Imperfection {
    /// The exact model.
    pub const EXACT: Imperfection = Imperfection {
        mean_shift: 0.0,
        std_scale: 1.0,
    };

    /// The mixture this model believes in.
    pub fn apply(&self, data: &Mixture) -> Mixture {
        let mut m = data.clone();
        for (k, mean) in m.means.iter_mut().enumerate() {
            for (j, v) in mean.iter_mut().enumerate() {
                let sign = if (j * 7 + k * 3) % 5 < 2 { -1.0 } else { 1.0 };
                *v += sign * self.mean_shift;
            }
        }
        for s in m.stds.iter_mut().flatten() {
            *s *= self.std_scale;
        }
        m
    }
}

/// A closed-form denoiser under its own calling convention.
#[derive(Debug, Clone)]
pub struct AnalyticDenoiser {
    believed: Mixture,
    convention: ModelConvention,
}

impl AnalyticDenoiser {
    /// The denoiser of `data` (distorted by `imperfection`) called through `convention`.
    pub fn new(data: &Mixture, imperfection: Imperfection, convention: ModelConvention) -> Self {
        AnalyticDenoiser {
            believed: imperfection.apply(data),
            convention,
        }
    }
}

impl Denoiser for AnalyticDenoiser {
    fn convention(&self) -> &ModelConvention {
        &self.convention
    }

    fn forward(&self, x: Tensor<4>, time_input: f64, _labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        // Recover the level from the model's own time input, as a trained network would.
        let t = self.convention.time_input.t_of(time_input);
        let log_alpha = self.convention.noise.log_alpha(t);
        let (alpha, sigma) = (log_alpha.exp(), vp::sigma_from_log_alpha(log_alpha));
        let dims = x.dims();
        let flat: Tensor<2> = x.clone().reshape([dims[0], dims[1] * dims[2] * dims[3]]);
        let x0: Tensor<4> = self
            .believed
            .posterior_mean(flat, alpha, sigma)
            .reshape(dims);
        match self.convention.prediction {
            Prediction::X0 => x0,
            // eps = (x - alpha x0) / sigma; v = alpha eps - sigma x0.
            Prediction::Eps => (x - x0.mul_scalar(alpha)).mul_scalar(1.0 / sigma),
            Prediction::V => {
                let eps = (x - x0.clone().mul_scalar(alpha)).mul_scalar(1.0 / sigma);
                eps.mul_scalar(alpha) - x0.mul_scalar(sigma)
            }
        }
    }
}
