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

/// The hardware a latency table was measured on. CPU: the model name, family, model number and
/// widest vector extension from Linux `/proc/cpuinfo` (virtual machines often report only "AMD
/// EPYC", which fits CPUs 3x apart in speed), and the thread count; a GPU: its name from
/// `nvidia-smi` (`"unknown GPU"` without it). Profiles record it; [`choose_profile`] matches it.
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
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{}, {threads} threads", cpu_name(&info))
}

/// `NAME (family F model M, SIMD)` from the first processor of a `/proc/cpuinfo` text; the
/// architecture's name when the text has no model name.
pub fn cpu_name(cpuinfo: &str) -> String {
    let field = |key: &str| {
        cpuinfo
            .lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
    };
    let Some(name) = field("model name") else {
        return std::env::consts::ARCH.to_string();
    };
    let flags = field("flags").unwrap_or_default();
    let has = |f: &str| flags.split_whitespace().any(|x| x == f);
    let simd = if has("avx512f") {
        "AVX-512"
    } else if has("avx2") {
        "AVX2"
    } else {
        "no AVX2"
    };
    match (field("cpu family"), field("model")) {
        (Some(family), Some(model)) => format!("{name} (family {family} model {model}, {simd})"),
        _ => format!("{name} ({simd})"),
    }
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

#[cfg(test)]
mod tests {
    use super::cpu_name;

    #[test]
    fn the_cpu_name_tells_apart_what_the_model_name_does_not() {
        let zen = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512f\n";
        assert_eq!(cpu_name(zen), "AMD EPYC (family 26 model 2, AVX-512)");
        let older = zen.replace(": 26", ": 23").replace(" avx512f", "");
        assert_eq!(cpu_name(&older), "AMD EPYC (family 23 model 2, AVX2)");
        assert_eq!(cpu_name(""), std::env::consts::ARCH);
    }
}
