//! `report.html`: one self-contained page built from a search report folder's files
//! (`summary.json`, `fresh/summary.json`, `pareto.svg`, `grids/*.png`, `schedules/*.json`), so
//! it can be rebuilt for any folder, committed ones included (`cargo xtask report DIR`). Images
//! and plots are inlined; the schedule files are linked relative to the folder. Parts whose files
//! are absent say so instead of failing; a missing or malformed `summary.json` is an error.

mod page;
mod sections;
mod timeline;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::{PipelineError, Result};

/// A report folder's files, read once.
pub struct Folder {
    dir: PathBuf,
    summary: Value,
    fresh: Option<Value>,
}

impl Folder {
    /// Reads `dir/summary.json` (required) and `dir/fresh/summary.json` (when present).
    pub fn read(dir: &Path) -> Result<Self> {
        let summary = read_json(&dir.join("summary.json"))?.ok_or_else(|| {
            PipelineError::Invalid(format!(
                "{} holds no summary.json: give the --out folder of `cargo xtask search`",
                dir.display()
            ))
        })?;
        if summary["command"] != "search" || !summary["budgets"].is_array() {
            return Err(PipelineError::Invalid(format!(
                "{} is not a search summary (no \"command\": \"search\" with budgets): give the \
                 --out folder of `cargo xtask search`",
                dir.join("summary.json").display()
            )));
        }
        let fresh = read_json(&dir.join("fresh").join("summary.json"))?;
        Ok(Self {
            dir: dir.to_owned(),
            summary,
            fresh,
        })
    }

    /// A file of the folder, if it exists.
    fn bytes(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(rel)).ok()
    }

    /// A JSON file of the folder, if it exists and parses.
    fn json(&self, rel: &str) -> Option<Value> {
        serde_json::from_slice(&self.bytes(rel)?).ok()
    }

    /// The budgets of the summary.
    fn budgets(&self) -> &[Value] {
        self.summary["budgets"]
            .as_array()
            .map_or(&[], Vec::as_slice)
    }
}

/// `Ok(None)` when the file does not exist; an error naming it when it does not parse.
fn read_json(path: &Path) -> Result<Option<Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(PipelineError::Invalid(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        PipelineError::Invalid(format!(
            "{} is not valid JSON ({e}); rerun the command that wrote it",
            path.display()
        ))
    })
}

/// The page for a report folder.
pub fn render(folder: &Folder) -> String {
    let body = [
        sections::header(folder),
        sections::fronts(folder),
        sections::comparisons(folder),
        sections::budgets(folder),
        sections::predictor(folder),
        sections::glossary(folder),
    ]
    .concat();
    page::page("oms search report", &body)
}

/// Writes `dir/report.html` (atomically) from the folder's files; returns its path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    let folder = Folder::read(dir)?;
    let path = dir.join("report.html");
    oms_artifacts::write_atomic(&path, render(&folder).as_bytes())?;
    Ok(path)
}
