//! Schedules a user wrote compared on fresh noise (`cargo xtask compare`): any schedule files of
//! one zoo, sampled on the same fresh noise ([`crate::fresh`]), scored in every feature space
//! and compared in the pairs asked for.
//!
//! Every pair gets, per space, the FD and KID differences `a - b` with their 95% paired
//! bootstrap intervals and the family-wise (Bonferroni) intervals over all of the call's
//! comparisons (pairs x spaces x 2 metrics), as the zoo gate does ([`crate::gate`]): with a
//! dozen pairs, separate 95% intervals would call some difference real by chance. A pair's
//! verdict is `better` only if every family-wise interval lies below zero, `worse` if any lies
//! above, otherwise `tie`. Plain data: sampling and scoring are the caller's.

use std::fmt::Write as _;

use oms_metrics::features::FeatureSpace;
use oms_metrics::paired::{Interval, Verdict, paired_difference};
use serde::{Deserialize, Serialize};

use crate::fresh::{FreshConfig, FreshScore, overall};
use crate::gate::{bootstrap_se, upper_normal_quantile, widened};

/// `a` against `b` in one space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpaceDifference {
    /// Space.
    pub space: FeatureSpace,
    /// FD of `a` and of `b`.
    pub fd: (f64, f64),
    /// FD difference with its 95% paired interval.
    pub fd_diff: Interval,
    /// The same with the family-wise interval.
    pub fd_family: Interval,
    /// KID difference with its 95% paired interval.
    pub kid_diff: Interval,
    /// The same with the family-wise interval.
    pub kid_family: Interval,
}

/// One pair over every space scored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairDifference {
    /// The schedule judged.
    pub a: String,
    /// The one it is judged against.
    pub b: String,
    /// Per space.
    pub spaces: Vec<SpaceDifference>,
    /// From the family-wise intervals of both metrics in every space.
    pub verdict: Verdict,
}

/// Every pair of `pairs` (names of `scores`) in every space both were scored in. A pair whose
/// schedule has no score is an error naming it.
pub fn compare_pairs(
    scores: &[FreshScore],
    pairs: &[(String, String)],
) -> Result<Vec<PairDifference>, String> {
    let find = |name: &str, space| scores.iter().find(|s| s.name == name && s.space == space);
    for name in pairs.iter().flat_map(|(a, b)| [a, b]) {
        if !scores.iter().any(|s| &s.name == name) {
            return Err(format!("no schedule named `{name}` was scored"));
        }
    }
    let spaces: Vec<FeatureSpace> = FeatureSpace::ALL
        .into_iter()
        .filter(|sp| scores.iter().any(|s| s.space == *sp))
        .collect();
    let m = 2 * pairs.len() * spaces.len();
    let z = upper_normal_quantile(0.05 / (2.0 * m.max(1) as f64));
    let mut out = vec![];
    for (a, b) in pairs {
        let mut rows = vec![];
        for &space in &spaces {
            let (Some(sa), Some(sb)) = (find(a, space), find(b, space)) else {
                continue;
            };
            let (fd, kid) = paired_difference(&sa.set, &sb.set);
            rows.push(SpaceDifference {
                space,
                fd: (sa.set.fd, sb.set.fd),
                fd_diff: fd,
                fd_family: widened(fd, bootstrap_se(&sa.set.boot_fd, &sb.set.boot_fd), z),
                kid_diff: kid,
                kid_family: widened(kid, bootstrap_se(&sa.set.boot_kid, &sb.set.boot_kid), z),
            });
        }
        let verdict = overall(
            rows.iter()
                .flat_map(|r| [r.fd_family.verdict(), r.kid_family.verdict()]),
        );
        out.push(PairDifference {
            a: a.clone(),
            b: b.clone(),
            spaces: rows,
            verdict,
        });
    }
    Ok(out)
}

