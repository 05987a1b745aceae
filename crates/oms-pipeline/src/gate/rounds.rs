//! What a training round changed: each retrained member's run against the same run of the
//! zoo before the round (`zoo-gate --baseline-zoo`), paired image for image.
//!
//! Both sets come from one [`PairedReference`](oms_metrics::paired) (same reference, `n`,
//! bootstrap configuration) and the same fresh noise (the score cache's key holds all of that),
//! so the difference `after - before` has a paired bootstrap interval like the gate's
//! more-steps comparisons, and the same family-wise (Bonferroni) interval over all of a call's
//! comparisons: with a few dozen of them, separate 95% intervals would call some change real
//! by chance. Plain data, like the rest of [`crate::gate`].

use std::fmt::Write as _;

use oms_metrics::features::FeatureSpace;
use oms_metrics::paired::{Interval, Verdict, paired_difference};
use serde::{Deserialize, Serialize};

use super::{MemberScore, difference_se, upper_normal_quantile, widened};

/// One run before and after a round.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoundChange {
    /// Member.
    pub member: String,
    /// Solver label.
    pub solver: String,
    /// NFE.
    pub nfe: usize,
    /// Space.
    pub space: FeatureSpace,
    /// FD before the round.
    pub before: f64,
    /// FD after it.
    pub after: f64,
    /// `after - before` with its 95% paired interval (below zero: the round helped).
    pub fd: Interval,
    /// The same difference with the family-wise interval of all of the call's comparisons.
    pub family: Interval,
    /// The family-wise interval's verdict (`better`: the round verifiably helped this run).
    pub verdict: Verdict,
    /// KID after minus before, with its 95% paired interval.
    pub kid: Interval,
}

/// Every run of `after` that has a counterpart in `before` (same member, solver, NFE and
/// space), compared with it. Runs without one are left out.
pub fn round_changes(before: &[MemberScore], after: &[MemberScore]) -> Vec<RoundChange> {
    let pairs: Vec<(&MemberScore, &MemberScore)> = after
        .iter()
        .filter_map(|a| {
            before
                .iter()
                .find(|b| {
                    (&b.member, &b.solver, b.nfe, b.space) == (&a.member, &a.solver, a.nfe, a.space)
                })
                .map(|b| (b, a))
        })
        .collect();
    let z = upper_normal_quantile(0.05 / (2.0 * pairs.len().max(1) as f64));
    pairs
        .into_iter()
        .map(|(b, a)| {
            let (fd, kid) = paired_difference(&a.set, &b.set);
            let family = widened(fd, difference_se(&a.set, &b.set), z);
            RoundChange {
                member: a.member.clone(),
                solver: a.solver.clone(),
                nfe: a.nfe,
                space: a.space,
                before: b.set.fd,
                after: a.set.fd,
                fd,
                family,
                verdict: family.verdict(),
                kid,
            }
        })
        .collect()
}

/// The changes as a Markdown table, under a line saying what they compare.
pub fn markdown(changes: &[RoundChange], baseline: &str) -> String {
    let mut md = format!(
        "Change since {baseline} (the retrained members' runs against the same runs before, \
         same noise image for image; FD after minus before, below zero is better, with its 95% \
         paired interval and the family-wise one over these {} comparisons):\n\n",
        changes.len()
    );
    md.push_str(
        "| member | solver | space | NFE | FD before | FD after | difference | 95% interval | family-wise | verdict |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:+.2} | [{:+.2}, {:+.2}] | [{:+.2}, {:+.2}] | {:?} |",
            c.member,
            c.solver,
            c.space.name(),
            c.nfe,
            c.before,
            c.after,
            c.fd.diff,
            c.fd.lo,
            c.fd.hi,
            c.family.lo,
            c.family.hi,
            c.verdict
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_metrics::paired::PairedSet;

    fn score(member: &str, nfe: usize, fd: f64, shift: f64) -> MemberScore {
        MemberScore {
            member: member.into(),
            solver: "dpm-solver-2".into(),
            nfe,
            space: FeatureSpace::Cnn,
            set: PairedSet {
                n: 1000,
                fd,
                kid: 0.0,
                boot_fd: (0..200)
                    .map(|i| fd + 3.0 * (i as f64 * 0.37).sin() + shift * (i as f64).cos())
                    .collect(),
                boot_kid: vec![0.0; 200],
            },
        }
    }

    #[test]
    fn a_large_drop_is_better_and_a_small_one_a_tie() {
        let before = [score("l", 10, 50.0, 0.0), score("l", 20, 40.0, 0.0)];
        let after = [
            score("l", 10, 30.0, 0.5),
            score("l", 20, 39.9, 0.5),
            score("xs", 20, 1.0, 0.0),
        ];
        let changes = round_changes(&before, &after);
        assert_eq!(changes.len(), 2, "xs has no counterpart before");
        assert_eq!((changes[0].before, changes[0].after), (50.0, 30.0));
        assert!((changes[0].fd.diff + 20.0).abs() < 1e-12);
        assert_eq!(changes[0].verdict, Verdict::Better);
        assert_eq!(changes[1].verdict, Verdict::Tie);
        assert!(
            changes[1].family.lo < changes[1].fd.lo,
            "family-wise is wider"
        );
        let md = markdown(&changes, "old.ron");
        assert!(md.contains("| l | dpm-solver-2 | cnn | 10 | 50.00 | 30.00 | -20.00 |"));
        assert!(md.contains("these 2 comparisons"));
    }

    #[test]
    fn a_rise_is_worse() {
        let changes = round_changes(&[score("s", 5, 20.0, 0.0)], &[score("s", 5, 35.0, 0.3)]);
        assert_eq!(changes[0].verdict, Verdict::Worse);
    }
}
