//! Convergence orders of every solver, measured through the real sampler on analytic data.
//!
//! For a Gaussian the probability-flow ODE is solved in closed form: the standardised coordinate
//! `(x_t - alpha_t m) / sqrt(alpha_t^2 s^2 + sigma_t^2)` is constant along a trajectory. For a
//! Gaussian mixture the reference is a 3rd-order solve with [`REFERENCE_STEPS`] steps. The
//! measured order is the least-squares slope of `-log(error)` against `log(steps)`.

use burn::tensor::{DType, Device, Tensor};
use oms_sampler::{Sampler, SamplerOptions, SeededNoise, Zoo, gaussian};
use oms_schedule::{NoiseSchedule, NoiseSpec, Schedule, Solver, vp};
use oms_solver::{ModelConvention, Prediction, TimeInput};

use super::{AnalyticDenoiser, Imperfection, Mixture};

/// Steps of the reference solve for mixtures.
pub const REFERENCE_STEPS: usize = 1500;

/// One measured solver and order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which data.
    pub data: String,
    /// Solver name.
    pub solver: String,
    /// Step order.
    pub order: u8,
    /// The theoretical global order.
    pub expected: f64,
    /// Step counts.
    pub steps: Vec<usize>,
    /// RMS error at each step count.
    pub errors: Vec<f64>,
    /// Measured order.
    pub slope: f64,
}

/// Every solver and order the project implements (DDIM only at eta = 0: with eta > 0 it is a
/// stochastic sampler and has no ODE solution to converge to).
pub fn cases() -> Vec<(Solver, u8)> {
    let mut c = vec![(Solver::Ddim { eta: 0.0 }, 1)];
    for solver in [
        Solver::DpmSolver,
        Solver::DpmSolverPp,
        Solver::DpmSolverPpMultistep,
    ] {
        c.extend((1..=3).map(|o| (solver, o)));
    }
    c
}

/// The full lambda interval of a sampling run: linear VP from t = 1 to t = 1e-3.
pub fn full_interval() -> (f64, f64) {
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).expect("valid");
    (noise.lambda(1.0), noise.lambda(1e-3))
}

/// A single-model schedule of `steps` lambda-uniform steps at `order`. Multistep runs warm up
/// with lower orders; for 3M the first (first-order) step is shortened to `h^2` so that its
/// local error does not cap the global order at 2.
pub fn schedule(
    solver: Solver,
    order: u8,
    steps: usize,
    (a, b): (f64, f64),
    model: &str,
) -> Schedule {
    let h = (b - a) / steps as f64;
    let lambdas: Vec<f64> = if solver.is_multistep() && order == 3 {
        let first = a + h * h.min(1.0);
        let rest = (b - first) / (steps - 1) as f64;
        std::iter::once(a)
            .chain((0..steps).map(|i| first + rest * i as f64))
            .collect()
    } else {
        (0..=steps).map(|i| a + h * i as f64).collect()
    };
    let orders: Vec<u8> = (0..steps)
        .map(|i| {
            if solver.is_multistep() {
                (i + 1).min(order as usize) as u8
            } else {
                order
            }
        })
        .collect();
    Schedule::from_lambdas(solver, &lambdas, &orders, |_, _| model.to_string())
}

/// A zoo holding the exact denoiser of `data` as "exact".
pub fn exact_zoo(data: &Mixture) -> Zoo {
    let convention = ModelConvention {
        noise: NoiseSchedule::new(NoiseSpec::linear_vp()).expect("valid"),
        prediction: Prediction::Eps,
        time_input: TimeInput::Continuous { scale: 1.0 },
    };
    let mut zoo = Zoo::new();
    let model = AnalyticDenoiser::new(data, Imperfection::EXACT, convention);
    zoo.push("exact", Box::new(model)).expect("one member");
    zoo
}

/// The closed-form PF-ODE solution of a single Gaussian from `lambda_from` to `lambda_to`.
pub fn gaussian_flow(data: &Mixture, x: &[f64], lambda_from: f64, lambda_to: f64) -> Vec<f64> {
    let d = data.dim();
    let (af, sf, at, st) = (
        vp::alpha(lambda_from),
        vp::sigma(lambda_from),
        vp::alpha(lambda_to),
        vp::sigma(lambda_to),
    );
    x.iter()
        .enumerate()
        .map(|(i, &xi)| {
            let (m, s) = (data.means[0][i % d], data.stds[0][i % d]);
            let z = (xi - af * m) / (af * af * s * s + sf * sf).sqrt();
            at * m + (at * at * s * s + st * st).sqrt() * z
        })
        .collect()
}

/// Initial noise of `batch` samples of `data`'s dimension.
pub fn initial(
    data: &Mixture,
    batch: usize,
    seed: u64,
    device: &Device,
    dtype: DType,
) -> Tensor<4> {
    gaussian(seed, 0, [batch, data.dim(), 1, 1], device, dtype)
}

/// Runs `schedule` on `zoo` from `x`, returning the samples as f64.
pub fn run(zoo: &Zoo, schedule: &Schedule, x: Tensor<4>) -> Vec<f64> {
    let sampler = Sampler::new(zoo, SamplerOptions::default());
    let out = sampler
        .sample(schedule, x, &mut SeededNoise::new(0), &mut |_| {})
        .expect("valid schedule");
    out.into_data().try_into_vec_as::<f64>().expect("f64 data")
}

