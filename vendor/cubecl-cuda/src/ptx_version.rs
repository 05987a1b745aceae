//! oms patch: [`PtxVersion`] without `cubecl-llvm`.
//!
//! The runtime fills `CudaCompilationOptions::ptx_version` for either backend, so the type has
//! to exist when the LLVM backend is compiled out. With the `llvm` feature it is cubecl-llvm's
//! own type (the `PlironOptions` field takes that one); without it, a verbatim copy of
//! cubecl-llvm 0.11.3's `src/nvptx/ptx_version.rs` (a pure-Rust table): `ptx_version/table.rs`.

#[cfg(feature = "llvm")]
pub use cubecl_llvm::nvptx::ptx_version::PtxVersion;
#[cfg(not(feature = "llvm"))]
pub use table::PtxVersion;

#[cfg(not(feature = "llvm"))]
#[allow(dead_code)] // `target_feature` is read by the LLVM backend only.
mod table;
