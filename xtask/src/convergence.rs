//! `cargo xtask convergence`: every solver's measured convergence order on analytic data,
//! written as `convergence.md` and `summary.json`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use burn::tensor::{DType, Device};
use oms_artifacts::{write_atomic, write_json};
use oms_zoo::analytic::convergence::{STEPS, Section, standard_report};
use serde_json::json;

/// Arguments of `convergence`.
#[derive(clap::Args)]
pub struct ConvergenceArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: ConvergenceArgs, device: &Device) -> Result<()> {
    let sections = standard_report(device, DType::F64);
    let md = markdown(&sections);
    print!("{md}");
    write_atomic(&args.out.join("convergence.md"), md.as_bytes())?;
    let rows: Vec<_> = sections
        .iter()
        .flat_map(|s| {
            s.rows.iter().map(move |r| {
                json!({"section": s.title, "checked": s.checked, "solver": r.solver, "order": r.order,
                       "slope": r.slope, "steps": r.steps, "errors": r.errors})
            })
        })
        .collect();
    write_json(
        &args.out.join("summary.json"),
        &json!({"command": "convergence", "rows": rows}),
    )?;
    Ok(())
}

fn markdown(sections: &[Section]) -> String {
    let mut md = String::new();
    for s in sections {
        let check = if s.checked {
            "checked: |slope - order| < 0.3"
        } else {
            "informational"
        };
        let _ = writeln!(md, "### {} ({check})\n", s.title);
        let heads: Vec<String> = STEPS.iter().map(|n| format!("err @ {n}")).collect();
        let _ = writeln!(md, "| solver | order | slope | {} |", heads.join(" | "));
        let _ = writeln!(md, "|---|---|---|{}", "---|".repeat(STEPS.len()));
        for r in &s.rows {
            let errs: Vec<String> = r.errors.iter().map(|e| format!("{e:.2e}")).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {:.2} | {} |",
                r.solver,
                r.order,
                r.slope,
                errs.join(" | ")
            );
        }
        md.push('\n');
    }
    md
}
