//! The training loop of a UNet member, resumable from its run folder:
//! `model.safetensors`, `ema.safetensors`, `optim.bpk` and `state.json` (written last, so a
//! checkpoint counts only once all its files are in place).

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::prelude::*;
use burn::store::{BurnpackStore, ModuleSnapshot};
use oms_data::Dataset;
use oms_solver::ModelConvention;
use oms_zoo::unet::{Unet, UnetConfig};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::checkpoint::{Content, Part, read_set, write_set};
use crate::step::Stepper;
use crate::warm::WarmStart;
use oms_zoo::Recipe;

/// Reported after every step.
#[derive(Debug, Clone)]
pub struct Progress {
    /// Steps done.
    pub step: usize,
    /// Total steps.
    pub steps: usize,
    /// Smoothed loss.
    pub loss: f64,
    /// This step's loss.
    pub step_loss: f64,
    /// Training throughput since start or resume.
    pub images_per_s: f64,
}

/// What a finished run reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainOutcome {
    /// Steps done.
    pub step: usize,
    /// Smoothed loss at the end (EMA 0.95 of per-step losses).
    pub loss: f64,
    /// Wall seconds over all sessions of the run.
    pub seconds: f64,
    /// Where the run was continued from exported weights ([`crate::warm_start_run`]); absent
    /// in runs that kept their checkpoint sets from the first step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start: Option<WarmStart>,
    /// Images per step of the run ([`oms_zoo::Recipe::at_batch`]); absent in records written
    /// before the batch could differ from the manifest recipe's, which trained at that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    /// Peak learning rate of the run (the batch's rule applied); absent in records of the same
    /// earlier versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lr: Option<f64>,
}

/// Why training stopped.
#[derive(Debug, Error)]
pub enum TrainError {
    /// File system.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        message: String,
    },
    /// A run folder resumed at another batch or learning rate than it was trained at.
    #[error(
        "{}: the run was trained at {what} {trained}, not {asked}: resume it at {what} {trained}, or continue its exported weights in a new run folder (warm start)",
        dir.display()
    )]
    Recipe {
        /// The run folder.
        dir: PathBuf,
        /// `batch` or `learning rate`.
        what: &'static str,
        /// Its checkpoint's value.
        trained: String,
        /// The value asked for.
        asked: String,
    },
    /// The loss diverged.
    #[error("step {step}: the loss is {loss}; lower the learning rate or the gradient clip")]
    NonFinite {
        /// Step.
        step: usize,
        /// The loss.
        loss: f64,
    },
}

