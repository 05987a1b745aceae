//! A cache of `zoo-gate`'s per-run scores, so that the gate after a training round samples and
//! scores only the members that changed (issue 16: a CPU round retrains one member, and a full
//! gate costs half an hour on two cores).
//!
//! A run's figures in one feature space depend on the member (its convention, architecture and
//! weight layout, and the sha256 of its weights file: not its name, recipe or where the file
//! lies, so a member judged in a candidate manifest is found again in the zoo's), the schedule, the fresh-noise configuration (seed sets, images per set,
//! batch, bootstrap) and the space's reference protocol. The key is a hash of exactly those
//! parts and of [`FORMAT`]; an entry is one JSON file named by its key, written atomically, and
//! says when and by which version it was computed. As with label files, the sampling, solver and
//! metric code is not part of the key: after a change to it, start a new cache folder.
//!
//! Bootstrap draws stay shared: a [`PairedReference`](oms_metrics::paired::PairedReference) is a
//! pure function of the reference, `n` and the bootstrap configuration, all in the key, so a
//! cached set pairs with a fresh one image for image and draw for draw.

use std::path::{Path, PathBuf};

use oms_artifacts::write_json;
use oms_dataset::run_key;
use oms_metrics::GaussianStats;
use oms_metrics::features::FeatureSpace;
use oms_schedule::Schedule;
use oms_solver::ModelConvention;
use oms_zoo::UnetMember;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::fresh::{FreshConfig, FreshScore};
use crate::{PipelineError, Result};

/// Version of the key and entry layout; a change makes every older entry a miss.
pub const FORMAT: u32 = 1;

/// What one run's score in one space depends on.
pub struct RunParts<'a> {
    /// The member's convention.
    pub convention: &'a ModelConvention,
    /// The member's architecture and weight layout (its checkpoint path, sha256 field and
    /// recipe are not part of the key).
    pub unet: &'a UnetMember,
    /// sha256 of its weights file as read now.
    pub weights_sha256: &'a str,
    /// The schedule sampled (its model names are blanked in the key).
    pub schedule: &'a Schedule,
    /// `[channels, height, width]` of the samples.
    pub image_shape: [usize; 3],
    /// Fresh-noise configuration.
    pub config: &'a FreshConfig,
    /// Hash of the space's reference protocol.
    pub protocol: &'a str,
    /// Hash of the reference's statistics ([`stats_hash`]).
    pub stats: &'a str,
    /// The device (backend) that samples and scores.
    pub device: &'a str,
    /// The space.
    pub space: FeatureSpace,
}

/// The cache key of `parts`.
pub fn score_key(parts: &RunParts) -> String {
    let mut schedule = parts.schedule.clone();
    for step in &mut schedule.steps {
        for model in &mut step.models {
            model.clear();
        }
    }
    run_key(&json!({
        "format": FORMAT, "convention": parts.convention, "architecture": parts.unet.config,
        "layout": parts.unet.layout, "state_dict_key": parts.unet.state_dict_key,
        "weights_sha256": parts.weights_sha256, "schedule": schedule,
        "image_shape": parts.image_shape, "fresh": parts.config, "protocol": parts.protocol,
        "stats": parts.stats, "device": parts.device, "space": parts.space,
    }))
}

