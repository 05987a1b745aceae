//! Kernel inception distance (Bińkowski et al. 2018): the unbiased MMD^2 with the polynomial
//! kernel `k(x, y) = (x . y / d + 1)^3`, averaged over random subsets (as torch-fidelity does).

use faer::Mat;
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

/// Rows `idx` of `f` as an f64 matrix.
fn rows(f: &[f32], dim: usize, idx: &[usize]) -> Mat<f64> {
    Mat::from_fn(idx.len(), dim, |r, c| f[idx[r] * dim + c] as f64)
}

/// Sum of `k` over the entries of the Gram matrix `a b^T` (off-diagonal only when `within`).
fn kernel_sum(a: &Mat<f64>, b: &Mat<f64>, dim: usize, within: bool) -> f64 {
    let g = a * b.transpose();
    let k = |v: f64| (v / dim as f64 + 1.0).powi(3);
    let mut sum = 0.0;
    for j in 0..g.ncols() {
        for i in 0..g.nrows() {
            if !(within && i == j) {
                sum += k(g[(i, j)]);
            }
        }
    }
    sum
}

/// Unbiased MMD^2 between rows `ix` of `x` and rows `iy` of `y` (equal subset sizes), with the
/// kernel sums from Gram matrices (faer).
fn mmd2(x: &[f32], y: &[f32], dim: usize, ix: &[usize], iy: &[usize]) -> f64 {
    let m = ix.len() as f64;
    let (a, b) = (rows(x, dim, ix), rows(y, dim, iy));
    let within = kernel_sum(&a, &a, dim, true) + kernel_sum(&b, &b, dim, true);
    let cross = kernel_sum(&a, &b, dim, false);
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
    // Subsets are independent: one thread each (labelling machines have many cores).
    let values: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = subsets
            .iter()
            .map(|(ix, iy)| scope.spawn(move || mmd2(x, y, dim, ix, iy)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("KID thread"))
            .collect()
    });
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
