//! Denoising error by noise level (docs/zoo.md, "Denoising error by noise level"): held-out
//! images noised at fixed noise levels with seeded per-image noise, one network
//! evaluation of each member per level, and the error of its clean-image prediction. The noise
//! of image `i` at level `k` is the same for every member (stream `(i << 20) | k` of the seed),
//! so member differences are paired.
//!
//! Levels are DPM-Solver's `lambda = log(alpha / sigma)`, half the log-SNR (as everywhere in
//! oms). The error is reported as the noise-prediction MSE per image,
//! `eps_mse = SNR * mean((x0_hat - x0)^2)` with `SNR = exp(2 lambda)`: the share of the noise
//! the member fails to find. A member that returns its input unchanged (`x0_hat = x / alpha`)
//! scores 1 at every level; no member scores 0 (the best possible is the posterior variance of
//! the noise, which no file here knows), and at the noisy end every member is near 0 because
//! the input is nearly all noise. It is the per-level term of the denoising loss of Ho et al.
//! 2020 (eq. 14) and, in eps units, the quantity of Karras et al. 2022 (EDM), fig. 5a. The
//! probability-flow ODE moves the sample by `sigma` times the noise prediction per unit of
//! lambda (Lu et al. 2022, DPM-Solver, eq. 3.4): a member that cannot find the noise near the
//! data leaves it in the samples of fine solves.

use burn::tensor::{DType, Device, Tensor, TensorCreationOptions, TensorData};
use oms_sampler::{Denoiser, image_noise, lincomb, predict};
use oms_schedule::vp;
use oms_solver::Target;
use serde::Serialize;

use crate::{PipelineError, Result};

/// The 95% normal-approximation interval of a mean over images.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanInterval {
    /// The mean.
    pub mean: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl MeanInterval {
    /// Mean and `mean +- 1.96 sd / sqrt(n)` of `v` (sample standard deviation; a lone value
    /// gives a zero-width interval).
    pub fn of(v: &[f64]) -> Self {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
        let half = 1.96 * (var / n).sqrt();
        MeanInterval {
            mean,
            lo: mean - half,
            hi: mean + half,
        }
    }

    /// Whether the interval lies entirely above (`1`), below (`-1`) or around zero (`0`).
    pub fn sign(&self) -> i8 {
        if self.lo > 0.0 {
            1
        } else if self.hi < 0.0 {
            -1
        } else {
            0
        }
    }
}

/// Clean images in `[-1, 1]`, flattened, and the shape of one image.
#[derive(Debug, Clone, Copy)]
pub struct CleanImages<'a> {
    /// `count * c * h * w` pixels.
    pub pixels: &'a [f32],
    /// `[c, h, w]`.
    pub shape: [usize; 3],
}

impl CleanImages<'_> {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / self.shape.iter().product::<usize>()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Refuses levels (`log(alpha / sigma)`) outside a member's trained range (its network would be called at a time it
/// never saw, clamped to the range's end), naming the member and the range.
pub fn check_levels(name: &str, model: &dyn Denoiser, lambdas: &[f64]) -> Result<()> {
    let (lo, hi) = model.convention().noise.lambda_range();
    match lambdas
        .iter()
        .find(|l| !l.is_finite() || **l < lo || **l > hi)
    {
        Some(l) => Err(PipelineError::Invalid(format!(
            "level lambda = {l} is outside member '{name}''s trained range [{lo:.3}, {hi:.3}]: \
             give levels inside it (--lambdas) or leave the member out (--models)"
        ))),
        None => Ok(()),
    }
}

/// Per-image `eps_mse` of one member at every level of `lambdas` (each `log(alpha / sigma)`),
/// indexed `[level][image]`, in batches of `batch`; `tick` is called after every batch. A
/// non-finite prediction is an error naming the level.
pub fn member_errors(
    model: &dyn Denoiser,
    images: CleanImages,
    lambdas: &[f64],
    seed: u64,
    batch: usize,
    device: &Device,
    tick: &mut dyn FnMut(),
) -> Result<Vec<Vec<f64>>> {
    let per: usize = images.shape.iter().product();
    let n = images.len();
    let mut out = vec![Vec::with_capacity(n); lambdas.len()];
    for (k, &lambda) in lambdas.iter().enumerate() {
        let (a, s) = (vp::alpha(lambda), vp::sigma(lambda));
        for first in (0..n).step_by(batch.max(1)) {
            let count = batch.max(1).min(n - first);
            let [c, h, w] = images.shape;
            let x0: Tensor<4> = Tensor::from_data(
                TensorData::new(
                    images.pixels[first * per..(first + count) * per].to_vec(),
                    [count, c, h, w],
                ),
                TensorCreationOptions::new(device.clone()),
            );
            let eps = image_noise(
                seed,
                first,
                count,
                k as u64,
                images.shape,
                device,
                DType::F32,
            );
            let x = lincomb(&[(a, &x0), (s, &eps)]);
            let x0_hat = predict(model, x, lambda, Target::X0);
            let mse = (x0_hat - x0)
                .powi_scalar(2)
                .reshape([count, per])
                .mean_dim(1);
            let mse = mse
                .reshape([count])
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| oms_sampler::SampleError::Readback(format!("{e:?}")))?;
            if mse.iter().any(|e| !e.is_finite()) {
                return Err(PipelineError::Invalid(format!(
                    "the prediction at lambda = {lambda} is not finite (NaN or Inf) for an \
                     image of {first}..{}: check the member's weights",
                    first + count
                )));
            }
            let snr = (2.0 * lambda).exp();
            out[k].extend(mse.iter().map(|&e| snr * e as f64));
            tick();
        }
    }
    Ok(out)
}

