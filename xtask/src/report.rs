//! `cargo xtask report DIR`: rebuilds a search folder's `report.html` from its files, e.g. after
//! `cargo xtask verify --run DIR` or for a committed results folder.

use std::path::PathBuf;

use anyhow::Result;

/// Arguments of `report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The `--out` folder of `cargo xtask search` (holds summary.json).
    dir: PathBuf,
}

/// Writes `DIR/report.html` and prints its path.
pub fn run(args: ReportArgs) -> Result<()> {
    let path = oms_pipeline::html::write(&args.dir)?;
    println!("wrote {}", path.display());
    Ok(())
}
