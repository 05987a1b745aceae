//! `cargo xtask`: the command-line entry point of oms. It parses arguments, picks the backend,
//! shows progress and writes reports; the work is library calls (`search` and `active` are
//! `oms-pipeline`).

mod active;
mod compare;
mod convergence;
mod data;
mod dataset;
mod defaults;
mod denoise_error;
mod device;
mod fid;
mod import_diffusers;
mod label_noise;
mod metric_args;
mod metrics_sanity;
mod paths;
mod profile;
mod progress;
mod report;
mod sample;
mod schedule;
mod search;
mod sigmas;
mod stats;
mod train_bench;
mod train_classifier;
mod train_predictor;
mod train_zoo;
mod verify;
mod zoo_gate;
mod zoo_report;

use clap::{CommandFactory, Parser, Subcommand};

const AFTER_HELP: &str = "\
Main job first, diagnostics last. Examples:
  cargo xtask search                                   # the default zoo: labels, predictor, search, report in runs/search
  cargo xtask verify --run runs/search                 # the searched schedules on fresh noise, paired intervals
  cargo xtask compare --schedule a.ron --schedule b.ron --out out/cmp   # your own schedules, same test
  cargo xtask sample --model xl --nfe 20 --n 64 --out out/xl
  cargo xtask import-diffusers --folder DIR --out configs/zoo/mine.ron
Exit codes: 0 success, 1 failure (the message names the file and the fix), 2 usage error.
Every command writes its results under --out (or its default folder), with summary.json.";

/// oms: choose which model of a zoo runs at each diffusion sampling step.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Compute device: cpu (burn's flex backend), wgpu or cuda (need the cargo features of the
    /// same names).
    #[arg(long, global = true, default_value = "cpu")]
    device: device::DeviceArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: search model schedules for a list of latency budgets and report them
    /// against baselines (every argument has a default).
    Search(Box<search::SearchArgs>),
    /// A search run's schedules on fresh noise in both feature spaces: paired 95% intervals,
    /// better / tie / worse, the speed-up that holds on both metrics.
    Verify(Box<verify::VerifyArgs>),
    /// Schedule files of one zoo on the same fresh noise in both feature spaces, compared in
    /// pairs with paired and family-wise intervals.
    Compare(Box<compare::CompareArgs>),
    /// Rebuild a search folder's self-contained report.html from its files.
    Report(report::ReportArgs),
    /// Generate samples with one model or a model schedule.
    Sample(sample::SampleArgs),
    /// Latency table of a zoo on this device (forward per member, sampler, switch cost).
    Profile(profile::ProfileArgs),
    /// Import, export and check schedule files.
    #[command(subcommand)]
    Schedule(schedule::ScheduleCmd),
    /// Write a zoo manifest from diffusers UNet2DModel folders (one member per folder).
    ImportDiffusers(import_diffusers::ImportDiffusersArgs),
    /// FID statistics (pytorch-fid's .npz: mu, sigma) of reference images or of the dataset.
    Stats(stats::StatsArgs),
    /// FD and KID of a schedule's samples (or of an images file) against a dataset.
    Fid(fid::FidArgs),
    /// Label random model schedules with FD / KID (resumable, shardable); `dataset merge`.
    Dataset(dataset::DatasetArgs),
    /// Active learning: rounds of train, search and label the search's best new candidates.
    Active(Box<active::ActiveArgs>),
    /// Train the schedule-quality predictor on a label file.
    TrainPredictor(train_predictor::TrainPredictorArgs),
    /// Train the UNet members of a zoo manifest (resumable).
    TrainZoo(train_zoo::TrainZooArgs),
    /// Training throughput (images/s) of every member at one or more batch sizes on this device.
    TrainBench(train_bench::TrainBenchArgs),
    /// Train the CNN feature network of the FID on a dataset.
    TrainClassifier(train_classifier::TrainClassifierArgs),
    /// Report every zoo member: parameters, FLOPs, latency, training record, sample grids.
    ZooReport(zoo_report::ZooReportArgs),
    /// Whether a zoo meets the bars for becoming the default (cost spread, FD against NFE on
    /// fresh noise in both feature spaces, the largest member the best and near the real-data
    /// floor).
    ZooGate(Box<zoo_gate::ZooGateArgs>),
    /// Install and verify Fashion-MNIST and MNIST under data/.
    Data(data::DataArgs),
    /// Diagnostic: FD of a few schedules over several noise seed sets and sample counts (label noise).
    LabelNoise(label_noise::LabelNoiseArgs),
    /// Diagnostic: each member's denoising error at fixed noise levels on held-out images (where a
    /// cheap member is nearly as good as an expensive one, and where one cannot find the noise).
    DenoiseError(denoise_error::DenoiseErrorArgs),
    /// Diagnostic: the metric's sanity table, feature throughput and FD timings.
    MetricsSanity(metrics_sanity::SanityArgs),
    /// Diagnostic: measure every solver's convergence order on analytic data and write the table.
    Convergence(convergence::ConvergenceArgs),
}

fn main() {
    // Started below the workspace root: typed paths stay where they were typed, defaults resolve
    // from the root (paths.rs).
    let argv = match paths::relocate(&Cli::command(), std::env::args_os().collect()) {
        Ok(argv) => argv,
        Err(e) => {
            eprintln!("error: cannot move to the workspace root: {e}");
            std::process::exit(1);
        }
    };
    let cli = Cli::parse_from(argv);
    let result = device::open(cli.device).and_then(|device| match cli.command {
        Command::Active(args) => active::run(*args, &device),
        Command::Data(args) => data::run(args),
        Command::Dataset(args) => dataset::run(args, &device),
        Command::Fid(args) => fid::run(args, &device),
        Command::ImportDiffusers(args) => import_diffusers::run(args, &device),
        Command::MetricsSanity(args) => metrics_sanity::run(args, &device),
        Command::LabelNoise(args) => label_noise::run(args, &device),
        Command::DenoiseError(args) => denoise_error::run(args, &device),
        Command::Profile(args) => profile::run(args, cli.device, &device),
        Command::Search(args) => search::run(*args, cli.device, &device),
        Command::Report(args) => report::run(args),
        Command::Sample(args) => sample::run(args, &device),
        Command::Stats(args) => stats::run(args, &device),
        Command::Compare(args) => compare::run(*args, &device),
        Command::Convergence(args) => convergence::run(args, &device),
        Command::Schedule(cmd) => schedule::run(cmd),
        Command::TrainPredictor(args) => train_predictor::run(args, &device),
        Command::TrainZoo(args) => train_zoo::run(args, &device),
        Command::TrainBench(args) => train_bench::run(args, cli.device, &device),
        Command::TrainClassifier(args) => train_classifier::run(args, &device),
        Command::Verify(args) => verify::run(*args, &device),
        Command::ZooReport(args) => zoo_report::run(args, &device),
        Command::ZooGate(args) => zoo_gate::run(*args, &device),
    });
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
