//! How long a full check takes on a 10,000-component design (target: at most 10 ms), and the
//! re-check the app runs after one edit (the engine re-checks the whole design on every edit).

use criterion::{criterion_group, criterion_main, Criterion};
use stagecraft_model::generate::generated_design;
use stagecraft_rules::{advise, check, detect_stage, CheckOptions};

fn bench(c: &mut Criterion) {
    let design = generated_design(10_000);
    let options = CheckOptions::default();
    c.bench_function("check 10k components", |b| {
        b.iter(|| check(std::hint::black_box(&design), &options))
    });

    // One edit in the app: a size changes, then the whole design is checked again.
    let mut edited = design.clone();
    let n = edited.components.len() / 2;
    edited.components[n].size = Some("cx32".into());
    c.bench_function("re-check 10k components after one edit", |b| {
        b.iter(|| check(std::hint::black_box(&edited), &options))
    });

    c.bench_function("detect stage 10k components", |b| {
        b.iter(|| detect_stage(std::hint::black_box(&design)))
    });

    let growth = stagecraft_model::template(stagecraft_model::Stage::Growth)
        .design()
        .expect("the Growth template loads");
    c.bench_function("advise growth template", |b| {
        b.iter(|| advise(std::hint::black_box(&growth)))
    });

    // The advisor re-checks after each step it plans, so it costs several checks.
    let mut group = c.benchmark_group("advise large");
    group.sample_size(10);
    group.bench_function("advise 10k components", |b| {
        b.iter(|| advise(std::hint::black_box(&design)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
