//! Rank statistics of predicted scores against true FDs: Kendall's tau-b, Spearman's rho and
//! top-k precision. Plain f64.

/// Kendall's tau-b (ties in either variable handled as in scipy.stats.kendalltau). O(n^2); the
/// validation sets here hold hundreds to a few thousand schedules.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "kendall_tau_b: lengths differ");
    let (mut concordant, mut discordant, mut tie_x, mut tie_y) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let dx = (x[i] - x[j]).partial_cmp(&0.0).expect("no NaN");
            let dy = (y[i] - y[j]).partial_cmp(&0.0).expect("no NaN");
            use std::cmp::Ordering::Equal;
            match (dx, dy) {
                (Equal, Equal) => {}
                (Equal, _) => tie_x += 1,
                (_, Equal) => tie_y += 1,
                (a, b) if a == b => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n1 = (concordant + discordant + tie_x) as f64;
    let n2 = (concordant + discordant + tie_y) as f64;
    if n1 == 0.0 || n2 == 0.0 {
        return f64::NAN;
    }
    (concordant - discordant) as f64 / (n1 * n2).sqrt()
}

/// Average ranks (1-based; ties share their mean rank).
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rho: Pearson correlation of the average ranks.
pub fn spearman_rho(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "spearman_rho: lengths differ");
    pearson(&ranks(x), &ranks(y))
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Of the `frac` best schedules by prediction (lowest scores), the share that are among the
/// `frac` best by truth (lowest FDs).
pub fn top_precision(pred: &[f64], truth: &[f64], frac: f64) -> f64 {
    let k = ((pred.len() as f64 * frac).round() as usize).max(1);
    let best = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        idx.truncate(k);
        idx
    };
    let (p, t) = (best(pred), best(truth));
    p.iter().filter(|i| t.contains(i)).count() as f64 / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau_b_matches_scipy_on_ties() {
        // scipy.stats.kendalltau([1, 2, 2, 3, 4], [1, 3, 2, 2, 5]) = 0.6666666666666666
        let t = kendall_tau_b(&[1.0, 2.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 2.0, 5.0]);
        assert!((t - 0.666_666_666_666_666_6).abs() < 1e-12, "{t}");
        assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0);
    }

    #[test]
    fn rho_matches_scipy_on_ties() {
        // scipy.stats.spearmanr([1, 2, 2, 3, 4], [1, 3, 2, 2, 5]).statistic = 0.7631578947368421
        let r = spearman_rho(&[1.0, 2.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 2.0, 5.0]);
        assert!((r - 0.763_157_894_736_842_1).abs() < 1e-12, "{r}");
    }

    #[test]
    fn top_precision_counts_the_overlap() {
        let truth: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(top_precision(&truth, &truth, 0.1), 1.0);
        let rev: Vec<f64> = truth.iter().map(|v| -v).collect();
        assert_eq!(top_precision(&rev, &truth, 0.1), 0.0);
    }
}
