//! A training recipe, stored in the zoo manifest next to the member it produced.

use serde::{Deserialize, Serialize};

/// How a member is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// Optimizer steps.
    pub steps: usize,
    /// Images per step.
    pub batch: usize,
    /// Peak Adam learning rate.
    pub lr: f64,
    /// Linear warm-up steps.
    pub warmup: usize,
    /// EMA decay of the weights that are kept.
    pub ema_decay: f64,
    /// Per-tensor gradient-norm clip.
    pub grad_clip: f64,
    /// Seed of initialisation, batch order and noise.
    pub seed: u64,
    /// Steps between checkpoints.
    pub checkpoint_every: usize,
    /// Smallest training time `t` (the noise schedule's own upper end is the largest).
    #[serde(default = "default_t_min")]
    pub t_min: f64,
    /// Probability of replacing the label by the null label (conditional members only).
    #[serde(default = "default_label_drop")]
    pub label_drop: f64,
    /// Weight of each image's squared error by its noise level (uniform unless set).
    #[serde(default, skip_serializing_if = "LossWeight::is_uniform")]
    pub loss_weight: LossWeight,
    /// A linear cool-down of the learning rate to zero at the end of the run (none unless set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<Cooldown>,
    /// How each image's noise level is drawn (uniform in `t` unless set).
    #[serde(default, skip_serializing_if = "TimeSampling::is_uniform_t")]
    pub time_sampling: TimeSampling,
}

/// How training draws each image's noise level. The density of levels is part of the loss's
/// weighting over noise levels (Kingma and Gao 2023, "Understanding Diffusion Objectives as the
/// ELBO with Simple Data Augmentation", sec. 3-4): uniform `t` under the cosine schedule has
/// about the density `1 / (pi cosh(lambda))` in `lambda = log(alpha / sigma)`, so the levels
/// near the data, where the samplers' lambda-uniform grids spend as many evaluations per unit of
/// lambda as anywhere, get few training images (2.4% at `lambda > 3`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum TimeSampling {
    /// `t ~ U(t_min, T)` (Ho et al. 2020, algorithm 1).
    #[default]
    UniformT,
    /// With probability `share`, `lambda ~ U(lambda(T), lambda(t_min))` (uniform over the
    /// member's trained levels in the samplers' level), otherwise `t ~ U(t_min, T)`.
    MixLambda {
        /// The share of images drawn uniform in lambda, in `[0, 1]`.
        share: f64,
    },
}

impl TimeSampling {
    /// Whether this is [`TimeSampling::UniformT`].
    pub fn is_uniform_t(&self) -> bool {
        matches!(self, TimeSampling::UniformT)
    }
}

/// The decay phase of a warm-up, stable, decay schedule (Hu et al. 2024, "MiniCPM", sec. 4.1;
/// Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed Training
/// Durations", sec. 3): the learning rate is the recipe's times `(to - step) / (to - from)` at
/// steps `from <= step < to`, so it falls linearly from the peak at `from` to
/// `1 / (to - from)` of it at the last step, `to - 1`. A run with a cool-down ends at `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooldown {
    /// The first step of the decay.
    pub from: usize,
    /// The step the run ends at.
    pub to: usize,
}

impl Cooldown {
    /// The learning rate's factor at `step`.
    pub fn factor(&self, step: usize) -> f64 {
        if step < self.from {
            1.0
        } else if step >= self.to {
            0.0
        } else {
            (self.to - step) as f64 / (self.to - self.from) as f64
        }
    }
}

/// How the denoising loss weighs noise levels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub enum LossWeight {
    /// Every image counts the same in the member's own prediction target.
    #[default]
    Uniform,
    /// Min-SNR-gamma (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting
    /// Strategy", eq. 10 and its table for the three targets): the loss in the member's target
    /// is weighted so that, written as an x0 loss, its weight is `min(SNR, gamma)`, with
    /// `SNR = alpha^2 / sigma^2`.
    MinSnr {
        /// The clamp (5 in the paper).
        gamma: f64,
    },
}

impl LossWeight {
    /// Whether this is [`LossWeight::Uniform`].
    pub fn is_uniform(&self) -> bool {
        matches!(self, LossWeight::Uniform)
    }

    /// The weight of one image at `snr` for a member predicting `target`: x0 `min(snr, g)`,
    /// eps `min(snr, g) / snr`, v `min(snr, g) / (snr + 1)` (the x0 error is `sigma / alpha`
    /// times the eps error and `sigma` times the v error; `sigma^2 = 1 / (1 + snr)` in VP).
    pub fn weight(&self, snr: f64, target: oms_solver::Prediction) -> f64 {
        use oms_solver::Prediction;
        match *self {
            LossWeight::Uniform => 1.0,
            LossWeight::MinSnr { gamma } => {
                let clamped = snr.min(gamma);
                match target {
                    Prediction::X0 => clamped,
                    Prediction::Eps => clamped / snr,
                    Prediction::V => clamped / (snr + 1.0),
                }
            }
        }
    }
}

