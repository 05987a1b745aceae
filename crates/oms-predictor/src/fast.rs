//! Exact plain-f32 CPU inference of the reference LSTM predictor (method.md section 4), for the
//! search's throughput. Same arithmetic as [`crate::net::LstmPredictor`], re-associated:
//!
//! * the LSTM's input projection is linear in the concatenated step input `[slot, order, time]`,
//!   so `W_ih x = W_s slot + W_o order + W_t time`; each part depends on one small discrete
//!   key (the model triple, `(N+1)^3` values; the order, 4; the discrete time, 1001), so the
//!   slot MLP, the time encoder and their projections are tabulated once, biases folded in;
//! * only the recurrence `h W_hh` (faer matmuls over the rows still running, schedules sorted by
//!   length so no padding is computed) and the head remain per schedule.
//!
//! `fast_matches_burn` tests that scores equal the burn network's to 1e-4.

use burn::nn::{Embedding, Linear};
use burn::prelude::*;
use faer::Mat;

use crate::batch::time_embedding;
use crate::encode::{EncodingSpec, SOLVERS, StepToken, Tokens};
use crate::net::{JOINT_EXTRA, LstmPredictor};

/// A dense layer `y = x W + b` (`W` is `[in, out]`, burn's layout).
struct Dense {
    w: Mat<f32>,
    b: Vec<f32>,
}

fn values(t: Tensor<2>) -> (Vec<f32>, [usize; 2]) {
    let dims = t.dims();
    let data = t.into_data().convert::<f32>();
    (data.as_slice::<f32>().expect("f32 weights").to_vec(), dims)
}

impl Dense {
    fn of(l: &Linear) -> Dense {
        let (w, [i, o]) = values(l.weight.val());
        let b = match &l.bias {
            Some(b) => {
                let data = b.val().into_data().convert::<f32>();
                data.as_slice::<f32>().expect("f32 bias").to_vec()
            }
            None => vec![0.0; o],
        };
        Dense {
            w: Mat::from_fn(i, o, |r, c| w[r * o + c]),
            b,
        }
    }

    /// `act(x W + b)` for the rows of `x`.
    fn apply(&self, x: &Mat<f32>, act: fn(f32) -> f32) -> Mat<f32> {
        let y = x * &self.w;
        Mat::from_fn(y.nrows(), y.ncols(), |r, c| act(y[(r, c)] + self.b[c]))
    }
}

