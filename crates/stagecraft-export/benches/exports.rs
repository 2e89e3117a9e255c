//! Export speed on a 1,000-component design. Budgets: SVG at most 100 ms, PNG at most 1 s (at
//! 1x, uncapped), the report with costs at most 1 s.

use criterion::{criterion_group, criterion_main, Criterion};
use stagecraft_export::{render_png, render_report_html, render_svg, PictureOptions, ReportInputs};
use stagecraft_model::generate::generated_design;
use stagecraft_pricing::CostOptions;

fn exports(c: &mut Criterion) {
    let design = generated_design(1_000);
    let mut group = c.benchmark_group("export_1000_components");
    group.sample_size(10);
    group.bench_function("svg", |b| b.iter(|| render_svg(&design)));
    group.bench_function("png_1x", |b| {
        b.iter(|| render_png(&design, &PictureOptions::default()).unwrap())
    });
    // 2x of this design is above the pixel cap, so it is drawn at the capped scale (about 1.1x).
    group.bench_function("png_2x_capped", |b| {
        let options = PictureOptions {
            scale: 2.0,
            ..PictureOptions::default()
        };
        b.iter(|| render_png(&design, &options).unwrap())
    });
    group.bench_function("report_html_with_costs", |b| {
        b.iter(|| {
            // The cost estimate is part of producing the report, so it is inside the timing.
            let costs = stagecraft_pricing::estimate(&design, &CostOptions::default());
            let inputs = ReportInputs {
                costs: Some(&costs),
                ..ReportInputs::default()
            };
            render_report_html(&design, &inputs)
        })
    });
    group.finish();
}

criterion_group!(benches, exports);
criterion_main!(benches);
