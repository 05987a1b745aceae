//! Probe (ignored): how fast candidate members learn on Fashion-MNIST.
use burn::prelude::*;
use oms_data::{Dataset, DatasetKind, Split};
use oms_solver::ModelConvention;
use oms_train::train_unet;
use oms_zoo::Recipe;
use oms_zoo::unet::UnetConfig;

#[test]
#[ignore]
fn probe() {
    let device = Device::flex();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let data = Dataset::load(&root, DatasetKind::FashionMnist, Split::Train).unwrap();
    let mut conv = ModelConvention::reference();
    conv.time_input = oms_solver::TimeInput::Continuous { scale: 1000.0 };
    for (name, cfg) in [
        (
            "p4 ch32",
            UnetConfig::new(32, vec![1], 1).with_groups(8).with_patch(4),
        ),
        (
            "p4 ch48",
            UnetConfig::new(48, vec![1], 1).with_groups(8).with_patch(4),
        ),
        (
            "p2 ch8",
            UnetConfig::new(8, vec![1, 2], 1)
                .with_groups(4)
                .with_attn_resolutions(vec![7])
                .with_patch(2),
        ),
        (
            "p2 ch16",
            UnetConfig::new(16, vec![1, 2], 1)
                .with_groups(8)
                .with_attn_resolutions(vec![7])
                .with_patch(2),
        ),
    ] {
        let recipe = Recipe {
            steps: 150,
            batch: 64,
            lr: 1e-3,
            warmup: 20,
            ema_decay: 0.995,
            grad_clip: 1.0,
            seed: 1,
            checkpoint_every: 1000,
            t_min: 1e-3,
            label_drop: 0.1,
        };
        let dir = tempfile::tempdir().unwrap();
        train_unet(&cfg, &conv, &recipe, &data, dir.path(), &device, &mut |p| {
            if p.step % 25 == 0 {
                println!(
                    "{name} step {} loss {:.4} smoothed {:.4}",
                    p.step, p.step_loss, p.loss
                );
            }
        })
        .unwrap();
    }
}
