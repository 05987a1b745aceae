//! `cargo xtask active`: active learning of the predictor's labels, rounds of
//! `oms_pipeline::active::round` (train, search, label the best new candidates) appended to one
//! label file. The labels land where the search queries the predictor hardest: the top of each
//! budget, in every form the joint search reaches.

use oms_pipeline::objective::Objective;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use burn::tensor::Device;
use oms_dataset::{LabelEvent, Labeller, read_records};
use oms_pipeline::Setup;
use oms_pipeline::active::{ActiveRun, RoundEvent, round};
use oms_pipeline::budgets::active_budgets;
use oms_pipeline::keys::active_key;
use oms_pipeline::labels::{first_record, k_slots, label_source, read_label_sets};
use oms_pipeline::latency::read_profile;
use oms_pipeline::predictor::SearchPredictor;
use oms_pipeline::search::SearchConfig;
use oms_predictor::{EncoderKind, Loss};
use oms_search::JointConfig;
use oms_zoo::ZooManifest;

use crate::metric_args::MetricArgs;
use crate::progress::bar;

/// Arguments of `active`.
#[derive(clap::Args)]
pub struct ActiveArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Labels the rounds start from (one n, noise seed set and metric; the --out file joins them).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = crate::defaults::ACTIVE_START
    )]
    labels: Vec<PathBuf>,
    /// Latency profile that prices schedules (the labels' table).
    #[arg(long, default_value = "assets/latency/fashion-mnist-cpu-b64.ron")]
    latency: PathBuf,
    /// Budgets in ms per batch; default: 5 spaced geometrically from 1.5x to 6x the per-NFE cost
    /// of the zoo's median member (the range of the default search).
    #[arg(long, value_delimiter = ',')]
    budgets: Vec<f64>,
    /// Rounds to run now (re-running continues from the --out file).
    #[arg(long, default_value_t = 4)]
    rounds: usize,
    /// New labels per budget per round.
    #[arg(long, default_value_t = 3)]
    per_budget: usize,
    /// Search space: joint or slots.
    #[arg(long, default_value = "joint")]
    space: String,
    /// Generations of the search per budget.
    #[arg(long, default_value_t = 300)]
    generations: usize,
    /// Epochs of each round's predictor.
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// What the predictor ranks and verification picks by: worse-of-fd-kid (each metric
    /// standardised over the labels, the worse of the two) or fd (the reference method).
    #[arg(long, default_value = "worse-of-fd-kid")]
    objective: Objective,
    /// Encoder of the predictor: lstm, lstm-joint or mlp.
    #[arg(long, default_value = "lstm")]
    encoder: EncoderKind,
    /// Loss of the predictor: rank or mse.
    #[arg(long, default_value = "rank")]
    loss: Loss,
    /// Seed of the searches (each round adds the number of labels already in --out).
    #[arg(long, default_value_t = 0)]
    search_seed: u64,
    /// Images per sampling batch.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Feature space of the FD and KID: cnn (the dataset's classifier; 28x28 gray zoos) or
    /// efficientnet (ImageNet features; gray or RGB images of any size).
    #[arg(long, default_value = "cnn")]
    feature_space: oms_metrics::features::FeatureSpace,
    #[command(flatten)]
    metric: MetricArgs,
    /// Label file the rounds append to (JSON lines).
    #[arg(long, default_value = crate::defaults::ACTIVE)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: ActiveArgs, device: &Device) -> Result<()> {
    // The space's name is part of the run key: parsed here, kept as written.
    let joint: JointConfig = args.space.parse().map_err(anyhow::Error::msg)?;
    let manifest = ZooManifest::load(&args.zoo)?;
    let base =
        read_label_sets(&args.labels, &manifest).context("active learning starts from labels")?;
    let first = first_record(&base, &args.labels)?.clone();
    let profile = read_profile(&args.latency)?;
    let budgets = match args.budgets.is_empty() {
        true => active_budgets(&profile.table),
        false => args.budgets.clone(),
    };
    let net = args.metric.space(args.feature_space, device)?;
    let net = net.as_ref();
    let reference = args.metric.reference(net, device)?;
    let protocol_hash = reference.protocol.hash();
    if protocol_hash != first.protocol_hash {
        bail!(
            "the labels were made with metric protocol {}, this metric is {protocol_hash}: give the labels' --dataset and --classifiers",
            first.protocol_hash
        );
    }
    let source = label_source(&args.labels);
    let k = k_slots(&first);
    let key = active_key(
        &manifest,
        &profile,
        (k, first.n, first.seed),
        &protocol_hash,
        &source,
        &args.space,
    );
    let setup = Setup::new(manifest, profile, k)?;
    let zoo = setup.manifest.build(device)?;
    let sizes = (first.n, args.batch, first.seed);
    let labeller = Labeller::new(&zoo, net, &reference, sizes, setup.manifest.image_shape);
    let run = ActiveRun {
        setup: &setup,
        base: &base,
        base_source: &source,
        budgets: &budgets,
        search: SearchConfig {
            generations: args.generations,
            joint,
            seeds: true,
            seed: args.search_seed,
            random: false,
        },
        predictor: SearchPredictor {
            encoder: args.encoder,
            loss: args.loss,
            epochs: args.epochs,
            objective: args.objective,
        },
        per_budget: args.per_budget,
        key: &key,
        protocol_hash: &protocol_hash,
    };
    eprintln!(
        "active learning: budgets {budgets:.0?}, {} rounds",
        args.rounds
    );
    for r in 1..=args.rounds {
        if one_round(&run, &labeller, r, &args, device)? == 0 {
            eprintln!("round {r}: every top candidate is labelled already");
            break;
        }
    }
    let all = read_records(&args.out)?;
    println!("{} active labels in {}", all.len(), args.out.display());
    Ok(())
}

/// One round with its progress bars.
fn one_round(
    run: &ActiveRun,
    labeller: &Labeller,
    r: usize,
    args: &ActiveArgs,
    device: &Device,
) -> Result<usize> {
    let search = bar((run.budgets.len() * args.generations) as u64, "search");
    let labels = bar(0, "labels");
    let made = round(run, labeller, &args.out, device, &mut |e| match e {
        RoundEvent::Start { labels, own } => {
            eprintln!("round {r}: {labels} labels ({own} from active rounds)")
        }
        RoundEvent::Trained(p) => crate::search::print_trained(p),
        RoundEvent::Generation => search.inc(1),
        RoundEvent::Planned(n) => {
            search.finish_and_clear();
            labels.set_length(n as u64);
        }
        RoundEvent::Label(LabelEvent::Written(rec)) => {
            labels.inc(1);
            labels.suspend(|| {
                eprintln!(
                    "#{:<4} {:>2} NFE {:>7.1} ms  FD {:>7.2}  {:.1} s",
                    rec.id, rec.nfe, rec.cost_ms, rec.fd, rec.wall_s
                )
            });
        }
        RoundEvent::Label(LabelEvent::Nfe(_)) => labels.tick(),
        RoundEvent::Label(LabelEvent::Start { .. }) => {}
    })?;
    labels.finish_and_clear();
    Ok(made)
}
