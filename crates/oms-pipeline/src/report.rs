//! A search run's report folder: Pareto plot (PNG, SVG), sample grids, one portable schedule
//! file per chosen schedule (what another sampler can replay), a Markdown summary and
//! `summary.json`; optionally each chosen schedule's `samples.npy`.

use std::fmt::Write as _;
use std::path::Path;

use burn::tensor::Device;
use oms_artifacts::{
    Images, PlotText, Series, write_atomic, write_grid, write_images, write_json, write_plot,
};
use oms_predictor::Predictor;
use oms_schedule::Schedule;
use serde_json::{Value, json};

use crate::setup::Setup;
use crate::speedup::{by_table, measured, speedup, speedup_over};
use crate::verify::{AtBudget, Measured};
use crate::{PipelineError, Result};

/// The `format` field of a portable schedule file.
pub const PORTABLE_FORMAT: &str = "oms-portable-schedule";

/// Reads a schedule file: RON (`.ron`, docs/schedules.md), its JSON form, or a portable schedule
/// file that `search` writes (`schedules/*.json`, whose `oms_schedule` field is the schedule).
pub fn read_schedule(path: &Path) -> Result<Schedule> {
    let bad = |e: &dyn std::fmt::Display| {
        PipelineError::Invalid(format!(
            "malformed schedule file {} ({e}); see docs/schedules.md for the format",
            path.display()
        ))
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        PipelineError::Invalid(format!("cannot read schedule {}: {e}", path.display()))
    })?;
    if path.extension().is_none_or(|e| e != "json") {
        return Schedule::from_ron(&text).map_err(|e| bad(&e));
    }
    let mut value: Value = serde_json::from_str(&text).map_err(|e| bad(&e))?;
    if value["format"] == PORTABLE_FORMAT {
        value = value["oms_schedule"].take();
    }
    serde_json::from_value(value).map_err(|e| bad(&e))
}

/// What the report describes.
pub struct Run<'a> {
    /// Report folder.
    pub out: &'a Path,
    /// The zoo manifest's path, as the user gave it.
    pub zoo: &'a Path,
    /// Zoo, space and table.
    pub setup: &'a Setup,
    /// The device it ran on.
    pub device: &'a Device,
    /// The predictor that scored the search.
    pub predictor: &'a Predictor,
    /// Images per verification.
    pub n: usize,
    /// Noise seed set of verification and baselines.
    pub seed: u64,
    /// Generations per budget.
    pub generations: usize,
    /// Also write each chosen schedule's `samples.npy`.
    pub samples: bool,
    /// Predictor queries of the whole search.
    pub queries: usize,
    /// Where the baselines came from.
    pub baselines: &'a str,
    /// Wall seconds of each stage, in order.
    pub stage_seconds: &'a [(&'static str, f64)],
}

impl Run<'_> {
    /// Values of one image (`C * H * W`, the zoo's shape) and the shape of `n` sampled images
    /// (`[n, H, W]` for one channel, `[n, C, H, W]` as sampled otherwise).
    fn image(&self, n: usize) -> (usize, Vec<usize>) {
        let [c, h, w] = self.setup.manifest.image_shape;
        let shape = if c == 1 {
            vec![n, h, w]
        } else {
            vec![n, c, h, w]
        };
        (c * h * w, shape)
    }
}

