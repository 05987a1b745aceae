//! Training is deterministic and an interrupted run resumes to exactly the same weights.

use burn::module::Module;
use burn::prelude::*;
use oms_data::Dataset;
use oms_solver::ModelConvention;
use oms_train::{TrainOutcome, train_unet, warm_start_run};
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

/// burn's device seed is global: the tests of this file initialise their models one at a time.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn recipe(steps: usize) -> Recipe {
    Recipe {
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
        cooldown: None,
        time_sampling: Default::default(),
    }
}

#[test]
fn resume_gives_the_same_weights_as_an_uninterrupted_run() {
    let _one_at_a_time = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let cfg = UnetConfig::new(8, vec![1], 1).with_groups(4).with_patch(4);
    let conv = ModelConvention::reference();
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
    // At another batch the folder is refused before anything is trained or written.
    let err = train_unet(
        &cfg,
        &conv,
        &recipe(6).at_batch(16, oms_zoo::LrRule::Sqrt).unwrap(),
        &data,
        b.path(),
        &device,
        &mut |_| panic!("nothing is trained at the wrong batch"),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("trained at batch 8, not 16"), "{err}");
    let faster = Recipe {
        lr: 2e-3,
        ..recipe(6)
    };
    let err = train_unet(&cfg, &conv, &faster, &data, b.path(), &device, &mut |_| {
        panic!("nothing is trained at another learning rate")
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("trained at learning rate 0.001, not 0.002"),
        "{err}"
    );
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

#[test]
fn a_warm_start_continues_from_exported_weights_deterministically() {
    let _one_at_a_time = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let cfg = UnetConfig::new(8, vec![1], 1).with_groups(4).with_patch(4);
    let conv = ModelConvention::reference();
    let data = data();
    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| tmp.path().join(name);
    let (exported, out) = train_unet(
        &cfg,
        &conv,
        &recipe(4),
        &data,
        &dir("a"),
        &device,
        &mut |_| {},
    )
    .unwrap();
    let file = tmp.path().join("member.safetensors");
    oms_zoo::checkpoint::save_weights(&exported, &file).unwrap();
    let sha = oms_zoo::checkpoint::file_sha256(&file).unwrap();
    let from = TrainOutcome {
        seconds: 7.5,
        ..out
    };
    let warm = |name: &str| {
        warm_start_run(
            &cfg,
            &conv,
            &recipe(4),
            &data,
            &dir(name),
            &file,
            &from,
            &device,
        )
    };
    warm("b").unwrap();
    // No step to go: the run hands back the exported weights, its record says where it began.
    let (same, at4) = train_unet(
        &cfg,
        &conv,
        &recipe(4),
        &data,
        &dir("b"),
        &device,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(weights(&same), weights(&exported));
    assert_eq!(at4.step, 4);
    assert!((7.5..60.0).contains(&at4.seconds), "{}", at4.seconds);
    assert_eq!(
        at4.warm_start.as_ref().map(|w| (w.step, w.sha256.as_str())),
        Some((4, sha.as_str()))
    );
    // Continued to 6 steps, twice from the same weights: the same result, moved away from them.
    let mut first = None;
    let (b, b_out) = train_unet(
        &cfg,
        &conv,
        &recipe(6),
        &data,
        &dir("b"),
        &device,
        &mut |p| {
            first.get_or_insert(p.step);
        },
    )
    .unwrap();
    assert_eq!(
        first,
        Some(5),
        "the warm-started run continues after step 4"
    );
    assert!(b_out.loss.is_finite() && b_out.seconds >= 7.5);
    assert_eq!(
        b_out.warm_start, at4.warm_start,
        "the record keeps the warm start"
    );
    assert_ne!(weights(&b), weights(&exported));
    warm("c").unwrap();
    let (c, _) = train_unet(
        &cfg,
        &conv,
        &recipe(6),
        &data,
        &dir("c"),
        &device,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(weights(&b), weights(&c));
    // A folder that holds a checkpoint is resumed, never overwritten by a warm start.
    let err = warm("b").unwrap_err().to_string();
    assert!(
        err.contains("already holds a checkpoint at step 6"),
        "{err}"
    );
}

#[test]
fn a_warm_start_can_add_a_refinement_head_that_starts_as_the_identity() {
    let _one_at_a_time = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let cfg = UnetConfig::new(8, vec![1], 1).with_groups(4).with_patch(4);
    let headed = cfg.clone().with_refine(Some(4));
    let conv = ModelConvention::reference();
    let data = data();
    let tmp = tempfile::tempdir().unwrap();
    let (exported, out) = train_unet(
        &cfg,
        &conv,
        &recipe(4),
        &data,
        &tmp.path().join("a"),
        &device,
        &mut |_| {},
    )
    .unwrap();
    let file = tmp.path().join("member.safetensors");
    oms_zoo::checkpoint::save_weights(&exported, &file).unwrap();
    let run = tmp.path().join("b");
    warm_start_run(
        &headed,
        &conv,
        &recipe(4),
        &data,
        &run,
        &file,
        &out,
        &device,
    )
    .unwrap();
    let (same, at4) = train_unet(
        &headed,
        &conv,
        &recipe(4),
        &data,
        &run,
        &device,
        &mut |_| {},
    )
    .unwrap();
    assert!(same.refine.is_some());
    assert_eq!(weights(&same), weights(&exported), "the new head adds zero");
    let fresh = at4.warm_start.map(|w| w.fresh);
    assert_eq!(fresh, Some(vec!["refine".to_string()]));
    // Trained on, the head moves: its output is no longer zero.
    let (on, _) = train_unet(
        &headed,
        &conv,
        &recipe(6),
        &data,
        &run,
        &device,
        &mut |_| {},
    )
    .unwrap();
    assert_ne!(weights(&on), weights(&exported));
    let head = on.refine.expect("headed").conv_out.weight.val();
    assert!(head.abs().sum().into_scalar::<f32>() > 0.0);
    // Outside a warm start, weights without the head do not load into a headed member.
    let err = oms_zoo::checkpoint::load_weights(&mut headed.init(&device), &file)
        .unwrap_err()
        .to_string();
    assert!(err.contains("lacks tensor(s) refine."), "{err}");
}
