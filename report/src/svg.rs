//! Charts as inline SVG, drawn here (no script, no font, no image):
//! vertical bars and lines over the weeks of a period, and horizontal bars
//! per service. Each chart is an `<svg role="img">` with a `<title>` and a
//! `<desc>` listing its values, so a screen reader reads the numbers; each
//! bar and point carries its own `<title>` as a tooltip. Coordinates are
//! written with one decimal, so the bytes never depend on more.

use std::fmt::Write as _;

use crate::text::{html, number};

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 250.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 44.0;

/// A chart over categories (the weeks of a period): one value, or none,
/// per category.
pub(crate) struct Chart<'a> {
    /// Unique in the page: the ids of the title and description.
    pub(crate) id: &'a str,
    /// The visible and accessible title.
    pub(crate) title: &'a str,
    /// What the y axis measures (`hours`, `%`).
    pub(crate) unit: &'a str,
    /// One label per category (x axis).
    pub(crate) labels: Vec<String>,
    /// One value per category; `None` where there is none.
    pub(crate) values: Vec<Option<f64>>,
    /// How a value is written in labels and tooltips.
    pub(crate) format: fn(f64) -> String,
    /// The colour of the bars or the line.
    pub(crate) colour: &'a str,
}

/// A number as an SVG coordinate.
fn c(v: f64) -> String {
    number(v, 1)
}

/// A chart's `<svg>` element opened, `height` high: its accessible title
/// and description (ids from `id`), and the title shown at `title_x`.
fn frame(out: &mut String, id: &str, height: f64, title: &str, desc: &str, title_x: f64) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>\
         <text class=\"chart-title\" x=\"{x}\" y=\"20\">{title}</text>",
        w = c(WIDTH),
        h = c(height),
        id = html(id),
        title = html(title),
        desc = html(desc),
        x = c(title_x),
    );
}

