//! The paired intervals against direct formulas, their coverage, and the image-space FD.
use super::*;
use crate::frechet::{GaussianStats, frechet_distance};
use crate::reference::Protocol;

fn features(n: usize, dim: usize, seed: u64, shift: f32) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n * dim)
        .map(|i| rng.random_range(-1.0f32..1.0) * (1.0 + (i % dim) as f32 * 0.1) + shift)
        .collect()
}

fn reference(dim: usize) -> Reference {
    let features = features(600, dim, 99, 0.0);
    let protocol = Protocol {
        dataset: "test".into(),
        split: "train".into(),
        feature_net: "none".into(),
        weights_sha256: String::new(),
        count: 600,
        preprocessing: String::new(),
    };
    let stats = GaussianStats::from_features(&features, dim).unwrap();
    Reference {
        protocol,
        stats,
        features,
    }
}

fn config() -> PairedConfig {
    PairedConfig {
        blocks: 10,
        resamples: 100,
        kid_reference: 200,
        seed: 3,
    }
}

/// Unbiased MMD^2 written out pair by pair.
fn naive_kid(x: &[f32], y: &[f32], dim: usize) -> f64 {
    let rows = |f: &[f32]| f.chunks(dim).map(|r| r.to_vec()).collect::<Vec<_>>();
    let (x, y) = (rows(x), rows(y));
    let k = |a: &[f32], b: &[f32]| {
        kernel(
            a.iter().zip(b).map(|(p, q)| *p as f64 * *q as f64).sum(),
            dim,
        )
    };
    let within = |s: &[Vec<f32>]| {
        let m = s.len() as f64;
        let mut t = 0.0;
        for i in 0..s.len() {
            for j in 0..s.len() {
                if i != j {
                    t += k(&s[i], &s[j]);
                }
            }
        }
        t / (m * (m - 1.0))
    };
    let cross: f64 = x.iter().flat_map(|a| y.iter().map(move |b| k(a, b))).sum();
    within(&x) + within(&y) - 2.0 * cross / (x.len() * y.len()) as f64
}

#[test]
fn all_images_give_the_plain_fd_and_kid() {
    let dim = 6;
    let r = reference(dim);
    let cfg = PairedConfig {
        kid_reference: 600,
        ..config()
    };
    let paired = PairedReference::new(&r, 300, &cfg).unwrap();
    let f = features(300, dim, 5, 0.2);
    let set = paired.score(&f).unwrap();
    let plain = frechet_distance(&GaussianStats::from_features(&f, dim).unwrap(), &r.stats);
    assert!(
        (set.fd - plain.unwrap()).abs() < 1e-9 * (1.0 + set.fd),
        "{}",
        set.fd
    );
    let kid = naive_kid(&f, &r.features, dim);
    assert!(
        (set.kid - kid).abs() < 1e-9 * (1.0 + kid.abs()),
        "{} vs {kid}",
        set.kid
    );
    assert_eq!(
        (set.n, set.boot_fd.len(), set.boot_kid.len()),
        (300, 100, 100)
    );
}

#[test]
fn intervals_separate_a_shift_and_not_a_copy() {
    let dim = 4;
    let r = reference(dim);
    let paired = PairedReference::new(&r, 400, &config()).unwrap();
    let a = features(400, dim, 7, 0.0);
    let far: Vec<f32> = a.iter().map(|v| v + 0.3).collect();
    let (sa, sfar) = (paired.score(&a).unwrap(), paired.score(&far).unwrap());
    let (fd, kid) = paired_difference(&sa, &sfar);
    assert_eq!(
        (fd.verdict(), kid.verdict()),
        (Verdict::Better, Verdict::Better)
    );
    assert!(fd.lo <= fd.diff && fd.diff <= fd.hi, "{fd:?}");
    let (fd, kid) = paired_difference(&sfar, &sa);
    assert_eq!(
        (fd.verdict(), kid.verdict()),
        (Verdict::Worse, Verdict::Worse)
    );
    // The same images: every resample agrees, a zero-width tie.
    let (fd, kid) = paired_difference(&sa, &sa);
    assert_eq!((fd.lo, fd.hi, kid.lo, kid.hi), (0.0, 0.0, 0.0, 0.0));
    assert_eq!(fd.verdict(), Verdict::Tie);
}

#[test]
fn intervals_cover_a_true_difference_of_zero() {
    // Two independent sets from one distribution: the FD and KID differences are zero in
    // expectation, so a 95% interval should contain zero in about 95% of trials.
    let dim = 4;
    let r = reference(dim);
    let paired = PairedReference::new(&r, 400, &config()).unwrap();
    let trials = 40;
    let mut covered = [0usize; 2];
    for t in 0..trials {
        let a = paired
            .score(&features(400, dim, 1000 + 2 * t, 0.05))
            .unwrap();
        let b = paired
            .score(&features(400, dim, 1001 + 2 * t, 0.05))
            .unwrap();
        let (fd, kid) = paired_difference(&a, &b);
        covered[0] += usize::from(fd.lo <= 0.0 && 0.0 <= fd.hi);
        covered[1] += usize::from(kid.lo <= 0.0 && 0.0 <= kid.hi);
    }
    assert!(covered.iter().all(|&c| c >= 34), "{covered:?} of {trials}");
}

#[test]
fn image_space_fd_equals_feature_space_fd() {
    let dim = 12;
    let r = reference(dim);
    let paired = PairedReference::new(&r, 40, &config()).unwrap();
    let f = features(40, dim, 11, 0.1);
    let wide = BlockStats::new(&f, dim, 10, &paired.kid_rows, None);
    let narrow = BlockStats::new(&f, dim, 10, &paired.kid_rows, Some(&paired.cov));
    for counts in paired.draws.iter().take(20) {
        let (a, b) = (
            paired.fd(&wide, counts).unwrap(),
            paired.fd(&narrow, counts).unwrap(),
        );
        // The image-space matrix is rank-deficient here (more images than dimensions):
        // its zero eigenvalues come out near 1e-15, whose square roots add ~1e-7.
        assert!((a - b).abs() < 1e-5 * (1.0 + a.abs()), "{a} vs {b}");
    }
}

#[test]
fn too_few_images_or_resamples_are_errors() {
    let r = reference(3);
    assert!(PairedReference::new(&r, 3, &config()).is_err());
    // Fewer images than two per configured block: fewer, wider blocks (10 images, 5 blocks).
    assert_eq!(PairedReference::new(&r, 10, &config()).unwrap().blocks, 5);
    let none = PairedConfig {
        resamples: 0,
        ..config()
    };
    assert!(PairedReference::new(&r, 400, &none).is_err());
}
