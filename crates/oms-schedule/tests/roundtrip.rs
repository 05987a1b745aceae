//! Property tests: lambda -> t -> lambda for every noise schedule, reference encodings through
//! the schedule type, and RON/JSON round trips.

use oms_schedule::{
    DdimGrid, Lambda, NoiseSchedule, NoiseSpec, Schedule, SlotEncoding, Solver, Step,
};
use proptest::prelude::*;

fn schedules() -> Vec<NoiseSchedule> {
    [
        NoiseSpec::linear_vp(),
        NoiseSpec::cosine(),
        NoiseSpec::ddpm_linear(),
        NoiseSpec::scaled_linear(),
        NoiseSpec::Betas(vec![0.01, 0.05, 0.1, 0.2, 0.3]),
    ]
    .into_iter()
    .map(|s| NoiseSchedule::new(s).unwrap())
    .collect()
}

fn names() -> Vec<String> {
    ["small", "medium", "large", "huge"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// A slot array that keeps the slot invariant: each slot has 0..=3 leading non-zero entries.
fn slot_array(k: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec((0usize..=3, prop::array::uniform3(1u32..=4)), k).prop_map(|slots| {
        slots
            .into_iter()
            .flat_map(|(n, ids)| (0..3).map(move |p| if p < n { ids[p] } else { 0 }))
            .collect()
    })
}

proptest! {
    #[test]
    fn lambda_t_lambda_round_trips(u in 0.0f64..1.0, which in 0usize..5) {
        let s = &schedules()[which];
        let (t0, t1) = s.t_range();
        let t = t0.max(1e-4) + (t1 - t0.max(1e-4)) * u;
        let l = s.lambda(t);
        let back = s.lambda(s.t_of_lambda(l));
        prop_assert!((back - l).abs() <= 1e-9 * (1.0 + l.abs()), "{:?}: {l} -> {back}", s.spec());
        prop_assert!((s.t_of_lambda(l) - t).abs() <= 1e-7, "t {t} -> {}", s.t_of_lambda(l));
    }

    #[test]
    fn slot_encoding_round_trips(entries in slot_array(8)) {
        prop_assume!(entries.iter().any(|&e| e != 0));
        let enc = SlotEncoding { entries };
        let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
        let sched = enc.to_schedule(&names(), &noise, Solver::DpmSolver).unwrap();
        sched.validate_structure().unwrap();
        prop_assert_eq!(sched.nfe(), enc.nfe());
        let back = SlotEncoding::from_schedule(&sched, &names(), &noise, 8).unwrap();
        prop_assert_eq!(back, enc.canonical());
    }

    #[test]
    fn ddim_grid_round_trips(entries in prop::collection::vec(prop_oneof![3 => Just(0u32), 1 => 1u32..=4], 20)) {
        prop_assume!(entries.iter().any(|&e| e != 0));
        let enc = DdimGrid { entries };
        let noise = NoiseSchedule::new(NoiseSpec::ddpm_linear()).unwrap();
        let sched = enc.to_schedule(&names(), &noise, 0.0).unwrap();
        sched.validate_structure().unwrap();
        let back = DdimGrid::from_schedule(&sched, &names(), &noise, 20).unwrap();
        prop_assert_eq!(back, enc);
    }

    #[test]
    fn ron_and_json_round_trip(entries in slot_array(6), multistep in any::<bool>()) {
        prop_assume!(entries.iter().any(|&e| e != 0));
        let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
        let mut sched = SlotEncoding { entries }.to_schedule(&names(), &noise, Solver::DpmSolverPp).unwrap();
        if multistep {
            sched.steps.last_mut().unwrap().to = Lambda::CLEAN;
            sched.steps.last_mut().unwrap().order = 1;
            sched.steps.last_mut().unwrap().models.truncate(1);
        }
        let ron_text = sched.to_ron();
        prop_assert_eq!(&Schedule::from_ron(&ron_text).unwrap(), &sched);
        let json = serde_json::to_string(&sched).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Schedule>(&json).unwrap(), &sched);
    }
}

#[test]
fn slot_order_and_nfe_order_follow_the_reference() {
    // Slot 1 (noise end) = [a, b, c]: order 3, first NFE uses c (the highest index).
    let enc = SlotEncoding {
        entries: vec![1, 0, 0, 1, 2, 3],
    };
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let s = enc
        .to_schedule(&names(), &noise, Solver::DpmSolver)
        .unwrap();
    assert_eq!(s.steps.len(), 2);
    assert_eq!(s.steps[0].models, ["large", "medium", "small"]);
    assert_eq!(s.steps[0].order, 3);
    assert_eq!(s.steps[1].models, ["small"]);
    // 4 NFE < 15, so t_0 = 1e-3; boundaries lambda-uniform from t = 1.
    assert!((s.steps[0].from.0 - noise.lambda(1.0)).abs() < 1e-12);
    assert!((s.steps[1].to.0 - noise.lambda(1e-3)).abs() < 1e-9);
    let mid = 0.5 * (noise.lambda(1.0) + noise.lambda(1e-3));
    assert!((s.steps[0].to.0 - mid).abs() < 1e-12);
}

#[test]
fn ddim_grid_follows_the_reference() {
    // L = 10 over 1000 steps: grid times 0, 100, ..., 900. Active at 900 and 300.
    let mut entries = vec![0u32; 10];
    entries[9] = 2;
    entries[3] = 1;
    let noise = NoiseSchedule::new(NoiseSpec::ddpm_linear()).unwrap();
    let s = DdimGrid { entries }
        .to_schedule(&names(), &noise, 0.0)
        .unwrap();
    assert_eq!(s.steps.len(), 2);
    assert!((s.steps[0].from.0 - noise.lambda(901.0 / 1000.0)).abs() < 1e-12);
    assert!((s.steps[0].to.0 - noise.lambda(301.0 / 1000.0)).abs() < 1e-12);
    assert!(s.steps[1].to.is_clean());
    assert_eq!(s.steps[0].models, ["medium"]);
}

#[test]
fn clean_end_serialises_as_a_word() {
    let s = Schedule::new(
        Solver::Ddim { eta: 0.0 },
        vec![Step {
            from: Lambda(-3.0),
            to: Lambda::CLEAN,
            order: 1,
            models: vec!["m".into()],
        }],
    );
    assert!(s.to_ron().contains("\"clean\""));
    assert!(serde_json::to_string(&s).unwrap().contains("\"clean\""));
}

/// Schedule files may name the solver as the command line does (`dpm-solver`, `dpm-solver++`,
/// `dpm-solver++-multistep`, `ddim`) as well as by the type's own names.
#[test]
fn solver_names_of_the_command_line_parse_in_json() {
    use oms_schedule::Solver;
    for (name, solver) in [
        ("\"dpm-solver\"", Solver::DpmSolver),
        ("\"DpmSolver\"", Solver::DpmSolver),
        ("\"dpm-solver++\"", Solver::DpmSolverPp),
        ("\"dpm-solver++-multistep\"", Solver::DpmSolverPpMultistep),
        ("{\"ddim\": {\"eta\": 0.5}}", Solver::Ddim { eta: 0.5 }),
    ] {
        assert_eq!(
            serde_json::from_str::<Solver>(name).unwrap(),
            solver,
            "{name}"
        );
    }
}
