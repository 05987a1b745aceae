//! The bars a zoo must meet before it becomes the default of every command (issue 16, part 4),
//! judged from paired scores on fresh noise ([`crate::fresh`]):
//!
//! 1. **cost spread**: the most expensive member's latency is at least `min_spread` times the
//!    cheapest one's (the latency table the search would use);
//! 2. **more steps are no worse**: for every member, solver and feature space, FD at each NFE is
//!    no worse than at the next smaller NFE (a trained diffusion model improves with steps up to
//!    a plateau). "Worse" needs the family-wise interval of the difference above zero: a
//!    Bonferroni interval over all the gate's comparisons (or `GateConfig::steps_family`, the
//!    whole zoo's count when a gate judges some of its members), `diff +- z(0.05 / 2m) se` with
//!    the bootstrap standard error of the paired difference. With ~30 comparisons of a zoo whose FD
//!    has levelled off, separate 95% intervals would call at least one "worse" by chance about
//!    half the time; the per-comparison interval is reported beside it;
//! 3. **the most expensive member is the best alone** at `top_nfe`: its FD point estimate is the
//!    lowest of the zoo for every solver and space (the intervals are reported beside it);
//! 4. **near the real-data floor**: in the floor's space, the most expensive member at `top_nfe`
//!    has an FD at most `floor_factor` times that of real images (same reference, same n).
//!
//! Plain data: which images were sampled and how they were scored is the caller's business;
//! the sets of one space must come from one [`PairedReference`](oms_metrics::paired) so that
//! their bootstrap draws are shared.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use oms_metrics::features::FeatureSpace;
use oms_metrics::paired::{Interval, PairedSet, Verdict, paired_difference};
use serde::{Deserialize, Serialize};

/// Thresholds of the bars.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateConfig {
    /// Smallest ratio of the most expensive to the cheapest member's latency.
    pub min_spread: f64,
    /// Largest ratio of the top member's FD to the real-data floor.
    pub floor_factor: f64,
    /// The space of the floor bar (the natural-image one).
    pub floor_space: FeatureSpace,
    /// NFE at which the top member must be the best alone and near the floor.
    pub top_nfe: usize,
    /// Comparisons in the more-steps bar's Bonferroni family; `None`: the ones judged here. A
    /// gate of some of a zoo's members sets the whole zoo's count, so that its verdicts are the
    /// full gate's (never fewer than the comparisons judged).
    #[serde(default)]
    pub steps_family: Option<usize>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            min_spread: 30.0,
            floor_factor: 3.0,
            floor_space: FeatureSpace::Efficientnet,
            top_nfe: 20,
            steps_family: None,
        }
    }
}

/// One member alone with one solver at one NFE, scored in one space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberScore {
    /// Member name.
    pub member: String,
    /// Solver label (e.g. `dpm-solver-2`).
    pub solver: String,
    /// Model evaluations.
    pub nfe: usize,
    /// Feature space.
    pub space: FeatureSpace,
    /// FD and KID with bootstrap replicates.
    pub set: PairedSet,
}

/// Real images scored like the samples.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FloorScore {
    /// Feature space.
    pub space: FeatureSpace,
    /// FD of the real images against the reference.
    pub fd: f64,
    /// Images.
    pub n: usize,
}

/// More steps against fewer, for one member, solver and space.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepCheck {
    /// Member.
    pub member: String,
    /// Solver label.
    pub solver: String,
    /// Space.
    pub space: FeatureSpace,
    /// The smaller NFE.
    pub from: usize,
    /// The larger NFE.
    pub to: usize,
    /// FD at `to` minus FD at `from`, with its 95% interval (below zero: more steps are better).
    pub fd: Interval,
    /// The same difference with the family-wise (Bonferroni) interval of all comparisons.
    pub family: Interval,
    /// The family-wise interval's verdict (`worse` fails the bar).
    pub verdict: Verdict,
}

