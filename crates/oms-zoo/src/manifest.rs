//! The zoo manifest (RON): each member's name, calling convention and what it is. Model ids are
//! fixed by the order of `members`, never by directory order.

use std::path::{Path, PathBuf};

use oms_sampler::Zoo;
use serde::{Deserialize, Serialize};

use burn::prelude::Device;
use oms_solver::ModelConvention;

use crate::analytic::{AnalyticDenoiser, Imperfection, Mixture, shapes};
use crate::checkpoint::file_sha256;
use crate::error::ZooError;
use crate::import::{Layout, import_unet_from};
use crate::recipe::Recipe;
use crate::unet::UnetConfig;
use crate::unet_denoiser::UnetDenoiser;

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

/// A UNet member: architecture, weights and how they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnetMember {
    /// Architecture.
    pub config: UnetConfig,
    /// Weights (safetensors), relative to the manifest's folder.
    pub checkpoint: PathBuf,
    /// sha256 of the weights file; `None` until trained.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Key layout of the weights file: `Oms` (default, trained here), `Ddim` or `Diffusers`
    /// (imported; see [`crate::import`]).
    #[serde(default)]
    pub layout: Layout,
    /// Key of the state dict inside a PyTorch checkpoint (e.g. `"state_dict"`), if nested.
    #[serde(default)]
    pub state_dict_key: Option<String>,
    /// Training data (`fashion-mnist` or `mnist`).
    pub dataset: String,
    /// Training recipe.
    pub recipe: Recipe,
}

/// What a member is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MemberKind {
    /// A closed-form denoiser of the manifest's analytic data.
    Analytic(Imperfection),
    /// A burn UNet with weights on disk.
    Unet(Box<UnetMember>),
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
            if let MemberKind::Analytic(_) = m.kind {
                self.check_analytic(m, dim)?;
            }
        }
        Ok(())
    }

    fn check_analytic(&self, m: &MemberSpec, dim: usize) -> Result<(), ZooError> {
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
        Ok(())
    }

    /// The weights file of a UNet member, resolved against the manifest's folder.
    pub fn checkpoint_path(&self, member: &UnetMember) -> PathBuf {
        self.path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&member.checkpoint)
    }

    /// Builds one UNet member: verifies the weights' sha256 and loads them.
    pub fn load_unet(
        &self,
        name: &str,
        member: &UnetMember,
        convention: &ModelConvention,
        device: &Device,
    ) -> Result<UnetDenoiser, ZooError> {
        let path = self.checkpoint_path(member);
        let invalid = |message: String| ZooError::Invalid {
            path: path.clone(),
            message,
        };
        if !path.is_file() {
            return Err(invalid(format!(
                "weights of member '{name}' are missing; run `cargo xtask train-zoo --zoo {} --member {name}`, \
                 or, if they were committed once, restore them from git history (`git log --oneline -- {}` \
                 names the commit)",
                self.path.display(),
                path.display()
            )));
        }
        match (&member.sha256, member.layout) {
            (None, Layout::Oms) => {
                let msg = format!(
                    "member '{name}' has no sha256 in {}; training writes it",
                    self.path.display()
                );
                return Err(invalid(msg));
            }
            (Some(expected), _) => {
                let found = file_sha256(&path)?;
                if &found != expected {
                    return Err(invalid(format!(
                        "sha256 {found} does not match the manifest's {expected}; the file is corrupt or was replaced"
                    )));
                }
            }
            (None, _) => {}
        }
        let key = member.state_dict_key.as_deref();
        let net = import_unet_from(&path, member.layout, key, &member.config, device)?;
        Ok(UnetDenoiser {
            net,
            convention: convention.clone(),
            num_classes: member.config.num_classes,
        })
    }

    /// Member names in id order.
    pub fn names(&self) -> Vec<String> {
        self.members.iter().map(|m| m.name.clone()).collect()
    }

    /// Builds all of the zoo's denoisers on `device`.
    pub fn build(&self, device: &Device) -> Result<Zoo, ZooError> {
        let names: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
        self.build_members(device, &names)
    }

    /// Builds only the named members (in manifest order); unknown names are ignored here and
    /// reported by schedule validation.
    pub fn build_members(&self, device: &Device, names: &[&str]) -> Result<Zoo, ZooError> {
        let mut zoo = Zoo::new();
        let data = self.analytic_data.as_ref().map(AnalyticData::mixture);
        for m in self
            .members
            .iter()
            .filter(|m| names.contains(&m.name.as_str()))
        {
            let model: Box<dyn oms_sampler::Denoiser> = match &m.kind {
                MemberKind::Analytic(imperfection) => {
                    let data = data.as_ref().expect("checked on load");
                    Box::new(AnalyticDenoiser::new(
                        data,
                        *imperfection,
                        m.convention.clone(),
                    ))
                }
                MemberKind::Unet(u) => {
                    Box::new(self.load_unet(&m.name, u, &m.convention, device)?)
                }
            };
            zoo.push(m.name.clone(), model)
                .map_err(|e| self.invalid(e.to_string()))?;
        }
        Ok(zoo)
    }

    /// What schedule validation needs, from the conventions alone (no weights are loaded).
    pub fn model_infos(&self) -> Vec<oms_schedule::ModelInfo> {
        self.members
            .iter()
            .map(|m| oms_schedule::ModelInfo {
                name: m.name.clone(),
                lambda_min: m.convention.lambda_min(),
            })
            .collect()
    }
}

/// Sets `sha256: Some("...")` of member `name` in a manifest's RON text, keeping its comments
/// and layout (the field must be present, as `None` or `Some(..)`).
pub fn set_sha256_in_text(text: &str, name: &str, sha: &str) -> Result<String, String> {
    let key = format!("name: \"{name}\"");
    let at = text
        .find(&key)
        .ok_or_else(|| format!("member '{name}' not found"))?;
    let field = text[at..]
        .find("sha256:")
        .ok_or_else(|| format!("member '{name}' has no sha256 field"))?
        + at;
    let next_member = text[at + key.len()..]
        .find("name: \"")
        .map_or(text.len(), |i| i + at + key.len());
    if field > next_member {
        return Err(format!("member '{name}' has no sha256 field"));
    }
    let value_start = field + "sha256:".len();
    let rest = &text[value_start..];
    let end = rest.find(',').ok_or("unterminated sha256 field")?;
    Ok(format!(
        "{} Some(\"{sha}\"){}",
        &text[..value_start],
        &rest[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_is_set_in_place() {
        let text = "// keep\n(members: [(name: \"a\", sha256: None, x: 1), (name: \"b\", sha256: Some(\"old\"), y: 2)])";
        let t = set_sha256_in_text(text, "b", "new").unwrap();
        assert!(
            t.contains("(name: \"b\", sha256: Some(\"new\"), y: 2)") && t.starts_with("// keep"),
            "{t}"
        );
        let t = set_sha256_in_text(&t, "a", "x1").unwrap();
        assert!(
            t.contains("(name: \"a\", sha256: Some(\"x1\"), x: 1)"),
            "{t}"
        );
        assert!(set_sha256_in_text(text, "c", "z").is_err());
    }
}
