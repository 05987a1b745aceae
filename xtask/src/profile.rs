//! `cargo xtask profile`: the latency table of a zoo on the chosen device at one or more batch
//! sizes (`DIR/latency-b<B>.ron`), a readable table (`DIR/latency.md`), `DIR/summary.json`, and
//! with `--check` an end-to-end comparison of random schedules with the table's prediction.

use std::path::PathBuf;

use anyhow::{Context, Result};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_latency::{
    Budget, CheckRow, LatencyProfile, check_schedules, median_abs_rel_error, random_schedules,
};
use oms_pipeline::profiling::{self, check_md, precision, table_md};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::device::DeviceArg;
use crate::progress::bar;

/// Arguments of `profile`.
#[derive(clap::Args)]
pub struct ProfileArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Batch sizes (one table each).
    #[arg(long, value_delimiter = ',', default_value = "256")]
    batch: Vec<usize>,
    /// Only these members (default: all).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Target 95% half-width of each median, relative.
    #[arg(long, default_value_t = 0.02)]
    precision: f64,
    /// Time cap per measurement, seconds.
    #[arg(long, default_value_t = 30.0)]
    max_seconds: f64,
    /// Also run random schedules end to end at the first batch size and compare.
    #[arg(long)]
    check: bool,
    /// Number of random schedules of `--check`.
    #[arg(long, default_value_t = 20)]
    check_count: usize,
    /// Seed of the random schedules.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: ProfileArgs, device_arg: DeviceArg, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let names: Vec<String> = match args.models.is_empty() {
        true => manifest.members.iter().map(|m| m.name.clone()).collect(),
        false => args.models.clone(),
    };
    let used: Vec<&str> = names.iter().map(String::as_str).collect();
    let zoo = manifest.build_members(device, &used)?;
    let budget = precision(args.precision, args.max_seconds);
    let mut profiles = vec![];
    for &batch in &args.batch {
        let profile = profile_batch(&zoo, &manifest, batch, device_arg, device, &budget)?;
        let text = ron::ser::to_string_pretty(&profile, ron::ser::PrettyConfig::default())?;
        let path = args.out.join(format!("latency-b{batch}.ron"));
        write_atomic(&path, text.as_bytes())?;
        println!("{}", table_md(&profile));
        profiles.push(profile);
    }
    let first = profiles.first().context("--batch is empty")?;
    let check = match args.check {
        true => Some(run_check(&args, &zoo, first, device, &budget)?),
        false => None,
    };
    let mut md = String::new();
    for p in &profiles {
        md.push_str(&table_md(p));
        md.push('\n');
    }
    if let Some(rows) = &check {
        md.push_str(&check_md(rows));
    }
    write_atomic(&args.out.join("latency.md"), md.as_bytes())?;
    let summary = json!({
        "command": "profile", "zoo": args.zoo, "profiles": profiles,
        "tables": args.batch.iter().map(|b| format!("latency-b{b}.ron")).collect::<Vec<_>>(),
        "check": check.as_ref().map(|rows| json!({
            "rows": rows, "median_abs_rel_error": median_abs_rel_error(rows), "seed": args.seed,
        })),
    });
    write_json(&args.out.join("summary.json"), &summary)?;
    Ok(())
}

/// Profiles `zoo` at one batch size, with a progress bar.
fn profile_batch(
    zoo: &oms_sampler::Zoo,
    manifest: &ZooManifest,
    batch: usize,
    device_arg: DeviceArg,
    device: &Device,
    budget: &Budget,
) -> Result<LatencyProfile> {
    let kind = (batch, device_arg.name());
    with_bar(zoo.len(), batch, |step| {
        profiling::profile_batch(zoo, manifest, kind, device, budget, step)
    })
}

/// Profiles the whole zoo at `batch` into `dir` (where `search` finds it next time).
pub fn profile_to(
    manifest: &ZooManifest,
    batch: usize,
    device_arg: DeviceArg,
    device: &Device,
    dir: &std::path::Path,
) -> Result<LatencyProfile> {
    let kind = (batch, device_arg.name());
    let (path, profile) = with_bar(manifest.members.len(), batch, |step| {
        profiling::profile_to(manifest, kind, device, dir, step)
    })?;
    println!("{}\nwritten to {}", table_md(&profile), path.display());
    Ok(profile)
}

/// Runs `work` with a bar over the `members + 2` measurements of one profile.
fn with_bar<T>(
    members: usize,
    batch: usize,
    work: impl FnOnce(&mut dyn FnMut(&str)) -> oms_pipeline::Result<T>,
) -> Result<T> {
    let pb = bar(members as u64 + 2, &format!("b{batch}"));
    let out = work(&mut |what| {
        pb.set_message(format!("b{batch} {what}"));
        pb.inc(1);
    })?;
    pb.finish_and_clear();
    Ok(out)
}

fn run_check(
    args: &ProfileArgs,
    zoo: &oms_sampler::Zoo,
    profile: &LatencyProfile,
    device: &Device,
    budget: &Budget,
) -> Result<Vec<CheckRow>> {
    let schedules = random_schedules(zoo, args.check_count, args.seed)?;
    let pb = bar(schedules.len() as u64, "check");
    let per_schedule = Budget {
        warmup: 1,
        min_runs: 3,
        max_runs: 5,
        ..*budget
    };
    let rows = check_schedules(
        zoo,
        &profile.table,
        &schedules,
        profile.info.image_shape,
        device,
        &per_schedule,
        &mut |i| pb.set_position(i as u64),
    )?;
    pb.finish_and_clear();
    let md = check_md(&rows);
    println!("{md}");
    Ok(rows)
}
