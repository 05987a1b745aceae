//! A zoo: denoisers by name, in manifest order (model id = position + 1 in reference encodings).

use oms_schedule::ModelInfo;

use crate::denoiser::Denoiser;
use crate::error::SampleError;

/// Named denoisers in a fixed order.
#[derive(Default)]
pub struct Zoo {
    members: Vec<(String, Box<dyn Denoiser>)>,
}

impl std::fmt::Debug for Zoo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zoo")
            .field("members", &self.names())
            .finish()
    }
}

impl Zoo {
    /// An empty zoo.
    pub fn new() -> Self {
        Zoo::default()
    }

    /// Adds a member; names must be unique.
    pub fn push(
        &mut self,
        name: impl Into<String>,
        model: Box<dyn Denoiser>,
    ) -> Result<(), SampleError> {
        let name = name.into();
        if self.get(&name).is_some() {
            return Err(SampleError::Zoo(format!(
                "model name '{name}' appears twice; names must be unique"
            )));
        }
        self.members.push((name, model));
        Ok(())
    }

    /// The denoiser called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn Denoiser> {
        self.members
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_ref())
    }

    /// Member names in manifest order.
    pub fn names(&self) -> Vec<String> {
        self.members.iter().map(|(n, _)| n.clone()).collect()
    }

    /// What schedule validation needs of each member.
    pub fn model_infos(&self) -> Vec<ModelInfo> {
        self.members
            .iter()
            .map(|(n, m)| ModelInfo {
                name: n.clone(),
                lambda_min: m.convention().lambda_min(),
            })
            .collect()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the zoo is empty.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}
