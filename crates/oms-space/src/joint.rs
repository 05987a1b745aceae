//! Joint plans: schedules of the joint space (slots with a placement and a solver, see
//! [`crate::form`]) drawn for labelling.

use std::collections::HashSet;

use oms_schedule::SlotEncoding;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::SpaceError;
use crate::form::{Form, KNOTS, Placement};
use crate::plan::{Generator, Planned, baseline_plan};
use crate::space::SlotSpace;

/// `count` distinct joint schedules costing at most `max_cost`, for `seed` (deterministic; a
/// longer list extends a shorter one). Half start from a baseline structure (a single model or
/// a two-model switch at NFE 2-8, as drawn or with one to three positions mutated), half from
/// the reference generator repaired under `max_cost`; each gets a placement moved by zero to
/// eight knot jitters of 120 thousandths (gap 1) and the multistep solver with probability one
/// half.
pub fn joint_plan(
    space: &SlotSpace,
    count: usize,
    max_cost: f64,
    seed: u64,
) -> Result<Vec<Planned>, SpaceError> {
    let bases: Vec<SlotEncoding> = baseline_plan(space, &[2, 3, 4, 5, 6, 8])
        .into_iter()
        .map(|p| p.slots)
        .filter(|s| space.cost(s) <= max_cost)
        .collect();
    if bases.is_empty() {
        let cheapest = space.cost_range().0;
        return Err(SpaceError::Invalid(format!(
            "no baseline structure costs at most {max_cost:.1} ms (the cheapest schedule costs {cheapest:.1} ms): raise --max-cost"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(count);
    for _ in 0..(1000 * count + 10_000) {
        if out.len() >= count {
            break;
        }
        let slots = if rng.random_bool(0.5) {
            let b = &bases[rng.random_range(0..bases.len())];
            if rng.random_bool(0.5) {
                b.clone()
            } else {
                let k = rng.random_range(1..=3);
                space.mutate_positions(b, k, &mut rng).canonical()
            }
        } else {
            let r = space.reference_random(&mut rng);
            match space.repair(&r, 0.0, max_cost, 1000, &mut rng) {
                Ok(s) => s.canonical(),
                Err(_) => continue,
            }
        };
        let mut placement = Placement::UNIFORM;
        for _ in 0..rng.random_range(0..=2 * KNOTS) {
            placement = placement.jitter(120.0, 1, &mut rng);
        }
        let form = Form {
            placement,
            multistep: rng.random_bool(0.5),
        };
        if space.cost(&slots) <= max_cost && seen.insert((slots.entries.clone(), form)) {
            out.push(Planned {
                id: out.len() as u64,
                generator: Generator::Joint,
                slots,
                form,
            });
        }
    }
    if out.len() < count {
        return Err(SpaceError::Invalid(format!(
            "only {} distinct joint schedules found under {max_cost:.1} ms",
            out.len()
        )));
    }
    Ok(out)
}
