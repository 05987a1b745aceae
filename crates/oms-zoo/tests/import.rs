//! Checkpoint import on small files the test writes itself, with the key names and PyTorch
//! tensor layouts of ermongroup/ddim's `Model` and of diffusers' `UNet2DModel`. The test's own
//! name mapping is written independently of the importer's regexes.

use std::collections::BTreeMap;
use std::path::Path;

use burn::module::{Module, ModuleVisitor};
use burn::prelude::*;
use oms_zoo::import::{Layout, import_unet, import_unet_from};
use oms_zoo::unet::UnetConfig;
use safetensors::{Dtype, tensor::TensorView};

/// Every float parameter: burn path, shape, values.
struct Collect(Vec<(Vec<String>, Vec<usize>, Vec<f32>)>, Vec<String>);

impl ModuleVisitor for Collect {
    fn enter_module(&mut self, name: &str, _: &str) {
        self.1.push(name.to_string());
    }
    fn exit_module(&mut self, _: &str, _: &str) {
        self.1.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<D>>) {
        let t = param.val();
        let values = t.to_data().try_into_vec_as::<f32>().unwrap();
        self.0.push((self.1.clone(), t.dims().to_vec(), values));
    }
}

/// PyTorch layout: Linear weights transposed to `[out, in]`, norm `gamma/beta` -> `weight/bias`.
fn pytorch_name_and_layout(
    path: &[String],
    shape: &[usize],
    v: &[f32],
    linear: bool,
) -> (String, Vec<usize>, Vec<f32>) {
    let mut p = path.to_vec();
    let last = p.last_mut().unwrap();
    if last == "gamma" {
        *last = "weight".into();
    } else if last == "beta" {
        *last = "bias".into();
    }
    if linear && shape.len() == 2 {
        let (i, o) = (shape[0], shape[1]);
        let t: Vec<f32> = (0..o * i).map(|k| v[(k % i) * o + k / i]).collect();
        return (p.join("."), vec![o, i], t);
    }
    (p.join("."), shape.to_vec(), v.to_vec())
}

fn is_linear(path: &[String]) -> bool {
    let s = path.join(".");
    s.contains("temb.dense") || s.contains("temb_proj")
}