/// The scores and pairs as Markdown.
pub fn markdown(scores: &[FreshScore], pairs: &[PairDifference], config: &FreshConfig) -> String {
    let mut md = String::from("# Schedules compared on fresh noise\n\n");
    let _ = writeln!(
        md,
        "Noise seed sets {:?} (no label or selection step used them), {} images per set and \
         schedule; intervals: paired block bootstrap, {} resamples, 95% and family-wise \
         (Bonferroni over every pair, space and metric). A pair is `better` only if every \
         family-wise interval (FD and KID, every space) is below zero, `worse` if any is \
         above, otherwise `tie`.\n",
        config.banks, config.n_per_bank, config.paired.resamples
    );
    md.push_str("| schedule | space | FD | KID | FD per seed set |\n|---|---|---:|---:|---|\n");
    for s in scores {
        let banks: Vec<String> = s.bank_fd.iter().map(|f| format!("{f:.2}")).collect();
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {:.4} | {} |",
            s.name,
            s.space,
            s.set.fd,
            s.set.kid,
            banks.join(" / ")
        );
    }
    md.push_str(
        "\n| a | b | verdict | space | FD a | FD b | FD a - b | 95% | family-wise | KID a - b | family-wise |\n\
         |---|---|---|---|---:|---:|---:|---|---|---:|---|\n",
    );
    let iv = |i: &Interval| format!("[{:+.2}, {:+.2}]", i.lo, i.hi);
    let ik = |i: &Interval| format!("[{:+.4}, {:+.4}]", i.lo, i.hi);
    for p in pairs {
        for r in &p.spaces {
            let _ = writeln!(
                md,
                "| {} | {} | {:?} | {} | {:.2} | {:.2} | {:+.2} | {} | {} | {:+.4} | {} |",
                p.a,
                p.b,
                p.verdict,
                r.space,
                r.fd.0,
                r.fd.1,
                r.fd_diff.diff,
                iv(&r.fd_diff),
                iv(&r.fd_family),
                r.kid_diff.diff,
                ik(&r.kid_family)
            );
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use oms_metrics::paired::PairedSet;

    fn score(name: &str, space: FeatureSpace, shift: f64, boot: &[f64]) -> FreshScore {
        FreshScore {
            name: name.into(),
            space,
            set: PairedSet {
                n: 100,
                fd: 10.0 + shift,
                kid: 0.01 + shift / 1000.0,
                boot_fd: boot.iter().map(|b| b + shift).collect(),
                boot_kid: boot.iter().map(|b| (b + shift) / 1000.0).collect(),
            },
            bank_fd: vec![10.0 + shift],
        }
    }

    #[test]
    fn a_clear_gap_is_better_and_a_small_one_a_tie() {
        let boot: Vec<f64> = (0..200).map(|i| 10.0 + (i % 7) as f64 * 0.3).collect();
        let mut noisy = boot.clone();
        noisy
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b += (i % 5) as f64 * 0.2);
        let mut scores = vec![];
        for space in FeatureSpace::ALL {
            scores.push(score("base", space, 0.0, &boot));
            scores.push(score("good", space, -5.0, &boot));
            scores.push(score("near", space, -0.1, &noisy));
        }
        let pairs = [("good", "base"), ("near", "base"), ("base", "good")]
            .map(|(a, b)| (a.to_string(), b.to_string()));
        let out = compare_pairs(&scores, &pairs).unwrap();
        assert_eq!(out[0].verdict, Verdict::Better);
        assert_eq!(out[1].verdict, Verdict::Tie);
        assert_eq!(out[2].verdict, Verdict::Worse);
        assert_eq!(out[0].spaces.len(), FeatureSpace::ALL.len());
        let r = &out[1].spaces[0];
        assert!(r.fd_family.lo < r.fd_diff.lo && r.fd_family.hi > r.fd_diff.hi);
        assert!(
            markdown(&scores, &out, &FreshConfig::new(vec![1000], 100, 50, 200))
                .contains("| near | base | Tie |")
        );
    }

    #[test]
    fn an_unknown_name_is_an_error() {
        let scores = vec![score("a", FeatureSpace::ALL[0], 0.0, &[1.0, 2.0])];
        let pairs = [("a".to_string(), "b".to_string())];
        let err = compare_pairs(&scores, &pairs).unwrap_err();
        assert!(err.contains("`b`"), "{err}");
    }
}
