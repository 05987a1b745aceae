//! Exponential moving average of a module's weights: `ema <- d ema + (1 - d) w`, parameter by
//! parameter in visiting order (the EMA copy and the trained module share their structure).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

/// The EMA of a module.
pub struct Ema<M: Module> {
    /// The averaged weights (no autodiff).
    pub model: M,
    /// Decay per update.
    pub decay: f64,
}

struct Collect(Vec<Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val();
        let n = t.shape().num_elements();
        self.0.push(t.reshape([n]));
    }
}

struct Blend {
    weights: std::vec::IntoIter<Tensor<1>>,
    decay: f64,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let w = self.weights.next().expect("same structure");
        let decay = self.decay;
        param.map(|e| {
            let dims = e.dims();
            e.mul_scalar(decay) + w.reshape(dims).mul_scalar(1.0 - decay)
        })
    }
}

impl<M: Module> Ema<M> {
    /// Starts the average at `model` (a non-autodiff copy).
    pub fn new(model: M, decay: f64) -> Self {
        Ema { model, decay }
    }

    /// Moves the average towards `current` (the non-autodiff view of the trained module) after
    /// optimizer step `step` (0-based). The decay warms up as `min(decay, (1 + step) / (10 + step))`
    /// so that the initial weights do not linger in short runs.
    pub fn update(&mut self, current: &M, step: usize) {
        let mut collect = Collect(Vec::new());
        current.visit(&mut collect);
        let decay = self.decay.min((1 + step) as f64 / (10 + step) as f64);
        let mut blend = Blend {
            weights: collect.0.into_iter(),
            decay,
        };
        self.model = self.model.clone().map(&mut blend);
    }
}
