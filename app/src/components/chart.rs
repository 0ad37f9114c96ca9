//! A bar chart of requests over time: SVG with a labelled y axis, dates along the x axis,
//! and the exact value of the bar under the pointer (or keyboard focus) shown above it.

use chrono::Timelike;
use leptos::prelude::*;
use portcullis_core::metrics::{Bucket, Granularity};
use portcullis_core::time_text;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// A round axis maximum at or above `max` (1, 2 or 5 times a power of ten).
fn nice_ceiling(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step * m >= max.max(1) {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// How a bucket's start reads in the readout and its tooltip (UTC).
fn label(bucket: &Bucket, step: Granularity) -> String {
    let t = &bucket.start;
    match step {
        Granularity::Hour => time_text::minute(t),
        Granularity::Day => time_text::date(t),
        Granularity::Week => format!("week of {}", time_text::date(t)),
        Granularity::Month => time_text::month(t),
    }
}

/// How a bucket's start reads on the x axis: an hour shows its date only at midnight, so that
/// eight labels fit.
fn axis_label(bucket: &Bucket, step: Granularity) -> String {
    match step {
        Granularity::Hour if bucket.start.hour() != 0 => time_text::clock(&bucket.start),
        Granularity::Hour => time_text::date(&bucket.start),
        _ => label(bucket, step),
    }
}

/// Requests per bucket as bars.
#[component]
pub fn RequestsChart(buckets: Vec<Bucket>, step: Granularity) -> impl IntoView {
    let hovered = RwSignal::new(None::<usize>);
    let max = nice_ceiling(buckets.iter().map(|b| b.requests).max().unwrap_or(0));
    let total: u64 = buckets.iter().map(|b| b.requests).sum();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let n = buckets.len().max(1);
    let slot = plot_w / n as f64;
    let bar_w = (slot * 0.8).max(1.0);
    let y = move |v: u64| TOP + plot_h - (v as f64 / max as f64) * plot_h;
    let ticks: Vec<u64> = (0..=4).map(|i| max * i / 4).collect();
    // About eight x labels, whatever the number of bars.
    let every = n.div_ceil(8);
    let labels: Vec<String> = buckets.iter().map(|b| label(b, step)).collect();
    let axis_labels: Vec<String> = buckets.iter().map(|b| axis_label(b, step)).collect();
    let readout = {
        let labels = labels.clone();
        let values: Vec<u64> = buckets.iter().map(|b| b.requests).collect();
        move || match hovered.get() {
            Some(i) => format!(
                "{}: {} request{}",
                labels[i],
                values[i],
                if values[i] == 1 { "" } else { "s" }
            ),
            None => format!(
                "{total} request{} in this window · point at a bar for its value",
                if total == 1 { "" } else { "s" }
            ),
        }
    };
    view! {
        <div class="chart">
            <p class="chart-readout" aria-live="polite" id="chart-readout">{readout}</p>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" class="chart-svg"
                aria-label=format!("Requests per {}: {total} in all", step.code())>
                {ticks.iter().map(|t| {
                    let ty = y(*t);
                    view! {
                        <line x1=LEFT x2=WIDTH - RIGHT y1=ty y2=ty class="chart-grid"/>
                        <text x=LEFT - 6.0 y=ty + 4.0 class="chart-axis" text-anchor="end">{t.to_string()}</text>
                    }
                }).collect_view()}
                <line x1=LEFT x2=LEFT y1=TOP y2=TOP + plot_h class="chart-axis-line"/>
                <line x1=LEFT x2=WIDTH - RIGHT y1=TOP + plot_h y2=TOP + plot_h class="chart-axis-line"/>
                {buckets.iter().enumerate().map(|(i, b)| {
                    let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
                    let top = y(b.requests);
                    let title = format!("{}: {}", labels[i], b.requests);
                    // The whole slot answers the pointer, so an empty bucket has a value too.
                    view! {
                        <g class="chart-slot" tabindex="0" data-requests=b.requests.to_string()
                            on:mouseenter=move |_| hovered.set(Some(i)) on:focus=move |_| hovered.set(Some(i))
                            on:mouseleave=move |_| hovered.set(None) on:blur=move |_| hovered.set(None)>
                            <title>{title}</title>
                            <rect x=LEFT + slot * i as f64 y=TOP width=slot height=plot_h class="chart-hit"/>
                            <rect x=x y=top width=bar_w height=(TOP + plot_h - top).max(0.0)
                                class=move || if hovered.get() == Some(i) { "chart-bar chart-bar-active" } else { "chart-bar" }/>
                        </g>
                    }
                }).collect_view()}
                {axis_labels.into_iter().enumerate().filter(|(i, _)| i % every == 0).map(|(i, l)| {
                    let x = LEFT + slot * i as f64 + slot / 2.0;
                    view! { <text x=x y=HEIGHT - 14.0 class="chart-axis" text-anchor="middle">{l}</text> }
                }).collect_view()}
            </svg>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(12), 20);
        assert_eq!(nice_ceiling(480), 500);
    }
}
