//! `cargo xtask zoo-gate --zoo Z --latency L.ron --out DIR`: whether a zoo meets the bars for
//! becoming the default (issue 16, part 4; `oms_pipeline::gate`). Every member alone with
//! DPM-Solver of each `--orders` at each `--nfe`, sampled on fresh noise (image `i` of every
//! run shares its noise), scored in both feature spaces with paired bootstrap intervals; the
//! real-data floor from the last `n` images of the train split (outside EfficientNet's
//! 10,000-image reference). Writes `gate.md` and `summary.json`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{write_atomic, write_json};
use oms_data::{Dataset, Split};
use oms_metrics::features::{FeatureSpace, all_features};
use oms_metrics::{GaussianStats, frechet_distance};
use oms_pipeline::fresh::{FRESH_BANK_MIN, FreshConfig, Space};
use oms_pipeline::gate::cache::ScoreCache;
use oms_pipeline::gate::rounds::{self, round_changes};
use oms_pipeline::gate::{FloorScore, GateConfig, MemberScore, evaluate};
use oms_pipeline::latency::read_profile;
use oms_pipeline::setup::{SingleSpec, single_model};
use oms_sampler::{Sampler, SamplerOptions};
use oms_schedule::{Schedule, Solver, TimeGrid};
use oms_zoo::{MemberKind, ZooManifest};
use serde_json::json;

mod baseline;
mod scoring;

use crate::metric_args::MetricArgs;

/// Arguments of `zoo-gate`.
#[derive(clap::Args)]
pub struct ZooGateArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Latency table of the zoo (`cargo xtask profile --zoo Z --out DIR` writes one): the cost
    /// spread is measured on it.
    #[arg(long)]
    latency: PathBuf,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// NFEs of every member (the bar: each no worse than the one before).
    #[arg(long, value_delimiter = ',', default_values_t = [5, 10, 20])]
    nfe: Vec<usize>,
    /// DPM-Solver orders (single-step, lambda-uniform steps).
    #[arg(long, value_delimiter = ',', default_values_t = [2, 3])]
    orders: Vec<u8>,
    /// Fresh noise seed sets (each >= 1000: no label or selection step uses them).
    #[arg(long = "seed-sets", value_delimiter = ',', default_values_t = [FRESH_BANK_MIN])]
    banks: Vec<u64>,
    /// Images per seed set and run.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Clean end of the sampling grids (the members' training `t_min` by default).
    #[arg(long, default_value_t = 1e-3)]
    t_end: f64,
    /// Bootstrap resamples of the paired intervals.
    #[arg(long, default_value_t = 200)]
    resamples: usize,
    /// Sampling batch.
    #[arg(long, default_value_t = 250)]
    batch: usize,
    /// Feature spaces (the bars need both).
    #[arg(long, value_delimiter = ',', default_values_t = FeatureSpace::ALL)]
    spaces: Vec<FeatureSpace>,
    /// NFE at which the most expensive member must be the best alone and near the floor.
    #[arg(long, default_value_t = 20)]
    top_nfe: usize,
    /// Score cache folder: a run whose member weights, schedule, noise and reference are
    /// unchanged is read from here instead of sampled and scored again (e.g. after a training
    /// round that changed one member). Off by default.
    #[arg(long)]
    score_cache: Option<PathBuf>,
    /// The zoo's manifest before a training round (e.g. `git show REV:PATH > old.ron`, in the
    /// same folder so its paths resolve): each member whose weights sha256 changed since is
    /// compared run for run with its scores then, paired image for image, which must be in
    /// --score-cache (a gate on that manifest with the same options put them there).
    #[arg(long, requires = "score_cache")]
    baseline_zoo: Option<PathBuf>,
    /// Comparisons in the more-steps bar's Bonferroni family (default: the ones this call
    /// judges). Gating some members of a zoo (a manifest holding one retrained member), give
    /// the whole zoo's count (members x orders x spaces x (NFEs - 1); 40 for v3's full gate) so
    /// that the verdicts are those of the full gate, whose intervals are wider.
    #[arg(long)]
    steps_family: Option<usize>,
    /// Exit with status 1 when a bar does not hold (after writing the report).
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    metric: MetricArgs,
}

/// One member alone: (member, solver label, NFE, schedule).
type Run = (String, String, usize, Schedule);

fn runs(args: &ZooGateArgs, manifest: &ZooManifest) -> Result<Vec<Run>> {
    let mut out = vec![];
    for member in &manifest.members {
        if !matches!(member.kind, MemberKind::Unet(_)) {
            continue;
        }
        for &order in &args.orders {
            for &nfe in &args.nfe {
                let spec = SingleSpec {
                    solver: Solver::DpmSolver,
                    order,
                    nfe,
                    grid: TimeGrid::UniformLambda,
                    t_end: Some(args.t_end),
                };
                let schedule = single_model(manifest, &member.name, &spec).with_context(|| {
                    format!("{} with DPM-Solver-{order} at {nfe} NFE", member.name)
                })?;
                out.push((
                    member.name.clone(),
                    format!("dpm-solver-{order}"),
                    nfe,
                    schedule,
                ));
            }
        }
    }
    if out.is_empty() {
        bail!("{}: no UNet member to judge", args.zoo.display());
    }
    Ok(out)
}

