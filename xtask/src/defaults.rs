//! The committed defaults the commands fall back to: the default zoo and its label sets, in
//! one place so that every command agrees on which zoo "the default" is.

/// The default zoo manifest.
pub const ZOO: &str = "configs/zoo/fashion-mnist.ron";
/// Labels of the default zoo's random plan (bank 0, n = 1000).
pub const LABELS: &str = "assets/labels/fashion-mnist.jsonl";
/// Labels active learning starts from.
pub const ACTIVE_START: &str =
    "assets/labels/fashion-mnist.jsonl,assets/labels/fashion-mnist-joint.jsonl";
/// Labels that active learning appends to.
pub const ACTIVE: &str = "assets/labels/fashion-mnist-active.jsonl";
/// Everything the search's predictor trains on.
pub const SEARCH_LABELS: &str = "assets/labels/fashion-mnist.jsonl,assets/labels/fashion-mnist-joint.jsonl,assets/labels/fashion-mnist-active.jsonl";
/// Baseline labels of the default zoo (bank 1, n = 1000).
pub const BASELINES: &str = "assets/labels/fashion-mnist-baselines.jsonl";
