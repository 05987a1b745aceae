//! The predictor on synthetic labels: padding does not change a score, both encoders learn an
//! additive quality ranking, save and load keep the scores.

use std::collections::BTreeMap;

use burn::tensor::Device;
use oms_predictor::{
    EncoderKind, EncodingSpec, Example, FastLstm, Loss, NetConfig, Predictor, PredictorInfo,
    PredictorNet, Tokens, TrainConfig, kendall_tau_b, predict, tokens, train,
};
use oms_schedule::{LatencyTable, NoiseSchedule, NoiseSpec, Solver};
use oms_space::SlotSpace;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn device() -> Device {
    Device::default()
}

fn setup(count: usize, seed: u64) -> (EncodingSpec, Vec<Example>) {
    let models: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let table = LatencyTable {
        batch: 1,
        per_nfe_ms: models
            .iter()
            .cloned()
            .zip([1.0, 2.0, 4.0])
            .collect::<BTreeMap<_, _>>(),
        switch_ms: 0.0,
        sampler_ms_per_nfe: 0.0,
    };
    let space = SlotSpace::new(8, models.clone(), &table).unwrap();
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let spec = EncodingSpec {
        models,
        lambda_range: (noise.lambda(1.0), noise.lambda(1e-4)),
        max_steps: 8,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let examples = (0..count)
        .map(|_| {
            let enc = space.reference_random(&mut rng);
            let s = enc
                .to_schedule(&spec.models, &noise, Solver::DpmSolver)
                .unwrap();
            // Quality grows with every NFE, more for the larger models.
            let fd = 100.0
                - enc
                    .entries
                    .iter()
                    .map(|&e| [0.0, 2.0, 5.0, 9.0][e as usize])
                    .sum::<f64>();
            Example {
                tokens: tokens(&s, &spec, &noise).unwrap(),
                fd,
            }
        })
        .collect();
    (spec, examples)
}

fn config(loss: Loss) -> TrainConfig {
    TrainConfig {
        loss,
        lr: 3e-3,
        batch: 128,
        epochs: 60,
        patience: 60,
        seed: 1,
    }
}

#[test]
fn padding_does_not_change_a_score() {
    let (spec, ex) = setup(40, 3);
    let net = NetConfig {
        encoder: EncoderKind::Lstm,
        n_models: 3,
    }
    .init(&device());
    let short = ex.iter().min_by_key(|e| e.tokens.steps.len()).unwrap();
    let long = ex.iter().max_by_key(|e| e.tokens.steps.len()).unwrap();
    assert!(short.tokens.steps.len() < long.tokens.steps.len());
    let alone = predict(&net, &[&short.tokens], &spec, &device(), 16)[0];
    let padded = predict(&net, &[&short.tokens, &long.tokens], &spec, &device(), 16)[0];
    assert!((alone - padded).abs() < 1e-5, "{alone} vs {padded}");
}

#[test]
fn fast_matches_burn() {
    for encoder in [EncoderKind::Lstm, EncoderKind::LstmJoint] {
        fast_matches_burn_for(encoder);
    }
}

fn fast_matches_burn_for(encoder: EncoderKind) {
    let (spec, ex) = setup(300, 5);
    let dev = device();
    dev.seed(11);
    let net = NetConfig {
        encoder,
        n_models: 3,
    }
    .init(&dev);
    let PredictorNet::Lstm(lstm) = &net else {
        unreachable!()
    };
    let fast = FastLstm::new(lstm, &spec);
    // A step off the integer time grid takes the untabulated path.
    let mut odd = ex[0].tokens.clone();
    odd.steps[0].time += 0.5;
    // Another solver and a moved boundary (what the joint LSTM reads beyond the reference).
    let mut multi = ex[1].tokens.clone();
    multi.solver = 3;
    multi.steps[0].lambda.1 -= 0.3;
    let mut items: Vec<&Tokens> = ex.iter().map(|e| &e.tokens).collect();
    items.push(&odd);
    items.push(&multi);
    let want = predict(&net, &items, &spec, &dev, 64);
    let got = fast.scores(&items);
    let spread = want.iter().cloned().fold(f64::MIN, f64::max)
        - want.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread > 1e-4,
        "the scores differ between schedules: {spread}"
    );
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert!((w - g).abs() < 1e-4, "schedule {i}: burn {w}, fast {g}");
    }
}

#[test]
fn both_encoders_learn_an_additive_ranking() {
    let (spec, ex) = setup(500, 5);
    let (tr, rest) = ex.split_at(300);
    let (val, test) = rest.split_at(100);
    for encoder in [EncoderKind::Lstm, EncoderKind::LstmJoint, EncoderKind::Mlp] {
        let nc = NetConfig {
            encoder,
            n_models: 3,
        };
        let (net, history) = train(
            &nc,
            &config(Loss::REFERENCE_RANK),
            &spec,
            tr,
            val,
            &device(),
            &mut |_| {},
        );
        assert!(!history.is_empty());
        let items: Vec<&Tokens> = test.iter().map(|e| &e.tokens).collect();
        let truth: Vec<f64> = test.iter().map(|e| e.fd).collect();
        let tau = kendall_tau_b(&predict(&net, &items, &spec, &device(), 64), &truth);
        assert!(tau > 0.6, "{encoder:?}: held-out tau {tau}");
    }
}

#[test]
fn mse_training_runs_and_save_load_keeps_scores() {
    let (spec, ex) = setup(200, 9);
    let (tr, val) = ex.split_at(150);
    let nc = NetConfig {
        encoder: EncoderKind::Mlp,
        n_models: 3,
    };
    let mut cfg = config(Loss::Mse);
    cfg.epochs = 5;
    let (net, _) = train(&nc, &cfg, &spec, tr, val, &device(), &mut |_| {});
    let info = PredictorInfo {
        format_version: oms_predictor::file::FORMAT_VERSION,
        net: nc,
        spec: spec.clone(),
        noise: NoiseSpec::linear_vp(),
        train: cfg,
        labels: "synthetic".into(),
        metrics: serde_json::json!({}),
    };
    let p = Predictor::new(info, net).unwrap();
    let dir = tempfile::tempdir().unwrap();
    p.save(dir.path()).unwrap();
    let q = Predictor::load(dir.path(), &device()).unwrap();
    let items: Vec<&Tokens> = val.iter().map(|e| &e.tokens).collect();
    assert_eq!(p.scores(&items, &device()), q.scores(&items, &device()));
    let err = Predictor::load(&dir.path().join("missing"), &device())
        .err()
        .unwrap();
    assert!(
        matches!(&err, oms_predictor::PredictorError::File { path, .. } if path.ends_with("predictor.ron"))
    );
    assert!(err.to_string().contains("train-predictor"), "{err}");
}
