//! The Export dialog's commands: an SVG preview of the design, and an export that renders a
//! chosen format in Rust and writes it to a path the user picked in the native save dialog.
//!
//! Invariants:
//! - Rendering is `stagecraft-export`'s (one call per format); this module only picks the call,
//!   hands the report the findings (`stagecraft-rules`) and costs (`stagecraft-pricing`), and
//!   writes the bytes. Only the preview's SVG text and the written paths cross IPC: PNG and PDF
//!   bytes never do.
//! - Every file is written atomically (a temporary file beside it, synced, renamed into place), so
//!   a failed export leaves any previous file at that path untouched and no temporary behind.
//! - Every failure is [`ApiError::Export`] naming the format and the path.
//! - A review report can be compared with a previous version of the design: a file the user
//!   chose, or the design file's last commit in Git. Rust reads either; the UI only learns the
//!   version's name and the list of changes.
//! - Reports and their changes are priced as the cost panel is: the stored price refreshes, then
//!   the embedded catalogue; the report names the catalogues.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stagecraft_export::report::changes;
use stagecraft_export::revision::last_committed;
use stagecraft_export::{
    render_compose, render_drawio, render_mermaid, render_pdf, render_png, render_png_scaled,
    render_report_html, render_report_markdown, render_report_pdf, render_svg, render_terraform,
    Background, ExportError, Paper, PictureOptions, ReportInputs, MAX_PNG_PIXELS,
};
use stagecraft_model::{load_file, load_str, Design};
use stagecraft_pricing::StoredPrices;

use crate::error::ApiError;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    /// The diagram as SVG.
    Svg,
    /// The diagram as PNG (see [`ExportOptions::scale`] and [`ExportOptions::background`]).
    Png,
    /// The diagram as a one-page vector PDF fitted to [`ExportOptions::paper`].
    Pdf,
    /// The review report in Markdown, with findings and costs.
    ReportMarkdown,
    /// The review report as one self-contained HTML file.
    ReportHtml,
    /// The review report as PDF on [`ExportOptions::paper`].
    ReportPdf,
    /// Terraform/OpenTofu (hcloud, digitalocean, aws) in one `.tf` file.
    Terraform,
    /// `docker-compose.yml` at the chosen path, with `cloud-init.yaml` (and a `Caddyfile` when
    /// the design has a load balancer) beside it.
    Compose,
    /// A Mermaid flowchart.
    Mermaid,
    /// A draw.io diagram.
    Drawio,
}

impl ExportFormat {
    /// The name users see in messages.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Svg => "SVG",
            ExportFormat::Png => "PNG",
            ExportFormat::Pdf => "PDF",
            ExportFormat::ReportMarkdown => "Markdown report",
            ExportFormat::ReportHtml => "HTML report",
            ExportFormat::ReportPdf => "PDF report",
            ExportFormat::Terraform => "Terraform",
            ExportFormat::Compose => "Compose",
            ExportFormat::Mermaid => "Mermaid",
            ExportFormat::Drawio => "draw.io",
        }
    }
}

/// The PNG background.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportBackground {
    Transparent,
    White,
}

/// The paper PDFs are fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportPaper {
    A4,
    Letter,
}

/// The format and its options; options a format does not use are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// PNG pixels per diagram unit: 1 or 2 (at most 8).
    pub scale: u8,
    pub background: ExportBackground,
    pub paper: ExportPaper,
}

/// What an export wrote: absolute or as given, first the file the user chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ExportedFiles {
    pub files: Vec<String>,
    /// Something the user should know about the result, such as a PNG drawn at a lower scale
    /// than asked for because it would have exceeded the exporter's pixel limit.
    pub note: Option<String>,
}

/// The version of the design a review report is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PreviousVersion {
    /// A design file the user chose.
    File { path: String },
    /// The last committed version of the design file at `path`, read from Git.
    LastCommit { path: String },
}

/// A previous version as the Export dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PreviousSummary {
    /// What the version is: the file's path, or the last commit's hash, date and subject.
    pub label: String,
    /// The report's "Changes since the previous version" lines.
    pub changes: Vec<String>,
}

/// The design as SVG, for the Export dialog's preview.
#[tauri::command]
#[specta::specta]
pub async fn export_preview(design: Design) -> String {
    render_svg(&design)
}

