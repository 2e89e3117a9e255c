//! One estimate and one three-provider comparison of the benchmark's 10,000-component design,
//! for profilers: `valgrind --tool=callgrind target/release/examples/profile_estimate` counts
//! instructions repeatably where wall-clock timings on a shared machine do not.

use stagecraft_model::generate::generated_design;
use stagecraft_pricing::{compare, estimate, CostOptions};

fn main() {
    let mut design = generated_design(10_000);
    design.assumptions.monthly_egress_gb = Some(50_000);
    let options = CostOptions::default();
    // The embedded catalogue is parsed once per process; parse it before the measured work.
    let _ = stagecraft_pricing::embedded();
    let estimate = estimate(&design, &options);
    let comparison = compare(&design, &options);
    println!(
        "{} lines, total {}; {} columns",
        estimate.lines.len(),
        estimate.total_text(),
        comparison.columns.len()
    );
}