fn write(path: &Path, tensors: &BTreeMap<String, (Vec<usize>, Vec<f32>)>) {
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(k, (s, v))| {
            (
                k.clone(),
                s.clone(),
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            )
        })
        .collect();
    let views: Vec<(String, TensorView)> = bytes
        .iter()
        .map(|(k, s, b)| {
            (
                k.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, path).unwrap();
}

fn ddim_tensors(net: &oms_zoo::unet::Unet) -> BTreeMap<String, (Vec<usize>, Vec<f32>)> {
    let mut c = Collect(vec![], vec![]);
    net.visit(&mut c);
    c.0.iter()
        .map(|(p, s, v)| {
            let (name, shape, values) = pytorch_name_and_layout(p, s, v, is_linear(p));
            (format!("module.{name}"), (shape, values))
        })
        .collect()
}

/// ddim name -> diffusers name (levels = number of resolution levels).
fn diffusers_name(ddim: &str, levels: usize) -> String {
    let parts: Vec<&str> = ddim.split('.').collect();
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < parts.len() {
        match parts[i] {
            "temb" => {
                out.push(format!(
                    "time_embedding.linear_{}",
                    parts[i + 2].parse::<usize>().unwrap() + 1
                ));
                i += 3;
                continue;
            }
            "norm_out" => out.push("conv_norm_out".into()),
            "down" | "up" => {
                let level: usize = parts[i + 1].parse().unwrap();
                let (prefix, idx) = if parts[i] == "down" {
                    ("down_blocks", level)
                } else {
                    ("up_blocks", levels - 1 - level)
                };
                let sub = match parts[i + 2] {
                    "block" => format!("resnets.{}", parts[i + 3]),
                    "attn" => format!("attentions.{}", parts[i + 3]),
                    _ => format!(
                        "{}s.0",
                        if parts[i + 2] == "downsample" {
                            "downsampler"
                        } else {
                            "upsampler"
                        }
                    ),
                };
                let step = if parts[i + 2] == "block" || parts[i + 2] == "attn" {
                    4
                } else {
                    3
                };
                out.push(format!("{prefix}.{idx}.{sub}"));
                i += step;
                continue;
            }
            "mid" => {
                out.push(
                    match parts[i + 1] {
                        "block_1" => "mid_block.resnets.0",
                        "block_2" => "mid_block.resnets.1",
                        _ => "mid_block.attentions.0",
                    }
                    .into(),
                );
                i += 2;
                continue;
            }
            "temb_proj" => out.push("time_emb_proj".into()),
            "nin_shortcut" => out.push("conv_shortcut".into()),
            "norm" => out.push("group_norm".into()),
            "q" => out.push("to_q".into()),
            "k" => out.push("to_k".into()),
            "v" => out.push("to_v".into()),
            "proj_out" => out.push("to_out.0".into()),
            other => out.push(other.into()),
        }
        i += 1;
    }
    out.join(".")
}

/// A model's weights under diffusers' `UNet2DModel` names and shapes.
fn diffusers_tensors(
    net: &oms_zoo::unet::Unet,
    levels: usize,
) -> BTreeMap<String, (Vec<usize>, Vec<f32>)> {
    ddim_tensors(net)
        .into_iter()
        .map(|(k, (shape, v))| {
            let name = diffusers_name(k.trim_start_matches("module."), levels);
            // diffusers attention projections are Linear: [out, in] instead of [out, in, 1, 1].
            let attn = ["to_q", "to_k", "to_v", "to_out"]
                .iter()
                .any(|p| name.contains(p));
            let shape = if attn && shape.len() == 4 {
                shape[..2].to_vec()
            } else {
                shape
            };
            (name, (shape, v))
        })
        .collect()
}

/// Equal outputs (to 1e-5) of two UNets on a random batch of `shape`, at two time steps.
fn same_outputs(
    a: &oms_zoo::unet::Unet,
    b: &oms_zoo::unet::Unet,
    shape: [usize; 4],
    device: &Device,
) {
    let x = Tensor::<4>::random(shape, burn::tensor::Distribution::Normal(0.0, 1.0), device);
    let t = Tensor::<1>::from_floats([3.0, 700.0], device);
    let (ya, yb) = (a.forward(x.clone(), t.clone(), None), b.forward(x, t, None));
    let diff = (ya - yb).abs().max().into_scalar::<f32>();
    assert!(diff < 1e-5, "outputs differ by {diff}");
}

fn small() -> UnetConfig {
    UnetConfig::new(8, vec![1, 2], 1)
        .with_attn_resolutions(vec![14])
        .with_groups(4)
}

#[test]
fn ddim_layout_loads_exactly() {
    let device = Device::flex();
    let cfg = small();
    let reference = cfg.init(&device);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ddim.safetensors");
    write(&file, &ddim_tensors(&reference));
    let loaded = import_unet(&file, Layout::Ddim, &cfg, &device).unwrap();
    same_outputs(&reference, &loaded, [2, 1, 28, 28], &device);
}

#[test]
fn diffusers_layout_loads_exactly() {
    let device = Device::flex();
    let cfg = small()
        .with_flip_sin_to_cos(true)
        .with_freq_shift(0.0)
        .with_symmetric_downsample(true)
        .with_attn_heads(2);
    let reference = cfg.init(&device);
    let tensors = diffusers_tensors(&reference, 2);
    assert!(
        tensors.contains_key("up_blocks.0.resnets.1.time_emb_proj.weight"),
        "{:?}",
        tensors.keys().collect::<Vec<_>>()
    );
    assert!(tensors.contains_key("mid_block.attentions.0.to_out.0.weight"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("unet.safetensors");
    write(&file, &tensors);
    let loaded = import_unet(&file, Layout::Diffusers, &cfg, &device).unwrap();
    same_outputs(&reference, &loaded, [2, 1, 28, 28], &device);
}

#[test]
fn truncated_or_mismatched_files_name_the_key() {
    let device = Device::flex();
    let cfg = small();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.safetensors");
    let mut tensors = ddim_tensors(&cfg.init(&device));
    tensors.remove("module.mid.attn_1.q.weight");
    write(&file, &tensors);
    let err = import_unet(&file, Layout::Ddim, &cfg, &device)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("mid.attn_1.q.weight") && err.contains("missing"),
        "{err}"
    );
    let mut tensors = ddim_tensors(&cfg.init(&device));
    tensors.insert(
        "module.conv_in.weight".into(),
        (vec![8, 1, 5, 5], vec![0.0; 200]),
    );
    write(&file, &tensors);
    let err = import_unet(&file, Layout::Ddim, &cfg, &device)
        .unwrap_err()
        .to_string();
    assert!(err.contains("conv_in"), "{err}");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let err = import_unet(&file, Layout::Ddim, &cfg, &device)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.safetensors"), "{err}");
}

#[test]
fn a_manifest_can_use_an_imported_checkpoint_and_checks_its_hash() {
    let device = Device::flex();
    let cfg = small();
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("ddim.safetensors"),
        &ddim_tensors(&cfg.init(&device)),
    );
    let manifest = |sha: &str| {
        format!(
            r#"(name: "imported", image_shape: (1, 28, 28), members: [(name: "cifar-like",
            convention: (noise: LinearVp(beta_0: 0.1, beta_1: 20.0), prediction: Eps, time_input: Discrete(steps: 1000)),
            kind: Unet((config: (channels: 8, channel_mults: [1, 2], num_res_blocks: 1, attn_resolutions: [14], resolution: 28,
                image_channels: 1, groups: 4, dropout: 0.0, num_classes: None, patch: 1, attn_heads: 1, flip_sin_to_cos: false,
                freq_shift: 1.0, symmetric_downsample: false),
            checkpoint: "ddim.safetensors", sha256: {sha}, layout: Ddim, dataset: "fashion-mnist",
            recipe: (steps: 1, batch: 1, lr: 0.001, warmup: 1, ema_decay: 0.9, grad_clip: 1.0, seed: 0, checkpoint_every: 1))))])"#
        )
    };
    let path = dir.path().join("zoo.ron");
    std::fs::write(&path, manifest("None")).unwrap();
    let zoo = oms_zoo::ZooManifest::load(&path)
        .unwrap()
        .build(&device)
        .unwrap();
    assert_eq!(zoo.names(), ["cifar-like"]);
    std::fs::write(&path, manifest("Some(\"00\")")).unwrap();
    let err = oms_zoo::ZooManifest::load(&path)
        .unwrap()
        .build(&device)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sha256") && err.contains("ddim.safetensors"),
        "{err}"
    );
}

