//! The installed datasets match the canonical sets (shared/docs/data.md). Needs `cargo xtask
//! data`; without the files the test says so and passes, unless `OMS_REQUIRE_DATA=1` (CI).

use std::path::Path;

use oms_data::{Dataset, DatasetKind, Split};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data"))
}

fn load(kind: DatasetKind, split: Split) -> Option<Dataset> {
    match Dataset::load(root(), kind, split) {
        Ok(d) => Some(d),
        Err(e) if std::env::var("OMS_REQUIRE_DATA").as_deref() != Ok("1") => {
            eprintln!("skipping: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn fashion_mnist_matches_the_canonical_set() {
    let Some(train) = load(DatasetKind::FashionMnist, Split::Train) else {
        return;
    };
    assert_eq!((train.len(), train.rows, train.cols), (60_000, 28, 28));
    assert_eq!(&train.labels[..10], &[9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    let mean = train.images.iter().map(|&p| p as f64).sum::<f64>() / train.images.len() as f64;
    assert!((mean - 72.940).abs() < 5e-4, "train pixel mean {mean}");
    let test = load(DatasetKind::FashionMnist, Split::Test).expect("train present, test too");
    assert_eq!(test.len(), 10_000);
}

#[test]
fn mnist_has_the_canonical_sizes() {
    let Some(train) = load(DatasetKind::Mnist, Split::Train) else {
        return;
    };
    assert_eq!(train.len(), 60_000);
    assert_eq!(load(DatasetKind::Mnist, Split::Test).unwrap().len(), 10_000);
    // MNIST's first training labels are 5, 0, 4, 1, 9.
    assert_eq!(&train.labels[..5], &[5, 0, 4, 1, 9]);
}
