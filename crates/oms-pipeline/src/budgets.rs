//! The budgets of a run and where its search starts.

use crate::objective::Quality;
use oms_dataset::{Generator, Record, baseline_plan};
use oms_schedule::LatencyTable;
use oms_search::{Genome, JointConfig, geometric_budgets};
use oms_space::SlotSpace;

use crate::baselines::Baselines;

/// NFEs of the baseline plan (as `dataset --plan baselines`).
pub const BASELINE_NFES: [usize; 10] = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20];

/// How many best-labelled schedules seed the search.
pub const LABEL_SEEDS: usize = 50;

/// Which budgets a search runs.
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetChoice {
    /// This many budgets spaced geometrically over the whole cost range.
    Front(usize),
    /// These budgets, ms per batch of the latency table.
    Given(Vec<f64>),
    /// [`default_budgets`], plus the half-latency budget of the best single model once the
    /// baselines are known ([`half_single`]).
    Default,
}

/// 1.5x, 3x and 6x the per-NFE cost of the table's median member.
pub fn default_budgets(table: &LatencyTable) -> Vec<f64> {
    let mut per: Vec<f64> = table.per_nfe_ms.values().copied().collect();
    per.sort_by(f64::total_cmp);
    let median = per[per.len() / 2];
    vec![1.5 * median, 3.0 * median, 6.0 * median]
}

/// Active learning's default: 5 budgets spaced geometrically over the default search's range.
pub fn active_budgets(table: &LatencyTable) -> Vec<f64> {
    let d = default_budgets(table);
    geometric_budgets(d[0], d[d.len() - 1], 5)
}

/// Half the table cost of the best single model within `largest`: the budget at which "its
/// quality at half its latency" (issue 8) is decided. Best by FD, whatever the objective, so
/// that the budgets stay those of earlier runs.
pub fn half_single(space: &SlotSpace, base: &Baselines, largest: f64) -> Option<f64> {
    let single = base.best(space, Generator::SingleModel, largest, &Quality::FD)?;
    Some(0.5 * space.cost(&single.slot_encoding()))
}

/// `budgets` with `extra` added in ascending order, unless one is within 1 ms of it.
pub fn add_budget(mut budgets: Vec<f64>, extra: f64) -> Vec<f64> {
    if budgets.iter().all(|b| (b - extra).abs() > 1.0) {
        budgets.push(extra);
        budgets.sort_by(f64::total_cmp);
    }
    budgets
}

/// The budgets of `choice`; the default adds the half-latency budget when `base` is given.
pub fn budgets(
    choice: &BudgetChoice,
    space: &SlotSpace,
    table: &LatencyTable,
    base: Option<&Baselines>,
) -> Vec<f64> {
    match choice {
        BudgetChoice::Front(count) => {
            let (lo, hi) = space.cost_range();
            geometric_budgets(lo, hi, (*count).max(1))
        }
        BudgetChoice::Given(list) => list.clone(),
        BudgetChoice::Default => {
            let defaults = default_budgets(table);
            let largest = defaults.iter().copied().fold(0.0, f64::max);
            match base.and_then(|b| half_single(space, b, largest)) {
                Some(half) => add_budget(defaults, half),
                None => defaults,
            }
        }
    }
}

/// The genome of a labelled schedule.
pub fn genome_of(r: &Record) -> Genome {
    Genome {
        slots: r.slot_encoding(),
        form: r.form,
    }
}

/// Where the search starts: every baseline-plan schedule (single models, two-model switches)
/// and the [`LABEL_SEEDS`] best-labelled schedules, in the forms `joint` may change.
pub fn search_seeds(space: &SlotSpace, labels: &[Record], joint: &JointConfig) -> Vec<Genome> {
    let mut best: Vec<&Record> = labels.iter().collect();
    best.sort_by(|a, b| a.fd.total_cmp(&b.fd));
    baseline_plan(space, &BASELINE_NFES)
        .iter()
        .map(|p| Genome::reference(&p.slots))
        .chain(best.iter().take(LABEL_SEEDS).map(|r| genome_of(r)))
        .map(|g| Genome {
            form: joint.project(g.form),
            slots: g.slots,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::add_budget;

    #[test]
    fn an_extra_budget_goes_in_order_once() {
        assert_eq!(
            add_budget(vec![599.0, 1198.0, 2397.0], 799.0),
            [599.0, 799.0, 1198.0, 2397.0]
        );
        assert_eq!(add_budget(vec![599.0, 1198.0], 1198.5), [599.0, 1198.0]);
        assert_eq!(add_budget(vec![599.0], 300.0), [300.0, 599.0]);
    }
}
