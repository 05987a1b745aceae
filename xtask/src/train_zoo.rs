//! `cargo xtask train-zoo`: train the UNet members of a zoo manifest (resumable), then write
//! each member's EMA weights to its checkpoint path, its sha256 into the manifest and a
//! training record (`<checkpoint>.train.json`) next to the weights.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::module::Module;
use burn::tensor::Device;
use oms_data::{Dataset, DatasetKind, Split};
use oms_train::train_unet;
use oms_zoo::checkpoint::{file_sha256, save_weights};
use oms_zoo::manifest::set_sha256_in_text;
use oms_zoo::{MemberKind, ZooManifest};
use serde_json::json;

use crate::progress::bar;

/// Arguments of `train-zoo`.
#[derive(clap::Args)]
pub struct TrainZooArgs {
    /// Zoo manifest.
    #[arg(long, default_value = crate::defaults::ZOO)]
    zoo: PathBuf,
    /// Train only this member (default: every UNet member, in manifest order).
    #[arg(long)]
    member: Option<String>,
    /// Folder of run state (checkpoints for resuming); one subfolder per member.
    #[arg(long, default_value = "runs/train-zoo")]
    runs: PathBuf,
    /// Data root (see `cargo xtask data`).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// Override the recipe's step count (for smoke runs; the record says so).
    #[arg(long)]
    steps: Option<usize>,
    /// Where a member's run folder holds no checkpoint (a fresh machine), continue from its
    /// committed weights and training record instead of step 0: trained and EMA weights start
    /// at the committed EMA weights, Adam's moments at zero, and the learning rate warms up
    /// again (not an exact resume; the record says so). A folder with a checkpoint is resumed;
    /// a member without weights (no file, no sha256 in the manifest) starts from step 0.
    #[arg(long)]
    warm_start: bool,
    /// Images per step, a multiple of the recipe's batch (default: the recipe's), for a GPU,
    /// which is only busy at large batches: steps, warm-up, checkpoint interval and EMA decay
    /// are rescaled to keep the course per image seen, the learning rate by `--lr-rule`
    /// (`oms_zoo::Recipe::at_batch`), and `--steps` counts steps at this batch. A run folder
    /// resumes only at the batch it was trained at; a warm start converts the committed step
    /// count through the images seen.
    #[arg(long)]
    batch: Option<usize>,
    /// How `--batch` scales the learning rate: by the square root of the batch factor (Adam's
    /// rule) or by the factor itself (faster per image in docs/zoo.md's CPU ablation, riskier).
    #[arg(long, value_enum, default_value = "sqrt", requires = "batch")]
    lr_rule: LrRuleArg,
}

/// `--lr-rule`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LrRuleArg {
    /// Learning rate times sqrt(k).
    Sqrt,
    /// Learning rate times k.
    Linear,
}

impl From<LrRuleArg> for oms_zoo::LrRule {
    fn from(a: LrRuleArg) -> Self {
        match a {
            LrRuleArg::Sqrt => oms_zoo::LrRule::Sqrt,
            LrRuleArg::Linear => oms_zoo::LrRule::Linear,
        }
    }
}

