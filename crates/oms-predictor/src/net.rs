//! The predictor networks (burn): the reference LSTM (method.md section 4) and an alternative
//! per-step MLP encoder, behind one enum so training, saving and search treat them alike.
//! Lower score = better (like FD). Padded positions are masked out of every mean.

use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig, Lstm, LstmConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid, silu};
use serde::{Deserialize, Serialize};

use crate::batch::TokenBatch;
use crate::encode::SOLVERS;

/// Which sequence encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EncoderKind {
    /// The reference: slot MLP + order and time embeddings, one-layer LSTM (hidden 128).
    Lstm,
    /// Per-step MLP over model embeddings, order, lambda interval and solver; masked mean.
    Mlp,
    /// The reference LSTM with each step's normalised lambda interval (3) and the solver
    /// one-hot appended to its input (151 per step): encodes free placement and multistep
    /// schedules beyond the clean-side time the reference sees.
    LstmJoint,
}

impl EncoderKind {
    /// The name [`std::str::FromStr`] reads.
    pub fn name(&self) -> &'static str {
        match self {
            EncoderKind::Lstm => "lstm",
            EncoderKind::Mlp => "mlp",
            EncoderKind::LstmJoint => "lstm-joint",
        }
    }
}

impl std::str::FromStr for EncoderKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lstm" => Ok(EncoderKind::Lstm),
            "lstm-joint" => Ok(EncoderKind::LstmJoint),
            "mlp" => Ok(EncoderKind::Mlp),
            other => Err(format!(
                "unknown encoder '{other}': use lstm, lstm-joint or mlp"
            )),
        }
    }
}

impl std::fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Inputs the joint LSTM adds to the reference's 144 per step.
pub const JOINT_EXTRA: usize = 3 + SOLVERS;

/// Architecture of a predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// Encoder.
    pub encoder: EncoderKind,
    /// Zoo size `N` (embedding table `N + 1` rows, row 0 = no model).
    pub n_models: usize,
}

/// MLP 128 -> 200 -> 200 -> 200 -> 1 with ReLU (the reference head).
#[derive(Module, Debug)]
pub struct Head {
    pub(crate) layers: Vec<Linear>,
}

impl Head {
    fn new(d_in: usize, device: &Device) -> Self {
        let dims = [d_in, 200, 200, 200, 1];
        let layers = dims
            .windows(2)
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        Head { layers }
    }

    fn forward(&self, mut x: Tensor<2>) -> Tensor<1> {
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            x = l.forward(x);
            if i < last {
                x = relu(x);
            }
        }
        x.squeeze_dim(1)
    }
}

/// The reference predictor.
#[derive(Module, Debug)]
pub struct LstmPredictor {
    pub(crate) model_emb: Embedding,
    pub(crate) slot1: Linear,
    pub(crate) slot2: Linear,
    pub(crate) order_emb: Embedding,
    pub(crate) time1: Linear,
    pub(crate) time2: Linear,
    pub(crate) lstm: Lstm,
    pub(crate) head: Head,
}

/// The alternative: an MLP over per-step features, mean-pooled.
#[derive(Module, Debug)]
pub struct MlpPredictor {
    model_emb: Embedding,
    order_emb: Embedding,
    step1: Linear,
    step2: Linear,
    head: Head,
}

/// Either predictor.
// One network per process: the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum PredictorNet {
    /// The reference LSTM.
    Lstm(LstmPredictor),
    /// The per-step MLP.
    Mlp(MlpPredictor),
}

