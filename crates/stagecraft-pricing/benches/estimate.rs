//! Estimate plus the three-provider comparison of a generated 10,000-component design.
//! Target: at most 20 ms on the project's 2-core machine.

use criterion::{criterion_group, criterion_main, Criterion};
use stagecraft_model::generate::generated_design;
use stagecraft_pricing::{compare, estimate, CostOptions};

fn bench(c: &mut Criterion) {
    let mut design = generated_design(10_000);
    design.assumptions.monthly_egress_gb = Some(50_000);
    let options = CostOptions::default();
    c.bench_function("estimate_10k", |b| b.iter(|| estimate(&design, &options)));
    c.bench_function("compare_10k", |b| b.iter(|| compare(&design, &options)));
    c.bench_function("estimate_and_compare_10k", |b| {
        b.iter(|| (estimate(&design, &options), compare(&design, &options)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
