//! `samples.npy`: uint8 images `[N, H, W]` (or `[N, C, H, W]` for multi-channel data) in NumPy's
//! .npy format, the interface later steps and outside tools read.

use std::path::Path;

use npyz::WriterBuilder;

use crate::{ArtifactError, write_atomic};

/// A stack of uint8 images.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    /// Row-major pixels.
    pub pixels: Vec<u8>,
    /// `[N, H, W]` or `[N, C, H, W]`.
    pub shape: Vec<usize>,
}

impl Images {
    /// Number of images.
    pub fn count(&self) -> usize {
        self.shape.first().copied().unwrap_or(0)
    }

    /// Pixels per image.
    pub fn image_len(&self) -> usize {
        self.shape.iter().skip(1).product()
    }
}

/// Writes `images` to `path` atomically.
pub fn write_images(path: &Path, images: &Images) -> Result<(), ArtifactError> {
    let expected: usize = images.shape.iter().product();
    if expected != images.pixels.len() || !(3..=4).contains(&images.shape.len()) {
        return Err(ArtifactError::Format {
            path: path.to_owned(),
            message: format!(
                "{} pixels do not fit shape {:?}",
                images.pixels.len(),
                images.shape
            ),
        });
    }
    let shape: Vec<u64> = images.shape.iter().map(|&d| d as u64).collect();
    let mut bytes = Vec::with_capacity(images.pixels.len() + 128);
    let io = |e: std::io::Error| ArtifactError::Io {
        path: path.to_owned(),
        source: e,
    };
    {
        let mut w = npyz::WriteOptions::<u8>::new()
            .default_dtype()
            .shape(&shape)
            .writer(&mut bytes)
            .begin_nd()
            .map_err(io)?;
        w.extend(images.pixels.iter().copied()).map_err(io)?;
        w.finish().map_err(io)?;
    }
    write_atomic(path, &bytes)
}

/// Reads a uint8 image stack; any other dtype or rank is an error that says what was found.
pub fn read_images(path: &Path) -> Result<Images, ArtifactError> {
    let bytes = std::fs::read(path).map_err(|source| ArtifactError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |message: String| ArtifactError::Format {
        path: path.to_owned(),
        message,
    };
    let npy =
        npyz::NpyFile::new(&bytes[..]).map_err(|e| bad(format!("not a valid .npy file: {e}")))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let dtype = npy.dtype();
    if dtype != npyz::DType::Plain("|u1".parse().expect("valid type string")) {
        return Err(bad(format!(
            "expected uint8 images, found dtype {}",
            dtype.descr()
        )));
    }
    if !(3..=4).contains(&shape.len()) {
        return Err(bad(format!(
            "expected shape [N, H, W] or [N, C, H, W], found {shape:?}"
        )));
    }
    let pixels: Vec<u8> = npy
        .into_vec()
        .map_err(|e| bad(format!("truncated or corrupt data: {e}")))?;
    Ok(Images { pixels, shape })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("samples.npy");
        let images = Images {
            pixels: (0..2 * 3 * 4).map(|i| i as u8).collect(),
            shape: vec![2, 3, 4],
        };
        write_images(&p, &images).unwrap();
        assert_eq!(read_images(&p).unwrap(), images);
        // NumPy's header: magic, version 1.0, dict with descr '|u1'.
        let bytes = std::fs::read(&p).unwrap();
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        assert!(String::from_utf8_lossy(&bytes[..128]).contains("'descr': '|u1'"));
        std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
        assert!(
            read_images(&p)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        let bad = Images {
            pixels: vec![0; 5],
            shape: vec![2, 3, 4],
        };
        assert!(write_images(&p, &bad).is_err());
    }
}
