//! What every stage of a search or an active-learning round shares: the zoo, its latency
//! profile, the slot space priced by it, the shared noise schedule and the start level.

use oms_latency::LatencyProfile;
use oms_schedule::{
    NoiseSchedule, NoiseSpec, Schedule, SingleModel, SlotEncoding, Solver, TimeGrid,
};
use oms_search::Genome;
use oms_space::SlotSpace;
use oms_zoo::ZooManifest;

use crate::{PipelineError, Result};

/// The zoo and its cost model.
pub struct Setup {
    /// The zoo.
    pub manifest: ZooManifest,
    /// Cost model and its provenance.
    pub profile: LatencyProfile,
    /// Slot space priced by the profile.
    pub space: SlotSpace,
    /// Shared noise schedule of the slot boundaries (linear VP).
    pub noise: NoiseSchedule,
    /// First step's lambda ([`start_lambda`]).
    pub lambda_start: f64,
}

impl Setup {
    /// `k_slots` slots over `manifest`'s members priced by `profile`.
    pub fn new(manifest: ZooManifest, profile: LatencyProfile, k_slots: usize) -> Result<Self> {
        let space = SlotSpace::new(k_slots, manifest.names(), &profile.table)?;
        let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
        let lambda_start = start_lambda(&manifest, &noise);
        Ok(Setup {
            manifest,
            profile,
            space,
            noise,
            lambda_start,
        })
    }

    /// The schedule of a genome.
    pub fn schedule(&self, g: &Genome) -> Result<Schedule> {
        Ok(g.schedule(&self.space.models, &self.noise, self.lambda_start)?)
    }

    /// The table cost of slots, ms per batch.
    pub fn cost(&self, slots: &SlotEncoding) -> f64 {
        self.space.cost(slots)
    }
}

/// Where slot schedules over `manifest` start: `lambda(1)` of `noise`, or the noisiest level
/// every member is trained for if that is less noisy ([`NoiseSchedule::start_lambda`]).
pub fn start_lambda(manifest: &ZooManifest, noise: &NoiseSchedule) -> f64 {
    noise.start_lambda(manifest.model_infos().iter().map(|m| m.lambda_min))
}

/// One member alone: solver and order, NFEs, step placement and the clean end (`None`: the
/// solver's default).
#[derive(Debug, Clone)]
pub struct SingleSpec {
    /// Solver.
    pub solver: Solver,
    /// Step order.
    pub order: u8,
    /// Model evaluations.
    pub nfe: usize,
    /// Step placement.
    pub grid: TimeGrid,
    /// Time of the clean end.
    pub t_end: Option<f64>,
}

/// The schedule of member `model` of `manifest` alone, on the linear VP levels from the noisiest
/// level it is trained for; an unknown member is an error listing the zoo's members.
pub fn single_model(manifest: &ZooManifest, model: &str, spec: &SingleSpec) -> Result<Schedule> {
    let Some(member) = manifest.members.iter().find(|m| m.name == model) else {
        return Err(PipelineError::Invalid(format!(
            "unknown model '{model}' in {}; the zoo has: {}",
            manifest.path.display(),
            manifest.names().join(", ")
        )));
    };
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let built = SingleModel {
        solver: spec.solver,
        model,
        nfe: spec.nfe,
        order: spec.order,
        grid: spec.grid.clone(),
        noise: &noise,
        lambda_start: noise.start_lambda([member.convention.lambda_min()]),
        t_end: spec.t_end,
    };
    Ok(built.build()?)
}
