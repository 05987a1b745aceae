//! What "better" means to the predictor and to verification (issue 15). The reference method
//! ranks schedules by FD alone; a search that optimises one number in one feature space learns
//! to please it (docs/results.md). The default objective is the worse of the two metrics, each
//! standardised over the label set, expressed in FD units: `mean_FD + sd_FD * max((FD - mean) /
//! sd, (KID - mean) / sd)`, lower better. A schedule ranks high only if it is good on both; the
//! FD units keep the ranking loss's pair threshold (0.25) meaning what it meant for FD alone.

use oms_dataset::Record;
use serde::{Deserialize, Serialize};

/// Which quality number schedules are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// FD alone (the reference method; runs before issue 15).
    Fd,
    /// The worse of standardised FD and KID.
    #[default]
    WorseOfFdKid,
}

impl std::str::FromStr for Objective {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fd" => Ok(Objective::Fd),
            "worse-of-fd-kid" => Ok(Objective::WorseOfFdKid),
            _ => Err(format!(
                "unknown objective '{s}': use worse-of-fd-kid or fd"
            )),
        }
    }
}

impl std::fmt::Display for Objective {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Objective::Fd => "fd",
            Objective::WorseOfFdKid => "worse-of-fd-kid",
        })
    }
}

/// An objective with the label set's statistics it standardises by.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// The objective.
    pub objective: Objective,
    /// Mean and standard deviation of FD over the labels.
    pub fd: (f64, f64),
    /// Mean and standard deviation of KID over the labels.
    pub kid: (f64, f64),
    /// The same for FD and KID in the second feature space, when every label has one.
    pub second: Option<((f64, f64), (f64, f64))>,
}

fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count().max(1) as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt().max(f64::MIN_POSITIVE))
}

impl Quality {
    /// `objective` standardised by `labels`.
    pub fn fit(objective: Objective, labels: &[Record]) -> Self {
        Quality {
            objective,
            fd: mean_sd(labels.iter().map(|r| r.fd)),
            kid: mean_sd(labels.iter().map(|r| r.kid)),
            second: labels.iter().all(|r| r.second.is_some()).then(|| {
                let s = || labels.iter().filter_map(|r| r.second.as_ref());
                (mean_sd(s().map(|l| l.fd)), mean_sd(s().map(|l| l.kid)))
            }),
        }
    }

    /// FD alone, unstandardised (for callers that have no labels).
    pub const FD: Quality = Quality {
        objective: Objective::Fd,
        fd: (0.0, 1.0),
        kid: (0.0, 1.0),
        second: None,
    };

    /// The value ranked by, lower better, in FD units.
    pub fn of(&self, fd: f64, kid: f64) -> f64 {
        match self.objective {
            Objective::Fd => fd,
            Objective::WorseOfFdKid => self.in_fd_units(self.z(fd, kid)),
        }
    }

    /// The worse standardised score of FD and KID.
    fn z(&self, fd: f64, kid: f64) -> f64 {
        ((fd - self.fd.0) / self.fd.1).max((kid - self.kid.0) / self.kid.1)
    }

    /// A standardised score back in FD units.
    fn in_fd_units(&self, z: f64) -> f64 {
        self.fd.0 + self.fd.1 * z
    }

    /// The value of a label: with the worse-of objective and labels that carry a second
    /// feature space, the worst of all four standardised metrics.
    pub fn of_record(&self, r: &Record) -> f64 {
        self.of_spaces(r.fd, r.kid, r.second.as_ref().map(|l| (l.fd, l.kid)))
    }

    /// [`Self::of`] with the second space's `(fd, kid)` when there is one.
    pub fn of_spaces(&self, fd: f64, kid: f64, second: Option<(f64, f64)>) -> f64 {
        match (self.objective, self.second, second) {
            (Objective::WorseOfFdKid, Some((sf, sk)), Some((f, k))) => {
                let z = self
                    .z(fd, kid)
                    .max((f - sf.0) / sf.1)
                    .max((k - sk.0) / sk.1);
                self.in_fd_units(z)
            }
            _ => self.of(fd, kid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worse_metric_decides() {
        let q = Quality {
            objective: Objective::WorseOfFdKid,
            fd: (100.0, 10.0),
            kid: (500.0, 100.0),
            second: None,
        };
        // Good FD (-2 sd), bad KID (+1 sd): ranked by the KID, in FD units (mean + 1 sd).
        assert_eq!(q.of(80.0, 600.0), 110.0);
        // Both good: the lesser improvement counts.
        assert_eq!(q.of(80.0, 400.0), 90.0);
        // A schedule good on both beats one excellent on FD only.
        assert!(q.of(90.0, 400.0) < q.of(50.0, 600.0));
        assert_eq!(Quality::FD.of(80.0, 600.0), 80.0);
        // A second space counts when the quality was fitted with one.
        let both = Quality {
            second: Some(((150.0, 25.0), (0.2, 0.05))),
            ..q
        };
        assert_eq!(both.of_spaces(80.0, 400.0, Some((200.0, 0.2))), 120.0);
        assert_eq!(both.of_spaces(80.0, 400.0, None), 90.0);
        assert_eq!(q.of_spaces(80.0, 400.0, Some((200.0, 0.2))), 90.0);
        assert_eq!("fd".parse::<Objective>(), Ok(Objective::Fd));
        assert!("kid".parse::<Objective>().is_err());
    }
}
