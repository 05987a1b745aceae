//! The outcome of a fresh verification: every budget's searched schedule against that budget's
//! best single model and best two-model switch, every searched schedule against the best single
//! model of all budgets, the speed-up that holds on both metrics in every space, and its
//! Markdown table.

use std::fmt::Write as _;

use oms_metrics::features::FeatureSpace;
use oms_metrics::paired::Verdict;
use serde::Serialize;

use crate::fresh::{
    Comparison, FreshConfig, FreshSchedule, FreshScore, compare, fresh_speedup, pair_verdict,
};

/// Which schedule plays which role at one budget (names of [`FreshSchedule`]s).
#[derive(Debug, Clone)]
pub struct Roles {
    /// Budget, ms per batch.
    pub budget_ms: f64,
    /// The search's choice.
    pub searched: Option<String>,
    /// The best single model within the budget.
    pub single: Option<String>,
    /// The best two-model switch within the budget.
    pub switch: Option<String>,
    /// Other schedules compared with the best single model but not counted in the speed-up
    /// (e.g. the label set's best within the budget).
    pub others: Vec<String>,
}

/// One schedule's point figures in one space.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreRow {
    /// Schedule name.
    pub name: String,
    /// Space.
    pub space: FeatureSpace,
    /// FD of all its fresh images.
    pub fd: f64,
    /// KID of all its fresh images.
    pub kid: f64,
    /// Images.
    pub n: usize,
    /// FD of each bank alone.
    pub bank_fd: Vec<f64>,
    /// Measured latency, ms per batch.
    pub latency_ms: f64,
}

/// A pair judged over both metrics in every space.
#[derive(Debug, Clone, Serialize)]
pub struct PairOutcome {
    /// The schedule judged.
    pub a: String,
    /// The one it is judged against.
    pub b: String,
    /// Better only if every interval says so, worse if any does.
    pub verdict: Verdict,
    /// Per space.
    pub comparisons: Vec<Comparison>,
}

impl PairOutcome {
    fn new(scores: &[FreshScore], a: &str, b: &str) -> Self {
        let comparisons = compare(scores, a, b);
        PairOutcome {
            a: a.into(),
            b: b.into(),
            verdict: pair_verdict(&comparisons),
            comparisons,
        }
    }
}

/// One budget's comparisons.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetOutcome {
    /// Budget, ms per batch.
    pub budget_ms: f64,
    /// Searched against the budget's best single model.
    pub vs_single: Option<PairOutcome>,
    /// Searched against the budget's best switch.
    pub vs_switch: Option<PairOutcome>,
}

/// Everything a fresh verification found.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Point figures.
    pub scores: Vec<ScoreRow>,
    /// Per budget.
    pub budgets: Vec<BudgetOutcome>,
    /// The best single model of all budgets (lowest fresh FD in the first space scored).
    pub best_single: Option<String>,
    /// Every searched schedule against it.
    pub vs_best_single: Vec<PairOutcome>,
    /// The other schedules against it (not counted in the speed-up).
    pub others_vs_best_single: Vec<PairOutcome>,
    /// Its latency over the cheapest searched schedule no worse on both metrics in every
    /// space; 1.0 when there is none cheaper.
    pub speedup_vs_best_single: f64,
    /// The schedule that sets the speed-up.
    pub speedup_schedule: Option<String>,
}

