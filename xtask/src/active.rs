//! `cargo xtask active`: active learning of the predictor's labels (method.md section 7 item 5).
//! Each round trains the predictor on every label so far, runs the search over a list of
//! budgets, and labels the best candidates it has not labelled yet (real FD on the labels' noise
//! bank), appending them to one label file. The labels land where the search queries the
//! predictor hardest: the top of each budget, in every form the joint search reaches.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use burn::tensor::Device;
use oms_dataset::{
    Generator, LabelEvent, Labeller, Planned, Record, RunSpec, Shard, SlotSpace, label_plan,
    read_records, run_key,
};
use oms_predictor::{EncoderKind, Loss};
use oms_schedule::{NoiseSchedule, NoiseSpec, Schedule, Solver};
use oms_search::{EvolveConfig, Genome, JointConfig, ScoreCache, geometric_budgets, pareto_search};
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::dataset::{read_profile, start_lambda};
use crate::metric_args::MetricArgs;
use crate::progress::bar;
use crate::search::{PredictorScorer, default_budgets, parse_space, search_seeds};
use crate::train_predictor::{label_source, parse_encoder, parse_loss, read_label_sets};

/// Arguments of `active`.
#[derive(clap::Args)]
pub struct ActiveArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Labels the rounds start from (one n, noise bank and metric; the --out file joins them).
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
    /// Encoder of the predictor: lstm, lstm-joint or mlp.
    #[arg(long, default_value = "lstm")]
    encoder: String,
    /// Loss of the predictor: rank or mse.
    #[arg(long, default_value = "rank")]
    loss: String,
    /// Seed of the searches (each round adds the number of labels already in --out).
    #[arg(long, default_value_t = 0)]
    search_seed: u64,
    /// Images per sampling batch.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    #[command(flatten)]
    metric: MetricArgs,
    /// Label file the rounds append to (JSON lines).
    #[arg(long, default_value = crate::defaults::ACTIVE)]
    out: PathBuf,
}

/// What every round shares.
struct Setup<'a> {
    args: &'a ActiveArgs,
    manifest: ZooManifest,
    /// The --labels records (the --out file is read again each round).
    base: Vec<Record>,
    space: SlotSpace,
    noise: NoiseSchedule,
    lambda_start: f64,
    budgets: Vec<f64>,
    joint: JointConfig,
    kinds: (EncoderKind, Loss),
    /// Run key of the --out file: one for every round, never mixed with other runs.
    key: String,
    protocol_hash: String,
}

/// Runs the command.
pub fn run(args: ActiveArgs, device: &Device) -> Result<()> {
    let joint = parse_space(&args.space)?;
    let kinds = (parse_encoder(&args.encoder)?, parse_loss(&args.loss)?);
    let manifest = ZooManifest::load(&args.zoo)?;
    let base =
        read_label_sets(&args.labels, &manifest).context("active learning starts from labels")?;
    let first = base.first().context("the label files are empty")?.clone();
    let profile = read_profile(&args.latency)?;
    let space = SlotSpace::new(first.slots.len() / 3, manifest.names(), &profile.table)?;
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp())?;
    let budgets = if args.budgets.is_empty() {
        let d = default_budgets(&profile.table);
        geometric_budgets(d[0], d[d.len() - 1], 5)
    } else {
        args.budgets.clone()
    };
    let net = args.metric.classifier(device)?;
    let reference = args.metric.reference(&net, device)?;
    let protocol_hash = reference.protocol.hash();
    if protocol_hash != first.protocol_hash {
        anyhow::bail!(
            "the labels were made with metric protocol {}, this metric is {protocol_hash}: give the labels' --classifier / --reference",
            first.protocol_hash
        );
    }
    let zoo = manifest.build(device)?;
    let sizes = (first.n, args.batch, first.seed);
    let labeller = Labeller::new(&zoo, &net, &reference, sizes, manifest.image_shape);
    let key = run_key(&json!({
        "members": manifest.members, "table": profile.table, "slots": space.k_slots,
        "n": first.n, "seed": first.seed, "protocol": protocol_hash, "plan": "active",
        "labels": label_source(&args.labels), "space": args.space,
    }));
    let setup = Setup {
        args: &args,
        lambda_start: start_lambda(&manifest, &noise),
        manifest,
        base,
        space,
        noise,
        budgets,
        joint,
        kinds,
        key,
        protocol_hash,
    };
    eprintln!(
        "active learning: budgets {:.0?}, {} rounds",
        setup.budgets, args.rounds
    );
    for round in 1..=args.rounds {
        if !one_round(&setup, &labeller, round, device)? {
            eprintln!("round {round}: every top candidate is labelled already");
            break;
        }
    }
    let all = read_records(&args.out)?;
    println!("{} active labels in {}", all.len(), args.out.display());
    Ok(())
}

