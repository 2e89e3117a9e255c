//! `stagecraft export FILE --format F -o OUT`: the design as a picture (SVG, PNG, PDF), a review
//! report (Markdown, HTML, PDF, with findings and costs), Terraform/OpenTofu, a Compose stack,
//! Mermaid or draw.io. Rendering happens in `stagecraft-export`; this command loads, computes
//! the report's inputs, and writes files atomically (a temporary file renamed into place).
//!
//! `-o` names the file to write, except for `compose`, which writes several files
//! (`docker-compose.yml`, `Caddyfile`, `cloud-init.yaml`) into the directory `-o` names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::json;
use stagecraft_export::{
    render_compose, render_drawio, render_mermaid, render_pdf, render_png_scaled,
    render_report_html, render_report_markdown, render_report_pdf, render_svg, render_terraform,
    Background, Paper, PictureOptions, ReportInputs, MAX_PNG_PIXELS,
};
use stagecraft_model::load_file;
use stagecraft_pricing::CostOptions;
use stagecraft_rules::CheckOptions;

use crate::output::{Failure, Output};

#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The design file to export.
    pub file: PathBuf,
    /// What to write.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file to write (a directory for `compose`).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// PNG pixels per diagram unit (1 or 2 usually; at most 8).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f32,
    /// PNG background.
    #[arg(long, value_enum, default_value = "transparent")]
    pub background: BackgroundArg,
    /// Paper the PDF is fitted to.
    #[arg(long, value_enum, default_value = "a4")]
    pub paper: PaperArg,
    /// A previous version of the design: the report summarises what changed since. A file, or
    /// `REV:path` read from Git (`HEAD~1:infra/app.stagecraft.json`), as `cost-diff` takes it.
    #[arg(long, value_name = "OLD_FILE|REV:path")]
    pub previous: Option<String>,
    /// Which prices a report is costed with, as `stagecraft cost` takes it: `stored` (the
    /// default: refreshes stored by `stagecraft prices refresh`, then the embedded catalogue),
    /// `embedded` (the built-in catalogue only), or a catalogue FILE. The report names them.
    #[arg(long, value_name = "stored|embedded|FILE")]
    pub prices: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Svg,
    Png,
    Pdf,
    ReportMd,
    ReportHtml,
    ReportPdf,
    Terraform,
    Compose,
    Mermaid,
    Drawio,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackgroundArg {
    Transparent,
    White,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

pub fn run(out: &Output, args: &ExportArgs) -> Result<ExitCode, Failure> {
    let design = load_file(&args.file)?.design;
    let previous = match &args.previous {
        Some(previous) => Some(crate::commands::cost_diff::load(previous)?),
        None => None,
    };
    let options = PictureOptions {
        scale: args.scale,
        background: match args.background {
            BackgroundArg::Transparent => Background::Transparent,
            BackgroundArg::White => Background::White,
        },
        paper: match args.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        },
    };
    let usage = |e: stagecraft_export::ExportError| Failure::Usage(e.to_string());
    let report = matches!(
        args.format,
        FormatArg::ReportMd | FormatArg::ReportHtml | FormatArg::ReportPdf
    );
    let findings = report.then(|| stagecraft_rules::check(&design, &CheckOptions::default()));
    // Reports are priced with the same catalogues as `stagecraft cost`; other formats have no
    // prices and never read the stored ones.
    let prices = if report {
        Some(crate::commands::cost::load_prices(args.prices.as_deref())?)
    } else {
        None
    };
    let catalogs = prices.as_ref().map(|p| p.layers()).unwrap_or_default();
    let costs = report
        .then(|| stagecraft_pricing::estimate_with(&design, &CostOptions::default(), &catalogs));
    let cost_diff = match (&previous, report) {
        (Some(old), true) => Some(stagecraft_pricing::diff_with(
            old,
            &design,
            &CostOptions::default(),
            &catalogs,
        )),
        _ => None,
    };
    let inputs = ReportInputs {
        findings: findings.as_ref(),
        costs: costs.as_ref(),
        previous: previous.as_ref(),
        cost_diff: cost_diff.as_ref(),
    };
    // The scale a PNG was drawn at: below the one asked for when it would exceed the pixel cap.
    let mut drawn_scale: Option<f32> = None;
    let files: Vec<(PathBuf, Vec<u8>)> = match args.format {
        FormatArg::Svg => single(args, render_svg(&design).into_bytes()),
        FormatArg::Png => {
            let png = render_png_scaled(&design, &options).map_err(usage)?;
            drawn_scale = Some(png.scale);
            single(args, png.bytes)
        }
        FormatArg::Pdf => single(args, render_pdf(&design, &options).map_err(usage)?),
        FormatArg::ReportMd => single(args, render_report_markdown(&design, &inputs).into_bytes()),
        FormatArg::ReportHtml => single(args, render_report_html(&design, &inputs).into_bytes()),
        FormatArg::ReportPdf => single(
            args,
            render_report_pdf(&design, &inputs, options.paper).map_err(usage)?,
        ),
        FormatArg::Terraform => {
            single(args, render_terraform(&design).map_err(usage)?.into_bytes())
        }
        FormatArg::Mermaid => single(args, render_mermaid(&design).into_bytes()),
        FormatArg::Drawio => single(args, render_drawio(&design).into_bytes()),
        FormatArg::Compose => {
            let bundle = render_compose(&design).map_err(usage)?;
            std::fs::create_dir_all(&args.output).map_err(|e| {
                Failure::Usage(format!(
                    "cannot create directory {}: {e}",
                    args.output.display()
                ))
            })?;
            let mut files = vec![
                (
                    args.output.join("docker-compose.yml"),
                    bundle.compose.into_bytes(),
                ),
                (
                    args.output.join("cloud-init.yaml"),
                    bundle.cloud_init.into_bytes(),
                ),
            ];
            if let Some(caddyfile) = bundle.caddyfile {
                files.push((args.output.join("Caddyfile"), caddyfile.into_bytes()));
            }
            files
        }
    };
    for (path, bytes) in &files {
        write_atomically(path, bytes)?;
    }
    let written: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    out.print(
        &json!({
            "ok": true,
            "format": args.format.to_possible_value().map(|v| v.get_name().to_owned()),
            "files": files.iter().map(|(p, b)| json!({"path": p.display().to_string(), "bytes": b.len()})).collect::<Vec<_>>(),
            "scale": drawn_scale.map(|s| (f64::from(s) * 100.0).round() / 100.0),
        }),
        || {
            let mut lines: Vec<String> = written.iter().map(|p| format!("wrote {p}")).collect();
            if let Some(scale) = drawn_scale.filter(|s| *s < options.scale) {
                lines.push(format!(
                    "note: the PNG is drawn at {scale:.2}x, not the {asked}x asked for: at {asked}x it would be larger than {mp} megapixels",
                    asked = options.scale,
                    mp = MAX_PNG_PIXELS / 1_000_000,
                ));
            }
            lines.join("\n")
        },
    );
    Ok(ExitCode::SUCCESS)
}

fn single(args: &ExportArgs, bytes: Vec<u8>) -> Vec<(PathBuf, Vec<u8>)> {
    vec![(args.output.clone(), bytes)]
}

/// Writes through the model's atomic writer, so a reader never sees half a file and a failed
/// export leaves the old one intact.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if path.is_dir() {
        return Err(Failure::Usage(format!(
            "{} is a directory; give a file name with -o",
            path.display()
        )));
    }
    stagecraft_model::write_file_atomically(path, bytes)
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
}
