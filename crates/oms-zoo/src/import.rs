//! Import of UNet checkpoints users already have, through burn-store with key remapping:
//!
//! - **ddim**: the `diffusion.py` `Model` layout of ermongroup/ddim (also used by the OMS-DPM
//!   zoo and the public DDPM CIFAR-10 conversions): keys like `temb.dense.0.weight`,
//!   `down.0.block.1.norm1.weight`, `mid.attn_1.q.weight`, `up.2.upsample.conv.weight`, optionally
//!   prefixed with `module.` (DataParallel). PyTorch files (`.ckpt`, `.pt`, `.pth`) or safetensors.
//! - **diffusers**: `UNet2DModel` safetensors (`down_blocks.0.resnets.0.conv1.weight`,
//!   `up_blocks.0.attentions.1.to_q.weight`, ...). Diffusers' `up_blocks[k]` is the ddim level
//!   `L - 1 - k`; its attention projections are `Linear` and become 1x1 convolutions. The
//!   architecture config must match the checkpoint (`flip_sin_to_cos = true`, `freq_shift = 0`,
//!   `symmetric_downsample = true`, `attn_heads = channels / attention_head_dim`).
//!
//! Every tensor of the model must come from the file with the right shape; anything missing,
//! unused or mismatched is an error that names the key.

use std::path::Path;

use burn::prelude::*;
use burn::store::bridge::map_data;
use burn::store::burn_pack::Tensor as PackTensor;
use burn::store::{
    ApplyResult, KeyRemapper, ModuleAdapter, ModuleContext, ModuleSnapshot, PyTorchToBurnAdapter,
    PytorchStore, SafetensorsStore,
};

use crate::error::ZooError;
use crate::unet::{Unet, UnetConfig};

/// The key layout of a checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Layout {
    /// oms's own safetensors (what `cargo xtask train-zoo` writes).
    #[default]
    Oms,
    /// ermongroup/ddim `Model`.
    Ddim,
    /// diffusers `UNet2DModel`.
    Diffusers,
}

impl Layout {
    /// Parses `ddim` or `diffusers`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "oms" => Some(Layout::Oms),
            "ddim" => Some(Layout::Ddim),
            "diffusers" => Some(Layout::Diffusers),
            _ => None,
        }
    }
}

/// Loads a checkpoint of `layout` into a fresh UNet of `config`.
pub fn import_unet(
    path: &Path,
    layout: Layout,
    config: &UnetConfig,
    device: &Device,
) -> Result<Unet, ZooError> {
    import_unet_from(path, layout, None, config, device)
}

/// [`import_unet`] for PyTorch files whose state dict sits under `top_level_key` (e.g.
/// `"state_dict"` or `"model"`).
pub fn import_unet_from(
    path: &Path,
    layout: Layout,
    top_level_key: Option<&str>,
    config: &UnetConfig,
    device: &Device,
) -> Result<Unet, ZooError> {
    let invalid = |message: String| ZooError::Invalid {
        path: path.to_owned(),
        message,
    };
    if !path.is_file() {
        return Err(invalid("checkpoint file not found; check the path".into()));
    }
    let mut net = config.init(device);
    let remapper = match layout {
        Layout::Oms => {
            crate::checkpoint::load_weights(&mut net, path)?;
            return Ok(net);
        }
        Layout::Ddim => KeyRemapper::from_patterns(vec![("^module\\.", "")]),
        Layout::Diffusers => diffusers_remapper(config.channel_mults.len()),
    }
    .map_err(|e| invalid(format!("bad key pattern: {e}")))?;
    let is_pytorch = path
        .extension()
        .is_some_and(|e| e == "ckpt" || e == "pt" || e == "pth" || e == "bin");
    let result = if is_pytorch {
        let mut store = PytorchStore::from_file(path)
            .remap(remapper)
            .allow_partial(true);
        if let Some(key) = top_level_key {
            store = store.with_top_level_key(key);
        }
        net.load_from(&mut store)
            .map_err(|e| invalid(format!("cannot read PyTorch checkpoint: {e}")))?
    } else {
        let mut store = SafetensorsStore::from_file(path)
            .remap(remapper)
            .with_from_adapter(LinearAsConv)
            .allow_partial(true)
            .validate(true);
        net.load_from(&mut store)
            .map_err(|e| invalid(format!("cannot read safetensors checkpoint: {e}")))?
    };
    check_complete(&result).map_err(invalid)?;
    Ok(net)
}

