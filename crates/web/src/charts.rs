//! Small charts drawn on the server as SVG. Each is a picture of a table
//! the page also shows, so the SVG is one labelled image: screen readers
//! read the table instead.

use std::fmt::Write;

/// One bar: its label under it and its value.
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Drawn in the warning colour (below target, above a threshold).
    pub flagged: bool,
}

/// A bar chart from 0 to `max`, with a dashed line at `line` (a target or
/// threshold) and the value over each bar with `unit`.
pub fn bar_chart(
    title: &str,
    bars: &[Bar],
    max: f64,
    line: Option<(f64, &str)>,
    unit: &str,
) -> String {
    const HEIGHT: f64 = 160.0;
    const TOP: f64 = 24.0;
    const BAR: f64 = 64.0;
    const GAP: f64 = 32.0;
    let width = 48.0 + bars.len() as f64 * (BAR + GAP);
    let y = |v: f64| TOP + HEIGHT - (v.clamp(0.0, max) / max) * HEIGHT;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="app-chart" role="img" aria-label="{}" viewBox="0 0 {width} {}" width="{width}" height="{}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">"##,
        escape(title),
        TOP + HEIGHT + 40.0,
        TOP + HEIGHT + 40.0
    );
    let _ = write!(
        svg,
        r##"<line x1="40" y1="{0}" x2="{width}" y2="{0}" stroke="#0b0c0c"/>"##,
        TOP + HEIGHT
    );
    let unit = escape(unit);
    for (i, bar) in bars.iter().enumerate() {
        let x = 48.0 + i as f64 * (BAR + GAP);
        let top = y(bar.value);
        let colour = if bar.flagged { "#ca3535" } else { "#1d70b8" };
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{top}" width="{BAR}" height="{}" fill="{colour}"/><text x="{}" y="{}" text-anchor="middle" fill="#0b0c0c">{}{unit}</text><text x="{}" y="{}" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
            TOP + HEIGHT - top,
            x + BAR / 2.0,
            top - 6.0,
            trim(bar.value),
            x + BAR / 2.0,
            TOP + HEIGHT + 18.0,
            label_lines(&bar.label, x + BAR / 2.0),
        );
    }
    if let Some((value, label)) = line {
        let _ = write!(
            svg,
            r##"<line x1="40" y1="{0}" x2="{width}" y2="{0}" stroke="#0b0c0c" stroke-dasharray="6 4"/><text x="36" y="{1}" text-anchor="end" fill="#0b0c0c">{2}</text>"##,
            y(value),
            y(value) + 4.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A label on two lines, split at its first space ("Autumn" over "2026/27").
fn label_lines(label: &str, x: f64) -> String {
    match label.split_once(' ') {
        Some((first, rest)) => format!(
            r#"<tspan x="{x}">{}</tspan><tspan x="{x}" dy="15">{}</tspan>"#,
            escape(first),
            escape(rest)
        ),
        None => escape(label),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_stand_on_the_axis_and_labels_are_escaped() {
        let bars = [
            Bar { label: "Autumn <25>".into(), value: 95.0, flagged: false },
            Bar { label: "Spring".into(), value: 87.5, flagged: true },
        ];
        let svg = bar_chart("Attendance \"by\" term", &bars, 100.0, Some((90.0, "90%")), "%");
        assert!(svg.starts_with(
            "<svg class=\"app-chart\" role=\"img\" aria-label=\"Attendance &quot;by&quot; term\""
        ));
        assert!(svg.contains(">Autumn</tspan><tspan x=\"80\" dy=\"15\">&lt;25&gt;<"));
        assert!(svg.contains(">87.5%<") && svg.contains(">95%<"));
        assert!(svg.contains("fill=\"#ca3535\""));
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.ends_with("</svg>"));
    }
}
