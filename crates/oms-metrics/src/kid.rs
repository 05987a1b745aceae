//! Kernel inception distance (Bińkowski et al. 2018): the unbiased MMD^2 with the polynomial
//! kernel `k(x, y) = (x . y / d + 1)^3`, averaged over random subsets (as torch-fidelity does).

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

use crate::MetricError;

/// KID over subsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kid {
    /// Mean MMD^2 over subsets.
    pub mean: f64,
    /// Standard deviation over subsets.
    pub std: f64,
}

fn row(f: &[f32], dim: usize, i: usize) -> &[f32] {
    &f[i * dim..(i + 1) * dim]
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

/// Unbiased MMD^2 between rows `ix` of `x` and rows `iy` of `y` (equal subset sizes).
fn mmd2(x: &[f32], y: &[f32], dim: usize, ix: &[usize], iy: &[usize]) -> f64 {
    let m = ix.len() as f64;
    let k = |a: &[f32], b: &[f32]| (dot(a, b) / dim as f64 + 1.0).powi(3);
    let mut within = 0.0;
    for (p, &i) in ix.iter().enumerate() {
        for &j in &ix[p + 1..] {
            within += 2.0 * k(row(x, dim, i), row(x, dim, j));
        }
    }
    for (p, &i) in iy.iter().enumerate() {
        for &j in &iy[p + 1..] {
            within += 2.0 * k(row(y, dim, i), row(y, dim, j));
        }
    }
    let cross: f64 = ix
        .iter()
        .map(|&i| {
            iy.iter()
                .map(|&j| k(row(x, dim, i), row(y, dim, j)))
                .sum::<f64>()
        })
        .sum();
    within / (m * (m - 1.0)) - 2.0 * cross / (m * m)
}

/// KID on given subsets: pairs of row-index lists of equal length.
pub fn kid_on_subsets(
    x: &[f32],
    y: &[f32],
    dim: usize,
    subsets: &[(Vec<usize>, Vec<usize>)],
) -> Result<Kid, MetricError> {
    if dim == 0 || !x.len().is_multiple_of(dim) || !y.len().is_multiple_of(dim) {
        return Err(MetricError::Shape(format!(
            "feature arrays are not rows of {dim} values"
        )));
    }
    let values: Vec<f64> = subsets
        .iter()
        .map(|(ix, iy)| mmd2(x, y, dim, ix, iy))
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    Ok(Kid { mean, std })
}

/// KID with `subsets` random subsets of `size` rows from each side (seeded).
pub fn kid(
    x: &[f32],
    y: &[f32],
    dim: usize,
    subsets: usize,
    size: usize,
    seed: u64,
) -> Result<Kid, MetricError> {
    let (nx, ny) = (x.len() / dim.max(1), y.len() / dim.max(1));
    let size = size.min(nx).min(ny);
    if size < 2 || subsets == 0 {
        return Err(MetricError::Shape(format!(
            "KID needs subsets of at least 2 rows (have {nx} and {ny})"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let picks: Vec<(Vec<usize>, Vec<usize>)> = (0..subsets)
        .map(|_| {
            (
                sample(&mut rng, nx, size).into_vec(),
                sample(&mut rng, ny, size).into_vec(),
            )
        })
        .collect();
    kid_on_subsets(x, y, dim, &picks)
}