impl StepCheck {
    /// Member, solver, space, NFE pair, difference, its 95% and family-wise intervals and the
    /// verdict as text.
    fn cells(&self) -> [String; 8] {
        [
            self.member.clone(),
            self.solver.clone(),
            self.space.name().into(),
            format!("{} -> {}", self.from, self.to),
            format!("{:+.2}", self.fd.diff),
            format!("[{:+.2}, {:+.2}]", self.fd.lo, self.fd.hi),
            format!("[{:+.2}, {:+.2}]", self.family.lo, self.family.hi),
            format!("{:?}", self.verdict),
        ]
    }
}

/// One bar's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bar {
    /// Short name.
    pub name: String,
    /// Whether it holds.
    pub pass: bool,
    /// The figures behind the verdict.
    pub detail: String,
}

/// Every bar, the figures behind them and the overall verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GateReport {
    /// The most expensive member.
    pub top: String,
    /// Its latency over the cheapest member's.
    pub spread: f64,
    /// Every more-steps comparison.
    pub steps: Vec<StepCheck>,
    /// Comparisons in their Bonferroni family (`GateConfig::steps_family`, at least `steps`).
    #[serde(default)]
    pub steps_family: usize,
    /// The bars in order.
    pub bars: Vec<Bar>,
    /// Whether every bar holds.
    pub passed: bool,
}

/// Judges the bars from the members' latencies (ms per NFE), their scores and the floors.
pub fn evaluate(
    latency_ms: &BTreeMap<String, f64>,
    scores: &[MemberScore],
    floors: &[FloorScore],
    config: &GateConfig,
) -> GateReport {
    let by_cost = |a: &(&String, &f64), b: &(&String, &f64)| a.1.total_cmp(b.1);
    let top = latency_ms.iter().max_by(by_cost);
    let cheap = latency_ms.iter().min_by(by_cost);
    let (top, spread) = match (top, cheap) {
        (Some((t, tm)), Some((_, cm))) => (t.clone(), tm / cm),
        _ => (String::new(), f64::NAN),
    };
    let top_ms = latency_ms.get(&top).copied().unwrap_or(f64::NAN);
    let tied = latency_ms.iter().filter(|(_, ms)| **ms == top_ms).count() > 1;
    let (steps, steps_family) = step_checks(scores, config.steps_family);
    let mut bars = vec![
        spread_bar(latency_ms, spread, config),
        steps_bar(&steps),
        best_bar(&top, scores, config),
        floor_bar(&top, scores, floors, config),
    ];
    if tied {
        bars[2].pass = false;
        bars[2].detail = format!(
            "two members share the highest latency ({top_ms} ms): no single most expensive member"
        );
    }
    let passed = bars.iter().all(|b| b.pass);
    GateReport {
        top,
        spread,
        steps,
        steps_family,
        bars,
        passed,
    }
}

fn spread_bar(latency_ms: &BTreeMap<String, f64>, spread: f64, config: &GateConfig) -> Bar {
    let costs: Vec<String> = latency_ms
        .iter()
        .map(|(m, ms)| format!("{m} {ms:.1} ms"))
        .collect();
    Bar {
        name: format!("cost spread >= {}x", config.min_spread),
        pass: spread >= config.min_spread,
        detail: format!("{spread:.1}x ({})", costs.join(", ")),
    }
}

/// The sets of one member, solver and space, by NFE.
type Series<'a> = BTreeMap<(&'a str, &'a str, FeatureSpace), BTreeMap<usize, &'a PairedSet>>;

