//! Writes `stagecraft_model::generate::generated_design(n)` to a file, for the desktop benchmarks
//! (tests/e2e/bench.mjs): `cargo run -p stagecraft-desktop --example generated_design -- 1000 out.stagecraft.json`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(size), Some(path)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("usage: generated_design <components> <file.stagecraft.json>");
        return ExitCode::from(2);
    };
    let design = stagecraft_model::generate::generated_design(size);
    if let Err(error) = stagecraft_model::save_file(&PathBuf::from(path), &design) {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    println!(
        "{} components, {} connections, {} groups",
        design.components.len(),
        design.connections.len(),
        design.groups.len()
    );
    ExitCode::SUCCESS
}
