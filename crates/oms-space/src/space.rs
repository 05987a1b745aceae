//! The search space of single-step DPM-Solver model schedules in the reference slot encoding
//! (method.md sections 2, 5 and 6): random schedules, their cost, and the lighter / heavier
//! mutations that repair a schedule into a cost window. Plain data; no tensors.

use oms_schedule::{LatencyTable, SlotEncoding};
use rand::Rng;
use rand_distr::{Distribution, Gamma};

use crate::SpaceError;

/// Slot schedules over a zoo, priced by a latency table.
#[derive(Debug, Clone)]
pub struct SlotSpace {
    /// Number of slots `K` (`L = 3 K` entries).
    pub k_slots: usize,
    /// Model names; id `i + 1` is `models[i]`.
    pub models: Vec<String>,
    /// Milliseconds per NFE of model id `i + 1`, the sampler's own cost included.
    nfe_ms: Vec<f64>,
    /// Extra milliseconds when consecutive NFEs use different models.
    switch_ms: f64,
}

impl SlotSpace {
    /// The space of `k_slots` slots over `models`, priced by `table`.
    pub fn new(
        k_slots: usize,
        models: Vec<String>,
        table: &LatencyTable,
    ) -> Result<Self, SpaceError> {
        if k_slots == 0 || models.is_empty() {
            return Err(SpaceError::Invalid(
                "need at least one slot and one model".into(),
            ));
        }
        let nfe_ms = models
            .iter()
            .map(|m| {
                table
                    .per_nfe_ms
                    .get(m)
                    .map(|ms| ms + table.sampler_ms_per_nfe)
                    .ok_or_else(|| {
                        SpaceError::Invalid(format!(
                            "the latency table has no entry for model '{m}': profile this zoo with `cargo xtask profile`"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            k_slots,
            models,
            nfe_ms,
            switch_ms: table.switch_ms,
        })
    }

    /// Model ids of the NFEs in sampling order (noisiest slot first; inside a slot the
    /// highest-index non-zero entry runs first).
    pub fn nfe_ids(enc: &SlotEncoding) -> Vec<u32> {
        let mut ids = vec![];
        for slot in enc.entries.chunks_exact(3).rev() {
            ids.extend(slot.iter().rev().filter(|&&e| e != 0));
        }
        ids
    }

    /// Predicted milliseconds of `enc`: the same sum as `LatencyTable::cost` of its schedule.
    pub fn cost(&self, enc: &SlotEncoding) -> f64 {
        let ids = Self::nfe_ids(enc);
        let per: f64 = ids.iter().map(|&i| self.nfe_ms[i as usize - 1]).sum();
        let switches = ids.windows(2).filter(|w| w[0] != w[1]).count();
        per + switches as f64 * self.switch_ms
    }

    /// The cheapest and the dearest schedule's cost (one NFE of the cheapest model; every entry
    /// set to the dearest model).
    pub fn cost_range(&self) -> (f64, f64) {
        let lo = self.nfe_ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.nfe_ms.iter().copied().fold(0.0, f64::max);
        (lo, hi * (3 * self.k_slots) as f64)
    }

    /// The reference generator (method.md section 5): a model mix `p ~ Dirichlet(0.4)`, every
    /// entry drawn from `p`, blanked with probability 0.8, then the slot invariant restored.
    /// Redrawn until at least one entry is set.
    pub fn reference_random(&self, rng: &mut impl Rng) -> SlotEncoding {
        let gamma = Gamma::new(0.4, 1.0).expect("valid gamma");
        loop {
            let w: Vec<f64> = (0..self.models.len()).map(|_| gamma.sample(rng)).collect();
            let total: f64 = w.iter().sum();
            let mut entries = vec![0u32; 3 * self.k_slots];
            for e in &mut entries {
                let mut u = rng.random::<f64>() * total;
                let mut id = self.models.len();
                for (i, wi) in w.iter().enumerate() {
                    if u < *wi {
                        id = i + 1;
                        break;
                    }
                    u -= wi;
                }
                if rng.random::<f64>() >= 0.8 {
                    *e = id as u32;
                }
            }
            let enc = restore_invariant(SlotEncoding { entries });
            if enc.nfe() > 0 {
                return enc;
            }
        }
    }

    /// Mutates every position with probability `p`: `Lighter` only to a cheaper model or to no
    /// evaluation, `Heavier` only to a dearer model (or a model where there was none), `Any` to
    /// any value. The result keeps the slot invariant and at least one NFE.
    pub fn mutate(
        &self,
        enc: &SlotEncoding,
        p: f64,
        kind: Mutation,
        rng: &mut impl Rng,
    ) -> SlotEncoding {
        let mut entries = enc.entries.clone();
        for e in &mut entries {
            if rng.random::<f64>() < p {
                let options = self.options(*e, kind);
                if !options.is_empty() {
                    *e = options[rng.random_range(0..options.len())];
                }
            }
        }
        let out = restore_invariant(SlotEncoding { entries });
        if out.nfe() == 0 { enc.clone() } else { out }
    }

    /// Changes exactly `count` distinct random positions to any other value.
    pub fn mutate_positions(
        &self,
        enc: &SlotEncoding,
        count: usize,
        rng: &mut impl Rng,
    ) -> SlotEncoding {
        let mut entries = enc.entries.clone();
        let len = entries.len();
        let picked = rand::seq::index::sample(rng, len, count.min(len));
        for i in picked {
            let options = self.options(entries[i], Mutation::Any);
            entries[i] = options[rng.random_range(0..options.len())];
        }
        let out = restore_invariant(SlotEncoding { entries });
        if out.nfe() == 0 { enc.clone() } else { out }
    }

    fn options(&self, current: u32, kind: Mutation) -> Vec<u32> {
        let cost = |id: u32| {
            if id == 0 {
                0.0
            } else {
                self.nfe_ms[id as usize - 1]
            }
        };
        let c = cost(current);
        (0..=self.models.len() as u32)
            .filter(|&id| id != current)
            .filter(|&id| match kind {
                Mutation::Lighter => cost(id) < c,
                Mutation::Heavier => id != 0 && cost(id) > c,
                Mutation::Any => true,
            })
            .collect()
    }

    /// Repairs `enc` into the cost window `[lo, hi]` by lighter / heavier mutations with
    /// per-position probability 0.1 (method.md section 6); an error after `max_tries` rounds.
    pub fn repair(
        &self,
        enc: &SlotEncoding,
        lo: f64,
        hi: f64,
        max_tries: usize,
        rng: &mut impl Rng,
    ) -> Result<SlotEncoding, SpaceError> {
        let (cheapest, dearest) = self.cost_range();
        if hi < cheapest || lo > dearest {
            return Err(SpaceError::Budget {
                lo,
                hi,
                cheapest,
                dearest,
            });
        }
        let mut cur = enc.clone();
        for _ in 0..max_tries {
            let c = self.cost(&cur);
            if (lo..=hi).contains(&c) {
                return Ok(cur);
            }
            let kind = if c > hi {
                Mutation::Lighter
            } else {
                Mutation::Heavier
            };
            cur = self.mutate(&cur, 0.1, kind, rng);
        }
        Err(SpaceError::Invalid(format!(
            "no schedule found in the cost window [{lo:.1}, {hi:.1}] ms after {max_tries} repairs"
        )))
    }
}

/// Which way a mutation may move the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// Never dearer at a position.
    Lighter,
    /// Never cheaper at a position.
    Heavier,
    /// Anything.
    Any,
}

/// Moves the non-zero entries of every slot to its front, keeping their order.
pub fn restore_invariant(enc: SlotEncoding) -> SlotEncoding {
    let mut entries = Vec::with_capacity(enc.entries.len());
    for slot in enc.entries.chunks_exact(3) {
        let set: Vec<u32> = slot.iter().copied().filter(|&e| e != 0).collect();
        entries.extend(&set);
        entries.extend(std::iter::repeat_n(0, 3 - set.len()));
    }
    SlotEncoding { entries }
}
