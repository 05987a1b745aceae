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
}

fn default_t_min() -> f64 {
    1e-3
}

fn default_label_drop() -> f64 {
    0.1
}

impl Recipe {
    /// Learning rate at `step` (linear warm-up, then constant).
    pub fn lr_at(&self, step: usize) -> f64 {
        if step < self.warmup {
            self.lr * (step + 1) as f64 / self.warmup as f64
        } else {
            self.lr
        }
    }
}
