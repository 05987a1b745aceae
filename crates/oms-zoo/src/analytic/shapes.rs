//! A 28x28 "shapes" mixture: one Gaussian component per simple figure (bars, cross, ring, ...),
//! so the analytic zoo produces pictures before any network is trained.

use super::data::Mixture;

const SIDE: usize = 28;

/// Number of distinct figures.
pub const FIGURES: usize = 10;

/// Pixel value in [-1, 1] of figure `k` at row `r`, column `c`.
fn figure(k: usize, r: usize, c: usize) -> f64 {
    let (y, x) = (r as f64 - 13.5, c as f64 - 13.5);
    let rad = (x * x + y * y).sqrt();
    let on = match k {
        0 => x.abs() < 3.0 && y.abs() < 11.0, // vertical bar
        1 => y.abs() < 3.0 && x.abs() < 11.0, // horizontal bar
        2 => (x.abs() < 2.5 || y.abs() < 2.5) && rad < 12.0, // plus
        3 => (rad - 8.5).abs() < 2.5,         // ring
        4 => x.abs() < 7.0 && y.abs() < 7.0,  // filled square
        5 => (x - y).abs() < 3.0 && x.abs() < 10.0, // diagonal
        6 => (x + y).abs() < 3.0 && x.abs() < 10.0, // anti-diagonal
        7 => ((x - y).abs() < 2.5 || (x + y).abs() < 2.5) && rad < 13.0, // X
        8 => x.abs().max(y.abs()) < 11.0 && x.abs().max(y.abs()) > 7.0, // frame
        _ => rad < 5.0,                       // dot
    };
    if on { 0.9 } else { -0.9 }
}

/// The first `count` figures (at most [`FIGURES`]) with equal weights and per-pixel std `std`.
pub fn shapes(count: usize, std: f64) -> Mixture {
    let count = count.clamp(1, FIGURES);
    let means = (0..count)
        .map(|k| {
            (0..SIDE * SIDE)
                .map(|p| figure(k, p / SIDE, p % SIDE))
                .collect()
        })
        .collect();
    Mixture {
        weights: vec![1.0; count],
        means,
        stds: vec![vec![std; SIDE * SIDE]; count],
    }
}
