//! Active learning of the predictor's labels (method.md section 7 item 5): each round trains
//! the predictor on every label so far, searches a list of budgets, and labels the best
//! candidates not labelled yet on the labels' noise bank. A round depends only on the label
//! files and the seed: the same files give the same next round.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use burn::tensor::Device;
use oms_dataset::{Generator, LabelEvent, Labeller, Planned, Record, RunSpec, Shard, label_plan};
use oms_predictor::Predictor;
use oms_schedule::{Schedule, Solver};
use oms_search::{FrontPoint, Genome};

use crate::Result;
use crate::predictor::{SearchPredictor, train_for_search};
use crate::scorer::PredictorScorer;
use crate::search::{SearchConfig, run_search};
use crate::setup::Setup;

/// What every round of one run shares.
pub struct ActiveRun<'a> {
    /// Zoo, space and table.
    pub setup: &'a Setup,
    /// The labels the rounds start from (the output file is read again each round).
    pub base: &'a [Record],
    /// Their source, as the predictor records it.
    pub base_source: &'a str,
    /// Budgets searched each round.
    pub budgets: &'a [f64],
    /// The search (its seed is offset by the number of labels already made).
    pub search: SearchConfig,
    /// The predictor of each round.
    pub predictor: SearchPredictor,
    /// New labels per budget per round.
    pub per_budget: usize,
    /// Run key of the output file.
    pub key: &'a str,
    /// Metric protocol hash of the labels.
    pub protocol_hash: &'a str,
}

/// What a round reports while it runs.
pub enum RoundEvent<'a> {
    /// The round starts with this many labels, `own` of them from earlier rounds.
    Start {
        /// All labels.
        labels: usize,
        /// Labels of the output file.
        own: usize,
    },
    /// The round's predictor is trained.
    Trained(&'a Predictor),
    /// One generation of the search ran (of `budgets * generations`).
    Generation,
    /// The candidates to label are chosen.
    Planned(usize),
    /// Labelling progress.
    Label(LabelEvent<'a>),
}

/// Trains, searches and labels the round's new candidates into `out`; the number labelled (0:
/// every top candidate is labelled already).
pub fn round(
    run: &ActiveRun,
    labeller: &Labeller,
    out: &Path,
    device: &Device,
    on_event: &mut dyn FnMut(RoundEvent),
) -> Result<usize> {
    let mine = if out.exists() {
        oms_dataset::read_records(out)?
    } else {
        vec![]
    };
    let mut labels = run.base.to_vec();
    labels.extend(mine.iter().cloned());
    on_event(RoundEvent::Start {
        labels: labels.len(),
        own: mine.len(),
    });
    let source = format!("{},{}", run.base_source, out.display());
    let setup = run.setup;
    let predictor = train_for_search(&labels, &setup.manifest, &source, run.predictor, device)?;
    on_event(RoundEvent::Trained(&predictor));
    let mut scorer = PredictorScorer::new(&predictor, &setup.space, setup.lambda_start, device)?;
    let config = SearchConfig {
        seed: run.search.seed.wrapping_add(mine.len() as u64),
        random: false,
        ..run.search
    };
    let found = run_search(
        setup,
        &mut scorer,
        &labels,
        run.budgets,
        &config,
        &mut || on_event(RoundEvent::Generation),
    )?;
    let next_id = mine.iter().map(|r| r.id + 1).max().unwrap_or(0);
    let schedule = |g: &Genome| setup.schedule(g);
    let planned = new_candidates(&found.front, &labels, (run.per_budget, next_id), &schedule)?;
    on_event(RoundEvent::Planned(planned.len()));
    if planned.is_empty() {
        return Ok(0);
    }
    let spec = RunSpec {
        plan: &planned,
        shard: Shard::ALL,
        space: &setup.space,
        noise: &setup.noise,
        solver: Solver::DpmSolver,
        lambda_start: setup.lambda_start,
        run_key: run.key,
        protocol_hash: run.protocol_hash,
        zoo: &labels[0].zoo,
    };
    label_plan(&spec, labeller, out, device, &mut |e| {
        on_event(RoundEvent::Label(e))
    })?;
    Ok(planned.len())
}

/// Per budget, the `k` best distinct candidates (slots or solver) not labelled yet, plus the
/// best reference-form one when it is new; numbered from `next_id`. `schedule` gives a
/// genome's schedule.
pub fn new_candidates(
    front: &[FrontPoint],
    labels: &[Record],
    (k, next_id): (usize, u64),
    schedule: &dyn Fn(&Genome) -> Result<Schedule>,
) -> Result<Vec<Planned>> {
    let mut known: HashSet<String> = labels.iter().map(|r| near(&r.schedule)).collect();
    let mut out = vec![];
    for p in front {
        let mut chosen = vec![];
        for c in &p.distinct {
            if chosen.len() == k {
                break;
            }
            let key = near(&schedule(&c.genome)?);
            if !known.contains(&key) {
                chosen.push((c.genome.clone(), key));
            }
        }
        if let Some(r) = &p.best_reference {
            chosen.push((r.genome.clone(), near(&schedule(&r.genome)?)));
        }
        for (g, key) in chosen {
            if known.insert(key) {
                out.push(Planned {
                    id: next_id + out.len() as u64,
                    generator: Generator::Active,
                    slots: g.slots,
                    form: g.form,
                });
            }
        }
    }
    Ok(out)
}

/// What makes two schedules the same label: solver, orders, models and step boundaries to 0.1
/// in lambda (placements a few thousandths apart sample almost the same images, and placements
/// that differ only where no boundary falls sample the same ones; the search offers many).
pub fn near(s: &Schedule) -> String {
    let mut key = format!("{:?}", s.solver);
    for st in &s.steps {
        let _ = write!(
            key,
            "|{}:{}:{:.1}:{:.1}",
            st.order,
            st.models.join(","),
            st.from.0,
            st.to.0
        );
    }
    key
}