/// Every more-steps comparison, with the Bonferroni interval over `family` comparisons (at
/// least the ones here), and the family's size.
fn step_checks(scores: &[MemberScore], family: Option<usize>) -> (Vec<StepCheck>, usize) {
    let mut series: Series = BTreeMap::new();
    for s in scores {
        series
            .entry((&s.member, &s.solver, s.space))
            .or_default()
            .insert(s.nfe, &s.set);
    }
    let mut pairs = vec![];
    for ((member, solver, space), by_nfe) in series {
        let sets: Vec<(&usize, &&PairedSet)> = by_nfe.iter().collect();
        for pair in sets.windows(2) {
            let ((from, lo), (to, hi)) = (pair[0], pair[1]);
            pairs.push((member, solver, space, (*from, *to), (*hi, *lo)));
        }
    }
    let k = family.unwrap_or(0).max(pairs.len()).max(1);
    let z = upper_normal_quantile(0.05 / (2.0 * k as f64));
    let checks = pairs
        .into_iter()
        .map(|(member, solver, space, (from, to), (hi, lo))| {
            let (fd, _) = paired_difference(hi, lo);
            let family = widened(fd, difference_se(hi, lo), z);
            StepCheck {
                member: member.into(),
                solver: solver.into(),
                space,
                from,
                to,
                fd,
                family,
                verdict: family.verdict(),
            }
        })
        .collect();
    (checks, k)
}

/// `diff` with the interval `diff +- z se` (the family-wise one, for a Bonferroni `z`).
pub(crate) fn widened(diff: Interval, se: f64, z: f64) -> Interval {
    Interval {
        diff: diff.diff,
        lo: diff.diff - z * se,
        hi: diff.diff + z * se,
    }
}

/// Standard deviation of the bootstrap replicates of the FD difference `a - b`.
fn difference_se(a: &PairedSet, b: &PairedSet) -> f64 {
    bootstrap_se(&a.boot_fd, &b.boot_fd)
}