/// One member at one level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelSummary {
    /// The level, `log(alpha / sigma)`.
    pub lambda: f64,
    /// `sigma / alpha = exp(-lambda)` (the noise level of EDM's parametrisation).
    pub sigma_over_alpha: f64,
    /// Mean `eps_mse` over the images.
    pub eps_mse: MeanInterval,
    /// This member's `eps_mse` minus the reference member's, image by image (paired).
    pub minus_reference: MeanInterval,
}

/// One member at every level.
#[derive(Debug, Clone, Serialize)]
pub struct MemberSummary {
    /// Member name.
    pub name: String,
    /// Per level, in the order of the levels given.
    pub levels: Vec<LevelSummary>,
}

/// Summaries of `errors` (`[member][level][image]`, as [`member_errors`] returns them), with
/// paired differences against member `reference`.
pub fn summarise(
    names: &[String],
    errors: &[Vec<Vec<f64>>],
    lambdas: &[f64],
    reference: usize,
) -> Vec<MemberSummary> {
    names
        .iter()
        .zip(errors)
        .map(|(name, per_level)| MemberSummary {
            name: name.clone(),
            levels: lambdas
                .iter()
                .enumerate()
                .map(|(k, &lambda)| {
                    let diff: Vec<f64> = per_level[k]
                        .iter()
                        .zip(&errors[reference][k])
                        .map(|(a, b)| a - b)
                        .collect();
                    LevelSummary {
                        lambda,
                        sigma_over_alpha: (-lambda).exp(),
                        eps_mse: MeanInterval::of(&per_level[k]),
                        minus_reference: MeanInterval::of(&diff),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The summaries as two Markdown tables: each member's `eps_mse` per level with its interval,
/// then its paired difference to the reference member (bold where the interval excludes zero).
pub fn markdown(members: &[MemberSummary], reference: &str) -> String {
    use std::fmt::Write as _;
    let header = |md: &mut String| {
        md.push_str("| lambda | sigma / alpha |");
        for m in members {
            let _ = write!(md, " {} |", m.name);
        }
        md.push_str("\n|---:|---:|");
        md.push_str(&"---|".repeat(members.len()));
        md.push('\n');
    };
    let mut md = String::from(
        "Noise-prediction MSE (`eps_mse`: 1 = the input returned unchanged; lower is better), \
         mean over images with its 95% interval:\n\n",
    );
    header(&mut md);
    let rows = members.first().map_or(0, |m| m.levels.len());
    for k in 0..rows {
        let l = &members[0].levels[k];
        let _ = write!(md, "| {:.2} | {:.4} |", l.lambda, l.sigma_over_alpha);
        for m in members {
            let e = m.levels[k].eps_mse;
            let _ = write!(md, " {:.4} [{:.4}, {:.4}] |", e.mean, e.lo, e.hi);
        }
        md.push('\n');
    }
    let _ = write!(
        md,
        "\nMinus `{reference}`, image by image on the same noise (paired; bold: the 95% interval \
         excludes zero):\n\n"
    );
    header(&mut md);
    for k in 0..rows {
        let l = &members[0].levels[k];
        let _ = write!(md, "| {:.2} | {:.4} |", l.lambda, l.sigma_over_alpha);
        for m in members {
            let d = m.levels[k].minus_reference;
            let cell = format!("{:+.4} [{:+.4}, {:+.4}]", d.mean, d.lo, d.hi);
            if d.sign() == 0 {
                let _ = write!(md, " {cell} |");
            } else {
                let _ = write!(md, " **{cell}** |");
            }
        }
        md.push('\n');
    }
    md
}

#[cfg(test)]
mod tests {
    use burn::tensor::Int;
    use oms_schedule::{NoiseSchedule, NoiseSpec};
    use oms_solver::{ModelConvention, Prediction, TimeInput};

    use super::*;

    /// Returns zeros in the given prediction type: as eps, the input unchanged; as x0, a grey
    /// image.
    struct Zeros(ModelConvention);

    impl Denoiser for Zeros {
        fn convention(&self) -> &ModelConvention {
            &self.0
        }
        fn forward(&self, x: Tensor<4>, _: f64, _: Option<Tensor<1, Int>>) -> Tensor<4> {
            x.zeros_like()
        }
    }

    fn zeros(prediction: Prediction) -> Zeros {
        Zeros(ModelConvention {
            noise: NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap(),
            prediction,
            time_input: TimeInput::Continuous { scale: 1000.0 },
        })
    }

    #[test]
    fn the_identity_scores_one_and_a_grey_image_its_own_distance() {
        let device = Device::flex();
        let pixels: Vec<f32> = (0..4 * 9).map(|i| ((i % 7) as f32 - 3.0) / 4.0).collect();
        let images = CleanImages {
            pixels: &pixels,
            shape: [1, 3, 3],
        };
        let lambdas = [-2.0, 0.0, 3.0];
        let mut ticks = 0;
        let id = member_errors(
            &zeros(Prediction::Eps),
            images,
            &lambdas,
            5,
            3,
            &device,
            &mut || ticks += 1,
        )
        .unwrap();
        assert_eq!(ticks, 6, "two batches (3 + 1 images) per level");
        // x0_hat = x / alpha: the error is the noise itself, so eps_mse is the noise's mean
        // square, the same at every level (the same streams per level would make it equal;
        // each level draws its own), near 1 on average.
        let all: Vec<f64> = id.iter().flatten().copied().collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        assert!((mean - 1.0).abs() < 0.35, "{mean}");
        // x0_hat = 0: eps_mse = SNR * mean(x0^2) with SNR = exp(2 lambda), exactly, per image.
        let grey = member_errors(
            &zeros(Prediction::X0),
            images,
            &lambdas,
            5,
            2,
            &device,
            &mut || {},
        )
        .unwrap();
        for (k, l) in lambdas.iter().enumerate() {
            for i in 0..4 {
                let m2 = pixels[i * 9..(i + 1) * 9]
                    .iter()
                    .map(|p| (p * p) as f64)
                    .sum::<f64>()
                    / 9.0;
                let snr = (2.0 * l).exp();
                assert!(
                    (grey[k][i] - snr * m2).abs() < 1e-4 * (1.0 + snr),
                    "{k} {i}"
                );
            }
        }
        // the same seed gives the same noise whatever the batch
        let again = member_errors(
            &zeros(Prediction::Eps),
            images,
            &lambdas,
            5,
            4,
            &device,
            &mut || {},
        )
        .unwrap();
        for (a, b) in id.iter().flatten().zip(again.iter().flatten()) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn summaries_pair_members_image_by_image_and_levels_are_checked() {
        let errors = vec![vec![vec![1.0, 2.0, 3.0]], vec![vec![0.5, 1.6, 2.4]]];
        let names = ["a".to_string(), "b".to_string()];
        let s = summarise(&names, &errors, &[1.0], 1);
        assert!((s[0].levels[0].eps_mse.mean - 2.0).abs() < 1e-12);
        let d = s[0].levels[0].minus_reference;
        assert!((d.mean - 0.5).abs() < 1e-12 && d.sign() == 1, "{d:?}");
        assert_eq!(s[1].levels[0].minus_reference.sign(), 0);
        assert!((s[0].levels[0].sigma_over_alpha - (-1.0f64).exp()).abs() < 1e-12);
        let md = markdown(&s, "b");
        assert!(md.contains("**+0.5000") && md.contains("| a | b |"), "{md}");
        let z = zeros(Prediction::V);
        let (lo, _) = z.convention().noise.lambda_range();
        assert!(check_levels("z", &z, &[lo, 3.0]).is_ok());
        let e = check_levels("z", &z, &[lo - 1.0]).unwrap_err().to_string();
        assert!(e.contains("member 'z'") && e.contains("--lambdas"), "{e}");
    }
}
