//! The model zoo of oms: zoo manifests (RON) and the denoisers they name. Today: the analytic
//! zoo (exact and deliberately imperfect closed-form denoisers); the burn UNet members follow.

pub mod analytic;
pub mod error;
pub mod manifest;

pub use error::ZooError;
pub use manifest::{AnalyticData, MemberKind, MemberSpec, ZooManifest};
