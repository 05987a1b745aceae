//! Profiling a zoo into a latency table (docs/latency.md): the provenance a table records, one
//! batch size profiled, the table cached where `search` looks next time, and its Markdown views.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use burn::tensor::Device;
use oms_artifacts::write_atomic;
use oms_latency::{
    Budget, CheckRow, LatencyProfile, ProfileInfo, median_abs_rel_error, profile_zoo,
};
use oms_sampler::Zoo;
use oms_zoo::ZooManifest;

use crate::latency::hardware;
use crate::{PipelineError, Result};

/// The burn version the workspace pins (`burn = "=X"` in the root Cargo.toml; a test keeps the
/// two equal), recorded in every profile.
pub const BURN_VERSION: &str = "0.22.1";

/// Timing to a relative precision `precision` (95% half-width of the median) or `max_seconds`.
pub fn precision(precision: f64, max_seconds: f64) -> Budget {
    Budget {
        rel_precision: precision,
        max_seconds,
        ..Budget::default()
    }
}

/// Profiles `zoo` (the members of `manifest` it holds) at one batch size on `device`, whose kind
/// (`cpu`, `wgpu`, `cuda`) is `device_kind`; `on_step` names each measurement as it finishes
/// (`zoo.len() + 2` of them).
pub fn profile_batch(
    zoo: &Zoo,
    manifest: &ZooManifest,
    (batch, device_kind): (usize, &str),
    device: &Device,
    budget: &Budget,
    on_step: &mut dyn FnMut(&str),
) -> Result<LatencyProfile> {
    let info = ProfileInfo {
        device: device_kind.into(),
        backend: format!("{device:?}"),
        dtype: "f32".into(),
        burn_version: BURN_VERSION.into(),
        hardware: hardware(device_kind),
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        batch,
        image_shape: manifest.image_shape,
    };
    Ok(profile_zoo(zoo, info, device, budget, on_step)?)
}

/// Profiles the whole zoo of `manifest` at `batch` to 2% (30 s cap per measurement) and writes
/// `dir/<hardware>-b<batch>.ron`, where `search` finds it next time; returns the file and table.
pub fn profile_to(
    manifest: &ZooManifest,
    (batch, device_kind): (usize, &str),
    device: &Device,
    dir: &Path,
    on_step: &mut dyn FnMut(&str),
) -> Result<(PathBuf, LatencyProfile)> {
    let zoo = manifest.build(device)?;
    let budget = precision(0.02, 30.0);
    let profile = profile_batch(
        &zoo,
        manifest,
        (batch, device_kind),
        device,
        &budget,
        on_step,
    )?;
    let slug: String = profile
        .info
        .hardware
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .collect();
    let text = ron::ser::to_string_pretty(&profile, ron::ser::PrettyConfig::default())
        .map_err(|e| PipelineError::Latency(format!("cannot write the table: {e}")))?;
    let path = dir.join(format!("{slug}-b{batch}.ron"));
    write_atomic(&path, text.as_bytes())?;
    Ok((path, profile))
}

/// The table as Markdown: provenance, ms per NFE per member, sampler and switch cost.
pub fn table_md(p: &LatencyProfile) -> String {
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

/// The end-to-end check as Markdown: predicted against measured per schedule, median error.
pub fn check_md(rows: &[CheckRow]) -> String {
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

#[cfg(test)]
mod tests {
    #[test]
    fn burn_version_matches_the_workspace_pin() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
        let text = std::fs::read_to_string(root).unwrap();
        let pin = format!("\"={}\"", super::BURN_VERSION);
        assert!(
            text.lines()
                .any(|l| l.starts_with("burn ") && l.contains(&pin)),
            "update BURN_VERSION to the burn pin in Cargo.toml"
        );
    }
}
