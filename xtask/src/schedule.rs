//! `cargo xtask schedule`: import schedules from the reference implementation's integer
//! encodings or from k-diffusion / Align Your Steps sigma lists, export ours to them (and to
//! per-model sigma and timestep lists), and check a schedule file against a zoo.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use oms_artifacts::write_atomic;
use oms_schedule::{
    DdimGrid, LatencyTable, NoiseSchedule, NoiseSpec, Schedule, SlotEncoding, SolverName,
};
use oms_zoo::ZooManifest;

use oms_pipeline::latency::read_profile;
use oms_pipeline::report::read_schedule;

/// Schedule subcommands.
#[derive(Subcommand)]
pub enum ScheduleCmd {
    /// Read a reference encoding (comma-separated model ids, index 0 at the clean end) or a
    /// k-diffusion sigma list.
    #[command(group(clap::ArgGroup::new("encoding").required(true).args(["slots", "ddim", "sigmas"])))]
    Import {
        /// Zoo manifest: model id k is its k-th member.
        #[arg(long)]
        zoo: PathBuf,
        /// A DPM-Solver slot array (length 3K).
        #[arg(long)]
        slots: Option<String>,
        /// A DDIM grid array (length L; times i * floor(1000 / L) of DDPM's linear betas).
        #[arg(long)]
        ddim: Option<String>,
        /// A k-diffusion / Align Your Steps sigma list, noisiest first, comma-separated; a final
        /// 0 is the clean end (sigma = sigma_vp / alpha, lambda = -ln sigma; docs/schedules.md).
        #[arg(long, requires = "models")]
        sigmas: Option<String>,
        /// With --sigmas: the model of every step, or one model per step (comma-separated).
        #[arg(long)]
        models: Option<String>,
        /// With --sigmas: the order of every step (default 2, or the one the solver's name
        /// implies; a last step to sigma 0 is first order).
        #[arg(long)]
        order: Option<u8>,
        /// Solver for slot arrays (dpm-solver or dpm-solver++) and sigma lists (any solver).
        #[arg(long, default_value = "dpm-solver")]
        solver: SolverName,
        /// DDIM eta for grid arrays.
        #[arg(long, default_value_t = 0.0)]
        eta: f64,
        /// Output schedule file (.ron or .json).
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a schedule as a reference encoding.
    Export {
        /// Zoo manifest: member k gets id k.
        #[arg(long)]
        zoo: PathBuf,
        /// Schedule file.
        #[arg(long)]
        schedule: PathBuf,
        /// Array length: 3K for slots, L for a DDIM grid.
        #[arg(long)]
        length: usize,
    },
    /// Write a schedule's step boundaries as a k-diffusion sigma list and every NFE's model,
    /// sigma, time and time input, for sampling it elsewhere (JSON on stdout or --out).
    Sigmas {
        /// Zoo manifest (each member's noise schedule and time input).
        #[arg(long)]
        zoo: PathBuf,
        /// Schedule file.
        #[arg(long)]
        schedule: PathBuf,
        /// Output JSON file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Validate a schedule against a zoo and print its NFE and cost (from a latency table, else
    /// the members' nominal costs).
    Check {
        /// Zoo manifest.
        #[arg(long)]
        zoo: PathBuf,
        /// Schedule file.
        #[arg(long)]
        schedule: PathBuf,
        /// Latency table (`cargo xtask profile`'s `latency-b<B>.ron`): print the schedule's cost
        /// per batch on it, the cost model the search uses.
        #[arg(long)]
        latency: Option<PathBuf>,
    },
}

fn parse_ids(text: &str) -> Result<Vec<u32>> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u32>()
                .with_context(|| format!("'{s}' is not a model id (0, 1, 2, ...)"))
        })
        .collect()
}

