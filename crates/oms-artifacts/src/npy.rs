//! `samples.npy`: uint8 images in NumPy's .npy format, the interface later steps and outside
//! tools read: `[N, H, W]` for one channel, `[N, H, W, C]` (channels last, as image libraries
//! and FID tools expect) otherwise. In memory a multi-channel stack is `[N, C, H, W]`, the
//! tensors' layout; [`write_images`] and [`read_images`] transpose.

use std::path::Path;

use npyz::WriterBuilder;

use crate::{ArtifactError, write_atomic};

/// A stack of uint8 images.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    /// Row-major pixels.
    pub pixels: Vec<u8>,
    /// `[N, H, W]` or `[N, C, H, W]` (channels first in memory).
    pub shape: Vec<usize>,
}

impl Images {
    /// Number of images.
    pub fn count(&self) -> usize {
        self.shape.first().copied().unwrap_or(0)
    }

    /// The shape [`write_images`] writes: `[N, H, W]` for one channel, `[N, H, W, C]` otherwise.
    pub fn file_shape(&self) -> Vec<usize> {
        match self.shape[..] {
            [n, 1, h, w] => vec![n, h, w],
            [n, c, h, w] => vec![n, h, w, c],
            _ => self.shape.clone(),
        }
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
    let pixels = match images.shape[..] {
        [n, c, h, w] if c > 1 => transpose(&images.pixels, [n, c, h * w]),
        _ => images.pixels.clone(),
    };
    let shape: Vec<u64> = images.file_shape().iter().map(|&d| d as u64).collect();
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
        w.extend(pixels.iter().copied()).map_err(io)?;
        w.finish().map_err(io)?;
    }
    write_atomic(path, &bytes)
}

/// Reads a uint8 image stack from a `.npy` file, an `.npz` archive (its only array, or the one
/// named `images`), or a folder of PNG / JPEG files
/// ([`read_image_folder`](crate::read_image_folder)); any other dtype or rank is an error that
/// says what was found.
pub fn read_images(path: &Path) -> Result<Images, ArtifactError> {
    if path.is_dir() {
        return crate::read_image_folder(path);
    }
    let bytes = std::fs::read(path).map_err(|source| ArtifactError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |message: String| ArtifactError::Format {
        path: path.to_owned(),
        message,
    };
    if path.extension().is_some_and(|e| e == "npz") {
        let npy = npz_array(&bytes).map_err(bad)?;
        return images_of_npy(&npy, path);
    }
    images_of_npy(&bytes, path)
}

/// The `.npy` bytes of an `.npz` archive's only array, or of its array named `images`.
fn npz_array(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not an .npz (zip) file: {e}"))?;
    let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
    let name = match names.as_slice() {
        [one] => one.clone(),
        _ if names.iter().any(|n| n == "images.npy") => "images.npy".into(),
        _ => {
            return Err(format!(
                "holds arrays {names:?}: give an .npz with one array, or one named `images`"
            ));
        }
    };
    let mut out = vec![];
    std::io::Read::read_to_end(
        &mut zip.by_name(&name).map_err(|e| format!("{name}: {e}"))?,
        &mut out,
    )
    .map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

/// A uint8 `[N, H, W]` or `[N, H, W, C]` `.npy` as images (channels first in memory).
fn images_of_npy(bytes: &[u8], path: &Path) -> Result<Images, ArtifactError> {
    let bad = |message: String| ArtifactError::Format {
        path: path.to_owned(),
        message,
    };
    let npy = npyz::NpyFile::new(bytes).map_err(|e| bad(format!("not a valid .npy file: {e}")))?;
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
            "expected shape [N, H, W] or [N, H, W, C], found {shape:?}"
        )));
    }
    let pixels: Vec<u8> = npy
        .into_vec()
        .map_err(|e| bad(format!("truncated or corrupt data: {e}")))?;
    Ok(match shape[..] {
        [n, h, w, c] => Images {
            pixels: transpose(&pixels, [n, h * w, c]),
            shape: vec![n, c, h, w],
        },
        _ => Images { pixels, shape },
    })
}

/// `[n, a, b] -> [n, b, a]`, row-major.
fn transpose(pixels: &[u8], [n, a, b]: [usize; 3]) -> Vec<u8> {
    let mut out = vec![0u8; pixels.len()];
    for k in 0..n {
        let (src, dst) = (
            &pixels[k * a * b..(k + 1) * a * b],
            &mut out[k * a * b..(k + 1) * a * b],
        );
        for i in 0..a {
            for j in 0..b {
                dst[j * a + i] = src[i * b + j];
            }
        }
    }
    out
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

    #[test]
    fn colour_is_channels_last_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("samples.npy");
        // Two 2x2 RGB images, channels first in memory: value = 100 c + 10 (2 y + x) + image.
        let mut pixels = vec![];
        for n in 0..2u8 {
            for c in 0..3u8 {
                for yx in 0..4u8 {
                    pixels.push(100 * c + 10 * yx + n);
                }
            }
        }
        let images = Images {
            pixels,
            shape: vec![2, 3, 2, 2],
        };
        write_images(&p, &images).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        assert!(String::from_utf8_lossy(&bytes[..128]).contains("'shape': (2, 2, 2, 3"));
        let data = &bytes[bytes.len() - 24..];
        // File order [n, y, x, c]: image 1, pixel (y 1, x 0) = yx 2, channel 2.
        assert_eq!(data[12 + 2 * 3 + 2], 200 + 20 + 1);
        assert_eq!(read_images(&p).unwrap(), images);
        // One channel is written without a channel axis.
        let gray = Images {
            pixels: (0..8).collect(),
            shape: vec![2, 1, 2, 2],
        };
        write_images(&p, &gray).unwrap();
        assert_eq!(read_images(&p).unwrap().shape, vec![2, 2, 2]);
    }
}

#[cfg(test)]
mod npz_tests {
    use super::*;
    use std::io::Write as _;

    /// An .npz of `(name, .npy bytes)` entries, as numpy's savez writes them.
    fn npz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(vec![]));
        for (name, bytes) in entries {
            zip.start_file(format!("{name}.npy"), zip::write::FileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn an_npz_gives_its_only_array_or_the_one_named_images() {
        let dir = tempfile::tempdir().unwrap();
        let images = Images {
            pixels: (0..2 * 3 * 4 * 3).map(|i| i as u8).collect(),
            shape: vec![2, 3, 4, 3],
        };
        let npy = dir.path().join("a.npy");
        write_images(&npy, &images).unwrap();
        let bytes = std::fs::read(&npy).unwrap();
        let other = npz(&[("x", &bytes)]);
        let read = |name: &str, content: &[u8]| {
            let p = dir.path().join(name);
            crate::write_atomic(&p, content).unwrap();
            read_images(&p)
        };
        assert_eq!(read("one.npz", &npz(&[("arr_0", &bytes)])).unwrap(), images);
        let two = npz(&[("labels", &other), ("images", &bytes)]);
        assert_eq!(read("two.npz", &two).unwrap(), images);
        let err = read("bad.npz", &npz(&[("a", &bytes), ("b", &bytes)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.npz") && err.contains("named `images`"),
            "{err}"
        );
        let err = read("zip.npz", b"not a zip").unwrap_err().to_string();
        assert!(err.contains("not an .npz"), "{err}");
    }
}
