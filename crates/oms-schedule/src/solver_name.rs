//! Solver names as users type them, with the order some of them imply: `dpmpp-3m` is the
//! third-order multistep solver, so asking for it with another order is an error rather than a
//! silent second-order run.

use std::str::FromStr;

use crate::schedule::Solver;

/// A solver named on the command line, before its order is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolverName {
    /// `ddim` (first order only; its `eta` is a separate setting).
    Ddim,
    /// `dpm-solver`: single-step DPM-Solver-1/2/3.
    DpmSolver,
    /// `dpm-solver++`: single-step DPM-Solver++(1/2S/3S).
    DpmSolverPp,
    /// `dpm-solver++-multistep` (order from `--order`), `dpmpp-2m` or `dpmpp-3m` (order 2 or 3).
    Multistep(Option<u8>),
}

/// The names [`SolverName`] reads.
pub const SOLVER_NAMES: &str =
    "ddim, dpm-solver, dpm-solver++, dpm-solver++-multistep, dpmpp-2m or dpmpp-3m";

impl FromStr for SolverName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "ddim" => SolverName::Ddim,
            "dpm-solver" => SolverName::DpmSolver,
            "dpm-solver++" => SolverName::DpmSolverPp,
            "dpm-solver++-multistep" => SolverName::Multistep(None),
            "dpmpp-2m" => SolverName::Multistep(Some(2)),
            "dpmpp-3m" => SolverName::Multistep(Some(3)),
            other => return Err(format!("unknown solver '{other}': use {SOLVER_NAMES}")),
        })
    }
}

impl SolverName {
    /// The order the name implies (DDIM: 1; `dpmpp-2m` / `dpmpp-3m`: 2 / 3), if any.
    pub fn implied_order(&self) -> Option<u8> {
        match self {
            SolverName::Ddim => Some(1),
            SolverName::Multistep(order) => *order,
            SolverName::DpmSolver | SolverName::DpmSolverPp => None,
        }
    }

    /// The solver and its order: the implied order, else `order`, else `default_order`. An
    /// `order` that contradicts the name is an error naming both.
    pub fn resolve(
        &self,
        eta: f64,
        order: Option<u8>,
        default_order: u8,
    ) -> Result<(Solver, u8), String> {
        let order = match (self.implied_order(), order) {
            (Some(implied), Some(asked)) if implied != asked => {
                return Err(format!(
                    "the solver is of order {implied}, but order {asked} was asked for: drop --order or name the solver of that order"
                ));
            }
            (Some(implied), _) => implied,
            (None, asked) => asked.unwrap_or(default_order),
        };
        let solver = match self {
            SolverName::Ddim => Solver::Ddim { eta },
            SolverName::DpmSolver => Solver::DpmSolver,
            SolverName::DpmSolverPp => Solver::DpmSolverPp,
            SolverName::Multistep(_) => Solver::DpmSolverPpMultistep,
        };
        Ok((solver, order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(name: &str, order: Option<u8>) -> Result<(Solver, u8), String> {
        name.parse::<SolverName>()?.resolve(0.0, order, 2)
    }

    #[test]
    fn a_named_order_is_kept_and_a_contradicting_one_refused() {
        assert_eq!(
            resolve("dpmpp-3m", None),
            Ok((Solver::DpmSolverPpMultistep, 3))
        );
        assert_eq!(
            resolve("dpmpp-2m", Some(2)),
            Ok((Solver::DpmSolverPpMultistep, 2))
        );
        assert!(
            resolve("dpmpp-3m", Some(2))
                .unwrap_err()
                .contains("order 3")
        );
        assert_eq!(resolve("ddim", None), Ok((Solver::Ddim { eta: 0.0 }, 1)));
        assert!(resolve("ddim", Some(2)).is_err());
    }

    #[test]
    fn other_solvers_take_the_asked_or_default_order() {
        assert_eq!(resolve("dpm-solver", Some(3)), Ok((Solver::DpmSolver, 3)));
        assert_eq!(resolve("dpm-solver++", None), Ok((Solver::DpmSolverPp, 2)));
        assert_eq!(
            resolve("dpm-solver++-multistep", Some(1)),
            Ok((Solver::DpmSolverPpMultistep, 1))
        );
        assert!(
            resolve("heun", None)
                .unwrap_err()
                .contains("unknown solver 'heun'")
        );
    }
}
