//! `cargo xtask schedule import --sigmas` and `schedule sigmas`: schedules to and from
//! k-diffusion / Align Your Steps sigma lists (`oms_schedule::sigmas` holds the arithmetic).

use std::path::Path;

use anyhow::{Context, Result, bail};
use oms_artifacts::write_atomic;
use oms_pipeline::report::read_schedule;
use oms_schedule::{Schedule, SolverName, sigma_of_lambda};
use oms_solver::plan_step;
use oms_zoo::ZooManifest;
use serde_json::{Value, json};

/// A schedule from a comma-separated sigma list, one or per-step models, an order and a solver.
pub fn import(
    sigmas: &str,
    models: Option<&str>,
    order: Option<u8>,
    solver: SolverName,
    eta: f64,
) -> Result<Schedule> {
    let values = sigmas
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<f64>()
                .with_context(|| format!("'{s}' in --sigmas is not a number"))
        })
        .collect::<Result<Vec<f64>>>()?;
    let models: Vec<String> = models
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    let (solver, order) = solver.resolve(eta, order, 2).map_err(anyhow::Error::msg)?;
    Ok(Schedule::from_sigmas(solver, &values, order, &models)?)
}

/// Writes `schedule`'s sigma list and every NFE's model, level, sigma, time and time input.
pub fn export(zoo: &Path, schedule: &Path, out: Option<&Path>) -> Result<()> {
    let manifest = ZooManifest::load(zoo)?;
    let s = read_schedule(schedule)?;
    s.validate(&manifest.model_infos())
        .with_context(|| format!("{} against {}", schedule.display(), zoo.display()))?;
    let nfes = nfe_levels(&s)?
        .into_iter()
        .map(|(step, model, lambda)| {
            let Some(member) = manifest.members.iter().find(|m| m.name == model) else {
                bail!("model '{model}' is not in {}", zoo.display());
            };
            let call = member.convention.call_at(lambda);
            Ok(json!({"step": step, "model": model, "lambda": lambda,
                "sigma": sigma_of_lambda(oms_schedule::Lambda(lambda)),
                "t": call.t, "time_input": call.time_input}))
        })
        .collect::<Result<Vec<Value>>>()?;
    let value = json!({
        "schedule": schedule.display().to_string(),
        "solver": s.solver.name(),
        "sigmas": s.sigmas(),
        "steps": s.steps.iter().map(|st| json!({"order": st.order, "models": st.models})).collect::<Vec<_>>(),
        "nfe": nfes,
        "note": "sigma = sigma_vp / alpha (k-diffusion's VP sigma) = exp(-lambda); 0 is the clean end; t and time_input are each model's own (docs/schedules.md)",
    });
    let text = serde_json::to_string_pretty(&value)?;
    match out {
        Some(path) => {
            write_atomic(path, text.as_bytes())?;
            println!("{} NFE -> {}", s.nfe(), path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}

/// `(step, model, lambda)` of every NFE in evaluation order: the solver's stage levels.
fn nfe_levels(s: &Schedule) -> Result<Vec<(usize, String, f64)>> {
    let mut out = vec![];
    for (i, step) in s.steps.iter().enumerate() {
        let history: Vec<f64> = s.steps[..i].iter().rev().map(|p| p.from.0).collect();
        let used = &history[..history.len().min(step.order as usize - 1)];
        let plan = plan_step(s.solver, i, step.from.0, step.to.0, step.order, used)?;
        for (stage, model) in plan.stages.iter().zip(&step.models) {
            out.push((i, model.clone(), stage.lambda));
        }
    }
    Ok(out)
}
