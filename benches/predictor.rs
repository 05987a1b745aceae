//! Predictor inference throughput, the search's inner loop (issue 7 asks for 10,000 schedules per
//! second on the 2-core CPU): the reference LSTM through the tabulated [`FastLstm`] and through
//! burn (batches of 4096 sorted by length, as `predict` does), and the per-step MLP through burn.
//! 20,000 random slot schedules of a 5-member zoo (10 slots); weights are a seeded
//! initialisation, which costs the same as trained ones.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use std::collections::BTreeMap;

use burn::tensor::Device;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oms::dataset::SlotSpace;
use oms::predictor::{
    EncoderKind, EncodingSpec, FastLstm, NetConfig, PredictorNet, Tokens, predict, tokens,
};
use oms::schedule::{LatencyTable, NoiseSchedule, NoiseSpec, Solver};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const COUNT: usize = 20_000;

fn schedules() -> (EncodingSpec, Vec<Tokens>) {
    let models: Vec<String> = ["xs", "s", "m", "l", "xl"].map(String::from).to_vec();
    let table = LatencyTable {
        batch: 64,
        per_nfe_ms: models
            .iter()
            .cloned()
            .zip([46.5, 249.0, 399.4, 539.4, 1938.1])
            .collect::<BTreeMap<_, _>>(),
        switch_ms: 1.0,
        sampler_ms_per_nfe: 0.1,
    };
    let space = SlotSpace::new(10, models.clone(), &table).unwrap();
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let spec = EncodingSpec {
        models,
        lambda_range: (noise.lambda(1.0), noise.lambda(1e-4)),
        max_steps: 10,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let items = (0..COUNT)
        .map(|_| {
            let enc = space.reference_random(&mut rng);
            let s = enc
                .to_schedule(&spec.models, &noise, Solver::DpmSolver)
                .unwrap();
            tokens(&s, &spec, &noise).unwrap()
        })
        .collect();
    (spec, items)
}

fn bench(c: &mut Criterion) {
    // criterion's HTML report (target/criterion/report/index.html) draws with plotters.
    oms::artifacts::register_plot_font();
    let device = Device::flex();
    device.seed(0);
    let (spec, items) = schedules();
    let refs: Vec<&Tokens> = items.iter().collect();
    let net = |encoder| {
        NetConfig {
            encoder,
            n_models: 5,
        }
        .init(&device)
    };
    let (lstm, mlp) = (net(EncoderKind::Lstm), net(EncoderKind::Mlp));
    let PredictorNet::Lstm(inner) = &lstm else {
        unreachable!()
    };
    let fast = FastLstm::new(inner, &spec);
    let mut group = c.benchmark_group("predictor_scores");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.sample_size(10);
    group.bench_function("lstm_fast", |b| b.iter(|| fast.scores(&refs)));
    group.bench_function("lstm_burn", |b| {
        b.iter(|| predict(&lstm, &refs, &spec, &device, 4096))
    });
    group.bench_function("mlp_burn", |b| {
        b.iter(|| predict(&mlp, &refs, &spec, &device, 4096))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
