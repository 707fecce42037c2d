//! `openpep-bench report DIR`: the runs' JSON turned into one report
//! (`report.md`, `report.json`) and a chart (`chart.svg`), with each
//! target met or missed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::batch::BatchReport;
use crate::load::{FLOOR, LoadReport, SIGNED_IN_FLOOR};
use crate::scale::ScaleReport;
use crate::stats::RouteStats;

#[derive(clap::Args)]
pub struct Args {
    /// The folder the runs wrote their JSON to; the report goes there too.
    dir: PathBuf,
}

/// The targets the issue set.
const MIN_SHARE: f64 = 0.25;
const MAX_P99_MULTIPLE: f64 = 5.0;
const MAX_SCALE_RATIO: f64 = 1.2;
const MAX_RSS_MB: f64 = 100.0;
const MAX_SECS_PER_100: f64 = 1.0;

/// The heaviest page of a run against the floors.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub label: String,
    pub heaviest: String,
    /// Its throughput as a share of the floor's (`/healthz`).
    pub share: f64,
    /// Its p99 as a multiple of the floor's.
    pub p99_multiple: f64,
    /// The same against the signed-in floor (`/session/keep-alive`).
    pub signed_in_share: f64,
    pub signed_in_p99_multiple: f64,
    pub max_rss_mb: f64,
    pub errors: u64,
}

/// A page's time with one authority stored and with many.
#[derive(Debug, Serialize)]
pub struct ScaleRatio {
    pub label: String,
    pub route: String,
    pub one_ms: f64,
    pub many_ms: f64,
    pub many: i64,
    pub ratio: f64,
}

#[derive(Serialize)]
struct Combined<'a> {
    verdicts: &'a [Verdict],
    scale: &'a [ScaleRatio],
    loads: &'a [LoadReport],
    scales: &'a [ScaleReport],
    batches: &'a [BatchReport],
}

/// The runs found in the folder.
#[derive(Default)]
struct Runs {
    loads: Vec<LoadReport>,
    scales: Vec<ScaleReport>,
    batches: Vec<BatchReport>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let runs = read(&args.dir)?;
    let verdicts: Vec<Verdict> = runs.loads.iter().filter_map(verdict).collect();
    let ratios = scale_ratios(&runs.scales);
    let markdown = markdown(&runs, &verdicts, &ratios);
    std::fs::write(args.dir.join("report.md"), &markdown)?;
    let combined = Combined {
        verdicts: &verdicts,
        scale: &ratios,
        loads: &runs.loads,
        scales: &runs.scales,
        batches: &runs.batches,
    };
    std::fs::write(args.dir.join("report.json"), serde_json::to_string_pretty(&combined)?)?;
    std::fs::write(args.dir.join("chart.svg"), chart(&runs.loads))?;
    print!("{markdown}");
    Ok(())
}

fn read(dir: &Path) -> anyhow::Result<Runs> {
    let mut runs = Runs::default();
    let mut names: Vec<_> =
        std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let text = || std::fs::read_to_string(&path);
        if name.starts_with("load-") {
            runs.loads.push(serde_json::from_str(&text()?)?);
        } else if name.starts_with("scale-") {
            runs.scales.push(serde_json::from_str(&text()?)?);
        } else if name.starts_with("batch-") {
            runs.batches.push(serde_json::from_str(&text()?)?);
        }
    }
    Ok(runs)
}

fn is_floor(route: &str) -> bool {
    route == FLOOR || route == SIGNED_IN_FLOOR
}

fn verdict(load: &LoadReport) -> Option<Verdict> {
    let floor = load.saturated.iter().find(|r| r.route == FLOOR)?;
    let signed_in = load.saturated.iter().find(|r| r.route == SIGNED_IN_FLOOR)?;
    let heaviest = load
        .saturated
        .iter()
        .filter(|r| !is_floor(&r.route))
        .min_by(|a, b| a.per_second.total_cmp(&b.per_second))?;
    Some(Verdict {
        label: load.label.clone(),
        heaviest: heaviest.route.clone(),
        share: heaviest.per_second / floor.per_second.max(f64::MIN_POSITIVE),
        p99_multiple: heaviest.p99_ms / floor.p99_ms.max(0.001),
        signed_in_share: heaviest.per_second / signed_in.per_second.max(f64::MIN_POSITIVE),
        signed_in_p99_multiple: heaviest.p99_ms / signed_in.p99_ms.max(0.001),
        max_rss_mb: load.memory.max_kb as f64 / 1024.0,
        errors: load.journeys.iter().chain(&load.saturated).map(|r| r.errors).sum(),
    })
}

