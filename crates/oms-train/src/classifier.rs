//! Training of the feature-network classifier: cross-entropy with Adam, seeded epochs, test
//! accuracy at the end.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use oms_data::Dataset;
use oms_metrics::features::{Classifier, ClassifierConfig, to_input};
use serde::{Deserialize, Serialize};

/// How the classifier is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierRecipe {
    /// Passes over the train split.
    pub epochs: usize,
    /// Images per step.
    pub batch: usize,
    /// Peak Adam learning rate (cosine decay to zero over the run).
    pub lr: f64,
    /// Seed of initialisation and batch order.
    pub seed: u64,
}

/// Trains on `train`, returns the network and its accuracy on `test`. `on_step(step, steps, loss)`.
pub fn train_classifier(
    config: &ClassifierConfig,
    recipe: &ClassifierRecipe,
    train: &Dataset,
    test: &Dataset,
    device: &Device,
    on_step: &mut dyn FnMut(usize, usize, f64),
) -> (Classifier, f64) {
    let ad = device.clone().autodiff();
    ad.seed(recipe.seed);
    let mut net = config.init(&ad);
    let mut optim = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let per_epoch = train.len() / recipe.batch;
    let steps = recipe.epochs * per_epoch;
    let (h, w) = (train.rows, train.cols);
    for epoch in 0..recipe.epochs {
        let order = train.shuffled(recipe.seed.wrapping_add(1000 + epoch as u64));
        for (k, idx) in order.chunks_exact(recipe.batch).enumerate() {
            let pixels: Vec<u8> = idx
                .iter()
                .flat_map(|&i| train.image(i).iter().copied())
                .collect();
            let labels: Vec<i64> = idx.iter().map(|&i| train.labels[i] as i64).collect();
            let x = to_input(&pixels, idx.len(), h, w, &ad);
            let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [idx.len()]), &ad);
            let loss = loss_fn.forward(net.forward(x), y);
            let value = loss.clone().into_scalar::<f64>();
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            let step = epoch * per_epoch + k;
            let lr =
                0.5 * recipe.lr * (1.0 + (std::f64::consts::PI * step as f64 / steps as f64).cos());
            net = optim.step(lr, net, grads);
            on_step(epoch * per_epoch + k + 1, steps, value);
        }
    }
    let net = net.valid();
    let accuracy = accuracy(&net, test, device);
    (net, accuracy)
}

/// Top-1 accuracy on a split.
pub fn accuracy(net: &Classifier, data: &Dataset, device: &Device) -> f64 {
    let mut correct = 0usize;
    let idx: Vec<usize> = (0..data.len()).collect();
    for chunk in idx.chunks(500) {
        let pixels: Vec<u8> = chunk
            .iter()
            .flat_map(|&i| data.image(i).iter().copied())
            .collect();
        let x = to_input(&pixels, chunk.len(), data.rows, data.cols, device);
        let pred = net
            .forward(x)
            .argmax(1)
            .into_data()
            .try_into_vec_as::<i64>()
            .expect("ints");
        correct += chunk
            .iter()
            .zip(pred)
            .filter(|(i, p)| data.labels[**i] as i64 == *p)
            .count();
    }
    correct as f64 / data.len() as f64
}
