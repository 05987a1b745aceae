use super::*;

/// A set whose bootstrap replicates spread by `jitter` around `fd`, in a pattern that differs
/// from set to set (so that paired differences have a spread too).
fn set(fd: f64, jitter: f64) -> PairedSet {
    let boot: Vec<f64> = (0..200)
        .map(|i| fd + jitter * ((i as f64 * 0.37 + fd).sin()))
        .collect();
    PairedSet {
        n: 1000,
        fd,
        kid: 0.0,
        boot_fd: boot.clone(),
        boot_kid: vec![0.0; 200],
    }
}

fn score(member: &str, solver: &str, nfe: usize, space: FeatureSpace, fd: f64) -> MemberScore {
    MemberScore {
        member: member.into(),
        solver: solver.into(),
        nfe,
        space,
        set: set(fd, 4.0),
    }
}

fn costs() -> BTreeMap<String, f64> {
    [("xs".to_string(), 10.0), ("l".to_string(), 400.0)].into()
}

/// A zoo that meets every bar: l improves with steps and beats xs, near a floor of 20.
fn good_scores() -> Vec<MemberScore> {
    let mut out = vec![];
    for space in FeatureSpace::ALL {
        for (nfe, xs, l) in [(5, 90.0, 80.0), (10, 70.0, 55.0), (20, 69.5, 50.0)] {
            out.push(score("xs", "dpm-solver-2", nfe, space, xs));
            out.push(score("l", "dpm-solver-2", nfe, space, l));
        }
    }
    out
}

fn floors() -> Vec<FloorScore> {
    vec![FloorScore {
        space: FeatureSpace::Efficientnet,
        fd: 20.0,
        n: 1000,
    }]
}

#[test]
fn a_zoo_meeting_every_bar_passes() {
    let r = evaluate(&costs(), &good_scores(), &floors(), &GateConfig::default());
    assert_eq!(r.top, "l");
    assert!((r.spread - 40.0).abs() < 1e-12);
    assert!(r.passed, "{}", r.markdown());
    // two members x two spaces x (5->10, 10->20)
    assert_eq!(r.steps.len(), 8);
    // xs's 70 -> 69.5 is inside the interval: a tie, which the bar accepts
    let tie = r
        .steps
        .iter()
        .find(|s| s.member == "xs" && s.from == 10)
        .unwrap();
    assert_eq!(tie.verdict, Verdict::Tie);
}

#[test]
fn each_bar_fails_on_its_own_defect() {
    let config = GateConfig::default();
    // spread 20x < 30x
    let narrow: BTreeMap<String, f64> = [("xs".to_string(), 20.0), ("l".to_string(), 400.0)].into();
    let r = evaluate(&narrow, &good_scores(), &floors(), &config);
    assert_eq!(passes(&r), [false, true, true, true]);
    // l gets worse from 10 to 20 NFE in one space, beyond its interval
    let mut rising = good_scores();
    for s in rising.iter_mut() {
        if s.member == "l" && s.nfe == 20 && s.space == FeatureSpace::Cnn {
            s.set = set(62.0, 4.0);
        }
    }
    let r = evaluate(&costs(), &rising, &floors(), &config);
    assert_eq!(passes(&r), [true, false, true, true]);
    assert!(
        r.bars[1].detail.contains("l dpm-solver-2 cnn: 10 -> 20"),
        "{}",
        r.bars[1].detail
    );
    // xs beats l at 20 NFE in one space
    let mut beaten = good_scores();
    for s in beaten.iter_mut() {
        if s.member == "xs" && s.space == FeatureSpace::Efficientnet {
            s.set = set(s.set.fd - 30.0, 1.0);
        }
    }
    let r = evaluate(&costs(), &beaten, &floors(), &config);
    assert_eq!(passes(&r), [true, true, false, true]);
    // a floor of 10: l's 50 is 5x
    let low = vec![FloorScore {
        space: FeatureSpace::Efficientnet,
        fd: 10.0,
        n: 1000,
    }];
    let r = evaluate(&costs(), &good_scores(), &low, &config);
    assert_eq!(passes(&r), [true, true, true, false]);
    assert!(r.bars[3].detail.contains("5.00x"), "{}", r.bars[3].detail);
    assert!(!r.passed);
}

