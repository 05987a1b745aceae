//! `cargo xtask compare --schedule A.ron --schedule B.ron ...`: schedule files of one zoo (a
//! hand-written mix, an imported one, a search's pick, a single model) sampled on the same
//! fresh noise, scored in both feature spaces and compared in pairs with paired and family-wise
//! intervals (`oms_pipeline::compare`). Writes `compare.md`, `summary.json` and, per schedule,
//! `NAME/samples.npy` and `NAME/grid.png` to `--out`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_artifacts::{Images, write_atomic, write_grid, write_images, write_json};
use oms_pipeline::compare::{compare_pairs, markdown};
use oms_pipeline::fresh::FreshSchedule;
use oms_pipeline::report::read_schedule;
use oms_zoo::ZooManifest;
use serde_json::json;

use crate::defaults;
use crate::metric_args::MetricArgs;
use crate::verify::{FreshArgs, sample_and_score};

/// Arguments of `compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// Zoo manifest the schedules use.
    #[arg(long, default_value = defaults::ZOO)]
    zoo: PathBuf,
    /// A schedule file (RON or JSON); repeat it. Its file stem names it (names must differ).
    #[arg(long = "schedule", required = true)]
    schedules: Vec<PathBuf>,
    /// A pair to compare, `A:B` by name (A judged against B); repeat it. Default: every other
    /// schedule against the first.
    #[arg(long = "pair", value_name = "A:B")]
    pairs: Vec<String>,
    #[command(flatten)]
    fresh: FreshArgs,
    #[command(flatten)]
    metric: MetricArgs,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// The schedules by file stem, each checked against the zoo.
fn read_schedules(
    files: &[PathBuf],
    manifest: &ZooManifest,
    zoo: &Path,
) -> Result<Vec<FreshSchedule>> {
    let mut out: Vec<FreshSchedule> = vec![];
    for file in files {
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("{}: not a file name", file.display()))?
            .to_string();
        if out.iter().any(|s| s.name == name) {
            bail!(
                "{}: two schedules are named `{name}`; rename one file",
                file.display()
            );
        }
        let schedule = read_schedule(file)?;
        schedule
            .validate(&manifest.model_infos())
            .with_context(|| format!("{} does not fit {}", file.display(), zoo.display()))?;
        out.push(FreshSchedule {
            name,
            schedule,
            latency_ms: f64::NAN,
        });
    }
    Ok(out)
}

/// `A:B` pairs, or every other schedule against the first.
fn pairs_of(args: &[String], names: &[String]) -> Result<Vec<(String, String)>> {
    if args.is_empty() {
        if names.len() < 2 {
            bail!("give two schedules or more, or --pair A:B");
        }
        return Ok(names[1..]
            .iter()
            .map(|n| (n.clone(), names[0].clone()))
            .collect());
    }
    args.iter()
        .map(|p| {
            let (a, b) = p
                .split_once(':')
                .with_context(|| format!("--pair {p}: expected A:B (schedule file stems)"))?;
            for n in [a, b] {
                if !names.iter().any(|m| m == n) {
                    bail!(
                        "--pair {p}: no schedule named `{n}` (names: {})",
                        names.join(", ")
                    );
                }
            }
            Ok((a.to_string(), b.to_string()))
        })
        .collect()
}

/// Runs the command.
pub fn run(args: CompareArgs, device: &Device) -> Result<()> {
    let manifest = ZooManifest::load(&args.zoo)?;
    let schedules = read_schedules(&args.schedules, &manifest, &args.zoo)?;
    let names: Vec<String> = schedules.iter().map(|s| s.name.clone()).collect();
    let pairs = pairs_of(&args.pairs, &names)?;
    let config = args.fresh.config();
    let t0 = Instant::now();
    let (scores, images, sample_s) = sample_and_score(
        &schedules,
        &manifest,
        &args.metric,
        (&config, &args.fresh.spaces),
        device,
    )?;
    let diffs = compare_pairs(&scores, &pairs).map_err(anyhow::Error::msg)?;
    let md = markdown(&scores, &diffs, &config);
    std::fs::create_dir_all(&args.out)?;
    let [c, h, w] = manifest.image_shape;
    for (s, pixels) in schedules.iter().zip(images) {
        let dir = args.out.join(&s.name);
        std::fs::create_dir_all(&dir)?;
        let n = pixels.len() / (c * h * w);
        let stack = Images {
            pixels,
            shape: vec![n, c, h, w],
        };
        write_images(&dir.join("samples.npy"), &stack)?;
        write_grid(&dir.join("grid.png"), &stack, 8, 8)?;
        write_atomic(&dir.join("schedule.ron"), s.schedule.to_ron().as_bytes())?;
    }
    write_atomic(&args.out.join("compare.md"), md.as_bytes())?;
    let files: Vec<_> = args.schedules.iter().zip(&names).collect();
    let summary = json!({
        "command": "compare", "zoo": args.zoo, "zoo_name": manifest.name, "config": config,
        "spaces": args.fresh.spaces, "schedule_files": files, "scores": scores, "pairs": diffs,
        "samples": "NAME/samples.npy",
        "seconds": {"sampling": sample_s, "total": t0.elapsed().as_secs_f64()},
        "device": format!("{device:?}"),
    });
    write_json(&args.out.join("summary.json"), &summary)?;
    print!("{md}");
    println!("-> {}", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_default_to_each_against_the_first_and_check_names() {
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let pairs = pairs_of(&[], &names).unwrap();
        assert_eq!(pairs, [("b".into(), "a".into()), ("c".into(), "a".into())]);
        let given = pairs_of(&["c:b".into()], &names).unwrap();
        assert_eq!(given, [("c".to_string(), "b".to_string())]);
        let err = pairs_of(&["c:z".into()], &names).unwrap_err().to_string();
        assert!(err.contains("`z`") && err.contains("a, b, c"), "{err}");
        assert!(pairs_of(&["cb".into()], &names).is_err());
        assert!(pairs_of(&[], &names[..1]).is_err());
    }
}
