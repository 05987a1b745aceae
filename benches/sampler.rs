//! The sampler's own cost per step: a zero-cost denoiser (it returns its input) at batch 256 of
//! the default zoo's image shape on the CPU backend, so only the linear combinations, the NaN checks and the
//! bookkeeping are timed. Criterion reports steps per second (20 steps per iteration).

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use burn::tensor::{Device, Tensor};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use oms::latency::ZeroCost;
use oms::sampler::{Sampler, SamplerOptions, SeededNoise, Zoo};
use oms::schedule::{NoiseSchedule, NoiseSpec, Schedule, SingleModel, Solver, TimeGrid};
use oms::solver::ModelConvention;
use oms::zoo::ZooManifest;

const STEPS: usize = 20;

fn schedule(solver: Solver, order: u8) -> Schedule {
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let nfe = STEPS * solver.nfe_per_step(order);
    let lambda_start = noise.lambda(1.0);
    let spec = SingleModel {
        solver,
        model: "zero",
        nfe,
        order,
        grid: TimeGrid::UniformLambda,
        noise: &noise,
        lambda_start,
        t_end: None,
    };
    spec.build().unwrap()
}

fn bench(c: &mut Criterion) {
    // criterion's HTML report (target/criterion/report/index.html) draws with plotters.
    oms::artifacts::register_plot_font();
    let device = Device::flex();
    let mut zoo = Zoo::new();
    zoo.push("zero", Box::new(ZeroCost(ModelConvention::reference())))
        .unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/configs/zoo/fashion-mnist-v2.ron"
    );
    let manifest = ZooManifest::load(std::path::Path::new(path)).expect("default zoo manifest");
    let [ch, h, w] = manifest.image_shape;
    let x = Tensor::<4>::zeros([256, ch, h, w], &device);
    let mut group = c.benchmark_group("sampler_step_b256");
    group.throughput(Throughput::Elements(STEPS as u64));
    for (name, solver, order) in [
        ("ddim", Solver::Ddim { eta: 0.0 }, 1),
        ("dpm_solver_2", Solver::DpmSolver, 2),
        ("dpm_solver_3", Solver::DpmSolver, 3),
        ("dpmpp_3m", Solver::DpmSolverPpMultistep, 3),
    ] {
        let s = schedule(solver, order);
        for check in [true, false] {
            let opts = SamplerOptions {
                check_finite: check,
                ..Default::default()
            };
            let sampler = Sampler::new(&zoo, opts);
            let id = format!("{name}/check_finite={check}");
            group.bench_function(id, |b| {
                b.iter(|| {
                    let y = sampler
                        .sample(&s, x.clone(), &mut SeededNoise::new(0), &mut |_| {})
                        .unwrap();
                    y.into_data()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
