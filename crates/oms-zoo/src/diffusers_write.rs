//! A UNet of this crate as a diffusers model folder (`config.json` of a `UNet2DModel`,
//! `scheduler_config.json` of a `DDPMScheduler`, `diffusion_pytorch_model.safetensors`): what
//! [`read_folder`](crate::diffusers::read_folder) reads back, and what diffusers loads. The key
//! mapping is the importer's read backwards (ddim names -> diffusers names, PyTorch layouts,
//! attention projections as `Linear`).
//!
//! Only what diffusers can express is written: no space-to-depth patch, no class labels, a
//! discrete noise schedule (`linear`, `scaled_linear`, `squaredcos_cap_v2`) with discrete time
//! input; anything else is an error naming the field.

use std::path::Path;

use burn::store::burn_pack::Tensor as PackTensor;
use burn::store::{
    BurnToPyTorchAdapter, KeyRemapper, ModuleAdapter, ModuleContext, ModuleSnapshot,
    SafetensorsStore,
};
use oms_schedule::NoiseSpec;
use oms_solver::{ModelConvention, Prediction, TimeInput};
use serde_json::{Value, json};

use crate::diffusers::WEIGHTS;
use crate::error::ZooError;
use crate::unet::{Unet, UnetConfig};

/// Writes `net` (of `config`, called with `convention`) into `dir` as a diffusers model folder.
pub fn write_folder(
    dir: &Path,
    net: &Unet,
    config: &UnetConfig,
    convention: &ModelConvention,
) -> Result<(), ZooError> {
    let unet = unet_config(dir, config)?;
    let scheduler = scheduler_config(dir, convention)?;
    let weights = dir.join(WEIGHTS);
    let fail = |e: &dyn std::fmt::Display| invalid(&weights, format!("cannot write: {e}"));
    let remapper = to_diffusers(config.channel_mults.len()).map_err(|e| fail(&e))?;
    let mut store = SafetensorsStore::from_bytes(None)
        .remap(remapper)
        .with_to_adapter(ConvAsLinear);
    net.save_into(&mut store).map_err(|e| fail(&e))?;
    let bytes = store.get_bytes().map_err(|e| fail(&e))?;
    let bytes = crate::checkpoint::canonical_safetensors(&bytes).map_err(|e| fail(&e))?;
    let write = |name: &str, bytes: &[u8]| {
        oms_artifacts::write_atomic(&dir.join(name), bytes).map_err(|e| fail(&e))
    };
    write(WEIGHTS, &bytes)?;
    write(
        "config.json",
        serde_json::to_string_pretty(&unet)
            .expect("JSON")
            .as_bytes(),
    )?;
    write(
        "scheduler_config.json",
        serde_json::to_string_pretty(&scheduler)
            .expect("JSON")
            .as_bytes(),
    )
}

