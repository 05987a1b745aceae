//! The report page's sections, each from the folder's files; a section whose files are absent
//! says so.

use std::fmt::Write as _;

use oms_artifacts::{PlotText, Series, plot_svg};
use serde_json::Value;

use super::Folder;
use super::page::{decimals, esc, inline_svg, num, png_img, sig, table};
use super::timeline::{self, Palette, Step};

/// The schedules a budget names, in the report's order, with their display names.
pub const ROLES: [(&str, &str); 5] = [
    ("searched", "searched"),
    ("best_single", "best single model"),
    ("best_switch", "best two-model switch"),
    ("random_search", "random search"),
    ("label_set_best", "best in label set"),
];

/// Title, run facts, the headline and the folder's other files.
pub fn header(f: &Folder) -> String {
    let s = &f.summary;
    let zoo = s["zoo"]
        .as_str()
        .or_else(|| f.fresh.as_ref().and_then(|x| x["zoo"].as_str()))
        .unwrap_or("(not recorded)");
    let info = &s["latency"]["info"];
    let speedup = match s["speedup_vs_best_single"].as_f64() {
        Some(x) => format!("<b>{x:.2}x</b>"),
        None => "<b>not set</b> (the fresh-noise check did not run)".into(),
    };
    format!(
        "<h1>Search report</h1>\n<p>Zoo <code>{}</code>; quality on n = {} images of noise seed set \
         {} (the labels used set 0); latency per batch of {} on {} ({}); {} generations per \
         budget, {} predictor queries.</p>\n<p>Speed-up against the best single model, on fresh \
         noise: {speedup}. {}</p>\n<p class=\"note\">Files of this folder: {}.</p>\n",
        esc(zoo),
        s["n"],
        s["seed"],
        info["batch"],
        esc(info["hardware"].as_str().unwrap_or("?")),
        esc(s["device"].as_str().unwrap_or("?")),
        s["generations"],
        s["predictor_queries"],
        esc(s["speedup_vs_best_single_note"].as_str().unwrap_or("")),
        links(f)
    )
}

/// Links to the folder's other files that exist.
fn links(f: &Folder) -> String {
    let files = [
        "report.md",
        "summary.json",
        "fresh/fresh.md",
        "pareto.svg",
        "schedules/",
    ];
    let present: Vec<String> = files
        .iter()
        .filter(|rel| f.dir.join(rel).exists())
        .map(|rel| format!("<a href=\"{rel}\">{rel}</a>"))
        .collect();
    if present.is_empty() {
        "none besides this page".into()
    } else {
        present.join(", ")
    }
}

/// The quality-latency fronts: the search's own (verification set) and the fresh-noise ones.
pub fn fronts(f: &Folder) -> String {
    let mut h = String::from("<h2>Quality against latency</h2>\n");
    match f.bytes("pareto.svg") {
        Some(svg) => {
            let _ = write!(
                h,
                "<p>FD on the verification noise set, which also picked the schedules (so it \
                 flatters them), against measured latency:</p>{}",
                inline_svg(&String::from_utf8_lossy(&svg))
            );
        }
        None => h.push_str("<p>No pareto.svg in this folder.</p>"),
    }
    let Some(fresh) = &f.fresh else {
        h.push_str("<p>No fresh-noise check in this folder (fresh/summary.json).</p>");
        return h;
    };
    let config = &fresh["config"];
    let _ = write!(
        h,
        "<p>The same schedules on fresh noise (seed sets {}, {} images each, never seen by \
         labelling or selection), in every feature space and on both metrics:</p>\
         <div class=\"grids\">",
        config["banks"], config["n_per_bank"]
    );
    for space in strings(&fresh["spaces"]) {
        for (metric, unit) in [("fd", "FD"), ("kid", "KID")] {
            let series = fresh_series(fresh, &space, metric);
            let title = format!("{unit}, {space} features, fresh noise");
            let text = PlotText {
                title: &title,
                x: "measured ms per batch",
                y: &format!("{unit} (lower is better)"),
            };
            if let Ok(svg) = plot_svg(&series, &text) {
                let _ = write!(h, "<div style=\"width:48%\">{}</div>", inline_svg(&svg));
            }
        }
    }
    h.push_str("</div>\n");
    h
}

