//! The `--device` flag: the only place a backend is chosen.

use anyhow::{Result, bail};
use burn::tensor::Device;

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
    // cubecl-cuda panics at the first kernel when its lookup (CUDA_PATH, /usr/local/cuda,
    // /opt/cuda, /usr with /usr/bin/nvcc) finds no toolkit: ask the same function first.
    if cubecl_cuda::install::cuda_path().is_none() {
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
