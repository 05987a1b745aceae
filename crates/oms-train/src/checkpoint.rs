//! A training checkpoint as one set of files: each part (trained weights, EMA weights,
//! optimizer state) is written atomically under a step-tagged name, then the step record
//! (`state.json`) that names the parts and their sha256 is written last: the commit point. The
//! previous set is deleted only after that, so a crash anywhere leaves a record naming a complete
//! set, and resuming verifies every part against the record: newer weights are never resumed at
//! an older step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oms_artifacts::{write_atomic, write_atomic_with};
use serde::{Deserialize, Serialize};

use crate::trainer::{TrainError, TrainOutcome};

/// The record file of a checkpoint folder.
pub const RECORD: &str = "state.json";

/// One part of a checkpoint: its role, its file name's extension and its content.
pub struct Part<'a> {
    /// Role (`model`, `ema`, `optim`): the file is `<role>-<step>.<ext>`.
    pub role: &'static str,
    /// Extension of the file.
    pub ext: &'static str,
    /// What the file holds.
    pub content: Content<'a>,
}

/// The content of a part.
pub enum Content<'a> {
    /// These bytes.
    Bytes(Vec<u8>),
    /// What this writer (a burn store, an optimizer record) puts in the path it is given.
    Writer(&'a dyn Fn(&Path) -> std::io::Result<()>),
}

/// A part as the record names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartFile {
    /// File name in the checkpoint folder.
    pub file: String,
    /// sha256 of its bytes.
    pub sha256: String,
}

/// The step record: the run's figures and, by role, the parts of its set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckpointRecord {
    /// Steps, loss and seconds at the checkpoint.
    #[serde(flatten)]
    pub outcome: TrainOutcome,
    /// Parts by role; empty in records of earlier versions (fixed names, not verified).
    #[serde(default)]
    pub parts: BTreeMap<String, PartFile>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Writes every part, then the record, then removes the files of earlier sets.
pub fn write_set(dir: &Path, outcome: &TrainOutcome, parts: &[Part]) -> Result<(), TrainError> {
    let mut named = BTreeMap::new();
    for p in parts {
        let file = format!("{}-{:08}.{}", p.role, outcome.step, p.ext);
        let path = dir.join(&file);
        let sha256 = match &p.content {
            Content::Bytes(b) => {
                write_atomic(&path, b).map_err(|e| io(&path, e))?;
                oms_data::sha256_hex(b)
            }
            Content::Writer(w) => {
                write_atomic_with(&path, w).map_err(|e| io(&path, e))?;
                sha256_of(&path)?
            }
        };
        named.insert(p.role.to_string(), PartFile { file, sha256 });
    }
    let record = CheckpointRecord {
        outcome: outcome.clone(),
        parts: named,
    };
    let json = serde_json::to_string_pretty(&record).expect("serialisable");
    let path = dir.join(RECORD);
    write_atomic(&path, json.as_bytes()).map_err(|e| io(&path, e))?;
    remove_stale(dir, &record, parts)
}

/// Deletes part files of `parts`' roles that `record` does not name (earlier sets, legacy names).
fn remove_stale(dir: &Path, record: &CheckpointRecord, parts: &[Part]) -> Result<(), TrainError> {
    let keep: Vec<&str> = record.parts.values().map(|p| p.file.as_str()).collect();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = parts.iter().any(|p| {
            name.starts_with(&format!("{}-", p.role)) && name.ends_with(&format!(".{}", p.ext))
                || name == format!("{}.{}", p.role, p.ext)
        });
        if ours && !keep.contains(&name.as_str()) {
            std::fs::remove_file(entry.path()).map_err(|e| io(&entry.path(), e))?;
        }
    }
    Ok(())
}

/// The step record of `dir`, if it has one, without reading or verifying its parts (to look at
/// a run's step or recipe; resuming goes through [`read_set`]).
pub fn read_record(dir: &Path) -> Result<Option<CheckpointRecord>, TrainError> {
    let path = dir.join(RECORD);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| io(&path, e))
}