/// The smallest "nice" number (1, 2, 2.5, 5 × 10ⁿ) at least `v`; 1 for
/// nothing above zero.
fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * magnitude >= v * (1.0 - 1e-9) {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

impl Chart<'_> {
    fn max(&self) -> f64 {
        nice_ceiling(self.values.iter().flatten().copied().fold(0.0, f64::max))
    }

    fn plot_width(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }

    fn plot_height(&self) -> f64 {
        HEIGHT - TOP - BOTTOM
    }

    fn y(&self, v: f64, max: f64) -> f64 {
        TOP + self.plot_height() * (1.0 - (v / max).clamp(0.0, 1.0))
    }

    /// The middle of category `i` on the x axis.
    fn x(&self, i: usize) -> f64 {
        let band = self.plot_width() / self.values.len().max(1) as f64;
        LEFT + band * (i as f64 + 0.5)
    }

    fn band(&self) -> f64 {
        self.plot_width() / self.values.len().max(1) as f64
    }

    /// Every value, for the `<desc>`.
    fn described(&self) -> String {
        let parts: Vec<String> = self
            .labels
            .iter()
            .zip(&self.values)
            .map(|(l, v)| match v {
                Some(v) => format!("{l}: {}", (self.format)(*v)),
                None => format!("{l}: no data"),
            })
            .collect();
        if parts.is_empty() {
            "No data.".to_string()
        } else {
            format!("{}: {}.", self.title, parts.join("; "))
        }
    }

    /// The frame: `<svg>`, title, description, grid, axes and labels.
    fn open(&self, out: &mut String, max: f64) {
        frame(out, self.id, HEIGHT, self.title, &self.described(), LEFT);
        // Grid lines and y labels at 0, ¼, ½, ¾ and the top.
        for k in 0..=4 {
            let v = max * f64::from(k) / 4.0;
            let y = self.y(v, max);
            let _ = write!(
                out,
                "<line class=\"grid\" x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\"/>\
                 <text class=\"tick\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>",
                l = c(LEFT),
                r = c(WIDTH - RIGHT),
                y = c(y),
                tx = c(LEFT - 6.0),
                ty = c(y + 4.0),
                label = html(&number(v, 2)),
            );
        }
        let _ = write!(
            out,
            "<text class=\"unit\" x=\"12\" y=\"{y}\" transform=\"rotate(-90 12 {y})\" \
             text-anchor=\"middle\">{unit}</text>",
            y = c(TOP + self.plot_height() / 2.0),
            unit = html(self.unit),
        );
        // X labels: every one up to 12 categories, then every k-th.
        let n = self.labels.len();
        let every = n.div_ceil(12).max(1);
        for (i, label) in self.labels.iter().enumerate() {
            if i % every != 0 {
                continue;
            }
            let _ = write!(
                out,
                "<text class=\"tick\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{label}</text>",
                x = c(self.x(i)),
                y = c(HEIGHT - BOTTOM + 16.0),
                label = html(label),
            );
        }
        let _ = write!(
            out,
            "<text class=\"unit\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">week starting</text>\
             <line class=\"axis\" x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\"/>\
             <line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\"/>",
            x = c(LEFT + self.plot_width() / 2.0),
            y = c(HEIGHT - 6.0),
            l = c(LEFT),
            r = c(WIDTH - RIGHT),
            t = c(TOP),
            b = c(TOP + self.plot_height()),
        );
    }

    /// Each category's mark, written by `mark` (given the category, the
    /// value's y and the mark's `<title>`), or a no-data marker where it
    /// has no value; with up to 16 categories, the value written `lift`
    /// above its mark. Closes the `<svg>`.
    fn marks(
        &self,
        out: &mut String,
        max: f64,
        lift: f64,
        mark: impl Fn(&mut String, usize, f64, &str),
    ) {
        let labelled = self.values.len() <= 16;
        for (i, (label, v)) in self.labels.iter().zip(&self.values).enumerate() {
            let Some(v) = v else {
                self.no_data(out, i, label);
                continue;
            };
            let y = self.y(*v, max);
            let text = (self.format)(*v);
            let title = format!("<title>{}: {}</title>", html(label), html(&text));
            mark(out, i, y, &title);
            if labelled {
                let _ = write!(
                    out,
                    "<text class=\"value\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">{text}</text>",
                    x = c(self.x(i)),
                    y = c(y - lift),
                    text = html(&text),
                );
            }
        }
        out.push_str("</svg>");
    }

    /// A marker for a category without a value.
    fn no_data(&self, out: &mut String, i: usize, label: &str) {
        let _ = write!(
            out,
            "<text class=\"none\" x=\"{x}\" y=\"{y}\" text-anchor=\"middle\">–<title>{label}: no data</title></text>",
            x = c(self.x(i)),
            y = c(TOP + self.plot_height() - 4.0),
            label = html(label),
        );
    }
}

/// A vertical bar chart.
pub(crate) fn bars(chart: &Chart<'_>) -> String {
    let mut out = String::new();
    let max = chart.max();
    chart.open(&mut out, max);
    let width = (chart.band() * 0.6).max(1.0);
    chart.marks(&mut out, max, 4.0, |out, i, y, title| {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\">{title}</rect>",
            x = c(chart.x(i) - width / 2.0),
            y = c(y),
            w = c(width),
            h = c(TOP + chart.plot_height() - y),
            fill = html(chart.colour),
        );
    });
    out
}

/// A line chart; the line breaks where a category has no value.
pub(crate) fn line(chart: &Chart<'_>) -> String {
    let mut out = String::new();
    let max = chart.max();
    chart.open(&mut out, max);
    let mut segment: Vec<String> = Vec::new();
    let mut segments: Vec<Vec<String>> = Vec::new();
    for (i, v) in chart.values.iter().enumerate() {
        match v {
            Some(v) => segment.push(format!("{},{}", c(chart.x(i)), c(chart.y(*v, max)))),
            None => segments.push(std::mem::take(&mut segment)),
        }
    }
    segments.push(segment);
    for s in segments.iter().filter(|s| s.len() > 1) {
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" points=\"{points}\"/>",
            colour = html(chart.colour),
            points = s.join(" "),
        );
    }
    chart.marks(&mut out, max, 9.0, |out, i, y, title| {
        let _ = write!(
            out,
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" fill=\"{colour}\">{title}</circle>",
            x = c(chart.x(i)),
            y = c(y),
            colour = html(chart.colour),
        );
    });
    out
}

