//! `cargo xtask profile`: the latency table of a zoo on the chosen device at one or more batch
//! sizes (`DIR/latency-b<B>.ron`), a readable table (`DIR/latency.md`), `DIR/summary.json`, and
//! with `--check` an end-to-end comparison of random schedules with the table's prediction.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_latency::{
    Budget, CheckRow, LatencyProfile, ProfileInfo, check_schedules, median_abs_rel_error,
    profile_zoo, random_schedules,
};
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
    let budget = precision_default(args.precision, args.max_seconds);
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
pub fn profile_batch(
    zoo: &oms_sampler::Zoo,
    manifest: &ZooManifest,
    batch: usize,
    device_arg: DeviceArg,
    device: &Device,
    budget: &Budget,
) -> Result<LatencyProfile> {
    let info = ProfileInfo {
        device: device_arg.name().into(),
        backend: format!("{device:?}"),
        dtype: "f32".into(),
        burn_version: burn_version(),
        hardware: oms_pipeline::latency::hardware(device_arg.name()),
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        batch,
        image_shape: manifest.image_shape,
    };
    let pb = bar(zoo.len() as u64 + 2, &format!("b{batch}"));
    let profile = profile_zoo(zoo, info, device, budget, &mut |what| {
        pb.set_message(format!("b{batch} {what}"));
        pb.inc(1);
    })?;
    pb.finish_and_clear();
    Ok(profile)
}

/// Profiles the whole zoo of `manifest` at `batch` with the default precision and writes
/// `dir/<hardware>-b<batch>.ron`, where `search` finds it next time.
pub fn profile_to(
    manifest: &ZooManifest,
    batch: usize,
    device_arg: DeviceArg,
    device: &Device,
    dir: &std::path::Path,
) -> Result<LatencyProfile> {
    let zoo = manifest.build(device)?;
    let budget = precision_default(0.02, 30.0);
    let profile = profile_batch(&zoo, manifest, batch, device_arg, device, &budget)?;
    let slug: String = profile
        .info
        .hardware
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let text = ron::ser::to_string_pretty(&profile, ron::ser::PrettyConfig::default())?;
    write_atomic(&dir.join(format!("{slug}-b{batch}.ron")), text.as_bytes())?;
    println!("{}", table_md(&profile));
    Ok(profile)
}

fn precision_default(precision: f64, max_seconds: f64) -> Budget {
    Budget {
        rel_precision: precision,
        max_seconds,
        ..Budget::default()
    }
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

fn table_md(p: &LatencyProfile) -> String {
    let i = &p.info;
    let mut md = format!(
        "Batch {} on {} ({}, {}, burn {}, {}), measured {}:\n\n",
        i.batch, i.hardware, i.device, i.dtype, i.burn_version, i.backend, i.date
    );
    md.push_str("| member | ms per NFE | ± (95%) | runs | outliers |\n|---|---|---|---|---|\n");
    for (name, m) in &p.forward {
        let _ = writeln!(
            md,
            "| {name} | {:.2} | {:.1}% | {} | {} |",
            m.median_ms,
            100.0 * m.rel_half_width,
            m.runs,
            m.outliers_ms.len()
        );
    }
    let _ = writeln!(
        md,
        "\nSampler: {:.3} ms per NFE ({}). Switch: {:.3} ms per switch (measured {:.3}, {} <-> {}).",
        p.table.sampler_ms_per_nfe,
        p.sampler_solver,
        p.table.switch_ms,
        p.switch_raw_ms,
        p.switch_pair.0,
        p.switch_pair.1
    );
    md
}

fn check_md(rows: &[CheckRow]) -> String {
    let mut md = String::from(
        "| schedule | models | predicted ms | measured ms | error |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        let models: Vec<String> = r.schedule.nfe_models().map(str::to_string).collect();
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} | {:+.1}% |",
            r.label,
            models.join(" "),
            r.predicted_ms,
            r.measured_ms,
            100.0 * r.rel_error()
        );
    }
    let _ = writeln!(
        md,
        "\nMedian absolute error: {:.2}% over {} schedules.",
        100.0 * median_abs_rel_error(rows),
        rows.len()
    );
    md
}

/// The burn version the workspace pins (`burn = "=X"` in the root Cargo.toml; a test keeps the
/// two equal).
fn burn_version() -> String {
    BURN_VERSION.into()
}

const BURN_VERSION: &str = "0.22.1";

#[cfg(test)]
mod tests {
    #[test]
    fn burn_version_matches_the_workspace_pin() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let text = std::fs::read_to_string(root).unwrap();
        let pin = format!("\"={}\"", super::BURN_VERSION);
        assert!(
            text.lines()
                .any(|l| l.starts_with("burn ") && l.contains(&pin)),
            "update BURN_VERSION to the burn pin in Cargo.toml"
        );
    }
}
