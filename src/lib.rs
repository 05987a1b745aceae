//! oms: optimal model schedules for diffusion sampling. This crate re-exports the workspace's
//! layers under short names; see docs/ARCHITECTURE.md.

pub use oms_artifacts as artifacts;
pub use oms_dataset as dataset;
pub use oms_latency as latency;
pub use oms_pipeline as pipeline;
pub use oms_predictor as predictor;
pub use oms_sampler as sampler;
pub use oms_schedule as schedule;
pub use oms_search as search;
pub use oms_solver as solver;
pub use oms_space as space;
pub use oms_zoo as zoo;
