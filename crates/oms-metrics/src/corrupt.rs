//! Deterministic corruptions of uint8 image stacks, for the metric's sanity checks: the
//! distance to the data should grow with the corruption.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Adds Gaussian noise of std `sigma` (in `[0, 1]` pixel units), clamped.
pub fn add_noise(images: &[u8], sigma: f64, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    images
        .iter()
        .map(|&p| {
            // Box-Muller from two uniforms.
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            (p as f64 + 255.0 * sigma * z).round().clamp(0.0, 255.0) as u8
        })
        .collect()
}

/// A 3x3 box blur (edges use the available neighbours), applied `times` times.
pub fn box_blur(images: &[u8], side: usize, times: usize) -> Vec<u8> {
    let mut out = images.to_vec();
    for _ in 0..times {
        out = out
            .chunks_exact(side * side)
            .flat_map(|img| {
                (0..side * side).map(move |k| {
                    let (r, c) = ((k / side) as isize, (k % side) as isize);
                    let (mut sum, mut count) = (0u32, 0u32);
                    for dr in -1..=1 {
                        for dc in -1..=1 {
                            let (rr, cc) = (r + dr, c + dc);
                            if rr >= 0 && cc >= 0 && (rr as usize) < side && (cc as usize) < side {
                                sum += img[rr as usize * side + cc as usize] as u32;
                                count += 1;
                            }
                        }
                    }
                    ((sum + count / 2) / count) as u8
                })
            })
            .collect();
    }
    out
}

/// Permutes the pixels of every image (a different permutation per image).
pub fn shuffle_pixels(images: &[u8], side: usize, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    images
        .chunks_exact(side * side)
        .flat_map(|img| {
            let mut v = img.to_vec();
            v.shuffle(&mut rng);
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruptions_keep_shapes_and_blur_smooths() {
        let img: Vec<u8> = (0..2 * 16)
            .map(|i| if i % 2 == 0 { 0 } else { 255 })
            .collect();
        assert_eq!(add_noise(&img, 0.1, 1).len(), img.len());
        let b = box_blur(&img, 4, 1);
        let spread = |v: &[u8]| v.iter().max().unwrap() - v.iter().min().unwrap();
        assert!(spread(&b) < spread(&img));
        let s = shuffle_pixels(&img, 4, 1);
        let mut a = s[..16].to_vec();
        a.sort();
        let mut o = img[..16].to_vec();
        o.sort();
        assert_eq!(a, o);
    }
}