fn scale_ratios(scales: &[ScaleReport]) -> Vec<ScaleRatio> {
    let mut ratios = Vec::new();
    for one in scales.iter().filter(|s| s.authorities == 1) {
        let Some(many) = scales
            .iter()
            .filter(|s| s.label == one.label && s.authorities > 1)
            .max_by_key(|s| s.authorities)
        else {
            continue;
        };
        for route in &one.routes {
            if let Some(other) = many.routes.iter().find(|r| r.route == route.route) {
                ratios.push(ScaleRatio {
                    label: one.label.clone(),
                    route: route.route.clone(),
                    one_ms: route.p50_ms,
                    many_ms: other.p50_ms,
                    many: many.authorities,
                    ratio: other.p50_ms / route.p50_ms.max(0.001),
                });
            }
        }
    }
    ratios
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn route_table(out: &mut String, routes: &[RouteStats]) {
    out.push_str(
        "| route | requests | per second | p50 ms | p95 ms | p99 ms | 409 | 422 | errors |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in routes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} |",
            r.route,
            r.requests,
            r.per_second,
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            r.conflicts,
            r.invalid,
            r.errors
        );
    }
}

fn markdown(runs: &Runs, verdicts: &[Verdict], ratios: &[ScaleRatio]) -> String {
    let Runs { loads, scales, batches } = runs;
    let mut out = String::from("# OpenPEP benchmark report\n\n");
    if let Some(first) = loads.first() {
        let _ = writeln!(out, "Machine: {}.\n", first.machine);
    }
    out.push_str("## Targets\n\n| run | heaviest page | throughput vs `/healthz` (≥ 25%) | p99 vs `/healthz` (≤ 5×) | throughput vs signed-in floor | p99 vs signed-in floor | peak RSS (< 100 MB) | errors |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
    for v in verdicts {
        let _ = writeln!(
            out,
            "| {} | `{}` | {:.2}% ({}) | {:.1}× ({}) | {:.1}% ({}) | {:.1}× ({}) | {:.0} MB ({}) | {} |",
            v.label,
            v.heaviest,
            v.share * 100.0,
            met(v.share >= MIN_SHARE),
            v.p99_multiple,
            met(v.p99_multiple <= MAX_P99_MULTIPLE),
            v.signed_in_share * 100.0,
            met(v.signed_in_share >= MIN_SHARE),
            v.signed_in_p99_multiple,
            met(v.signed_in_p99_multiple <= MAX_P99_MULTIPLE),
            v.max_rss_mb,
            met(v.max_rss_mb > 0.0 && v.max_rss_mb < MAX_RSS_MB),
            v.errors
        );
    }
    if !ratios.is_empty() {
        out.push_str("\n| run | page | 1 authority, p50 ms | many, p50 ms | ratio (≤ 1.2×) |\n|---|---|---:|---:|---:|\n");
        for r in ratios {
            let _ = writeln!(
                out,
                "| {} | `{}` | {:.1} | {:.1} ({} authorities) | {:.2}× ({}) |",
                r.label,
                r.route,
                r.one_ms,
                r.many_ms,
                r.many,
                r.ratio,
                met(r.ratio <= MAX_SCALE_RATIO)
            );
        }
    }
    if !batches.is_empty() {
        out.push_str("\n| run | children | delegation of the next term | s per 100 PEPs (≤ 1) | PEP PDFs made by the worker | s per 100 PDFs (≤ 1) | PDFs not made |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for b in batches {
            let delegation = BatchReport::per_100(b.delegated, b.delegation_secs);
            let pdfs = BatchReport::per_100(b.pdfs, b.pdf_secs);
            let _ = writeln!(
                out,
                "| {} | {} | {} PEPs ({}) in {:.1} s | {:.2} ({}) | {} in {:.1} s | {:.2} ({}) | {} |",
                b.label,
                b.children,
                b.delegated,
                b.term,
                b.delegation_secs,
                delegation,
                met(delegation <= MAX_SECS_PER_100),
                b.pdfs,
                b.pdf_secs,
                pdfs,
                met(pdfs <= MAX_SECS_PER_100),
                b.pdfs_not_made
            );
        }
    }
    for load in loads {
        let _ = writeln!(
            out,
            "\n## {}: {} virtual users, {} authorities\n\n### Deadline-week journeys ({:.0} s measured, think times {}–{} ms)\n",
            load.label,
            load.vus,
            load.authorities,
            load.journey_secs,
            load.think_ms.0,
            load.think_ms.1
        );
        route_table(&mut out, &load.journeys);
        let _ = writeln!(
            out,
            "\n### Each page at full pace ({} users, {:.0} s each), against the floor\n",
            load.vus, load.saturate_secs
        );
        route_table(&mut out, &load.saturated);
        out.push_str("\n### Signing in (password, e-mailed code, terms)\n\n");
        route_table(&mut out, &load.sign_in);
        let first = load.memory.mean_between(0.0, 60.0);
        let last = load
            .memory
            .samples
            .last()
            .map(|(t, _)| *t)
            .and_then(|end| load.memory.mean_between(end - 60.0, end + 1.0));
        let _ = writeln!(
            out,
            "\nResident memory: peak {:.0} MB; mean {:.0} MB in the first minute, {:.0} MB in the last ({} samples).",
            load.memory.max_kb as f64 / 1024.0,
            first.unwrap_or(0.0) / 1024.0,
            last.unwrap_or(0.0) / 1024.0,
            load.memory.samples.len()
        );
    }
    for scale in scales.iter().filter(|s| s.authorities > 1) {
        let _ = writeln!(
            out,
            "\n## Query plans of the dashboard: {} ({} authorities, {} children, {} PEPs)\n",
            scale.label, scale.authorities, scale.children, scale.peps
        );
        for (query, plan) in &scale.plans {
            let _ = writeln!(out, "{query}:\n\n```\n{plan}\n```\n");
        }
    }
    out
}

/// Each page's full-pace throughput as a share of the floor's, a bar per
/// run, with the 25% target marked.
fn chart(loads: &[LoadReport]) -> String {
    let routes: Vec<&str> = loads
        .first()
        .map(|l| l.saturated.iter().map(|r| r.route.as_str()).filter(|r| *r != FLOOR).collect())
        .unwrap_or_default();
    let colours = ["#1d70b8", "#f47738", "#00703c", "#4c2c92"];
    let (left, bar, gap, width) = (330.0, 14.0, 10.0, 420.0);
    let group = bar * loads.len().max(1) as f64 + gap;
    let height = 80.0 + group * routes.len() as f64 + 20.0 * loads.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-labelledby=\"t\">\n\
         <title id=\"t\">Each page's throughput as a share of the floor route's</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Throughput at full pace as a share of the floor (/healthz), log scale</text>\n",
        w = left + width + 80.0
    );
    // A log scale from 0.01% to 100%: the pages differ by orders of magnitude.
    let x = |share: f64| left + width * ((share.max(1e-4).log10() + 4.0) / 4.0).clamp(0.0, 1.0);
    for (i, route) in routes.iter().enumerate() {
        let top = 40.0 + group * i as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            top + bar,
            escape(route)
        );
        for (j, load) in loads.iter().enumerate() {
            let floor =
                load.saturated.iter().find(|r| r.route == FLOOR).map_or(0.0, |r| r.per_second);
            let share = load
                .saturated
                .iter()
                .find(|r| r.route == *route)
                .map_or(0.0, |r| r.per_second / floor.max(f64::MIN_POSITIVE));
            let y = top + bar * j as f64;
            let _ = writeln!(
                svg,
                "<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\">{:.2}%</text>",
                x(share) - left,
                bar - 2.0,
                colours[j % colours.len()],
                x(share) + 4.0,
                y + bar - 4.0,
                share * 100.0
            );
        }
    }
    let bottom = 40.0 + group * routes.len() as f64;
    for (share, label) in
        [(1e-4, "0.01%"), (1e-3, "0.1%"), (1e-2, "1%"), (1e-1, "10%"), (1.0, "100%")]
    {
        let _ = writeln!(
            svg,
            "<line x1=\"{t:.1}\" x2=\"{t:.1}\" y1=\"34\" y2=\"{bottom}\" stroke=\"#b1b4b6\" stroke-width=\"0.5\"/><text x=\"{t:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#505a5f\">{label}</text>",
            bottom + 28.0,
            t = x(share)
        );
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{t:.1}\" x2=\"{t:.1}\" y1=\"30\" y2=\"{bottom}\" stroke=\"#d4351c\" stroke-dasharray=\"4 3\"/><text x=\"{t:.1}\" y=\"{}\" fill=\"#d4351c\">target 25%</text>",
        bottom + 14.0,
        t = x(MIN_SHARE)
    );
    for (j, load) in loads.iter().enumerate() {
        let y = bottom + 48.0 + 18.0 * j as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{left}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            y - 10.0,
            colours[j % colours.len()],
            left + 18.0,
            y,
            escape(&load.label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