/// A PyTorch (`torch.save` zip) checkpoint written by `fixtures/write_pt.py` (pure Python, no
/// torch needed), with the ddim state dict under "state_dict" and DataParallel's "module." prefix.
#[test]
fn pytorch_checkpoints_load_through_the_pickle_reader() {
    let device = Device::flex();
    let cfg = small();
    let reference = cfg.init(&device);
    let dir = tempfile::tempdir().unwrap();
    let spec: serde_json::Map<String, serde_json::Value> = ddim_tensors(&reference)
        .into_iter()
        .map(|(k, (shape, data))| (k, serde_json::json!({"shape": shape, "data": data})))
        .collect();
    let json = dir.path().join("tensors.json");
    std::fs::write(&json, serde_json::to_string(&spec).unwrap()).unwrap();
    let pt = dir.path().join("model.ckpt");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/write_pt.py");
    let status = match std::process::Command::new("python3")
        .arg(script)
        .arg(&json)
        .arg(&pt)
        .status()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipping: python3 is needed to write the fixture ({e})");
            return;
        }
    };
    assert!(status.success());
    let loaded = import_unet_from(&pt, Layout::Ddim, Some("state_dict"), &cfg, &device).unwrap();
    same_outputs(&reference, &loaded, [2, 1, 28, 28], &device);
}

/// The `config.json` of a two-level RGB 32x32 `UNet2DModel`, with one field replaced.
fn unet2d_config(replace: (&str, serde_json::Value)) -> String {
    let mut v = serde_json::json!({
        "_class_name": "UNet2DModel", "sample_size": 32, "in_channels": 3, "out_channels": 3,
        "block_out_channels": [8, 16], "layers_per_block": 1,
        "down_block_types": ["AttnDownBlock2D", "DownBlock2D"],
        "up_block_types": ["UpBlock2D", "AttnUpBlock2D"],
        "attention_head_dim": null, "norm_num_groups": 4, "norm_eps": 1e-5,
        "flip_sin_to_cos": true, "freq_shift": 0, "downsample_padding": 1, "act_fn": "silu",
        "time_embedding_type": "positional", "center_input_sample": false,
        "mid_block_scale_factor": 1
    });
    v[replace.0] = replace.1;
    v.to_string()
}

/// A two-level RGB 32x32 UNet that diffusers can express, with attention at `attn`.
fn rgb32(attn: usize) -> UnetConfig {
    UnetConfig::new(8, vec![1, 2], 1)
        .with_attn_resolutions(vec![attn])
        .with_resolution(32)
        .with_image_channels(3)
        .with_groups(4)
        .with_flip_sin_to_cos(true)
        .with_freq_shift(0.0)
        .with_symmetric_downsample(true)
}

