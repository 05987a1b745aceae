//! HTML building blocks of the report: escaping, tables, inlined images, the page frame with its
//! style and its load check.

use std::fmt::Write as _;

use base64::Engine as _;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table: header cells and rows of already-escaped HTML cells.
pub fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(t, "<th>{}</th>", esc(h));
    }
    t.push_str("</tr></thead><tbody>");
    for r in rows {
        t.push_str("<tr>");
        for c in r {
            let _ = write!(t, "<td>{c}</td>");
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table>");
    t
}

/// A PNG as an `<img>` whose source is the file's bytes (a `data:` URL: the page needs no other
/// file).
pub fn png_img(bytes: &[u8], alt: &str) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "<img alt=\"{}\" src=\"data:image/png;base64,{data}\">",
        esc(alt)
    )
}

/// An SVG document as inline markup: its XML declaration dropped, sized by the page's style.
pub fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    format!("<div class=\"plot\">{}</div>", &svg[start..])
}

/// Decimals that show about three significant digits of numbers up to `scale` in size (at least
/// one decimal, at most six).
pub fn decimals(scale: f64) -> usize {
    if !scale.is_finite() || scale == 0.0 {
        return 2;
    }
    (2 - scale.abs().log10().floor() as i64).clamp(1, 6) as usize
}

/// A number with about three significant digits, or `-` when absent.
pub fn sig(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.*}", decimals(v)))
}

/// A number with `digits` decimals, or `-` when absent.
pub fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.digits$}"))
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;\
padding:0 1em;color:#222;line-height:1.45}h1,h2,h3{line-height:1.2}\
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.n{text-align:right}.plot svg{max-width:100%;height:auto}\
.grids{display:flex;flex-wrap:wrap;gap:1.2em}.grids figure{margin:0}\
.grids img{width:224px;image-rendering:pixelated;border:1px solid #ccc}\
figcaption{font-size:.85em;max-width:224px}.better{color:#1a7f37;font-weight:600}\
.worse{color:#b42318;font-weight:600}.tie{color:#666}.note{color:#555;font-size:.9em}\
.timeline svg{display:block;margin:.3em 0}code{background:#f5f5f5;padding:0 .2em}";

/// Sets `data-check` on `<body>` once the page has loaded (`images=N broken=M svgs=K`) and logs a
/// console error per image that did not decode: what `scripts/report-browser-check.sh` reads.
const CHECK: &str = "window.addEventListener('load',()=>{const i=[...document.images];\
const b=i.filter(x=>!(x.complete&&x.naturalWidth>0));\
b.forEach(x=>console.error('image did not load: '+x.alt));\
document.body.dataset.check=`images=${i.length} broken=${b.length} \
svgs=${document.querySelectorAll('svg').length}`;});";

/// The whole page around `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\n<script>{CHECK}</script>\n\
         </body></html>\n",
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn inlines_pngs_as_data_urls_and_svgs_without_their_prolog() {
        let img = png_img(&[0x89, b'P', b'N', b'G'], "a \"grid\"");
        assert_eq!(
            img,
            "<img alt=\"a &quot;grid&quot;\" src=\"data:image/png;base64,iVBORw==\">"
        );
        let svg = inline_svg("<?xml version=\"1.0\"?>\n<svg width=\"2\"></svg>");
        assert_eq!(svg, "<div class=\"plot\"><svg width=\"2\"></svg></div>");
    }

    #[test]
    fn significant_digits_follow_the_magnitude() {
        assert_eq!(sig(Some(1497.15)), "1497.2");
        assert_eq!(sig(Some(-0.1721)), "-0.172");
        assert_eq!(sig(Some(0.000512)), "0.000512");
        assert_eq!(sig(Some(12.345)), "12.3");
        assert_eq!(sig(None), "-");
    }

    #[test]
    fn a_table_escapes_its_head_not_its_cells() {
        let t = table(&["a<b"], &[vec!["<b>x</b>".into()]]);
        assert!(t.contains("<th>a&lt;b</th>") && t.contains("<td><b>x</b></td>"));
    }
}