/// A hash of reference statistics (mean and covariance, bit for bit): references with the same
/// protocol computed on another backend differ in their last digits.
pub fn stats_hash(stats: &GaussianStats) -> String {
    let mut hasher = Sha256::new();
    for v in stats.mean.iter().chain(&stats.cov) {
        hasher.update(v.to_le_bytes());
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether every figure of `score` is finite (JSON cannot hold the others: such a score is not
/// cached).
pub fn cacheable(score: &FreshScore) -> bool {
    let set = &score.set;
    [set.fd, set.kid]
        .iter()
        .chain(&set.boot_fd)
        .chain(&set.boot_kid)
        .chain(&score.bank_fd)
        .all(|v| v.is_finite())
}

/// One cached score.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedScore {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// Its key (the file's name).
    pub key: String,
    /// When it was computed (RFC 3339, UTC).
    pub computed: String,
    /// The oms version that computed it.
    pub version: String,
    /// The score (its `name` is the run's name when it was computed).
    pub score: FreshScore,
}

/// A folder of cached scores.
#[derive(Debug, Clone)]
pub struct ScoreCache {
    dir: PathBuf,
}

impl ScoreCache {
    /// The cache in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The entry of `key`, if there is one of this [`FORMAT`]. A file that cannot be read or
    /// parsed, or that holds another key, is an error naming it (delete it to recompute).
    pub fn get(&self, key: &str) -> Result<Option<CachedScore>> {
        let path = self.path(key);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(corrupt(&path, &e.to_string())),
        };
        let entry: CachedScore =
            serde_json::from_str(&text).map_err(|e| corrupt(&path, &e.to_string()))?;
        if entry.key != key {
            return Err(corrupt(&path, &format!("it holds key {}", entry.key)));
        }
        Ok((entry.format == FORMAT).then_some(entry))
    }

    /// Stores `score` under `key` (atomically) and returns the entry.
    pub fn put(&self, key: &str, score: &FreshScore) -> Result<CachedScore> {
        let entry = CachedScore {
            format: FORMAT,
            key: key.to_string(),
            computed: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            version: env!("CARGO_PKG_VERSION").to_string(),
            score: score.clone(),
        };
        write_json(&self.path(key), &entry)?;
        Ok(entry)
    }
}

fn corrupt(path: &Path, why: &str) -> PipelineError {
    PipelineError::Invalid(format!(
        "{}: not a readable zoo-gate cache entry ({why}); delete it and the gate recomputes that run",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_metrics::paired::PairedSet;

    fn score() -> FreshScore {
        FreshScore {
            name: "0".into(),
            space: FeatureSpace::Cnn,
            set: PairedSet {
                n: 10,
                fd: 12.5,
                kid: 0.001,
                boot_fd: vec![12.0, 13.0],
                boot_kid: vec![0.001, 0.002],
            },
            bank_fd: vec![12.5],
        }
    }

    fn parts_key(manifest: &oms_zoo::ZooManifest, sha: &str, space: FeatureSpace) -> String {
        let spec = crate::setup::SingleSpec {
            solver: oms_schedule::Solver::DpmSolver,
            order: 2,
            nfe: 10,
            grid: oms_schedule::TimeGrid::UniformLambda,
            t_end: Some(1e-3),
        };
        let schedule =
            crate::setup::single_model(manifest, &manifest.members[0].name, &spec).unwrap();
        let config = FreshConfig::new(vec![1000], 100, 50, 20);
        let (convention, unet) = match &manifest.members[0].kind {
            oms_zoo::MemberKind::Unet(unet) => (&manifest.members[0].convention, unet.as_ref()),
            _ => panic!("v3's members are UNets"),
        };
        score_key(&RunParts {
            convention,
            unet,
            weights_sha256: sha,
            schedule: &schedule,
            image_shape: [1, 28, 28],
            config: &config,
            protocol: "p",
            stats: "s",
            device: "cpu",
            space,
        })
    }

    #[test]
    fn the_key_follows_the_weights_and_the_space() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/zoo/fashion-mnist-v3.ron");
        let manifest = oms_zoo::ZooManifest::load(&path).unwrap();
        let key = parts_key(&manifest, "aa", FeatureSpace::Cnn);
        assert_eq!(key, parts_key(&manifest, "aa", FeatureSpace::Cnn));
        assert_ne!(key, parts_key(&manifest, "ab", FeatureSpace::Cnn));
        assert_ne!(key, parts_key(&manifest, "aa", FeatureSpace::Efficientnet));
        // the name, where the weights lie, the manifest's sha256 field and the recipe are not
        let mut moved = manifest.clone();
        moved.members[0].name = "tiny".into();
        if let oms_zoo::MemberKind::Unet(unet) = &mut moved.members[0].kind {
            unet.checkpoint = "elsewhere/xs.safetensors".into();
            unet.sha256 = None;
            unet.recipe.steps += 1;
        }
        assert_eq!(key, parts_key(&moved, "aa", FeatureSpace::Cnn));
        let mut wider = manifest.clone();
        if let oms_zoo::MemberKind::Unet(unet) = &mut wider.members[0].kind {
            unet.config.channels += 4;
        }
        assert_ne!(key, parts_key(&wider, "aa", FeatureSpace::Cnn));
        let mut headed = manifest.clone();
        if let oms_zoo::MemberKind::Unet(unet) = &mut headed.members[0].kind {
            unet.config.refine = Some(8);
        }
        assert_ne!(key, parts_key(&headed, "aa", FeatureSpace::Cnn));
    }

    #[test]
    fn a_stored_score_reads_back_and_a_missing_one_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ScoreCache::new(dir.path().join("cache"));
        assert!(cache.get("abc").unwrap().is_none());
        let stored = cache.put("abc", &score()).unwrap();
        let read = cache.get("abc").unwrap().expect("stored");
        assert_eq!(read.score.set.fd, 12.5);
        assert_eq!(read.computed, stored.computed);
        assert_eq!(read.format, FORMAT);
    }

    #[test]
    fn a_corrupt_entry_or_one_under_another_name_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ScoreCache::new(dir.path());
        std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
        let err = cache.get("bad").unwrap_err().to_string();
        assert!(
            err.contains("bad.json") && err.contains("delete it"),
            "{err}"
        );
        cache.put("one", &score()).unwrap();
        std::fs::rename(dir.path().join("one.json"), dir.path().join("two.json")).unwrap();
        let err = cache.get("two").unwrap_err().to_string();
        assert!(err.contains("holds key one"), "{err}");
    }

    #[test]
    fn an_entry_of_an_older_format_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ScoreCache::new(dir.path());
        let mut entry = cache.put("k", &score()).unwrap();
        entry.format = FORMAT + 1;
        write_json(&dir.path().join("k.json"), &entry).unwrap();
        assert!(cache.get("k").unwrap().is_none());
    }
}
