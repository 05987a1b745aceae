//! Variance-preserving noise schedules: log alpha(t), sigma(t), lambda(t) and the inverse lambda -> t.
//!
//! All schedules are VP: `x_t = alpha_t x_0 + sigma_t eps` with `alpha_t^2 + sigma_t^2 = 1`, so
//! `alpha` and `sigma` are functions of `lambda = log(alpha / sigma)` (half the log-SNR) alone.
//! Conventions follow DPM-Solver (Lu et al. 2022, arXiv 2206.00927, section 2 and appendix D):
//! continuous time `t` in `(0, T]`; a discrete schedule of `N` steps puts step `n` at
//! `t = (n + 1) / N` and interpolates log alpha piecewise-linearly in `t`.

use serde::{Deserialize, Serialize};

use crate::error::NoiseError;
use crate::vp;

/// A noise schedule as written in configs (RON/JSON). Build a [`NoiseSchedule`] from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NoiseSpec {
    /// Continuous linear VP (Song et al. 2021): `beta(t) = beta_0 + t (beta_1 - beta_0)`.
    LinearVp {
        /// beta at t = 0 (reference: 0.1).
        beta_0: f64,
        /// beta at t = 1 (reference: 20).
        beta_1: f64,
    },
    /// Cosine schedule (Nichol and Dhariwal 2021) with offset `s`, truncated at `t_max`.
    Cosine {
        /// Small offset (reference: 0.008).
        s: f64,
        /// Largest usable time; alpha vanishes at t = 1 (DPM-Solver uses 0.9946).
        t_max: f64,
    },
    /// DDPM's discrete linear betas, `steps` of them from `beta_start` to `beta_end`
    /// (diffusers' `linear`).
    #[serde(alias = "linear")]
    DdpmLinear {
        /// First beta (DDPM: 1e-4).
        beta_start: f64,
        /// Last beta (DDPM: 0.02).
        beta_end: f64,
        /// Number of discrete steps (DDPM: 1000).
        #[serde(alias = "num_train_timesteps")]
        steps: usize,
    },
    /// Stable Diffusion's scaled-linear betas: linear in sqrt(beta) (diffusers'
    /// `scaled_linear`).
    #[serde(alias = "scaled_linear")]
    ScaledLinear {
        /// First beta (SD: 0.00085).
        beta_start: f64,
        /// Last beta (SD: 0.012).
        beta_end: f64,
        /// Number of discrete steps (SD: 1000).
        #[serde(alias = "num_train_timesteps")]
        steps: usize,
    },
    /// diffusers' `squaredcos_cap_v2`: discrete betas of the cosine schedule (Nichol and
    /// Dhariwal 2021, eq. 17, s = 0.008), `beta_i = min(1 - abar((i + 1) / N) / abar(i / N),
    /// 0.999)`.
    #[serde(alias = "squaredcos_cap_v2")]
    SquaredcosCapV2 {
        /// Number of discrete steps (`num_train_timesteps`).
        #[serde(alias = "num_train_timesteps")]
        steps: usize,
    },
    /// Explicit discrete betas.
    Betas(Vec<f64>),
    /// Explicit discrete cumulative products of alphas (`alpha_bar`, i.e. alpha^2).
    AlphasCumprod(Vec<f64>),
}

impl NoiseSpec {
    /// The reference's continuous linear VP schedule (beta_0 = 0.1, beta_1 = 20).
    pub fn linear_vp() -> Self {
        NoiseSpec::LinearVp {
            beta_0: 0.1,
            beta_1: 20.0,
        }
    }
    /// DDPM's linear betas 1e-4..0.02 over 1000 steps.
    pub fn ddpm_linear() -> Self {
        NoiseSpec::DdpmLinear {
            beta_start: 1e-4,
            beta_end: 0.02,
            steps: 1000,
        }
    }
    /// Stable Diffusion's scaled-linear betas 0.00085..0.012 over 1000 steps.
    pub fn scaled_linear() -> Self {
        NoiseSpec::ScaledLinear {
            beta_start: 0.00085,
            beta_end: 0.012,
            steps: 1000,
        }
    }
    /// Cosine schedule with s = 0.008 truncated at t = 0.9946 as in DPM-Solver.
    pub fn cosine() -> Self {
        NoiseSpec::Cosine {
            s: 0.008,
            t_max: 0.9946,
        }
    }
}

