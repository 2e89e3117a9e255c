//! # stagecraft-export
//!
//! Turns a design into files other people and tools use: a diagram (SVG, PNG, PDF) that looks
//! like the canvas, a review report (Markdown, HTML, PDF), Terraform/OpenTofu, a Compose stack
//! with cloud-init, Mermaid and draw.io.
//!
//! Invariants:
//! - **Deterministic**: the same design (and report inputs) gives the same bytes. Everything is
//!   emitted in id order, numbers are rounded, no timestamps, and PNG/PDF text uses only the
//!   embedded DejaVu Sans (never system fonts).
//! - **No secrets**: exports read only the design (and the findings/costs handed in), never the
//!   keyring or the environment. Terraform declares token variables without values.
//! - **Safe text**: user text is escaped for the target format (XML, HTML, Markdown, Mermaid,
//!   HCL strings, YAML) so a name cannot break or inject into the output.
//! - No browser and no network: everything renders in-process, so the CLI works in CI.

pub mod compose;
pub mod drawio;
pub mod geometry;
mod glyphs;
pub mod icons;
pub mod mermaid;
pub mod raster;
pub mod report;
pub mod revision;
pub mod svg;
pub mod terraform;
pub mod text;

use stagecraft_model::Design;

pub use compose::{render_compose, ComposeBundle};
pub use drawio::render_drawio;
pub use mermaid::render_mermaid;
pub use raster::{Background, Paper, RenderedPng, MAX_PNG_PIXELS};
pub use report::{
    render_report_html, render_report_markdown, render_report_pdf, ReportInputs, ReportModel,
};
pub use svg::render_svg;
pub use terraform::render_terraform;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The options make no sense (a scale of 0, for instance).
    #[error("invalid export options: {0}")]
    Options(String),
    /// The design cannot be expressed in this format (for example Compose without a server).
    #[error("{0}")]
    Unsupported(String),
    /// Rendering or encoding failed; a defect of this crate, reported rather than panicking.
    #[error("rendering failed: {0}")]
    Render(String),
}

/// Options of the picture formats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PictureOptions {
    /// PNG pixels per SVG unit (1.0 or 2.0 usually); lowered for huge drawings, see
    /// [`MAX_PNG_PIXELS`].
    pub scale: f32,
    pub background: Background,
    pub paper: Paper,
}

impl Default for PictureOptions {
    fn default() -> Self {
        Self {
            scale: 1.0,
            background: Background::Transparent,
            paper: Paper::A4,
        }
    }
}

/// The diagram as PNG bytes; see [`render_png_scaled`] for the scale actually used.
///
/// # Errors
/// [`ExportError::Options`] for a scale outside (0, 8]; [`ExportError::Render`] on a rendering
/// defect.
pub fn render_png(design: &Design, options: &PictureOptions) -> Result<Vec<u8>, ExportError> {
    render_png_scaled(design, options).map(|png| png.bytes)
}

/// The diagram as PNG with the scale it was drawn at: the one asked for, or less when the image
/// would exceed [`MAX_PNG_PIXELS`] (callers tell the user).
///
/// # Errors
/// As [`render_png`].
pub fn render_png_scaled(
    design: &Design,
    options: &PictureOptions,
) -> Result<RenderedPng, ExportError> {
    raster::svg_to_png(
        &svg::render_svg_outlined(design),
        options.scale,
        options.background,
    )
}

/// The diagram as a one-page vector PDF fitted to the paper (landscape when wider than tall).
///
/// # Errors
/// [`ExportError::Render`] on a rendering defect.
pub fn render_pdf(design: &Design, options: &PictureOptions) -> Result<Vec<u8>, ExportError> {
    let (view, body) = svg::diagram_svg(design);
    let page = raster::fit_to_page((view.x, view.y, view.w, view.h), &body, options.paper);
    raster::svg_pages_to_pdf(&[page])
}