fn embedding(e: &Embedding) -> Mat<f32> {
    let (w, [n, d]) = values(e.weight.val());
    Mat::from_fn(n, d, |r, c| w[r * d + c])
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
fn silu(x: f32) -> f32 {
    x * sigmoid(x)
}
fn relu(x: f32) -> f32 {
    x.max(0.0)
}
fn identity(x: f32) -> f32 {
    x
}

/// The tabulated reference predictor.
pub struct FastLstm {
    n_ids: usize,
    hidden: usize,
    /// Row-major `[(N+1)^3, 4H]`: slot MLP through `W_s`, plus both LSTM biases. Gate blocks
    /// i, f, o, g.
    slot_pre: Vec<f32>,
    /// Row-major `[4, 4H]`: order embedding through `W_o`.
    order_pre: Vec<f32>,
    /// Row-major `[1001, 4H]`: time encoder through `W_t` at the discrete times 0..=1000.
    time_pre: Vec<f32>,
    /// Time encoder and `W_t`, for times off the integer grid.
    time_net: (Dense, Dense, Mat<f32>),
    /// Row-major `[3 + SOLVERS, 4H]`: the joint LSTM's weights of the lambda interval and the
    /// solver one-hot (empty for the reference LSTM).
    extra: Vec<f32>,
    /// Lambda range that normalises the interval (as [`crate::TokenBatch`] does).
    lambda_range: (f64, f64),
    /// `W_hh` transposed: `[4H, H]`.
    w_hh_t: Mat<f32>,
    head: Vec<Dense>,
}

/// Stacks the four gates' `[in, H]` weights (i, f, o, g) into `[in, 4H]`.
fn gates(p: &LstmPredictor, hidden_side: bool) -> Dense {
    let l = &p.lstm;
    let forget = l
        .forget_gate
        .as_ref()
        .expect("the predictor's LSTM has a forget gate");
    let parts: Vec<Dense> = [&l.input_gate, forget, &l.output_gate, &l.cell_gate]
        .iter()
        .map(|g| {
            Dense::of(if hidden_side {
                &g.hidden_transform
            } else {
                &g.input_transform
            })
        })
        .collect();
    let (rows, h) = (parts[0].w.nrows(), parts[0].w.ncols());
    Dense {
        w: Mat::from_fn(rows, 4 * h, |r, c| parts[c / h].w[(r, c % h)]),
        b: (0..4 * h).map(|c| parts[c / h].b[c % h]).collect(),
    }
}

fn row_major(m: &Mat<f32>) -> Vec<f32> {
    (0..m.nrows())
        .flat_map(|r| (0..m.ncols()).map(move |c| m[(r, c)]))
        .collect()
}

impl FastLstm {
    /// Tabulates `net` (weights are copied; the network is not kept) for tokens of `spec`.
    pub fn new(net: &LstmPredictor, spec: &EncodingSpec) -> FastLstm {
        assert!(
            !net.lstm.input_forget && net.lstm.clip.is_none(),
            "the reference LSTM"
        );
        let (wi, wh) = (gates(net, false), gates(net, true));
        let hidden = wh.w.nrows();
        let rows = |from: usize, to: usize| {
            Mat::from_fn(to - from, 4 * hidden, |r, c| wi.w[(from + r, c)])
        };
        let (w_slot, w_order, w_time) = (rows(0, 64), rows(64, 80), rows(80, 144));
        let extra = if net.joint_inputs() {
            row_major(&rows(144, 144 + JOINT_EXTRA))
        } else {
            vec![]
        };
        let emb = embedding(&net.model_emb);
        let n_ids = emb.nrows();
        let triples = Mat::from_fn(n_ids.pow(3), 96, |r, c| {
            let id = [r / (n_ids * n_ids), (r / n_ids) % n_ids, r % n_ids][c / 32];
            emb[(id, c % 32)]
        });
        let (s1, s2) = (Dense::of(&net.slot1), Dense::of(&net.slot2));
        let slot = s2.apply(&s1.apply(&triples, sigmoid), identity);
        let bias: Vec<f32> = wi.b.iter().zip(&wh.b).map(|(a, b)| a + b).collect();
        let slot_pre = &slot * &w_slot;
        let slot_pre = Mat::from_fn(slot_pre.nrows(), 4 * hidden, |r, c| {
            slot_pre[(r, c)] + bias[c]
        });
        let order_pre = &embedding(&net.order_emb) * &w_order;
        let time_net = (Dense::of(&net.time1), Dense::of(&net.time2), w_time);
        let grid: Vec<f64> = (0..=1000).map(f64::from).collect();
        let time_pre = row_major(&time_rows(&time_net, &grid));
        FastLstm {
            n_ids,
            hidden,
            slot_pre: row_major(&slot_pre),
            order_pre: row_major(&order_pre),
            time_pre,
            time_net,
            extra,
            lambda_range: spec.lambda_range,
            w_hh_t: wh.w.transpose().to_owned(),
            head: net.head.layers.iter().map(Dense::of).collect(),
        }
    }

    /// Scores (lower = better) of `items`, on every core.
    pub fn scores(&self, items: &[&Tokens]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(items[i].steps.len()));
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8)
            .min(items.len().div_ceil(256).max(1));
        // Thread k takes every k-th schedule: each gets a similar mix of lengths, still sorted.
        let parts: Vec<Vec<(usize, f64)>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    let mine: Vec<usize> = order.iter().copied().skip(k).step_by(threads).collect();
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(mine.len());
                        for idx in mine.chunks(1024) {
                            let rows: Vec<&Tokens> = idx.iter().map(|&i| items[i]).collect();
                            out.extend(idx.iter().copied().zip(self.score_sorted(&rows)));
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("scoring thread"))
                .collect()
        });
        let mut out = vec![0.0; items.len()];
        for (i, v) in parts.into_iter().flatten() {
            out[i] = v;
        }
        out
    }

    /// Input-side pre-activations of one step into `pre` (`4H`).
    fn input(&self, st: &StepToken, pre: &mut [f32]) {
        let g = 4 * self.hidden;
        let m = |p: usize| (st.models[p] as usize).min(self.n_ids - 1);
        let key = (m(0) * self.n_ids + m(1)) * self.n_ids + m(2);
        let order = (st.order.min(3)) as usize;
        pre.copy_from_slice(&self.slot_pre[key * g..(key + 1) * g]);
        for (p, o) in pre
            .iter_mut()
            .zip(&self.order_pre[order * g..(order + 1) * g])
        {
            *p += o;
        }
        if st.time.fract() == 0.0 && (0.0..=1000.0).contains(&st.time) {
            let t = st.time as usize;
            for (p, o) in pre.iter_mut().zip(&self.time_pre[t * g..(t + 1) * g]) {
                *p += o;
            }
        } else {
            let row = time_rows(&self.time_net, &[st.time]);
            for (c, p) in pre.iter_mut().enumerate() {
                *p += row[(0, c)];
            }
        }
    }

    /// The joint LSTM's lambda-interval and solver terms (nothing for the reference LSTM).
    fn add_extra(&self, st: &StepToken, solver: u8, pre: &mut [f32]) {
        if self.extra.is_empty() {
            return;
        }
        let g = 4 * self.hidden;
        let (lo, hi) = self.lambda_range;
        let norm = |l: f64| (((l.clamp(lo, hi)) - lo) / (hi - lo)) as f32;
        let (a, c) = (norm(st.lambda.0), norm(st.lambda.1));
        let row = |k: usize| &self.extra[k * g..(k + 1) * g];
        for (k, v) in [a, c, c - a].into_iter().enumerate() {
            for (p, w) in pre.iter_mut().zip(row(k)) {
                *p += v * w;
            }
        }
        let solver = 3 + (solver as usize).min(SOLVERS - 1);
        for (p, w) in pre.iter_mut().zip(row(solver)) {
            *p += w;
        }
    }

    /// Scores of `rows`, sorted by length, longest first.
    fn score_sorted(&self, rows: &[&Tokens]) -> Vec<f64> {
        let (b, h) = (rows.len(), self.hidden);
        let mut hs = Mat::<f32>::zeros(h, b); // column r = schedule r's hidden state
        let mut cell = vec![0f32; b * h];
        let mut pooled = Mat::<f32>::zeros(b, h);
        let mut pre = vec![0f32; 4 * h];
        let longest = rows.first().map_or(0, |t| t.steps.len());
        for t in 0..longest {
            let active = rows.partition_point(|r| r.steps.len() > t);
            let rec = &self.w_hh_t * hs.as_ref().subcols(0, active); // [4H, active]
            for (r, row) in rows.iter().enumerate().take(active) {
                self.input(&row.steps[t], &mut pre);
                self.add_extra(&row.steps[t], row.solver, &mut pre);
                let (g, c, hv) = (
                    rec.col_as_slice(r),
                    &mut cell[r * h..(r + 1) * h],
                    hs.col_as_slice_mut(r),
                );
                let mut norm = 0f32;
                for j in 0..h {
                    let i = sigmoid(pre[j] + g[j]);
                    let f = sigmoid(pre[h + j] + g[h + j]);
                    let o = sigmoid(pre[2 * h + j] + g[2 * h + j]);
                    let z = (pre[3 * h + j] + g[3 * h + j]).tanh();
                    c[j] = f * c[j] + i * z;
                    hv[j] = o * c[j].tanh();
                    norm += hv[j] * hv[j];
                }
                let inv = 1.0 / norm.sqrt().max(1e-8);
                for j in 0..h {
                    pooled[(r, j)] += hv[j] * inv;
                }
            }
        }
        // Masked mean (count clamped to 1), normalised again, then the head.
        for (r, row) in rows.iter().enumerate() {
            let n = row.steps.len().max(1) as f32;
            let norm = (0..h)
                .map(|j| (pooled[(r, j)] / n).powi(2))
                .sum::<f32>()
                .sqrt();
            let scale = 1.0 / (n * norm.max(1e-8));
            for j in 0..h {
                pooled[(r, j)] *= scale;
            }
        }
        let last = self.head.len() - 1;
        let mut x = pooled;
        for (i, l) in self.head.iter().enumerate() {
            x = l.apply(&x, if i < last { relu } else { identity });
        }
        (0..b).map(|r| x[(r, 0)] as f64).collect()
    }
}

/// Time-encoder pre-activations `[times, 4H]`.
fn time_rows(net: &(Dense, Dense, Mat<f32>), times: &[f64]) -> Mat<f32> {
    let mut emb = vec![0f32; times.len() * 128];
    for (t, e) in times.iter().zip(emb.chunks_mut(128)) {
        time_embedding(*t, e);
    }
    let x = Mat::from_fn(times.len(), 128, |r, c| emb[r * 128 + c]);
    &net.1.apply(&net.0.apply(&x, silu), identity) * &net.2
}