/// The cosine schedule's unnormalised `alpha(t) = cos((t + s) / (1 + s) * pi / 2)` (Nichol and
/// Dhariwal 2021, eq. 17, whose `alpha_bar` is its square).
fn cosine_alpha(s: f64, t: f64) -> f64 {
    ((t + s) / (1.0 + s) * std::f64::consts::FRAC_PI_2).cos()
}

/// diffusers' `betas_for_alpha_bar` with the cosine `alpha_bar` and `max_beta = 0.999`.
fn squaredcos_cap_v2(steps: usize) -> Vec<f64> {
    let abar = |t: f64| cosine_alpha(0.008, t).powi(2);
    (0..steps)
        .map(|i| {
            let (t1, t2) = (i as f64 / steps as f64, (i + 1) as f64 / steps as f64);
            (1.0 - abar(t2) / abar(t1)).min(0.999)
        })
        .collect()
}

/// A built noise schedule; cheap to clone for the continuous kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "NoiseSpec", into = "NoiseSpec")]
pub struct NoiseSchedule {
    spec: NoiseSpec,
    kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    LinearVp {
        beta_0: f64,
        beta_1: f64,
    },
    Cosine {
        s: f64,
        t_max: f64,
        log_alpha_0: f64,
    },
    /// `log_alpha[n]` at `t = (n + 1) / N`; strictly decreasing.
    Discrete {
        log_alpha: Vec<f64>,
    },
}

impl TryFrom<NoiseSpec> for NoiseSchedule {
    type Error = NoiseError;
    fn try_from(spec: NoiseSpec) -> Result<Self, NoiseError> {
        NoiseSchedule::new(spec)
    }
}

impl From<NoiseSchedule> for NoiseSpec {
    fn from(s: NoiseSchedule) -> Self {
        s.spec
    }
}

impl NoiseSchedule {
    /// Builds and checks a schedule.
    pub fn new(spec: NoiseSpec) -> Result<Self, NoiseError> {
        let kind = match &spec {
            &NoiseSpec::LinearVp { beta_0, beta_1 } => {
                if !(beta_0 > 0.0 && beta_1 > beta_0 && beta_1.is_finite()) {
                    return Err(NoiseError::Invalid(format!(
                        "LinearVp needs 0 < beta_0 < beta_1, got beta_0 = {beta_0}, beta_1 = {beta_1}"
                    )));
                }
                Kind::LinearVp { beta_0, beta_1 }
            }
            &NoiseSpec::Cosine { s, t_max } => {
                if !(s > 0.0 && t_max > 0.0 && t_max < 1.0) {
                    return Err(NoiseError::Invalid(format!(
                        "Cosine needs s > 0 and 0 < t_max < 1, got s = {s}, t_max = {t_max}"
                    )));
                }
                let log_alpha_0 = cosine_alpha(s, 0.0).ln();
                Kind::Cosine {
                    s,
                    t_max,
                    log_alpha_0,
                }
            }
            NoiseSpec::DdpmLinear {
                beta_start,
                beta_end,
                steps,
            } => {
                let betas = linspace(*beta_start, *beta_end, *steps);
                Kind::Discrete {
                    log_alpha: log_alpha_from_betas(&betas)?,
                }
            }
            NoiseSpec::ScaledLinear {
                beta_start,
                beta_end,
                steps,
            } => {
                let roots = linspace(beta_start.sqrt(), beta_end.sqrt(), *steps);
                let betas: Vec<f64> = roots.iter().map(|r| r * r).collect();
                Kind::Discrete {
                    log_alpha: log_alpha_from_betas(&betas)?,
                }
            }
            &NoiseSpec::SquaredcosCapV2 { steps } => Kind::Discrete {
                log_alpha: log_alpha_from_betas(&squaredcos_cap_v2(steps))?,
            },
            NoiseSpec::Betas(betas) => Kind::Discrete {
                log_alpha: log_alpha_from_betas(betas)?,
            },
            NoiseSpec::AlphasCumprod(ac) => Kind::Discrete {
                log_alpha: log_alpha_from_cumprod(ac)?,
            },
        };
        Ok(NoiseSchedule { spec, kind })
    }

