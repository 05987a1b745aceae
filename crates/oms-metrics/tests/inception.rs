//! The FID Inception: one block against a numpy reference (fixtures/make_inception_block.py),
//! and loading plus feature shapes on a random checkpoint the test writes with pytorch-fid's
//! key names.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use oms_metrics::features::{FeatureNet, InceptionA, InceptionV3, load_inception};
use safetensors::{Dtype, tensor::TensorView};

fn phase(name: &str) -> f64 {
    (name
        .bytes()
        .enumerate()
        .map(|(j, b)| (j + 1) * b as usize)
        .sum::<usize>()
        % 997) as f64
        / 97.0
}

/// Sets every float parameter by the fixture's formula, keyed by its path.
struct Formula(Vec<String>);

impl ModuleMapper for Formula {
    fn enter_module(&mut self, name: &str, _: &str) {
        self.0.push(name.to_string());
    }
    fn exit_module(&mut self, _: &str, _: &str) {
        self.0.pop();
    }
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let path = self.0.join(".");
        if path.ends_with("running_mean") || path.ends_with("running_var") {
            return param; // eval-mode statistics stay at their defaults: mean 0, variance 1
        }
        let p = phase(&path);
        param.map(|t| {
            let dims = t.dims();
            let n = t.shape().num_elements();
            let v: Vec<f32> = (0..n)
                .map(|i| (0.2 * (0.37 * i as f64 + p).sin()) as f32)
                .collect();
            Tensor::from_data(TensorData::new(v, dims), &t.device())
        })
    }
}

#[test]
fn inception_a_matches_numpy() {
    let device = Device::flex();
    let block = InceptionA::new(4, 8, &device).map(&mut Formula(vec![]));
    let x: Vec<f32> = (0..100)
        .map(|i| ((0.11 * i as f64).sin() + 0.3) as f32)
        .collect();
    let y = block.forward(Tensor::from_data(TensorData::new(x, [1, 4, 5, 5]), &device));
    assert_eq!(y.dims(), [1, 232, 5, 5]);
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/inception_block.json")).unwrap();
    let want: Vec<f64> = fixture["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let got = y.into_data().try_into_vec_as::<f32>().unwrap();
    let worst = got
        .iter()
        .zip(&want)
        .map(|(g, w)| (*g as f64 - w).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "max abs difference {worst}");
}

struct Names(Vec<(String, Vec<usize>)>, Vec<String>);

impl ModuleVisitor for Names {
    fn enter_module(&mut self, name: &str, _: &str) {
        self.1.push(name.to_string());
    }
    fn exit_module(&mut self, _: &str, _: &str) {
        self.1.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push((self.1.join("."), param.val().dims().to_vec()));
    }
}

/// burn path -> pytorch-fid key.
fn pytorch_key(path: &str) -> String {
    let mut parts: Vec<String> = path.split('.').map(String::from).collect();
    let first = &mut parts[0];
    if let Some(rest) = first.strip_prefix("conv2d_") {
        *first = format!("Conv2d_{rest}");
    } else if let Some(rest) = first.strip_prefix("mixed_") {
        *first = format!("Mixed_{rest}");
    }
    let last = parts.last_mut().unwrap();
    *last = match last.as_str() {
        "gamma" => "weight".into(),
        "beta" => "bias".into(),
        other => other.into(),
    };
    parts.join(".")
}

#[test]
fn a_random_pytorch_fid_checkpoint_loads_and_gives_2048_features() {
    let device = Device::flex();
    let mut names = Names(vec![], vec![]);
    InceptionV3::new(&device).visit(&mut names);
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = vec![];
    let mut add = |key: String, shape: Vec<usize>, fill: f32| {
        let n: usize = shape.iter().product();
        tensors.push((
            key,
            shape,
            std::iter::repeat_n(fill.to_le_bytes(), n)
                .flatten()
                .collect(),
        ));
    };
    for (path, shape) in &names.0 {
        // Running statistics are visited too; variances must stay positive.
        let fill = if path.ends_with("running_var") {
            1.0
        } else {
            0.01
        };
        add(pytorch_key(path), shape.clone(), fill);
    }
    add("fc.weight".into(), vec![1008, 2048], 0.0);
    add("fc.bias".into(), vec![1008], 0.0);
    let counter = 5i64.to_le_bytes().to_vec();
    let mut views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(k, s, b)| {
            (
                k.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    views.push((
        "Mixed_5b.branch1x1.bn.num_batches_tracked".into(),
        TensorView::new(Dtype::I64, vec![1], &counter).unwrap(),
    ));
    let dir = std::env::temp_dir().join(format!("oms-inception-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pt_inception.safetensors");
    safetensors::serialize_to_file(views, None, &file).unwrap();
    let net = load_inception(&file, &device).unwrap();
    let images: Vec<u8> = (0..2 * 28 * 28).map(|i| (i * 7 % 256) as u8).collect();
    let f = net.features(&images, [1, 28, 28], 2, &device);
    assert_eq!((f.len(), net.dim()), (2 * 2048, 2048));
    assert!(f.iter().all(|v| v.is_finite()));
    // RGB images whose three channels are the gray ones get the gray images' features (pytorch-fid
    // repeats gray to RGB), and any size is taken (resized to 299 x 299).
    let rgb: Vec<u8> = images.chunks(28 * 28).flat_map(|g| g.repeat(3)).collect();
    assert_eq!(net.features(&rgb, [3, 28, 28], 2, &device), f);
    assert!(net.accepts([3, 32, 48]) && !net.accepts([2, 28, 28]));
    let wide = net.features(&vec![90u8; 3 * 32 * 48], [3, 32, 48], 1, &device);
    assert!(wide.len() == 2048 && wide.iter().all(|v| v.is_finite()));
    // A truncated file names what is missing.
    let _ = std::fs::remove_file(&file);
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .filter(|(k, _, _)| !k.starts_with("Mixed_7c"))
        .map(|(k, s, b)| {
            (
                k.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, &file).unwrap();
    let err = load_inception(&file, &device).unwrap_err().to_string();
    assert!(err.contains("mixed_7c"), "{}", &err[..err.len().min(300)]);
    let _ = std::fs::remove_dir_all(dir);
}
