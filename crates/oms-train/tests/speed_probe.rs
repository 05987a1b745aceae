//! Probe (ignored): loss per noise level of trained members (EMA vs raw weights).
use burn::prelude::*;
use oms_data::{Dataset, DatasetKind, Split};
use oms_train::diffusion_batch;
use oms_zoo::checkpoint::load_weights;
use oms_zoo::{MemberKind, ZooManifest};

#[test]
#[ignore]
fn probe() {
    let device = Device::flex();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = Dataset::load(&root.join("data"), DatasetKind::FashionMnist, Split::Test).unwrap();
    let manifest = ZooManifest::load(&root.join("configs/zoo/fashion-mnist.ron")).unwrap();
    for name in ["xs", "s", "m-cos-v"] {
        let m = manifest.members.iter().find(|m| m.name == name).unwrap();
        let MemberKind::Unet(u) = &m.kind else {
            panic!()
        };
        for (label, path) in [
            ("ema", manifest.checkpoint_path(u)),
            (
                "raw",
                root.join(format!("runs/train-zoo/{name}/model.safetensors")),
            ),
        ] {
            let mut net = u.config.init(&device);
            if load_weights(&mut net, &path).is_err() {
                println!("{name} {label}: cannot load {}", path.display());
                continue;
            }
            let idx: Vec<usize> = (0..64).collect();
            let mut line = format!("{name} {label}:");
            for t in [0.02, 0.2, 0.5, 0.8, 0.98] {
                let mut conv = m.convention.clone();
                let _ = &mut conv;
                let b = diffusion_batch(
                    data.batch_f32(&idx),
                    [64, 1, 28, 28],
                    &conv,
                    t,
                    3,
                    0,
                    &device,
                );
                // diffusion_batch draws t in [t_min, T]; use t_min = t and a narrow range by clamping:
                let pred = net.forward(b.x_t, b.time_input, None);
                let loss = (pred - b.target).powi_scalar(2).mean().into_scalar::<f64>();
                line += &format!(" t>={t}: {loss:.3}");
            }
            println!("{line}");
        }
    }
}
