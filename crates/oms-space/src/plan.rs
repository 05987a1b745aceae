//! Which schedules a dataset labels: a deterministic, de-duplicated list drawn from a seed, and
//! its deterministic split into shards.

use std::collections::HashSet;

use oms_schedule::SlotEncoding;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::SpaceError;
use crate::form::Form;
use crate::space::SlotSpace;

/// How a schedule was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generator {
    /// The reference generator (Dirichlet 0.4 mix, 0.8 blanking).
    Reference,
    /// A target cost spread evenly (log-uniform) between the cheapest and the dearest schedule,
    /// reached by repair.
    EvenCost,
    /// One model at every NFE (a baseline).
    SingleModel,
    /// A cheaper model for the noisy first NFEs, then a dearer one (a T-Stitch baseline).
    TwoModel,
    /// A joint-space schedule: slots with a placement and a solver ([`crate::joint_plan`]).
    Joint,
    /// A candidate the search ranked best in an active-learning round (`cargo xtask active`):
    /// labels where the predictor is queried hardest.
    Active,
}

/// One schedule of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Position in the plan (stable for a seed).
    pub id: u64,
    /// How it was drawn.
    pub generator: Generator,
    /// The schedule in canonical slot form.
    pub slots: SlotEncoding,
    /// Placement and solver ([`Form::REFERENCE`] except in joint plans).
    pub form: Form,
}

/// `count` distinct schedules (by canonical form) for `seed`; schedule `i` uses the even-cost
/// generator when `i * even_fraction` crosses an integer, the reference generator otherwise.
/// The same arguments give the same list; a longer list extends a shorter one.
pub fn plan(
    space: &SlotSpace,
    count: usize,
    even_fraction: f64,
    seed: u64,
) -> Result<Vec<Planned>, SpaceError> {
    if !(0.0..=1.0).contains(&even_fraction) {
        return Err(SpaceError::Invalid(format!(
            "the even-cost fraction must lie in [0, 1], not {even_fraction}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (cheapest, dearest) = space.cost_range();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while out.len() < count {
        attempts += 1;
        if attempts > 100 * count + 1000 {
            return Err(SpaceError::Invalid(format!(
                "found only {} distinct schedules in {attempts} draws: use more slots or fewer schedules",
                out.len()
            )));
        }
        let i = out.len() as f64;
        let even = ((i + 1.0) * even_fraction).floor() > (i * even_fraction).floor();
        let start = space.reference_random(&mut rng);
        let (generator, enc) = if even {
            // Log-uniform: budgets span three orders of magnitude and are asked for on a log
            // scale; a linear draw would spend most labels on schedules dearer than any budget.
            let c = cheapest * (dearest / cheapest).powf(rng.random::<f64>());
            // Costs are discrete: a narrow window near the cheap end may hold no schedule at
            // all; then draw another target.
            match space.repair(&start, 0.9 * c, c, 2_000, &mut rng) {
                Ok(enc) => (Generator::EvenCost, enc),
                Err(_) => continue,
            }
        } else {
            (Generator::Reference, start)
        };
        let slots = enc.canonical();
        if seen.insert(slots.entries.clone()) {
            out.push(Planned {
                id: out.len() as u64,
                generator,
                slots,
                form: Form::REFERENCE,
            });
        }
    }
    Ok(out)
}

/// Shard `index` of `count` (0-based): the plan ids `id % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The whole plan.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/n` (for example `3/8`, or `$SLURM_ARRAY_TASK_ID/8`).
    pub fn parse(text: &str) -> Result<Shard, SpaceError> {
        let bad = || {
            SpaceError::Invalid(format!(
                "bad shard '{text}': write i/n with 0 <= i < n, for example 0/4"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether plan id `id` belongs to this shard.
    pub fn owns(&self, id: u64) -> bool {
        id % self.count as u64 == self.index as u64
    }
}

/// Slots of a single-step schedule with `nfe` evaluations at order `order` (the DPM-Solver
/// "fast" layout: steps of `order`, the remainder as one lower-order step at the clean end),
/// the model of each NFE given in sampling order. `None` if it needs more than `k_slots` slots.
pub fn ordered_slots(models: &[u32], order: usize, k_slots: usize) -> Option<SlotEncoding> {
    let nfe = models.len();
    let steps = nfe.div_ceil(order);
    if nfe == 0 || steps > k_slots {
        return None;
    }
    let mut entries = vec![0u32; 3 * k_slots];
    let mut it = models.iter();
    for step in 0..steps {
        let size = if step + 1 == steps {
            nfe - order * (steps - 1)
        } else {
            order
        };
        // Noisiest step in the highest active slot; its first NFE in the highest entry.
        let slot = steps - 1 - step;
        for p in (0..size).rev() {
            entries[3 * slot + p] = *it.next().expect("enough models");
        }
    }
    Some(SlotEncoding { entries })
}

/// The baseline plan: every model alone at `nfes` and orders 1-3, and every pair (cheaper model
/// first) switching after a quarter, half and three quarters of the NFEs at orders 2 and 3.
pub fn baseline_plan(space: &SlotSpace, nfes: &[usize]) -> Vec<Planned> {
    let n_models = space.models.len() as u32;
    let mut seen = HashSet::new();
    let mut out = vec![];
    let mut push = |generator, slots: Option<SlotEncoding>, out: &mut Vec<Planned>| {
        if let Some(slots) = slots.map(|s| s.canonical())
            && seen.insert(slots.entries.clone())
        {
            out.push(Planned {
                id: out.len() as u64,
                generator,
                slots,
                form: Form::REFERENCE,
            });
        }
    };
    for m in 1..=n_models {
        for &n in nfes {
            for order in 1..=3 {
                push(
                    Generator::SingleModel,
                    ordered_slots(&vec![m; n], order, space.k_slots),
                    &mut out,
                );
            }
        }
    }
    let one = |m: u32| {
        space.cost(&SlotEncoding {
            entries: vec![m, 0, 0],
        })
    };
    for small in 1..=n_models {
        for large in 1..=n_models {
            if one(small) >= one(large) {
                continue;
            }
            for &n in nfes.iter().filter(|&&n| n >= 4) {
                for quarter in 1..=3 {
                    let k = n * quarter / 4;
                    let seq: Vec<u32> = (0..n).map(|i| if i < k { small } else { large }).collect();
                    for order in 2..=3 {
                        push(
                            Generator::TwoModel,
                            ordered_slots(&seq, order, space.k_slots),
                            &mut out,
                        );
                    }
                }
            }
        }
    }
    out
}
