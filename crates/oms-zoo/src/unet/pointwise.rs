//! 1x1 convolutions as one batched matmul over the pixels: `[1, out, in] x [b, in, h*w]`.
//! The same arithmetic as `Conv2d` with a 1x1 kernel and the same parameters (checkpoints load
//! unchanged), but burn's convolution backward is 2-3x slower than the matmul's at the zoo's
//! shapes (docs/benchmarks.md, "CPU convolutions"; `benches/conv.rs`).

use burn::nn::conv::Conv2d;
use burn::prelude::*;

/// Applies the 1x1, stride-1, unpadded, ungrouped `conv` to `x`.
///
/// # Shapes
/// - `x`: `[batch, in, height, width]`
///
/// # Returns
/// `[batch, out, height, width]`
pub fn conv1x1(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    debug_assert_eq!(conv.kernel_size, [1, 1]);
    debug_assert_eq!((conv.stride, conv.groups), ([1, 1], 1));
    let [b, c, h, w] = x.dims();
    let weight = conv.weight.val();
    let o = weight.dims()[0];
    let out = weight
        .reshape([1, o, c])
        .matmul(x.reshape([b, c, h * w]))
        .reshape([b, o, h, w]);
    match &conv.bias {
        Some(bias) => out + bias.val().reshape([1, o, 1, 1]),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::Distribution;

    #[test]
    fn equals_the_convolution_and_its_gradients() {
        let device = Device::flex().autodiff();
        let conv = Conv2dConfig::new([6, 5], [1, 1]).init(&device);
        let x = Tensor::<4>::random([3, 6, 4, 7], Distribution::Default, &device).require_grad();
        let close = |a: Tensor<4>, b: Tensor<4>| {
            let scale = b.clone().abs().max().into_scalar::<f64>().max(1.0);
            let d = (a - b).abs().max().into_scalar::<f64>();
            assert!(d < 1e-6 * scale, "max difference {d} at scale {scale}");
        };
        close(conv1x1(&conv, x.clone()), conv.forward(x.clone()));
        let grads = |y: Tensor<4>| y.powi_scalar(2).sum().backward();
        let (g1, g2) = (
            grads(conv1x1(&conv, x.clone())),
            grads(conv.forward(x.clone())),
        );
        close(x.grad(&g1).unwrap(), x.grad(&g2).unwrap());
        close(
            conv.weight.val().grad(&g1).unwrap(),
            conv.weight.val().grad(&g2).unwrap(),
        );
    }
}