    /// The spec this schedule was built from.
    pub fn spec(&self) -> &NoiseSpec {
        &self.spec
    }

    /// Number of discrete steps, `None` for continuous schedules.
    pub fn discrete_steps(&self) -> Option<usize> {
        match &self.kind {
            Kind::Discrete { log_alpha } => Some(log_alpha.len()),
            _ => None,
        }
    }

    /// The valid time interval `[t_min, t_max]`: `[0, 1]` for linear VP, `[0, t_max]` for cosine,
    /// `[1/N, 1]` for discrete schedules.
    pub fn t_range(&self) -> (f64, f64) {
        match &self.kind {
            Kind::LinearVp { .. } => (0.0, 1.0),
            Kind::Cosine { t_max, .. } => (0.0, *t_max),
            Kind::Discrete { log_alpha } => (1.0 / log_alpha.len() as f64, 1.0),
        }
    }

    /// The lambda interval the schedule covers: `[lambda(t_max), lambda(t_min)]`
    /// (the upper end is `+inf` for continuous schedules).
    pub fn lambda_range(&self) -> (f64, f64) {
        let (t0, t1) = self.t_range();
        (self.lambda(t1), self.lambda(t0))
    }

    /// `log alpha(t)`; `t` is clamped to [`Self::t_range`].
    pub fn log_alpha(&self, t: f64) -> f64 {
        let (t0, t1) = self.t_range();
        let t = t.clamp(t0, t1);
        match &self.kind {
            Kind::LinearVp { beta_0, beta_1 } => {
                -0.25 * t * t * (beta_1 - beta_0) - 0.5 * t * beta_0
            }
            Kind::Cosine { s, log_alpha_0, .. } => cosine_alpha(*s, t).ln() - log_alpha_0,
            Kind::Discrete { log_alpha } => interp_t(log_alpha, t),
        }
    }

    /// `sigma(t) = sqrt(1 - alpha(t)^2)`.
    pub fn sigma(&self, t: f64) -> f64 {
        vp::sigma_from_log_alpha(self.log_alpha(t))
    }

    /// `lambda(t) = log alpha(t) - log sigma(t)` (half the log-SNR); `+inf` where sigma = 0.
    pub fn lambda(&self, t: f64) -> f64 {
        vp::lambda_from_log_alpha(self.log_alpha(t))
    }

    /// Where a schedule over models with the given `lambda_min`s starts: `lambda(1)` of this
    /// schedule, or the noisiest level every model is trained for if that is less noisy. The
    /// one rule every command and the latency profile use.
    pub fn start_lambda(&self, lambda_mins: impl IntoIterator<Item = f64>) -> f64 {
        lambda_mins.into_iter().fold(self.lambda(1.0), f64::max)
    }

