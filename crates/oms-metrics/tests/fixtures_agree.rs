//! FD and KID agree with numpy/scipy (pytorch-fid's and torch-fidelity's formulas) on fixtures
//! made by `fixtures/make_fixtures.py`.

use oms_metrics::{GaussianStats, frechet_distance, kid_on_subsets};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("fixtures/metrics_fixtures.json");
    let v: Value = serde_json::from_str(text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn frechet_distance_matches_scipy() {
    for case in cases() {
        let dim = case["dim"].as_u64().unwrap() as usize;
        let a = GaussianStats::from_features(&floats(&case["features_a"]), dim).unwrap();
        let b = GaussianStats::from_features(&floats(&case["features_b"]), dim).unwrap();
        let fd = frechet_distance(&a, &b).unwrap();
        let want = case["fd"].as_f64().unwrap();
        let rel = (fd - want).abs() / want.abs();
        let tol = 1e-6;
        println!(
            "{}: oms {fd}, scipy {want}, relative {rel:.1e}",
            case["name"]
        );
        assert!(
            rel < tol,
            "{}: {fd} vs scipy {want} (relative {rel:e})",
            case["name"]
        );
    }
}

#[test]
fn kid_matches_numpy() {
    for case in cases() {
        let dim = case["dim"].as_u64().unwrap() as usize;
        let (x, y) = (floats(&case["features_a"]), floats(&case["features_b"]));
        let n = x.len() / dim;
        let all: Vec<usize> = (0..n).collect();
        let k = kid_on_subsets(&x, &y, dim, &[(all.clone(), all)]).unwrap();
        let want = case["kid"].as_f64().unwrap();
        assert!(
            (k.mean - want).abs() / want.abs() < 1e-9,
            "{}: {} vs {want}",
            case["name"],
            k.mean
        );
    }
}
