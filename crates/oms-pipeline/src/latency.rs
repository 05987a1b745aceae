//! The latency table a search prices schedules with: this machine's hardware name, and the
//! choice among committed and cached tables that cannot pick the wrong one (hardware, backend,
//! batch, the zoo's members and image shape must match; directories in priority order, files in
//! name order; two matches in one directory are an error that lists them).

use std::path::{Path, PathBuf};

use oms_latency::LatencyProfile;
use oms_zoo::ZooManifest;

use crate::{PipelineError, Result};

/// Reads a latency profile written by `cargo xtask profile`.
pub fn read_profile(path: &Path) -> Result<LatencyProfile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        PipelineError::Latency(format!(
            "cannot read the latency table {} ({e}): write one with `cargo xtask profile --out DIR` and pass DIR/latency-b<B>.ron",
            path.display()
        ))
    })?;
    ron::from_str(&text).map_err(|e| {
        PipelineError::Latency(format!(
            "{} is not a latency profile ({e}); write one with `cargo xtask profile`",
            path.display()
        ))
    })
}

/// CPU model (Linux `/proc/cpuinfo`) and thread count for `device == "cpu"`, else the GPU's name
/// from `nvidia-smi` (`"unknown GPU"` without it). Profiles record it; [`choose_profile`] matches it.
pub fn hardware(device: &str) -> String {
    if device != "cpu" {
        let gpu = std::process::Command::new("nvidia-smi")
            .args(["--query-gpu=name", "--format=csv,noheader"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| {
                let text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.lines().next().map(|l| l.trim().to_string())
            });
        return gpu
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| "unknown GPU".into());
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {threads} threads")
}

/// What a latency table must match to price a run.
pub struct TableQuery<'a> {
    /// [`hardware`] of this machine.
    pub hardware: &'a str,
    /// Device kind as profiles record it (`cpu`, `wgpu`, `cuda`).
    pub device: &'a str,
    /// The batch size, when the caller needs one.
    pub batch: Option<usize>,
    /// The zoo: every member must have a forward time, and the image shape must be the zoo's.
    pub manifest: &'a ZooManifest,
}

impl TableQuery<'_> {
    /// Whether `p` prices this query.
    pub fn matches(&self, p: &LatencyProfile) -> bool {
        p.info.hardware == self.hardware
            && p.info.device == self.device
            && self.batch.is_none_or(|b| p.info.batch == b)
            && p.info.image_shape == self.manifest.image_shape
            && self
                .manifest
                .names()
                .iter()
                .all(|m| p.table.per_nfe_ms.contains_key(m))
    }
}

/// The one table in the first of `dirs` that holds any match for `query` (files in name order;
/// unreadable files and other formats are skipped), `None` when no directory does, and an error
/// listing the candidates when one directory holds several.
pub fn choose_profile(
    dirs: &[&Path],
    query: &TableQuery,
) -> Result<Option<(PathBuf, LatencyProfile)>> {
    for dir in dirs {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        paths.sort();
        let mut found: Vec<(PathBuf, LatencyProfile)> = paths
            .into_iter()
            .filter_map(|p| read_profile(&p).ok().map(|profile| (p, profile)))
            .filter(|(_, p)| query.matches(p))
            .collect();
        match found.len() {
            0 => continue,
            1 => return Ok(found.pop()),
            _ => {
                let list: Vec<String> = found
                    .iter()
                    .map(|(p, t)| format!("{} (batch {})", p.display(), t.info.batch))
                    .collect();
                return Err(PipelineError::Latency(format!(
                    "{} latency tables in {} match '{}' ({}): {}; pass one with --latency FILE",
                    found.len(),
                    dir.display(),
                    query.hardware,
                    query.device,
                    list.join(", ")
                )));
            }
        }
    }
    Ok(None)
}
