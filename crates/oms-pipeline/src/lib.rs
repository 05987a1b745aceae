//! The product's pipeline as a library (method.md sections 5-7): what `cargo xtask search` and
//! `cargo xtask active` compose, with typed configurations in and typed results out, so a user
//! who depends on the crates can run a search, a verification or an active-learning round
//! without the command line.
//!
//! - [`label_noise`]: how noisy a quality label is (FD over noise seed sets, paired spreads).
//! - [`labels`]: reading label files that belong together (same zoo, n, noise bank, metric).
//! - [`keys`]: the run keys that tie label files to their zoo and run.
//! - [`latency`]: this machine's hardware name and the choice of a latency table for it.
//! - [`profiling`]: profiling a zoo into a latency table, and its Markdown views.
//! - [`setup`]: the zoo, its cost model and slot space, the start level: what every stage shares.
//! - [`objective`]: what "better" means: the worse of standardised FD and KID (default) or FD.
//! - [`predictor`]: the predictor the search trains when given none, and the label split.
//! - [`scorer`]: the predictor as the search's [`oms_search::Scorer`].
//! - [`budgets`]: default budgets, the half-latency budget, search seeds.
//! - [`search`]: one evolutionary search over a list of budgets plus query-matched random search.
//! - [`baselines`]: the best single model and two-model switch, read or labelled.
//! - [`verify`]: real FD of the best candidates and the baselines, measured latency, sharing
//!   between budgets.
//! - [`speedup`]: the speed-up figures against the best single model.
//! - [`fresh`]: verification on fresh noise banks in every feature space, paired intervals,
//!   better / tie / worse, the speed-up that holds on both metrics.
//! - [`compare`]: any schedules of one zoo compared in pairs on fresh noise, family-wise intervals.
//! - [`active`]: active-learning rounds, their candidates and de-duplication key.
//! - [`report`]: the report folder of a search run (plot, grids, portable schedules, summary).
//! - [`html`]: `report.html`, one self-contained page rebuilt from a report folder's files.
//!
//! # A search without the command line
//!
//! What `cargo xtask search` does at two budgets, compiled as a test (not run: it trains and
//! samples for minutes):
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//!
//! use burn::tensor::Device;
//! use oms_dataset::Labeller;
//! use oms_pipeline::objective::{Objective, Quality};
//! use oms_pipeline::{Setup, baselines, labels, latency, predictor, scorer, search, speedup, verify};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let device = Device::flex();
//! let manifest = oms_zoo::ZooManifest::load(Path::new("configs/zoo/fashion-mnist-v2.ron"))?;
//! let files = [PathBuf::from("assets/labels/fashion-mnist-v2.jsonl")];
//! let labels = labels::read_label_sets(&files, &manifest)?;
//! let k = labels::k_slots(labels::first_record(&labels, &files)?);
//! let profile = latency::read_profile(Path::new("assets/latency/fashion-mnist-cpu-b64.ron"))?;
//! let setup = Setup::new(manifest, profile, k)?;
//! let kind = predictor::SearchPredictor {
//!     encoder: "lstm".parse()?,
//!     loss: "rank".parse()?,
//!     epochs: 200,
//!     objective: Objective::WorseOfFdKid,
//! };
//! let predictor = predictor::train_for_search(&labels, &setup.manifest, "v2", kind, &device)?;
//! // The metric: the project's CNN features against the Fashion-MNIST training split.
//! let classifiers = Path::new("assets/classifier");
//! let net = oms_metrics::features::load_classifier(classifiers, "fashion-mnist", &device)?;
//! let (data, train) = (oms_data::DatasetKind::FashionMnist, oms_data::Split::Train);
//! let cache = Path::new("data/stats");
//! let reference =
//!     oms_metrics::dataset_reference(&net, Path::new("data"), data, train, cache, &device)?;
//! let zoo = setup.manifest.build(&device)?;
//! let sizes = (1000, 128, 1); // images, batch, noise seed set
//! let labeller = Labeller::new(&zoo, &net, &reference, sizes, setup.manifest.image_shape);
//! let source = baselines::BaselineSource {
//!     file: Path::new("assets/labels/fashion-mnist-v2-baselines.jsonl"),
//!     cache: Path::new("data/baselines"),
//! };
//! let budgets = [600.0, 1200.0];
//! let base = baselines::load_or_measure(&setup, &labeller, &source, &budgets, &device, &mut |_| {})?;
//! let lambda_start = setup.lambda_start;
//! let mut scorer = scorer::PredictorScorer::new(&predictor, &setup.space, lambda_start, &device)?;
//! let config = search::SearchConfig {
//!     generations: 300,
//!     joint: "joint".parse()?,
//!     seeds: true,
//!     seed: 0,
//!     random: true,
//! };
//! let found = search::run_search(&setup, &mut scorer, &labels, &budgets, &config, &mut || {})?;
//! let verifier = verify::Verifier {
//!     setup: &setup,
//!     labeller: &labeller,
//!     zoo: &zoo,
//!     device: &device,
//! };
//! let top = verify::VerifyConfig {
//!     top: 3,
//!     verify_reference: false,
//!     quality: Quality::fit(Objective::WorseOfFdKid, &labels),
//! };
//! let (front, random) = (&found.front, &found.random);
//! let at = verify::verify_all(&verifier, front, random, &labels, &base, &top, &mut || {})?;
//! println!("speed-up by the table: {:?}", speedup::speedup(&at, speedup::by_table));
//! # Ok(())
//! # }
//! ```

