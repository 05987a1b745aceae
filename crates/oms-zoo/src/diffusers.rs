//! diffusers model folders as zoo members: a `UNet2DModel` `config.json`, the scheduler's
//! `scheduler_config.json` and `diffusion_pytorch_model.safetensors` become a [`MemberSpec`]
//! (architecture, calling convention, weights with their sha256), in the vocabulary of
//! diffusers (`prediction_type`, `beta_schedule`, `num_train_timesteps`, `beta_start`,
//! `beta_end`). Folders are either a model folder (the three files, the scheduler config
//! beside or in `../scheduler/`) or a pipeline folder with `unet/` and `scheduler/`.
//!
//! What the DDPM UNet of this crate cannot express is refused with the field and its value:
//! block types other than (Attn)DownBlock2D / (Attn)UpBlock2D, up blocks that do not mirror the
//! down blocks, a mid block without attention, class embeddings, other activations or time
//! embeddings, `in_channels != out_channels`, centred inputs.

use std::path::{Path, PathBuf};

use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_solver::{ModelConvention, Prediction, TimeInput};
use serde_json::Value;

use crate::checkpoint::file_sha256;
use crate::error::ZooError;
use crate::import::Layout;
use crate::manifest::{MemberKind, MemberSpec, UnetMember};
use crate::recipe::Recipe;
use crate::unet::UnetConfig;

/// The weights file of a diffusers model folder.
pub const WEIGHTS: &str = "diffusion_pytorch_model.safetensors";

/// What one folder holds.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffusersModel {
    /// The architecture.
    pub config: UnetConfig,
    /// Noise schedule, prediction type and time input of the scheduler config.
    pub convention: ModelConvention,
    /// `[channels, height, width]` of the samples.
    pub image_shape: [usize; 3],
    /// The weights file.
    pub weights: PathBuf,
}

/// Reads a model or pipeline folder.
pub fn read_folder(dir: &Path) -> Result<DiffusersModel, ZooError> {
    let unet_dir = if dir.join("unet").join("config.json").is_file() {
        dir.join("unet")
    } else {
        dir.to_owned()
    };
    let candidates = [
        unet_dir.join("scheduler_config.json"),
        unet_dir.join("../scheduler/scheduler_config.json"),
        dir.join("scheduler/scheduler_config.json"),
    ];
    let Some(scheduler) = candidates.iter().find(|p| p.is_file()) else {
        return Err(invalid(
            dir,
            "no scheduler_config.json beside the model or in scheduler/; copy the pipeline's scheduler config there",
        ));
    };
    let model_file = unet_dir.join("config.json");
    let (config, image_shape) = unet_config(&model_file, &read_json(&model_file)?)?;
    let convention = convention(scheduler, &read_json(scheduler)?)?;
    let weights = unet_dir.join(WEIGHTS);
    if !weights.is_file() {
        return Err(invalid(&weights, "weights file not found"));
    }
    Ok(DiffusersModel {
        config,
        convention,
        image_shape,
        weights,
    })
}

impl DiffusersModel {
    /// A manifest member named `name`, its checkpoint written as `checkpoint` (relative to the
    /// manifest's folder, or absolute) with the weights' sha256.
    pub fn member(
        &self,
        name: &str,
        checkpoint: PathBuf,
        dataset: &str,
    ) -> Result<MemberSpec, ZooError> {
        Ok(MemberSpec {
            name: name.to_owned(),
            convention: self.convention.clone(),
            kind: MemberKind::Unet(Box::new(UnetMember {
                config: self.config.clone(),
                checkpoint,
                sha256: Some(file_sha256(&self.weights)?),
                layout: Layout::Diffusers,
                state_dict_key: None,
                dataset: dataset.to_owned(),
                recipe: imported_recipe(),
            })),
            nominal_ms: None,
        })
    }
}

/// The recipe field of a member trained elsewhere: zero steps says so.
fn imported_recipe() -> Recipe {
    Recipe {
        steps: 0,
        batch: 0,
        lr: 0.0,
        warmup: 0,
        ema_decay: 0.0,
        grad_clip: 0.0,
        seed: 0,
        checkpoint_every: 1,
        t_min: 0.0,
        label_drop: 0.0,
        loss_weight: Default::default(),
        cooldown: None,
        time_sampling: Default::default(),
    }
}

