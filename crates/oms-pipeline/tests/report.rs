//! The report folder of a search run, written from hand-made verification results: every file
//! other tools rely on is there, the portable schedules replay, and the figures are the ones
//! given.

mod common;

use common::setup;

use std::path::Path;

use burn::tensor::Device;
use oms_pipeline::Setup;
use oms_pipeline::report::{Run, read_schedule, write};
use oms_pipeline::verify::{AtBudget, Measured};
use oms_predictor::{
    EncoderKind, EncodingSpec, Loss, NetConfig, Predictor, PredictorInfo, TrainConfig,
};
use oms_schedule::{NoiseSpec, SlotEncoding};
use oms_search::Genome;

fn predictor(setup: &Setup, device: &Device) -> Predictor {
    let net = NetConfig {
        encoder: EncoderKind::Lstm,
        n_models: setup.space.models.len(),
    };
    let info = PredictorInfo {
        format_version: oms_predictor::file::FORMAT_VERSION,
        net,
        spec: EncodingSpec {
            models: setup.space.models.clone(),
            lambda_range: (-5.0, 5.0),
            max_steps: 10,
        },
        noise: NoiseSpec::linear_vp(),
        train: TrainConfig {
            loss: Loss::REFERENCE_RANK,
            lr: 1e-3,
            batch: 8,
            epochs: 0,
            patience: 0,
            seed: 0,
        },
        labels: "none".into(),
        metrics: serde_json::json!({"val_tau": 0.5}),
    };
    let weights = info.net.init(device);
    Predictor::new(info, weights).unwrap()
}

/// Model `xs` (id 1) at `nfe` first-order NFEs, with its figures and `images` gray images.
fn m(setup: &Setup, name: &str, nfe: usize, fd: f64, images: usize) -> Measured {
    let mut entries = vec![0; 30];
    for e in entries.iter_mut().step_by(3).take(nfe) {
        *e = 1;
    }
    let genome = Genome::reference(&SlotEncoding { entries });
    let cost = setup.cost(&genome.slots);
    Measured {
        name: name.into(),
        schedule: setup.schedule(&genome).unwrap(),
        genome,
        predicted: Some(-1.0),
        fd,
        kid: 0.01,
        cost_ms: cost,
        latency_ms: cost * 1.1,
        images: vec![128; images * 28 * 28],
    }
}

#[test]
fn the_report_folder_holds_every_file_with_the_given_figures() {
    let (setup, device) = (setup(), Device::flex());
    let predictor = predictor(&setup, &device);
    let at = vec![AtBudget {
        budget: 600.0,
        searched: vec![m(&setup, "searched #1", 2, 90.0, 4)],
        random: Some(m(&setup, "random search", 3, 120.0, 4)),
        label_best: None,
        single: Some(m(&setup, "best single model", 4, 100.0, 64)),
        switch: None,
        queries: 123,
    }];
    let dir = tempfile::tempdir().unwrap();
    let run = Run {
        out: dir.path(),
        zoo: Path::new("configs/zoo/fashion-mnist-v2.ron"),
        setup: &setup,
        device: &device,
        predictor: &predictor,
        n: 4,
        seed: 1,
        generations: 5,
        samples: true,
        queries: 456,
        baselines: "baselines.jsonl",
        stage_seconds: &[("search", 1.5)],
    };
    let md = write(&run, &at).unwrap();
    for f in [
        "report.md",
        "summary.json",
        "pareto.png",
        "pareto.svg",
        "grids/b0-searched.png",
        "grids/b0-best_single.png",
        "schedules/b0-searched.json",
        "schedules/b0-best_single.json",
        "schedules/b0-random_search.json",
        "b0-searched/samples.npy",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    // The searched schedule (2 NFE, FD 90) reaches the single model's FD 100 at 4 NFE: 2x.
    assert!(md.contains("2.00x with the latency table"), "{md}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["speedup_fd_verification_bank_table_latency"], 2.0);
    // The claim is the fresh-noise stage's to make; the report alone makes none.
    assert!(summary["speedup_vs_best_single"].is_null());
    assert_eq!(summary["predictor_queries"], 456);
    assert_eq!(summary["budgets"][0]["searched"]["fd"], 90.0);
    // The portable file's embedded schedule is the one that ran.
    let portable: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("schedules/b0-searched.json")).unwrap(),
    )
    .unwrap();
    let replay: oms_schedule::Schedule =
        serde_json::from_value(portable["oms_schedule"].clone()).unwrap();
    assert_eq!(replay, at[0].searched[0].schedule);
    let file = dir.path().join("schedules/b0-searched.json");
    assert_eq!(read_schedule(&file).unwrap(), at[0].searched[0].schedule);
    std::fs::write(dir.path().join("bad.json"), "{\"format\": 1}").unwrap();
    let err = read_schedule(&dir.path().join("bad.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad.json") && err.contains("docs/schedules.md"),
        "{err}"
    );
    assert_eq!(portable["models"][0]["name"], "xs");
    assert_eq!(summary["zoo"], "configs/zoo/fashion-mnist-v2.ron");
    assert_eq!(summary["budgets"][0]["verified"][0]["fd"], 90.0);
    the_html_report_shows_the_folder(dir.path());
}

