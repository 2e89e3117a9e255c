//! Load, check and save of generated designs at 1k, 10k and 100k components.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use stagecraft_model::generate::generated_design;
use stagecraft_model::validate::check_document;
use stagecraft_model::{load_str, save_file, to_canonical_string};

fn document(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut group = c.benchmark_group("document");
    group.sample_size(10);
    for size in [1_000usize, 10_000, 100_000] {
        let design = generated_design(size);
        let text = to_canonical_string(&design);
        let path = dir.path().join(format!("bench-{size}.stagecraft.json"));
        group.throughput(Throughput::Elements(design.components.len() as u64));
        group.bench_with_input(BenchmarkId::new("load", size), &text, |b, text| {
            b.iter(|| load_str(text, "bench").expect("generated design loads"));
        });
        group.bench_with_input(BenchmarkId::new("check", size), &design, |b, design| {
            b.iter(|| check_document(design, "bench", Some(&text)));
        });
        group.bench_with_input(BenchmarkId::new("save", size), &design, |b, design| {
            b.iter(|| save_file(&path, design).expect("save succeeds"));
        });
    }
    group.finish();
}

criterion_group!(benches, document);
criterion_main!(benches);