    /// The inverse of [`Self::lambda`]: closed form for linear VP and cosine, monotone
    /// piecewise-linear interpolation for discrete schedules. `lambda` outside
    /// [`Self::lambda_range`] maps to the nearest end of [`Self::t_range`].
    pub fn t_of_lambda(&self, lambda: f64) -> f64 {
        let (t0, t1) = self.t_range();
        let log_alpha = vp::log_alpha(lambda);
        let t = match &self.kind {
            Kind::LinearVp { beta_0, beta_1 } => {
                // Solve (b1-b0)/4 t^2 + b0/2 t = -log_alpha; stable root as in DPM-Solver.
                let tmp = 2.0 * (beta_1 - beta_0) * (-2.0 * log_alpha);
                let delta = beta_0 * beta_0 + tmp;
                tmp / (delta.sqrt() + beta_0) / (beta_1 - beta_0)
            }
            Kind::Cosine { s, log_alpha_0, .. } => {
                let c = (log_alpha + log_alpha_0).exp().min(1.0);
                2.0 * (1.0 + s) / std::f64::consts::PI * c.acos() - s
            }
            Kind::Discrete { log_alpha: table } => inverse_interp_t(table, log_alpha),
        };
        t.clamp(t0, t1)
    }
}

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![a],
        _ => (0..n)
            .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
            .collect(),
    }
}

fn log_alpha_from_betas(betas: &[f64]) -> Result<Vec<f64>, NoiseError> {
    if let Some((i, b)) = betas
        .iter()
        .enumerate()
        .find(|(_, b)| !(**b > 0.0 && **b < 1.0))
    {
        return Err(NoiseError::Invalid(format!(
            "beta[{i}] = {b} is outside (0, 1)"
        )));
    }
    let mut acc = 0.0;
    let log_alpha = betas
        .iter()
        .map(|b| {
            acc += (-b).ln_1p();
            0.5 * acc
        })
        .collect();
    check_discrete(log_alpha)
}

fn log_alpha_from_cumprod(ac: &[f64]) -> Result<Vec<f64>, NoiseError> {
    if let Some((i, a)) = ac
        .iter()
        .enumerate()
        .find(|(_, a)| !(**a > 0.0 && **a < 1.0))
    {
        return Err(NoiseError::Invalid(format!(
            "alphas_cumprod[{i}] = {a} is outside (0, 1)"
        )));
    }
    check_discrete(ac.iter().map(|a| 0.5 * a.ln()).collect())
}

fn check_discrete(log_alpha: Vec<f64>) -> Result<Vec<f64>, NoiseError> {
    if log_alpha.len() < 2 {
        return Err(NoiseError::Invalid(
            "a discrete schedule needs at least 2 steps".into(),
        ));
    }
    if let Some(i) = log_alpha.windows(2).position(|w| w[1] >= w[0]) {
        return Err(NoiseError::Invalid(format!(
            "alphas_cumprod must strictly decrease, but entry {} is not below entry {i}",
            i + 1
        )));
    }
    Ok(log_alpha)
}

/// Piecewise-linear `log_alpha` at continuous `t` (nodes at `(n + 1) / N`).
fn interp_t(table: &[f64], t: f64) -> f64 {
    let n = table.len();
    let pos = (t * n as f64 - 1.0).clamp(0.0, (n - 1) as f64);
    let i = (pos.floor() as usize).min(n - 2);
    let w = pos - i as f64;
    table[i] + w * (table[i + 1] - table[i])
}

/// Inverse of [`interp_t`] for a strictly decreasing table.
fn inverse_interp_t(table: &[f64], log_alpha: f64) -> f64 {
    let n = table.len();
    if log_alpha >= table[0] {
        return 1.0 / n as f64;
    }
    if log_alpha <= table[n - 1] {
        return 1.0;
    }
    // First index whose value is <= log_alpha; table[i - 1] > log_alpha >= table[i].
    let i = table.partition_point(|v| *v > log_alpha);
    let w = (table[i - 1] - log_alpha) / (table[i - 1] - table[i]);
    (i as f64 + w) / n as f64
}

#[cfg(test)]
mod tests {

