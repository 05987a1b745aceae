//! `cargo xtask verify --run DIR`: the search run's schedules (searched, best single model, best
//! two-model switch at every budget) sampled again on fresh noise banks, scored in both feature
//! spaces, compared in pairs with 95% bootstrap intervals; writes `fresh.md` and `summary.json`
//! (default into `DIR/fresh`). Claims in the docs come from this command (issue 15).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_metrics::features::FeatureSpace;
use oms_pipeline::fresh::{
    FRESH_BANK_MIN, FreshConfig, FreshSchedule, FreshScore, Space, sample_fresh, score_space,
};
use oms_pipeline::fresh_report::{Outcome, Roles};
use oms_pipeline::report::read_schedule;
use oms_sampler::{Sampler, SamplerOptions};
use oms_zoo::ZooManifest;
use serde_json::{Value, json};

use crate::defaults;
use crate::metric_args::MetricArgs;
use crate::progress::bar;

/// The fresh-noise sampling and scoring options `verify` and `compare` share.
#[derive(clap::Args)]
pub struct FreshArgs {
    /// Fresh noise seed sets (each >= 1000: no label or selection step uses them; formerly
    /// --banks).
    #[arg(long = "seed-sets", alias = "banks", value_name = "SEED_SETS", value_delimiter = ',',
        default_values_t = [FRESH_BANK_MIN, FRESH_BANK_MIN + 1])]
    pub banks: Vec<u64>,
    /// Images per noise seed set and schedule (default: 5000 per schedule over two sets).
    #[arg(long, default_value_t = 2500)]
    pub n: usize,
    /// Bootstrap resamples of the paired intervals.
    #[arg(long, default_value_t = 200)]
    pub resamples: usize,
    /// Feature spaces to score in (a claim needs both).
    #[arg(long, value_delimiter = ',', default_values_t = FeatureSpace::ALL)]
    pub spaces: Vec<FeatureSpace>,
    /// Sampling batch.
    #[arg(long, default_value_t = 250)]
    pub batch: usize,
}

impl FreshArgs {
    /// The sampling configuration these options describe.
    pub fn config(&self) -> FreshConfig {
        FreshConfig::new(self.banks.clone(), self.n, self.batch, self.resamples)
    }
}

/// Arguments of `verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The search run folder (its summary.json and schedules/).
    #[arg(long, default_value = "runs/search")]
    run: PathBuf,
    /// Zoo manifest the run searched.
    #[arg(long, default_value = defaults::ZOO)]
    zoo: PathBuf,
    #[command(flatten)]
    fresh: FreshArgs,
    /// Leave out each budget's best labelled schedule (compared, never counted).
    #[arg(long)]
    no_label_best: bool,
    #[command(flatten)]
    metric: MetricArgs,
    /// Output folder (default RUN/fresh).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The roles the search's own fresh check samples; `verify` adds `label_set_best`.
pub const SEARCH_ROLES: [&str; 3] = ["searched", "best_single", "best_switch"];

/// The run's schedules of `roles` by budget, deduplicated by content (first name kept).
fn run_schedules(run: &Path, roles: &[&str]) -> Result<(Vec<FreshSchedule>, Vec<Value>)> {
    let path = run.join("summary.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: run `cargo xtask search --out {}` first",
            path.display(),
            run.display()
        )
    })?;
    let summary: Value = serde_json::from_str(&text).with_context(|| path.display().to_string())?;
    let budgets = summary["budgets"]
        .as_array()
        .with_context(|| format!("{}: no `budgets`; not a search summary", path.display()))?;
    let mut schedules: Vec<FreshSchedule> = vec![];
    let mut found = vec![];
    for (i, b) in budgets.iter().enumerate() {
        let mut names = json!({"budget": i, "budget_ms": b["budget_ms"]});
        for &role in roles {
            let Some(file) = b[role]["schedule_file"].as_str() else {
                continue;
            };
            let schedule = read_schedule(&run.join(file))?;
            let name = match schedules.iter().find(|s| s.schedule == schedule) {
                Some(same) => same.name.clone(),
                None => {
                    let name = format!("b{i}-{role}");
                    let latency_ms = b[role]["latency_ms"].as_f64().unwrap_or(f64::NAN);
                    schedules.push(FreshSchedule {
                        name: name.clone(),
                        schedule,
                        latency_ms,
                    });
                    name
                }
            };
            names[role] = json!(name);
        }
        found.push(names);
    }
    if schedules.is_empty() {
        bail!("{}: the run has no schedule files", path.display());
    }
    Ok((schedules, found))
}