impl NetConfig {
    /// Builds the network with fresh weights (seed the device first for determinism).
    pub fn init(&self, device: &Device) -> PredictorNet {
        let emb = || EmbeddingConfig::new(self.n_models + 1, 32).init(device);
        let lin = |i, o| LinearConfig::new(i, o).init(device);
        match self.encoder {
            EncoderKind::Lstm | EncoderKind::LstmJoint => PredictorNet::Lstm(LstmPredictor {
                model_emb: emb(),
                slot1: lin(96, 64),
                slot2: lin(64, 64),
                order_emb: EmbeddingConfig::new(4, 16).init(device),
                time1: lin(128, 64),
                time2: lin(64, 64),
                lstm: {
                    let extra = if self.encoder == EncoderKind::LstmJoint {
                        JOINT_EXTRA
                    } else {
                        0
                    };
                    LstmConfig::new(144 + extra, 128, true).init(device)
                },
                head: Head::new(128, device),
            }),
            EncoderKind::Mlp => PredictorNet::Mlp(MlpPredictor {
                model_emb: emb(),
                order_emb: EmbeddingConfig::new(4, 16).init(device),
                step1: lin(96 + 16 + 3 + SOLVERS, 128),
                step2: lin(128, 128),
                head: Head::new(128 + 1, device),
            }),
        }
    }
}

impl PredictorNet {
    /// Scores `[B]` of a batch (lower = better).
    pub fn forward(&self, b: &TokenBatch) -> Tensor<1> {
        match self {
            PredictorNet::Lstm(n) => n.forward(b),
            PredictorNet::Mlp(n) => n.forward(b),
        }
    }
}

/// Concatenated model embeddings of every step: `[B, S, 96]`.
fn step_models(emb: &Embedding, b: &TokenBatch) -> Tensor<3> {
    let [batch, steps, _] = b.models.dims();
    emb.forward(b.models.clone().reshape([batch, steps * 3]))
        .reshape([batch, steps, 96])
}

/// Mean of `x` `[B, S, D]` over the unmasked steps: `[B, D]`.
fn masked_mean(x: Tensor<3>, mask: &Tensor<2>) -> Tensor<2> {
    let m = mask.clone().unsqueeze_dim::<3>(2);
    let count = mask.clone().sum_dim(1).clamp_min(1.0);
    (x * m).sum_dim(1).squeeze_dim::<2>(1) / count
}

/// Rows scaled to unit L2 norm along the last axis.
fn l2_normalise<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let norm = x
        .clone()
        .powi_scalar(2)
        .sum_dim(D - 1)
        .sqrt()
        .clamp_min(1e-8);
    x / norm
}

impl LstmPredictor {
    /// Whether the LSTM also reads the lambda interval and the solver ([`EncoderKind::LstmJoint`]).
    pub fn joint_inputs(&self) -> bool {
        self.lstm.input_gate.input_transform.weight.dims()[0] == 144 + JOINT_EXTRA
    }

    fn forward(&self, b: &TokenBatch) -> Tensor<1> {
        let m = b.mask.clone().unsqueeze_dim::<3>(2);
        let slot = self
            .slot2
            .forward(sigmoid(self.slot1.forward(step_models(&self.model_emb, b))));
        let order = self.order_emb.forward(b.order.clone());
        let time = self
            .time2
            .forward(silu(self.time1.forward(b.time_emb.clone())))
            * m;
        let mut parts = vec![slot, order, time];
        if self.joint_inputs() {
            // Zero on padded steps already (`TokenBatch`).
            parts.push(b.lambda.clone());
            parts.push(b.solver.clone());
        }
        let x = Tensor::cat(parts, 2);
        let (out, _) = self.lstm.forward(x, None);
        let pooled = l2_normalise(masked_mean(l2_normalise(out), &b.mask));
        self.head.forward(pooled)
    }
}

impl MlpPredictor {
    fn forward(&self, b: &TokenBatch) -> Tensor<1> {
        let models = step_models(&self.model_emb, b);
        let order = self.order_emb.forward(b.order.clone());
        let x = Tensor::cat(vec![models, order, b.lambda.clone(), b.solver.clone()], 2);
        let h = relu(self.step2.forward(relu(self.step1.forward(x))));
        let pooled = masked_mean(h, &b.mask);
        let steps = b.mask.clone().sum_dim(1) / b.max_steps as f32;
        self.head.forward(Tensor::cat(vec![pooled, steps], 1))
    }
}
