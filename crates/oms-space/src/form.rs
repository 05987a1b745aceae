//! The joint schedule space beyond the reference (method.md section 7, item 2): a slot layout
//! (the model of each NFE and the order of each step) together with a **placement** of the step
//! boundaries in lambda and a **solver** (single-step DPM-Solver or multistep DPM-Solver++).
//!
//! Placement is a monotone piecewise-linear warp `w` of `[0, 1]` through `(0, 0)`, four knots at
//! `u = 0.2, 0.4, 0.6, 0.8` and `(1, 1)`: boundary `i` of `k` steps sits at
//! `lambda_T + (lambda_0 - lambda_T) w(i / k)` instead of the reference's lambda-uniform
//! `i / k`. Knots are integers in thousandths, so schedules de-duplicate exactly.
//!
//! Multistep (DPM-Solver++ 2M/3M, Lu et al. 2022b, arXiv 2211.01095, algorithm 2) reads the same
//! slots as one step per NFE: NFE `j` runs with its slot's order, capped by the outputs available
//! (`min(order, j + 1)`), so one slot genome mutates the same way under both solvers and costs
//! the same NFEs.

use oms_schedule::{EncodingError, Lambda, NoiseSchedule, Schedule, SlotEncoding, Solver};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Knots of the placement warp.
pub const KNOTS: usize = 4;

/// A monotone warp of the step boundaries (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Placement {
    /// `1000 w(0.2 i)` for `i = 1..=4`, strictly increasing inside `(0, 1000)`.
    pub knots: [u16; KNOTS],
}

impl Placement {
    /// The reference: lambda-uniform boundaries.
    pub const UNIFORM: Placement = Placement {
        knots: [200, 400, 600, 800],
    };

    /// `w(u)` for `u` in `[0, 1]`.
    pub fn warp(&self, u: f64) -> f64 {
        let y = |i: usize| match i {
            0 => 0.0,
            i if i > KNOTS => 1.0,
            i => f64::from(self.knots[i - 1]) / 1000.0,
        };
        let x = u.clamp(0.0, 1.0) * (KNOTS + 1) as f64;
        let i = (x.floor() as usize).min(KNOTS);
        y(i) + (y(i + 1) - y(i)) * (x - i as f64)
    }

    /// Whether the knots are strictly increasing inside `(0, 1000)`.
    pub fn is_valid(&self) -> bool {
        let k = &self.knots;
        k[0] > 0 && k[KNOTS - 1] < 1000 && k.windows(2).all(|w| w[0] < w[1])
    }

    /// The smallest distance between two knots, or a knot and an end, in thousandths.
    pub fn min_gap(&self) -> u16 {
        let mut gap = self.knots[0].min(1000 - self.knots[KNOTS - 1]);
        for w in self.knots.windows(2) {
            gap = gap.min(w[1].saturating_sub(w[0]));
        }
        gap
    }

    /// A copy with one knot moved by a normal step of `sigma` thousandths, kept at least
    /// `min_gap` (>= 1) from its neighbours and the ends (a knot already closer stays).
    pub fn jitter(&self, sigma: f64, min_gap: u16, rng: &mut impl Rng) -> Placement {
        let g = min_gap.max(1);
        let mut knots = self.knots;
        let i = rng.random_range(0..KNOTS);
        let lo = if i == 0 { g } else { knots[i - 1] + g };
        let hi = if i + 1 == KNOTS {
            1000 - g
        } else {
            knots[i + 1].saturating_sub(g)
        };
        if lo <= hi {
            let step = normal(rng) * sigma;
            let v = (f64::from(knots[i]) + step).round();
            knots[i] = v.clamp(f64::from(lo), f64::from(hi)) as u16;
        }
        Placement { knots }
    }
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// What a schedule is beyond its slots: placement and solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Form {
    /// Step boundaries.
    pub placement: Placement,
    /// Multistep DPM-Solver++ instead of single-step DPM-Solver.
    pub multistep: bool,
}

impl Form {
    /// The reference: lambda-uniform single-step DPM-Solver.
    pub const REFERENCE: Form = Form {
        placement: Placement::UNIFORM,
        multistep: false,
    };

    /// Whether this is [`Form::REFERENCE`] (records of the reference form omit the form).
    pub fn is_reference(&self) -> bool {
        *self == Form::REFERENCE
    }

    /// The schedule of `slots` in this form; single-step schedules use `solver`.
    pub fn schedule(
        &self,
        slots: &SlotEncoding,
        models: &[String],
        noise: &NoiseSchedule,
        solver: Solver,
        lambda_start: f64,
    ) -> Result<Schedule, EncodingError> {
        let single = slots.to_schedule_from(models, noise, solver, lambda_start)?;
        if self.is_reference() {
            return Ok(single);
        }
        let (first, last) = (
            single.steps[0].from.0,
            single.steps.last().expect("steps").to.0,
        );
        let at =
            |i: usize, k: usize| first + (last - first) * self.placement.warp(i as f64 / k as f64);
        if !self.multistep {
            let k = single.steps.len();
            let mut s = single;
            for (i, step) in s.steps.iter_mut().enumerate() {
                step.from = Lambda(at(i, k));
                step.to = Lambda(at(i + 1, k));
            }
            return Ok(s);
        }
        let nfes: Vec<(u8, String)> = single
            .steps
            .iter()
            .flat_map(|st| st.models.iter().map(move |m| (st.order, m.clone())))
            .collect();
        let n = nfes.len();
        let lambdas: Vec<f64> = (0..=n).map(|i| at(i, n)).collect();
        let orders: Vec<u8> = (0..n).map(|j| nfes[j].0.min(j as u8 + 1)).collect();
        Ok(Schedule::from_lambdas(
            Solver::DpmSolverPpMultistep,
            &lambdas,
            &orders,
            |i, _| nfes[i].1.clone(),
        ))
    }
}
