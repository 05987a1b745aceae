//! pytorch-fid's statistics files as numpy writes them (`fixtures/make_fid_stats.py`:
//! `numpy.savez_compressed(mu=..., sigma=...)`, float64 and float32) read exactly, and the
//! Fréchet distance of a file to itself is zero.

use std::path::Path;

use oms_metrics::{frechet_distance, read_stats_npz, write_stats_npz};

const MU: [f64; 3] = [-0.1982300534051298, 0.08947107288721197, 0.2978206158751787];
const SIGMA: [f64; 9] = [
    1.2491363835846072,
    0.09503534977715575,
    0.1748604891739301,
    0.09503534977715575,
    0.702503847187535,
    -0.04220941689561492,
    0.1748604891739301,
    -0.04220941689561492,
    0.7349875511131717,
];

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn numpy_files_read_exactly_and_write_back() {
    let stats = read_stats_npz(&fixture("fid_stats.npz")).unwrap();
    assert_eq!(
        (stats.dim, stats.mean.as_slice(), stats.cov.as_slice()),
        (3, &MU[..], &SIGMA[..])
    );
    let f32s = read_stats_npz(&fixture("fid_stats_f32.npz")).unwrap();
    for (a, b) in f32s
        .mean
        .iter()
        .chain(&f32s.cov)
        .zip(MU.iter().chain(&SIGMA))
    {
        assert!((a - b).abs() < 1e-6 * b.abs().max(1.0));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("again.npz");
    write_stats_npz(&out, &stats).unwrap();
    let back = read_stats_npz(&out).unwrap();
    assert_eq!(back, stats);
    assert!(frechet_distance(&back, &stats).unwrap().abs() < 1e-9);
}