pub mod active;
pub mod baselines;
pub mod budgets;
pub mod compare;
pub mod denoise_error;
pub mod fresh;
pub mod fresh_report;
pub mod gate;
pub mod html;
pub mod keys;
pub mod label_noise;
pub mod labels;
pub mod latency;
pub mod objective;
pub mod predictor;
pub mod profiling;
pub mod report;
pub mod scorer;
pub mod search;
pub mod setup;
pub mod speedup;
pub mod verify;

use std::path::PathBuf;

pub use setup::Setup;

/// Errors of the pipeline: each names the file or the stage and what to do.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A label file is missing, empty, of another zoo or does not match the others.
    #[error("{}: {reason}", path.display())]
    Labels {
        /// The label file.
        path: PathBuf,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A latency table cannot be read or chosen.
    #[error("{0}")]
    Latency(String),
    /// A bad argument, with what to do.
    #[error("{0}")]
    Invalid(String),
    /// The predictor cannot be built, read or written, or does not know a schedule's model.
    #[error(transparent)]
    Predictor(#[from] oms_predictor::PredictorError),
    /// The zoo manifest or a checkpoint.
    #[error(transparent)]
    Zoo(#[from] oms_zoo::ZooError),
    /// The schedule space.
    #[error(transparent)]
    Space(#[from] oms_space::SpaceError),
    /// Labelling.
    #[error(transparent)]
    Dataset(#[from] oms_dataset::DatasetError),
    /// The search.
    #[error(transparent)]
    Search(#[from] oms_search::SearchError),
    /// A schedule that does not convert.
    #[error(transparent)]
    Encoding(#[from] oms_schedule::EncodingError),
    /// A schedule that does not fit the zoo.
    #[error(transparent)]
    Schedule(#[from] oms_schedule::ScheduleError),
    /// A noise schedule.
    #[error(transparent)]
    Noise(#[from] oms_schedule::NoiseError),
    /// Sampling (NaN, shapes).
    #[error(transparent)]
    Sample(#[from] oms_sampler::SampleError),
    /// A quality metric or feature network.
    #[error(transparent)]
    Metric(#[from] oms_metrics::MetricError),
    /// Writing an output file.
    #[error(transparent)]
    Artifact(#[from] oms_artifacts::ArtifactError),
    /// Timing a schedule.
    #[error(transparent)]
    Timing(#[from] oms_latency::LatencyError),
}

/// Results of the pipeline.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;
