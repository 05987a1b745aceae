//! The schedule-quality predictor (method.md section 4): schedule encodings, the reference LSTM
//! and an alternative encoder, the pairwise ranking loss, training and rank metrics.

pub mod rank;

pub use rank::{kendall_tau_b, ranks, spearman_rho, top_precision};