fn invalid(path: &Path, message: impl Into<String>) -> ZooError {
    ZooError::Invalid {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The `UNet2DModel` config of `c`.
fn unet_config(dir: &Path, c: &UnetConfig) -> Result<Value, ZooError> {
    if c.patch != 1 || c.num_classes.is_some() || c.refine.is_some() {
        return Err(invalid(
            dir,
            format!(
                "patch {} / num_classes {:?} / refine {:?}: diffusers' UNet2DModel has no \
                 space-to-depth patch, no class labels and no refinement head; only members with \
                 patch 1, no classes and no refine can be written",
                c.patch, c.num_classes, c.refine
            ),
        ));
    }
    let widths: Vec<usize> = c.channel_mults.iter().map(|m| m * c.channels).collect();
    let mut res = c.resolution;
    let mut down = vec![];
    for _ in &widths {
        let attn = c.attn_resolutions.contains(&res);
        down.push(if attn {
            "AttnDownBlock2D"
        } else {
            "DownBlock2D"
        });
        res = res.div_ceil(2);
    }
    let up: Vec<String> = down.iter().rev().map(|d| d.replace("Down", "Up")).collect();
    let head_dim = (c.attn_heads > 1).then(|| widths.last().expect("levels") / c.attn_heads);
    Ok(json!({
        "_class_name": "UNet2DModel", "sample_size": c.resolution,
        "in_channels": c.image_channels, "out_channels": c.image_channels,
        "block_out_channels": widths, "layers_per_block": c.num_res_blocks,
        "down_block_types": down, "up_block_types": up, "attention_head_dim": head_dim,
        "norm_num_groups": c.groups, "dropout": c.dropout, "flip_sin_to_cos": c.flip_sin_to_cos,
        "freq_shift": c.freq_shift, "downsample_padding": usize::from(c.symmetric_downsample),
        "act_fn": "silu", "time_embedding_type": "positional", "center_input_sample": false,
        "mid_block_scale_factor": 1, "add_attention": true,
    }))
}

/// The `DDPMScheduler` config of a discrete convention.
fn scheduler_config(dir: &Path, conv: &ModelConvention) -> Result<Value, ZooError> {
    let refuse = |what: String| {
        invalid(
            dir,
            format!(
                "{what}: diffusers schedulers are discrete (linear, scaled_linear, squaredcos_cap_v2 betas over num_train_timesteps)"
            ),
        )
    };
    let TimeInput::Discrete { steps: t_steps } = conv.time_input else {
        return Err(refuse(format!("time input {:?}", conv.time_input)));
    };
    let (schedule, start, end, steps) = match conv.noise.spec() {
        NoiseSpec::DdpmLinear {
            beta_start,
            beta_end,
            steps,
        } => ("linear", *beta_start, *beta_end, *steps),
        NoiseSpec::ScaledLinear {
            beta_start,
            beta_end,
            steps,
        } => ("scaled_linear", *beta_start, *beta_end, *steps),
        NoiseSpec::SquaredcosCapV2 { steps } => ("squaredcos_cap_v2", 0.0001, 0.02, *steps),
        other => return Err(refuse(format!("noise schedule {other:?}"))),
    };
    if steps != t_steps {
        return Err(refuse(format!(
            "{steps} noise steps but {t_steps} time steps"
        )));
    }
    let prediction = match conv.prediction {
        Prediction::Eps => "epsilon",
        Prediction::X0 => "sample",
        Prediction::V => "v_prediction",
    };
    Ok(
        json!({"_class_name": "DDPMScheduler", "num_train_timesteps": steps,
        "beta_schedule": schedule, "beta_start": start, "beta_end": end,
        "prediction_type": prediction}),
    )
}

/// ddim names -> diffusers `UNet2DModel` names, for `levels` resolution levels (the importer's
/// mapping in `import.rs`, read backwards).
fn to_diffusers(levels: usize) -> Result<KeyRemapper, regex::Error> {
    let mut p: Vec<(String, String)> = [
        (r"^temb\.dense\.0\.", "time_embedding.linear_1."),
        (r"^temb\.dense\.1\.", "time_embedding.linear_2."),
        (r"^norm_out\.", "conv_norm_out."),
        (
            r"^down\.(\d+)\.block\.(\d+)\.",
            "down_blocks.$1.resnets.$2.",
        ),
        (
            r"^down\.(\d+)\.attn\.(\d+)\.",
            "down_blocks.$1.attentions.$2.",
        ),
        (
            r"^down\.(\d+)\.downsample\.",
            "down_blocks.$1.downsamplers.0.",
        ),
        (r"^mid\.block_1\.", "mid_block.resnets.0."),
        (r"^mid\.block_2\.", "mid_block.resnets.1."),
        (r"^mid\.attn_1\.", "mid_block.attentions.0."),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    for i in 0..levels {
        let k = levels - 1 - i;
        for (ours, theirs) in [("block", "resnets"), ("attn", "attentions")] {
            p.push((
                format!(r"^up\.{i}\.{ours}\.(\d+)\."),
                format!("up_blocks.{k}.{theirs}.$1."),
            ));
        }
        p.push((
            format!(r"^up\.{i}\.upsample\."),
            format!("up_blocks.{k}.upsamplers.0."),
        ));
    }
    for (from, to) in [
        (r"\.temb_proj\.", ".time_emb_proj."),
        (r"\.nin_shortcut\.", ".conv_shortcut."),
        (r"(attentions\.\d+)\.norm\.", "$1.group_norm."),
        (r"\.q\.", ".to_q."),
        (r"\.k\.", ".to_k."),
        (r"\.v\.", ".to_v."),
        (r"\.proj_out\.", ".to_out.0."),
    ] {
        p.push((from.into(), to.into()));
    }
    KeyRemapper::from_patterns(p)
}

/// Burn -> PyTorch layouts, and the attention projections (1x1 convolutions here) as diffusers'
/// `Linear` weights: `[out, in, 1, 1]` -> `[out, in]`, the same bytes.
#[derive(Debug, Clone, Default)]
struct ConvAsLinear;

impl ModuleAdapter for ConvAsLinear {
    fn adapt(&self, tensor: PackTensor, ctx: ModuleContext<'_>) -> PackTensor {
        let tensor = BurnToPyTorchAdapter.adapt(tensor, ctx);
        let dims: Vec<usize> = tensor.shape.iter().copied().collect();
        let projection = [".q.", ".k.", ".v.", ".proj_out."]
            .iter()
            .any(|p| tensor.name.contains(p) || tensor.name.starts_with(&p[1..]));
        if !projection || dims.len() != 4 || dims[2..] != [1, 1] {
            return tensor;
        }
        crate::import::reshaped(tensor, vec![dims[0], dims[1]])
    }

    fn get_alternative_param_name(&self, param_name: &str, container_type: &str) -> Option<String> {
        BurnToPyTorchAdapter.get_alternative_param_name(param_name, container_type)
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(self.clone())
    }
}
