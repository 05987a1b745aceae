//! The committed zoo manifests parse, v1's members span at least 30x in forward FLOPs, the
//! committed checkpoints (v2, v3) load with their recorded sha256, and the GPU-retrained zoo
//! keeps the default zoo's names, conventions and architectures (so its latency table and label
//! plans are the default zoo's).

use std::path::Path;

use burn::tensor::Device;
use oms_zoo::{MemberKind, ZooManifest};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Every member is a UNet and the most expensive costs at least 30x the cheapest in FLOPs.
fn assert_flop_span_of_thirty(m: &ZooManifest) {
    let flops: Vec<f64> = m
        .members
        .iter()
        .map(|mem| match &mem.kind {
            MemberKind::Unet(u) => u.config.flops_per_image(),
            MemberKind::Analytic(_) => panic!("{}: UNets only", m.path.display()),
        })
        .collect();
    let (lo, hi) = flops
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &f| (lo.min(f), hi.max(f)));
    assert!(hi / lo >= 30.0, "FLOP span {}", hi / lo);
}

#[test]
fn analytic_zoo_parses() {
    let m = ZooManifest::load(&root().join("configs/zoo/analytic.ron")).unwrap();
    assert_eq!(m.names(), ["exact", "cosine-v", "ddpm-x0", "rough"]);
}

#[test]
fn v1_zoo_spans_thirty_x_and_mixes_conventions() {
    let m = ZooManifest::load(&root().join("configs/zoo/fashion-mnist.ron")).unwrap();
    assert!(m.members.len() >= 5);
    assert_flop_span_of_thirty(&m);
    let conventions: std::collections::HashSet<String> = m
        .members
        .iter()
        .map(|x| {
            format!(
                "{:?} {:?}",
                x.convention.noise.spec(),
                x.convention.prediction
            )
        })
        .collect();
    assert!(
        conventions.len() >= 2,
        "at least one member must use another noise schedule or prediction type"
    );
    // v1's weights left the working tree (the device tool carries at most 64 MiB with it, the
    // tree included); their sha256 stay in the manifest, and git history has the files
    let recorded = m
        .members
        .iter()
        .filter(|mem| matches!(&mem.kind, MemberKind::Unet(u) if u.sha256.is_some()))
        .count();
    assert_eq!(
        recorded,
        m.members.len(),
        "every v1 member's sha256 is recorded"
    );
}

#[test]
fn retrained_zoo_has_the_default_zoos_members_and_its_weights_load() {
    let v1 = ZooManifest::load(&root().join("configs/zoo/fashion-mnist.ron")).unwrap();
    let v2 = ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v2.ron")).unwrap();
    assert_eq!(v1.names(), v2.names());
    for (a, b) in v1.members.iter().zip(&v2.members) {
        assert_eq!(a.convention, b.convention, "member {}", a.name);
        let (MemberKind::Unet(ua), MemberKind::Unet(ub)) = (&a.kind, &b.kind) else {
            panic!("member {} is not a UNet", a.name);
        };
        assert_eq!(ua.config, ub.config, "member {}", a.name);
        assert_ne!(ua.sha256, ub.sha256, "member {}: same weights", a.name);
    }
    let names: Vec<&str> = v2.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(v2.build_members(&Device::flex(), &names).unwrap().len(), 5);
}

#[test]
fn v3_candidate_spans_thirty_x_and_its_committed_weights_load() {
    let v3 = ZooManifest::load(&root().join("configs/zoo/fashion-mnist-v3.ron")).unwrap();
    assert_flop_span_of_thirty(&v3);
    let trained: Vec<&str> = v3
        .members
        .iter()
        .filter(|mem| matches!(&mem.kind, MemberKind::Unet(u) if u.sha256.is_some()))
        .map(|mem| mem.name.as_str())
        .collect();
    assert_eq!(
        v3.build_members(&Device::flex(), &trained).unwrap().len(),
        trained.len()
    );
}

#[test]
fn refinement_heads_sit_on_patched_members_and_their_committed_weights_load() {
    for (file, headed) in [
        ("configs/zoo/ablations/v3-refine.ron", "xs-refine"),
        ("configs/zoo/fashion-mnist-v3.ron", "s"),
    ] {
        let zoo = ZooManifest::load(&root().join(file)).unwrap();
        let with_head: Vec<&str> = zoo
            .members
            .iter()
            .filter(|m| matches!(&m.kind, MemberKind::Unet(u) if u.config.refine.is_some()))
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(with_head, [headed], "{file}");
        for member in &zoo.members {
            if let MemberKind::Unet(u) = &member.kind
                && u.config.refine.is_some()
            {
                assert_eq!(
                    (u.config.refine, u.config.patch),
                    (Some(8), u.config.patch.max(2))
                );
            }
        }
        assert_eq!(
            zoo.build_members(&Device::flex(), &with_head)
                .unwrap()
                .len(),
            1
        );
    }
}
