//! Warm start: continuing a member's training from its exported EMA weights when the run's
//! checkpoint set (trained weights, Adam's moments) is gone, e.g. on a fresh machine, where the
//! run folders of an earlier session are not kept.
//!
//! Not an exact resume: the trained weights restart at the EMA weights and Adam's moments at
//! zero, so the learning rate warms up again over the recipe's `warmup` steps (`step::lr_at`).
//! The step counter, the data order, the noise and the EMA's decay continue from the exported
//! step as they would have; the record says where the run was warm-started
//! ([`crate::TrainOutcome::warm_start`]).

use std::path::Path;

use burn::module::Module;

use oms_data::Dataset;
use oms_solver::ModelConvention;
use oms_zoo::Recipe;
use oms_zoo::unet::{RefineHead, UnetConfig};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{RECORD, read_record};
use crate::step::Stepper;
use crate::trainer::{TrainError, TrainOutcome, checkpoint, io};

/// Where a run was continued from exported weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// The step the exported weights were taken at: the run continues with the next one.
    pub step: usize,
    /// sha256 of the exported weights file.
    pub sha256: String,
    /// Module paths the exported weights did not have, started at their initialisation: the
    /// full-resolution head (`"refine"`) when a patched member gains one at the warm start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fresh: Vec<String>,
}

/// Starts the run folder `dir` from the EMA weights in `weights` (a member's exported
/// safetensors, as `train-zoo` writes them), as if its checkpoint were taken at `from.step`
/// after `from.seconds` of training: trained and averaged weights both set to `weights`, Adam
/// fresh. [`crate::train_unet`] then continues the run from there. Refuses a folder that holds
/// a checkpoint (resume that instead) and weights that do not fit `config`, except that a
/// refinement head `config` adds (`UnetConfig::refine`) may be missing from them: it starts at
/// its initialisation, whose output is zero, so the run continues the exported member's
/// predictions exactly and the record lists the head under `fresh`.
#[allow(clippy::too_many_arguments)]
pub fn warm_start_run(
    config: &UnetConfig,
    convention: &ModelConvention,
    recipe: &Recipe,
    data: &Dataset,
    dir: &Path,
    weights: &Path,
    from: &TrainOutcome,
    device: &burn::prelude::Device,
) -> Result<(), TrainError> {
    if let Some(record) = read_record(dir)? {
        return Err(io(
            &dir.join(RECORD),
            format!(
                "the run folder already holds a checkpoint at step {}: train without the warm start to resume it, or use another run folder",
                record.outcome.step
            ),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let sha256 = oms_zoo::checkpoint::file_sha256(weights).map_err(|e| io(weights, e))?;
    let mut stepper = Stepper::new(config, convention, recipe, data, device);
    let head: &[&str] = if config.refine.is_some() {
        &[RefineHead::PATH]
    } else {
        &[]
    };
    let fresh = oms_zoo::checkpoint::load_weights_except(stepper.model_mut(), weights, head)
        .map_err(|e| io(weights, e))?;
    stepper.ema.model = stepper.model().valid();
    let state = TrainOutcome {
        step: from.step,
        loss: from.loss,
        seconds: from.seconds,
        warm_start: Some(WarmStart {
            step: from.step,
            sha256,
            fresh,
        }),
        batch: Some(recipe.batch),
        lr: Some(recipe.lr),
    };
    checkpoint(
        dir,
        stepper.model(),
        &stepper.ema.model,
        &stepper.optim,
        &state,
    )
}