/// A diffusers pipeline folder (`unet/`, `scheduler/`) written here becomes a manifest member
/// whose weights load, whose hash is checked and whose outputs equal the model's; configs this
/// UNet cannot express are refused with the field.
#[test]
fn a_diffusers_folder_becomes_a_manifest_member() {
    let device = Device::flex();
    let cfg = rgb32(32);
    let reference = cfg.init(&device);
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("ddpm-tiny");
    std::fs::create_dir_all(pipe.join("unet")).unwrap();
    std::fs::create_dir_all(pipe.join("scheduler")).unwrap();
    let weights = pipe.join("unet").join(oms_zoo::diffusers::WEIGHTS);
    write(&weights, &diffusers_tensors(&reference, 2));
    std::fs::write(
        pipe.join("unet/config.json"),
        unet2d_config(("in_channels", 3.into())),
    )
    .unwrap();
    let scheduler = r#"{"_class_name": "DDPMScheduler", "num_train_timesteps": 1000,
        "beta_schedule": "squaredcos_cap_v2", "prediction_type": "v_prediction", "clip_sample": true}"#;
    std::fs::write(pipe.join("scheduler/scheduler_config.json"), scheduler).unwrap();

    let model = oms_zoo::diffusers::read_folder(&pipe).unwrap();
    assert_eq!(model.config, cfg);
    assert_eq!(model.image_shape, [3, 32, 32]);
    assert_eq!(model.convention.prediction, oms_solver::Prediction::V);
    assert_eq!(
        model.convention.noise.spec(),
        &oms_schedule::NoiseSpec::SquaredcosCapV2 { steps: 1000 }
    );
    let member = model
        .member(
            "tiny",
            "ddpm-tiny/unet/diffusion_pytorch_model.safetensors".into(),
            "cifar10",
        )
        .unwrap();
    let manifest = oms_zoo::ZooManifest {
        name: "imported".into(),
        image_shape: model.image_shape,
        analytic_data: None,
        members: vec![member],
        path: Default::default(),
    };
    let path = dir.path().join("zoo.ron");
    std::fs::write(&path, ron::to_string(&manifest).unwrap()).unwrap();
    let zoo = oms_zoo::ZooManifest::load(&path)
        .unwrap()
        .build(&device)
        .unwrap();
    assert_eq!(zoo.names(), ["tiny"]);
    let loaded = import_unet(&weights, Layout::Diffusers, &model.config, &device).unwrap();
    same_outputs(&reference, &loaded, [2, 3, 32, 32], &device);

    let refused = |key: &str, value: serde_json::Value| {
        std::fs::write(pipe.join("unet/config.json"), unet2d_config((key, value))).unwrap();
        oms_zoo::diffusers::read_folder(&pipe)
            .unwrap_err()
            .to_string()
    };
    let e = refused(
        "down_block_types",
        serde_json::json!(["CrossAttnDownBlock2D", "DownBlock2D"]),
    );
    assert!(
        e.contains("CrossAttnDownBlock2D") && e.contains("config.json"),
        "{e}"
    );
    let e = refused(
        "up_block_types",
        serde_json::json!(["AttnUpBlock2D", "UpBlock2D"]),
    );
    assert!(e.contains("mirror"), "{e}");
    let e = refused("num_class_embeds", 10.into());
    assert!(e.contains("num_class_embeds"), "{e}");
    let e = refused("attention_head_dim", 4.into());
    assert!(e.contains("head count"), "{e}");
}

/// A UNet written as a diffusers folder (`oms_zoo::diffusers_write`) has the tensor names and
/// shapes this test's own mapping gives diffusers' `UNet2DModel`, reads back as the same
/// architecture and convention, and computes the same outputs; what diffusers cannot express is
/// refused by name.
#[test]
fn a_unet_written_as_a_diffusers_folder_reads_back_the_same() {
    let device = Device::flex();
    let cfg = rgb32(16);
    let net = cfg.init(&device);
    let convention = oms_solver::ModelConvention {
        noise: oms_schedule::NoiseSchedule::new(oms_schedule::NoiseSpec::DdpmLinear {
            beta_start: 0.0001,
            beta_end: 0.02,
            steps: 1000,
        })
        .unwrap(),
        prediction: oms_solver::Prediction::Eps,
        time_input: oms_solver::TimeInput::Discrete { steps: 1000 },
    };
    let dir = tempfile::tempdir().unwrap();
    oms_zoo::diffusers_write::write_folder(dir.path(), &net, &cfg, &convention).unwrap();
    let weights = dir.path().join(oms_zoo::diffusers::WEIGHTS);
    let bytes = std::fs::read(&weights).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut written: Vec<(String, Vec<usize>)> = file
        .tensors()
        .into_iter()
        .map(|(k, v)| (k, v.shape().to_vec()))
        .collect();
    written.sort();
    let want: Vec<(String, Vec<usize>)> = diffusers_tensors(&net, 2)
        .into_iter()
        .map(|(k, (s, _))| (k, s))
        .collect();
    assert_eq!(written, want);
    let model = oms_zoo::diffusers::read_folder(dir.path()).unwrap();
    assert_eq!(model.config, cfg);
    assert_eq!(model.convention, convention);
    assert_eq!(model.image_shape, [3, 32, 32]);
    let loaded = import_unet(&weights, Layout::Diffusers, &cfg, &device).unwrap();
    same_outputs(&net, &loaded, [2, 3, 32, 32], &device);
    let patched = cfg.clone().with_patch(2);
    let err = oms_zoo::diffusers_write::write_folder(dir.path(), &net, &patched, &convention)
        .unwrap_err()
        .to_string();
    assert!(err.contains("patch 2"), "{err}");
}
