//! The sampler on the analytic zoo: solver equivalences, mixed conventions, the multistep
//! history policy, guidance, NaN detection, callbacks and bad input.

use std::cell::Cell;
use std::rc::Rc;

use burn::tensor::{DType, Device, Int, Tensor};
use oms_sampler::{Conditioning, Denoiser, SampleError, Sampler, SamplerOptions, SeededNoise, Zoo};
use oms_schedule::{Lambda, NoiseSchedule, NoiseSpec, Schedule, ScheduleError, Solver, Step};
use oms_solver::{HistoryPolicy, ModelConvention, Prediction, TimeInput};
use oms_zoo::analytic::convergence::{initial, mixture_data, rms, run, schedule};
use oms_zoo::analytic::{AnalyticDenoiser, Imperfection, Mixture};

fn conv(noise: NoiseSpec, prediction: Prediction, time_input: TimeInput) -> ModelConvention {
    ModelConvention {
        noise: NoiseSchedule::new(noise).unwrap(),
        prediction,
        time_input,
    }
}

/// The same exact denoiser under three conventions, plus an imperfect one.
fn mixed_zoo(data: &Mixture) -> Zoo {
    let mut zoo = Zoo::new();
    let members = [
        (
            "vp-eps",
            conv(
                NoiseSpec::linear_vp(),
                Prediction::Eps,
                TimeInput::Discrete { steps: 1000 },
            ),
            Imperfection::EXACT,
        ),
        (
            "cos-v",
            conv(
                NoiseSpec::cosine(),
                Prediction::V,
                TimeInput::Continuous { scale: 1000.0 },
            ),
            Imperfection::EXACT,
        ),
        (
            "ddpm-x0",
            conv(
                NoiseSpec::ddpm_linear(),
                Prediction::X0,
                TimeInput::Discrete { steps: 1000 },
            ),
            Imperfection::EXACT,
        ),
        (
            "rough",
            conv(
                NoiseSpec::linear_vp(),
                Prediction::Eps,
                TimeInput::Discrete { steps: 1000 },
            ),
            Imperfection {
                mean_shift: 0.4,
                std_scale: 1.3,
            },
        ),
    ];
    for (name, c, imp) in members {
        zoo.push(name, Box::new(AnalyticDenoiser::new(data, imp, c)))
            .unwrap();
    }
    zoo
}

const RANGE: (f64, f64) = (-4.5, 4.0);

fn all_solvers() -> Vec<(Solver, u8)> {
    vec![
        (Solver::Ddim { eta: 0.0 }, 1),
        (Solver::DpmSolver, 2),
        (Solver::DpmSolver, 3),
        (Solver::DpmSolverPp, 3),
        (Solver::DpmSolverPpMultistep, 2),
        (Solver::DpmSolverPpMultistep, 3),
    ]
}

fn with_models(mut s: Schedule, pick: impl Fn(usize) -> &'static str) -> Schedule {
    let mut k = 0;
    for step in &mut s.steps {
        for m in &mut step.models {
            *m = pick(k).to_string();
            k += 1;
        }
    }
    s
}

#[test]
fn ddim_equals_dpm_solver_1() {
    let data = mixture_data();
    let zoo = mixed_zoo(&data);
    let x = initial(&data, 32, 1, &Device::flex(), DType::F64);
    let ddim = run(
        &zoo,
        &schedule(Solver::Ddim { eta: 0.0 }, 1, 12, RANGE, "vp-eps"),
        x.clone(),
    );
    let dpm = run(
        &zoo,
        &schedule(Solver::DpmSolver, 1, 12, RANGE, "vp-eps"),
        x,
    );
    assert!(rms(&ddim, &dpm) < 1e-12, "{}", rms(&ddim, &dpm));
}

#[test]
fn copies_under_other_conventions_give_the_same_samples() {
    let data = mixture_data();
    let zoo = mixed_zoo(&data);
    let x = initial(&data, 32, 2, &Device::flex(), DType::F64);
    let names = ["vp-eps", "cos-v", "ddpm-x0"];
    for (solver, order) in all_solvers() {
        let single = schedule(solver, order, 9, RANGE, "vp-eps");
        let mixed = with_models(single.clone(), |k| names[k % 3]);
        assert_ne!(mixed, single);
        let err = rms(
            &run(&zoo, &single, x.clone()),
            &run(&zoo, &mixed, x.clone()),
        );
        assert!(err < 1e-9, "{} order {order}: {err}", solver.name());
    }
}

