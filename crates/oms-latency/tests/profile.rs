//! Profiling on the analytic zoo: every member gets a positive time, the table's cost model
//! reads the result, and the random check schedules are valid and reproducible.

use std::path::Path;

use burn::tensor::Device;
use oms_latency::{
    Budget, LatencyProfile, ProfileInfo, check_schedules, profile_zoo, random_schedules,
};
use oms_zoo::ZooManifest;

fn zoo() -> (ZooManifest, oms_sampler::Zoo) {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let m = ZooManifest::load(&root.join("configs/zoo/analytic.ron")).unwrap();
    let device = Device::flex();
    let zoo = m.build(&device).unwrap();
    (m, zoo)
}

fn quick() -> Budget {
    Budget {
        warmup: 1,
        min_runs: 3,
        max_runs: 5,
        max_seconds: 1.0,
        rel_precision: 0.02,
    }
}

#[test]
fn profile_measures_every_member_and_round_trips() {
    let (m, zoo) = zoo();
    let info = ProfileInfo {
        device: "cpu".into(),
        backend: "flex".into(),
        dtype: "f32".into(),
        burn_version: "0.22.1".into(),
        hardware: "test".into(),
        date: "2026-01-01T00:00:00Z".into(),
        batch: 4,
        image_shape: m.image_shape,
    };
    let mut heard = vec![];
    let p = profile_zoo(&zoo, info, &Device::flex(), &quick(), &mut |w| {
        heard.push(w.to_string())
    })
    .unwrap();
    assert_eq!(heard.len(), m.members.len() + 2);
    assert_eq!(p.table.per_nfe_ms.len(), m.members.len());
    assert!(p.table.per_nfe_ms.values().all(|&ms| ms > 0.0));
    assert!(p.forward.values().all(|f| (3..=5).contains(&f.runs)));
    assert!(p.table.sampler_ms_per_nfe > 0.0 && p.table.switch_ms >= 0.0);
    assert_ne!(p.switch_pair.0, p.switch_pair.1);
    let text = ron::ser::to_string_pretty(&p, Default::default()).unwrap();
    let back: LatencyProfile = ron::from_str(&text).unwrap();
    assert_eq!(back.table, p.table);
}

#[test]
fn check_schedules_are_valid_reproducible_and_predicted() {
    let (m, zoo) = zoo();
    let a = random_schedules(&zoo, 6, 3).unwrap();
    let b = random_schedules(&zoo, 6, 3).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, random_schedules(&zoo, 6, 4).unwrap());
    for (_, s) in &a {
        s.validate(&zoo.model_infos()).unwrap();
        assert!((3..=12).contains(&s.nfe()));
    }
    let table = oms_schedule::LatencyTable {
        batch: 2,
        per_nfe_ms: m.names().iter().map(|n| (n.to_string(), 1.0)).collect(),
        switch_ms: 0.5,
        sampler_ms_per_nfe: 0.0,
    };
    let rows = check_schedules(
        &zoo,
        &table,
        &a,
        m.image_shape,
        &Device::flex(),
        &quick(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(rows.len(), 6);
    for (r, (_, s)) in rows.iter().zip(&a) {
        assert_eq!(r.predicted_ms, table.cost(s).unwrap());
        assert!(r.measured_ms > 0.0);
    }
}
