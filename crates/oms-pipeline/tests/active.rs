//! Active learning's candidate choice: the best distinct candidates of each budget that are not
//! labelled yet (the same schedule to 0.1 in lambda counts as labelled), each once, numbered on.

mod common;

use common::{root, setup};

use oms_dataset::{Generator, Record};
use oms_pipeline::active::{near, new_candidates};
use oms_pipeline::budgets::genome_of;
use oms_schedule::SlotEncoding;
use oms_search::{Candidate, FrontPoint, Genome};

/// The first `n` records of the committed default labels.
fn labels(n: usize) -> Vec<Record> {
    let text =
        std::fs::read_to_string(root().join("assets/labels/fashion-mnist-v2.jsonl")).unwrap();
    text.lines()
        .take(n)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Model `m` (id) at `nfe` first-order NFEs.
fn genome(m: u32, nfe: usize) -> Genome {
    let mut entries = vec![0; 30];
    for e in entries.iter_mut().step_by(3).take(nfe) {
        *e = m;
    }
    Genome::reference(&SlotEncoding { entries })
}

fn point(budget: f64, distinct: Vec<Genome>, reference: Option<Genome>) -> FrontPoint {
    let c = |g: Genome| Candidate {
        genome: g,
        score: 0.0,
        cost: 0.0,
    };
    FrontPoint {
        budget,
        best: vec![],
        best_reference: reference.map(c),
        distinct: distinct.into_iter().map(c).collect(),
        queries: 0,
    }
}

#[test]
fn labelled_and_repeated_schedules_are_skipped_and_ids_continue() {
    let setup = setup();
    let labels = labels(3);
    let labelled = genome_of(&labels[0]);
    assert_eq!(
        near(&setup.schedule(&labelled).unwrap()),
        near(&labels[0].schedule)
    );
    let front = [
        // Budget 1: the labelled schedule is skipped; two new ones fill k = 2.
        point(
            500.0,
            vec![labelled, genome(1, 4), genome(1, 5), genome(1, 6)],
            None,
        ),
        // Budget 2: xs at 4 NFE again (chosen above) is skipped at the end; the reference
        // candidate is added.
        point(900.0, vec![genome(2, 4), genome(1, 4)], Some(genome(3, 4))),
    ];
    let schedule = |g: &Genome| setup.schedule(g);
    let planned = new_candidates(&front, &labels, (2, 10), &schedule).unwrap();
    let got: Vec<(u64, Genome)> = planned
        .iter()
        .map(|p| {
            (
                p.id,
                Genome {
                    slots: p.slots.clone(),
                    form: p.form,
                },
            )
        })
        .collect();
    let want = [
        (10, genome(1, 4)),
        (11, genome(1, 5)),
        (12, genome(2, 4)),
        (13, genome(3, 4)),
    ];
    assert_eq!(got, want);
    assert!(planned.iter().all(|p| p.generator == Generator::Active));
}

#[test]
fn the_near_key_ignores_placements_below_a_tenth_in_lambda() {
    let setup = setup();
    let s = setup.schedule(&genome(1, 3)).unwrap();
    // Moving a boundary within its 0.1 bin (to the bin's centre) keeps the key; two bins on
    // changes it.
    let v = s.steps[0].to.0;
    let centre = (v * 10.0).round() / 10.0;
    let mut moved = s.clone();
    moved.steps[0].to.0 = centre;
    moved.steps[1].from.0 = centre;
    assert_eq!(near(&s), near(&moved));
    moved.steps[0].to.0 = centre + 0.2;
    moved.steps[1].from.0 = centre + 0.2;
    assert_ne!(near(&s), near(&moved));
    let other_model = setup.schedule(&genome(2, 3)).unwrap();
    assert_ne!(near(&s), near(&other_model));
}
