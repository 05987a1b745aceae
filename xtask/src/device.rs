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
    Ok(Device::cuda(0))
}

#[cfg(not(feature = "cuda"))]
fn cuda() -> Result<Device> {
    bail!(
        "this build has no CUDA backend; run `cargo run -p xtask --features cuda -- <command> --device cuda ...`"
    )
}