#[test]
fn imperfect_models_make_mixed_schedules_measurably_different() {
    let data = mixture_data();
    let zoo = mixed_zoo(&data);
    let x = initial(&data, 64, 3, &Device::flex(), DType::F64);
    let base = schedule(Solver::DpmSolver, 2, 10, RANGE, "vp-eps");
    let truth = run(
        &zoo,
        &schedule(Solver::DpmSolver, 3, 200, RANGE, "vp-eps"),
        x.clone(),
    );
    let nfe = base.nfe();
    let err = |s: &Schedule| rms(&run(&zoo, s, x.clone()), &truth);
    let exact = err(&base);
    let rough_early = err(&with_models(base.clone(), |k| {
        if k < nfe / 2 { "rough" } else { "vp-eps" }
    }));
    let rough_late = err(&with_models(base.clone(), |k| {
        if k >= nfe / 2 { "rough" } else { "vp-eps" }
    }));
    let rough = err(&with_models(base.clone(), |_| "rough"));
    assert!(
        exact < rough_early && rough_early < rough && exact < rough_late && rough_late < rough,
        "exact {exact}, rough early {rough_early}, rough late {rough_late}, rough {rough}"
    );
    // Where the imperfect model runs matters: the two halves give clearly different errors.
    assert!(
        (rough_early / rough_late).ln().abs() > 0.1,
        "{rough_early} vs {rough_late}"
    );
}

#[test]
fn multistep_history_policy_across_switches() {
    let data = mixture_data();
    let zoo = mixed_zoo(&data);
    let x = initial(&data, 16, 4, &Device::flex(), DType::F64);
    let single = schedule(Solver::DpmSolverPpMultistep, 3, 10, RANGE, "vp-eps");
    let switching = with_models(
        single.clone(),
        |k| if k % 4 < 2 { "vp-eps" } else { "cos-v" },
    );
    let sample = |s: &Schedule, history| {
        let sampler = Sampler::new(
            &zoo,
            SamplerOptions {
                history,
                ..SamplerOptions::default()
            },
        );
        let out = sampler
            .sample(s, x.clone(), &mut SeededNoise::new(0), &mut |_| {})
            .unwrap();
        out.into_data().try_into_vec_as::<f64>().unwrap()
    };
    // Default (Keep): switching between copies of one exact model changes nothing.
    assert_eq!(HistoryPolicy::default(), HistoryPolicy::Keep);
    assert!(
        rms(
            &sample(&single, HistoryPolicy::Keep),
            &sample(&switching, HistoryPolicy::Keep)
        ) < 1e-9
    );
    // Restart: the step after each switch drops to first order, exactly as if written so.
    let restarted = sample(&switching, HistoryPolicy::Restart);
    assert!(rms(&sample(&single, HistoryPolicy::Keep), &restarted) > 1e-6);
    let mut lowered = switching.clone();
    let mut run_len = 0;
    for i in 0..lowered.steps.len() {
        let same = i > 0 && lowered.steps[i].models == lowered.steps[i - 1].models;
        run_len = if same { run_len + 1 } else { 0 };
        lowered.steps[i].order = lowered.steps[i].order.min(run_len as u8 + 1);
    }
    assert!(rms(&sample(&lowered, HistoryPolicy::Keep), &restarted) < 1e-12);
}

#[test]
fn stochastic_ddim_samples_the_data_distribution() {
    let data = Mixture::gaussian(vec![0.5, -1.0], vec![0.6, 0.3]);
    let mut zoo = Zoo::new();
    let c = conv(
        NoiseSpec::linear_vp(),
        Prediction::Eps,
        TimeInput::Continuous { scale: 1.0 },
    );
    zoo.push(
        "g",
        Box::new(AnalyticDenoiser::new(&data, Imperfection::EXACT, c)),
    )
    .unwrap();
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let mut s = schedule(
        Solver::Ddim { eta: 1.0 },
        1,
        200,
        (noise.lambda(1.0), noise.lambda(1e-3)),
        "g",
    );
    s.steps.last_mut().unwrap().to = Lambda::CLEAN;
    let n = 4000;
    let x = initial(&data, n, 5, &Device::flex(), DType::F64);
    let out = run(&zoo, &s, x);
    for d in 0..2 {
        let v: Vec<f64> = out.iter().skip(d).step_by(2).copied().collect();
        let mean = v.iter().sum::<f64>() / n as f64;
        let std = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        assert!(
            (mean - data.means[0][d]).abs() < 0.05,
            "dim {d}: mean {mean}"
        );
        assert!(
            (std / data.stds[0][d] - 1.0).abs() < 0.08,
            "dim {d}: std {std}"
        );
    }
}

/// Returns NaN below a time input, to test detection.
struct Broken(ModelConvention);

impl Denoiser for Broken {
    fn convention(&self) -> &ModelConvention {
        &self.0
    }
    fn forward(&self, x: Tensor<4>, time_input: f64, _: Option<Tensor<1, Int>>) -> Tensor<4> {
        if time_input < 0.5 {
            x.mul_scalar(f64::NAN)
        } else {
            x.zeros_like()
        }
    }
}

