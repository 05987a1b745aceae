//! One loop that runs any schedule with any solver (k-diffusion's sampler shape: a short
//! function over plain noise levels; the model schedule is just which denoiser each NFE calls).

use std::time::{Duration, Instant};

use burn::tensor::{Int, Tensor};
use oms_schedule::Schedule;
use oms_solver::{HistoryPolicy, StepPlan, convert, plan_step};

use crate::combine::{apply, lincomb};
use crate::denoiser::{Conditioning, Denoiser};
use crate::error::SampleError;
use crate::noise::NoiseSource;
use crate::zoo::Zoo;

/// Options of a sampling run.
#[derive(Debug, Clone)]
pub struct SamplerOptions {
    /// Multistep history across model switches (default [`HistoryPolicy::Keep`]).
    pub history: HistoryPolicy,
    /// Class conditioning and guidance for conditional models.
    pub conditioning: Option<Conditioning>,
    /// Stop with an error at the first NaN/Inf (one device read per NFE). Default on.
    pub check_finite: bool,
}

impl Default for SamplerOptions {
    fn default() -> Self {
        SamplerOptions {
            history: HistoryPolicy::Keep,
            conditioning: None,
            check_finite: true,
        }
    }
}

/// What the per-step callback sees.
#[derive(Debug, Clone)]
pub struct StepEvent<'a> {
    /// Index of the finished step.
    pub step: usize,
    /// Number of steps.
    pub steps: usize,
    /// NFEs done so far.
    pub nfe_done: usize,
    /// The models of the step's NFEs.
    pub models: &'a [String],
    /// The order the step actually ran at (multistep: after the history policy).
    pub order: u8,
    /// Time since the run started (not synchronised with the device unless `check_finite`).
    pub elapsed: Duration,
}

/// Runs schedules on a zoo.
pub struct Sampler<'a> {
    zoo: &'a Zoo,
    options: SamplerOptions,
}

/// An earlier multistep output.
struct Past {
    model: String,
    lambda: f64,
    output: Tensor<4>,
}

impl<'a> Sampler<'a> {
    /// A sampler over `zoo`.
    pub fn new(zoo: &'a Zoo, options: SamplerOptions) -> Self {
        Sampler { zoo, options }
    }

    /// Runs `schedule` from the initial sample `x` (standard normal noise at the schedule's first
    /// level) and returns the final sample. `on_step` is called after every step.
    pub fn sample(
        &self,
        schedule: &Schedule,
        mut x: Tensor<4>,
        noise: &mut dyn NoiseSource,
        on_step: &mut dyn FnMut(&StepEvent),
    ) -> Result<Tensor<4>, SampleError> {
        schedule.validate(&self.zoo.model_infos())?;
        let start = Instant::now();
        let mut history: Vec<Past> = Vec::new();
        let mut nfe_done = 0;
        for (i, step) in schedule.steps.iter().enumerate() {
            let order = self.effective_order(schedule, step, &history);
            let lambdas: Vec<f64> = history
                .iter()
                .take(order as usize - 1)
                .map(|p| p.lambda)
                .collect();
            let plan = plan_step(schedule.solver, i, step.from.0, step.to.0, order, &lambdas)?;
            let past: Vec<Tensor<4>> = history.iter().map(|p| p.output.clone()).collect();
            let outputs = self.run_stages(i, &plan, &step.models, &x, &past)?;
            x = apply(&plan.output, &x, &outputs, &past, &mut || {
                noise.step_noise(i, &x)
            });
            if self.options.check_finite && !all_finite(&x) {
                return Err(SampleError::NonFiniteSample {
                    step: i,
                    models: step.models.join(", "),
                });
            }
            if schedule.solver.is_multistep() {
                let output = outputs.into_iter().next().expect("one stage");
                history.insert(
                    0,
                    Past {
                        model: step.models[0].clone(),
                        lambda: step.from.0,
                        output,
                    },
                );
                history.truncate(2);
            }
            nfe_done += plan.stages.len();
            on_step(&StepEvent {
                step: i,
                steps: schedule.steps.len(),
                nfe_done,
                models: &step.models,
                order,
                elapsed: start.elapsed(),
            });
        }
        Ok(x)
    }

    /// The order a step runs at: as written, except that a multistep step under
    /// [`HistoryPolicy::Restart`] is capped by the history its model may use.
    fn effective_order(
        &self,
        schedule: &Schedule,
        step: &oms_schedule::Step,
        history: &[Past],
    ) -> u8 {
        if !schedule.solver.is_multistep() {
            return step.order;
        }
        let names: Vec<&str> = history.iter().map(|p| p.model.as_str()).collect();
        let usable = self.options.history.usable(&names, &step.models[0]);
        step.order.min(usable as u8 + 1)
    }

    fn run_stages(
        &self,
        step: usize,
        plan: &StepPlan,
        models: &[String],
        x: &Tensor<4>,
        past: &[Tensor<4>],
    ) -> Result<Vec<Tensor<4>>, SampleError> {
        let mut outputs: Vec<Tensor<4>> = Vec::with_capacity(plan.stages.len());
        for (k, stage) in plan.stages.iter().enumerate() {
            let input = apply(&stage.input, x, &outputs, past, &mut || {
                unreachable!("no noise in stages")
            });
            let name = &models[k];
            let model = self.zoo.get(name).expect("validated above");
            let raw = self.call(model, input.clone(), stage.lambda);
            if self.options.check_finite && !all_finite(&raw) {
                return Err(SampleError::NonFiniteOutput {
                    step,
                    model: name.clone(),
                    lambda: stage.lambda,
                });
            }
            let (c_x, c_out) = convert(model.convention().prediction, plan.target, stage.lambda);
            outputs.push(lincomb(&[(c_x, &input), (c_out, &raw)]));
        }
        Ok(outputs)
    }

    /// One (possibly guided) network evaluation at shared level `lambda`.
    fn call(&self, model: &dyn Denoiser, x: Tensor<4>, lambda: f64) -> Tensor<4> {
        let time_input = model.convention().call_at(lambda).time_input;
        let (Some(cond), Some(null)) = (&self.options.conditioning, model.null_label()) else {
            return model.forward(x, time_input, None);
        };
        if cond.scale == 1.0 {
            return model.forward(x, time_input, Some(cond.labels.clone()));
        }
        let batch = x.dims()[0];
        let nulls = Tensor::<1, Int>::full([batch], null, &cond.labels.device());
        let labels = Tensor::cat(vec![cond.labels.clone(), nulls], 0);
        let out = model.forward(Tensor::cat(vec![x.clone(), x], 0), time_input, Some(labels));
        let (c, u) = (out.clone().narrow(0, 0, batch), out.narrow(0, batch, batch));
        lincomb(&[(cond.scale, &c), (1.0 - cond.scale, &u)])
    }
}

/// NaN or Inf anywhere propagates into the sum: one reduction and one scalar read per check.
fn all_finite(t: &Tensor<4>) -> bool {
    t.clone().sum().into_scalar::<f64>().is_finite()
}
