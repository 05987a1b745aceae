//! The sampler of oms: the denoiser contract, the zoo lookup by model name, and one loop that runs
//! any [`oms_schedule::Schedule`] with any solver on burn tensors. `combine` is the only place in
//! the workspace where solver coefficients are applied to tensors.

mod combine;
pub mod denoiser;
pub mod error;
pub mod generate;
pub mod noise;
pub mod predict;
pub mod sampler;
pub mod zoo;

pub use combine::lincomb;
pub use denoiser::{Conditioning, Denoiser};
pub use error::SampleError;
pub use generate::{GenerateSpec, generate};
pub use noise::{NoiseSource, SeededNoise, gaussian, image_noise};
pub use predict::predict;
pub use sampler::{Sampler, SamplerOptions, StepEvent};
pub use zoo::Zoo;

/// Re-exported tensor types so that users of the sampler need not name burn's paths.
pub use burn::tensor::{DType, Device, Int, Tensor, TensorData};