/// One series per role (`b<i>-<role>` names) of the fresh scores in `space`.
fn fresh_series(fresh: &Value, space: &str, metric: &str) -> Vec<Series> {
    let scores = fresh["outcome"]["scores"].as_array().map_or(&[][..], |v| v);
    ROLES
        .iter()
        .map(|(key, name)| Series {
            name: (*name).into(),
            points: scores
                .iter()
                .filter(|s| s["space"] == space && role_of(&s["name"]) == Some(key))
                .filter_map(|s| Some((s["latency_ms"].as_f64()?, s[metric].as_f64()?)))
                .collect(),
            line: *key == "searched" || *key == "best_single",
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

fn role_name(key: &str) -> &'static str {
    ROLES.iter().find(|r| r.0 == key).map_or("?", |r| r.1)
}

/// `searched` of `b2-searched`.
fn role_of(name: &Value) -> Option<&str> {
    name.as_str()?.split_once('-').map(|(_, r)| r)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The paired fresh-noise comparisons with their intervals and verdicts.
pub fn comparisons(f: &Folder) -> String {
    let Some(fresh) = &f.fresh else {
        return String::new();
    };
    let out = &fresh["outcome"];
    let mut rows = vec![];
    for b in out["budgets"].as_array().into_iter().flatten() {
        for key in ["vs_single", "vs_switch"] {
            if b[key].is_object() {
                rows.push(comparison_row(&num(b["budget_ms"].as_f64(), 0), &b[key]));
            }
        }
    }
    for c in out["vs_best_single"].as_array().into_iter().flatten() {
        rows.push(comparison_row("any", c));
    }
    let head = [
        "budget ms",
        "a vs b",
        "verdict",
        "FD diff a - b [95% CI] per space",
        "KID diff a - b [95% CI] per space",
    ];
    format!(
        "<h2>Searched against the baselines, on fresh noise</h2>\n<p>Differences a - b of paired \
         runs (same noise for both); intervals from a paired block bootstrap. A verdict is \
         <span class=\"better\">better</span> only if every interval (FD and KID, every space) \
         lies below zero, <span class=\"worse\">worse</span> if any lies above, else \
         <span class=\"tie\">tie</span>. Rows with budget \"any\" compare against the best single \
         model over all budgets, which sets the speed-up.</p>{}\n",
        table(&head, &rows)
    )
}

fn comparison_row(budget: &str, c: &Value) -> Vec<String> {
    let verdict = c["verdict"].as_str().unwrap_or("?");
    let diff = |metric: &str| {
        let parts: Vec<String> = c["comparisons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| {
                let m = &x[metric];
                let v = ["diff", "lo", "hi"].map(|k| m[k].as_f64());
                let d = decimals(v.iter().flatten().fold(0.0, |a: f64, b| a.max(b.abs())));
                let [diff, lo, hi] = v.map(|v| num(v, d));
                format!(
                    "{}: {diff} [{lo}, {hi}]",
                    esc(x["space"].as_str().unwrap_or("?"))
                )
            })
            .collect();
        parts.join("<br>")
    };
    vec![
        esc(budget),
        format!(
            "{} vs {}",
            esc(c["a"].as_str().unwrap_or("?")),
            esc(c["b"].as_str().unwrap_or("?"))
        ),
        format!("<span class=\"{0}\">{0}</span>", esc(verdict)),
        diff("fd"),
        diff("kid"),
    ]
}

/// Per budget: its schedules' figures with links, sample grids side by side and timelines.
pub fn budgets(f: &Folder) -> String {
    let files: Vec<Vec<(&str, Vec<Step>)>> = (0..f.budgets().len())
        .map(|i| {
            ROLES
                .iter()
                .filter_map(|(key, _)| {
                    let file = f.json(&format!("schedules/b{i}-{key}.json"))?;
                    Some((*key, timeline::steps_of(&file)?))
                })
                .collect()
        })
        .collect();
    let range = timeline::range(files.iter().flatten().flat_map(|(_, s)| s));
    let palette = palette(f);
    let mut h = String::from("<h2>Budgets</h2>\n");
    for (i, b) in f.budgets().iter().enumerate() {
        let _ = write!(
            h,
            "<h3>Budget {} ms</h3>\n{}",
            num(b["budget_ms"].as_f64(), 0),
            figures_table(b)
        );
        h.push_str(&grids(f, i, b));
        if let Some(range) = range {
            h.push_str("<div class=\"timeline\">");
            for (key, steps) in &files[i] {
                let title = format!("{} (b{i}-{key})", role_name(key));
                let _ = write!(
                    h,
                    "<div>{}</div>{}",
                    esc(&title),
                    timeline::strip(steps, range, &palette, &title)
                );
            }
            h.push_str("</div>");
        }
    }
    let _ = write!(
        h,
        "<p class=\"note\">Timelines: each strip runs from the noisy end (left) to the clean end \
         along the log signal-to-noise ratio lambda (ticks); boxes are solver steps, their number \
         the solver order; each step is split into its model evaluations, coloured by model: \
         </p>{}",
        palette.legend()
    );
    h
}

/// Models by their cost per evaluation in the latency table (cheapest first).
fn palette(f: &Folder) -> Palette {
    let mut models: Vec<(String, f64)> = f.summary["latency"]["table"]["per_nfe_ms"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap_or(0.0)))
        .collect();
    models.sort_by(|a, b| a.1.total_cmp(&b.1));
    Palette::new(models.into_iter().map(|m| m.0).collect())
}

fn figures_table(b: &Value) -> String {
    let rows: Vec<Vec<String>> = ROLES
        .iter()
        .filter(|(key, _)| b[key].is_object())
        .map(|(key, _)| {
            let m = &b[key];
            let file = m["schedule_file"].as_str().unwrap_or("");
            vec![
                esc(m["name"].as_str().unwrap_or(key)),
                num(m["fd"].as_f64(), 2),
                sig(m["kid"].as_f64()),
                num(m["latency_ms"].as_f64(), 1),
                num(m["predicted_latency_ms"].as_f64(), 1),
                m["nfe"].to_string(),
                num(m["predicted_score"].as_f64(), 3),
                format!("<a href=\"{0}\">{0}</a>", esc(file)),
            ]
        })
        .collect();
    let head = [
        "schedule",
        "FD",
        "KID",
        "measured ms",
        "table ms",
        "NFE",
        "predicted score",
        "schedule file",
    ];
    table(&head, &rows)
}

fn grids(f: &Folder, i: usize, b: &Value) -> String {
    let mut h = String::from("<div class=\"grids\">");
    let mut any = false;
    for (key, name) in &ROLES[..3] {
        let Some(png) = f.bytes(&format!("grids/b{i}-{key}.png")) else {
            continue;
        };
        any = true;
        let m = &b[key];
        let _ = write!(
            h,
            "<figure>{}<figcaption>{name}: FD {}, {} ms</figcaption></figure>",
            png_img(&png, &format!("b{i} {name} samples")),
            num(m["fd"].as_f64(), 1),
            num(m["latency_ms"].as_f64(), 0)
        );
    }
    if !any {
        h.push_str("<p>No sample grids for this budget in this folder.</p>");
    }
    h.push_str("</div>");
    h
}

/// The predictor's score against measured FD for the verified candidates.
pub fn predictor(f: &Folder) -> String {
    let mut points = vec![];
    for b in f.budgets() {
        let verified = b["verified"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![b["searched"].clone()]);
        for m in verified.iter().chain([&b["random_search"]]) {
            if let (Some(fd), Some(p)) = (m["fd"].as_f64(), m["predicted_score"].as_f64())
                && !points.contains(&(fd, p))
            {
                points.push((fd, p));
            }
        }
    }
    let info = &f.summary["predictor"];
    let mut h = format!(
        "<h2>Predictor</h2>\n<p>Trained on {} labels ({} held out, Kendall tau {} on them), \
         objective <code>{}</code>. Its score only ranks schedules (lower is better; it has no \
         unit); below, each verified candidate's score against the FD measured on the \
         verification set (the objective also weighs KID, so FD alone need not order them).",
        info["train_labels"],
        info["val_labels"],
        num(info["val_tau"].as_f64(), 3),
        esc(info["objective"].as_str().unwrap_or("?"))
    );
    if let Some(rho) = spearman(&points) {
        let _ = write!(
            h,
            " Spearman rank correlation over these {} schedules: {rho:.2}.",
            points.len()
        );
    }
    h.push_str("</p>");
    let series = [Series {
        name: "verified candidates".into(),
        points,
        line: false,
    }];
    let text = PlotText {
        title: "predicted score against measured FD",
        x: "FD, verification set",
        y: "predicted score",
    };
    if let Ok(svg) = plot_svg(&series, &text) {
        let _ = write!(h, "<div style=\"width:60%\">{}</div>", inline_svg(&svg));
    }
    h
}

/// Spearman's rho (ties broken by order; fine for continuous scores); `None` under 3 points.
pub fn spearman(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let rank = |key: fn(&(f64, f64)) -> f64| {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| key(&points[a]).total_cmp(&key(&points[b])));
        let mut r = vec![0.0; n];
        for (k, &i) in idx.iter().enumerate() {
            r[i] = k as f64;
        }
        r
    };
    let (a, b) = (rank(|p| p.0), rank(|p| p.1));
    let d2: f64 = a.iter().zip(&b).map(|(x, y)| (x - y).powi(2)).sum();
    let n = n as f64;
    Some(1.0 - 6.0 * d2 / (n * (n * n - 1.0)))
}

