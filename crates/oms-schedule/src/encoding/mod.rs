//! The reference implementation's flat integer encodings (method.md section 2), importable and
//! exportable: `0` = no evaluation, `1..=N` = zoo model id (the position in the zoo manifest plus
//! one), index 0 at the clean end, index `L - 1` at the noise end.

mod ddim;
mod slots;

pub use ddim::DdimGrid;
pub use slots::SlotEncoding;

use crate::error::EncodingError;

/// The model name of a 1-based id.
fn model_name(models: &[String], index: usize, id: u32) -> Result<String, EncodingError> {
    if id == 0 || id as usize > models.len() {
        return Err(EncodingError::ModelId {
            index,
            id,
            n_models: models.len(),
        });
    }
    Ok(models[id as usize - 1].clone())
}

/// The 1-based id of a model name.
fn model_id(models: &[String], step: usize, name: &str) -> Result<u32, EncodingError> {
    models
        .iter()
        .position(|m| m == name)
        .map(|p| p as u32 + 1)
        .ok_or_else(|| EncodingError::NotRepresentable {
            step,
            reason: format!(
                "model '{name}' is not in the model list [{}]",
                models.join(", ")
            ),
        })
}

/// Levels equal up to rounding of the conversion.
fn same_level(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * (1.0 + a.abs().max(b.abs()))
}
