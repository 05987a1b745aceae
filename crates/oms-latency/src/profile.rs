//! The latency table of a zoo on one device and batch size: every member's forward, the
//! sampler's own cost per NFE and the extra cost of switching models between consecutive NFEs.
//! The table is what the search's cost model reads (`oms_schedule::LatencyTable::cost`).

use std::collections::BTreeMap;

use burn::tensor::{Device, Int, Tensor};
use oms_sampler::{Denoiser, SampleError, Sampler, SamplerOptions, SeededNoise, Zoo};
use oms_schedule::{
    LatencyTable, NoiseSchedule, NoiseSpec, Schedule, ScheduleError, SingleModel, Solver, TimeGrid,
};
use oms_solver::ModelConvention;
use serde::{Deserialize, Serialize};

use crate::timing::{Budget, Timing, measure};

/// Version of the latency file format.
pub const FORMAT_VERSION: u32 = 1;

/// Where and how a table was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileInfo {
    /// `--device` as given (`cpu`, `wgpu`, `cuda`).
    pub device: String,
    /// burn backend and its device, e.g. `flex Device<Flex(Cpu)>`.
    pub backend: String,
    /// Element type of the forward passes.
    pub dtype: String,
    /// burn version the numbers were measured with.
    pub burn_version: String,
    /// CPU or GPU model.
    pub hardware: String,
    /// UTC date and time of the measurement (RFC 3339).
    pub date: String,
    /// Images per forward.
    pub batch: usize,
    /// `[C, H, W]` of one image.
    pub image_shape: [usize; 3],
}

/// One timed quantity and how well it is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// Median, milliseconds.
    pub median_ms: f64,
    /// Robust standard deviation of one run, milliseconds.
    pub std_ms: f64,
    /// 95% half-width of the median relative to it.
    pub rel_half_width: f64,
    /// Timed runs.
    pub runs: usize,
    /// Runs far from the median (reported, not removed: the median ignores them).
    pub outliers_ms: Vec<f64>,
}

impl From<&Timing> for Measured {
    fn from(t: &Timing) -> Self {
        Self {
            median_ms: t.median_ms(),
            std_ms: t.robust_std_ms(),
            rel_half_width: t.rel_half_width(),
            runs: t.runs_ms.len(),
            outliers_ms: t.outliers_ms(),
        }
    }
}

/// A latency file: the table, its provenance and the measurements behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyProfile {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Provenance.
    pub info: ProfileInfo,
    /// What the cost model reads.
    pub table: LatencyTable,
    /// Forward time of every member (one forward of the batch).
    pub forward: BTreeMap<String, Measured>,
    /// A 20-NFE sampling run with a zero-cost model (the sampler's own work).
    pub sampler: Measured,
    /// Solver and order of the sampler measurement.
    pub sampler_solver: String,
    /// The two members whose alternation measured the switch cost.
    pub switch_pair: (String, String),
    /// Extra milliseconds per switch before clipping at zero.
    pub switch_raw_ms: f64,
}

/// Errors of profiling.
#[derive(Debug, thiserror::Error)]
pub enum LatencyError {
    /// The zoo has no members.
    #[error("the zoo has no members to profile")]
    EmptyZoo,
    /// A schedule could not be built.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Sampling failed.
    #[error(transparent)]
    Sample(#[from] SampleError),
}

/// Forward of `model` on a batch at a mid noise level, ended by a device sync.
pub fn forward_timing(
    model: &dyn Denoiser,
    batch: usize,
    shape: [usize; 3],
    device: &Device,
    budget: &Budget,
) -> Timing {
    let x = Tensor::<4>::zeros([batch, shape[0], shape[1], shape[2]], device);
    let t_input = model.convention().call_at(0.0).time_input;
    measure(budget, || {
        sync(model.forward(x.clone(), t_input, None), device);
    })
}

/// Forces the computation of `y` and waits for the device.
fn sync(y: Tensor<4>, device: &Device) {
    let _ = y.slice([0..1, 0..1, 0..1, 0..1]).into_scalar::<f32>();
    let _ = device.sync();
}

/// One batch through `schedule` from fixed initial noise `x`, ended by a device sync.
pub fn schedule_timing(
    sampler: &Sampler,
    schedule: &Schedule,
    x: &Tensor<4>,
    device: &Device,
    budget: &Budget,
) -> Result<Timing, SampleError> {
    let mut error = None;
    let timing = measure(budget, || {
        match sampler.sample(schedule, x.clone(), &mut SeededNoise::new(0), &mut |_| {}) {
            Ok(y) => sync(y, device),
            Err(e) => error = Some(e),
        }
    });
    error.map_or(Ok(timing), Err)
}

/// A single-model schedule of `nfe` evaluations on the lambda-uniform grid of the linear VP
/// schedule, starting where every member of `zoo` was trained.
pub fn base_schedule(
    zoo: &Zoo,
    solver: Solver,
    order: u8,
    nfe: usize,
) -> Result<Schedule, LatencyError> {
    let names = zoo.names();
    let first = names.first().ok_or(LatencyError::EmptyZoo)?;
    let noise =
        NoiseSchedule::new(NoiseSpec::linear_vp()).expect("the linear VP schedule is valid");
    let lambda_start = noise.start_lambda(
        names
            .iter()
            .filter_map(|n| zoo.get(n))
            .map(|m| m.convention().lambda_min()),
    );
    let spec = SingleModel {
        solver,
        model: first,
        nfe,
        order,
        grid: TimeGrid::UniformLambda,
        noise: &noise,
        lambda_start,
        t_end: None,
    };
    Ok(spec.build()?)
}

/// A denoiser that returns its input: sampling with it times only the sampler.
pub struct ZeroCost(pub ModelConvention);

impl Denoiser for ZeroCost {
    fn convention(&self) -> &ModelConvention {
        &self.0
    }
    fn forward(&self, x: Tensor<4>, _: f64, _: Option<Tensor<1, Int>>) -> Tensor<4> {
        x
    }
}

/// The sampler's own time for a 20-NFE DPM-Solver-2 run with a zero-cost model.
pub fn sampler_timing(
    batch: usize,
    shape: [usize; 3],
    device: &Device,
    budget: &Budget,
) -> Result<(Timing, usize), LatencyError> {
    let mut zoo = Zoo::new();
    zoo.push("zero", Box::new(ZeroCost(ModelConvention::reference())))?;
    let schedule = base_schedule(&zoo, Solver::DpmSolver, 2, 20)?;
    let sampler = Sampler::new(&zoo, SamplerOptions::default());
    let x = Tensor::<4>::zeros([batch, shape[0], shape[1], shape[2]], device);
    let timing = schedule_timing(&sampler, &schedule, &x, device, budget)?;
    Ok((timing, schedule.nfe()))
}