    #[test]
    fn diffusers_names_parse_and_squaredcos_matches_its_formula() {
        let linear: NoiseSpec =
            ron::from_str("linear(beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 1000)")
                .unwrap();
        assert_eq!(linear, NoiseSpec::ddpm_linear());
        let scaled: NoiseSpec =
            ron::from_str("scaled_linear(beta_start: 0.00085, beta_end: 0.012, steps: 1000)")
                .unwrap();
        assert_eq!(scaled, NoiseSpec::scaled_linear());
        let cos: NoiseSpec = ron::from_str("squaredcos_cap_v2(num_train_timesteps: 1000)").unwrap();
        assert_eq!(cos, NoiseSpec::SquaredcosCapV2 { steps: 1000 });
        let n = NoiseSchedule::new(cos).unwrap();
        // alpha_bar after step n is prod (1 - beta_i) = abar((n + 1) / N) / abar(0) until the
        // 0.999 cap binds at the very end.
        let abar = |t: f64| {
            ((t + 0.008) / 1.008 * std::f64::consts::FRAC_PI_2)
                .cos()
                .powi(2)
        };
        for k in [0usize, 499, 900] {
            let t = (k + 1) as f64 / 1000.0;
            let want = 0.5 * (abar(t) / abar(0.0)).ln();
            assert!((n.log_alpha(t) - want).abs() < 1e-9, "step {k}");
        }
        assert!(n.log_alpha(1.0).is_finite());
    }

    use super::*;

    fn all() -> Vec<NoiseSchedule> {
        [
            NoiseSpec::linear_vp(),
            NoiseSpec::cosine(),
            NoiseSpec::ddpm_linear(),
            NoiseSpec::scaled_linear(),
        ]
        .into_iter()
        .map(|s| NoiseSchedule::new(s).unwrap())
        .collect()
    }

    #[test]
    fn ddpm_linear_matches_cumprod_of_betas() {
        let s = NoiseSchedule::new(NoiseSpec::ddpm_linear()).unwrap();
        // alpha_bar[0] = 1 - 1e-4; at t = 1/N the schedule returns that step exactly.
        let expected = 0.5 * (1.0f64 - 1e-4).ln();
        assert!((s.log_alpha(1.0 / 1000.0) - expected).abs() < 1e-15);
        // alpha_bar[999] of DDPM linear is about 4.036e-5 (computed with numpy, float64).
        let ab_last = (2.0 * s.log_alpha(1.0)).exp();
        assert!((ab_last - 4.0358e-5).abs() < 1e-8, "{ab_last}");
    }

    #[test]
    fn linear_vp_endpoints() {
        let s = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
        assert_eq!(s.log_alpha(0.0), 0.0);
        assert_eq!(s.lambda(0.0), f64::INFINITY);
        // log alpha(1) = -(20 - 0.1)/4 - 0.05 = -5.025
        assert!((s.log_alpha(1.0) + 5.025).abs() < 1e-12);
    }

    #[test]
    fn lambda_decreases_in_t() {
        for s in all() {
            let (t0, t1) = s.t_range();
            let mut prev = f64::INFINITY;
            for i in 1..=200 {
                let t = t0 + (t1 - t0) * i as f64 / 200.0;
                let l = s.lambda(t);
                assert!(l < prev, "{:?} not decreasing at t = {t}", s.spec());
                prev = l;
            }
        }
    }

    #[test]
    fn bad_specs_are_rejected() {
        assert!(NoiseSchedule::new(NoiseSpec::Betas(vec![0.1, 1.5])).is_err());
        assert!(NoiseSchedule::new(NoiseSpec::AlphasCumprod(vec![0.9, 0.95])).is_err());
        assert!(
            NoiseSchedule::new(NoiseSpec::LinearVp {
                beta_0: 1.0,
                beta_1: 0.5
            })
            .is_err()
        );
        assert!(
            NoiseSchedule::new(NoiseSpec::Cosine {
                s: 0.008,
                t_max: 1.0
            })
            .is_err()
        );
    }
}