/// What every figure means, with its unit.
pub fn glossary(f: &Folder) -> String {
    let batch = &f.summary["latency"]["info"]["batch"];
    let rows: Vec<Vec<String>> = [
        ("FD", "Fréchet distance between the features of the samples and of the dataset's train split (docs/metrics.md); unitless, lower is better; grows as n shrinks, so compare only at equal n"),
        ("KID", "kernel inception distance (unbiased MMD², cubic kernel) in the same features; unitless, lower is better; CNN-space values are in the features' own scale, so they are far larger than EfficientNet's"),
        ("cnn / efficientnet", "feature spaces: the project's Fashion-MNIST classifier, and EfficientNet-Lite0 pretrained on ImageNet (not trained by this project)"),
        ("measured ms", &format!("wall milliseconds to sample one batch of {batch} images with the schedule on this machine, measured")),
        ("table ms", "the same predicted from the latency table (per-evaluation cost of each model plus sampler and switch costs)"),
        ("budget ms", "the latency-table cost the search may spend per batch"),
        ("NFE", "number of model evaluations per image"),
        ("predicted score", "the predictor's ranking score; lower is better; no unit"),
        ("speed-up", "the best single model's latency over that of the cheapest searched schedule no worse on fresh noise (every interval, both metrics, every space)"),
        ("diff [95% CI]", "difference a - b of paired runs and its 95% bootstrap interval"),
        ("order", "solver order of a step (DPM-Solver-1/2/3): model evaluations in that step"),
    ]
    .iter()
    .map(|(k, v)| vec![format!("<b>{}</b>", esc(k)), esc(v)])
    .collect();
    format!(
        "<h2>Figures and units</h2>\n{}\n",
        table(&["figure", "meaning and unit"], &rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_is_one_for_monotone_and_minus_one_for_reversed_points() {
        let up = [(1.0, 10.0), (2.0, 20.0), (5.0, 21.0), (9.0, 40.0)];
        assert_eq!(spearman(&up), Some(1.0));
        let down: Vec<_> = up.iter().map(|&(a, b)| (a, -b)).collect();
        assert_eq!(spearman(&down), Some(-1.0));
        assert_eq!(spearman(&up[..2]), None);
    }

    #[test]
    fn roles_come_from_fresh_schedule_names() {
        assert_eq!(role_of(&Value::from("b2-best_single")), Some("best_single"));
        assert_eq!(role_of(&Value::from("plain")), None);
    }
}