fn invalid(path: &Path, message: impl Into<String>) -> ZooError {
    ZooError::Invalid {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn read_json(path: &Path) -> Result<Value, ZooError> {
    let text = std::fs::read_to_string(path).map_err(|source| ZooError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| invalid(path, format!("not JSON: {e}")))
}

/// A field that is present and not null (diffusers writes null for "use the default").
fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn usize_of(path: &Path, v: &Value, key: &str, default: usize) -> Result<usize, ZooError> {
    match present(v, key) {
        None => Ok(default),
        Some(x) => x
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| invalid(path, format!("{key} = {x} is not a count"))),
    }
}

fn f64_of(path: &Path, v: &Value, key: &str, default: f64) -> Result<f64, ZooError> {
    match present(v, key) {
        None => Ok(default),
        Some(x) => x
            .as_f64()
            .ok_or_else(|| invalid(path, format!("{key} = {x} is not a number"))),
    }
}

fn bool_of(path: &Path, v: &Value, key: &str, default: bool) -> Result<bool, ZooError> {
    match present(v, key) {
        None => Ok(default),
        Some(x) => x
            .as_bool()
            .ok_or_else(|| invalid(path, format!("{key} = {x} is not true or false"))),
    }
}

fn strings(path: &Path, v: &Value, key: &str) -> Result<Vec<String>, ZooError> {
    let bad = || invalid(path, format!("{key} must be a list of block names"));
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(bad)?
        .iter()
        .map(|x| x.as_str().map(str::to_owned).ok_or_else(bad))
        .collect()
}

/// Fields this UNet supports only at one value (diffusers' defaults).
const FIXED: [(&str, &str); 6] = [
    ("act_fn", "\"silu\""),
    ("time_embedding_type", "\"positional\""),
    ("center_input_sample", "false"),
    ("resnet_time_scale_shift", "\"default\""),
    ("add_attention", "true"),
    ("mid_block_scale_factor", "1"),
];

fn check_fixed(path: &Path, v: &Value) -> Result<(), ZooError> {
    for (key, want) in FIXED {
        let wanted: Value = serde_json::from_str(want).expect("valid JSON");
        // Numbers compare by value (diffusers writes 1 or 1.0).
        let same = |x: &Value| *x == wanted || (x.is_number() && x.as_f64() == wanted.as_f64());
        if let Some(x) = present(v, key)
            && !same(x)
        {
            return Err(invalid(
                path,
                format!("{key} = {x} is not supported (this UNet has {want})"),
            ));
        }
    }
    for key in ["num_class_embeds", "class_embed_type"] {
        if let Some(x) = present(v, key) {
            return Err(invalid(
                path,
                format!("{key} = {x}: class-conditional diffusers models are not supported yet"),
            ));
        }
    }
    Ok(())
}

/// The UNet of a `UNet2DModel` config and its sample shape.
fn unet_config(path: &Path, v: &Value) -> Result<(UnetConfig, [usize; 3]), ZooError> {
    check_fixed(path, v)?;
    let size = usize_of(path, v, "sample_size", 0)?;
    let (cin, cout) = (
        usize_of(path, v, "in_channels", 3)?,
        usize_of(path, v, "out_channels", 3)?,
    );
    if size == 0 || cin != cout {
        return Err(invalid(
            path,
            format!(
                "need a sample_size and in_channels = out_channels (got {size}, {cin}, {cout})"
            ),
        ));
    }
    let widths: Vec<usize> = serde_json::from_value(v["block_out_channels"].clone())
        .map_err(|_| invalid(path, "block_out_channels must be a list of counts"))?;
    let down = strings(path, v, "down_block_types")?;
    let up = strings(path, v, "up_block_types")?;
    let base = *widths
        .first()
        .ok_or_else(|| invalid(path, "block_out_channels is empty"))?;
    if down.len() != widths.len() || widths.iter().any(|w| w % base != 0) {
        return Err(invalid(
            path,
            "block_out_channels must have one multiple of its first entry per down block",
        ));
    }
    let attn = attention_levels(path, size, &widths, &down, &up)?;
    let heads = attention_heads(path, v, &attn, *widths.last().expect("non-empty"))?;
    let config = UnetConfig::new(
        base,
        widths.iter().map(|w| w / base).collect(),
        usize_of(path, v, "layers_per_block", 2)?,
    )
    .with_attn_resolutions(attn.iter().map(|a| a.0).collect())
    .with_resolution(size)
    .with_image_channels(cin)
    .with_groups(usize_of(path, v, "norm_num_groups", 32)?)
    .with_dropout(f64_of(path, v, "dropout", 0.0)?)
    .with_attn_heads(heads)
    .with_flip_sin_to_cos(bool_of(path, v, "flip_sin_to_cos", true)?)
    .with_freq_shift(f64_of(path, v, "freq_shift", 0.0)?)
    .with_symmetric_downsample(usize_of(path, v, "downsample_padding", 1)? == 1);
    Ok((config, [cin, size, size]))
}

/// `(resolution, channels)` of every level with attention; the up blocks must mirror the down
/// blocks, since this UNet attends at the same resolutions on both paths.
fn attention_levels(
    path: &Path,
    size: usize,
    widths: &[usize],
    down: &[String],
    up: &[String],
) -> Result<Vec<(usize, usize)>, ZooError> {
    let mut attn = vec![];
    let mut res = size;
    for (i, kind) in down.iter().enumerate() {
        let mirrored = kind.replace("Down", "Up");
        if up.get(down.len() - 1 - i) != Some(&mirrored) {
            return Err(invalid(
                path,
                format!(
                    "up_block_types {up:?} must mirror down_block_types {down:?} (this UNet puts attention at the same resolutions on both paths)"
                ),
            ));
        }
        match kind.as_str() {
            "DownBlock2D" => {}
            "AttnDownBlock2D" => attn.push((res, widths[i])),
            other => {
                return Err(invalid(
                    path,
                    format!("block type {other} is not supported (DownBlock2D, AttnDownBlock2D)"),
                ));
            }
        }
        res = res.div_ceil(2);
    }
    Ok(attn)
}

/// One head count for every attention block (the levels with attention and the middle):
/// `channels / attention_head_dim`, or 1 head when `attention_head_dim` is null.
fn attention_heads(
    path: &Path,
    v: &Value,
    attn: &[(usize, usize)],
    mid: usize,
) -> Result<usize, ZooError> {
    let Some(dim) = present(v, "attention_head_dim") else {
        return Ok(1);
    };
    let dim = dim
        .as_u64()
        .ok_or_else(|| invalid(path, "attention_head_dim must be a count or null"))?
        as usize;
    let counts: Vec<usize> = attn.iter().map(|a| a.1).chain([mid]).collect();
    let heads: Vec<usize> = counts.iter().map(|c| c / dim.max(1)).collect();
    if counts.iter().any(|c| c % dim.max(1) != 0) || heads.iter().any(|h| *h != heads[0]) {
        return Err(invalid(
            path,
            format!(
                "attention_head_dim {dim} gives different head counts over the attention blocks' channels {counts:?}; this UNet has one head count"
            ),
        ));
    }
    Ok(heads[0])
}

/// Noise schedule, prediction type and time input of a scheduler config.
fn convention(path: &Path, v: &Value) -> Result<ModelConvention, ZooError> {
    let steps = usize_of(path, v, "num_train_timesteps", 1000)?;
    let beta_start = f64_of(path, v, "beta_start", 0.0001)?;
    let beta_end = f64_of(path, v, "beta_end", 0.02)?;
    if bool_of(path, v, "rescale_betas_zero_snr", false)? {
        return Err(invalid(
            path,
            "rescale_betas_zero_snr = true puts the last level at infinite noise; not supported",
        ));
    }
    let spec = if let Some(betas) = present(v, "trained_betas") {
        NoiseSpec::Betas(
            serde_json::from_value(betas.clone())
                .map_err(|_| invalid(path, "trained_betas must be a list of numbers"))?,
        )
    } else {
        let schedule = present(v, "beta_schedule")
            .and_then(Value::as_str)
            .unwrap_or("linear");
        match schedule {
            "linear" => NoiseSpec::DdpmLinear {
                beta_start,
                beta_end,
                steps,
            },
            "scaled_linear" => NoiseSpec::ScaledLinear {
                beta_start,
                beta_end,
                steps,
            },
            "squaredcos_cap_v2" => NoiseSpec::SquaredcosCapV2 { steps },
            other => {
                return Err(invalid(
                    path,
                    format!(
                        "beta_schedule \"{other}\" is not supported (linear, scaled_linear, squaredcos_cap_v2, or trained_betas)"
                    ),
                ));
            }
        }
    };
    let prediction = match present(v, "prediction_type")
        .and_then(Value::as_str)
        .unwrap_or("epsilon")
    {
        "epsilon" => Prediction::Eps,
        "sample" => Prediction::X0,
        "v_prediction" => Prediction::V,
        other => {
            return Err(invalid(
                path,
                format!(
                    "prediction_type \"{other}\" is not supported (epsilon, sample, v_prediction)"
                ),
            ));
        }
    };
    let noise = NoiseSchedule::new(spec).map_err(|e| invalid(path, e.to_string()))?;
    Ok(ModelConvention {
        noise,
        prediction,
        time_input: TimeInput::Discrete { steps },
    })
}