/// How the learning rate follows the batch size ([`Recipe::at_batch`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LrRule {
    /// Times `sqrt(k)`: the square-root scaling rule for Adam (Malladi et al. 2022, "On the
    /// SDEs and Scaling Rules for Adaptive Gradient Algorithms", sec. 4).
    #[default]
    Sqrt,
    /// Times `k` (Goyal et al. 2017's rule for SGD): faster per image in the CPU ablation of
    /// docs/zoo.md, with more risk of divergence at large `k`.
    Linear,
}

impl LrRule {
    /// The learning rate's factor at `k` times the batch.
    pub fn factor(self, k: usize) -> f64 {
        match self {
            LrRule::Sqrt => (k as f64).sqrt(),
            LrRule::Linear => k as f64,
        }
    }
}

fn default_t_min() -> f64 {
    1e-3
}

fn default_label_drop() -> f64 {
    0.1
}

impl Recipe {
    /// The recipe at `batch` images per step, `batch` a multiple `k` of the recipe's own, for
    /// a device that is only busy at large batches (a GPU): what is written per step is
    /// rescaled to keep the run's course per image seen. Steps, warm-up and checkpoint
    /// interval are divided by `k` (rounded up, at least 1); the EMA decay is raised to the
    /// `k`-th power (the same half-life in images); the learning rate follows `rule`. At the
    /// recipe's own batch it is the recipe unchanged.
    pub fn at_batch(&self, batch: usize, rule: LrRule) -> Result<Recipe, String> {
        if batch == 0 || self.batch == 0 || !batch.is_multiple_of(self.batch) {
            return Err(format!(
                "batch {batch} is not a multiple of the recipe's batch {}: pick one that is (e.g. {})",
                self.batch,
                self.batch * 8
            ));
        }
        let k = batch / self.batch;
        let per_step = |n: usize| n.div_ceil(k).max(1);
        Ok(Recipe {
            steps: per_step(self.steps),
            batch,
            lr: self.lr * rule.factor(k),
            warmup: if self.warmup == 0 {
                0
            } else {
                per_step(self.warmup)
            },
            ema_decay: self.ema_decay.powi(k as i32),
            checkpoint_every: per_step(self.checkpoint_every),
            cooldown: self.cooldown.map(|c| Cooldown {
                from: c.from.div_ceil(k),
                to: c.to.div_ceil(k),
            }),
            ..self.clone()
        })
    }

    /// Learning rate at `step`: linear warm-up, then constant, then the [`Cooldown`] if set.
    pub fn lr_at(&self, step: usize) -> f64 {
        let lr = if step < self.warmup {
            self.lr * (step + 1) as f64 / self.warmup as f64
        } else {
            self.lr
        };
        lr * self.cooldown.map_or(1.0, |c| c.factor(step))
    }