/// Renders `design` in the chosen format and writes it atomically to `path` (for Compose, the
/// `docker-compose.yml` path, with its companion files beside it).
///
/// # Errors
/// [`ApiError::Export`] naming the format and the path: the format cannot express this design
/// (Compose without a server), invalid options, a missing or read-only folder, or a failed write.
#[tauri::command]
#[specta::specta]
pub async fn export_design(
    design: Design,
    options: ExportOptions,
    path: String,
    previous: Option<PreviousVersion>,
) -> Result<ExportedFiles, ApiError> {
    export_to(
        &design,
        &options,
        Path::new(&path),
        previous.as_ref(),
        &StoredPrices::load_default(),
    )
}

/// The name of the last committed version of the design file at `path`, or `None` when the
/// file is not in a Git work tree or was never committed (the dialog then offers files only).
///
/// # Errors
/// [`ApiError::Export`] when Git fails for another reason.
#[tauri::command]
#[specta::specta]
pub async fn export_last_commit(path: String) -> Result<Option<String>, ApiError> {
    last_committed(Path::new(&path))
        .map(|found| found.map(|version| version.label()))
        .map_err(|why| ApiError::Export(format!("Reading the last commit failed: {why}")))
}

/// What changed in `design` since `previous`, as the report will list it.
///
/// # Errors
/// [`ApiError::Export`] naming the previous version when it cannot be read or is not a design.
#[tauri::command]
#[specta::specta]
pub async fn export_changes(
    design: Design,
    previous: PreviousVersion,
) -> Result<PreviousSummary, ApiError> {
    changes_since(&design, &previous, &StoredPrices::load_default())
}

/// The work behind [`export_changes`], callable without Tauri, priced with `prices`.
///
/// # Errors
/// As [`export_changes`].
pub fn changes_since(
    design: &Design,
    previous: &PreviousVersion,
    prices: &StoredPrices,
) -> Result<PreviousSummary, ApiError> {
    let (old, label) = load_previous(previous).map_err(ApiError::Export)?;
    let cost_diff = stagecraft_pricing::diff_with(
        &old,
        design,
        &stagecraft_pricing::CostOptions::default(),
        &prices.layers(),
    );
    Ok(PreviousSummary {
        label,
        changes: changes(&old, design, Some(&cost_diff)),
    })
}

/// The previous design and its name, or a message naming what could not be read.
fn load_previous(previous: &PreviousVersion) -> Result<(Design, String), String> {
    match previous {
        PreviousVersion::File { path } => {
            let loaded = load_file(Path::new(path))
                .map_err(|e| format!("The previous version {path} cannot be read: {e}"))?;
            Ok((loaded.design, path.clone()))
        }
        PreviousVersion::LastCommit { path } => {
            let version = last_committed(Path::new(path))
                .map_err(|e| format!("The last commit of {path} cannot be read: {e}"))?
                .ok_or_else(|| format!("{path} has no committed version in Git"))?;
            let label = version.label();
            let loaded = load_str(&version.text, &format!("{path} ({label})"))
                .map_err(|e| format!("The {label} of {path} is not a readable design: {e}"))?;
            Ok((loaded.design, label))
        }
    }
}

/// The work behind [`export_design`], callable without Tauri; reports are priced with `prices`.
///
/// # Errors
/// As [`export_design`].
pub fn export_to(
    design: &Design,
    options: &ExportOptions,
    path: &Path,
    previous: Option<&PreviousVersion>,
    prices: &StoredPrices,
) -> Result<ExportedFiles, ApiError> {
    let format = options.format;
    let failed = |why: String| {
        ApiError::Export(format!(
            "{} export to {} failed: {why}",
            format.label(),
            path.display()
        ))
    };
    let rendering = |e: ExportError| failed(e.to_string());
    let writing = |file: &Path, e: io::Error| failed(describe_write_error(file, &e));
    check_folder(path).map_err(failed)?;
    let report = matches!(
        format,
        ExportFormat::ReportMarkdown | ExportFormat::ReportHtml | ExportFormat::ReportPdf
    );
    let previous = match previous {
        Some(previous) if report => Some(load_previous(previous).map_err(failed)?.0),
        _ => None,
    };

    let (files, note) =
        render(design, options, path, previous.as_ref(), prices).map_err(rendering)?;
    for (file, bytes) in &files {
        stagecraft_model::write_file_atomically(file, bytes).map_err(|e| writing(file, e))?;
    }
    Ok(ExportedFiles {
        files: files
            .iter()
            .map(|(file, _)| file.display().to_string())
            .collect(),
        note,
    })
}

