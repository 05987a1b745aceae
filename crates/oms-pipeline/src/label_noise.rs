//! How noisy a quality label is (docs/dataset.md, "Label noise"): FDs of several schedules on
//! several noise seed sets ("banks") at growing sample counts, summarised as mean and spread per
//! schedule, how many banks rank the schedules as the mean does, and how much scoring two
//! schedules on the same bank narrows their FD difference (the paired design every label and
//! verification uses).

use std::fmt::Write as _;

/// FDs indexed `[schedule][bank][sample count]`.
pub type FdTable = [Vec<Vec<f64>>];

/// Mean and sample standard deviation (n - 1 in the denominator, at least 1).
pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// The FDs of schedule `s` at sample-count index `ni`, one per bank.
fn column(fd: &FdTable, s: usize, ni: usize) -> Vec<f64> {
    fd[s].iter().map(|bank| bank[ni]).collect()
}

/// Indices of `vals` from lowest to highest.
fn order(vals: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..vals.len()).collect();
    idx.sort_by(|a, b| vals[*a].total_cmp(&vals[*b]));
    idx
}

/// How many banks rank the schedules (at sample-count index `ni`) as their mean over banks
/// does, and the number of banks.
pub fn agreeing_banks(fd: &FdTable, ni: usize) -> (usize, usize) {
    let banks = fd[0].len();
    let means: Vec<f64> = (0..fd.len())
        .map(|s| mean_std(&column(fd, s, ni)).0)
        .collect();
    let reference = order(&means);
    let agree = (0..banks)
        .filter(|&b| order(&(0..fd.len()).map(|s| fd[s][b][ni]).collect::<Vec<_>>()) == reference)
        .count();
    (agree, banks)
}

/// Spread of the FD difference of schedules `a` and `b` scored on the same banks, and what it
/// would be on independent banks (`sqrt(var_a + var_b)`).
pub fn paired_spread(fd: &FdTable, (a, b): (usize, usize), ni: usize) -> (f64, f64) {
    let (va, vb) = (column(fd, a, ni), column(fd, b, ni));
    let diff: Vec<f64> = va.iter().zip(&vb).map(|(x, y)| x - y).collect();
    let indep = (mean_std(&va).1.powi(2) + mean_std(&vb).1.powi(2)).sqrt();
    (mean_std(&diff).1, indep)
}

/// The study as Markdown: FD mean ± spread per schedule and count, agreeing banks, paired spreads.
pub fn markdown(names: &[String], fd: &FdTable, ns: &[usize]) -> String {
    let mut md = String::from("| schedule |");
    for n in ns {
        let _ = write!(md, " FD at n = {n} |");
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(ns.len()));
    md.push('\n');
    for (si, name) in names.iter().enumerate() {
        let _ = write!(md, "| {name} |");
        for ni in 0..ns.len() {
            let (mean, std) = mean_std(&column(fd, si, ni));
            let _ = write!(md, " {mean:.3} ± {std:.3} |");
        }
        md.push('\n');
    }
    md.push_str("\nBanks whose ranking of the schedules equals the ranking by the mean over banks:\n\n| n | agreeing banks |\n|---|---|\n");
    for (ni, n) in ns.iter().enumerate() {
        let (agree, banks) = agreeing_banks(fd, ni);
        let _ = writeln!(md, "| {n} | {agree} / {banks} |");
    }
    md.push_str(
        "\nSpread of FD differences, same bank vs independent banks:\n\n| pair | n | same bank | independent |\n|---|---|---|---|\n",
    );
    for a in 0..names.len() {
        for b in a + 1..names.len() {
            for (ni, n) in ns.iter().enumerate() {
                let (same, indep) = paired_spread(fd, (a, b), ni);
                let (na, nb) = (&names[a], &names[b]);
                let _ = writeln!(md, "| {na} - {nb} | {n} | {same:.2} | {indep:.2} |");
            }
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two schedules, three banks, one sample count: B is 10 worse on every bank, and bank 2
    /// moves both by the same amount.
    fn table() -> Vec<Vec<Vec<f64>>> {
        vec![
            vec![vec![100.0], vec![102.0], vec![110.0]],
            vec![vec![110.0], vec![112.0], vec![120.0]],
        ]
    }

    #[test]
    fn mean_and_sample_spread() {
        assert_eq!(mean_std(&[1.0, 2.0, 3.0]), (2.0, 1.0));
        assert_eq!(mean_std(&[5.0]), (5.0, 0.0));
    }

    #[test]
    fn a_shared_bank_cancels_what_both_schedules_share() {
        let fd = table();
        let (same, indep) = paired_spread(&fd, (0, 1), 0);
        assert_eq!(same, 0.0);
        assert!((indep - 2f64.sqrt() * mean_std(&[100.0, 102.0, 110.0]).1).abs() < 1e-12);
        assert_eq!(agreeing_banks(&fd, 0), (3, 3));
        let mut swapped = fd.clone();
        swapped[1][2][0] = 105.0; // bank 2 now ranks B first
        assert_eq!(agreeing_banks(&swapped, 0), (2, 3));
    }

    #[test]
    fn the_markdown_names_every_schedule_and_pair() {
        let names = ["a".to_string(), "b".to_string()];
        let md = markdown(&names, &table(), &[500]);
        assert!(md.contains("| a | 104.000 ± 5.292 |"), "{md}");
        assert!(md.contains("| 500 | 3 / 3 |"), "{md}");
        assert!(md.contains("| a - b | 500 | 0.00 |"), "{md}");
    }
}