    /// Refuses a run to `steps` that the recipe cannot train: a cool-down that is empty or ends
    /// before `steps` (the steps after it would train at a learning rate of zero), or a
    /// [`TimeSampling::MixLambda`] share outside `[0, 1]`.
    pub fn check_steps(&self, steps: usize) -> Result<(), String> {
        if let TimeSampling::MixLambda { share } = self.time_sampling
            && !(0.0..=1.0).contains(&share)
        {
            return Err(format!(
                "time_sampling: MixLambda(share: {share}) is not a probability: give a share in [0, 1]"
            ));
        }
        match self.cooldown {
            Some(c) if c.from >= c.to => Err(format!(
                "the cool-down runs from step {} to {}: `from` must be below `to`",
                c.from, c.to
            )),
            Some(c) if steps > c.to => Err(format!(
                "the cool-down ends at step {}: train to at most {} steps, or move the cool-down",
                c.to, c.to
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_solver::Prediction;

    #[test]
    fn min_snr_weights_are_one_x0_weight_in_every_target() {
        let w = LossWeight::MinSnr { gamma: 5.0 };
        for snr in [1e-4, 0.3, 1.0, 4.9, 5.0, 7.5, 1e3] {
            let x0 = w.weight(snr, Prediction::X0);
            assert_eq!(x0, snr.min(5.0));
            // Rewritten as an x0 loss: eps error^2 = SNR * x0 error^2, v error^2 = (1 + SNR) x0 error^2.
            assert!((w.weight(snr, Prediction::Eps) * snr - x0).abs() < 1e-12 * x0.max(1.0));
            assert!((w.weight(snr, Prediction::V) * (snr + 1.0) - x0).abs() < 1e-12 * x0.max(1.0));
        }
        assert_eq!(LossWeight::Uniform.weight(0.1, Prediction::V), 1.0);
    }

    #[test]
    fn a_cooldown_decays_the_rate_linearly_to_its_end() {
        let text = "(steps: 100, batch: 128, lr: 0.001, warmup: 10, ema_decay: 0.999, grad_clip: 1.0, seed: 5, checkpoint_every: 10, cooldown: Some((from: 60, to: 100)))";
        let r: Recipe = ron::from_str(text).unwrap();
        assert_eq!(r.lr_at(4), 0.001 * 5.0 / 10.0);
        assert_eq!(r.lr_at(59), 0.001);
        assert_eq!(r.lr_at(60), 0.001);
        assert_eq!(r.lr_at(80), 0.001 * 20.0 / 40.0);
        assert_eq!(r.lr_at(99), 0.001 / 40.0);
        assert_eq!(r.lr_at(100), 0.0);
        assert!(r.check_steps(100).is_ok() && r.check_steps(40).is_ok());
        assert!(r.check_steps(101).unwrap_err().contains("at most 100"));
        let empty = Recipe {
            cooldown: Some(Cooldown { from: 9, to: 9 }),
            ..r.clone()
        };
        assert!(empty.check_steps(5).unwrap_err().contains("below"));
        let g = r.at_batch(1024, LrRule::Sqrt).unwrap();
        assert_eq!(g.cooldown, Some(Cooldown { from: 8, to: 13 }));
        // Without one, a recipe writes what it wrote before the field existed (manifest keys).
        let plain = Recipe {
            cooldown: None,
            ..r
        };
        assert!(!ron::to_string(&plain).unwrap().contains("cooldown"));
    }

    #[test]
    fn lambda_sampling_is_written_only_when_set_and_its_share_is_checked() {
        let text = "(steps: 100, batch: 128, lr: 0.001, warmup: 10, ema_decay: 0.999, grad_clip: 1.0, seed: 5, checkpoint_every: 10)";
        let r: Recipe = ron::from_str(text).unwrap();
        assert_eq!(r.time_sampling, TimeSampling::UniformT);
        assert!(!ron::to_string(&r).unwrap().contains("time_sampling"));
        let mixed: Recipe =
            ron::from_str(&text.replace(")", ", time_sampling: MixLambda(share: 0.5))")).unwrap();
        assert_eq!(mixed.time_sampling, TimeSampling::MixLambda { share: 0.5 });
        assert!(mixed.check_steps(100).is_ok());
        assert_eq!(
            mixed.at_batch(1024, LrRule::Sqrt).unwrap().time_sampling,
            mixed.time_sampling
        );
        let bad = Recipe {
            time_sampling: TimeSampling::MixLambda { share: 1.5 },
            ..r
        };
        assert!(bad.check_steps(10).unwrap_err().contains("[0, 1]"));
    }

    #[test]
    fn a_larger_batch_keeps_the_course_per_image() {
        let text = "(steps: 100000, batch: 128, lr: 0.0006, warmup: 200, ema_decay: 0.999, grad_clip: 1.0, seed: 5, checkpoint_every: 100)";
        let r: Recipe = ron::from_str(text).unwrap();
        assert_eq!(r.at_batch(128, LrRule::Linear).unwrap(), r);
        let g = r.at_batch(1024, LrRule::Sqrt).unwrap();
        assert_eq!(
            (g.steps, g.batch, g.warmup, g.checkpoint_every),
            (12500, 1024, 25, 13)
        );
        assert!((g.lr - 0.0006 * 8f64.sqrt()).abs() < 1e-15);
        // Eight steps of the large batch forget as much as 64 of the small one.
        assert!((g.ema_decay.powi(8) - 0.999f64.powi(64)).abs() < 1e-12);
        assert_eq!(
            (g.seed, g.grad_clip, g.t_min),
            (r.seed, r.grad_clip, r.t_min)
        );
        assert_eq!(r.at_batch(4096, LrRule::Sqrt).unwrap().checkpoint_every, 4);
        let lin = r.at_batch(1024, LrRule::Linear).unwrap();
        assert!((lin.lr - 0.0048).abs() < 1e-15);
        assert_eq!(
            Recipe { lr: g.lr, ..lin },
            g,
            "the rule changes only the learning rate"
        );
        for bad in [0, 64, 1000] {
            let e = r.at_batch(bad, LrRule::Sqrt).unwrap_err();
            assert!(e.contains("multiple of the recipe's batch 128"), "{e}");
        }
    }

    #[test]
    fn recipes_without_a_loss_weight_parse_and_print_as_before() {
        let text = "(steps: 10, batch: 4, lr: 0.001, warmup: 1, ema_decay: 0.9, grad_clip: 1.0, seed: 1, checkpoint_every: 5)";
        let r: Recipe = ron::from_str(text).unwrap();
        assert_eq!(r.loss_weight, LossWeight::Uniform);
        assert!(!serde_json::to_string(&r).unwrap().contains("loss_weight"));
        let min_snr = "(steps: 10, batch: 4, lr: 0.001, warmup: 1, ema_decay: 0.9, grad_clip: 1.0, seed: 1, checkpoint_every: 5, loss_weight: MinSnr(gamma: 5.0))";
        let r: Recipe = ron::from_str(min_snr).unwrap();
        assert_eq!(r.loss_weight, LossWeight::MinSnr { gamma: 5.0 });
    }
}