/// The last `n` train images, the real images of every space's floor, and the split's size;
/// none with --reference-images (the floor needs the dataset the reference came from).
fn train_tail(args: &ZooGateArgs, n: usize) -> Result<Option<(Vec<u8>, usize)>> {
    if args.metric.reference_images.is_some() {
        return Ok(None);
    }
    let data = Dataset::load(&args.metric.data, args.metric.dataset, Split::Train)?;
    let per = data.rows * data.cols;
    let start = data.len().saturating_sub(n) * per;
    Ok(Some((data.images[start..].to_vec(), data.len())))
}

/// Whether the last `n` of `len` train images lie outside `space`'s reference (the CNN's
/// reference is the whole train split: no floor there).
fn outside_reference(space: &Space, n: usize, len: usize) -> bool {
    space.net.reference_limit().unwrap_or(len) + n <= len
}

/// FD of real images in `space`.
fn floor(space: &Space, pixels: &[u8], n: usize, device: &Device) -> Result<FloorScore> {
    let feats = all_features(space.net.as_ref(), pixels, space.shape, n, 256, device);
    let stats = GaussianStats::from_features(&feats, space.net.dim())?;
    let fd = frechet_distance(&stats, &space.reference.stats)?;
    Ok(FloorScore {
        space: space.space,
        fd,
        n,
    })
}

/// Checks the arguments before anything is sampled: NFEs and orders sorted and distinct, the
/// top NFE among them.
fn check_args(args: &mut ZooGateArgs) -> Result<()> {
    args.nfe.sort_unstable();
    args.nfe.dedup();
    args.orders.sort_unstable();
    args.orders.dedup();
    if args.nfe.len() < 2 {
        bail!(
            "--nfe {:?}: give at least two NFEs (the bar compares each with the one before)",
            args.nfe
        );
    }
    if !args.nfe.contains(&args.top_nfe) {
        bail!(
            "--top-nfe {} is not among --nfe {:?}: the best-alone and floor bars are judged there",
            args.top_nfe,
            args.nfe
        );
    }
    Ok(())
}

/// The members' latencies from the table, each UNet member's required.
fn latencies(args: &ZooGateArgs, manifest: &ZooManifest) -> Result<BTreeMap<String, f64>> {
    let profile = read_profile(&args.latency)?;
    manifest
        .members
        .iter()
        .filter(|m| matches!(m.kind, MemberKind::Unet(_)))
        .map(|m| match profile.table.per_nfe_ms.get(&m.name) {
            Some(ms) if *ms > 0.0 => Ok((m.name.clone(), *ms)),
            _ => bail!(
                "{}: no latency for member '{}'; run `cargo xtask profile --zoo {} --out DIR`",
                args.latency.display(),
                m.name,
                args.zoo.display()
            ),
        })
        .collect()
}

