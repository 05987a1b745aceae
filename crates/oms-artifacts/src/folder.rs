//! A folder of PNG or JPEG files as an image stack: the reference set a user brings (what
//! pytorch-fid takes as a folder). Files are read in name order; all must share one size and be
//! all gray or all colour.

use std::path::{Path, PathBuf};

use image::{ColorType, DynamicImage};

use crate::{ArtifactError, Images};

/// Extensions read (case-insensitive); other files in the folder are ignored.
pub const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// Reads every PNG / JPEG file of `dir` (not its subfolders), in file-name order, as `[N, H, W]`
/// (gray) or `[N, 3, H, W]` (colour; an alpha channel is dropped). A file of another size, or gray
/// among colour files (or the reverse), is an error naming it.
pub fn read_image_folder(dir: &Path) -> Result<Images, ArtifactError> {
    let files = image_files(dir)?;
    let Some(first) = files.first() else {
        return Err(ArtifactError::Format {
            path: dir.to_owned(),
            message: format!(
                "holds no image files ({}); give a folder of images or a .npy file",
                IMAGE_EXTENSIONS.join(", ")
            ),
        });
    };
    let open = |path: &PathBuf| {
        image::open(path).map_err(|e| ArtifactError::Format {
            path: path.clone(),
            message: format!("not a readable image: {e}"),
        })
    };
    let head = open(first)?;
    let (w, h, gray) = (head.width(), head.height(), is_gray(head.color()));
    let c = if gray { 1 } else { 3 };
    let mut pixels = Vec::with_capacity(files.len() * c * (w * h) as usize);
    for path in &files {
        let img = if path == first {
            head.clone()
        } else {
            open(path)?
        };
        let mismatch = |what: String| ArtifactError::Format {
            path: path.clone(),
            message: format!(
                "{what}, but {} is {w}x{h} {}: every image of a reference set must match",
                first.display(),
                if gray { "gray" } else { "colour" }
            ),
        };
        if (img.width(), img.height()) != (w, h) {
            return Err(mismatch(format!("is {}x{}", img.width(), img.height())));
        }
        if is_gray(img.color()) != gray {
            return Err(mismatch(format!(
                "is {}",
                if gray { "colour" } else { "gray" }
            )));
        }
        push_channels_first(&mut pixels, &img, gray);
    }
    let n = files.len();
    let (h, w) = (h as usize, w as usize);
    let shape = if gray {
        vec![n, h, w]
    } else {
        vec![n, 3, h, w]
    };
    Ok(Images { pixels, shape })
}

/// The folder's image files in name order.
fn image_files(dir: &Path) -> Result<Vec<PathBuf>, ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if path.is_file() && ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn is_gray(c: ColorType) -> bool {
    matches!(
        c,
        ColorType::L8 | ColorType::L16 | ColorType::La8 | ColorType::La16
    )
}

/// Appends one image as 8-bit planes: one for gray, R, G, B for colour.
fn push_channels_first(out: &mut Vec<u8>, img: &DynamicImage, gray: bool) {
    if gray {
        out.extend_from_slice(img.to_luma8().as_raw());
        return;
    }
    let rgb = img.to_rgb8();
    for ch in 0..3 {
        out.extend(rgb.pixels().map(|p| p.0[ch]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, RgbImage, RgbaImage};

    #[test]
    fn reads_gray_and_colour_folders_in_name_order_channels_first() {
        let dir = tempfile::tempdir().unwrap();
        for (name, v) in [("b.png", 20u8), ("a.png", 10), ("notes.txt", 0)] {
            if name.ends_with(".png") {
                GrayImage::from_pixel(3, 2, image::Luma([v]))
                    .save(dir.path().join(name))
                    .unwrap();
            } else {
                std::fs::write(dir.path().join(name), "x").unwrap();
            }
        }
        let g = read_image_folder(dir.path()).unwrap();
        assert_eq!(g.shape, [2, 2, 3]);
        assert_eq!(g.pixels, [[10u8; 6], [20; 6]].concat(), "a.png first");

        let dir = tempfile::tempdir().unwrap();
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([1, 2, 3]));
        img.put_pixel(1, 0, image::Rgb([4, 5, 6]));
        img.save(dir.path().join("0.png")).unwrap();
        let mut rgba = RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([7, 8, 9, 0]));
        rgba.save(dir.path().join("1.PNG")).unwrap();
        let c = read_image_folder(dir.path()).unwrap();
        assert_eq!(c.shape, [2, 3, 1, 2]);
        assert_eq!(&c.pixels[..6], [1, 4, 2, 5, 3, 6], "planes R, G, B");
        assert_eq!(&c.pixels[6..9], [7, 0, 8], "alpha dropped");
    }

    #[test]
    fn reads_jpeg_files() {
        let dir = tempfile::tempdir().unwrap();
        RgbImage::from_pixel(8, 8, image::Rgb([200, 100, 50]))
            .save(dir.path().join("x.jpg"))
            .unwrap();
        let c = read_image_folder(dir.path()).unwrap();
        assert_eq!(c.shape, [1, 3, 8, 8]);
        assert!(
            c.pixels[..64].iter().all(|&p| p.abs_diff(200) <= 3),
            "lossy, close"
        );
    }

    #[test]
    fn mismatched_or_missing_images_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_image_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("holds no image files"), "{err}");
        GrayImage::new(4, 4).save(dir.path().join("a.png")).unwrap();
        GrayImage::new(4, 5).save(dir.path().join("b.png")).unwrap();
        let err = read_image_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("b.png") && err.contains("is 4x5"), "{err}");
        std::fs::remove_file(dir.path().join("b.png")).unwrap();
        RgbImage::new(4, 4).save(dir.path().join("c.png")).unwrap();
        let err = read_image_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("c.png") && err.contains("is colour"), "{err}");
        std::fs::write(dir.path().join("d.png"), "not a png").unwrap();
        std::fs::remove_file(dir.path().join("c.png")).unwrap();
        let err = read_image_folder(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("d.png") && err.contains("not a readable image"),
            "{err}"
        );
    }
}
