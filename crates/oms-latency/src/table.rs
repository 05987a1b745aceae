//! `profile_zoo`: measures every member, the sampler and the switch cost, and assembles the
//! latency table.

use std::collections::BTreeMap;

use burn::tensor::{Device, Tensor};
use oms_sampler::{Sampler, SamplerOptions, Zoo};
use oms_schedule::{LatencyTable, Solver};

use crate::profile::{
    FORMAT_VERSION, LatencyError, LatencyProfile, Measured, ProfileInfo, base_schedule,
    forward_timing, sampler_timing, schedule_timing,
};
use crate::timing::{Budget, median};

/// NFEs of each run of the switch measurement.
const SWITCH_NFE: usize = 8;

/// Extra milliseconds per model switch: `SWITCH_NFE` first-order NFEs alternating between `a`
/// and `b` against the same NFEs in two blocks (one switch), from the same noise. Runs of the
/// two kinds are interleaved so that drift of the machine affects both alike.
pub fn switch_cost(
    zoo: &Zoo,
    pair: (&str, &str),
    shape: [usize; 3],
    batch: usize,
    device: &Device,
    budget: &Budget,
) -> Result<f64, LatencyError> {
    let base = base_schedule(zoo, Solver::DpmSolver, 1, SWITCH_NFE)?;
    let assign = |f: &dyn Fn(usize) -> bool| {
        let mut s = base.clone();
        for (i, step) in s.steps.iter_mut().enumerate() {
            step.models = vec![if f(i) { pair.0 } else { pair.1 }.to_string()];
        }
        s
    };
    let alternating = assign(&|i| i % 2 == 0);
    let blocks = assign(&|i| i < SWITCH_NFE / 2);
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let x = Tensor::<4>::zeros([batch, shape[0], shape[1], shape[2]], device);
    let once = Budget {
        warmup: 0,
        min_runs: 1,
        max_runs: 1,
        ..*budget
    };
    let rounds = budget.min_runs.max(3);
    let (mut alt, mut blk) = (vec![], vec![]);
    for r in 0..rounds + budget.warmup.min(1) {
        let a = schedule_timing(&sampler, &alternating, &x, device, &once)?;
        let b = schedule_timing(&sampler, &blocks, &x, device, &once)?;
        if r >= budget.warmup.min(1) {
            alt.push(a.median_ms());
            blk.push(b.median_ms());
        }
    }
    let extra_switches = (SWITCH_NFE - 2) as f64;
    Ok((median(&alt) - median(&blk)) / extra_switches)
}

/// The latency profile of every member of `zoo` at `info.batch`. `progress` hears the name of
/// each measurement as it starts.
pub fn profile_zoo(
    zoo: &Zoo,
    info: ProfileInfo,
    device: &Device,
    budget: &Budget,
    progress: &mut dyn FnMut(&str),
) -> Result<LatencyProfile, LatencyError> {
    let names = zoo.names();
    if names.is_empty() {
        return Err(LatencyError::EmptyZoo);
    }
    let (batch, shape) = (info.batch, info.image_shape);
    let mut forward = BTreeMap::new();
    for name in &names {
        progress(name);
        let model = zoo.get(name).expect("listed member");
        let timing = forward_timing(model, batch, shape, device, budget);
        forward.insert(name.clone(), Measured::from(&timing));
    }
    progress("sampler");
    let (timing, nfe) = sampler_timing(batch, shape, device, budget)?;
    let sampler = Measured::from(&timing);
    let mut by_speed = names.clone();
    by_speed.sort_by(|a, b| forward[a].median_ms.total_cmp(&forward[b].median_ms));
    let pair = (
        by_speed[0].clone(),
        by_speed.get(1).unwrap_or(&by_speed[0]).clone(),
    );
    progress("switch");
    let switch_raw_ms = if pair.0 == pair.1 {
        0.0
    } else {
        switch_cost(zoo, (&pair.0, &pair.1), shape, batch, device, budget)?
    };
    let table = LatencyTable {
        batch,
        per_nfe_ms: forward
            .iter()
            .map(|(k, m)| (k.clone(), m.median_ms))
            .collect(),
        switch_ms: switch_raw_ms.max(0.0),
        sampler_ms_per_nfe: sampler.median_ms / nfe as f64,
    };
    Ok(LatencyProfile {
        format_version: FORMAT_VERSION,
        info,
        table,
        forward,
        sampler,
        sampler_solver: format!("DPM-Solver-2, {nfe} NFE"),
        switch_pair: pair,
        switch_raw_ms,
    })
}
