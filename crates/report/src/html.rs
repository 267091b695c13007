//! The bulletin as a printable web page: an `<article>` for the app's pages (styled by [`CSS`],
//! which the app serves as its own file so the page's CSP needs no inline styles) and a
//! standalone document with the same CSS inlined, for download and archive. Print CSS sets A4
//! with the 公文 margins and hides everything but the article; the chart is inline SVG whose
//! Chinese labels are text the browser sets in its own fonts.

use crate::text::{self, BarChart, Block, Table};
use crate::{Snapshot, fmt_pct};

/// Styles of the bulletin, on screen and in print.
pub const CSS: &str = r#"
article.bulletin { max-width: 210mm; margin: 0 auto; padding: 12mm 16mm; background: #fff; color: #000;
  font-family: "仿宋_GB2312", "仿宋", FangSong, STFangsong, "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 29pt; }
article.bulletin .issuer { text-align: center; color: #c00000; font-family: "方正小标宋简体", "小标宋", "宋体", SimSun, "Noto Serif CJK SC", serif; font-size: 22pt; line-height: 40pt; }
article.bulletin .docno { text-align: center; border-bottom: 2px solid #c00000; padding-bottom: 4mm; margin-bottom: 10mm; }
article.bulletin h1 { text-align: center; font-family: "方正小标宋简体", "小标宋", "宋体", SimSun, "Noto Serif CJK SC", serif; font-weight: normal; font-size: 22pt; line-height: 35pt; margin: 0 0 29pt; }
article.bulletin h2 { font-family: "黑体", SimHei, "Noto Sans CJK SC", sans-serif; font-weight: normal; font-size: 16pt; margin: 0; text-indent: 2em; }
article.bulletin h3 { font-family: "楷体_GB2312", "楷体", KaiTi, STKaiti, serif; font-weight: normal; font-size: 16pt; margin: 0; text-indent: 2em; }
article.bulletin p { margin: 0; text-indent: 2em; text-align: justify; }
article.bulletin p.recipients { text-indent: 0; }
article.bulletin .caption { text-align: center; font-family: "黑体", SimHei, sans-serif; font-size: 14pt; margin-top: 6pt; }
article.bulletin table { width: 100%; border-collapse: collapse; font-size: 11pt; line-height: 1.4; margin: 4pt 0 10pt; page-break-inside: auto; }
article.bulletin th, article.bulletin td { border: 1px solid #444; padding: 2pt 4pt; vertical-align: top; }
article.bulletin th { background: #e7ecf2; font-family: "黑体", SimHei, sans-serif; font-weight: normal; }
article.bulletin tr { page-break-inside: avoid; }
article.bulletin td.num { text-align: right; white-space: nowrap; }
article.bulletin .st-green { color: #1a7f37; } article.bulletin .st-yellow { color: #b7791f; }
article.bulletin .st-red { color: #b7191d; } article.bulletin .st-grey { color: #8a939e; }
article.bulletin .total { font-size: 12pt; text-indent: 0; }
article.bulletin svg.chart { width: 100%; height: auto; }
article.bulletin .signature { text-align: right; margin-top: 29pt; padding-right: 2em; text-indent: 0; }
article.bulletin .date { text-align: right; padding-right: 2em; text-indent: 0; }
article.bulletin .colophon { margin-top: 29pt; border-top: 1.5px solid #000; border-bottom: 1.5px solid #000; font-size: 14pt; }
article.bulletin .colophon p { text-indent: 0; padding: 0 1em; }
article.bulletin .colophon p + p { border-top: 1px solid #000; display: flex; justify-content: space-between; }
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@media print {
  body > header, nav, .no-print, form { display: none !important; }
  body, main { margin: 0; padding: 0; background: #fff; }
  article.bulletin { max-width: none; padding: 0; margin: 0; }
}
"#;

/// Escapes text for HTML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn table(t: &Table) -> String {
    let mut h = format!(
        "<div class=\"caption\">{}</div><table><thead><tr>",
        esc(&t.caption)
    );
    for col in &t.header {
        h.push_str(&format!("<th>{}</th>", esc(col)));
    }
    h.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        h.push_str("<tr>");
        for c in row {
            let mut class = Vec::new();
            if c.numeric {
                class.push("num".to_string());
            }
            if let Some(s) = c.status {
                class.push(format!("st-{}", s.as_str()));
            }
            if class.is_empty() {
                h.push_str(&format!("<td>{}</td>", esc(&c.text)));
            } else {
                h.push_str(&format!(
                    "<td class=\"{}\">{}</td>",
                    class.join(" "),
                    esc(&c.text)
                ));
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    if let Some(total) = &t.total {
        h.push_str(&format!("<p class=\"total\">{}</p>", esc(total)));
    }
    h
}

/// Horizontal bars with the 序时进度 marked, as SVG.
pub fn chart_svg(c: &BarChart) -> String {
    let (label_w, bar_w, value_w, row_h) = (260.0, 380.0, 70.0, 22.0);
    let width = label_w + bar_w + value_w;
    let height = row_h * c.bars.len() as f64 + 24.0;
    let x = |v: f64| label_w + v.clamp(0.0, c.max) / c.max * bar_w;
    let mut s = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\" font-family=\"SimHei, 'Noto Sans CJK SC', sans-serif\" font-size=\"12\">",
        esc(&c.caption)
    );
    for (i, b) in c.bars.iter().enumerate() {
        let y = i as f64 * row_h;
        let label: String = b.label.chars().take(18).collect();
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 15.0,
            esc(&label)
        ));
        s.push_str(&format!(
            "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#{}\"/>",
            y + 4.0,
            x(b.value) - label_w,
            row_h - 8.0,
            b.status.colour()
        ));
        s.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\" stroke=\"#222\" stroke-width=\"2\"/>",
            x(b.marker),
            y + 1.0,
            y + row_h - 1.0
        ));
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w + bar_w + 6.0,
            y + 15.0,
            fmt_pct(Some(b.value))
        ));
    }
    // Scale: 0, 50%, 100%.
    let axis_y = row_h * c.bars.len() as f64 + 4.0;
    for v in [0.0, 0.5, 1.0] {
        s.push_str(&format!(
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"{axis_y:.1}\" stroke=\"#bbb\" stroke-dasharray=\"2,3\"/><text x=\"{0:.1}\" y=\"{1:.1}\" text-anchor=\"middle\">{2:.0}%</text>",
            x(v),
            axis_y + 14.0,
            v * 100.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// The bulletin as an `<article>`.
pub fn fragment(s: &Snapshot) -> String {
    let mut h = format!(
        "<article class=\"bulletin\"><div class=\"issuer\">{}</div>",
        esc(&s.issuer)
    );
    for block in text::blocks(s) {
        match block {
            Block::DocNumber(n) => h.push_str(&format!("<div class=\"docno\">{}</div>", esc(&n))),
            Block::Title(t) => h.push_str(&format!("<h1>{}</h1>", esc(&t))),
            Block::Recipients(r) => h.push_str(&format!("<p class=\"recipients\">{}</p>", esc(&r))),
            Block::H1(t) => h.push_str(&format!("<h2>{}</h2>", esc(&t))),
            Block::H2(t) => h.push_str(&format!("<h3>{}</h3>", esc(&t))),
            Block::Para(p) => h.push_str(&format!("<p>{}</p>", esc(&p))),
            Block::Table(t) => h.push_str(&table(&t)),
            Block::Chart(c) => {
                h.push_str(&format!("<div class=\"caption\">{}</div>", esc(&c.caption)));
                h.push_str(&chart_svg(&c));
            }
            Block::Signature { issuer, date } => h.push_str(&format!(
                "<p class=\"signature\">{}</p><p class=\"date\">{}</p>",
                esc(&issuer),
                esc(&date)
            )),
        }
    }
    let (cc, printed) = text::colophon(s);
    let (issuer, date) = printed.rsplit_once("  ").unwrap_or((printed.as_str(), ""));
    h.push_str(&format!(
        "<div class=\"colophon\"><p>{}</p><p><span>{}</span><span>{}</span></p></div></article>",
        esc(&cc),
        esc(issuer),
        esc(date)
    ));
    h
}

/// A standalone, printable HTML document.
pub fn document(s: &Snapshot) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{}\n</body>\n</html>\n",
        esc(&text::title(s)),
        fragment(s)
    )
}