pub(crate) fn io(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Loads weights into `m` through [`oms_zoo::checkpoint::load_weights`] (every tensor present,
/// none unused or mismatched).
pub(crate) fn load_module<M: ModuleSnapshot>(m: &mut M, path: &Path) -> Result<(), TrainError> {
    oms_zoo::checkpoint::load_weights(m, path).map_err(|e| io(path, e))
}

/// The trained (not averaged) weights with their parameter ids, from the burnpack `bpk`; runs of
/// early versions left `model.safetensors` beside it instead (ids lost: Adam's moments restart).
fn load_trained(model: &mut Unet, bpk: &Path) -> Result<(), TrainError> {
    if !bpk.is_file() {
        return load_module(model, &bpk.with_file_name("model.safetensors"));
    }
    let mut store = BurnpackStore::from_file(bpk)
        .auto_extension(false)
        .allow_partial(false);
    let result = model.load_from(&mut store).map_err(|e| io(bpk, e))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        return Err(io(
            bpk,
            format!("missing {:?}, errors {:?}", result.missing, result.errors),
        ));
    }
    Ok(())
}

/// Trains (or resumes) a UNet member in `dir`; returns the EMA weights.
pub fn train_unet(
    config: &UnetConfig,
    convention: &ModelConvention,
    recipe: &Recipe,
    data: &Dataset,
    dir: &Path,
    device: &Device,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<(Unet, TrainOutcome), TrainError> {
    recipe
        .check_steps(recipe.steps)
        .map_err(|message| io(dir, message))?;
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let resume = read_set(dir, &LEGACY_PARTS)?;
    if let Some((record, _)) = &resume {
        check_recipe(dir, &record.outcome, recipe)?;
    }
    let mut stepper = Stepper::new(config, convention, recipe, data, device);
    let mut state = TrainOutcome {
        step: 0,
        loss: f64::NAN,
        seconds: 0.0,
        warm_start: None,
        batch: Some(recipe.batch),
        lr: Some(recipe.lr),
    };
    if let Some((record, files)) = resume {
        state = record.outcome;
        (state.batch, state.lr) = (Some(recipe.batch), Some(recipe.lr));
        load_trained(stepper.model_mut(), &files["model"])?;
        load_module(&mut stepper.ema.model, &files["ema"])?;
        let opt = &files["optim"];
        stepper.optim = stepper
            .optim
            .load(opt)
            .map_err(|e| io(opt, format!("{e:?}")))?;
        stepper.rewarm_from = state.warm_start.as_ref().map(|w| w.step);
    }
    let (start, start_step) = (Instant::now(), state.step);
    while state.step < recipe.steps {
        let value = stepper.step(state.step)?;
        state.loss = if state.loss.is_finite() {
            0.95 * state.loss + 0.05 * value
        } else {
            value
        };
        state.step += 1;
        let elapsed = start.elapsed().as_secs_f64();
        let ips = ((state.step - start_step) * recipe.batch) as f64 / elapsed.max(1e-9);
        on_progress(&Progress {
            step: state.step,
            steps: recipe.steps,
            loss: state.loss,
            step_loss: value,
            images_per_s: ips,
        });
        if state.step.is_multiple_of(recipe.checkpoint_every) || state.step == recipe.steps {
            let mut saved = state.clone();
            saved.seconds += elapsed;
            checkpoint(
                dir,
                stepper.model(),
                &stepper.ema.model,
                &stepper.optim,
                &saved,
            )?;
        }
    }
    state.seconds += start.elapsed().as_secs_f64();
    Ok((stepper.ema.model, state))
}

/// Refuses to resume a checkpoint at another batch or peak learning rate than its record's
/// (records of earlier versions say neither and are not checked).
fn check_recipe(dir: &Path, saved: &TrainOutcome, recipe: &Recipe) -> Result<(), TrainError> {
    let mismatch = |what, trained: String, asked: String| TrainError::Recipe {
        dir: dir.to_owned(),
        what,
        trained,
        asked,
    };
    if let Some(b) = saved.batch.filter(|&b| b != recipe.batch) {
        return Err(mismatch("batch", b.to_string(), recipe.batch.to_string()));
    }
    if let Some(lr) = saved
        .lr
        .filter(|&lr| (lr - recipe.lr).abs() > 1e-9 * lr.abs())
    {
        return Err(mismatch(
            "learning rate",
            lr.to_string(),
            recipe.lr.to_string(),
        ));
    }
    Ok(())
}

/// Mean squared error, each image weighted by the recipe's [`oms_zoo::LossWeight`] (the uniform weight
/// multiplies nothing, so uniform runs are unchanged bit for bit).
pub(crate) fn weighted_loss(
    pred: Tensor<4>,
    target: Tensor<4>,
    snr: &[f64],
    recipe: &Recipe,
    convention: &ModelConvention,
    device: &Device,
) -> Tensor<1> {
    let sq = (pred - target).powi_scalar(2);
    if recipe.loss_weight.is_uniform() {
        return sq.mean();
    }
    let w: Vec<f32> = snr
        .iter()
        .map(|&s| recipe.loss_weight.weight(s, convention.prediction) as f32)
        .collect();
    let w = Tensor::<1>::from_data(TensorData::new(w, [snr.len()]), device);
    (sq * w.reshape([snr.len(), 1, 1, 1])).mean()
}

/// The parts of earlier versions' checkpoints, by role: fixed names.
const LEGACY_PARTS: [(&str, &str); 3] =
    [("model", "bpk"), ("ema", "safetensors"), ("optim", "bpk")];

/// One checkpoint set ([`crate::checkpoint`]): trained weights as burnpack (it keeps parameter
/// ids, which the optimizer state is keyed by), EMA weights, optimizer state, then the record.
pub(crate) fn checkpoint(
    dir: &Path,
    model: &Unet,
    ema: &Unet,
    optim: &burn::optim::ModuleOptimizer,
    state: &TrainOutcome,
) -> Result<(), TrainError> {
    let other = |e: &dyn std::fmt::Debug| std::io::Error::other(format!("{e:?}"));
    let write_model = |tmp: &Path| {
        let mut store = BurnpackStore::from_file(tmp)
            .auto_extension(false)
            .overwrite(true);
        model.save_into(&mut store).map_err(|e| other(&e))
    };
    let ema = oms_zoo::checkpoint::safetensors_bytes(ema).map_err(|e| io(dir, e))?;
    let write_optim = |tmp: &Path| optim.save(tmp).map_err(|e| other(&e));
    let parts = [
        Part {
            role: "model",
            ext: "bpk",
            content: Content::Writer(&write_model),
        },
        Part {
            role: "ema",
            ext: "safetensors",
            content: Content::Bytes(ema),
        },
        Part {
            role: "optim",
            ext: "bpk",
            content: Content::Writer(&write_optim),
        },
    ];
    write_set(dir, state, &parts)
}

pub(crate) fn labels_with_drop(
    data: &Dataset,
    idx: &[usize],
    config: &UnetConfig,
    recipe: &Recipe,
    step: usize,
    device: &Device,
) -> Tensor<1, Int> {
    use rand::{Rng, SeedableRng};
    let null = config.num_classes.expect("conditional") as i64;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(recipe.seed ^ 0x1abe1);
    rng.set_stream(step as u64);
    let v: Vec<i64> = idx
        .iter()
        .map(|&i| {
            if rng.random::<f64>() < recipe.label_drop {
                null
            } else {
                data.labels[i] as i64
            }
        })
        .collect();
    Tensor::from_data(TensorData::new(v, [idx.len()]), device)
}