/// Runs the command.
pub fn run(args: TrainZooArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let members: Vec<_> = manifest
        .members
        .iter()
        .filter(|m| args.member.as_ref().is_none_or(|n| &m.name == n))
        .filter_map(|m| match &m.kind {
            MemberKind::Unet(u) => Some((m, u)),
            MemberKind::Analytic(_) => None,
        })
        .collect();
    if members.is_empty() {
        bail!(
            "no UNet member to train in {} (names: {})",
            args.zoo.display(),
            manifest.names().join(", ")
        );
    }
    for (member, unet) in members {
        let kind = DatasetKind::parse(&unet.dataset).with_context(|| {
            format!(
                "member '{}': unknown dataset '{}'",
                member.name, unet.dataset
            )
        })?;
        let data = Dataset::load(&args.data, kind, Split::Train)?;
        let mut recipe = match args.batch {
            Some(b) => unet
                .recipe
                .at_batch(b, args.lr_rule.into())
                .map_err(|e| anyhow::anyhow!("member '{}': --batch: {e}", member.name))?,
            None => unet.recipe.clone(),
        };
        if let Some(steps) = args.steps {
            recipe.steps = steps;
        }
        recipe.check_steps(recipe.steps).map_err(|e| {
            anyhow::anyhow!("member '{}' in {}: {e}", member.name, args.zoo.display())
        })?;
        let run_dir = args.runs.join(&member.name);
        let path = manifest.checkpoint_path(unet);
        check_run_folder(member, unet, &path, &recipe, &run_dir)?;
        if args.warm_start {
            warm_start(member, unet, &path, &recipe, &data, &run_dir, device)?;
        }
        let pb = bar(recipe.steps as u64, &member.name);
        let (ema, outcome) = train_unet(
            &unet.config,
            &member.convention,
            &recipe,
            &data,
            &run_dir,
            device,
            &mut |p| {
                pb.set_position(p.step as u64);
                if pb.is_hidden() && p.step.is_multiple_of(50) {
                    eprintln!(
                        "{} step {}/{} loss {:.4} {:.1} img/s",
                        member.name, p.step, p.steps, p.loss, p.images_per_s
                    );
                }
                pb.set_message(format!(
                    "{} loss {:.4} {:.0} img/s",
                    member.name, p.loss, p.images_per_s
                ));
            },
        )?;
        pb.finish_and_clear();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        save_weights(&ema, &path)?;
        let sha = file_sha256(&path)?;
        let text = std::fs::read_to_string(&args.zoo)?;
        let text = set_sha256_in_text(&text, &member.name, &sha)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.zoo.display()))?;
        oms_artifacts::write_atomic(&args.zoo, text.as_bytes())?;
        let record = json!({
            "member": member.name,
            "command": format!("cargo xtask train-zoo --zoo {} --member {}{}{}{}", args.zoo.display(), member.name,
                args.batch.map_or(String::new(), |b| format!(" --batch {b}{}",
                    if matches!(args.lr_rule, LrRuleArg::Linear) { " --lr-rule linear" } else { "" })),
                args.steps.map_or(String::new(), |s| format!(" --steps {s}")),
                if args.warm_start { " --warm-start" } else { "" }),
            "recipe": recipe,
            "steps": outcome.step,
            "final_loss": outcome.loss,
            "train_seconds": outcome.seconds,
            "parameters": ema.num_params(),
            "forward_gflops_per_image": unet.config.flops_per_image() / 1e9,
            "device": format!("{device:?}"),
            "sha256": sha,
            "warm_start": outcome.warm_start,
        });
        oms_artifacts::write_json(&record_path(&path), &record)?;
        println!(
            "{}: {} steps, loss {:.4}, {:.0} s -> {} ({})",
            member.name,
            outcome.step,
            outcome.loss,
            outcome.seconds,
            path.display(),
            &sha[..12]
        );
    }
    Ok(())
}

