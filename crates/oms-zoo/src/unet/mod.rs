//! The burn UNet of the zoo, one block per file.

mod attention;
mod embedding;
mod flops;
mod model;
mod pointwise;
mod resample;
mod resnet;

pub use attention::{AttnBlock, AttnBlockConfig};
pub use embedding::{TimeEmbedding, TimeEmbeddingConfig, timestep_embedding};
pub use model::{DownLevel, Mid, Unet, UnetConfig, UpLevel};
pub use pointwise::conv1x1;
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
}
