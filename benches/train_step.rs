//! One training step (forward, mean-squared loss, backward, Adam) of every member of the default
//! zoo at batch 128 on the CPU backend, from a fresh initialisation; throughput in images/s.

#![allow(missing_docs)]

use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Tensor};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oms::zoo::{MemberKind, ZooManifest};

fn bench(c: &mut Criterion) {
    // criterion's HTML report (target/criterion/report/index.html) draws with plotters.
    oms::artifacts::register_plot_font();
    let ad = Device::flex().autodiff();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/configs/zoo/fashion-mnist-v2.ron"
    );
    let manifest = ZooManifest::load(std::path::Path::new(path)).expect("default zoo manifest");
    let batch = 128;
    let mut group = c.benchmark_group("train_step");
    group.sample_size(10);
    group.throughput(Throughput::Elements(batch as u64));
    for member in &manifest.members {
        let MemberKind::Unet(unet) = &member.kind else {
            continue;
        };
        let [ch, h, w] = manifest.image_shape;
        let x = Tensor::<4>::random([batch, ch, h, w], Distribution::Normal(0.0, 1.0), &ad);
        let target = Tensor::<4>::random([batch, ch, h, w], Distribution::Normal(0.0, 1.0), &ad);
        let t = Tensor::<1>::random([batch], Distribution::Uniform(0.0, 999.0), &ad);
        let mut model = Some(unet.config.init(&ad));
        let mut optim = AdamConfig::new().init();
        eprintln!(
            "{}: {:.1} MFLOP per image forward",
            member.name,
            unet.config.flops_per_image() / 1e6
        );
        group.bench_function(format!("{}/b{batch}", member.name), |b| {
            b.iter(|| {
                let m = model.take().expect("model");
                let pred = m.forward(x.clone(), t.clone(), None);
                let loss = (pred - target.clone()).powi_scalar(2).mean();
                let grads = GradientsParams::from_grads(loss.backward(), &m);
                model = Some(optim.step(1e-4, m, grads));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
