//! The joint space (placement and solver beyond the slots), without tensors.

use std::collections::BTreeMap;

use oms_schedule::{LatencyTable, NoiseSchedule, NoiseSpec, SlotEncoding, Solver};
use oms_space::{Form, Generator, Placement, SlotSpace, joint_plan};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn table() -> LatencyTable {
    LatencyTable {
        batch: 8,
        per_nfe_ms: [("a", 1.0), ("b", 4.0), ("c", 10.0)]
            .into_iter()
            .map(|(m, ms)| (m.to_string(), ms))
            .collect::<BTreeMap<_, _>>(),
        switch_ms: 0.5,
        sampler_ms_per_nfe: 0.1,
    }
}

fn space() -> SlotSpace {
    SlotSpace::new(6, vec!["a".into(), "b".into(), "c".into()], &table()).unwrap()
}

fn noise() -> NoiseSchedule {
    NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap()
}

fn slots() -> SlotEncoding {
    SlotEncoding {
        entries: vec![3, 3, 0, 1, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    }
}

#[test]
fn the_reference_form_is_the_reference_schedule() {
    let (sp, nz) = (space(), noise());
    let start = nz.lambda(1.0);
    let want = slots()
        .to_schedule_from(&sp.models, &nz, Solver::DpmSolver, start)
        .unwrap();
    let got = Form::REFERENCE
        .schedule(&slots(), &sp.models, &nz, Solver::DpmSolver, start)
        .unwrap();
    assert_eq!(got, want);
    // The uniform warp is the identity.
    for i in 0..=20 {
        let u = i as f64 / 20.0;
        assert!((Placement::UNIFORM.warp(u) - u).abs() < 1e-12);
    }
}

#[test]
fn a_warped_single_step_schedule_keeps_models_orders_and_ends() {
    let (sp, nz) = (space(), noise());
    let start = nz.lambda(1.0);
    let reference = Form::REFERENCE
        .schedule(&slots(), &sp.models, &nz, Solver::DpmSolver, start)
        .unwrap();
    let form = Form {
        placement: Placement {
            knots: [50, 300, 700, 950],
        },
        multistep: false,
    };
    let warped = form
        .schedule(&slots(), &sp.models, &nz, Solver::DpmSolver, start)
        .unwrap();
    warped.validate_structure().unwrap();
    assert_eq!(warped.steps.len(), reference.steps.len());
    for (w, r) in warped.steps.iter().zip(&reference.steps) {
        assert_eq!((w.order, &w.models), (r.order, &r.models));
    }
    assert_eq!(warped.steps[0].from, reference.steps[0].from);
    assert_eq!(
        warped.steps.last().unwrap().to,
        reference.steps.last().unwrap().to
    );
    assert_ne!(warped.steps[0].to, reference.steps[0].to);
    assert_eq!(table().cost(&warped).unwrap(), sp.cost(&slots()));
}

#[test]
fn multistep_runs_one_step_per_nfe_with_orders_capped_by_history() {
    let (sp, nz) = (space(), noise());
    let form = Form {
        placement: Placement::UNIFORM,
        multistep: true,
    };
    let s = form
        .schedule(&slots(), &sp.models, &nz, Solver::DpmSolver, nz.lambda(1.0))
        .unwrap();
    s.validate_structure().unwrap();
    assert_eq!(s.solver, Solver::DpmSolverPpMultistep);
    assert_eq!(s.nfe(), slots().nfe());
    assert_eq!(s.steps.len(), 6);
    // Noisiest slot first: [1] (order 1), then [1,2,3] (order 3), then [3,3] (order 2).
    let orders: Vec<u8> = s.steps.iter().map(|st| st.order).collect();
    assert_eq!(orders, vec![1, 2, 3, 3, 2, 2]);
    assert_eq!(table().cost(&s).unwrap(), sp.cost(&slots()));
}

#[test]
fn the_joint_plan_is_deterministic_within_budget_and_extends() {
    let sp = space();
    let long = joint_plan(&sp, 60, 40.0, 7).unwrap();
    let short = joint_plan(&sp, 20, 40.0, 7).unwrap();
    assert_eq!(&long[..20], &short[..]);
    assert!(long.iter().all(|p| sp.cost(&p.slots) <= 40.0));
    assert!(long.iter().all(|p| p.generator == Generator::Joint));
    assert!(long.iter().any(|p| p.form.multistep) && long.iter().any(|p| !p.form.multistep));
    assert!(long.iter().any(|p| p.form.placement != Placement::UNIFORM));
    let err = joint_plan(&sp, 5, 0.5, 7).unwrap_err().to_string();
    assert!(err.contains("max-cost"), "{err}");
}

proptest! {
    #[test]
    fn jitter_keeps_placements_valid_and_warps_monotone(seed in 0u64..500, steps in 1usize..40) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut p = Placement::UNIFORM;
        for _ in 0..steps {
            p = p.jitter(300.0, 1, &mut rng);
            prop_assert!(p.is_valid(), "{p:?}");
        }
        let mut q = Placement::UNIFORM;
        for _ in 0..steps {
            q = q.jitter(300.0, 60, &mut rng);
            prop_assert!(q.is_valid() && q.min_gap() >= 60, "{q:?}");
        }
        let w: Vec<f64> = (0..=50).map(|i| p.warp(i as f64 / 50.0)).collect();
        prop_assert!(w.windows(2).all(|x| x[0] < x[1]));
        prop_assert!(w[0] == 0.0 && w[50] == 1.0);
    }
}
