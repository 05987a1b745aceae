//! Latency-table choice: only a table of this hardware, backend, batch and zoo is chosen, in a
//! deterministic order, and two candidates in one folder are an error that lists both.

mod common;

use common::root;

use std::path::Path;

use oms_latency::LatencyProfile;
use oms_pipeline::latency::{TableQuery, choose_profile, read_profile};
use oms_zoo::ZooManifest;

fn committed() -> LatencyProfile {
    read_profile(&root().join("assets/latency/fashion-mnist-cpu-b64.ron")).unwrap()
}

fn write(dir: &Path, name: &str, edit: impl FnOnce(&mut LatencyProfile)) {
    let mut p = committed();
    edit(&mut p);
    let text = ron::ser::to_string_pretty(&p, ron::ser::PrettyConfig::default()).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

fn query<'a>(manifest: &'a ZooManifest, batch: Option<usize>) -> TableQuery<'a> {
    TableQuery {
        hardware: "Test CPU, 2 threads",
        device: "cpu",
        batch,
        manifest,
    }
}

#[test]
fn only_a_table_of_this_hardware_backend_batch_and_zoo_is_chosen() {
    let manifest = ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v2.ron")).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let hw = |p: &mut LatencyProfile| p.info.hardware = "Test CPU, 2 threads".into();
    write(a.path(), "other-cpu.ron", |_| {});
    write(a.path(), "gpu.ron", |p| {
        hw(p);
        p.info.device = "wgpu".into();
    });
    write(a.path(), "missing-member.ron", |p| {
        hw(p);
        p.table.per_nfe_ms.remove("xl");
    });
    write(a.path(), "rgb.ron", |p| {
        hw(p);
        p.info.image_shape = [3, 32, 32];
    });
    std::fs::write(a.path().join("broken.ron"), "not a profile").unwrap();
    let dirs = [a.path(), b.path()];
    assert!(
        choose_profile(&dirs, &query(&manifest, None))
            .unwrap()
            .is_none()
    );
    // A match in the second folder is found; one in the first folder wins over it.
    write(b.path(), "b64.ron", hw);
    let (path, _) = choose_profile(&dirs, &query(&manifest, None))
        .unwrap()
        .unwrap();
    assert_eq!(path, b.path().join("b64.ron"));
    write(a.path(), "b256.ron", |p| {
        hw(p);
        p.info.batch = 256;
    });
    let (path, p) = choose_profile(&dirs, &query(&manifest, None))
        .unwrap()
        .unwrap();
    assert_eq!((path, p.info.batch), (a.path().join("b256.ron"), 256));
    // A batch asked for excludes the others.
    let (path, _) = choose_profile(&dirs, &query(&manifest, Some(64)))
        .unwrap()
        .unwrap();
    assert_eq!(path, b.path().join("b64.ron"));
}

#[test]
fn two_matching_tables_in_one_folder_are_an_error_listing_both() {
    let manifest = ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v2.ron")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, batch) in [("z-b250.ron", 250), ("a-b1000.ron", 1000)] {
        write(dir.path(), name, |p| {
            p.info.hardware = "Test CPU, 2 threads".into();
            p.info.batch = batch;
        });
    }
    let err = choose_profile(&[dir.path()], &query(&manifest, None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("a-b1000.ron (batch 1000), "), "{err}");
    assert!(err.contains("z-b250.ron (batch 250)"), "{err}");
    assert!(err.contains("--latency"), "{err}");
}
