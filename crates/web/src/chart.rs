//! Small SVG charts drawn on the server: no script, no CDN, readable in print.

use std::fmt::Write;

/// A line chart of one indicator: the reported series and the path it should follow
/// (the target times 序时进度, or a flat target for rates).
pub struct TrendChart<'a> {
    pub title: &'a str,
    pub unit: &'a str,
    /// Reported figures by month (index 0 = January); `None` where not reported.
    pub actual: &'a [Option<f64>],
    /// Where the figure should be at the end of each month.
    pub expected: &'a [f64; 12],
}

const W: f64 = 600.0;
const H: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 30.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl TrendChart<'_> {
    pub fn render(&self) -> String {
        let values = self
            .actual
            .iter()
            .flatten()
            .copied()
            .chain(self.expected.iter().copied());
        let (mut lo, mut hi) =
            values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if (hi - lo).abs() < f64::EPSILON {
            hi = lo + 1.0;
        }
        let pad = (hi - lo) * 0.08;
        hi += pad;
        if lo < 0.0 {
            lo -= pad;
        }
        let x = |m: usize| LEFT + (W - LEFT - RIGHT) * (m as f64 + 0.5) / 12.0;
        let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" font-family="sans-serif" font-size="11">"#,
            esc(self.title)
        );
        let _ = write!(
            s,
            r##"<text x="{LEFT}" y="16" font-size="13" fill="#1f2328">{} ({})</text>"##,
            esc(self.title),
            esc(self.unit)
        );
        for i in 0..=4 {
            let v = lo + (hi - lo) * f64::from(i) / 4.0;
            let yy = y(v);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{}" y="{:.1}" text-anchor="end" fill="#5b6470">{}</text>"##,
                W - RIGHT,
                LEFT - 6.0,
                yy + 4.0,
                trim_number(v)
            );
        }
        for m in 0..12 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#5b6470">{}月</text>"##,
                x(m),
                H - 10.0,
                m + 1
            );
        }
        let expected: Vec<String> = self
            .expected
            .iter()
            .enumerate()
            .map(|(m, v)| format!("{:.1},{:.1}", x(m), y(*v)))
            .collect();
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#8a939e" stroke-dasharray="5 4" stroke-width="1.5"/>"##,
            expected.join(" ")
        );
        let pts: Vec<(f64, f64)> = self
            .actual
            .iter()
            .enumerate()
            .filter_map(|(m, v)| v.map(|v| (x(m), y(v))))
            .collect();
        if pts.len() > 1 {
            let line: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(
                s,
                r##"<polyline points="{}" fill="none" stroke="#b7191d" stroke-width="2.5"/>"##,
                line.join(" ")
            );
        }
        for (a, b) in &pts {
            let _ = write!(
                s,
                r##"<circle cx="{a:.1}" cy="{b:.1}" r="3.5" fill="#b7191d"/>"##
            );
        }
        let _ = write!(
            s,
            r##"<g transform="translate({},{})"><line x1="0" x2="18" y1="0" y2="0" stroke="#b7191d" stroke-width="2.5"/><text x="22" y="4">实际</text><line x1="60" x2="78" y1="0" y2="0" stroke="#8a939e" stroke-dasharray="5 4"/><text x="82" y="4">序时目标</text></g>"##,
            W - 180.0,
            12.0
        );
        s.push_str("</svg>");
        s
    }
}

/// A compact sparkline for tables.
pub fn sparkline(values: &[Option<f64>], colour: &str) -> String {
    let pts: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    if pts.len() < 2 {
        return String::new();
    }
    let (lo, hi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| {
        (lo.min(*v), hi.max(*v))
    });
    let span = if (hi - lo).abs() < f64::EPSILON {
        1.0
    } else {
        hi - lo
    };
    let line: Vec<String> = pts
        .iter()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                2.0 + 96.0 * (*i as f64) / 11.0,
                22.0 - 20.0 * (v - lo) / span
            )
        })
        .collect();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 24" width="100" height="24" aria-hidden="true"><polyline points="{}" fill="none" stroke="{}" stroke-width="1.6"/></svg>"#,
        line.join(" "),
        esc(colour)
    )
}

/// A funnel drawn as horizontal bars: each step's count, its bar as long as its share of the
/// largest, and the conversion from the step before (already formatted, "" for none).
pub struct FunnelChart<'a> {
    pub title: &'a str,
    /// (label, count, conversion from the step before).
    pub steps: &'a [(&'a str, usize, String)],
}