/// Writes everything under `ctx.out`; returns the Markdown report.
pub fn write(ctx: &Run, at: &[AtBudget]) -> Result<String> {
    let out = ctx.out;
    let mut rows = vec![];
    for (i, a) in at.iter().enumerate() {
        let mut entry = json!({"budget_ms": a.budget, "predictor_queries": a.queries});
        for (key, m) in chosen(a) {
            let file = format!("schedules/b{i}-{key}.json");
            write_json(&out.join(&file), &portable(ctx, m, a.budget))?;
            let (size, shape) = ctx.image(ctx.n);
            if ctx.samples && m.images.len() == ctx.n * size {
                let images = Images {
                    pixels: m.images.clone(),
                    shape,
                };
                write_images(&out.join(format!("b{i}-{key}/samples.npy")), &images)?;
            }
            entry[key] = figures(m, &file);
        }
        // Every verified candidate, for the predictor's check in report.html (no file of its own
        // but the winner's).
        let verified: Vec<Value> = a.searched.iter().map(|m| figures(m, "")).collect();
        entry["verified"] = verified.into();
        for (key, m) in [
            ("searched", a.searched.first()),
            ("best_single", a.single.as_ref()),
            ("best_switch", a.switch.as_ref()),
        ] {
            if let Some(m) = m {
                let size = ctx.image(0).0;
                let n = (m.images.len() / size).min(64);
                let images = Images {
                    pixels: m.images[..n * size].to_vec(),
                    shape: ctx.image(n).1,
                };
                write_grid(&out.join(format!("grids/b{i}-{key}.png")), &images, 8, 8)?;
            }
        }
        if let Some(single) = &a.single {
            entry["speedup_vs_this_budgets_single"] = json!({
                "measured": speedup_over(at, single, measured),
                "table_latency": speedup_over(at, single, by_table),
            });
        }
        rows.push(entry);
    }
    plot(ctx, at)?;
    let table_speedup = speedup(at, by_table);
    let speedup = speedup(at, measured);
    let md = markdown(ctx, at, (speedup, table_speedup));
    write_atomic(&out.join("report.md"), md.as_bytes())?;
    write_json(
        &out.join("summary.json"),
        &json!({"command": "search", "zoo": ctx.zoo, "budgets": rows,
        "speedup_vs_best_single": null,
        "speedup_vs_best_single_note": "set by the fresh-noise stage (fresh/summary.json); not run",
        "speedup_fd_verification_bank": speedup,
        "speedup_fd_verification_bank_table_latency": table_speedup,
        "predictor": ctx.predictor.info.metrics, "predictor_queries": ctx.queries, "baselines": ctx.baselines,
        "n": ctx.n, "seed": ctx.seed, "generations": ctx.generations,
        "latency": {"info": ctx.setup.profile.info, "table": ctx.setup.profile.table},
        "device": format!("{:?}", ctx.device),
        "stage_seconds": ctx.stage_seconds.iter().map(|(k, s)| (k.to_string(), json!(s))).collect::<serde_json::Map<_, _>>()}),
    )?;
    Ok(md)
}

/// The schedules that get files: the search's winner and every baseline present.
fn chosen(a: &AtBudget) -> Vec<(&'static str, &Measured)> {
    let mut v = vec![];
    let opts = [
        ("searched", a.searched.first()),
        ("random_search", a.random.as_ref()),
        ("label_set_best", a.label_best.as_ref()),
        ("best_single", a.single.as_ref()),
        ("best_switch", a.switch.as_ref()),
    ];
    for (k, m) in opts {
        if let Some(m) = m {
            v.push((k, m));
        }
    }
    v
}

fn figures(m: &Measured, file: &str) -> Value {
    json!({"name": m.name, "fd": m.fd, "kid": m.kid, "predicted_score": m.predicted,
        "latency_ms": m.latency_ms, "predicted_latency_ms": m.cost_ms, "nfe": m.schedule.nfe(),
        "models": m.schedule.nfe_models().collect::<Vec<_>>(),
        "schedule_file": (!file.is_empty()).then_some(file)})
}

/// A schedule another sampler can replay: noise levels, models with weight hashes, solver,
/// quality and latency figures, the latency table used.
fn portable(ctx: &Run, m: &Measured, budget: f64) -> Value {
    let steps: Vec<Value> = m
        .schedule
        .steps
        .iter()
        .map(|s| {
            let level = |l: f64| {
                let t = if l.is_finite() { ctx.setup.noise.t_of_lambda(l) } else { 0.0 };
                json!({"lambda": l, "t": t, "sigma": ctx.setup.noise.sigma(t)})
            };
            json!({"order": s.order, "models": s.models, "from": level(s.from.0), "to": level(s.to.0)})
        })
        .collect();
    let used: Vec<&str> = m.schedule.nfe_models().collect();
    let members: Vec<Value> = ctx
        .setup
        .manifest
        .members
        .iter()
        .filter(|x| used.contains(&x.name.as_str()))
        .map(|x| json!(x))
        .collect();
    json!({"format": PORTABLE_FORMAT, "format_version": 1, "name": m.name,
        "budget_ms": budget, "solver": m.schedule.solver.name(), "noise_schedule": ctx.setup.noise.spec(),
        "steps": steps, "models": members, "predicted_score": m.predicted,
        "measured": {"fd": m.fd, "kid": m.kid, "n": ctx.n, "noise_bank": ctx.seed},
        "latency": {"predicted_ms": m.cost_ms, "measured_ms": m.latency_ms,
            "batch": ctx.setup.profile.table.batch, "table": ctx.setup.profile.table, "hardware": ctx.setup.profile.info.hardware},
        "slots": m.genome.slots.entries, "form": m.genome.form, "oms_schedule": m.schedule})
}

