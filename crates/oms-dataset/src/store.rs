//! The label file: append-only JSON lines, one whole record per line, each flushed and fsynced.
//!
//! A process killed at any moment leaves at most a truncated last line, which the next open
//! drops; finished ids are skipped, so a record is never written twice. Shard files merge
//! exactly: the union by id, sorted, is the file one process would have written.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use oms_schedule::{Schedule, SlotEncoding};
use oms_space::{Form, Generator};
use serde::{Deserialize, Serialize};

use crate::DatasetError;

fn reference_form() -> Form {
    Form::REFERENCE
}

/// One labelled schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Plan id.
    pub id: u64,
    /// How the schedule was drawn.
    pub generator: Generator,
    /// Canonical slot encoding (model ids are manifest positions plus one).
    pub slots: Vec<u32>,
    /// Placement and solver beyond the slots (absent for the reference form).
    #[serde(default = "reference_form", skip_serializing_if = "Form::is_reference")]
    pub form: Form,
    /// The schedule that ran.
    pub schedule: Schedule,
    /// Model evaluations.
    pub nfe: usize,
    /// The latency table's prediction for one batch, milliseconds.
    pub cost_ms: f64,
    /// Fréchet distance of the generated images' features to the reference.
    pub fd: f64,
    /// KID (mean over subsets).
    pub kid: f64,
    /// KID standard deviation over subsets.
    pub kid_std: f64,
    /// Images generated.
    pub n: usize,
    /// Noise bank seed.
    pub seed: u64,
    /// Hash of the metric protocol (feature net, weights, reference split).
    pub protocol_hash: String,
    /// Hash of the zoo's members (names, architectures, weight sha256s).
    #[serde(default)]
    pub zoo: String,
    /// Hash of everything that fixes the labels (plan, zoo weights, n, seed, protocol):
    /// records of different runs never mix in one file.
    pub run_key: String,
    /// Seconds this label took (sampling and scoring).
    pub wall_s: f64,
    /// The same images scored in a second feature space (absent in files labelled with one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second: Option<SpaceLabel>,
}

/// FD and KID of a label's images in a second feature space (issue 15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceLabel {
    /// Feature network name (e.g. `efficientnet-lite0-imagenet`).
    pub feature_net: String,
    /// Hash of its metric protocol.
    pub protocol_hash: String,
    /// Fréchet distance.
    pub fd: f64,
    /// KID (mean over subsets).
    pub kid: f64,
    /// KID standard deviation over subsets.
    pub kid_std: f64,
}

impl Record {
    /// The slots as an encoding.
    pub fn slot_encoding(&self) -> SlotEncoding {
        SlotEncoding {
            entries: self.slots.clone(),
        }
    }
}

/// An open label file.
pub struct LabelFile {
    path: PathBuf,
    file: File,
}

impl LabelFile {
    /// Opens (or creates) `path` for appending and returns the records already in it. A
    /// truncated last line is cut off the file; a record of another run is an error.
    pub fn open(path: &Path, run_key: &str) -> Result<(Self, Vec<Record>), DatasetError> {
        let io = |e: std::io::Error| DatasetError::Io {
            path: path.to_path_buf(),
            err: e,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let (records, good_len) = if path.exists() {
            read_lines(path)?
        } else {
            (vec![], 0)
        };
        if let Some(r) = records.iter().find(|r| r.run_key != run_key) {
            return Err(DatasetError::Corrupt {
                path: path.to_path_buf(),
                line: 0,
                reason: format!(
                    "record {} was made by another run (key {} here, {run_key} asked): \
                     give a new --out file, or the arguments it was made with",
                    r.id, r.run_key
                ),
            });
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        if file.metadata().map_err(io)?.len() > good_len {
            // Drop the partial record a killed process left behind.
            file.set_len(good_len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        let out = LabelFile {
            path: path.to_path_buf(),
            file,
        };
        Ok((out, records))
    }

    /// Appends one record as one line, then flushes and fsyncs.
    pub fn append(&mut self, record: &Record) -> Result<(), DatasetError> {
        let io = |e: std::io::Error| DatasetError::Io {
            path: self.path.clone(),
            err: e,
        };
        let mut line = serde_json::to_string(record).expect("records serialise");
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.flush().map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// Reads the whole records of `path` and the byte length they span; a last line without its
/// newline (a killed writer's) is left out. A bad line before the end is an error.
pub fn read_lines(path: &Path) -> Result<(Vec<Record>, u64), DatasetError> {
    let bytes = std::fs::read(path).map_err(|e| DatasetError::Io {
        path: path.to_path_buf(),
        err: e,
    })?;
    let good_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let text = std::str::from_utf8(&bytes[..good_len]).map_err(|e| DatasetError::Corrupt {
        path: path.to_path_buf(),
        line: 0,
        reason: format!("not UTF-8: {e}"),
    })?;
    let mut records = vec![];
    for (i, line) in text.lines().enumerate() {
        let r: Record = serde_json::from_str(line).map_err(|e| DatasetError::Corrupt {
            path: path.to_path_buf(),
            line: i + 1,
            reason: format!("{e}; delete the line or the file to relabel it"),
        })?;
        records.push(r);
    }
    Ok((records, good_len as u64))
}

/// Reads the records of a finished label file (a truncated last line is dropped).
pub fn read_records(path: &Path) -> Result<Vec<Record>, DatasetError> {
    Ok(read_lines(path)?.0)
}

/// The union of the records of `inputs` by id, sorted by id. The same id twice must be the same
/// label (wall time aside); records of different runs are an error.
pub fn merge_records(inputs: &[PathBuf]) -> Result<Vec<Record>, DatasetError> {
    let mut by_id: BTreeMap<u64, (Record, &Path)> = BTreeMap::new();
    for path in inputs {
        for r in read_records(path)? {
            if let Some((first, first_path)) = by_id.values().next()
                && first.run_key != r.run_key
            {
                return Err(DatasetError::Corrupt {
                    path: path.clone(),
                    line: 0,
                    reason: format!(
                        "record {} has run key {} but {} has {}: these files are not shards of one run",
                        r.id,
                        r.run_key,
                        first_path.display(),
                        first.run_key
                    ),
                });
            }
            match by_id.get(&r.id) {
                Some((old, _)) if !same_label(old, &r) => {
                    return Err(DatasetError::Corrupt {
                        path: path.clone(),
                        line: 0,
                        reason: format!("record {} differs from the one in another file", r.id),
                    });
                }
                Some(_) => {}
                None => {
                    by_id.insert(r.id, (r, path));
                }
            }
        }
    }
    Ok(by_id.into_values().map(|(r, _)| r).collect())
}

/// Equal apart from the wall time.
pub fn same_label(a: &Record, b: &Record) -> bool {
    let mut b = b.clone();
    b.wall_s = a.wall_s;
    *a == b
}

/// The JSON-lines text of `records`.
pub fn to_jsonl(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r).expect("records serialise"));
        out.push('\n');
    }
    out
}
