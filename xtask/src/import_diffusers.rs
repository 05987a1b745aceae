//! `cargo xtask import-diffusers`: diffusers `UNet2DModel` folders (model or pipeline layout)
//! into a zoo manifest, one member per folder, each with its weights' sha256. The manifest is
//! checked by loading every member before it is written (atomically).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use oms_zoo::ZooManifest;
use oms_zoo::diffusers::read_folder;

/// Arguments of `import-diffusers`.
#[derive(clap::Args)]
pub struct ImportDiffusersArgs {
    /// A diffusers model folder (config.json, diffusion_pytorch_model.safetensors and a
    /// scheduler_config.json beside it or in ../scheduler/) or a pipeline folder (unet/,
    /// scheduler/); repeat for every member.
    #[arg(long = "folder", required = true)]
    folders: Vec<PathBuf>,
    /// Member names in the order of --folder (default: each folder's name).
    #[arg(long = "name")]
    names: Vec<String>,
    /// Name of the training data, recorded with each member (e.g. cifar10).
    #[arg(long, default_value = "custom")]
    dataset: String,
    /// The manifest to write (RON); an existing file is kept unless --force.
    #[arg(long)]
    out: PathBuf,
    /// Overwrite an existing manifest.
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: ImportDiffusersArgs, device: &Device) -> Result<()> {
    if args.out.exists() && !args.force {
        bail!("{} exists; pass --force to replace it", args.out.display());
    }
    if !args.names.is_empty() && args.names.len() != args.folders.len() {
        bail!(
            "{} --name for {} --folder; give one name per folder or none",
            args.names.len(),
            args.folders.len()
        );
    }
    let dir = args.out.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut members = vec![];
    let mut shape = None;
    for (i, folder) in args.folders.iter().enumerate() {
        let model = read_folder(folder)?;
        if *shape.get_or_insert(model.image_shape) != model.image_shape {
            bail!(
                "{}: samples of shape {:?}, but the first folder's are {:?}; one zoo has one sample shape",
                folder.display(),
                model.image_shape,
                shape.unwrap()
            );
        }
        let name = match args.names.get(i) {
            Some(n) => n.clone(),
            None => folder_name(folder)?,
        };
        let checkpoint = relative_to(&model.weights, dir)?;
        members.push(model.member(&name, checkpoint, &args.dataset)?);
    }
    let manifest = ZooManifest {
        name: args
            .out
            .file_stem()
            .map_or("imported".into(), |s| s.to_string_lossy().into()),
        image_shape: shape.expect("at least one folder"),
        analytic_data: None,
        members,
        path: args.out.clone(),
    };
    let text = ron::ser::to_string_pretty(&manifest, ron::ser::PrettyConfig::new().depth_limit(4))?;
    // What is written must read back as this manifest and every member must load.
    let mut back: ZooManifest = ron::from_str(&text)?;
    back.path = args.out.clone();
    anyhow::ensure!(
        back == manifest,
        "the manifest does not read back as written"
    );
    manifest
        .build(device)
        .context("the imported manifest does not load; nothing written")?;
    oms_artifacts::write_atomic(&args.out, text.as_bytes())?;
    for m in &manifest.members {
        let noise = format!("{:?}", m.convention.noise.spec());
        let noise: String = noise.chars().take(90).collect();
        println!(
            "{}: predicts {:?}, noise {noise}",
            m.name, m.convention.prediction
        );
    }
    println!(
        "{} member(s) -> {}",
        manifest.members.len(),
        args.out.display()
    );
    Ok(())
}

fn folder_name(folder: &Path) -> Result<String> {
    let canonical = folder.canonicalize()?;
    Ok(canonical
        .file_name()
        .with_context(|| format!("{} has no name; pass --name", folder.display()))?
        .to_string_lossy()
        .into_owned())
}

/// `path` relative to `dir` when it lies inside it, else absolute.
fn relative_to(path: &Path, dir: &Path) -> Result<PathBuf> {
    let (path, dir) = (path.canonicalize()?, dir.canonicalize()?);
    Ok(path
        .strip_prefix(&dir)
        .map(Path::to_path_buf)
        .unwrap_or(path))
}
