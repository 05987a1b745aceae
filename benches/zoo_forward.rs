//! Forward time of every member of the default zoo at batch 1 and 256 on the CPU backend.
//! Members whose weights are not committed yet are skipped with a message.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use burn::tensor::{Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use oms::sampler::Denoiser;
use oms::zoo::{MemberKind, ZooManifest};

fn bench(c: &mut Criterion) {
    // criterion's HTML report (target/criterion/report/index.html) draws with plotters.
    oms::artifacts::register_plot_font();
    let device = Device::flex();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/configs/zoo/fashion-mnist-v2.ron"
    );
    let manifest = ZooManifest::load(std::path::Path::new(path)).expect("default zoo manifest");
    let mut group = c.benchmark_group("zoo_forward");
    group.sample_size(10);
    for member in &manifest.members {
        let MemberKind::Unet(unet) = &member.kind else {
            continue;
        };
        let model = match manifest.load_unet(&member.name, unet, &member.convention, &device) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("skipping {}: {e}", member.name);
                continue;
            }
        };
        let t_input = model.convention().call_at(0.0).time_input;
        for batch in [1usize, 256] {
            let [ch, h, w] = manifest.image_shape;
            let x = Tensor::<4>::zeros([batch, ch, h, w], &device);
            group.bench_function(format!("{}/b{batch}", member.name), |b| {
                b.iter(|| model.forward(x.clone(), t_input, None).into_data())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
