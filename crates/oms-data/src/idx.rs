//! The IDX format of (Fashion-)MNIST: a big-endian header, then row-major u8 values.
//! Images: magic 0x00000803, count, rows, cols. Labels: magic 0x00000801, count.

/// Parses an IDX image file into `(pixels, count, rows, cols)`.
pub fn read_idx_images(bytes: &[u8]) -> Result<(Vec<u8>, usize, usize, usize), String> {
    let header = |i: usize| -> Result<usize, String> {
        let b = bytes
            .get(4 * i..4 * i + 4)
            .ok_or("file shorter than its 16-byte header")?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if header(0)? != 0x0803 {
        return Err(format!(
            "magic {:#010x} is not an IDX image file (0x00000803)",
            header(0)?
        ));
    }
    let (n, rows, cols) = (header(1)?, header(2)?, header(3)?);
    let body = &bytes[16..];
    if body.len() != n * rows * cols {
        return Err(format!(
            "header says {n} images of {rows}x{cols} but the file holds {} bytes of pixels",
            body.len()
        ));
    }
    Ok((body.to_vec(), n, rows, cols))
}

/// Parses an IDX label file.
pub fn read_idx_labels(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.len() < 8 {
        return Err("file shorter than its 8-byte header".into());
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if magic != 0x0801 {
        return Err(format!(
            "magic {magic:#010x} is not an IDX label file (0x00000801)"
        ));
    }
    let n = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    if bytes.len() - 8 != n {
        return Err(format!(
            "header says {n} labels but the file holds {}",
            bytes.len() - 8
        ));
    }
    Ok(bytes[8..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let mut img = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        img.extend([1, 2, 3, 4]);
        assert_eq!(read_idx_images(&img).unwrap(), (vec![1, 2, 3, 4], 2, 1, 2));
        assert!(
            read_idx_images(&img[..18])
                .unwrap_err()
                .contains("holds 2 bytes")
        );
        assert!(read_idx_images(&[0, 0, 8, 1]).is_err());
        let lab = [0, 0, 8, 1, 0, 0, 0, 2, 7, 9];
        assert_eq!(read_idx_labels(&lab).unwrap(), vec![7, 9]);
        assert!(read_idx_labels(&lab[..9]).is_err());
    }
}
