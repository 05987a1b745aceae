//! The analytic zoo: data with a closed-form exact denoiser (Gaussians and Gaussian mixtures)
//! plus deliberately imperfect models of controllable error, so solvers and schedules can be
//! tested against exact answers.

pub mod convergence;
mod data;
mod model;
mod shapes;

pub use data::{Mixture, rows_to_tensor};
pub use model::{AnalyticDenoiser, Imperfection};
pub use shapes::{FIGURES, shapes};
