//! Label files that belong together: one zoo (checked against the manifest), one n, one noise
//! bank and one metric protocol, so their FDs are on one scale.

use std::path::{Path, PathBuf};

use oms_dataset::{Record, read_records};
use oms_zoo::ZooManifest;

use crate::keys::zoo_key;
use crate::{PipelineError, Result};

/// The label files as one comma-separated name (what a predictor records as its labels).
pub fn label_source(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The records of several label files, which must share n, noise bank, metric protocol and zoo,
/// and the zoo must be `manifest` (same members and weights). Empty files are allowed here;
/// [`first_record`] refuses an empty set.
pub fn read_label_sets(paths: &[PathBuf], manifest: &ZooManifest) -> Result<Vec<Record>> {
    let zoo = zoo_key(manifest);
    let mut all: Vec<Record> = vec![];
    for path in paths {
        let records = read_records(path).map_err(|e| {
            labels_error(
                path,
                format!(
                    "{e}; make labels with `cargo xtask dataset --out {}`",
                    path.display()
                ),
            )
        })?;
        if let Some(r) = records.iter().find(|r| r.zoo != zoo) {
            return Err(labels_error(
                path,
                format!(
                    "labelled with another zoo (key {}) than {} (key {zoo}): use the label files of this zoo, or pass the --zoo they were made with",
                    r.zoo,
                    manifest.path.display()
                ),
            ));
        }
        if let (Some(a), Some(b)) = (all.first(), records.first()) {
            let key = |r: &Record| (r.n, r.seed, r.protocol_hash.clone());
            if key(a) != key(b) {
                return Err(labels_error(
                    path,
                    format!(
                        "n {}, bank {}, protocol {} does not match {} (n {}, bank {}, protocol {}): label files trained together need the same n, noise bank and metric",
                        b.n,
                        b.seed,
                        b.protocol_hash,
                        paths[0].display(),
                        a.n,
                        a.seed,
                        a.protocol_hash
                    ),
                ));
            }
        }
        all.extend(records);
    }
    Ok(all)
}

/// The first record of a label set (its n, bank, protocol and slots stand for all), or an error
/// naming the files.
pub fn first_record<'a>(records: &'a [Record], paths: &[PathBuf]) -> Result<&'a Record> {
    records.first().ok_or_else(|| {
        labels_error(
            Path::new(&label_source(paths)),
            "the label files are empty: make labels with `cargo xtask dataset`".into(),
        )
    })
}

/// Slots of the encoding the labels use (`L = 3 K` entries).
pub fn k_slots(first: &Record) -> usize {
    first.slots.len() / 3
}

fn labels_error(path: &Path, reason: String) -> PipelineError {
    PipelineError::Labels {
        path: path.to_owned(),
        reason,
    }
}