/// Every model tensor applied, none unused, no shape errors.
fn check_complete(result: &ApplyResult) -> Result<(), String> {
    if !result.errors.is_empty() {
        let errs: Vec<String> = result.errors.iter().map(|e| format!("{e:?}")).collect();
        return Err(format!("mismatched tensor(s): {}", errs.join("; ")));
    }
    if !result.missing.is_empty() {
        let names: Vec<&str> = result.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(format!(
            "missing key(s) for {}; the file is truncated or of another architecture",
            names.join(", ")
        ));
    }
    if !result.unused.is_empty() {
        return Err(format!(
            "key(s) the model does not have: {}; check the architecture config",
            result.unused.join(", ")
        ));
    }
    Ok(())
}

/// diffusers `UNet2DModel` names -> ddim layout names, for `levels` resolution levels.
fn diffusers_remapper(levels: usize) -> Result<KeyRemapper, regex::Error> {
    let mut p: Vec<(String, String)> = vec![
        (
            r"^time_embedding\.linear_1\.".into(),
            "temb.dense.0.".into(),
        ),
        (
            r"^time_embedding\.linear_2\.".into(),
            "temb.dense.1.".into(),
        ),
        (r"^conv_norm_out\.".into(), "norm_out.".into()),
        (
            r"^down_blocks\.(\d+)\.resnets\.(\d+)\.".into(),
            "down.$1.block.$2.".into(),
        ),
        (
            r"^down_blocks\.(\d+)\.attentions\.(\d+)\.".into(),
            "down.$1.attn.$2.".into(),
        ),
        (
            r"^down_blocks\.(\d+)\.downsamplers\.0\.".into(),
            "down.$1.downsample.".into(),
        ),
        (r"^mid_block\.resnets\.0\.".into(), "mid.block_1.".into()),
        (r"^mid_block\.resnets\.1\.".into(), "mid.block_2.".into()),
        (r"^mid_block\.attentions\.0\.".into(), "mid.attn_1.".into()),
    ];
    for k in 0..levels {
        let i = levels - 1 - k;
        p.push((
            format!(r"^up_blocks\.{k}\.resnets\.(\d+)\."),
            format!("up.{i}.block.$1."),
        ));
        p.push((
            format!(r"^up_blocks\.{k}\.attentions\.(\d+)\."),
            format!("up.{i}.attn.$1."),
        ));
        p.push((
            format!(r"^up_blocks\.{k}\.upsamplers\.0\."),
            format!("up.{i}.upsample."),
        ));
    }
    for (from, to) in [
        (r"\.time_emb_proj\.", ".temb_proj."),
        (r"\.conv_shortcut\.", ".nin_shortcut."),
        (r"\.group_norm\.", ".norm."),
        (r"\.(to_q|query)\.", ".q."),
        (r"\.(to_k|key)\.", ".k."),
        (r"\.(to_v|value)\.", ".v."),
        (r"\.(to_out\.0|proj_attn)\.", ".proj_out."),
    ] {
        p.push((from.into(), to.into()));
    }
    KeyRemapper::from_patterns(p)
}

/// The same tensor bytes under another shape of as many elements (a `Linear` weight as a 1x1
/// convolution's, or back).
pub(crate) fn reshaped(tensor: PackTensor, shape: Vec<usize>) -> PackTensor {
    let (name, dtype) = (tensor.name.clone(), tensor.dtype);
    let new_shape = shape.clone();
    map_data(tensor, name, dtype, shape.into(), move |data| {
        TensorData::from_bytes(data.into_bytes(), new_shape.clone(), dtype)
    })
}

/// PyTorch -> burn conversion, plus 2-D `Linear` weights loaded into 1x1 convolutions
/// (`[out, in]` -> `[out, in, 1, 1]`, the same bytes).
#[derive(Debug, Clone, Default)]
struct LinearAsConv;

impl ModuleAdapter for LinearAsConv {
    fn adapt(&self, tensor: PackTensor, ctx: ModuleContext<'_>) -> PackTensor {
        let tensor = PyTorchToBurnAdapter.adapt(tensor, ctx);
        let dims: Vec<usize> = tensor.shape.iter().copied().collect();
        if ctx.module_type() != Some("Struct:Conv2d") || dims.len() != 2 {
            return tensor;
        }
        reshaped(tensor, vec![dims[0], dims[1], 1, 1])
    }

    fn get_alternative_param_name(&self, param_name: &str, container_type: &str) -> Option<String> {
        PyTorchToBurnAdapter.get_alternative_param_name(param_name, container_type)
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(self.clone())
    }
}
