//! Labelling one schedule: `n` images from the fixed noise bank, features, FD and KID against
//! the reference statistics (method.md section 5).

use burn::tensor::Device;
use oms_metrics::features::{FeatureNet, all_features};
use oms_metrics::{Reference, Score, score_features};
use oms_sampler::{GenerateSpec, Sampler, SamplerOptions, Zoo, generate};
use oms_schedule::Schedule;

use crate::DatasetError;
use crate::store::SpaceLabel;

/// Everything that fixes a label apart from the schedule.
pub struct Labeller<'a> {
    /// The sampler over the whole zoo.
    pub sampler: Sampler<'a>,
    /// Feature network of the metric.
    pub net: &'a dyn FeatureNet,
    /// Reference statistics (and features, for KID) under `net`.
    pub reference: &'a Reference,
    /// Images per label.
    pub n: usize,
    /// Images per sampling batch (does not change the images: noise is per image).
    pub batch: usize,
    /// Noise bank seed (also seeds the KID subsets).
    pub seed: u64,
    /// Shape of one image `[C, H, W]`.
    pub shape: [usize; 3],
    /// A second feature space every label is also scored in, with its reference.
    pub second: Option<(&'a dyn FeatureNet, &'a Reference)>,
}

impl<'a> Labeller<'a> {
    /// A labeller over the whole `zoo` (default sampler options).
    pub fn new(
        zoo: &'a Zoo,
        net: &'a dyn FeatureNet,
        reference: &'a Reference,
        (n, batch, seed): (usize, usize, u64),
        shape: [usize; 3],
    ) -> Self {
        Labeller {
            sampler: Sampler::new(zoo, SamplerOptions::default()),
            net,
            reference,
            n,
            batch,
            seed,
            shape,
            second: None,
        }
    }

    /// Also scores every label in `net`'s space against `reference`.
    pub fn with_second(mut self, net: &'a dyn FeatureNet, reference: &'a Reference) -> Self {
        self.second = Some((net, reference));
        self
    }

    /// The second space's label of `images` (made by [`Self::label_images`]), if there is one.
    pub fn second_label(
        &self,
        images: &[u8],
        device: &Device,
    ) -> Result<Option<SpaceLabel>, DatasetError> {
        let Some((net, reference)) = self.second else {
            return Ok(None);
        };
        let score = self.score(net, reference, images, device)?;
        Ok(Some(SpaceLabel {
            feature_net: net.name().to_string(),
            protocol_hash: reference.protocol.hash(),
            fd: score.fd,
            kid: score.kid,
            kid_std: score.kid_std,
        }))
    }

    /// FD and KID of `schedule`'s images; `on_nfe(k)` reports sampling progress in NFEs.
    pub fn label(
        &self,
        schedule: &Schedule,
        device: &Device,
        on_nfe: &mut dyn FnMut(usize),
    ) -> Result<Score, DatasetError> {
        Ok(self.label_images(schedule, device, on_nfe)?.0)
    }

    /// As [`Self::label`], also returning the images (uint8, `n * C * H * W`).
    pub fn label_images(
        &self,
        schedule: &Schedule,
        device: &Device,
        on_nfe: &mut dyn FnMut(usize),
    ) -> Result<(Score, Vec<u8>), DatasetError> {
        let spec = GenerateSpec {
            n: self.n,
            batch: self.batch,
            shape: self.shape,
            seed: self.seed,
        };
        let values = generate(&self.sampler, schedule, &spec, device, on_nfe)?;
        let images = oms_artifacts::to_u8(&values);
        let score = self.score(self.net, self.reference, &images, device)?;
        Ok((score, images))
    }

    /// FD and KID of `images` under `net` against `reference` (KID subsets seeded by the bank).
    fn score(
        &self,
        net: &dyn FeatureNet,
        reference: &Reference,
        images: &[u8],
        device: &Device,
    ) -> Result<Score, DatasetError> {
        let feats = all_features(net, images, self.shape, self.n, 500, device);
        Ok(score_features(&feats, net.dim(), reference, self.seed)?)
    }
}