/// A verified record and the file of each part, by role.
pub type ResumeFrom = (CheckpointRecord, BTreeMap<String, PathBuf>);

/// The record of `dir`, if it has one, with every part it names present and unchanged. Records
/// of earlier versions name no parts: their files are `<role>.<ext>` (`legacy`), not verified.
pub fn read_set(dir: &Path, legacy: &[(&str, &str)]) -> Result<Option<ResumeFrom>, TrainError> {
    let Some(record) = read_record(dir)? else {
        return Ok(None);
    };
    let mut files = BTreeMap::new();
    if record.parts.is_empty() {
        for (role, ext) in legacy {
            files.insert(role.to_string(), dir.join(format!("{role}.{ext}")));
        }
        return Ok(Some((record, files)));
    }
    for (role, part) in &record.parts {
        let file = dir.join(&part.file);
        if !file.is_file() || sha256_of(&file)? != part.sha256 {
            return Err(io(
                &file,
                format!(
                    "missing or changed since {} recorded step {}; the checkpoint set is broken: restore the file or delete {} to train from the start",
                    RECORD,
                    record.outcome.step,
                    dir.display()
                ),
            ));
        }
        files.insert(role.clone(), file);
    }
    Ok(Some((record, files)))
}

fn sha256_of(path: &Path) -> Result<String, TrainError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    Ok(oms_data::sha256_hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(step: usize) -> TrainOutcome {
        TrainOutcome {
            step,
            loss: 0.5,
            seconds: 1.0,
            warm_start: None,
            batch: None,
            lr: None,
        }
    }

    fn part(role: &'static str, b: &[u8]) -> Part<'static> {
        Part {
            role,
            ext: "bin",
            content: Content::Bytes(b.to_vec()),
        }
    }

    #[test]
    fn a_crash_between_two_writes_resumes_the_last_complete_set() {
        let dir = tempfile::tempdir().unwrap();
        let parts = [part("model", b"model at 2"), part("ema", b"ema at 2")];
        write_set(dir.path(), &outcome(2), &parts).unwrap();
        // Step 4: the model part is written, then the EMA writer fails (a crash between writes).
        let fail = |_: &Path| -> std::io::Result<()> { Err(std::io::Error::other("killed")) };
        let ema = Part {
            role: "ema",
            ext: "bin",
            content: Content::Writer(&fail),
        };
        let parts = [part("model", b"model at 4"), ema];
        assert!(write_set(dir.path(), &outcome(4), &parts).is_err());
        let (record, files) = read_set(dir.path(), &[]).unwrap().unwrap();
        assert_eq!(record.outcome.step, 2);
        assert_eq!(std::fs::read(&files["model"]).unwrap(), b"model at 2");
        assert_eq!(std::fs::read(&files["ema"]).unwrap(), b"ema at 2");
        // The next complete set replaces the old one and the orphaned part.
        let parts = [part("model", b"model at 6"), part("ema", b"ema at 6")];
        write_set(dir.path(), &outcome(6), &parts).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["ema-00000006.bin", "model-00000006.bin", "state.json"]
        );
    }

    #[test]
    fn a_part_changed_after_its_record_is_refused_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        write_set(dir.path(), &outcome(2), &[part("model", b"model")]).unwrap();
        std::fs::write(dir.path().join("model-00000002.bin"), b"newer").unwrap();
        let err = read_set(dir.path(), &[]).unwrap_err().to_string();
        assert!(
            err.contains("model-00000002.bin") && err.contains("step 2"),
            "{err}"
        );
    }

    #[test]
    fn records_of_earlier_versions_resume_from_the_fixed_names() {
        let dir = tempfile::tempdir().unwrap();
        let json = serde_json::to_string(&outcome(3)).unwrap();
        std::fs::write(dir.path().join(RECORD), json).unwrap();
        let (record, files) = read_set(dir.path(), &[("model", "bpk")]).unwrap().unwrap();
        assert_eq!(record.outcome.step, 3);
        assert_eq!(files["model"], dir.path().join("model.bpk"));
    }
}
