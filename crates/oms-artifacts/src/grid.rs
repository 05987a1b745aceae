//! Sample grids as PNG.

use std::io::Cursor;
use std::path::Path;

use crate::npy::Images;
use crate::{ArtifactError, write_atomic};

/// Encodes the first `cols * rows` images as a grid PNG (grayscale for 1 channel, RGB for 3),
/// with a 2-pixel gap.
pub fn grid_png(images: &Images, cols: usize, rows: usize) -> Result<Vec<u8>, String> {
    let (c, h, w) = match images.shape[..] {
        [_, h, w] => (1, h, w),
        [_, c, h, w] if c == 1 || c == 3 => (c, h, w),
        _ => return Err(format!("cannot draw images of shape {:?}", images.shape)),
    };
    let n = images.count().min(cols * rows);
    let rows = n.div_ceil(cols).max(1);
    let gap = 2;
    let (gw, gh) = (cols * (w + gap) + gap, rows * (h + gap) + gap);
    let mut canvas = vec![255u8; gw * gh * c];
    for i in 0..n {
        let (ox, oy) = (gap + (i % cols) * (w + gap), gap + (i / cols) * (h + gap));
        let img = &images.pixels[i * c * h * w..(i + 1) * c * h * w];
        for y in 0..h {
            for x in 0..w {
                for ch in 0..c {
                    canvas[((oy + y) * gw + ox + x) * c + ch] = img[ch * h * w + y * w + x];
                }
            }
        }
    }
    let color = if c == 1 {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    let mut out = Cursor::new(Vec::new());
    image::write_buffer_with_format(
        &mut out,
        &canvas,
        gw as u32,
        gh as u32,
        color,
        image::ImageFormat::Png,
    )
    .map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// Writes a grid PNG atomically.
pub fn write_grid(
    path: &Path,
    images: &Images,
    cols: usize,
    rows: usize,
) -> Result<(), ArtifactError> {
    let png = grid_png(images, cols, rows).map_err(|message| ArtifactError::Format {
        path: path.to_owned(),
        message,
    })?;
    write_atomic(path, &png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_decodes_to_the_expected_size() {
        let images = Images {
            pixels: vec![0; 5 * 28 * 28],
            shape: vec![5, 28, 28],
        };
        let png = grid_png(&images, 4, 4).unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!(
            (decoded.width(), decoded.height()),
            (4 * 30 + 2, 2 * 30 + 2)
        );
    }
}
