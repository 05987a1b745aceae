//! The `--device` flag: the only place a backend is chosen.

use anyhow::{Result, bail};
use burn::tensor::Device;
use std::path::{Path, PathBuf};

/// Which backend to run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeviceArg {
    /// burn's pure-Rust CPU backend (flex).
    Cpu,
    /// wgpu (Vulkan, Metal, DX12); needs `--features wgpu`.
    Wgpu,
    /// CUDA; needs `--features cuda`.
    Cuda,
}

impl DeviceArg {
    /// The name latency profiles record (`cpu`, `wgpu`, `cuda`).
    pub fn name(self) -> &'static str {
        match self {
            DeviceArg::Cpu => "cpu",
            DeviceArg::Wgpu => "wgpu",
            DeviceArg::Cuda => "cuda",
        }
    }
}

/// Opens the device, or says which cargo feature is missing.
pub fn open(arg: DeviceArg) -> Result<Device> {
    match arg {
        DeviceArg::Cpu => Ok(Device::flex()),
        DeviceArg::Wgpu => wgpu(),
        DeviceArg::Cuda => cuda(),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu() -> Result<Device> {
    Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu() -> Result<Device> {
    bail!(
        "this build has no wgpu backend; run `cargo run -p xtask --features wgpu -- <command> --device wgpu ...`"
    )
}

#[cfg(feature = "cuda")]
fn cuda() -> Result<Device> {
    // cudarc panics, and burn then aborts, when the driver library is missing: ask first
    // (enumerating only tries to load it).
    if Device::enumerate(burn::tensor::DeviceType::Cuda).is_empty() {
        bail!(
            "no CUDA device: the NVIDIA driver's libcuda.so was not found or reports no GPU \
             (check nvidia-smi and LD_LIBRARY_PATH), or use --device cpu; docs/latency.md, \"CUDA\""
        )
    }
    let var = std::env::var("CUDA_PATH").ok();
    if cuda_toolkit(var.as_deref(), |p| p.exists()).is_none() {
        bail!(
            "no CUDA toolkit folder: kernels are compiled at run time by NVRTC, which needs \
             libnvrtc.so on the library path and the CUDA headers; set CUDA_PATH to a folder \
             with include/ (or install the toolkit in /usr/local/cuda); docs/latency.md, \"CUDA\""
        )
    }
    Ok(Device::cuda(0))
}

#[cfg(not(feature = "cuda"))]
fn cuda() -> Result<Device> {
    bail!(
        "this build has no CUDA backend; run `cargo run -p xtask --features cuda -- <command> --device cuda ...`"
    )
}

/// The CUDA toolkit folder NVRTC's include path is taken from, found as cubecl-cuda finds it
/// (`cubecl_cuda::install::cuda_path`, which panics at the first kernel when it finds none):
/// `CUDA_PATH`, then `/usr/local/cuda`, `/opt/cuda`, and `/usr` when `/usr/bin/nvcc` exists.
#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
fn cuda_toolkit(cuda_path: Option<&str>, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    if let Some(p) = cuda_path {
        return Some(PathBuf::from(p));
    }
    let candidates = [
        ("/usr/local/cuda", "/usr/local/cuda"),
        ("/opt/cuda", "/opt/cuda"),
        ("/usr/bin/nvcc", "/usr"),
    ];
    candidates
        .into_iter()
        .find(|(probe, _)| exists(Path::new(probe)))
        .map(|(_, folder)| PathBuf::from(folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toolkit_is_found_where_cubecl_cuda_looks() {
        let none = |_: &Path| false;
        assert_eq!(cuda_toolkit(Some("/x/cuda"), none), Some("/x/cuda".into()));
        assert_eq!(cuda_toolkit(None, none), None);
        let nvcc_only = |p: &Path| p == Path::new("/usr/bin/nvcc");
        assert_eq!(cuda_toolkit(None, nvcc_only), Some("/usr".into()));
        let both = |p: &Path| p == Path::new("/opt/cuda") || p == Path::new("/usr/bin/nvcc");
        assert_eq!(cuda_toolkit(None, both), Some("/opt/cuda".into()));
    }
}