/// Runs a subcommand.
pub fn run(cmd: ScheduleCmd) -> Result<()> {
    match cmd {
        ScheduleCmd::Import {
            zoo,
            slots,
            ddim,
            sigmas,
            models,
            order,
            solver,
            eta,
            out,
        } => {
            let manifest = ZooManifest::load(&zoo)?;
            let names = manifest.names();
            let schedule = if let Some(text) = sigmas {
                let s = crate::sigmas::import(&text, models.as_deref(), order, solver, eta)?;
                s.validate(&manifest.model_infos()).with_context(|| {
                    format!("the schedule of --sigmas against {}", zoo.display())
                })?;
                s
            } else if let Some(text) = slots {
                let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
                SlotEncoding {
                    entries: parse_ids(&text)?,
                }
                .to_schedule(
                    &names,
                    &noise,
                    solver.resolve(0.0, None, 2).map_err(anyhow::Error::msg)?.0,
                )?
            } else {
                let noise = NoiseSchedule::new(NoiseSpec::ddpm_linear())?;
                DdimGrid {
                    entries: parse_ids(ddim.as_deref().unwrap_or_default())?,
                }
                .to_schedule(&names, &noise, eta)?
            };
            let text = if out.extension().is_some_and(|e| e == "json") {
                serde_json::to_string_pretty(&schedule)?
            } else {
                schedule.to_ron()
            };
            write_atomic(&out, text.as_bytes())?;
            println!(
                "{} steps, {} NFE -> {}",
                schedule.steps.len(),
                schedule.nfe(),
                out.display()
            );
        }
        ScheduleCmd::Export {
            zoo,
            schedule,
            length,
        } => {
            let names = ZooManifest::load(&zoo)?.names();
            let s = read_schedule(&schedule)?;
            let entries = if matches!(s.solver, oms_schedule::Solver::Ddim { .. }) {
                DdimGrid::from_schedule(
                    &s,
                    &names,
                    &NoiseSchedule::new(NoiseSpec::ddpm_linear())?,
                    length,
                )?
                .entries
            } else {
                if !length.is_multiple_of(3) {
                    bail!("--length must be a multiple of 3 for slot arrays, got {length}");
                }
                let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
                SlotEncoding::from_schedule(&s, &names, &noise, length / 3)?.entries
            };
            let list: Vec<String> = entries.iter().map(u32::to_string).collect();
            println!("{}", list.join(","));
        }
        ScheduleCmd::Sigmas { zoo, schedule, out } => {
            crate::sigmas::export(&zoo, &schedule, out.as_deref())?
        }
        ScheduleCmd::Check {
            zoo,
            schedule,
            latency,
        } => check(&zoo, &schedule, latency.as_deref())?,
    }
    Ok(())
}

fn check(
    zoo: &std::path::Path,
    path: &std::path::Path,
    latency: Option<&std::path::Path>,
) -> Result<()> {
    let manifest = ZooManifest::load(zoo)?;
    let s: Schedule = read_schedule(path)?;
    s.validate(&manifest.model_infos())
        .with_context(|| format!("{}", path.display()))?;
    let cost = match latency {
        Some(l) => {
            let table = read_profile(l)?.table;
            let ms = table.cost(&s).with_context(|| format!("{}", l.display()))?;
            format!(
                "cost {ms:.1} ms per batch of {} ({})",
                table.batch,
                l.display()
            )
        }
        None => nominal_cost(&manifest, &s)?,
    };
    println!(
        "{}: valid; {} steps, {} NFE, {cost}",
        path.display(),
        s.steps.len(),
        s.nfe(),
    );
    Ok(())
}

/// The cost from the members' nominal per-NFE costs (analytic zoos), or a pointer to `--latency`
/// when a member has none (real models are profiled instead).
fn nominal_cost(manifest: &ZooManifest, s: &Schedule) -> Result<String> {
    let per_nfe_ms: Option<_> = manifest
        .members
        .iter()
        .map(|m| m.nominal_ms.map(|ms| (m.name.clone(), ms)))
        .collect();
    let Some(per_nfe_ms) = per_nfe_ms else {
        return Ok("no nominal cost (give --latency L.ron for its cost)".into());
    };
    let table = LatencyTable {
        batch: 1,
        per_nfe_ms,
        switch_ms: 0.0,
        sampler_ms_per_nfe: 0.0,
    };
    Ok(format!("nominal cost {:.1} ms", table.cost(s)?))
}