/// Starts `run_dir` from the member's committed weights and training record (`--warm-start`),
/// unless it already holds a checkpoint (then the run resumes it). The weights must match both
/// the manifest's and the record's sha256.
fn warm_start(
    member: &oms_zoo::MemberSpec,
    unet: &oms_zoo::UnetMember,
    path: &Path,
    recipe: &oms_zoo::Recipe,
    data: &Dataset,
    run_dir: &Path,
    device: &Device,
) -> Result<()> {
    if run_dir.join(oms_train::checkpoint::RECORD).is_file() {
        eprintln!(
            "{}: {} holds a checkpoint: resuming it (--warm-start applies only to empty run folders)",
            member.name,
            run_dir.display()
        );
        return Ok(());
    }
    if !path.exists() && unet.sha256.is_none() {
        eprintln!(
            "{}: no committed weights at {}: training from step 0",
            member.name,
            path.display()
        );
        return Ok(());
    }
    let record_file = record_path(path);
    let text = std::fs::read_to_string(&record_file).with_context(|| {
        format!(
            "member '{}': --warm-start needs the training record {} next to the weights; without it, train from step 0 (drop --warm-start)",
            member.name,
            record_file.display()
        )
    })?;
    let record: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a training record", record_file.display()))?;
    let field = |k: &str| {
        record.get(k).cloned().with_context(|| {
            format!(
                "{}: the training record has no '{k}'",
                record_file.display()
            )
        })
    };
    let steps = committed_images(&record, unet.recipe.batch)
        .with_context(|| record_file.display().to_string())?
        / recipe.batch;
    let seconds: f64 = serde_json::from_value(field("train_seconds")?)?;
    let loss: f64 = serde_json::from_value(field("final_loss")?)?;
    let recorded: String = serde_json::from_value(field("sha256")?)?;
    let sha = file_sha256(path)?;
    if sha != recorded || unet.sha256.as_ref().is_some_and(|m| m != &sha) {
        bail!(
            "member '{}': {} (sha256 {}) is not the weights its record {} or the manifest names; restore the committed weights or train from step 0",
            member.name,
            path.display(),
            &sha[..12],
            record_file.display()
        );
    }
    if steps >= recipe.steps {
        bail!(
            "member '{}': its weights are at step {steps} already; ask for more with --steps",
            member.name
        );
    }
    let from = oms_train::TrainOutcome {
        step: steps,
        loss,
        seconds,
        warm_start: None,
        batch: Some(recipe.batch),
        lr: Some(recipe.lr),
    };
    oms_train::warm_start_run(
        &unet.config,
        &member.convention,
        recipe,
        data,
        run_dir,
        path,
        &from,
        device,
    )?;
    eprintln!(
        "{}: warm start at step {steps} from {} ({})",
        member.name,
        path.display(),
        &sha[..12]
    );
    Ok(())
}

/// Refuses a run folder whose checkpoint cannot continue at `recipe`: one of an earlier version
/// (trained at the manifest's batch) asked to go on at another, or one that is behind the
/// committed weights (training it on would overwrite them with less trained ones).
fn check_run_folder(
    member: &oms_zoo::MemberSpec,
    unet: &oms_zoo::UnetMember,
    path: &Path,
    recipe: &oms_zoo::Recipe,
    run_dir: &Path,
) -> Result<()> {
    let Some(record) = oms_train::checkpoint::read_record(run_dir)? else {
        return Ok(());
    };
    let trained = record.outcome.batch.unwrap_or(unet.recipe.batch);
    if trained != recipe.batch {
        bail!(
            "member '{}': {} was trained at batch {trained}: resume it with --batch {trained}, or move it away and continue the committed weights with --warm-start",
            member.name,
            run_dir.display()
        );
    }
    let folder = record.outcome.step;
    // Only weights the manifest names count: a member retrained from scratch has its sha256
    // cleared there.
    let committed = std::fs::read_to_string(record_path(path))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .filter(|r| r.get("sha256").and_then(|s| s.as_str()) == unet.sha256.as_deref())
        .and_then(|r| committed_images(&r, unet.recipe.batch).ok())
        .map(|images| images / trained);
    // In the folder's own steps: a warm start rounds the committed images down to them.
    if let Some(committed) = committed.filter(|&c| c > folder) {
        bail!(
            "member '{}': {} is at step {folder}, behind the committed weights {} (step {committed} at batch {trained}); training it on would replace them with less trained ones: move the folder away (with --warm-start the committed weights are continued); if the folder is a retraining of the member from scratch, clear the member's sha256 in the manifest to let it go on",
            member.name,
            run_dir.display(),
            path.display()
        );
    }
    Ok(())
}

/// Images seen by the weights a training record describes: its steps times its recipe's batch
/// (`base_batch`, the manifest's, where the record has no recipe).
fn committed_images(record: &serde_json::Value, base_batch: usize) -> Result<usize> {
    let steps = record
        .get("steps")
        .and_then(|s| s.as_u64())
        .context("the training record has no 'steps'")?;
    let batch = record
        .pointer("/recipe/batch")
        .and_then(|b| b.as_u64())
        .unwrap_or(base_batch as u64);
    Ok((steps * batch) as usize)
}

fn record_path(checkpoint: &Path) -> PathBuf {
    checkpoint.with_extension("train.json")
}