/// Runs the command.
pub fn run(mut args: ZooGateArgs, device: &Device) -> Result<()> {
    let t0 = Instant::now();
    check_args(&mut args)?;
    let manifest = ZooManifest::load(&args.zoo)?;
    let latency_ms = latencies(&args, &manifest)?;
    let config = FreshConfig::new(args.banks.clone(), args.n, args.batch, args.resamples);
    config.check()?;
    let runs = runs(&args, &manifest)?;
    let names: Vec<&str> = latency_ms.keys().map(String::as_str).collect();
    // the weights' hashes of the cache keys, before loading (which checks them)
    let weights = match &args.score_cache {
        Some(_) => scoring::weights_sha256(&manifest)?,
        None => BTreeMap::new(),
    };
    let members = manifest.build_members(device, &names)?;
    // Feature networks, references and floor images first: a missing file stops the command
    // before the sampling, not after it.
    let n = args.n * args.banks.len();
    let tail = train_tail(&args, n)?;
    let mut spaces = vec![];
    for &space in &args.spaces {
        let net = args.metric.space(space, device)?;
        let reference = args.metric.reference(net.as_ref(), device)?;
        let space = Space {
            space,
            net,
            reference,
            shape: manifest.image_shape,
        };
        let has_floor = tail
            .as_ref()
            .is_some_and(|(_, len)| outside_reference(&space, n, *len));
        if !has_floor && space.space == GateConfig::default().floor_space {
            eprintln!(
                "warning: no real-data floor in the {} space (the floor needs the dataset's train \
                 images outside its reference): that bar will not hold",
                space.space.name()
            );
        }
        spaces.push((space, has_floor));
    }
    let sampler = Sampler::new(&members, SamplerOptions::default());
    let cache = args.score_cache.as_ref().map(ScoreCache::new);
    let space_refs: Vec<&Space> = spaces.iter().map(|(s, _)| s).collect();
    let before = match (&args.baseline_zoo, &cache) {
        (Some(path), Some(cache)) => Some(baseline::baseline_scores(
            (&args, path, &weights),
            &space_refs,
            &config,
            (cache, device),
        )?),
        _ => None,
    };
    let cache = cache.as_ref().map(|c| (c, &weights));
    let scored = scoring::score_runs(
        (&manifest, &sampler, device),
        &runs,
        &space_refs,
        &config,
        cache,
    )?;
    let (mut scores, mut floors, mut cached) = (vec![], vec![], 0);
    for (s, (space, has_floor)) in spaces.iter().enumerate() {
        for (r, run) in runs.iter().enumerate() {
            cached += usize::from(scored.computed[s][r].is_some());
            scores.push(MemberScore {
                member: run.0.clone(),
                solver: run.1.clone(),
                nfe: run.2,
                space: space.space,
                set: scored.scores[s][r].set.clone(),
            });
        }
        if let (true, Some((pixels, _))) = (*has_floor, &tail) {
            floors.push(floor(space, pixels, n, device)?);
        }
    }
    let gate = GateConfig {
        top_nfe: args.top_nfe,
        steps_family: args.steps_family,
        ..GateConfig::default()
    };
    let report = evaluate(&latency_ms, &scores, &floors, &gate);
    let changes = before.as_ref().map(|b| round_changes(b, &scores));
    let mut md = markdown(&args, &report, (&scores, cached), &floors);
    if let (Some(changes), Some(path)) = (&changes, &args.baseline_zoo) {
        md.push('\n');
        md.push_str(&match changes.is_empty() {
            true => format!("No member's weights changed since {}.\n", path.display()),
            false => rounds::markdown(changes, &path.display().to_string()),
        });
    }
    std::fs::create_dir_all(&args.out)?;
    write_atomic(&args.out.join("gate.md"), md.as_bytes())?;
    let fds: Vec<_> = scores
        .iter()
        .map(|s| {
            json!({"member": s.member, "solver": s.solver, "nfe": s.nfe,
            "space": s.space, "fd": s.set.fd, "kid": s.set.kid, "n": s.set.n})
        })
        .collect();
    let summary = json!({
        "command": "zoo-gate", "zoo": args.zoo, "latency": args.latency,
        "latency_ms": latency_ms, "config": config, "gate": gate, "t_end": args.t_end,
        "passed": report.passed, "report": report, "scores": fds, "floors": floors,
        "cache": {"dir": args.score_cache, "scores_read": cached, "runs_sampled": scored.sampled,
            "computed": scored.computed},
        "baseline": args.baseline_zoo.as_ref().map(|zoo| json!({"zoo": zoo, "changes": changes})),
        "seconds": {"sampling": scored.sample_s, "total": t0.elapsed().as_secs_f64()},
        "device": format!("{device:?}"),
    });
    write_json(&args.out.join("summary.json"), &summary)?;
    print!("{md}");
    println!("-> {}", args.out.display());
    if args.strict && !report.passed {
        bail!(
            "the zoo does not pass the bars (--strict); see {}",
            args.out.join("gate.md").display()
        );
    }
    Ok(())
}

fn markdown(
    args: &ZooGateArgs,
    report: &oms_pipeline::gate::GateReport,
    (scores, cached): (&[MemberScore], usize),
    floors: &[FloorScore],
) -> String {
    use std::fmt::Write as _;
    let mut md = format!(
        "# Zoo gate: {}\n\nEvery member alone, DPM-Solver (orders {:?}) on lambda-uniform steps \
         to t = {}, fresh seed sets {:?}, {} images each; latency from {}.\n\n",
        args.zoo.display(),
        args.orders,
        args.t_end,
        args.banks,
        args.n,
        args.latency.display()
    );
    if let (Some(dir), true) = (&args.score_cache, cached > 0) {
        let _ = writeln!(
            md,
            "{cached} of {} scores were read from the cache {} (computed by an earlier gate with \
             the same weights, schedule, noise and reference; `summary.json` says when).\n",
            scores.len(),
            dir.display()
        );
    }
    md.push_str(&report.markdown());
    let _ = writeln!(md, "\nFD by member, solver and NFE:\n");
    let _ = writeln!(
        md,
        "| member | solver | space | {} |",
        args.nfe
            .iter()
            .map(|k| format!("{k} NFE"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(md, "|---|---|---|{}", "---|".repeat(args.nfe.len()));
    let mut rows: BTreeMap<(&str, &str, &str), Vec<String>> = BTreeMap::new();
    for s in scores {
        rows.entry((&s.member, &s.solver, s.space.name()))
            .or_default()
            .push(format!("{:.2}", s.set.fd));
    }
    for ((m, solver, space), fds) in rows {
        let _ = writeln!(md, "| {m} | {solver} | {space} | {} |", fds.join(" | "));
    }
    for f in floors {
        let _ = writeln!(
            md,
            "\nReal-data floor ({}): FD {:.2} of the last {} train images.",
            f.space.name(),
            f.fd,
            f.n
        );
    }
    md
}