/// report.html of the folder just written: grids inline, one timeline per schedule file, the
/// figures, no fresh-noise section (none ran), nothing loaded from elsewhere.
fn the_html_report_shows_the_folder(dir: &Path) {
    let path = oms_pipeline::html::write(dir).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        html.matches("<img ").count(),
        2,
        "grids: searched, best single"
    );
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 2);
    for strip in ["(b0-searched)", "(b0-best_single)", "(b0-random_search)"] {
        assert!(html.contains(strip), "{strip} has no timeline");
    }
    assert!(html.contains("<a href=\"schedules/b0-searched.json\">"));
    assert!(html.contains("No fresh-noise check in this folder"));
    assert!(html.contains("<a href=\"report.md\">") && !html.contains("fresh/fresh.md"));
    assert!(html.contains("<td>90.00</td>"), "searched FD");
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
}

/// Copies a committed results folder (real output of `cargo xtask search`) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_html_report_of_a_real_run_shows_every_comparison_and_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/results/2026-12-01-fresh");
    copy_dir(&real, dir.path());
    let _ = std::fs::remove_file(dir.path().join("report.html"));
    let html = std::fs::read_to_string(oms_pipeline::html::write(dir.path()).unwrap()).unwrap();
    // 4 budgets x 5 schedules, each with a file and a strip.
    assert_eq!(html.matches("aria-label=").count(), 20);
    // Per budget against its single model and its switch, plus 3 against the overall single.
    let verdicts = ["better", "worse", "tie"].map(|v| {
        html.matches(&format!("<td><span class=\"{v}\">{v}</span></td>"))
            .count()
    });
    assert_eq!(verdicts.iter().sum::<usize>(), 11, "{verdicts:?}");
    assert!(
        html.contains("noise: <b>1.00x</b>"),
        "the headline is the fresh speed-up"
    );
    assert!(
        html.contains("cnn: -246.6 [-263.9, -224.5]"),
        "paired intervals"
    );
    assert!(
        html.contains("efficientnet: -0.172 [-0.177, -0.168]"),
        "KID at its scale"
    );
}

/// The page of a real run in headless Chromium (`scripts/report-browser-check.sh`): every image
/// decodes, the SVGs render, no console message. Runs where Chromium is installed; CI installs it
/// and sets OMS_REQUIRE_CHROMIUM=1 so that it cannot pass by skipping.
#[test]
fn the_html_report_renders_in_chromium() {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .any(|p| Path::new(p).exists());
    if !found {
        assert!(
            std::env::var_os("OMS_REQUIRE_CHROMIUM").is_none(),
            "OMS_REQUIRE_CHROMIUM is set but there is no chromium (apt-get install chromium)"
        );
        eprintln!("skipped: no chromium (apt-get install chromium)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("docs/results/2026-12-01-fresh"), dir.path());
    let page = oms_pipeline::html::write(dir.path()).unwrap();
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/report-browser-check.sh"))
        .arg(&page)
        .arg(dir.path().join("shot.png"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("no console message"), "{text}");
    let shot = image::open(dir.path().join("shot.png")).unwrap();
    assert_eq!(shot.width(), 1280);
}

#[test]
fn a_folder_without_a_search_summary_is_refused_and_gets_no_page() {
    let dir = tempfile::tempdir().unwrap();
    let err = oms_pipeline::html::write(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no summary.json") && err.contains("cargo xtask search"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("summary.json"),
        "{\"command\": \"search\", ",
    )
    .unwrap();
    let err = oms_pipeline::html::write(dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("summary.json is not valid JSON"), "{err}");
    std::fs::write(dir.path().join("summary.json"), "{\"command\": \"fid\"}").unwrap();
    let err = oms_pipeline::html::write(dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a search summary"), "{err}");
    assert!(!dir.path().join("report.html").exists());
}
