//! Training losses: the pairwise hinge ranking loss of the reference and MSE (method.md
//! section 4).

use burn::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Which loss, with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Loss {
    /// `max(0, margin - sign(fd_i - fd_j) (s_i - s_j))` over pairs whose FDs differ by more than
    /// `threshold`, at most `pair_cap * batch` pairs per mini-batch.
    Rank {
        /// Hinge margin (reference: 1).
        margin: f64,
        /// Minimum FD difference of a pair (reference: 0.25).
        threshold: f64,
        /// Pairs per mini-batch as a multiple of its size (reference: 2).
        pair_cap: usize,
    },
    /// Mean squared error against the standardised FD.
    Mse,
}

impl Loss {
    /// The reference ranking loss.
    pub const REFERENCE_RANK: Loss = Loss::Rank {
        margin: 1.0,
        threshold: 0.25,
        pair_cap: 2,
    };

    /// The command-line name: `rank` or `mse`.
    pub fn name(&self) -> &'static str {
        match self {
            Loss::Rank { .. } => "rank",
            Loss::Mse => "mse",
        }
    }
}

impl std::str::FromStr for Loss {
    type Err = String;

    /// `rank` (the reference ranking loss, [`Loss::REFERENCE_RANK`]) or `mse`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "rank" => Ok(Loss::REFERENCE_RANK),
            "mse" => Ok(Loss::Mse),
            other => Err(format!("unknown loss '{other}': use rank or mse")),
        }
    }
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The ordered pairs `(i, j)` with `fd[i] - fd[j] > threshold`, a random subset of at most `cap`.
pub fn rank_pairs(
    fd: &[f64],
    threshold: f64,
    cap: usize,
    rng: &mut impl Rng,
) -> Vec<(usize, usize)> {
    let mut pairs = vec![];
    for i in 0..fd.len() {
        for j in 0..fd.len() {
            if fd[i] - fd[j] > threshold {
                pairs.push((i, j));
            }
        }
    }
    pairs.shuffle(rng);
    pairs.truncate(cap);
    pairs
}

/// The loss of `scores` `[B]` for true `fd` (standardised by `fd_mean`, `fd_std` for MSE).
pub fn loss(
    kind: Loss,
    scores: Tensor<1>,
    fd: &[f64],
    (fd_mean, fd_std): (f64, f64),
    rng: &mut impl Rng,
) -> Option<Tensor<1>> {
    let device = scores.device();
    match kind {
        Loss::Rank {
            margin,
            threshold,
            pair_cap,
        } => {
            let pairs = rank_pairs(fd, threshold, pair_cap * fd.len(), rng);
            if pairs.is_empty() {
                return None;
            }
            let idx = |f: fn(&(usize, usize)) -> usize| {
                let v: Vec<i64> = pairs.iter().map(|p| f(p) as i64).collect();
                Tensor::<1, Int>::from_data(TensorData::new(v, [pairs.len()]), &device)
            };
            // fd_i > fd_j: i is worse, so its score should exceed j's by the margin.
            let worse = scores.clone().select(0, idx(|p| p.0));
            let better = scores.select(0, idx(|p| p.1));
            Some(relu_1d((worse - better).neg().add_scalar(margin)).mean())
        }
        Loss::Mse => {
            let z: Vec<f32> = fd.iter().map(|v| ((v - fd_mean) / fd_std) as f32).collect();
            let target = Tensor::<1>::from_data(TensorData::new(z, [fd.len()]), &device);
            Some((scores - target).powi_scalar(2).mean())
        }
    }
}

fn relu_1d(x: Tensor<1>) -> Tensor<1> {
    burn::tensor::activation::relu(x)
}