impl FunnelChart<'_> {
    pub fn render(&self) -> String {
        const ROW: f64 = 34.0;
        const LABEL: f64 = 64.0;
        const BAR: f64 = 400.0;
        let h = TOP + ROW * self.steps.len() as f64 + 8.0;
        let max = self.steps.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="funnel" viewBox="0 0 {W} {h}" width="{W}" height="{h}" role="img" aria-label="{}" font-family="sans-serif" font-size="12">"#,
            esc(self.title)
        );
        let _ = write!(
            s,
            r##"<text x="8" y="16" font-size="13" fill="#1f2328">{}</text>"##,
            esc(self.title)
        );
        for (n, (label, count, rate)) in self.steps.iter().enumerate() {
            let y = TOP + ROW * n as f64;
            let width = (BAR * *count as f64 / max).max(2.0);
            let x = LABEL + (BAR - width) / 2.0;
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#1f2328">{}</text><rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{:.1}" fill="#b7191d" fill-opacity="{:.2}"><title>{} {count}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#1f2328" font-weight="bold">{count}</text><text x="{:.1}" y="{:.1}" fill="#5b6470">{}</text>"##,
                LABEL - 8.0,
                y + 17.0,
                esc(label),
                ROW - 8.0,
                1.0 - 0.13 * n as f64,
                esc(label),
                LABEL + BAR / 2.0,
                y + 17.0,
                LABEL + BAR + 12.0,
                y + 17.0,
                esc(rate)
            );
        }
        s.push_str("</svg>");
        s
    }
}

/// Two series of counts by month side by side (企业培育库: entries and exits), bars with their
/// numbers, a legend naming both.
pub struct MonthBars<'a> {
    pub title: &'a str,
    /// (legend, colour, twelve counts, January first).
    pub series: [(&'a str, &'a str, &'a [i64]); 2],
}

impl MonthBars<'_> {
    pub fn render(&self) -> String {
        let hi = self
            .series
            .iter()
            .flat_map(|(_, _, v)| v.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let band = (W - LEFT - RIGHT) / 12.0;
        let bar = band * 0.36;
        let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / (hi * 1.1));
        let mut s = String::new();
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" font-family="sans-serif" font-size="11"><text x="{LEFT}" y="16" font-size="13" fill="#1f2328">{}</text>"##,
            esc(self.title),
            esc(self.title)
        );
        let base = y(0.0);
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{base:.1}" y2="{base:.1}" stroke="#8a939e"/>"##,
            W - RIGHT
        );
        for m in 0..12 {
            let x0 = LEFT + band * m as f64 + band * 0.14;
            for (k, (_, colour, values)) in self.series.iter().enumerate() {
                let v = values.get(m).copied().unwrap_or(0);
                let x = x0 + bar * k as f64;
                let top = y(v as f64);
                let _ = write!(
                    s,
                    r##"<rect x="{x:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}" fill="{}"/>"##,
                    base - top,
                    esc(colour)
                );
                if v > 0 {
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#1f2328" font-size="10">{v}</text>"##,
                        x + bar / 2.0,
                        top - 3.0
                    );
                }
            }
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#5b6470">{}月</text>"##,
                LEFT + band * (m as f64 + 0.5),
                H - 10.0,
                m + 1
            );
        }
        let mut lx = W - 180.0;
        for (legend, colour, _) in &self.series {
            let _ = write!(
                s,
                r##"<rect x="{lx:.1}" y="6" width="12" height="10" fill="{}"/><text x="{:.1}" y="15">{}</text>"##,
                esc(colour),
                lx + 16.0,
                esc(legend)
            );
            lx += 80.0;
        }
        s.push_str("</svg>");
        s
    }
}

fn trim_number(v: f64) -> String {
    let s = if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_plot_every_reported_month() {
        let expected: [f64; 12] = std::array::from_fn(|m| 30.0 * (m as f64 + 1.0) / 12.0);
        let actual = [Some(2.0), Some(4.0), None, Some(9.0)];
        let svg = TrendChart {
            title: "新增<规上>企业",
            unit: "家",
            actual: &actual,
            expected: &expected,
        }
        .render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("新增&lt;规上&gt;企业"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(sparkline(&actual, "#1a7f37").contains("polyline"));
        assert!(sparkline(&[Some(1.0)], "red").is_empty());
    }

    #[test]
    fn the_funnel_draws_a_bar_per_step_with_its_count_and_conversion() {
        let steps = [
            ("线索", 12, String::new()),
            ("签约<", 6, "50%".to_string()),
            ("注册", 0, "0%".to_string()),
        ];
        let svg = FunnelChart {
            title: "漏斗",
            steps: &steps,
        }
        .render();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">12</text>") && svg.contains(">50%</text>"));
        assert!(svg.contains("签约&lt;"));
        assert!(
            svg.contains(r#"width="400.0""#),
            "the largest step fills the bar"
        );
    }

    #[test]
    fn month_bars_draw_both_series_every_month_and_label_counts() {
        let entered = [3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2];
        let exited = [0; 12];
        let svg = MonthBars {
            title: "入库<出库>",
            series: [("入库", "#1f6feb", &entered), ("出库", "#b7191d", &exited)],
        }
        .render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("入库&lt;出库&gt;"));
        assert_eq!(svg.matches("<rect").count(), 24 + 2);
        assert!(svg.contains(">3</text>") && svg.contains("12月"));
    }
}