/// Standard deviation of the paired differences of two bootstrap replicate lists (same draws);
/// infinite with fewer than two.
pub(crate) fn bootstrap_se(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len() as f64;
    if d.len() < 2 {
        return f64::INFINITY;
    }
    let mean = d.iter().sum::<f64>() / n;
    (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// `z` with `P(Z > z) = p` for a standard normal `Z`, `0 < p < 0.5` (bisection on libm's erfc:
/// `P(Z > z) = erfc(z / sqrt 2) / 2`).
pub fn upper_normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if 0.5 * libm::erfc(mid / std::f64::consts::SQRT_2) > p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn steps_bar(steps: &[StepCheck]) -> Bar {
    let worse: Vec<String> = steps
        .iter()
        .filter(|s| s.verdict == Verdict::Worse)
        .map(|s| {
            let [member, solver, space, nfe, diff, _, family, _] = s.cells();
            format!("{member} {solver} {space}: {nfe} NFE FD {diff}, family-wise {family}")
        })
        .collect();
    Bar {
        name: "FD no worse with more steps (every member, solver, space)".into(),
        pass: !steps.is_empty() && worse.is_empty(),
        detail: match (steps.len(), worse.len()) {
            (0, _) => "not measured (give at least two NFE)".into(),
            (n, 0) => format!("{n} comparisons, none worse"),
            (n, _) => format!("{} of {n} worse: {}", worse.len(), worse.join("; ")),
        },
    }
}

fn best_bar(top: &str, scores: &[MemberScore], config: &GateConfig) -> Bar {
    let at: Vec<&MemberScore> = scores.iter().filter(|s| s.nfe == config.top_nfe).collect();
    let mut groups: BTreeMap<(&str, FeatureSpace), Vec<&MemberScore>> = BTreeMap::new();
    for s in &at {
        groups.entry((&s.solver, s.space)).or_default().push(s);
    }
    let (mut failures, mut margins) = (vec![], vec![]);
    let mut checked = 0;
    for ((solver, space), group) in &groups {
        let Some(t) = group.iter().find(|s| s.member == top) else {
            failures.push(format!("{solver} {}: {top} not scored", space.name()));
            continue;
        };
        checked += 1;
        let mut closest: Option<(Interval, &str)> = None;
        for other in group.iter().filter(|s| s.member != top) {
            let (fd, _) = paired_difference(&t.set, &other.set);
            if closest.is_none_or(|(c, _)| fd.diff > c.diff) {
                closest = Some((fd, &other.member));
            }
            if fd.diff >= 0.0 {
                failures.push(format!(
                    "{solver} {}: {top} FD {:.2} vs {} {:.2} (diff [{:+.2}, {:+.2}])",
                    space.name(),
                    t.set.fd,
                    other.member,
                    other.set.fd,
                    fd.lo,
                    fd.hi
                ));
            }
        }
        margins.extend(closest.map(|(fd, member)| {
            format!(
                "{solver} {}: {:+.2} [{:+.2}, {:+.2}] vs {member}",
                space.name(),
                fd.diff,
                fd.lo,
                fd.hi
            )
        }));
    }
    Bar {
        name: format!("{top} is the best alone at {} NFE", config.top_nfe),
        pass: checked > 0 && failures.is_empty(),
        detail: match (checked, failures.len()) {
            (0, _) => format!("not measured ({top} at {} NFE)", config.top_nfe),
            (n, 0) => format!(
                "lowest FD in all {n} solver x space groups; FD minus the closest member's, 95% paired interval: {}",
                margins.join("; ")
            ),
            _ => failures.join("; "),
        },
    }
}

fn floor_bar(top: &str, scores: &[MemberScore], floors: &[FloorScore], config: &GateConfig) -> Bar {
    let space = config.floor_space;
    let name = format!(
        "{top} at {} NFE within {}x of the real-data floor ({})",
        config.top_nfe,
        config.floor_factor,
        space.name()
    );
    let Some(floor) = floors.iter().find(|f| f.space == space) else {
        return Bar {
            name,
            pass: false,
            detail: "not measured (no real-data floor in this space)".into(),
        };
    };
    let tops: Vec<&MemberScore> = scores
        .iter()
        .filter(|s| s.member == top && s.nfe == config.top_nfe && s.space == space)
        .collect();
    let ratios: Vec<String> = tops
        .iter()
        .map(|s| {
            format!(
                "{} FD {:.2} = {:.2}x",
                s.solver,
                s.set.fd,
                s.set.fd / floor.fd
            )
        })
        .collect();
    Bar {
        name,
        pass: !tops.is_empty()
            && tops
                .iter()
                .all(|s| s.set.fd <= config.floor_factor * floor.fd),
        detail: format!(
            "floor FD {:.2} (n = {}); {}",
            floor.fd,
            floor.n,
            if ratios.is_empty() {
                "top member not scored".into()
            } else {
                ratios.join(", ")
            }
        ),
    }
}

impl GateReport {
    /// The bars as a Markdown table, then every more-steps comparison.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let verdict = if self.passed {
            "PASSES"
        } else {
            "does not pass"
        };
        let _ = writeln!(md, "The zoo {verdict} the bars.\n");
        let _ = writeln!(md, "| bar | holds | figures |\n|---|---|---|");
        for b in &self.bars {
            let pass = if b.pass { "yes" } else { "**no**" };
            let _ = writeln!(md, "| {} | {pass} | {} |", b.name, b.detail);
        }
        let _ = writeln!(
            md,
            "\nFD with more steps (the larger NFE minus the smaller; below zero is better), with \
             its 95% paired interval and the family-wise (Bonferroni) one over {} comparisons \
             that the bar uses:\n",
            self.steps_family
        );
        let _ = writeln!(
            md,
            "| member | solver | space | NFE | FD difference | 95% interval | family-wise | verdict |\n|---|---|---|---|---|---|---|---|"
        );
        for s in &self.steps {
            let _ = writeln!(md, "| {} |", s.cells().join(" | "));
        }
        md
    }
}

pub mod cache;
pub mod rounds;

#[cfg(test)]
mod tests;
