//! The model zoo of oms: zoo manifests (RON) and the denoisers they name: burn UNets (the
//! DDPM architecture, trained or imported) and the analytic zoo (exact and deliberately
//! imperfect closed-form denoisers).

pub mod analytic;
pub mod checkpoint;
pub mod diffusers;
pub mod diffusers_write;
pub mod error;
pub mod import;
pub mod manifest;
pub mod mlp;
pub mod recipe;
pub mod unet;
pub mod unet_denoiser;

pub use error::ZooError;
pub use manifest::{AnalyticData, MemberKind, MemberSpec, UnetMember, ZooManifest};
pub use recipe::{Cooldown, LossWeight, LrRule, Recipe, TimeSampling};
pub use unet_denoiser::UnetDenoiser;
