//! The search on a synthetic objective: budgets hold, runs are deterministic, fronts are
//! monotone, evolution beats random search at equal predictor queries.

use std::collections::BTreeMap;

use oms_schedule::LatencyTable;
use oms_search::{
    EvolveConfig, Genome, JointConfig, ScoreCache, Scorer, SearchError, evolve, geometric_budgets,
    pareto_search, random_search,
};
use oms_space::SlotSpace;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Lower is better: more NFEs help, large models help more, but a large model at the very
/// noisy end is wasted (its gain there is small), so the best schedules mix models.
struct Synthetic;

impl Scorer for Synthetic {
    fn scores(&mut self, items: &[Genome]) -> Vec<f64> {
        items
            .iter()
            .map(|g| {
                let ids = SlotSpace::nfe_ids(&g.slots);
                let n = ids.len() as f64;
                let gain: f64 = ids
                    .iter()
                    .enumerate()
                    .map(|(i, &m)| {
                        let noisy = i == 0;
                        match (m, noisy) {
                            (1, _) => 2.0,
                            (2, true) => 2.5,
                            (2, false) => 6.0,
                            (_, true) => 3.0,
                            _ => 10.0,
                        }
                    })
                    .sum();
                100.0 - gain + 0.5 * (n - 8.0).max(0.0).powi(2)
            })
            .collect()
    }
}

/// [`Synthetic`] plus a form term: multistep and a first knot near 100 thousandths are better.
struct SyntheticJoint;

impl Scorer for SyntheticJoint {
    fn scores(&mut self, items: &[Genome]) -> Vec<f64> {
        let base = Synthetic.scores(items);
        items
            .iter()
            .zip(base)
            .map(|(g, b)| {
                let knot = f64::from(g.form.placement.knots[0]);
                b + if g.form.multistep { 0.0 } else { 3.0 } + ((knot - 100.0) / 50.0).powi(2)
            })
            .collect()
    }
}

fn space() -> SlotSpace {
    let per_nfe_ms: BTreeMap<String, f64> = [("s", 1.0), ("m", 3.0), ("l", 8.0)]
        .into_iter()
        .map(|(m, v)| (m.to_string(), v))
        .collect();
    let table = LatencyTable {
        batch: 1,
        per_nfe_ms,
        switch_ms: 0.1,
        sampler_ms_per_nfe: 0.0,
    };
    SlotSpace::new(10, vec!["s".into(), "m".into(), "l".into()], &table).unwrap()
}

fn config() -> EvolveConfig {
    EvolveConfig {
        generations: 60,
        ..EvolveConfig::default()
    }
}

#[test]
fn evolve_keeps_the_budget_and_is_deterministic() {
    let sp = space();
    let run = || {
        let mut scorer = Synthetic;
        let mut cache = ScoreCache::new(&mut scorer);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        evolve(
            &sp,
            &mut cache,
            30.0,
            &[],
            &config(),
            &mut rng,
            &mut |_, _| {},
        )
        .unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert!(
        a.iter()
            .all(|c| c.cost <= 30.0 && c.genome.slots == c.genome.slots.canonical())
    );
    assert!(a.windows(2).all(|w| w[0].score <= w[1].score));
    let distinct: std::collections::HashSet<_> = a.iter().map(|c| c.genome.clone()).collect();
    assert_eq!(distinct.len(), a.len());
}

#[test]
fn an_impossible_budget_is_an_error_naming_the_cheapest_cost() {
    let sp = space();
    let mut scorer = Synthetic;
    let mut cache = ScoreCache::new(&mut scorer);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let err = evolve(
        &sp,
        &mut cache,
        0.5,
        &[],
        &config(),
        &mut rng,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, SearchError::NoSchedule { .. }));
    assert!(err.to_string().contains("costs 1.00 ms"), "{err}");
}

#[test]
fn the_front_is_monotone_and_beats_random_search() {
    let sp = space();
    let mut scorer = Synthetic;
    let mut cache = ScoreCache::new(&mut scorer);
    let budgets = geometric_budgets(4.0, 80.0, 4);
    let front = pareto_search(
        &sp,
        &mut cache,
        &budgets,
        &[],
        &config(),
        1,
        &mut |_, _, _| {},
    )
    .unwrap();
    assert!(
        front
            .windows(2)
            .all(|w| w[1].best[0].score <= w[0].best[0].score)
    );
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for p in &front {
        assert!(p.best[0].cost <= p.budget);
        let mut scorer = Synthetic;
        let mut fresh = ScoreCache::new(&mut scorer);
        let random = random_search(
            &sp,
            &mut fresh,
            p.budget,
            p.queries,
            1,
            &JointConfig::SLOTS,
            &mut rng,
        )
        .unwrap();
        assert!(
            p.best[0].score <= random[0].score,
            "budget {}: search {} vs random {}",
            p.budget,
            p.best[0].score,
            random[0].score
        );
    }
}

#[test]
fn the_joint_search_finds_the_form_and_keeps_seeds() {
    let sp = space();
    let joint = EvolveConfig {
        joint: JointConfig::JOINT,
        ..config()
    };
    let run = |cfg: &EvolveConfig, seeds: &[Genome]| {
        let mut scorer = SyntheticJoint;
        let mut cache = ScoreCache::new(&mut scorer);
        pareto_search(&sp, &mut cache, &[30.0], seeds, cfg, 3, &mut |_, _, _| {}).unwrap()
    };
    let (a, b) = (run(&joint, &[]), run(&joint, &[]));
    assert_eq!(a[0].best, b[0].best, "deterministic");
    assert_eq!(a[0].distinct, b[0].distinct, "deterministic");
    // The distinct candidates: the best first, within budget, no two with the same slots and
    // solver, sorted.
    let d = &a[0].distinct;
    assert_eq!(d[0].score, a[0].best[0].score);
    assert!(d.windows(2).all(|w| w[0].score <= w[1].score));
    assert!(d.iter().all(|c| c.cost <= 30.0));
    let keys: std::collections::HashSet<_> = d
        .iter()
        .map(|c| (c.genome.slots.clone(), c.genome.form.multistep))
        .collect();
    assert_eq!(keys.len(), d.len());
    assert_eq!(d.len(), oms_search::front::DISTINCT);
    let best = &a[0].best[0];
    assert!(best.cost <= 30.0);
    assert!(best.genome.form.multistep, "{best:?}");
    assert!(best.genome.form.placement.knots[0] < 200, "{best:?}");
    let slots_only = run(&config(), &[]);
    assert!(best.score < slots_only[0].best[0].score);
    assert!(
        slots_only[0]
            .best
            .iter()
            .all(|c| c.genome.form == oms_space::Form::REFERENCE)
    );
    // A seed is kept: a slots-only search from the joint optimum ends at least as good.
    let seed = best.genome.clone();
    let seeded = run(&config(), std::slice::from_ref(&seed));
    assert!(seeded[0].best[0].score <= best.score);
}
