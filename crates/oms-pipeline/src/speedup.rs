//! The speed-up figures against the best single model: its latency over the latency of the
//! cheapest verified searched schedule (any budget, any verified candidate) whose measured FD is
//! no worse. Latency is the measured one or the table's.

use crate::verify::{AtBudget, Measured};

/// The measured latency, ms per batch.
pub fn measured(m: &Measured) -> f64 {
    m.latency_ms
}

/// The latency table's prediction, ms per batch.
pub fn by_table(m: &Measured) -> f64 {
    m.cost_ms
}

/// `single`'s latency over the cheapest latency among `(fd, latency)` points with FD no worse
/// than `single_fd` (`None` when none reaches it).
pub fn ratio(
    (single_fd, single_latency): (f64, f64),
    points: impl IntoIterator<Item = (f64, f64)>,
) -> Option<f64> {
    let cheapest = points
        .into_iter()
        .filter(|&(fd, _)| fd <= single_fd)
        .map(|(_, latency)| latency)
        .fold(f64::INFINITY, f64::min);
    cheapest.is_finite().then(|| single_latency / cheapest)
}

/// `single`'s speed-up: its latency over that of the cheapest verified searched schedule at any
/// budget whose measured FD is no worse; `latency` is [`measured`] or [`by_table`].
pub fn speedup_over(
    at: &[AtBudget],
    single: &Measured,
    latency: fn(&Measured) -> f64,
) -> Option<f64> {
    let points = at
        .iter()
        .flat_map(|a| &a.searched)
        .map(|s| (s.fd, latency(s)));
    ratio((single.fd, latency(single)), points)
}

/// The speed-up against the best single model of all budgets (the best FD: the strictest).
pub fn speedup(at: &[AtBudget], latency: fn(&Measured) -> f64) -> Option<f64> {
    let best = at
        .iter()
        .filter_map(|a| a.single.as_ref())
        .min_by(|a, b| a.fd.total_cmp(&b.fd))?;
    speedup_over(at, best, latency)
}

#[cfg(test)]
mod tests {
    use super::ratio;

    #[test]
    fn the_cheapest_schedule_at_least_as_good_sets_the_speedup() {
        // Single model: FD 100 at 1600 ms. Points: (FD, ms).
        let points = [(120.0, 400.0), (100.0, 800.0), (90.0, 1000.0)];
        assert_eq!(ratio((100.0, 1600.0), points), Some(2.0));
        // Equal FD counts as reaching it; nothing better: no speed-up.
        assert_eq!(ratio((100.0, 1600.0), [(100.0, 1600.0)]), Some(1.0));
        assert_eq!(ratio((80.0, 1600.0), points), None);
        assert_eq!(ratio((80.0, 1600.0), []), None);
    }
}
