//! Schedule representation for oms: VP noise schedules, time grids, the schedule type (solver
//! steps in noise levels with the model of every NFE), its validation, its cost under a latency
//! table, the reference implementation's two integer encodings and k-diffusion sigma lists.
//!
//! Plain f64 data; this crate never sees a tensor.

pub mod builder;
pub mod encoding;
pub mod error;
pub mod grid;
pub mod latency;
pub mod level;
pub mod noise;
pub mod schedule;
pub mod sigmas;
pub mod solver_name;
pub mod vp;

pub use builder::SingleModel;
pub use encoding::{DdimGrid, SlotEncoding};
pub use error::{EncodingError, NoiseError, ScheduleError};
pub use grid::TimeGrid;
pub use latency::LatencyTable;
pub use level::Lambda;
pub use noise::{NoiseSchedule, NoiseSpec};
pub use schedule::{FORMAT_VERSION, ModelInfo, Schedule, Solver, Step};
pub use sigmas::{SigmaError, lambda_of_sigma, lambdas_of_sigmas, sigma_of_lambda};
pub use solver_name::{SOLVER_NAMES, SolverName};
