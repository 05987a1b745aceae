//! The predictor as the search's [`Scorer`]: genomes become schedules, schedules step tokens,
//! tokens scores (lower is better).

use burn::tensor::Device;
use oms_predictor::{Predictor, Tokens};
use oms_schedule::{NoiseSchedule, NoiseSpec};
use oms_search::{Genome, Scorer};
use oms_space::SlotSpace;

use crate::Result;

/// Scores slot schedules with the predictor.
pub struct PredictorScorer<'a> {
    predictor: &'a Predictor,
    models: Vec<String>,
    noise: NoiseSchedule,
    lambda_start: f64,
    device: Device,
}

impl<'a> PredictorScorer<'a> {
    /// A scorer of schedules over `space`'s models starting at `lambda_start`.
    pub fn new(
        predictor: &'a Predictor,
        space: &SlotSpace,
        lambda_start: f64,
        device: &Device,
    ) -> Result<Self> {
        Ok(Self {
            predictor,
            models: space.models.clone(),
            noise: NoiseSchedule::new(NoiseSpec::linear_vp())?,
            lambda_start,
            device: device.clone(),
        })
    }
}

impl Scorer for PredictorScorer<'_> {
    fn scores(&mut self, items: &[Genome]) -> Vec<f64> {
        let tokens: Vec<Tokens> = items
            .iter()
            .map(|g| {
                let schedule = g
                    .schedule(&self.models, &self.noise, self.lambda_start)
                    .expect("search keeps schedules valid");
                self.predictor.tokens(&schedule).expect("zoo models")
            })
            .collect();
        let refs: Vec<&Tokens> = tokens.iter().collect();
        self.predictor.scores(&refs, &self.device)
    }
}
