//! A trained predictor on disk: `DIR/predictor.ron` (architecture, encoding, training settings
//! and held-out metrics) next to `DIR/predictor.safetensors` (weights).

use std::path::Path;

use burn::prelude::*;
use oms_schedule::{NoiseSchedule, NoiseSpec, Schedule};
use serde::{Deserialize, Serialize};

use crate::PredictorError;
use crate::encode::{EncodingSpec, Tokens, tokens};
use crate::fast::FastLstm;
use crate::net::{NetConfig, PredictorNet};
use crate::train::{TrainConfig, predict};

/// Version of `predictor.ron`.
pub const FORMAT_VERSION: u32 = 1;

/// The description of a trained predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictorInfo {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Architecture.
    pub net: NetConfig,
    /// Model names and normalisation.
    pub spec: EncodingSpec,
    /// Noise schedule of the time features.
    pub noise: NoiseSpec,
    /// How it was trained.
    pub train: TrainConfig,
    /// Label file and its run key.
    pub labels: String,
    /// Held-out metrics (`kendall_tau_b`, `spearman_rho`, `top10_precision`, counts).
    pub metrics: serde_json::Value,
}

/// A loaded predictor.
pub struct Predictor {
    /// Description.
    pub info: PredictorInfo,
    /// Network.
    pub net: PredictorNet,
    noise: NoiseSchedule,
    /// The tabulated CPU inference of the reference LSTM (exact; see [`FastLstm`]).
    fast: Option<FastLstm>,
}

impl Predictor {
    /// Wraps a trained network.
    pub fn new(info: PredictorInfo, net: PredictorNet) -> Result<Self, PredictorError> {
        let noise = NoiseSchedule::new(info.noise.clone())?;
        let fast = match &net {
            PredictorNet::Lstm(lstm) => Some(FastLstm::new(lstm, &info.spec)),
            PredictorNet::Mlp(_) => None,
        };
        Ok(Predictor {
            info,
            net,
            noise,
            fast,
        })
    }

    /// Tokens of a schedule under this predictor's encoding.
    pub fn tokens(&self, schedule: &Schedule) -> Result<Tokens, PredictorError> {
        tokens(schedule, &self.info.spec, &self.noise)
    }

    /// Scores (lower = better) of many schedules' tokens: the reference LSTM through
    /// [`FastLstm`] on the CPU, other encoders through burn on `device`.
    pub fn scores(&self, items: &[&Tokens], device: &Device) -> Vec<f64> {
        match &self.fast {
            Some(fast) => fast.scores(items),
            None => predict(&self.net, items, &self.info.spec, device, 4096),
        }
    }

    /// Writes `dir/predictor.ron` and `dir/predictor.safetensors` (each atomically).
    pub fn save(&self, dir: &Path) -> Result<(), PredictorError> {
        let weights = dir.join("predictor.safetensors");
        oms_zoo::checkpoint::save_weights(&self.net, &weights)?;
        let path = dir.join("predictor.ron");
        let text = ron::ser::to_string_pretty(&self.info, ron::ser::PrettyConfig::default())
            .map_err(|e| file(&path, e))?;
        oms_artifacts::write_atomic(&path, text.as_bytes()).map_err(|e| file(&path, e))
    }

    /// Reads a predictor written by [`Predictor::save`].
    pub fn load(dir: &Path, device: &Device) -> Result<Self, PredictorError> {
        let ron_path = dir.join("predictor.ron");
        let text = std::fs::read_to_string(&ron_path).map_err(|e| {
            file(
                &ron_path,
                format!("{e}; train one with `cargo xtask train-predictor`"),
            )
        })?;
        let info: PredictorInfo = ron::from_str(&text).map_err(|e| file(&ron_path, e))?;
        if info.format_version != FORMAT_VERSION {
            return Err(file(
                &ron_path,
                format!(
                    "format version {} is not {FORMAT_VERSION}; retrain the predictor",
                    info.format_version
                ),
            ));
        }
        let mut net = info.net.init(device);
        let weights = dir.join("predictor.safetensors");
        oms_zoo::checkpoint::load_weights(&mut net, &weights)?;
        Predictor::new(info, net)
    }
}

fn file(path: &Path, e: impl std::fmt::Display) -> PredictorError {
    PredictorError::File {
        path: path.to_owned(),
        message: e.to_string(),
    }
}
