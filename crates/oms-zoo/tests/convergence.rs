//! Every solver converges to the exact probability-flow ODE solution through the real sampler,
//! at its theoretical order (within 0.3): on a Gaussian (closed-form solution) and on a Gaussian
//! mixture (fine reference solve). `cargo xtask convergence` writes the same report to docs.

use burn::tensor::{DType, Device};
use oms_zoo::analytic::convergence::standard_report;

#[test]
fn every_solver_converges_at_its_order() {
    let sections = standard_report(&Device::flex(), DType::F64);
    let mut failures = vec![];
    for s in sections.iter().filter(|s| s.checked) {
        for r in &s.rows {
            if (r.slope - r.expected).abs() >= 0.3 {
                failures.push(format!(
                    "{}: {} order {} slope {:.3} {:?}",
                    s.title, r.solver, r.order, r.slope, r.errors
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The informational section still converges: errors fall at every doubling, 6x overall.
    for r in &sections[2].rows {
        let falling = r.errors.windows(2).all(|w| w[1] < w[0]);
        assert!(
            falling && r.errors[0] > 6.0 * r.errors[3],
            "{} order {}: {:?}",
            r.solver,
            r.order,
            r.errors
        );
    }
}