/// Each file's path and bytes, in the order they are written (the chosen path first).
type Files = Vec<(PathBuf, Vec<u8>)>;

/// The files of one export, in the order they are written (the chosen path first), and a note
/// for the user when the result differs from what was asked.
fn render(
    design: &Design,
    options: &ExportOptions,
    path: &Path,
    previous: Option<&Design>,
    prices: &StoredPrices,
) -> Result<(Files, Option<String>), ExportError> {
    if options.format == ExportFormat::Png {
        let png = render_png_scaled(design, &picture_options(options))?;
        let note = (png.scale < f32::from(options.scale)).then(|| {
            format!(
                "The PNG is drawn at {:.2}x, not the {}x asked for: at {}x it would be larger than {} megapixels.",
                png.scale,
                options.scale,
                options.scale,
                MAX_PNG_PIXELS / 1_000_000
            )
        });
        return Ok((vec![(path.to_path_buf(), png.bytes)], note));
    }
    render_files(design, options, path, previous, prices).map(|files| (files, None))
}

fn picture_options(options: &ExportOptions) -> PictureOptions {
    PictureOptions {
        scale: f32::from(options.scale),
        background: match options.background {
            ExportBackground::Transparent => Background::Transparent,
            ExportBackground::White => Background::White,
        },
        paper: match options.paper {
            ExportPaper::A4 => Paper::A4,
            ExportPaper::Letter => Paper::Letter,
        },
    }
}

/// The files of every format but PNG.
fn render_files(
    design: &Design,
    options: &ExportOptions,
    path: &Path,
    previous: Option<&Design>,
    prices: &StoredPrices,
) -> Result<Files, ExportError> {
    let picture = picture_options(options);
    let single = |bytes: Vec<u8>| Ok(vec![(path.to_path_buf(), bytes)]);
    match options.format {
        ExportFormat::Svg => single(render_svg(design).into_bytes()),
        ExportFormat::Png => single(render_png(design, &picture)?),
        ExportFormat::Pdf => single(render_pdf(design, &picture)?),
        ExportFormat::ReportMarkdown => single(
            with_report_inputs(design, previous, prices, |i| {
                render_report_markdown(design, i)
            })
            .into_bytes(),
        ),
        ExportFormat::ReportHtml => single(
            with_report_inputs(design, previous, prices, |i| render_report_html(design, i))
                .into_bytes(),
        ),
        ExportFormat::ReportPdf => single(with_report_inputs(design, previous, prices, |i| {
            render_report_pdf(design, i, picture.paper)
        })?),
        ExportFormat::Terraform => single(render_terraform(design)?.into_bytes()),
        ExportFormat::Mermaid => single(render_mermaid(design).into_bytes()),
        ExportFormat::Drawio => single(render_drawio(design).into_bytes()),
        ExportFormat::Compose => {
            let bundle = render_compose(design)?;
            let beside = |name: &str| path.with_file_name(name);
            let mut files = vec![
                (path.to_path_buf(), bundle.compose.into_bytes()),
                (beside("cloud-init.yaml"), bundle.cloud_init.into_bytes()),
            ];
            if let Some(caddyfile) = bundle.caddyfile {
                files.push((beside("Caddyfile"), caddyfile.into_bytes()));
            }
            Ok(files)
        }
    }
}

/// Runs `render` with the design's findings, costs (priced with `prices`) and, given a previous
/// version, the changes since it, as the CLI's report does (`stagecraft export --previous`).
fn with_report_inputs<T>(
    design: &Design,
    previous: Option<&Design>,
    prices: &StoredPrices,
    render: impl FnOnce(&ReportInputs) -> T,
) -> T {
    let options = stagecraft_pricing::CostOptions::default();
    let catalogs = prices.layers();
    let findings = stagecraft_rules::check(design, &stagecraft_rules::CheckOptions::default());
    let costs = stagecraft_pricing::estimate_with(design, &options, &catalogs);
    let cost_diff =
        previous.map(|old| stagecraft_pricing::diff_with(old, design, &options, &catalogs));
    render(&ReportInputs {
        findings: Some(&findings),
        costs: Some(&costs),
        previous,
        cost_diff: cost_diff.as_ref(),
    })
}

