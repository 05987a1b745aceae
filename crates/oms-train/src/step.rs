//! One training step of a UNet member, shared by the training loop ([`crate::train_unet`]) and
//! its throughput measurement ([`measure_throughput`]), so that what is timed is what trains.

use std::time::Instant;

use burn::module::Module;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use oms_data::Dataset;
use oms_solver::ModelConvention;
use oms_zoo::Recipe;
use oms_zoo::unet::{Unet, UnetConfig};
use serde::{Deserialize, Serialize};

use crate::ema::Ema;
use crate::loss::{NoiseLevels, diffusion_batch};
use crate::trainer::{TrainError, labels_with_drop, weighted_loss};

/// A member's training state: trained weights, their EMA and Adam, on an autodiff device.
pub(crate) struct Stepper<'a> {
    config: &'a UnetConfig,
    convention: &'a ModelConvention,
    recipe: &'a Recipe,
    data: &'a Dataset,
    ad: Device,
    /// The trained weights; `None` only inside [`Stepper::step`], while Adam owns them.
    model: Option<Unet>,
    pub(crate) ema: Ema<Unet>,
    pub(crate) optim: ModuleOptimizer,
    /// The step a warm-started run continued at ([`crate::warm_start_run`]): the learning rate
    /// warms up again from there, since Adam's moments start from zero.
    pub(crate) rewarm_from: Option<usize>,
    /// The epoch whose permutation `order` holds.
    epoch: usize,
    order: Vec<usize>,
}

impl<'a> Stepper<'a> {
    /// A fresh initialisation from the recipe's seed.
    pub(crate) fn new(
        config: &'a UnetConfig,
        convention: &'a ModelConvention,
        recipe: &'a Recipe,
        data: &'a Dataset,
        device: &Device,
    ) -> Self {
        let ad = device.clone().autodiff();
        ad.seed(recipe.seed);
        let model: Unet = config.init(&ad);
        let ema = Ema::new(model.valid(), recipe.ema_decay);
        let clip = GradientClippingConfig::Norm(recipe.grad_clip as f32);
        let optim = AdamConfig::new().with_grad_clipping(Some(clip)).init();
        Stepper {
            config,
            convention,
            recipe,
            data,
            ad,
            model: Some(model),
            ema,
            optim,
            rewarm_from: None,
            epoch: usize::MAX,
            order: vec![],
        }
    }

    /// Training step `step` (0-based; it picks the images, the noise and the learning rate):
    /// forward, loss, backward, Adam, EMA. Returns the step's loss, read back from the device.
    pub(crate) fn step(&mut self, step: usize) -> Result<f64, TrainError> {
        let (recipe, data) = (self.recipe, self.data);
        let indices: Vec<usize> = (0..recipe.batch)
            .map(|k| {
                let p = step * recipe.batch + k;
                let epoch = p / data.len();
                if self.epoch != epoch {
                    self.epoch = epoch;
                    self.order = data.shuffled(recipe.seed.wrapping_add(epoch as u64));
                }
                self.order[p % data.len()]
            })
            .collect();
        let shape = [recipe.batch, 1, data.rows, data.cols];
        let (convention, ad) = (self.convention, &self.ad);
        let b = diffusion_batch(
            data.batch_f32(&indices),
            shape,
            convention,
            NoiseLevels {
                t_min: recipe.t_min,
                sampling: recipe.time_sampling,
            },
            recipe.seed,
            step,
            ad,
        );
        let labels = self
            .config
            .num_classes
            .map(|_| labels_with_drop(data, &indices, self.config, recipe, step, ad));
        let model = self.model.take().expect("weights present between steps");
        let pred = model.forward(b.x_t, b.time_input, labels);
        let loss = weighted_loss(pred, b.target, &b.snr, recipe, convention, ad);
        let value = loss.clone().into_scalar::<f64>();
        if !value.is_finite() {
            self.model = Some(model);
            return Err(TrainError::NonFinite { step, loss: value });
        }
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let model = self
            .optim
            .step(lr_at(recipe, step, self.rewarm_from), model, grads);
        self.ema.update(&model.valid(), step);
        self.model = Some(model);
        Ok(value)
    }

    /// The trained (not averaged) weights.
    pub(crate) fn model(&self) -> &Unet {
        self.model.as_ref().expect("weights present between steps")
    }

    /// The trained weights, to load a checkpoint into.
    pub(crate) fn model_mut(&mut self) -> &mut Unet {
        self.model.as_mut().expect("weights present between steps")
    }
}

/// The recipe's learning rate at `step`, times a second linear warm-up over `recipe.warmup`
/// steps from `rewarm_from` when the run was warm-started there.
pub(crate) fn lr_at(recipe: &Recipe, step: usize, rewarm_from: Option<usize>) -> f64 {
    let lr = recipe.lr_at(step);
    match rewarm_from {
        Some(from) if step >= from && recipe.warmup > 0 => {
            lr * ((step - from + 1) as f64 / recipe.warmup as f64).min(1.0)
        }
        _ => lr,
    }
}

/// Measured training speed of one member at the recipe's batch size.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Throughput {
    /// Images per training step.
    pub batch: usize,
    /// Untimed steps first (kernel compilation, autotuning, allocator warm-up).
    pub warmup_steps: usize,
    /// Timed steps.
    pub steps: usize,
    /// Wall seconds of the timed steps.
    pub seconds: f64,
    /// Training images per second over the timed steps.
    pub images_per_s: f64,
    /// Milliseconds per step.
    pub ms_per_step: f64,
}

/// Times `steps` training steps after `warmup` untimed ones, from a fresh initialisation, with
/// exactly the step [`crate::train_unet`] runs (real images, the member's loss, Adam, EMA, the
/// loss read back every step, which also waits for the device). Nothing is written.
pub fn measure_throughput(
    config: &UnetConfig,
    convention: &ModelConvention,
    recipe: &Recipe,
    data: &Dataset,
    device: &Device,
    warmup: usize,
    steps: usize,
) -> Result<Throughput, TrainError> {
    let mut stepper = Stepper::new(config, convention, recipe, data, device);
    for step in 0..warmup {
        stepper.step(step)?;
    }
    let start = Instant::now();
    for step in warmup..warmup + steps {
        stepper.step(step)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(Throughput {
        batch: recipe.batch,
        warmup_steps: warmup,
        steps,
        seconds,
        images_per_s: (steps * recipe.batch) as f64 / seconds.max(1e-9),
        ms_per_step: 1e3 * seconds / steps.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_warm_started_run_warms_its_learning_rate_up_again() {
        let recipe = Recipe {
            steps: 100,
            batch: 8,
            lr: 1e-3,
            warmup: 4,
            ema_decay: 0.9,
            grad_clip: 1.0,
            seed: 1,
            checkpoint_every: 10,
            t_min: 1e-3,
            label_drop: 0.0,
            loss_weight: oms_zoo::LossWeight::Uniform,
            cooldown: None,
            time_sampling: Default::default(),
        };
        let lr = |step, from| lr_at(&recipe, step, from);
        assert_eq!(lr(0, None), 2.5e-4);
        assert_eq!(lr(50, None), 1e-3);
        assert_eq!(lr(50, Some(50)), 2.5e-4);
        assert_eq!(lr(51, Some(50)), 5e-4);
        assert_eq!(lr(53, Some(50)), 1e-3);
        assert_eq!(lr(90, Some(50)), 1e-3);
    }
}
