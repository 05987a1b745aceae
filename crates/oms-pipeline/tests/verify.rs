//! Sharing verified schedules between budgets and the speed-up figures, on hand-made results.

use oms_pipeline::objective::Quality;
use oms_pipeline::speedup::{by_table, measured, speedup, speedup_over};
use oms_pipeline::verify::{AtBudget, Measured, share_down};
use oms_schedule::{Schedule, SlotEncoding, Solver};
use oms_search::Genome;

/// A one-model schedule with `nfe` first-order steps, with its figures.
fn m(name: &str, nfe: u32, fd: f64, latency_ms: f64, cost_ms: f64) -> Measured {
    let lambdas: Vec<f64> = (0..=nfe).map(|i| -5.0 + f64::from(i)).collect();
    let orders = vec![1; nfe as usize];
    let mut entries = vec![0; 30];
    for e in entries.iter_mut().step_by(3).take(nfe as usize) {
        *e = 1;
    }
    Measured {
        name: name.into(),
        genome: Genome::reference(&SlotEncoding { entries }),
        schedule: Schedule::from_lambdas(Solver::DpmSolver, &lambdas, &orders, |_, _| "a".into()),
        predicted: None,
        fd,
        kid: 0.0,
        cost_ms,
        latency_ms,
        images: vec![],
    }
}

fn at(budget: f64, searched: Vec<Measured>, single: Option<Measured>) -> AtBudget {
    AtBudget {
        budget,
        searched,
        random: None,
        label_best: None,
        single,
        switch: None,
        queries: 0,
    }
}

#[test]
fn a_better_schedule_of_a_smaller_budget_competes_at_every_larger_one() {
    let mut front = vec![
        at(100.0, vec![m("searched #1", 2, 50.0, 90.0, 95.0)], None),
        at(200.0, vec![m("searched #1", 4, 60.0, 180.0, 190.0)], None),
        at(400.0, vec![m("searched #1", 6, 40.0, 350.0, 380.0)], None),
    ];
    share_down(&mut front, &Quality::FD);
    let names = |a: &AtBudget| {
        a.searched
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&front[0]), ["searched #1"]);
    // At 200 ms the 100 ms schedule (FD 50) beats the own one (FD 60) and comes first.
    assert_eq!(
        names(&front[1]),
        ["searched #1 (verified at a smaller budget)", "searched #1"]
    );
    // At 400 ms the own schedule (FD 40) is best: nothing is shared.
    assert_eq!(names(&front[2]), ["searched #1"]);
}

#[test]
fn the_speedup_is_the_best_single_models_latency_over_the_cheapest_no_worse_schedule() {
    let front = vec![
        at(
            400.0,
            vec![m("searched #1", 2, 95.0, 390.0, 400.0)],
            Some(m("single", 2, 200.0, 380.0, 400.0)),
        ),
        at(
            1600.0,
            vec![m("searched #1", 4, 80.0, 1500.0, 1590.0)],
            Some(m("single", 8, 100.0, 1400.0, 1600.0)),
        ),
    ];
    // The strictest single model (FD 100) is reached by the 400 ms schedule (FD 95).
    assert_eq!(speedup(&front, by_table), Some(4.0));
    assert_eq!(speedup(&front, measured), Some(1400.0 / 390.0));
    let weak = front[0].single.as_ref().unwrap();
    assert_eq!(speedup_over(&front, weak, by_table), Some(1.0));
    let strong = m("single", 8, 10.0, 1400.0, 1600.0);
    assert_eq!(speedup_over(&front, &strong, by_table), None);
}
