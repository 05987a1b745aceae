//! The burn UNet of the zoo, one block per file.

mod attention;
mod config;
mod embedding;
mod flops;
mod model;
mod pointwise;
mod refine;
mod resample;
mod resnet;

pub use attention::{AttnBlock, AttnBlockConfig};
pub use config::UnetConfig;
pub use embedding::{TimeEmbedding, TimeEmbeddingConfig, timestep_embedding};
pub use model::{DownLevel, Mid, Unet, UpLevel};
pub use pointwise::conv1x1;
pub use refine::RefineHead;
pub use resample::{Downsample, Upsample};
pub use resnet::{ResnetBlock, ResnetBlockConfig};

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;
    use burn::prelude::*;

    #[test]
    fn shapes_and_parameter_counts() {
        let device = Device::flex();
        let cfg = UnetConfig::new(16, vec![1, 2, 2], 1)
            .with_attn_resolutions(vec![7])
            .with_groups(8)
            .with_num_classes(Some(10));
        let net = cfg.init(&device);
        let x = Tensor::<4>::zeros([2, 1, 28, 28], &device);
        let t = Tensor::<1>::from_floats([10.0, 500.0], &device);
        let labels = Tensor::<1, Int>::from_ints([3, 10], &device);
        let y = net.forward(x, t, Some(labels));
        assert_eq!(y.dims(), [2, 1, 28, 28]);
        assert!(net.num_params() > 10_000);
        assert!(cfg.flops_per_image() > 1e6);
    }

    /// A patched UNet with a refinement head predicts exactly what the same UNet without it
    /// does until the head is trained (its output convolution starts at zero), and the head's
    /// cost is counted.
    #[test]
    fn an_initialised_refine_head_leaves_the_prediction_unchanged() {
        let device = Device::flex();
        let plain = UnetConfig::new(8, vec![1], 1).with_groups(4).with_patch(4);
        let headed = plain.clone().with_refine(Some(8));
        let net = headed.init(&device);
        let bare = Unet {
            refine: None,
            ..net.clone()
        };
        let x = Tensor::<4>::random(
            [2, 1, 28, 28],
            burn::tensor::Distribution::Normal(0.0, 1.0),
            &device,
        );
        let t = Tensor::<1>::from_floats([10.0, 500.0], &device);
        let (y, y0) = (
            net.forward(x.clone(), t.clone(), None),
            bare.forward(x, t, None),
        );
        assert_eq!(y.dims(), [2, 1, 28, 28]);
        y.into_data().assert_eq(&y0.into_data(), true);
        assert!(net.num_params() > plain.init(&device).num_params());
        let extra = headed.flops_per_image() - plain.flops_per_image();
        assert_eq!(extra, 2.0 * (784.0 * 9.0 * 24.0 + 32.0 * 8.0));
    }
}
