//! The denoiser contract: a network output for a batch at one noise level.
//!
//! Everything about prediction types, time inputs and training noise schedules lives in the
//! model's [`ModelConvention`]; the sampler maps the shared lambda to it (k-diffusion's "one
//! model contract").

use burn::tensor::{Int, Tensor};
use oms_solver::ModelConvention;

/// A diffusion model the sampler can call.
pub trait Denoiser {
    /// The model's training noise schedule, prediction type and time input.
    fn convention(&self) -> &ModelConvention;

    /// The raw network output for `x` at `time_input` (already in the model's own time
    /// convention), optionally conditioned on class `labels`.
    ///
    /// # Shapes
    /// - `x`: `[batch, channels, height, width]`
    /// - `labels`: `[batch]`
    ///
    /// # Returns
    /// The prediction (eps, x0 or v, per [`Self::convention`]) with the shape of `x`.
    fn forward(&self, x: Tensor<4>, time_input: f64, labels: Option<Tensor<1, Int>>) -> Tensor<4>;

    /// The label that means "no class" for classifier-free guidance; `None` for unconditional
    /// models.
    fn null_label(&self) -> Option<i64> {
        None
    }
}

/// Class conditioning for conditional models; unconditional models ignore it.
#[derive(Debug, Clone)]
pub struct Conditioning {
    /// One label per sample, `[batch]`.
    pub labels: Tensor<1, Int>,
    /// Guidance scale `w`: output = uncond + w (cond - uncond). `1` is plain conditional
    /// sampling (one forward); any other value evaluates both halves in one doubled batch.
    pub scale: f64,
}
