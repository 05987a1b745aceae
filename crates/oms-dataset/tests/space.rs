//! The schedule space, the plan and the label store, without tensors.

use std::collections::BTreeMap;

use oms_dataset::{
    Generator, LabelFile, Mutation, Record, Shard, SlotSpace, merge_records, plan, read_records,
    restore_invariant, to_jsonl,
};
use oms_schedule::{LatencyTable, NoiseSchedule, NoiseSpec, SlotEncoding, Solver};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn space(k: usize) -> SlotSpace {
    let per_nfe_ms: BTreeMap<String, f64> = [("a", 1.0), ("b", 4.0), ("c", 10.0)]
        .into_iter()
        .map(|(m, ms)| (m.to_string(), ms))
        .collect();
    let table = LatencyTable {
        batch: 8,
        per_nfe_ms,
        switch_ms: 0.5,
        sampler_ms_per_nfe: 0.1,
    };
    SlotSpace::new(k, vec!["a".into(), "b".into(), "c".into()], &table).unwrap()
}

#[test]
fn slot_cost_equals_the_latency_table_cost_of_the_schedule() {
    let sp = space(10);
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let table = LatencyTable {
        batch: 8,
        per_nfe_ms: [("a", 1.0), ("b", 4.0), ("c", 10.0)]
            .into_iter()
            .map(|(m, ms)| (m.to_string(), ms))
            .collect(),
        switch_ms: 0.5,
        sampler_ms_per_nfe: 0.1,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..200 {
        let enc = sp.reference_random(&mut rng);
        let schedule = enc
            .to_schedule(&sp.models, &noise, Solver::DpmSolver)
            .unwrap();
        let want = table.cost(&schedule).unwrap();
        assert!((sp.cost(&enc) - want).abs() < 1e-9, "{enc:?}");
    }
}

#[test]
fn reference_generator_matches_the_expected_nfe() {
    // Each of the 3K entries survives blanking with probability 0.2: mean NFE 0.2 * 3K.
    let sp = space(20);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let draws = 2000;
    let mean = (0..draws)
        .map(|_| sp.reference_random(&mut rng).nfe() as f64)
        .sum::<f64>()
        / draws as f64;
    assert!((mean - 12.0).abs() < 0.3, "mean NFE {mean}");
}

proptest! {
    #[test]
    fn generated_and_mutated_schedules_keep_the_slot_invariant(seed in 0u64..500, k in 1usize..12) {
        let sp = space(k);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let enc = sp.reference_random(&mut rng);
        prop_assert!(enc.check(3).is_ok() && enc.nfe() > 0);
        for kind in [Mutation::Lighter, Mutation::Heavier, Mutation::Any] {
            let m = sp.mutate(&enc, 0.3, kind, &mut rng);
            prop_assert!(m.check(3).is_ok() && m.nfe() > 0);
            match kind {
                Mutation::Lighter => prop_assert!(sp.cost(&m) <= sp.cost(&enc) + 0.5 * 3.0 * k as f64),
                Mutation::Heavier => prop_assert!(m.nfe() >= enc.nfe()),
                Mutation::Any => {}
            }
        }
        let m = sp.mutate_positions(&enc, 3, &mut rng);
        prop_assert!(m.check(3).is_ok() && m.nfe() > 0);
    }

    #[test]
    fn repair_lands_in_the_window(seed in 0u64..200, frac in 0.05f64..1.0) {
        let sp = space(10);
        let (lo, hi) = sp.cost_range();
        let c = lo + (hi - lo) * frac;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start = sp.reference_random(&mut rng);
        let r = sp.repair(&start, 0.9 * c, c, 10_000, &mut rng).unwrap();
        prop_assert!(sp.cost(&r) <= c && sp.cost(&r) >= 0.9 * c);
    }
}

#[test]
fn restore_invariant_compacts_slots() {
    let enc = SlotEncoding {
        entries: vec![0, 2, 0, 0, 0, 3, 1, 0, 2],
    };
    assert_eq!(
        restore_invariant(enc).entries,
        vec![2, 0, 0, 3, 0, 0, 1, 2, 0]
    );
}

#[test]
fn impossible_window_names_the_cheapest_cost() {
    let sp = space(4);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let start = sp.reference_random(&mut rng);
    let err = sp
        .repair(&start, 0.1, 0.5, 100, &mut rng)
        .unwrap_err()
        .to_string();
    assert!(err.contains("cheapest costs 1.10 ms"), "{err}");
}

#[test]
fn plan_is_deterministic_distinct_canonical_and_extends() {
    let sp = space(10);
    let a = plan(&sp, 300, 0.5, 3).unwrap();
    let b = plan(&sp, 300, 0.5, 3).unwrap();
    assert_eq!(a, b);
    let longer = plan(&sp, 400, 0.5, 3).unwrap();
    assert_eq!(&longer[..300], &a[..]);
    let distinct: std::collections::HashSet<_> = a.iter().map(|p| p.slots.clone()).collect();
    assert_eq!(distinct.len(), 300);
    assert!(a.iter().all(|p| p.slots == p.slots.canonical()));
    let even = a
        .iter()
        .filter(|p| p.generator == Generator::EvenCost)
        .count();
    assert_eq!(even, 150);
    // The even-cost half spreads over the whole (log) cost range.
    let (lo, hi) = sp.cost_range();
    let costs: Vec<f64> = a
        .iter()
        .filter(|p| p.generator == Generator::EvenCost)
        .map(|p| (sp.cost(&p.slots) / lo).ln() / (hi / lo).ln())
        .collect();
    let mut sorted = costs.clone();
    sorted.sort_by(f64::total_cmp);
    let (first, median, last) = (
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
    );
    assert!(first < 0.1 && last > 0.9, "range {first}..{last}");
    assert!((0.3..0.7).contains(&median), "median {median}");
}

#[test]
fn shards_partition_the_plan() {
    assert!(Shard::parse("4/4").is_err() && Shard::parse("x").is_err());
    let shards: Vec<Shard> = (0..3)
        .map(|i| Shard::parse(&format!("{i}/3")).unwrap())
        .collect();
    for id in 0..100u64 {
        assert_eq!(shards.iter().filter(|s| s.owns(id)).count(), 1);
    }
}

fn record(id: u64, key: &str) -> Record {
    let sp = space(2);
    let noise = NoiseSchedule::new(NoiseSpec::linear_vp()).unwrap();
    let slots = SlotEncoding {
        entries: vec![1, 2, 0, 3, 0, 0],
    };
    Record {
        id,
        generator: Generator::Reference,
        form: oms_dataset::Form::REFERENCE,
        schedule: slots
            .to_schedule(&sp.models, &noise, Solver::DpmSolver)
            .unwrap(),
        slots: slots.entries,
        nfe: 3,
        cost_ms: sp.cost(&SlotEncoding {
            entries: vec![1, 2, 0, 3, 0, 0],
        }),
        fd: 10.0 + id as f64,
        kid: 0.01,
        kid_std: 0.001,
        n: 100,
        seed: 0,
        protocol_hash: "p".into(),
        zoo: "z".into(),
        run_key: key.into(),
        wall_s: 1.5,
        second: None,
    }
}

#[test]
fn a_second_space_round_trips_and_one_space_files_stay_as_they_were() {
    let one = record(1, "k");
    let text = oms_dataset::to_jsonl(std::slice::from_ref(&one));
    assert!(!text.contains("second"), "{text}");
    let mut two = record(2, "k");
    two.second = Some(oms_dataset::SpaceLabel {
        feature_net: "efficientnet-lite0-imagenet".into(),
        protocol_hash: "q".into(),
        fd: 150.0,
        kid: 0.2,
        kid_std: 0.01,
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.jsonl");
    std::fs::write(&path, oms_dataset::to_jsonl(&[one.clone(), two.clone()])).unwrap();
    assert_eq!(oms_dataset::read_records(&path).unwrap(), vec![one, two]);
}

#[test]
fn a_truncated_last_line_is_dropped_and_the_file_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.jsonl");
    let (mut f, old) = LabelFile::open(&path, "k").unwrap();
    assert!(old.is_empty());
    f.append(&record(0, "k")).unwrap();
    f.append(&record(1, "k")).unwrap();
    drop(f);
    // A writer killed mid-record leaves half a line.
    let full = std::fs::read_to_string(&path).unwrap();
    let partial = &to_jsonl(&[record(2, "k")])[..40];
    std::fs::write(&path, format!("{full}{partial}")).unwrap();
    let (mut f, old) = LabelFile::open(&path, "k").unwrap();
    assert_eq!(old.iter().map(|r| r.id).collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), full);
    f.append(&record(2, "k")).unwrap();
    assert_eq!(read_records(&path).unwrap().len(), 3);
    // Another run's arguments are refused.
    let err = LabelFile::open(&path, "other").err().unwrap().to_string();
    assert!(err.contains("another run"), "{err}");
}

#[test]
fn a_corrupt_middle_line_is_an_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.jsonl");
    let text = format!(
        "{}garbage\n{}",
        to_jsonl(&[record(0, "k")]),
        to_jsonl(&[record(1, "k")])
    );
    std::fs::write(&path, text).unwrap();
    let err = read_records(&path).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn merge_is_the_sorted_union_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("a"), to_jsonl(&[record(2, "k"), record(0, "k")])).unwrap();
    std::fs::write(p("b"), to_jsonl(&[record(1, "k"), record(0, "k")])).unwrap();
    let ab = merge_records(&[p("a"), p("b")]).unwrap();
    let ba = merge_records(&[p("b"), p("a")]).unwrap();
    assert_eq!(to_jsonl(&ab), to_jsonl(&ba));
    assert_eq!(ab.iter().map(|r| r.id).collect::<Vec<_>>(), vec![0, 1, 2]);
    let mut changed = record(1, "k");
    changed.fd = 99.0;
    std::fs::write(p("c"), to_jsonl(&[changed])).unwrap();
    assert!(merge_records(&[p("a"), p("b"), p("c")]).is_err());
    std::fs::write(p("d"), to_jsonl(&[record(5, "other")])).unwrap();
    assert!(merge_records(&[p("a"), p("d")]).is_err());
}

#[test]
fn ordered_slots_follow_the_fast_layout() {
    // 7 NFEs at order 3: steps 3, 3, 1 from the noisy end; the 1-NFE step at the clean end.
    let s = oms_dataset::ordered_slots(&[1, 1, 1, 2, 2, 2, 3], 3, 4).unwrap();
    assert_eq!(s.entries, vec![3, 0, 0, 2, 2, 2, 1, 1, 1, 0, 0, 0]);
    assert!(oms_dataset::ordered_slots(&[1; 5], 1, 4).is_none());
    let sp = space(10);
    let plan = oms_dataset::baseline_plan(&sp, &[2, 4, 10]);
    let singles = plan
        .iter()
        .filter(|p| p.generator == Generator::SingleModel)
        .count();
    // Per model: NFE 2 at orders 1, 2 (order 3 = the order-2 layout), NFE 4 at 1, 2, 3, NFE 10 at 1, 2, 3.
    assert_eq!(singles, 3 * 8);
    assert!(plan.iter().all(|p| p.slots.check(3).is_ok()));
    assert!(plan.iter().any(|p| p.generator == Generator::TwoModel));
}
