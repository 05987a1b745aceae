//! A trained UNet as a [`Denoiser`]: every sample of a batch gets the same time input.

use burn::prelude::*;
use oms_sampler::Denoiser;
use oms_solver::ModelConvention;

use crate::unet::Unet;

/// A UNet with its calling convention.
#[derive(Debug)]
pub struct UnetDenoiser {
    /// The network.
    pub net: Unet,
    /// Its training noise schedule, prediction type and time input.
    pub convention: ModelConvention,
    /// Number of classes of a conditional network (its null label).
    pub num_classes: Option<usize>,
}

impl Denoiser for UnetDenoiser {
    fn convention(&self) -> &ModelConvention {
        &self.convention
    }

    fn forward(&self, x: Tensor<4>, time_input: f64, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let b = x.dims()[0];
        let t = Tensor::<1>::full([b], time_input, (&x.device(), x.dtype()));
        let labels = match (labels, self.num_classes) {
            (Some(l), Some(_)) => Some(l),
            (None, Some(n)) => Some(Tensor::<1, Int>::full([b], n as i64, &x.device())),
            _ => None,
        };
        self.net.forward(x, t, labels)
    }

    fn null_label(&self) -> Option<i64> {
        self.num_classes.map(|n| n as i64)
    }
}
