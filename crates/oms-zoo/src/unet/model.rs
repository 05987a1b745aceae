//! The DDPM UNet (Ho et al. 2020) with the module layout of ermongroup/ddim's `Model`, so that
//! public DDPM/DDIM checkpoints load key for key: `temb.dense`, `conv_in`,
//! `down[i].{block,attn,downsample}`, `mid.{block_1,attn_1,block_2}`, `up[i].{block,attn,upsample}`,
//! `norm_out`, `conv_out`. Optional class conditioning adds a label embedding (with a null
//! label for classifier-free guidance) to the time embedding.

use burn::nn::conv::Conv2d;
use burn::nn::{Embedding, EmbeddingConfig, GroupNorm};
use burn::prelude::*;
use burn::tensor::activation::silu;

use super::attention::{AttnBlock, AttnBlockConfig};
use super::config::UnetConfig;
use super::embedding::{TimeEmbedding, TimeEmbeddingConfig};
use super::refine::RefineHead;
use super::resample::{Downsample, Upsample};
use super::resnet::{ResnetBlock, ResnetBlockConfig, conv3x3, norm};

/// One resolution level on the way down.
#[derive(Module, Debug)]
pub struct DownLevel {
    /// Residual blocks.
    pub block: Vec<ResnetBlock>,
    /// Attention after each block (empty if none at this resolution).
    pub attn: Vec<AttnBlock>,
    /// Downsampler (none at the last level).
    pub downsample: Option<Downsample>,
}

/// The bottleneck.
#[derive(Module, Debug)]
pub struct Mid {
    /// First block.
    pub block_1: ResnetBlock,
    /// Attention.
    pub attn_1: AttnBlock,
    /// Second block.
    pub block_2: ResnetBlock,
}

/// One resolution level on the way up (indexed like the down level it mirrors).
#[derive(Module, Debug)]
pub struct UpLevel {
    /// Residual blocks (one more than down).
    pub block: Vec<ResnetBlock>,
    /// Attention after each block.
    pub attn: Vec<AttnBlock>,
    /// Upsampler (none at level 0).
    pub upsample: Option<Upsample>,
}

/// The UNet.
#[derive(Module, Debug)]
pub struct Unet {
    /// Time embedding.
    pub temb: TimeEmbedding,
    /// Label embedding (`num_classes + 1` rows; the last is the null label).
    pub label_emb: Option<Embedding>,
    /// Input convolution.
    pub conv_in: Conv2d,
    /// Down levels.
    pub down: Vec<DownLevel>,
    /// Bottleneck.
    pub mid: Mid,
    /// Up levels, `up[i]` mirrors `down[i]` (run in reverse order).
    pub up: Vec<UpLevel>,
    /// Output norm.
    pub norm_out: GroupNorm,
    /// Output convolution.
    pub conv_out: Conv2d,
    /// Full-resolution output head (configs with `refine` only).
    pub refine: Option<RefineHead>,
    /// Space-to-depth patch size.
    pub patch: usize,
}

impl UnetConfig {
    /// Channels entering each down level and the level's own width.
    fn widths(&self) -> Vec<(usize, usize)> {
        let mut prev = self.channels;
        self.channel_mults
            .iter()
            .map(|m| {
                let w = (prev, self.channels * m);
                prev = self.channels * m;
                w
            })
            .collect()
    }

