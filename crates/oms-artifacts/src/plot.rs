//! Quality-latency plots (Pareto fronts against baselines) as PNG and SVG, written atomically.
//! Text uses the committed DejaVu Sans (assets/fonts), so plots look the same on every machine.

use std::path::Path;

use plotters::prelude::*;

use crate::{ArtifactError, write_atomic};

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// One named set of points; drawn as a line through them when `line` is set.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// `(x, y)` points.
    pub points: Vec<(f64, f64)>,
    /// Join the points (sorted by x) with a line.
    pub line: bool,
}

/// Axis titles and the caption.
#[derive(Debug, Clone)]
pub struct PlotText<'a> {
    /// Caption above the plot.
    pub title: &'a str,
    /// X axis (drawn on a log scale).
    pub x: &'a str,
    /// Y axis.
    pub y: &'a str,
}

/// Registers the committed DejaVu Sans as plotters' "sans-serif" font (this build of plotters
/// reads no system fonts); idempotent. Plots of other libraries drawn in this process, such as
/// criterion's HTML reports, need it too.
pub fn register_plot_font() {
    let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
}

/// Writes the scatter/line plot of `series` (log x axis) to `png` and `svg`.
pub fn write_plot(
    series: &[Series],
    text: &PlotText,
    png: &Path,
    svg: &Path,
) -> Result<(), ArtifactError> {
    let svg_text = plot_svg(series, text).map_err(|e| plot_err(svg, e))?;
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    draw(BitMapBackend::with_buffer(&mut rgb, (w, h)), series, text)
        .map_err(|e| plot_err(png, e))?;
    let img = image::RgbImage::from_raw(w, h, rgb).expect("buffer size matches");
    let mut bytes = std::io::Cursor::new(vec![]);
    img.write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| plot_err(png, e.to_string()))?;
    write_atomic(png, bytes.get_ref())?;
    write_atomic(svg, svg_text.as_bytes())
}

/// Pixel size of every plot.
const SIZE: (u32, u32) = (960, 640);

/// The same plot as [`write_plot`]'s SVG, as text (for inlining into HTML); errs when there is
/// nothing to plot.
pub fn plot_svg(series: &[Series], text: &PlotText) -> Result<String, String> {
    register_plot_font();
    let mut svg = String::new();
    draw(SVGBackend::with_string(&mut svg, SIZE), series, text)?;
    Ok(svg)
}

fn plot_err(path: &Path, e: impl std::fmt::Display) -> ArtifactError {
    ArtifactError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(format!("plot: {e}")),
    }
}

const COLORS: [RGBColor; 10] = [
    RGBColor(214, 39, 40),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn draw<DB: DrawingBackend>(backend: DB, series: &[Series], text: &PlotText) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.clone()).collect();
    if all.is_empty() {
        return Err("nothing to plot".into());
    }
    let fold = |f: fn(f64, f64) -> f64, init, pick: fn(&(f64, f64)) -> f64| {
        all.iter().map(pick).fold(init, f)
    };
    let (x0, x1) = (
        fold(f64::min, f64::INFINITY, |p| p.0),
        fold(f64::max, 0.0, |p| p.0),
    );
    let (y0, y1) = (
        fold(f64::min, f64::INFINITY, |p| p.1),
        fold(f64::max, f64::NEG_INFINITY, |p| p.1),
    );
    let (ypad, xpad) = ((y1 - y0).max(1e-9) * 0.08, 1.25);
    let mut chart = ChartBuilder::on(&root)
        .caption(text.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(
            ((x0 / xpad)..(x1 * xpad)).log_scale(),
            (y0 - ypad)..(y1 + ypad),
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(text.x)
        .y_desc(text.y)
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, s) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let mut pts = s.points.clone();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if s.line {
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(|e| e.to_string())?
            .label(s.name.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, color.filled()));
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_png_and_an_svg_with_the_legend() {
        let dir = tempfile::tempdir().unwrap();
        let series = vec![
            Series {
                name: "searched".into(),
                points: vec![(100.0, 50.0), (300.0, 30.0), (1000.0, 20.0)],
                line: true,
            },
            Series {
                name: "single model".into(),
                points: vec![(200.0, 60.0), (2000.0, 25.0)],
                line: false,
            },
        ];
        let text = PlotText {
            title: "FD against latency",
            x: "latency (ms)",
            y: "FD",
        };
        let (png, svg) = (dir.path().join("p.png"), dir.path().join("p.svg"));
        write_plot(&series, &text, &png, &svg).unwrap();
        let img = image::open(&png).unwrap();
        assert_eq!((img.width(), img.height()), (960, 640));
        let s = std::fs::read_to_string(&svg).unwrap();
        assert!(s.contains("single model") && s.contains("latency (ms)"));
        let empty: Vec<Series> = vec![];
        assert!(write_plot(&empty, &text, &png, &svg).is_err());
    }
}
