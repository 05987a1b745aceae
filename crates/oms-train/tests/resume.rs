//! Training is deterministic and an interrupted run resumes to exactly the same weights.

use burn::module::Module;
use burn::prelude::*;
use oms_data::Dataset;
use oms_solver::ModelConvention;
use oms_train::train_unet;
use oms_zoo::Recipe;
use oms_zoo::unet::UnetConfig;

fn data() -> Dataset {
    // 40 synthetic 28x28 images: a bright square at a varying position.
    let mut images = vec![0u8; 40 * 784];
    for i in 0..40 {
        for r in 0..6 {
            for c in 0..6 {
                images[i * 784 + (4 + i % 15 + r) * 28 + 5 + c] = 255;
            }
        }
    }
    Dataset {
        images,
        labels: (0..40).map(|i| (i % 10) as u8).collect(),
        rows: 28,
        cols: 28,
    }
}

fn weights(net: &oms_zoo::unet::Unet) -> Vec<f32> {
    let x = Tensor::<4>::ones([1, 1, 28, 28], &Device::flex());
    net.forward(x, Tensor::from_floats([300.0], &Device::flex()), None)
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap()
}

#[test]
fn resume_gives_the_same_weights_as_an_uninterrupted_run() {
    let device = Device::flex();
    let cfg = UnetConfig::new(8, vec![1], 1).with_groups(4).with_patch(4);
    let conv = ModelConvention::reference();
    let recipe = |steps| Recipe {
        steps,
        batch: 8,
        lr: 1e-3,
        warmup: 2,
        ema_decay: 0.9,
        grad_clip: 1.0,
        seed: 5,
        checkpoint_every: 2,
        t_min: 1e-3,
        label_drop: 0.1,
        loss_weight: oms_zoo::LossWeight::MinSnr { gamma: 5.0 },
    };
    let data = data();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (straight, out) = train_unet(
        &cfg,
        &conv,
        &recipe(6),
        &data,
        a.path(),
        &device,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(out.step, 6);
    assert!(out.loss.is_finite());
    // Interrupted after 4 steps (the last checkpoint), then resumed to 6.
    train_unet(
        &cfg,
        &conv,
        &recipe(4),
        &data,
        b.path(),
        &device,
        &mut |_| {},
    )
    .unwrap();
    let mut resumed_from = None;
    let (resumed, _) = train_unet(
        &cfg,
        &conv,
        &recipe(6),
        &data,
        b.path(),
        &device,
        &mut |p| {
            resumed_from.get_or_insert(p.step);
        },
    )
    .unwrap();
    assert_eq!(resumed_from, Some(5), "the resumed run starts after step 4");
    assert_eq!(weights(&straight), weights(&resumed));
    assert_eq!(straight.num_params(), resumed.num_params());
}