/// Runs the command.
pub fn run(args: VerifyArgs, device: &Device) -> Result<()> {
    let out = args.out.clone().unwrap_or_else(|| args.run.join("fresh"));
    let config = args.fresh.config();
    let mut roles = SEARCH_ROLES.to_vec();
    if !args.no_label_best {
        roles.push("label_set_best");
    }
    let (md, _) = fresh_for_run(
        &args.run,
        &args.zoo,
        &args.metric,
        (&config, &args.fresh.spaces, &roles),
        &out,
        device,
    )?;
    print!("{md}");
    println!("-> {}", out.display());
    Ok(())
}

/// Fresh verification of the search run in `run` into `out` (`fresh.md`, `summary.json`);
/// returns the Markdown and the summary.
pub fn fresh_for_run(
    run: &Path,
    zoo: &Path,
    metric: &MetricArgs,
    (config, spaces, role_names): (&FreshConfig, &[FeatureSpace], &[&str]),
    out: &Path,
    device: &Device,
) -> Result<(String, Value)> {
    let (schedules, roles) = run_schedules(run, role_names)?;
    let manifest = ZooManifest::load(zoo)?;
    for s in &schedules {
        s.schedule
            .validate(&manifest.model_infos())
            .with_context(|| format!("{} does not fit {}", s.name, zoo.display()))?;
    }
    let t0 = Instant::now();
    let (scores, _, sample_s) =
        sample_and_score(&schedules, &manifest, metric, (config, spaces), device)?;
    let result = Outcome::new(&schedules, &roles_of(&roles), scores);
    let md = result.markdown(config);
    std::fs::create_dir_all(out)?;
    write_atomic(&out.join("fresh.md"), md.as_bytes())?;
    let summary = json!({
        "command": "verify", "run": run, "zoo": zoo, "config": config,
        "spaces": spaces, "outcome": result, "roles": roles,
        "speedup_vs_best_single": result.speedup_vs_best_single,
        "seconds": {"sampling": sample_s, "total": t0.elapsed().as_secs_f64()},
        "device": format!("{device:?}"),
    });
    write_json(&out.join("summary.json"), &summary)?;
    Ok((md, summary))
}

/// Samples every schedule on `config`'s fresh noise (the members they use loaded once) and
/// scores them in `spaces`; returns the scores, each schedule's uint8 pixels and the sampling
/// seconds.
pub fn sample_and_score(
    schedules: &[FreshSchedule],
    manifest: &ZooManifest,
    metric: &MetricArgs,
    (config, spaces): (&FreshConfig, &[FeatureSpace]),
    device: &Device,
) -> Result<(Vec<FreshScore>, Vec<Vec<u8>>, f64)> {
    config.check()?;
    // The members any schedule uses, loaded once for all of them.
    let mut used: Vec<&str> = schedules
        .iter()
        .flat_map(|s| s.schedule.nfe_models())
        .collect();
    used.sort_unstable();
    used.dedup();
    let members = manifest.build_members(device, &used)?;
    let sampler = Sampler::new(&members, SamplerOptions::default());
    let t0 = Instant::now();
    let total: usize = schedules.iter().map(|s| s.schedule.nfe()).sum::<usize>()
        * config.banks.len()
        * config.n_per_bank.div_ceil(config.batch);
    let pb = bar(total as u64, "fresh");
    let mut images = vec![];
    for s in schedules {
        images.push(sample_fresh(
            &sampler,
            (&s.schedule, manifest.image_shape),
            config,
            device,
            &mut |k| pb.inc(k as u64),
        )?);
    }
    pb.finish_and_clear();
    let sample_s = t0.elapsed().as_secs_f64();
    let names: Vec<String> = schedules.iter().map(|s| s.name.clone()).collect();
    let mut scores = vec![];
    for &space in spaces {
        let net = metric.space(space, device)?;
        let reference = metric.reference(net.as_ref(), device)?;
        let pb = bar(names.len() as u64, space.name());
        let space = Space {
            space,
            net,
            reference,
            shape: manifest.image_shape,
        };
        scores.extend(score_space(
            &space,
            &names,
            &images,
            config,
            device,
            &mut |_| pb.inc(1),
        )?);
        pb.finish_and_clear();
    }
    Ok((scores, images, sample_s))
}

fn roles_of(roles: &[Value]) -> Vec<Roles> {
    roles
        .iter()
        .map(|r| Roles {
            budget_ms: r["budget_ms"].as_f64().unwrap_or(f64::NAN),
            searched: r["searched"].as_str().map(String::from),
            single: r["best_single"].as_str().map(String::from),
            switch: r["best_switch"].as_str().map(String::from),
            others: r["label_set_best"]
                .as_str()
                .map(String::from)
                .into_iter()
                .collect(),
        })
        .collect()
}