fn plot(ctx: &Run, at: &[AtBudget]) -> Result<()> {
    let pick = |f: &dyn Fn(&AtBudget) -> Option<&Measured>| -> Vec<(f64, f64)> {
        at.iter()
            .filter_map(f)
            .map(|m| (m.latency_ms, m.fd))
            .collect()
    };
    let series = vec![
        Series {
            name: "searched (verified)".into(),
            points: pick(&|a| a.searched.first()),
            line: true,
        },
        Series {
            name: "best single model".into(),
            points: pick(&|a| a.single.as_ref()),
            line: true,
        },
        Series {
            name: "best two-model switch".into(),
            points: pick(&|a| a.switch.as_ref()),
            line: false,
        },
        Series {
            name: "random search".into(),
            points: pick(&|a| a.random.as_ref()),
            line: false,
        },
        Series {
            name: "best in label set".into(),
            points: pick(&|a| a.label_best.as_ref()),
            line: false,
        },
    ];
    let series: Vec<Series> = series
        .into_iter()
        .filter(|s| !s.points.is_empty())
        .collect();
    let title = format!(
        "FD (n = {}, bank {}) against measured latency",
        ctx.n, ctx.seed
    );
    let x = format!(
        "ms per batch of {} ({})",
        ctx.setup.profile.table.batch, ctx.setup.profile.info.hardware
    );
    let text = PlotText {
        title: &title,
        x: &x,
        y: "FD (lower is better)",
    };
    write_plot(
        &series,
        &text,
        &ctx.out.join("pareto.png"),
        &ctx.out.join("pareto.svg"),
    )?;
    Ok(())
}

fn markdown(ctx: &Run, at: &[AtBudget], speedup: (Option<f64>, Option<f64>)) -> String {
    let mut md = format!(
        "# Search report\n\nZoo `{}`, FD of n = {} images on noise bank {} (labels: bank 0), latency per batch of {} on {}.\n\n",
        ctx.zoo.display(),
        ctx.n,
        ctx.seed,
        ctx.setup.profile.table.batch,
        ctx.setup.profile.info.hardware
    );
    md.push_str("| budget ms | schedule | FD | predicted score | measured ms | table ms | NFE | steps (order: models, noisy end first) | form |\n|---|---|---|---|---|---|---|---|---|\n");
    for a in at {
        let mut all: Vec<&Measured> = a.searched.iter().collect();
        all.extend(
            [&a.random, &a.label_best, &a.single, &a.switch]
                .into_iter()
                .flatten(),
        );
        for m in all {
            let pred = m.predicted.map_or("-".into(), |p| format!("{p:.3}"));
            let _ = writeln!(
                md,
                "| {:.0} | {} | {:.2} | {pred} | {:.0} | {:.0} | {} | {} | {} |",
                a.budget,
                m.name,
                m.fd,
                m.latency_ms,
                m.cost_ms,
                m.schedule.nfe(),
                steps_text(&m.schedule),
                form_text(&m.genome.form)
            );
        }
    }
    let _ = writeln!(
        md,
        "\nFD-only speed-up against the best single model on the verification bank (which also \
         selected the schedules, so this is no claim; see the fresh-noise section): {} with \
         measured latency, {} with the latency table.\n\n![Pareto plot](pareto.png)\n",
        speedup
            .0
            .map_or("not reached".into(), |s| format!("{s:.2}x")),
        speedup
            .1
            .map_or("not reached".into(), |s| format!("{s:.2}x"))
    );
    md.push_str("Against each budget's best single model (its latency over the cheapest verified searched schedule, at any budget, with FD no worse):\n\n| budget ms | best single FD | its measured ms | speed-up measured | speed-up by table |\n|---|---|---|---|---|\n");
    let text = |s: Option<f64>| s.map_or("not reached".into(), |s| format!("{s:.2}x"));
    for a in at {
        if let Some(single) = &a.single {
            let _ = writeln!(
                md,
                "| {:.0} | {:.2} | {:.0} | {} | {} |",
                a.budget,
                single.fd,
                single.latency_ms,
                text(speedup_over(at, single, measured)),
                text(speedup_over(at, single, by_table))
            );
        }
    }
    md
}

/// Steps as `order:model,model` from the noisy end, e.g. `3:xs,xs,m | 1:m`.
fn steps_text(s: &oms_schedule::Schedule) -> String {
    s.steps
        .iter()
        .map(|st| format!("{}:{}", st.order, st.models.join(",")))
        .collect::<Vec<_>>()
        .join(" \\| ")
}

/// `uniform` or the placement knots, and the solver when multistep.
fn form_text(f: &oms_space::Form) -> String {
    let place = if f.placement == oms_space::Placement::UNIFORM {
        "uniform".to_string()
    } else {
        let k: Vec<String> = f.placement.knots.iter().map(|k| k.to_string()).collect();
        format!("warp {}", k.join("/"))
    };
    if f.multistep {
        format!("{place}, multistep")
    } else {
        place
    }
}