/// RMS difference.
pub fn rms(a: &[f64], b: &[f64]) -> f64 {
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

/// Least-squares slope of `-ln(error)` against `ln(steps)`.
pub fn slope(steps: &[usize], errors: &[f64]) -> f64 {
    let xs: Vec<f64> = steps.iter().map(|&s| (s as f64).ln()).collect();
    let ys: Vec<f64> = errors.iter().map(|e| -e.ln()).collect();
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let cov: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let var: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    cov / var
}

/// One measurement setup.
pub struct Setup<'a> {
    /// Name in the report.
    pub name: &'a str,
    /// The data.
    pub data: &'a Mixture,
    /// Lambda interval `(noisy, clean)`.
    pub interval: (f64, f64),
    /// Step counts.
    pub steps: &'a [usize],
    /// Samples per run.
    pub batch: usize,
}

/// Measures every case of [`cases`] with the setup's step counts.
/// `reference` maps the initial noise (flattened) to the exact end point.
pub fn measure(
    setup: &Setup,
    device: &Device,
    dtype: DType,
    reference: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Vec<Row> {
    let Setup {
        name,
        data,
        interval,
        steps,
        batch,
    } = *setup;
    let zoo = exact_zoo(data);
    let x = initial(data, batch, 7, device, dtype);
    let x_host: Vec<f64> = x.to_data().try_into_vec_as::<f64>().expect("f64 data");
    let exact = reference(&x_host);
    cases()
        .into_iter()
        .map(|(solver, order)| {
            let errors: Vec<f64> = steps
                .iter()
                .map(|&n| {
                    rms(
                        &run(
                            &zoo,
                            &schedule(solver, order, n, interval, "exact"),
                            x.clone(),
                        ),
                        &exact,
                    )
                })
                .collect();
            Row {
                data: name.to_string(),
                solver: solver.name().to_string(),
                order,
                expected: order as f64,
                slope: slope(steps, &errors),
                steps: steps.to_vec(),
                errors,
            }
        })
        .collect()
}

/// Reference end points for a mixture: DPM-Solver++(3S) with [`REFERENCE_STEPS`] steps.
pub fn mixture_reference(
    data: &Mixture,
    interval: (f64, f64),
    device: &Device,
    dtype: DType,
) -> impl Fn(&[f64]) -> Vec<f64> {
    let zoo = exact_zoo(data);
    let schedule = schedule(Solver::DpmSolverPp, 3, REFERENCE_STEPS, interval, "exact");
    let (device, d) = (device.clone(), data.dim());
    move |x: &[f64]| {
        let batch = x.len() / d;
        let data = burn::tensor::TensorData::new(x.to_vec(), [batch, d, 1, 1]);
        let opts = burn::tensor::TensorCreationOptions::new(device.clone()).with_dtype(dtype);
        run(&zoo, &schedule, Tensor::from_data(data, opts))
    }
}

/// The Gaussian of the standard report (4 dimensions).
pub fn gaussian_data() -> Mixture {
    Mixture::gaussian(vec![1.0, -0.5, 0.3, 2.0], vec![0.5, 0.8, 1.5, 0.3])
}

/// The three-component mixture of the standard report (3 dimensions, overlapping components).
pub fn mixture_data() -> Mixture {
    Mixture {
        weights: vec![0.5, 0.3, 0.2],
        means: vec![
            vec![1.0, 0.0, -1.0],
            vec![-1.0, 1.0, 0.5],
            vec![0.0, -1.5, 1.0],
        ],
        stds: vec![
            vec![0.5, 0.7, 0.6],
            vec![0.8, 0.4, 0.5],
            vec![0.6, 0.6, 0.9],
        ],
    }
}

/// Step counts of the standard report.
pub const STEPS: [usize; 4] = [20, 40, 80, 160];

/// A report section: its rows and whether the slopes must match the theoretical orders.
pub struct Section {
    /// What was measured and why.
    pub title: String,
    /// Whether each slope must lie within 0.3 of its order.
    pub checked: bool,
    /// The rows.
    pub rows: Vec<Row>,
}

/// The standard report: the mixture over the full sampling interval and the Gaussian up to
/// lambda = 1 (both checked), plus the Gaussian over the full interval, where 3M super-converges
/// over these step counts (informational).
pub fn standard_report(device: &Device, dtype: DType) -> Vec<Section> {
    let (gauss, mix) = (gaussian_data(), mixture_data());
    let full = full_interval();
    let short = (full.0, 1.0);
    let mix_ref = mixture_reference(&mix, full, device, dtype);
    let section = |title: &str,
                   checked,
                   name,
                   data: &Mixture,
                   interval,
                   reference: &dyn Fn(&[f64]) -> Vec<f64>| {
        let setup = Setup {
            name,
            data,
            interval,
            steps: &STEPS,
            batch: 16,
        };
        Section {
            title: title.into(),
            checked,
            rows: measure(&setup, device, dtype, reference),
        }
    };
    vec![
        section(
            "3-component mixture, t = 1 -> 1e-3",
            true,
            "mixture",
            &mix,
            full,
            &mix_ref,
        ),
        section(
            "Gaussian, t = 1 -> lambda = 1",
            true,
            "gaussian",
            &gauss,
            short,
            &|x: &[f64]| gaussian_flow(&gauss, x, short.0, short.1),
        ),
        section(
            "Gaussian, t = 1 -> 1e-3 (3M super-converges)",
            false,
            "gaussian-full",
            &gauss,
            full,
            &|x: &[f64]| gaussian_flow(&gauss, x, full.0, full.1),
        ),
    ]
}
