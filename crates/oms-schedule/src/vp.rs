//! Scalar relations of a variance-preserving process, written in terms of
//! `lambda = log(alpha / sigma)` (half the log-SNR), numerically stable at both ends.
//!
//! With `alpha^2 + sigma^2 = 1`: `log alpha = -softplus(-2 lambda) / 2` and
//! `log sigma = -softplus(2 lambda) / 2`. `lambda = +inf` is the clean end (sigma = 0).

/// `log(1 + e^x)` without overflow.
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `log alpha` at `lambda`.
pub fn log_alpha(lambda: f64) -> f64 {
    -0.5 * softplus(-2.0 * lambda)
}

/// `log sigma` at `lambda`.
pub fn log_sigma(lambda: f64) -> f64 {
    -0.5 * softplus(2.0 * lambda)
}

/// `alpha` at `lambda` (1 at the clean end).
pub fn alpha(lambda: f64) -> f64 {
    log_alpha(lambda).exp()
}

/// `sigma` at `lambda` (0 at the clean end).
pub fn sigma(lambda: f64) -> f64 {
    log_sigma(lambda).exp()
}

/// `sigma = sqrt(1 - alpha^2)` from `log alpha`.
pub fn sigma_from_log_alpha(log_alpha: f64) -> f64 {
    (-(2.0 * log_alpha).exp_m1()).max(0.0).sqrt()
}

/// `lambda = log alpha - log sigma` from `log alpha`; `+inf` when `log alpha = 0`.
pub fn lambda_from_log_alpha(log_alpha: f64) -> f64 {
    log_alpha - 0.5 * (-(2.0 * log_alpha).exp_m1()).max(0.0).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_hold() {
        for &l in &[-12.0, -3.0, -0.5, 0.0, 0.7, 4.0, 15.0] {
            let (a, s) = (alpha(l), sigma(l));
            assert!((a * a + s * s - 1.0).abs() < 1e-14);
            assert!(((a / s).ln() - l).abs() < 1e-9);
            assert!((lambda_from_log_alpha(log_alpha(l)) - l).abs() < 1e-9 * (1.0 + l.abs()));
        }
    }

    #[test]
    fn clean_end_is_finite_in_alpha_and_sigma() {
        assert_eq!(alpha(f64::INFINITY), 1.0);
        assert_eq!(sigma(f64::INFINITY), 0.0);
        assert_eq!(lambda_from_log_alpha(0.0), f64::INFINITY);
    }
}
