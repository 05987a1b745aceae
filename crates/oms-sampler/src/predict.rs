//! One network evaluation read as a prediction of the clean image or of the noise, outside a
//! sampling run (diagnostics such as the per-level denoising error of a member).

use burn::tensor::Tensor;
use oms_solver::{Target, convert};

use crate::combine::lincomb;
use crate::denoiser::Denoiser;

/// `model`'s unconditional prediction (no labels: a conditional member uses its null label) of
/// `target` (x0 or eps) for `x` at the shared level `lambda = log(alpha / sigma)`: the network
/// is called at its own time for `lambda` (`ModelConvention::call_at`) and its output
/// converted to `target` with the same coefficients
/// the solvers use (`oms_solver::convert`: for a v-predicting model, `x0 = alpha x - sigma v`,
/// Salimans and Ho 2022, eq. 11).
///
/// # Shapes
/// `x`: `[batch, channels, height, width]`; the result has the same shape.
pub fn predict(model: &dyn Denoiser, x: Tensor<4>, lambda: f64, target: Target) -> Tensor<4> {
    let time_input = model.convention().call_at(lambda).time_input;
    let raw = model.forward(x.clone(), time_input, None);
    let (c_x, c_out) = convert(model.convention().prediction, target, lambda);
    lincomb(&[(c_x, &x), (c_out, &raw)])
}
