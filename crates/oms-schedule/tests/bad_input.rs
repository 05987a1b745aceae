//! Each class of bad input gives its typed error, and the message says what to change.

use oms_schedule::{
    DdimGrid, EncodingError, Lambda, ModelInfo, NoiseSchedule, NoiseSpec, Schedule, ScheduleError,
    SlotEncoding, Solver, Step,
};

fn zoo() -> Vec<ModelInfo> {
    vec![
        ModelInfo {
            name: "small".into(),
            lambda_min: -5.0,
        },
        ModelInfo {
            name: "large".into(),
            lambda_min: -5.0,
        },
    ]
}

fn step(from: f64, to: f64, order: u8, models: &[&str]) -> Step {
    Step {
        from: Lambda(from),
        to: Lambda(to),
        order,
        models: models.iter().map(|m| m.to_string()).collect(),
    }
}

fn check(solver: Solver, steps: Vec<Step>) -> ScheduleError {
    Schedule::new(solver, steps).validate(&zoo()).unwrap_err()
}

#[test]
fn unknown_model() {
    let e = check(Solver::DpmSolver, vec![step(-4.0, 0.0, 1, &["tiny"])]);
    assert!(matches!(e, ScheduleError::UnknownModel { step: 0, .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("tiny") && msg.contains("small, large"),
        "{msg}"
    );
}

#[test]
fn non_monotone_and_discontinuous_levels() {
    let e = check(
        Solver::DpmSolver,
        vec![
            step(-4.0, -1.0, 1, &["small"]),
            step(-1.0, -2.0, 1, &["small"]),
        ],
    );
    assert!(
        matches!(e, ScheduleError::NonMonotone { step: 1, .. }),
        "{e}"
    );
    let e = check(
        Solver::DpmSolver,
        vec![
            step(-4.0, -1.0, 1, &["small"]),
            step(-0.5, 2.0, 1, &["small"]),
        ],
    );
    assert!(
        matches!(e, ScheduleError::Discontinuous { step: 1, .. }),
        "{e}"
    );
    let e = check(Solver::DpmSolver, vec![step(f64::NAN, 2.0, 1, &["small"])]);
    assert!(matches!(e, ScheduleError::NonFinite { step: 0, .. }), "{e}");
}

#[test]
fn out_of_range_level() {
    let e = check(Solver::DpmSolver, vec![step(-9.0, 2.0, 1, &["small"])]);
    assert!(
        matches!(e, ScheduleError::OutOfRange { step: 0, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("-5"), "{e}");
}

#[test]
fn order_mismatch_and_unsupported_order() {
    let e = check(Solver::DpmSolver, vec![step(-4.0, 2.0, 2, &["small"])]);
    assert!(
        matches!(
            e,
            ScheduleError::OrderMismatch {
                step: 0,
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = check(
        Solver::Ddim { eta: 0.0 },
        vec![step(-4.0, 2.0, 2, &["small", "large"])],
    );
    assert!(
        matches!(e, ScheduleError::OrderUnsupported { order: 2, .. }),
        "{e}"
    );
    let e = check(Solver::DpmSolver, vec![step(-4.0, 2.0, 4, &["small"; 4])]);
    assert!(
        matches!(e, ScheduleError::OrderUnsupported { order: 4, .. }),
        "{e}"
    );
    let e = check(
        Solver::DpmSolverPpMultistep,
        vec![step(-4.0, 2.0, 2, &["small"])],
    );
    assert!(
        matches!(e, ScheduleError::MultistepHistory { step: 0, .. }),
        "{e}"
    );
}

#[test]
fn empty_schedule_and_clean_end_rules() {
    assert_eq!(check(Solver::DpmSolver, vec![]), ScheduleError::Empty);
    let e = check(
        Solver::DpmSolver,
        vec![step(-4.0, f64::INFINITY, 2, &["small", "large"])],
    );
    assert!(
        matches!(e, ScheduleError::CleanEndHighOrder { step: 0, order: 2 }),
        "{e}"
    );
    let e = check(
        Solver::DpmSolver,
        vec![
            step(-4.0, f64::INFINITY, 1, &["small"]),
            step(f64::INFINITY, 1.0, 1, &["small"]),
        ],
    );
    assert!(
        matches!(
            e,
            ScheduleError::CleanEndNotLast { step: 0 } | ScheduleError::NonFinite { .. }
        ),
        "{e}"
    );
    let mut s = Schedule::new(Solver::DpmSolver, vec![step(-4.0, 2.0, 1, &["small"])]);
    s.format_version = 99;
    assert!(matches!(
        s.validate(&zoo()),
        Err(ScheduleError::FormatVersion { found: 99, .. })
    ));
    let e = check(
        Solver::Ddim { eta: -1.0 },
        vec![step(-4.0, 2.0, 1, &["small"])],
    );
    assert!(matches!(e, ScheduleError::Solver(_)), "{e}");
}

#[test]
fn malformed_encodings() {
    let names: Vec<String> = vec!["small".into(), "large".into()];
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let bad_slot = SlotEncoding {
        entries: vec![1, 0, 2, 0, 0, 0],
    };
    let e = bad_slot
        .to_schedule(&names, &noise, Solver::DpmSolver)
        .unwrap_err();
    assert!(
        matches!(
            e,
            EncodingError::SlotInvariant {
                slot: 0,
                entries: [1, 0, 2]
            }
        ),
        "{e}"
    );
    let e = SlotEncoding {
        entries: vec![1, 0],
    }
    .to_schedule(&names, &noise, Solver::DpmSolver)
    .unwrap_err();
    assert!(matches!(e, EncodingError::BadLength { len: 2, .. }), "{e}");
    let e = SlotEncoding {
        entries: vec![3, 0, 0],
    }
    .to_schedule(&names, &noise, Solver::DpmSolver)
    .unwrap_err();
    assert!(matches!(e, EncodingError::ModelId { id: 3, .. }), "{e}");
    let e = SlotEncoding {
        entries: vec![0; 6],
    }
    .to_schedule(&names, &noise, Solver::DpmSolver)
    .unwrap_err();
    assert_eq!(e, EncodingError::Empty);
    // The DDIM grid needs a discrete schedule.
    let e = DdimGrid {
        entries: vec![1; 10],
    }
    .to_schedule(&names, &noise, 0.0)
    .unwrap_err();
    assert!(matches!(e, EncodingError::NoiseSchedule(_)), "{e}");
    // A schedule off the reference placement cannot be written as slots.
    let s = Schedule::new(Solver::DpmSolver, vec![step(-4.0, 2.0, 1, &["small"])]);
    let e = SlotEncoding::from_schedule(&s, &names, &noise, 4).unwrap_err();
    assert!(
        matches!(e, EncodingError::NotRepresentable { step: 0, .. }),
        "{e}"
    );
}

#[test]
fn malformed_ron_names_the_position() {
    let err = Schedule::from_ron("(format_version: 1, solver: Warp, steps: [])").unwrap_err();
    assert!(err.to_string().contains("1:"), "{err}");
}
