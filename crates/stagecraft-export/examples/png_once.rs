//! Renders the 1,000-component design to PNG once, for instruction counts under callgrind
//! (`valgrind --tool=callgrind target/release/examples/png_once 1`); the argument is the scale.

use stagecraft_export::{render_png_scaled, PictureOptions};
use stagecraft_model::generate::generated_design;

fn main() {
    let scale: f32 = std::env::args()
        .nth(1)
        .map_or(1.0, |s| s.parse().expect("the scale is a number"));
    let design = generated_design(1_000);
    let png = render_png_scaled(
        &design,
        &PictureOptions {
            scale,
            ..PictureOptions::default()
        },
    )
    .expect("the PNG renders");
    let size = |at: usize| u32::from_be_bytes(png.bytes[at..at + 4].try_into().unwrap());
    println!(
        "{}x{} pixels at {}x, {} bytes",
        size(16),
        size(20),
        png.scale,
        png.bytes.len()
    );
}
