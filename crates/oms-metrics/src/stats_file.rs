//! FID statistics in pytorch-fid's `.npz` format (`numpy.savez_compressed(path, mu=mu,
//! sigma=sigma)`): `mu` of shape `[d]` and `sigma` of shape `[d, d]`, float64 (float32 is read
//! too). Published statistics (e.g. pytorch-fid's or clean-fid's for CIFAR-10) can be used as a
//! reference, and this project's references exported, as long as the feature network matches.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use npyz::{NpyFile, WriterBuilder, npz};
use oms_artifacts::write_atomic;

use crate::MetricError;
use crate::frechet::GaussianStats;

fn err(path: &Path, what: impl std::fmt::Display) -> MetricError {
    MetricError::File(format!("{}: {what}", path.display()))
}

/// Writes `stats` as `mu` and `sigma` (float64, deflate), atomically.
pub fn write_stats_npz(path: &Path, stats: &GaussianStats) -> Result<(), MetricError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::FileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let d = stats.dim as u64;
    for (name, shape, values) in [
        ("mu", vec![d], &stats.mean),
        ("sigma", vec![d, d], &stats.cov),
    ] {
        zip.start_file(npz::file_name_from_array_name(name), options)
            .map_err(|e| err(path, e))?;
        let mut npy = Vec::new();
        let mut w = npyz::WriteOptions::<f64>::new()
            .default_dtype()
            .shape(&shape)
            .writer(&mut npy)
            .begin_nd()
            .map_err(|e| err(path, e))?;
        w.extend(values.iter().copied()).map_err(|e| err(path, e))?;
        w.finish().map_err(|e| err(path, e))?;
        zip.write_all(&npy).map_err(|e| err(path, e))?;
    }
    let bytes = zip.finish().map_err(|e| err(path, e))?.into_inner();
    write_atomic(path, &bytes).map_err(|e| err(path, e))
}

/// Reads `mu` and `sigma`; `count` is 0 (the file does not say how many images made them).
pub fn read_stats_npz(path: &Path) -> Result<GaussianStats, MetricError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, e))?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| err(path, format!("not an .npz (zip) file: {e}")))?;
    let mut array = |name: &str| -> Result<(Vec<u64>, Vec<f64>), MetricError> {
        let mut file = zip
            .by_name(&npz::file_name_from_array_name(name))
            .map_err(|_| {
                err(
                    path,
                    format!("no array '{name}'; pytorch-fid files hold mu and sigma"),
                )
            })?;
        let mut npy = Vec::new();
        file.read_to_end(&mut npy).map_err(|e| err(path, e))?;
        let npy = NpyFile::new(&npy[..]).map_err(|e| err(path, e))?;
        let shape = npy.shape().to_vec();
        let values = match npy.dtype().descr().as_str() {
            "'<f8'" => npy.into_vec::<f64>(),
            "'<f4'" => npy
                .into_vec::<f32>()
                .map(|v| v.into_iter().map(f64::from).collect()),
            other => {
                return Err(err(
                    path,
                    format!("{name} has dtype {other}; expected float64 or float32"),
                ));
            }
        }
        .map_err(|e| err(path, format!("{name}: {e}")))?;
        Ok((shape, values))
    };
    let (mu_shape, mean) = array("mu")?;
    let (sigma_shape, cov) = array("sigma")?;
    let d = mean.len() as u64;
    if mu_shape != [d] || sigma_shape != [d, d] {
        return Err(err(
            path,
            format!("mu {mu_shape:?} and sigma {sigma_shape:?} do not fit [d] and [d, d]"),
        ));
    }
    if mean.iter().chain(&cov).any(|x| !x.is_finite()) {
        return Err(err(path, "mu or sigma holds NaN or infinity"));
    }
    Ok(GaussianStats {
        dim: d as usize,
        count: 0,
        mean,
        cov,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("stats.npz");
        let stats = GaussianStats {
            dim: 2,
            count: 7,
            mean: vec![0.5, -1.25],
            cov: vec![2.0, 0.1, 0.1, 1.0],
        };
        write_stats_npz(&p, &stats).unwrap();
        let back = read_stats_npz(&p).unwrap();
        assert_eq!(
            (back.mean, back.cov, back.count),
            (stats.mean, stats.cov, 0)
        );
        write_atomic(&p, b"not a zip").unwrap();
        assert!(
            read_stats_npz(&p)
                .unwrap_err()
                .to_string()
                .contains("not an .npz")
        );
    }
}