/// Trains, searches and labels the new candidates; false when there were none.
fn one_round(setup: &Setup, labeller: &Labeller, round: usize, device: &Device) -> Result<bool> {
    let (args, space) = (setup.args, &setup.space);
    let mine = if args.out.exists() {
        read_records(&args.out)?
    } else {
        vec![]
    };
    let mut labels = setup.base.clone();
    labels.extend(mine.iter().cloned());
    let n_mine = mine.len();
    eprintln!(
        "round {round}: {} labels ({n_mine} from active rounds)",
        labels.len()
    );
    let source = format!("{},{}", label_source(&args.labels), args.out.display());
    let predictor = crate::train_predictor::train_for_search(
        &labels,
        &setup.manifest,
        &source,
        setup.kinds,
        args.epochs,
        device,
    )?;
    let mut scorer = PredictorScorer::new(&predictor, space, setup.lambda_start, device)?;
    let mut cache = ScoreCache::new(&mut scorer);
    let joint = setup.joint;
    let config = EvolveConfig {
        generations: args.generations,
        joint,
        ..EvolveConfig::default()
    };
    let seeds = search_seeds(space, &labels, &joint);
    let pb = bar((setup.budgets.len() * args.generations) as u64, "search");
    let seed = args.search_seed.wrapping_add(n_mine as u64);
    let front = pareto_search(
        space,
        &mut cache,
        &setup.budgets,
        &seeds,
        &config,
        seed,
        &mut |_, _, _| pb.inc(1),
    )?;
    pb.finish_and_clear();
    let next_id = mine.iter().map(|r| r.id + 1).max().unwrap_or(0);
    let schedule = |g: &Genome| -> Result<Schedule> {
        Ok(g.schedule(&space.models, &setup.noise, setup.lambda_start)?)
    };
    let planned = new_candidates(&front, &labels, (args.per_budget, next_id), &schedule)?;
    if planned.is_empty() {
        return Ok(false);
    }
    let spec = RunSpec {
        plan: &planned,
        shard: Shard { index: 0, count: 1 },
        space,
        noise: &setup.noise,
        solver: Solver::DpmSolver,
        lambda_start: setup.lambda_start,
        run_key: &setup.key,
        protocol_hash: &setup.protocol_hash,
        zoo: &labels[0].zoo,
    };
    label_round(&spec, labeller, &args.out, device)?;
    Ok(true)
}

/// Per budget, the `k` best distinct candidates (slots or solver) not labelled yet, plus the
/// best reference-form one when it is new; numbered from `next_id`. `schedule` gives a
/// genome's schedule.
fn new_candidates(
    front: &[oms_search::FrontPoint],
    labels: &[Record],
    (k, next_id): (usize, u64),
    schedule: &dyn Fn(&Genome) -> Result<Schedule>,
) -> Result<Vec<Planned>> {
    let mut known: HashSet<String> = labels.iter().map(|r| near(&r.schedule)).collect();
    let mut out = vec![];
    for p in front {
        let mut chosen = vec![];
        for c in &p.distinct {
            if chosen.len() == k {
                break;
            }
            let key = near(&schedule(&c.genome)?);
            if !known.contains(&key) {
                chosen.push((c.genome.clone(), key));
            }
        }
        if let Some(r) = &p.best_reference {
            chosen.push((r.genome.clone(), near(&schedule(&r.genome)?)));
        }
        for (g, key) in chosen {
            if known.insert(key) {
                out.push(Planned {
                    id: next_id + out.len() as u64,
                    generator: Generator::Active,
                    slots: g.slots,
                    form: g.form,
                });
            }
        }
    }
    Ok(out)
}

/// What makes two schedules the same label: solver, orders, models and step boundaries to 0.1
/// in lambda (placements a few thousandths apart sample almost the same images, and placements
/// that differ only where no boundary falls sample the same ones; the search offers many).
fn near(s: &Schedule) -> String {
    let mut key = format!("{:?}", s.solver);
    for st in &s.steps {
        let _ = write!(
            key,
            "|{}:{}:{:.1}:{:.1}",
            st.order,
            st.models.join(","),
            st.from.0,
            st.to.0
        );
    }
    key
}

fn label_round(
    spec: &RunSpec,
    labeller: &Labeller,
    out: &std::path::Path,
    device: &Device,
) -> Result<()> {
    let pb = bar(spec.plan.len() as u64, "labels");
    label_plan(spec, labeller, out, device, &mut |e| match e {
        LabelEvent::Written(r) => {
            pb.inc(1);
            pb.suspend(|| {
                eprintln!(
                    "#{:<4} {:>2} NFE {:>7.1} ms  FD {:>7.2}  {:.1} s",
                    r.id, r.nfe, r.cost_ms, r.fd, r.wall_s
                )
            });
        }
        LabelEvent::Nfe(_) => pb.tick(),
        LabelEvent::Start { .. } => {}
    })?;
    pb.finish_and_clear();
    Ok(())
}
