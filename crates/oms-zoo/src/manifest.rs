//! The zoo manifest (RON): each member's name, calling convention and what it is. Model ids are
//! fixed by the order of `members`, never by directory order.

use std::path::{Path, PathBuf};

use oms_sampler::Zoo;
use serde::{Deserialize, Serialize};

use crate::analytic::{AnalyticDenoiser, Imperfection, Mixture, shapes};
use crate::error::ZooError;
use oms_solver::ModelConvention;

/// Data of an analytic zoo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnalyticData {
    /// The 28x28 shapes mixture: the first `count` figures, per-pixel std `std`.
    Shapes {
        /// Number of figures (1..=10).
        count: usize,
        /// Per-pixel standard deviation.
        std: f64,
    },
    /// An explicit mixture of diagonal Gaussians.
    Mixture(Mixture),
}

impl AnalyticData {
    /// The mixture.
    pub fn mixture(&self) -> Mixture {
        match self {
            AnalyticData::Shapes { count, std } => shapes(*count, *std),
            AnalyticData::Mixture(m) => m.clone(),
        }
    }
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberKind {
    /// A closed-form denoiser of the manifest's analytic data.
    Analytic(Imperfection),
}

/// One zoo member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberSpec {
    /// Unique name; schedules refer to it.
    pub name: String,
    /// Training noise schedule, prediction type, time input.
    pub convention: ModelConvention,
    /// What the member is.
    pub kind: MemberKind,
    /// A nominal per-NFE cost in ms for analytic members (real models are profiled instead).
    #[serde(default)]
    pub nominal_ms: Option<f64>,
}

/// A zoo manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZooManifest {
    /// Zoo name.
    pub name: String,
    /// Sample shape `[channels, height, width]`.
    pub image_shape: [usize; 3],
    /// Data of analytic members.
    #[serde(default)]
    pub analytic_data: Option<AnalyticData>,
    /// Members; model id = position + 1.
    pub members: Vec<MemberSpec>,
    /// Where the manifest was read from (not serialised).
    #[serde(skip)]
    pub path: PathBuf,
}

impl ZooManifest {
    /// Reads and checks a manifest.
    pub fn load(path: &Path) -> Result<Self, ZooError> {
        let text = std::fs::read_to_string(path).map_err(|source| ZooError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut manifest: ZooManifest = ron::from_str(&text).map_err(|e| ZooError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        manifest.path = path.to_owned();
        manifest.check()?;
        Ok(manifest)
    }

    fn invalid(&self, message: String) -> ZooError {
        ZooError::Invalid {
            path: self.path.clone(),
            message,
        }
    }

    fn check(&self) -> Result<(), ZooError> {
        if self.members.is_empty() {
            return Err(self.invalid("the zoo has no members; list at least one".into()));
        }
        let dim: usize = self.image_shape.iter().product();
        for (i, m) in self.members.iter().enumerate() {
            if self.members[..i].iter().any(|o| o.name == m.name) {
                return Err(self.invalid(format!(
                    "member name '{}' appears twice; rename one",
                    m.name
                )));
            }
            let MemberKind::Analytic(_) = m.kind;
            let Some(data) = &self.analytic_data else {
                let msg = format!(
                    "member '{}' is analytic but the manifest has no analytic_data",
                    m.name
                );
                return Err(self.invalid(msg));
            };
            let mix = data.mixture();
            mix.check()
                .map_err(|e| self.invalid(format!("analytic_data: {e}")))?;
            if mix.dim() != dim {
                let msg = format!(
                    "analytic_data has {} dimensions but image_shape {:?} has {dim}",
                    mix.dim(),
                    self.image_shape
                );
                return Err(self.invalid(msg));
            }
        }
        Ok(())
    }

    /// Member names in id order.
    pub fn names(&self) -> Vec<String> {
        self.members.iter().map(|m| m.name.clone()).collect()
    }

    /// Builds the zoo's denoisers.
    pub fn build(&self) -> Result<Zoo, ZooError> {
        let mut zoo = Zoo::new();
        let data = self.analytic_data.as_ref().map(AnalyticData::mixture);
        for m in &self.members {
            let MemberKind::Analytic(imperfection) = m.kind;
            let data = data.as_ref().expect("checked on load");
            let model = AnalyticDenoiser::new(data, imperfection, m.convention.clone());
            zoo.push(m.name.clone(), Box::new(model))
                .map_err(|e| self.invalid(e.to_string()))?;
        }
        Ok(zoo)
    }
}
