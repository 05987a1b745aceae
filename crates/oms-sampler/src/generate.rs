//! Generating many samples in batches: seeded per-image noise, one schedule, progress by NFE.

use burn::tensor::{DType, Device};
use oms_schedule::Schedule;

use crate::error::SampleError;
use crate::noise::{SeededNoise, image_noise};
use crate::sampler::Sampler;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateSpec {
    /// Number of samples.
    pub n: usize,
    /// Samples per batch.
    pub batch: usize,
    /// Shape of one sample `[C, H, W]`.
    pub shape: [usize; 3],
    /// Seed of the initial and solver noise.
    pub seed: u64,
}

/// Runs `schedule` for `spec.n` samples and returns them flattened (`n * C * H * W` values in
/// the model's data space). `on_nfe(k)` is called after every step with the step's NFE count.
pub fn generate(
    sampler: &Sampler,
    schedule: &Schedule,
    spec: &GenerateSpec,
    device: &Device,
    on_nfe: &mut dyn FnMut(usize),
) -> Result<Vec<f32>, SampleError> {
    let per: usize = spec.shape.iter().product();
    let mut out = Vec::with_capacity(spec.n * per);
    let mut first = 0;
    while first < spec.n {
        let count = spec.batch.min(spec.n - first);
        let x = image_noise(spec.seed, first, count, 0, spec.shape, device, DType::F32);
        let mut noise = SeededNoise {
            seed: spec.seed,
            first_image: first,
        };
        let mut done = 0;
        let y = sampler.sample(schedule, x, &mut noise, &mut |e| {
            on_nfe(e.nfe_done - done);
            done = e.nfe_done;
        })?;
        let values = y
            .into_data()
            .try_into_vec_as::<f32>()
            .map_err(|e| SampleError::Readback(format!("{e:?}")))?;
        out.extend(values);
        first += count;
    }
    Ok(out)
}