    /// Builds the network.
    pub fn init(&self, device: &Device) -> Unet {
        let (ch, temb) = (self.channels, 4 * self.channels);
        let rb = |i, o| {
            ResnetBlockConfig::new(i, o, temb)
                .with_groups(self.groups)
                .with_dropout(self.dropout)
                .init(device)
        };
        let at = |c| {
            AttnBlockConfig::new(c)
                .with_groups(self.groups)
                .with_heads(self.attn_heads)
                .init(device)
        };
        let levels = self.channel_mults.len();
        let widths = self.widths();
        let mut res = self.resolution / self.patch;
        let mut down = Vec::with_capacity(levels);
        for (i, &(cin, cout)) in widths.iter().enumerate() {
            let attend = self.attn_resolutions.contains(&res);
            let block = (0..self.num_res_blocks)
                .map(|j| rb(if j == 0 { cin } else { cout }, cout))
                .collect();
            let attn = if attend {
                (0..self.num_res_blocks).map(|_| at(cout)).collect()
            } else {
                vec![]
            };
            let downsample =
                (i + 1 < levels).then(|| Downsample::new(cout, self.symmetric_downsample, device));
            down.push(DownLevel {
                block,
                attn,
                downsample,
            });
            if i + 1 < levels {
                res = res.div_ceil(2);
            }
        }
        let mid_c = widths.last().map_or(ch, |w| w.1);
        let mid = Mid {
            block_1: rb(mid_c, mid_c),
            attn_1: at(mid_c),
            block_2: rb(mid_c, mid_c),
        };
        let mut up: Vec<UpLevel> = Vec::with_capacity(levels);
        let mut block_in = mid_c;
        for (i, &(cin, cout)) in widths.iter().enumerate().rev() {
            let attend = self.attn_resolutions.contains(&res);
            let block = (0..=self.num_res_blocks)
                .map(|j| {
                    let skip = if j == self.num_res_blocks { cin } else { cout };
                    let b = rb(block_in + skip, cout);
                    block_in = cout;
                    b
                })
                .collect();
            let attn = if attend {
                (0..=self.num_res_blocks).map(|_| at(cout)).collect()
            } else {
                vec![]
            };
            let upsample = (i > 0).then(|| Upsample::new(cout, device));
            up.insert(
                0,
                UpLevel {
                    block,
                    attn,
                    upsample,
                },
            );
            if i > 0 {
                res *= 2;
            }
        }
        Unet {
            temb: TimeEmbeddingConfig::new(ch, temb)
                .with_flip_sin_to_cos(self.flip_sin_to_cos)
                .with_freq_shift(self.freq_shift)
                .init(device),
            label_emb: self
                .num_classes
                .map(|n| EmbeddingConfig::new(n + 1, temb).init(device)),
            conv_in: conv3x3(self.image_channels * self.patch * self.patch, ch, device),
            down,
            mid,
            up,
            norm_out: norm(self.groups, block_in, device),
            conv_out: conv3x3(
                block_in,
                self.image_channels * self.patch * self.patch,
                device,
            ),
            refine: self
                .refine
                .map(|c| RefineHead::new(self.image_channels, c, temb, device)),
            patch: self.patch,
        }
    }
}

impl Unet {
    /// # Shapes
    /// - `x`: `[batch, image_channels, resolution, resolution]`
    /// - `t`: `[batch]` model time inputs
    /// - `labels`: `[batch]`, class ids or the null label (conditional networks only)
    ///
    /// # Returns
    /// The prediction, shaped like `x`.
    pub fn forward(&self, x: Tensor<4>, t: Tensor<1>, labels: Option<Tensor<1, Int>>) -> Tensor<4> {
        let mut temb = self.temb.forward(t);
        if let (Some(emb), Some(labels)) = (&self.label_emb, labels) {
            let [b] = labels.dims();
            temb = temb
                + emb
                    .forward(labels.reshape([b, 1]))
                    .reshape([b, self.temb.dense[1].weight.dims()[1]]);
        }
        let [bsz, chan, height, width] = x.dims();
        let p = self.patch;
        let input = self.refine.as_ref().map(|_| x.clone());
        let x = if p == 1 {
            x
        } else {
            x.reshape([bsz, chan, height / p, p, width / p, p])
                .permute([0, 1, 3, 5, 2, 4])
                .reshape([bsz, chan * p * p, height / p, width / p])
        };
        let mut hs = vec![self.conv_in.forward(x)];
        for level in &self.down {
            for (j, block) in level.block.iter().enumerate() {
                let mut h = block.forward(hs.last().expect("non-empty").clone(), temb.clone());
                if let Some(attn) = level.attn.get(j) {
                    h = attn.forward(h);
                }
                hs.push(h);
            }
            if let Some(ds) = &level.downsample {
                hs.push(ds.forward(hs.last().expect("non-empty").clone()));
            }
        }
        let h = hs.last().expect("non-empty").clone();
        let h = self.mid.block_1.forward(h, temb.clone());
        let mut h = self
            .mid
            .block_2
            .forward(self.mid.attn_1.forward(h), temb.clone());
        for level in self.up.iter().rev() {
            for (j, block) in level.block.iter().enumerate() {
                let skip = hs.pop().expect("one skip per up block");
                h = block.forward(Tensor::cat(vec![h, skip], 1), temb.clone());
                if let Some(attn) = level.attn.get(j) {
                    h = attn.forward(h);
                }
            }
            if let Some(us) = &level.upsample {
                h = us.forward(h);
            }
        }
        let out = self.conv_out.forward(silu(self.norm_out.forward(h)));
        let out = if p == 1 {
            out
        } else {
            out.reshape([bsz, chan, p, p, height / p, width / p])
                .permute([0, 1, 4, 2, 5, 3])
                .reshape([bsz, chan, height, width])
        };
        match (&self.refine, input) {
            (Some(head), Some(x)) => head.forward(x, out, temb),
            _ => out,
        }
    }
}