#[test]
fn nan_output_stops_with_the_step_and_model() {
    let mut zoo = Zoo::new();
    let c = conv(
        NoiseSpec::linear_vp(),
        Prediction::Eps,
        TimeInput::Continuous { scale: 1.0 },
    );
    zoo.push("broken", Box::new(Broken(c))).unwrap();
    let s = schedule(Solver::DpmSolver, 1, 10, RANGE, "broken");
    let x = Tensor::<4>::zeros([2, 1, 2, 2], &Device::flex());
    let err = Sampler::new(&zoo, SamplerOptions::default())
        .sample(&s, x, &mut SeededNoise::new(0), &mut |_| {})
        .unwrap_err();
    match &err {
        SampleError::NonFiniteOutput { step, model, .. } => {
            assert!(*step > 0 && model == "broken", "{err}");
        }
        other => panic!("wrong error {other}"),
    }
    assert!(err.to_string().contains("broken"));
}

/// eps = label value everywhere; counts forwards and batch sizes.
struct LabelEcho {
    conv: ModelConvention,
    calls: Rc<Cell<usize>>,
    last_batch: Rc<Cell<usize>>,
}

impl Denoiser for LabelEcho {
    fn convention(&self) -> &ModelConvention {
        &self.conv
    }
    fn forward(&self, x: Tensor<4>, _: f64, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        self.calls.set(self.calls.get() + 1);
        let [b, c, h, w] = x.dims();
        self.last_batch.set(b);
        let l = labels
            .expect("conditional")
            .float()
            .cast(x.dtype())
            .reshape([b, 1, 1, 1]);
        l.expand([b, c, h, w])
    }
    fn null_label(&self) -> Option<i64> {
        Some(10)
    }
}

fn guided_run(scale: f64) -> (Vec<f64>, usize, usize) {
    let device = Device::flex();
    let c = conv(
        NoiseSpec::linear_vp(),
        Prediction::Eps,
        TimeInput::Continuous { scale: 1.0 },
    );
    let (calls, last_batch) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
    let model = LabelEcho {
        conv: c,
        calls: calls.clone(),
        last_batch: last_batch.clone(),
    };
    let mut zoo = Zoo::new();
    zoo.push("cond", Box::new(model)).unwrap();
    let s = schedule(Solver::Ddim { eta: 0.0 }, 1, 1, (-1.0, 1.0), "cond");
    let labels = Tensor::<1, Int>::from_ints([3, 7], &device);
    let x = Tensor::<4>::zeros([2, 1, 1, 1], (&device, DType::F64));
    let opts = SamplerOptions {
        conditioning: Some(Conditioning { labels, scale }),
        ..Default::default()
    };
    let out = Sampler::new(&zoo, opts)
        .sample(&s, x, &mut SeededNoise::new(0), &mut |_| {})
        .unwrap();
    (
        out.into_data().try_into_vec_as::<f64>().unwrap(),
        calls.get(),
        last_batch.get(),
    )
}

#[test]
fn classifier_free_guidance_mixes_conditional_and_unconditional() {
    // DDIM from x = 0: x_t = c_eps * eps with eps = w * label + (1 - w) * null (null = 10).
    let plan = oms_solver::plan_step(Solver::Ddim { eta: 0.0 }, 0, -1.0, 1.0, 1, &[]).unwrap();
    let c_eps = plan.output.0[1].1;
    for w in [2.5, 1.0] {
        let (got, calls, batch) = guided_run(w);
        for (g, l) in got.iter().zip([3.0, 7.0]) {
            let want = c_eps * (w * l + (1.0 - w) * 10.0);
            assert!((g - want).abs() < 1e-9, "w = {w}: {g} vs {want}");
        }
        // One forward per NFE; guided ones evaluate both halves in one doubled batch.
        assert_eq!((calls, batch), (1, if w == 1.0 { 2 } else { 4 }));
    }
}

#[test]
fn callback_sees_every_step_and_unknown_models_are_rejected() {
    let data = mixture_data();
    let zoo = mixed_zoo(&data);
    let x = initial(&data, 4, 6, &Device::flex(), DType::F64);
    let s = schedule(Solver::DpmSolver, 3, 4, RANGE, "vp-eps");
    let mut seen = vec![];
    Sampler::new(&zoo, SamplerOptions::default())
        .sample(&s, x.clone(), &mut SeededNoise::new(0), &mut |e| {
            seen.push((e.step, e.nfe_done, e.order))
        })
        .unwrap();
    assert_eq!(seen, vec![(0, 3, 3), (1, 6, 3), (2, 9, 3), (3, 12, 3)]);
    let bad = Schedule::new(
        Solver::DpmSolver,
        vec![Step {
            from: Lambda(-4.0),
            to: Lambda(2.0),
            order: 1,
            models: vec!["nope".into()],
        }],
    );
    let err = Sampler::new(&zoo, SamplerOptions::default())
        .sample(&bad, x, &mut SeededNoise::new(0), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(
            err,
            SampleError::Schedule(ScheduleError::UnknownModel { .. })
        ),
        "{err}"
    );
}
