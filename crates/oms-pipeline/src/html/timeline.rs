//! Which model runs where: one schedule's steps along the noise level (log-SNR lambda, noisy end
//! on the left) as an SVG strip, each step split into its model evaluations and coloured by model.

use std::fmt::Write as _;

use serde_json::Value;

use super::page::esc;

/// One solver step of a portable schedule file (`schedules/*.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Solver order: model evaluations in the step.
    pub order: usize,
    /// The model of each evaluation, in order.
    pub models: Vec<String>,
    /// Log-SNR at the step's start and end.
    pub from: f64,
    pub to: f64,
}

/// The steps of a portable schedule file; `None` when it holds none in the expected form.
pub fn steps_of(schedule: &Value) -> Option<Vec<Step>> {
    let level = |v: &Value| v["lambda"].as_f64();
    schedule["steps"]
        .as_array()?
        .iter()
        .map(|s| {
            let models: Vec<String> = s["models"]
                .as_array()?
                .iter()
                .map(|m| m.as_str().map(str::to_owned))
                .collect::<Option<_>>()?;
            Some(Step {
                order: s["order"].as_u64()? as usize,
                models,
                from: level(&s["from"])?,
                to: level(&s["to"])?,
            })
        })
        .collect()
}

/// Colours of the models, by the order of `names` (cheapest first where the caller sorts so).
pub struct Palette {
    names: Vec<String>,
}

/// Tableau 10's first eight: distinct at a glance, also in grey-scale print.
const COLORS: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
];

impl Palette {
    /// A palette over these model names.
    pub fn new(names: Vec<String>) -> Self {
        Self { names }
    }

    /// The colour of a model (grey for one the palette does not know).
    pub fn color(&self, model: &str) -> &'static str {
        self.names
            .iter()
            .position(|n| n == model)
            .map_or("#999999", |i| COLORS[i % COLORS.len()])
    }

    /// A legend: one swatch per model.
    pub fn legend(&self) -> String {
        let mut s = String::from("<p class=\"note\">");
        for n in &self.names {
            let _ = write!(
                s,
                "<span style=\"display:inline-block;width:1em;height:1em;background:{};\
                 vertical-align:middle;border:1px solid #555\"></span> {} &nbsp; ",
                self.color(n),
                esc(n)
            );
        }
        s.push_str("</p>");
        s
    }
}

/// The lambda range of all steps: every strip of a page shares it, so strips compare.
pub fn range<'a>(all: impl IntoIterator<Item = &'a Step>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in all {
        for l in [s.from, s.to] {
            lo = lo.min(l);
            hi = hi.max(l);
        }
    }
    (lo < hi).then_some((lo, hi))
}

const W: f64 = 900.0;
const PAD: f64 = 30.0;

/// The strip of one schedule over the lambda range `(lo, hi)`. Step `k` of order `p` is split at
/// DPM-Solver's singlestep stage points (`r = 1/2` for order 2, `1/3, 2/3` for order 3; Lu et al.
/// 2022, Algorithms 1-2), so each segment starts where its model is evaluated; the order is
/// written above the step.
pub fn strip(steps: &[Step], (lo, hi): (f64, f64), palette: &Palette, title: &str) -> String {
    let x = |l: f64| PAD + (l - lo) / (hi - lo) * (W - 2.0 * PAD);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"62\" \
         viewBox=\"0 0 {W} 62\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for st in steps {
        let (a, b) = (x(st.from), x(st.to));
        let n = st.models.len().max(1);
        for (i, m) in st.models.iter().enumerate() {
            let (sa, sb) = (
                a + (b - a) * i as f64 / n as f64,
                a + (b - a) * (i + 1) as f64 / n as f64,
            );
            let _ = write!(
                s,
                "<rect x=\"{sa:.1}\" y=\"16\" width=\"{:.1}\" height=\"22\" fill=\"{}\" \
                 stroke=\"#fff\" stroke-width=\"0.6\"><title>{}</title></rect>",
                (sb - sa).max(0.5),
                palette.color(m),
                esc(m)
            );
        }
        let _ = write!(
            s,
            "<rect x=\"{a:.1}\" y=\"16\" width=\"{:.1}\" height=\"22\" fill=\"none\" \
             stroke=\"#222\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"12\" font-size=\"11\" \
             text-anchor=\"middle\">{}</text>",
            (b - a).max(0.5),
            (a + b) / 2.0,
            st.order
        );
    }
    let first = lo.ceil() as i64;
    for t in first..=hi.floor() as i64 {
        let _ = write!(
            s,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"40\" y2=\"45\" stroke=\"#555\"/>\
             <text x=\"{0:.1}\" y=\"57\" font-size=\"10\" text-anchor=\"middle\">{t}</text>",
            x(t as f64)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file() -> Value {
        json!({"steps": [
            {"order": 2, "models": ["xs", "s"], "from": {"lambda": -4.0}, "to": {"lambda": 0.0}},
            {"order": 1, "models": ["s"], "from": {"lambda": 0.0}, "to": {"lambda": 4.0}}]})
    }

    #[test]
    fn reads_the_steps_of_a_portable_schedule() {
        let steps = steps_of(&file()).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].models, ["xs", "s"]);
        assert_eq!((steps[1].order, steps[1].from, steps[1].to), (1, 0.0, 4.0));
        assert!(steps_of(&json!({"steps": [{"order": 1}]})).is_none());
        assert_eq!(range(&steps), Some((-4.0, 4.0)));
    }

    #[test]
    fn a_strip_has_one_segment_per_evaluation_coloured_by_model() {
        let steps = steps_of(&file()).unwrap();
        let p = Palette::new(vec!["xs".into(), "s".into()]);
        let svg = strip(&steps, (-4.0, 4.0), &p, "b0 <searched>");
        assert_eq!(svg.matches("<title>").count(), 3);
        assert_eq!(svg.matches(p.color("s")).count(), 2);
        assert_eq!(svg.matches(p.color("xs")).count(), 1);
        // The first step spans x = 30..450; its second evaluation starts halfway, at 240.
        assert!(svg.contains("<rect x=\"240.0\""), "{svg}");
        assert!(svg.contains("aria-label=\"b0 &lt;searched&gt;\""));
        assert_eq!(p.color("other"), "#999999");
    }
}