/// Refuses before rendering when the folder cannot take the file, so the message says why in
/// words rather than as an errno. A folder without any write permission bit is refused even for
/// root, who could otherwise write into it: the owner made it read-only on purpose.
fn check_folder(path: &Path) -> Result<(), String> {
    if path.file_name().is_none() {
        return Err("not a file path".into());
    }
    if path.is_dir() {
        return Err("it is a folder; choose a file name".into());
    }
    let folder = folder_of(path);
    match fs::metadata(&folder) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(format!("the folder {} does not exist", folder.display()))
        }
        Err(e) => Err(format!("cannot use the folder {}: {e}", folder.display())),
        Ok(meta) if !meta.is_dir() => Err(format!("{} is not a folder", folder.display())),
        Ok(meta) if meta.permissions().readonly() => {
            Err(format!("the folder {} is read-only", folder.display()))
        }
        Ok(_) => Ok(()),
    }
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn describe_write_error(file: &Path, error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::PermissionDenied => format!("no permission to write {}", file.display()),
        _ => format!("cannot write {}: {error}", file.display()),
    }
}

#[cfg(test)]
mod tests {
    use stagecraft_model::{Provider, TEMPLATES};
    use stagecraft_pricing::rust_decimal::Decimal;
    use stagecraft_pricing::{CatalogOrigin, Product};

    use super::*;

    fn growth() -> Design {
        TEMPLATES
            .iter()
            .find(|t| t.slug == "growth")
            .expect("the template exists")
            .design()
            .expect("the template loads")
    }

    /// A Hetzner refresh stored in `dir` in which every Hetzner server costs twice its
    /// embedded price.
    fn store_dearer_hetzner_servers(dir: &Path) {
        let mut refreshed = stagecraft_pricing::embedded().clone();
        refreshed
            .entries
            .retain(|e| e.provider == Provider::Hetzner && e.product == Product::Server);
        for entry in &mut refreshed.entries {
            entry.amount *= Decimal::TWO;
            entry.as_of = "2026-11-20".into();
        }
        refreshed.as_of = "2026-11-20".into();
        refreshed.origin = CatalogOrigin::Refreshed {
            provider: Provider::Hetzner,
            endpoints: vec!["http://127.0.0.1/v1/pricing".into()],
            fetched_at: "2026-11-20".into(),
        };
        stagecraft_pricing::refresh::store_catalog(
            &stagecraft_pricing::store::stored_path(dir, Provider::Hetzner),
            &refreshed,
        )
        .unwrap();
    }

    #[test]
    fn reports_and_changes_are_priced_with_the_stored_refresh_and_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let prices_dir = dir.path().join("prices");
        fs::create_dir_all(&prices_dir).unwrap();
        store_dearer_hetzner_servers(&prices_dir);
        let stored = StoredPrices::load(&prices_dir);
        assert!(stored.problems.is_empty(), "{:?}", stored.problems);

        let old = growth();
        let old_path = dir.path().join("old.stagecraft.json");
        fs::write(&old_path, serde_json::to_string(&old).unwrap()).unwrap();
        let mut new = old.clone();
        let worker = new
            .components
            .iter_mut()
            .find(|c| c.name == "worker")
            .expect("growth has a worker");
        worker.size = Some("cx32".into());
        let previous = PreviousVersion::File {
            path: old_path.display().to_string(),
        };

        let report = |prices: &StoredPrices| {
            let path = dir.path().join("r.md");
            let options = ExportOptions {
                format: ExportFormat::ReportMarkdown,
                scale: 1,
                background: ExportBackground::Transparent,
                paper: ExportPaper::A4,
            };
            export_to(&new, &options, &path, Some(&previous), prices).unwrap();
            fs::read_to_string(&path).unwrap()
        };
        let refreshed = report(&stored);
        assert!(
            refreshed.contains("Hetzner prices refreshed from the provider's API on 2026-11-20"),
            "{refreshed}"
        );
        let embedded = report(&StoredPrices::embedded_only());
        assert!(!embedded.contains("refreshed"), "{embedded}");

        // The worker from cx22 to cx32: +€3.01 embedded (€3.79 -> €6.80), +€6.02 at twice.
        let change = |prices: &StoredPrices| {
            changes_since(&new, &previous, prices)
                .unwrap()
                .changes
                .join("\n")
        };
        let at_twice = change(&stored);
        assert!(at_twice.contains("+€6.02"), "{at_twice}");
        let plain = change(&StoredPrices::embedded_only());
        assert!(plain.contains("+€3.01"), "{plain}");
        assert!(refreshed.contains("+€6.02"), "{refreshed}");
    }
}