/// One bar of a horizontal bar chart.
pub(crate) struct Bar {
    /// The label on the left (a service).
    pub(crate) label: String,
    /// The value, a rate from 0 to 1.
    pub(crate) rate: f64,
    /// The text at the bar's end.
    pub(crate) note: String,
    /// Drawn in the warning colour.
    pub(crate) highlight: bool,
}

/// A horizontal bar chart of rates (0–100 %), one bar per row.
pub(crate) fn rate_bars(id: &str, title: &str, bars: &[Bar]) -> String {
    const LABEL: f64 = 150.0;
    const ROW: f64 = 26.0;
    const NOTE: f64 = 170.0;
    let plot = WIDTH - LABEL - NOTE;
    let height = TOP + ROW * bars.len().max(1) as f64 + 28.0;
    let max = nice_ceiling(bars.iter().map(|b| b.rate).fold(0.0, f64::max)).min(1.0);
    let max = if max <= 0.0 { 1.0 } else { max };
    let desc: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.note))
        .collect();
    let desc = if desc.is_empty() {
        "No data.".to_string()
    } else {
        format!("{title}: {}.", desc.join("; "))
    };
    let mut out = String::new();
    frame(&mut out, id, height, title, &desc, 8.0);
    let bottom = TOP + ROW * bars.len().max(1) as f64;
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let x = LABEL + plot * v / max;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{t}\" x2=\"{x}\" y2=\"{b}\"/>\
             <text class=\"tick\" x=\"{x}\" y=\"{ty}\" text-anchor=\"middle\">{label}</text>",
            x = c(x),
            t = c(TOP),
            b = c(bottom),
            ty = c(bottom + 16.0),
            label = html(&format!("{}%", number(v * 100.0, 1))),
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let w = (plot * (b.rate / max).clamp(0.0, 1.0)).max(if b.rate > 0.0 { 2.0 } else { 0.0 });
        let fill = if b.highlight { "#c0392b" } else { "#4a6fa5" };
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\">\
             <title>{label}: {note}</title></rect>\
             <text class=\"value\" x=\"{nx}\" y=\"{ty}\">{note}</text>",
            lx = c(LABEL - 8.0),
            ty = c(top + ROW / 2.0 + 4.0),
            label = html(&b.label),
            x = c(LABEL),
            y = c(top + 4.0),
            w = c(w),
            h = c(ROW - 8.0),
            note = html(&b.note),
            nx = c(LABEL + w + 6.0),
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\"/></svg>",
        l = c(LABEL),
        t = c(TOP),
        b = c(bottom),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.0), 5.0);
        assert_eq!(nice_ceiling(0.33), 0.5);
        assert_eq!(nice_ceiling(20.0), 20.0);
        assert_eq!(nice_ceiling(21.0), 25.0);
        assert_eq!(nice_ceiling(99.0), 100.0);
    }

    #[test]
    fn charts_escape_and_describe() {
        let chart = Chart {
            id: "x",
            title: "A <b> chart",
            unit: "%",
            labels: vec!["11-02".into(), "<i>".into()],
            values: vec![Some(2.0), None],
            format: |v| number(v, 1),
            colour: "#000",
        };
        for svg in [bars(&chart), line(&chart)] {
            assert!(svg.contains("<title id=\"x-title\">A &lt;b&gt; chart</title>"));
            assert!(svg.contains("11-02: 2; &lt;i&gt;: no data"));
            assert!(!svg.contains("<i>"));
        }
    }
}