impl Outcome {
    /// Judges `scores` of `schedules` by `roles`.
    pub fn new(schedules: &[FreshSchedule], roles: &[Roles], scores: Vec<FreshScore>) -> Self {
        let latency = |name: &str| {
            schedules
                .iter()
                .find(|s| s.name == name)
                .map_or(f64::NAN, |s| s.latency_ms)
        };
        let rows: Vec<ScoreRow> = scores
            .iter()
            .map(|s| ScoreRow {
                name: s.name.clone(),
                space: s.space,
                fd: s.set.fd,
                kid: s.set.kid,
                n: s.set.n,
                bank_fd: s.bank_fd.clone(),
                latency_ms: latency(&s.name),
            })
            .collect();
        let pair = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => Some(PairOutcome::new(&scores, a, b)),
            _ => None,
        };
        let budgets = roles
            .iter()
            .map(|r| BudgetOutcome {
                budget_ms: r.budget_ms,
                vs_single: pair(&r.searched, &r.single),
                vs_switch: pair(&r.searched, &r.switch),
            })
            .collect();
        let first = rows.first().map(|r| r.space);
        let best_single = roles
            .iter()
            .filter_map(|r| r.single.as_ref())
            .filter_map(|name| {
                rows.iter()
                    .find(|s| &s.name == name && Some(s.space) == first)
            })
            .min_by(|a, b| a.fd.total_cmp(&b.fd))
            .map(|s| s.name.clone());
        let mut searched: Vec<&String> = roles.iter().filter_map(|r| r.searched.as_ref()).collect();
        searched.dedup();
        let searched_schedules: Vec<FreshSchedule> = schedules
            .iter()
            .filter(|s| searched.contains(&&s.name))
            .cloned()
            .collect();
        let mut others: Vec<&String> = roles.iter().flat_map(|r| &r.others).collect();
        others.dedup();
        let others_vs_best_single = best_single.as_ref().map_or(vec![], |best| {
            others
                .iter()
                .map(|a| PairOutcome::new(&scores, a, best))
                .collect()
        });
        let (vs_best_single, (speedup, speedup_schedule)) = match &best_single {
            Some(best) => {
                let single = schedules.iter().find(|s| &s.name == best).expect("scored");
                (
                    searched
                        .iter()
                        .map(|a| PairOutcome::new(&scores, a, best))
                        .collect(),
                    fresh_speedup(&scores, single, &searched_schedules),
                )
            }
            None => (vec![], (1.0, None)),
        };
        Outcome {
            scores: rows,
            budgets,
            best_single,
            vs_best_single,
            others_vs_best_single,
            speedup_vs_best_single: speedup,
            speedup_schedule,
        }
    }

    /// The outcome as Markdown: figures, per-budget verdicts, the speed-up.
    pub fn markdown(&self, config: &FreshConfig) -> String {
        let mut md = String::from("# Fresh-noise verification\n\n");
        let _ = writeln!(
            md,
            "Noise banks {:?} (no label or selection step used them), {} images per bank and \
             schedule; intervals: paired block bootstrap, {} resamples, 95%. A verdict is \
             `better` only if every interval (FD and KID, every space) is below zero, `worse` if \
             any is above.\n",
            config.banks, config.n_per_bank, config.paired.resamples
        );
        md.push_str(
            "| schedule | space | latency ms | FD | KID | n | FD per bank |\n|---|---|---:|---:|---:|---:|---|\n",
        );
        for r in &self.scores {
            let banks: Vec<String> = r.bank_fd.iter().map(|f| format!("{f:.2}")).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {:.1} | {:.2} | {:.4} | {} | {} |",
                r.name,
                r.space,
                r.latency_ms,
                r.fd,
                r.kid,
                r.n,
                banks.join(" / ")
            );
        }
        md.push_str("\n## Searched against the baselines of its budget\n\n");
        md.push_str("| budget ms | pair | verdict | per space: verdict, difference (first - second) [95% CI] |\n|---:|---|---|---|\n");
        for b in &self.budgets {
            for p in [&b.vs_single, &b.vs_switch].into_iter().flatten() {
                let _ = writeln!(
                    md,
                    "| {:.0} | {} vs {} | {:?} | {} |",
                    b.budget_ms,
                    p.a,
                    p.b,
                    p.verdict,
                    if p.a == p.b {
                        "the same schedule".to_string()
                    } else {
                        cells(p)
                    }
                );
            }
        }
        if let Some(best) = &self.best_single {
            let _ = writeln!(
                md,
                "\n## Against the best single model of all budgets ({best})\n"
            );
            md.push_str("| searched | verdict | per space: verdict, difference (searched - single) [95% CI] |\n|---|---|---|\n");
            for p in self
                .vs_best_single
                .iter()
                .chain(&self.others_vs_best_single)
            {
                let _ = writeln!(md, "| {} | {:?} | {} |", p.a, p.verdict, cells(p));
            }
            if !self.others_vs_best_single.is_empty() {
                md.push_str("\nRows not named `searched` are other candidates (such as the label set's best within a budget); they do not count in the speed-up.\n");
            }
        }
        let _ = writeln!(
            md,
            "\n**Speed-up over the best single model that holds on both metrics in every space: \
             {:.2}x**{}\n",
            self.speedup_vs_best_single,
            self.speedup_schedule.as_ref().map_or(
                " (no searched schedule is cheaper and no worse)".into(),
                |s| format!(" ({s})")
            )
        );
        md
    }
}

fn cells(p: &PairOutcome) -> String {
    let word = |v: Verdict| match v {
        Verdict::Better => "better",
        Verdict::Tie => "tie",
        Verdict::Worse => "worse",
    };
    p.comparisons
        .iter()
        .map(|c| {
            format!(
                "{}: FD {} {:+.2} [{:+.2}, {:+.2}], KID {} {:+.4} [{:+.4}, {:+.4}]",
                c.space,
                word(c.fd_verdict),
                c.fd.diff,
                c.fd.lo,
                c.fd.hi,
                word(c.kid_verdict),
                c.kid.diff,
                c.kid.lo,
                c.kid.hi
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
