//! Convolutions at the zoo's shapes (batch 128, channels 16-128 at 7x7 and 14x14): burn's
//! `Conv2d` against the same convolution written as tensor ops, kept as the measurement behind
//! docs/benchmarks.md ("CPU convolutions"): a 3x3 convolution as nine shifted slices of the
//! padded input stacked on the channel axis and one batched matmul (issue 16, part 3), and a
//! 1x1 convolution as one batched matmul (`oms_zoo::unet::conv1x1`, which the zoo now uses).
//! Both check their output against `Conv2d` first.

#![allow(missing_docs)]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::{Device, Distribution, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use oms::zoo::unet::conv1x1;

fn matmul_conv(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    let weight = conv.weight.val();
    let o = weight.dims()[0];
    let xp = x.pad([(1, 1), (1, 1)], burn::tensor::ops::PadMode::Constant(0.0));
    let mut cols = Vec::with_capacity(9);
    for kh in 0..3 {
        for kw in 0..3 {
            cols.push(xp.clone().slice([0..b, 0..c, kh..kh + h, kw..kw + w]));
        }
    }
    let cols: Tensor<5> = Tensor::stack(cols, 2);
    let cols = cols.reshape([b, c * 9, h * w]);
    let out = weight.reshape([1, o, c * 9]).matmul(cols);
    let mut out = out.reshape([b, o, h, w]);
    if let Some(bias) = &conv.bias {
        out = out + bias.val().reshape([1, o, 1, 1]);
    }
    out
}

type ConvFn = fn(&Conv2d, Tensor<4>) -> Tensor<4>;

fn bench(c: &mut Criterion) {
    // criterion's HTML report (target/criterion/report/index.html) draws with plotters.
    oms::artifacts::register_plot_font();
    let flex = Device::flex();
    let ad = flex.clone().autodiff();
    let mut group = c.benchmark_group("conv");
    group.sample_size(10);
    let shapes = [
        (3usize, 16usize, 7usize),
        (3, 32, 14),
        (3, 64, 14),
        (3, 128, 7),
    ];
    for (k, ch, hw) in shapes.into_iter().chain([(1, 64, 14), (1, 128, 7)]) {
        let batch = 128;
        let alt: ConvFn = if k == 3 { matmul_conv } else { conv1x1 };
        for (mode, dev) in [("fwd", &flex), ("fwd+bwd", &ad)] {
            let pad = if k == 3 { 1 } else { 0 };
            let conv = Conv2dConfig::new([ch, ch], [k, k])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .init(dev);
            let x = Tensor::<4>::random([batch, ch, hw, hw], Distribution::Default, dev);
            let x = if mode == "fwd" { x } else { x.require_grad() };
            let a = conv
                .forward(x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let m = alt(&conv, x.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let err = a
                .iter()
                .zip(&m)
                .map(|(p, q)| (p - q).abs())
                .fold(0f32, f32::max);
            assert!(err < 1e-3, "max difference {err}");
            let run = |f: &dyn Fn(Tensor<4>) -> Tensor<4>| {
                let y = f(x.clone());
                if mode == "fwd" {
                    y.into_data();
                } else {
                    let g = y.powi_scalar(2).sum().backward();
                    let gx = x.grad(&g).unwrap();
                    gx.into_data();
                    conv.weight.val().grad(&g).unwrap().into_data();
                }
            };
            let id = format!("{k}x{k}/{mode}/c{ch}-{hw}x{hw}-b{batch}");
            group.bench_function(format!("conv2d/{id}"), |bch| {
                bch.iter(|| run(&|x| conv.forward(x)))
            });
            group.bench_function(format!("matmul/{id}"), |bch| {
                bch.iter(|| run(&|x| alt(&conv, x)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
