//! The committed defaults the commands fall back to: the default zoo and its label sets, in
//! one place so that every command agrees on which zoo "the default" is.
//!
//! The default zoo is v2 (configs/zoo/fashion-mnist-v2.ron: v1's architectures trained longer
//! on a GPU, docs/zoo.md). v1 (configs/zoo/fashion-mnist.ron) and its labels
//! (assets/labels/fashion-mnist{,-joint,-active,-baselines}.jsonl) stay committed; pass them
//! with --zoo, --labels and --baselines.

/// The default zoo manifest.
pub const ZOO: &str = "configs/zoo/fashion-mnist-v2.ron";
/// Labels of the default zoo's random plan (bank 0, n = 1000).
pub const LABELS: &str = "assets/labels/fashion-mnist-v2.jsonl";
/// Labels active learning starts from.
pub const ACTIVE_START: &str = "assets/labels/fashion-mnist-v2.jsonl";
/// Labels that active learning appends to.
pub const ACTIVE: &str = "assets/labels/fashion-mnist-v2-active.jsonl";
/// Everything the search's predictor trains on.
pub const SEARCH_LABELS: &str =
    "assets/labels/fashion-mnist-v2.jsonl,assets/labels/fashion-mnist-v2-active.jsonl";
/// Baseline labels of the default zoo (bank 1, n = 1000).
pub const BASELINES: &str = "assets/labels/fashion-mnist-v2-baselines.jsonl";
