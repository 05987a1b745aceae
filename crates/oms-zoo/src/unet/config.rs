//! The architecture of a [`Unet`](super::Unet): plain data with a builder in the style of
//! burn's `Config` derive (`UnetConfig::new(..).with_patch(2)`), hand-written so that a field
//! added later (`refine`) can be absent from, and is not written into, existing manifests.

use serde::{Deserialize, Serialize};

/// Architecture of a [`Unet`].
///
/// Serialised field by field as burn's `Config` derive did (the same names, order and output, so
/// manifests, label keys and score-cache keys are unchanged), except that `refine` may be left
/// out and is not written when `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnetConfig {
    /// Base channels (`ch`).
    pub channels: usize,
    /// Channel multiplier of each resolution level (`ch_mult`).
    pub channel_mults: Vec<usize>,
    /// Residual blocks per level on the way down (`num_res_blocks`; up uses one more).
    pub num_res_blocks: usize,
    /// Resolutions (in pixels) with self-attention, e.g. `[7]`.
    pub attn_resolutions: Vec<usize>,
    /// Input resolution.
    pub resolution: usize,
    /// Image channels in and out.
    pub image_channels: usize,
    /// Groups of every group norm (capped at the channel count).
    pub groups: usize,
    /// Dropout inside residual blocks.
    pub dropout: f64,
    /// Number of classes for conditioning (label `num_classes` is the null label).
    pub num_classes: Option<usize>,
    /// Space-to-depth patch size: 2 folds each 2x2 pixel block into channels, so the network
    /// runs at half resolution (4x fewer activations); 1 is the plain DDPM UNet.
    pub patch: usize,
    /// Attention heads (1 in DDPM; diffusers uses channels / attention_head_dim).
    pub attn_heads: usize,
    /// Time-embedding convention: cosine features first (diffusers `flip_sin_to_cos`).
    pub flip_sin_to_cos: bool,
    /// Time-embedding frequency shift (1 in DDPM, 0 in diffusers `UNet2DModel`).
    pub freq_shift: f64,
    /// Pad all sides before the stride-2 convolution (diffusers) instead of right/bottom (DDPM).
    pub symmetric_downsample: bool,
    /// Hidden channels of a full-resolution output head that refines a patched prediction from
    /// the noisy input ([`super::RefineHead`]); `None` (DDPM, and a manifest without the field) for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refine: Option<usize>,
}

/// `with_<field>` setters, one per field with a default.
macro_rules! setters {
    ($($setter:ident => $field:ident: $ty:ty),* $(,)?) => {
        impl UnetConfig {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $setter(mut self, $field: $ty) -> Self {
                    self.$field = $field;
                    self
                }
            )*
        }
    };
}

setters! {
    with_attn_resolutions => attn_resolutions: Vec<usize>,
    with_resolution => resolution: usize,
    with_image_channels => image_channels: usize,
    with_groups => groups: usize,
    with_dropout => dropout: f64,
    with_num_classes => num_classes: Option<usize>,
    with_patch => patch: usize,
    with_attn_heads => attn_heads: usize,
    with_flip_sin_to_cos => flip_sin_to_cos: bool,
    with_freq_shift => freq_shift: f64,
    with_symmetric_downsample => symmetric_downsample: bool,
    with_refine => refine: Option<usize>,
}

impl UnetConfig {
    /// A DDPM UNet of `channels` base channels, one level per multiplier in `channel_mults` and
    /// `num_res_blocks` residual blocks per level: 28x28 gray images, no attention, 32 groups,
    /// no dropout, no classes, no patch, one attention head, DDPM's time embedding, no head.
    pub fn new(channels: usize, channel_mults: Vec<usize>, num_res_blocks: usize) -> Self {
        Self {
            channels,
            channel_mults,
            num_res_blocks,
            attn_resolutions: Vec::new(),
            resolution: 28,
            image_channels: 1,
            groups: 32,
            dropout: 0.0,
            num_classes: None,
            patch: 1,
            attn_heads: 1,
            flip_sin_to_cos: false,
            freq_shift: 1.0,
            symmetric_downsample: false,
            refine: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::UnetConfig;

    /// The JSON every key (zoo, label set, score cache) hashes is the one burn's `Config` derive
    /// wrote before `refine` existed; `refine` appears only when set, and may be left out.
    #[test]
    fn serialised_as_before_unless_a_head_is_set() {
        let c = UnetConfig::new(16, vec![1, 2], 1).with_patch(2);
        let before = r#"{"channels":16,"channel_mults":[1,2],"num_res_blocks":1,"attn_resolutions":[],"resolution":28,"image_channels":1,"groups":32,"dropout":0.0,"num_classes":null,"patch":2,"attn_heads":1,"flip_sin_to_cos":false,"freq_shift":1.0,"symmetric_downsample":false}"#;
        assert_eq!(serde_json::to_string(&c).unwrap(), before);
        let back: UnetConfig = serde_json::from_str(before).unwrap();
        assert_eq!(back, c);
        let headed = c.with_refine(Some(8));
        let text = serde_json::to_string(&headed).unwrap();
        assert!(
            text.ends_with(r#""symmetric_downsample":false,"refine":8}"#),
            "{text}"
        );
        let ron_text = ron::to_string(&headed).unwrap();
        assert_eq!(ron::from_str::<UnetConfig>(&ron_text).unwrap(), headed);
        assert!(serde_json::from_str::<UnetConfig>(r#"{"channels":16}"#).is_err());
    }
}