#[test]
fn unmeasured_bars_fail_and_say_so() {
    let config = GateConfig::default();
    let r = evaluate(&costs(), &[], &[], &config);
    assert_eq!(passes(&r), [true, false, false, false]);
    assert!(r.bars[1].detail.starts_with("not measured"));
    assert!(r.bars[2].detail.starts_with("not measured"));
    assert!(r.bars[3].detail.starts_with("not measured"));
    let r = evaluate(&BTreeMap::new(), &good_scores(), &floors(), &config);
    assert!(!r.bars[0].pass);
}

fn passes(r: &GateReport) -> Vec<bool> {
    r.bars.iter().map(|b| b.pass).collect()
}

#[test]
fn normal_quantiles_match_the_tables() {
    assert!((upper_normal_quantile(0.025) - 1.959964).abs() < 1e-5);
    assert!((upper_normal_quantile(0.05) - 1.644854).abs() < 1e-5);
    // Bonferroni over 32 two-sided comparisons at 5%
    assert!((upper_normal_quantile(0.05 / 64.0) - 3.162818).abs() < 1e-5);
}

/// `good_scores` with l's CNN FD going 55 -> 57.5 from 10 to 20 NFE, the difference's bootstrap
/// replicates spread with standard deviation `se`.
fn l_rising_by_2_5(se: f64) -> Vec<MemberScore> {
    let mut scores = good_scores();
    for s in scores.iter_mut() {
        if s.member == "l" && s.space == FeatureSpace::Cnn && s.nfe >= 10 {
            let (fd, amp) = if s.nfe == 20 {
                (57.5, se * 2f64.sqrt())
            } else {
                (55.0, 0.0)
            };
            s.set.fd = fd;
            s.set.boot_fd = (0..200)
                .map(|i| fd + amp * (i as f64 * 0.37).sin())
                .collect();
        }
    }
    scores
}

#[test]
fn the_more_steps_bar_is_family_wise() {
    // l's 55 -> 57.5 at 20 NFE in one space, the difference's replicates spread with a standard
    // deviation of 1.2: worse by its own 95% interval (2.5 - 1.7 > 0), not by the family-wise
    // one of eight comparisons (z = 2.73: 2.5 - 3.3 < 0)
    let scores = l_rising_by_2_5(1.2);
    let r = evaluate(&costs(), &scores, &floors(), &GateConfig::default());
    let c = r
        .steps
        .iter()
        .find(|s| s.member == "l" && s.from == 10 && s.space == FeatureSpace::Cnn)
        .unwrap();
    assert_eq!(c.fd.verdict(), Verdict::Worse, "{c:?}");
    assert_eq!(c.verdict, Verdict::Tie, "{c:?}");
    assert!(c.family.lo < c.fd.lo && c.family.hi > c.fd.hi, "{c:?}");
    assert!(r.bars[1].pass, "{}", r.markdown());
}

#[test]
fn tied_top_latencies_have_no_single_most_expensive_member() {
    let tied: BTreeMap<String, f64> = [
        ("xs".to_string(), 10.0),
        ("l".to_string(), 400.0),
        ("l2".to_string(), 400.0),
    ]
    .into();
    let r = evaluate(&tied, &good_scores(), &floors(), &GateConfig::default());
    assert!(!r.bars[2].pass);
    assert!(
        r.bars[2].detail.contains("share the highest latency"),
        "{}",
        r.bars[2].detail
    );
}

#[test]
fn a_larger_family_widens_the_more_steps_intervals() {
    // l's 55 -> 57.5 at 20 NFE, standard error 0.85: worse in a family of the eight comparisons
    // judged (z = 2.73: 2.5 - 2.32 > 0), a tie in the full v3 gate's 40 (z = 3.23: 2.5 - 2.75
    // < 0); a family smaller than the comparisons judged counts as those
    let scores = l_rising_by_2_5(0.85);
    let judge = |family: Option<usize>| {
        let config = GateConfig {
            steps_family: family,
            ..GateConfig::default()
        };
        let r = evaluate(&costs(), &scores, &floors(), &config);
        let c = r
            .steps
            .iter()
            .find(|s| s.member == "l" && s.from == 10 && s.space == FeatureSpace::Cnn)
            .cloned()
            .unwrap();
        (r.steps_family, c.verdict, r.bars[1].pass)
    };
    assert_eq!(judge(None), (8, Verdict::Worse, false));
    assert_eq!(judge(Some(2)), (8, Verdict::Worse, false));
    assert_eq!(judge(Some(40)), (40, Verdict::Tie, true));
}
