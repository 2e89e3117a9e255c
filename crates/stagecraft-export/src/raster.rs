//! PNG (resvg) and PDF (svg2pdf) from the SVG the crate draws. Text is shaped with the embedded
//! DejaVu Sans only: the font database never loads system fonts, so a PNG or PDF made on a
//! laptop and one made in CI are identical. The PNG's labels arrive already as glyph outlines
//! (see `glyphs`), so resvg only fills paths.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use pdf_writer::{Content, Finish, Name, Pdf, Rect as PdfRect, Ref};
use usvg::fontdb;

use crate::svg::FONT_FAMILY;
use crate::text::num;
use crate::ExportError;

pub(crate) const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Largest PNG the exporter writes, in pixels (6144 x 6144, 151 MB of pixels while drawing). A
/// 1,000-component design at 2x would be half a gigabyte of pixels; beyond this the scale is
/// lowered so the image keeps the whole drawing, and [`RenderedPng::scale`] says so. The
/// 1,000-component design is 8872x3636 (32 megapixels) at 1x, which fits and takes about 0.68 s
/// here; asked for at 2x it is drawn at about 1.08x in about 0.79 s (`cargo bench -p
/// stagecraft-export --bench exports`).
pub const MAX_PNG_PIXELS: u64 = 37_748_736;

/// A PNG and the scale it was drawn at, lower than the one asked for when the image would
/// have been larger than [`MAX_PNG_PIXELS`].
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPng {
    pub bytes: Vec<u8>,
    pub scale: f32,
}

/// Background of a PNG.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Background {
    #[default]
    Transparent,
    White,
}

/// Paper a PDF is fitted to; the page turns landscape when the drawing is wider than tall.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// Portrait width and height in PostScript points.
    pub fn size_pt(self) -> (f64, f64) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// The embedded fonts, loaded once.
fn font_db() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        db.load_font_data(DEJAVU_SANS_BOLD.to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Parses SVG text the crate produced, with the embedded fonts.
///
/// # Errors
/// [`ExportError::Render`] if the SVG is not valid (a defect of this crate).
pub fn parse_svg(svg: &str) -> Result<usvg::Tree, ExportError> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        fontdb: font_db(),
        ..usvg::Options::default()
    };
    usvg::Tree::from_str(svg, &options).map_err(|e| ExportError::Render(format!("SVG: {e}")))
}

/// Rasterises SVG text at `scale` (1.0 = one pixel per SVG unit), lowered if needed to stay
/// within [`MAX_PNG_PIXELS`].
///
/// # Errors
/// [`ExportError::Render`] if the SVG cannot be parsed or the image cannot be encoded.
pub fn svg_to_png(
    svg: &str,
    scale: f32,
    background: Background,
) -> Result<RenderedPng, ExportError> {
    if !(scale.is_finite() && scale > 0.0 && scale <= 8.0) {
        return Err(ExportError::Options(format!(
            "scale must be above 0 and at most 8, got {scale}"
        )));
    }
    let tree = parse_svg(svg)?;
    let size = tree.size();
    let scale = capped_scale(f64::from(size.width()), f64::from(size.height()), scale);
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia_pixmap(width, height)?;
    if background == Background::White {
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
    }
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes =
        encode_png(pixmap).map_err(|e| ExportError::Render(format!("PNG encoding: {e}")))?;
    Ok(RenderedPng { bytes, scale })
}

/// `scale`, or the largest scale at which a `width` x `height` drawing stays within
/// [`MAX_PNG_PIXELS`] if that is smaller.
pub fn capped_scale(width: f64, height: f64, scale: f32) -> f32 {
    let max_scale = (MAX_PNG_PIXELS as f64 / (width * height)).sqrt() as f32;
    scale.min(max_scale)
}

/// PNG bytes of a rendered pixmap: the pixels `tiny_skia::Pixmap::encode_png` writes, without its
/// copy of the whole image, with the demultiplication skipped for the fully transparent and
/// fully opaque pixels that make up nearly all of a diagram, and compressed with the png crate's
/// fast (fdeflate) setting, which was a tenth of the time of a large PNG at the default level.
fn encode_png(mut pixmap: resvg::tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    // Nearly every pixel is empty or opaque; four at a time are skipped with one test.
    let opaque_or_empty = |alpha: u8| alpha.wrapping_add(1) <= 1;
    for quad in pixmap.data_mut().chunks_mut(16) {
        if quad.len() == 16
            && opaque_or_empty(quad[3])
            && opaque_or_empty(quad[7])
            && opaque_or_empty(quad[11])
            && opaque_or_empty(quad[15])
        {
            continue;
        }
        for pixel in quad.chunks_exact_mut(4) {
            let alpha = pixel[3];
            // Premultiplied: a transparent pixel is already all zeros.
            if opaque_or_empty(alpha) {
                continue;
            }
            let row = &demultiply_table()[usize::from(alpha) * 256..][..256];
            for channel in &mut pixel[..3] {
                *channel = row[usize::from(*channel)];
            }
        }
    }
    let mut data = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut data, pixmap.width(), pixmap.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixmap.data())?;
    }
    Ok(data)
}

/// Demultiplied channel values by alpha and premultiplied value, computed with tiny-skia's own
/// rounding (`PremultipliedColorU8::demultiply`) so the pixels match what it would have written.
/// A table because a translucent group (a private network's tint over nothing) covers millions of
/// pixels and a division per channel showed up in the profile.
fn demultiply_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![0u8; 256 * 256];
        for alpha in 1..256usize {
            let a = alpha as f64 / 255.0;
            for channel in 0..256usize {
                table[alpha * 256 + channel] = (channel as f64 / a + 0.5) as u8;
            }
        }
        table
    })
}

fn tiny_skia_pixmap(width: u32, height: u32) -> Result<resvg::tiny_skia::Pixmap, ExportError> {
    resvg::tiny_skia::Pixmap::new(width.max(1), height.max(1))
        .ok_or_else(|| ExportError::Render(format!("cannot allocate a {width}x{height} image")))
}

/// One page: SVG content laid out in `view` (its own coordinates), fitted onto `paper` with a
/// margin, turned landscape when `view` is wider than tall.
pub(crate) fn fit_to_page(view_box: (f64, f64, f64, f64), body: &str, paper: Paper) -> String {
    let (x, y, w, h) = view_box;
    let (pw, ph) = paper.size_pt();
    let (pw, ph) = if w > h { (ph, pw) } else { (pw, ph) };
    let margin = 28.0;
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{pw}" height="{ph}" viewBox="0 0 {pw} {ph}" font-family="{FONT_FAMILY}"><svg x="{m}" y="{m}" width="{iw}" height="{ih}" viewBox="{x} {y} {w} {h}" preserveAspectRatio="xMidYMid meet">{body}</svg></svg>"#,
        pw = num(pw),
        ph = num(ph),
        m = num(margin),
        iw = num(pw - 2.0 * margin),
        ih = num(ph - 2.0 * margin),
        x = num(x),
        y = num(y),
        w = num(w),
        h = num(h),
    )
}

/// A PDF with one page per SVG (each SVG's size is its page size in points), text embedded as
/// real (searchable) text in the subsetted DejaVu Sans.
///
/// # Errors
/// [`ExportError::Render`] if a page cannot be parsed or converted.
pub fn svg_pages_to_pdf(pages: &[String]) -> Result<Vec<u8>, ExportError> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let page_tree_id = alloc();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::new();
    let mut chunks = Vec::new();
    for svg in pages {
        let tree = parse_svg(svg)?;
        let (chunk, svg_id) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| ExportError::Render(format!("PDF conversion: {e}")))?;
        let mut map = HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(&mut alloc));
        let svg_id = map[&svg_id];
        let page_id = alloc();
        let content_id = alloc();
        let (w, h) = (tree.size().width(), tree.size().height());
        let name = Name(b"S1");
        let mut page = pdf.page(page_id);
        page.media_box(PdfRect::new(0.0, 0.0, w, h));
        page.parent(page_tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(name, svg_id);
        page.finish();
        let mut content = Content::new();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]).x_object(name);
        pdf.stream(content_id, &content.finish());
        page_ids.push(page_id);
        chunks.push(chunk);
    }
    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    for chunk in &chunks {
        pdf.extend(chunk);
    }
    canonical_pdf(&pdf.finish())
}

/// Rewrites a PDF so its bytes depend only on its content: objects are renumbered in the order a
/// walk from the trailer meets them (dictionary keys sorted) and every dictionary is written with
/// sorted keys. svg2pdf numbers font objects and orders resource dictionaries in `HashMap` order,
/// which differs between runs.
fn canonical_pdf(bytes: &[u8]) -> Result<Vec<u8>, ExportError> {
    use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

    fn number(
        object: &Object,
        doc: &Document,
        ids: &mut HashMap<ObjectId, ObjectId>,
        next: &mut u32,
    ) {
        match object {
            Object::Reference(id) => {
                if ids.contains_key(id) {
                    return;
                }
                ids.insert(*id, (*next, 0));
                *next += 1;
                if let Some(target) = doc.objects.get(id) {
                    number(target, doc, ids, next);
                }
            }
            Object::Array(items) => items.iter().for_each(|o| number(o, doc, ids, next)),
            Object::Dictionary(dict) => sorted(dict)
                .into_iter()
                .for_each(|(_, o)| number(o, doc, ids, next)),
            Object::Stream(stream) => sorted(&stream.dict)
                .into_iter()
                .for_each(|(_, o)| number(o, doc, ids, next)),
            _ => {}
        }
    }
    fn sorted(dict: &Dictionary) -> Vec<(&Vec<u8>, &Object)> {
        let mut entries: Vec<_> = dict.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
    }
    fn rewrite_dict(dict: &Dictionary, ids: &HashMap<ObjectId, ObjectId>) -> Dictionary {
        let mut out = Dictionary::new();
        for (key, value) in sorted(dict) {
            out.set(key.clone(), rewrite(value, ids));
        }
        out
    }
    fn rewrite(object: &Object, ids: &HashMap<ObjectId, ObjectId>) -> Object {
        match object {
            Object::Reference(id) => Object::Reference(ids.get(id).copied().unwrap_or(*id)),
            Object::Array(items) => Object::Array(items.iter().map(|o| rewrite(o, ids)).collect()),
            Object::Dictionary(dict) => Object::Dictionary(rewrite_dict(dict, ids)),
            Object::Stream(stream) => {
                let mut out = Stream::new(rewrite_dict(&stream.dict, ids), stream.content.clone());
                out.allows_compression = false;
                Object::Stream(out)
            }
            other => other.clone(),
        }
    }

    let render_error = |e: lopdf::Error| ExportError::Render(format!("PDF normalisation: {e}"));
    let doc = Document::load_mem(bytes).map_err(render_error)?;
    let mut ids = HashMap::new();
    let mut next = 1;
    number(
        &Object::Dictionary(doc.trailer.clone()),
        &doc,
        &mut ids,
        &mut next,
    );
    let mut out = Document::with_version(doc.version.clone());
    for (old, object) in &doc.objects {
        if let Some(new) = ids.get(old) {
            out.objects.insert(*new, rewrite(object, &ids));
        }
    }
    out.max_id = next - 1;
    let mut trailer = Dictionary::new();
    if let Ok(root) = doc.trailer.get(b"Root") {
        trailer.set("Root", rewrite(root, &ids));
    }
    out.trailer = trailer;
    let mut bytes = Vec::new();
    out.save_to(&mut bytes)
        .map_err(|e| ExportError::Render(format!("PDF writing: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stagecraft_model::TEMPLATES;

    /// The direct encoder is an optimisation only: its pixels are exactly tiny-skia's.
    #[test]
    fn the_direct_encoder_writes_exactly_the_pixels_tiny_skia_writes() {
        let mut designs: Vec<_> = TEMPLATES.iter().map(|t| t.design().unwrap()).collect();
        designs.push(stagecraft_model::generate::generated_design(60));
        for design in designs {
            let tree = parse_svg(&crate::render_svg(&design)).unwrap();
            for (scale, white) in [(1.0f32, false), (2.0, true), (0.37, false)] {
                let width = (tree.size().width() * scale).ceil() as u32;
                let height = (tree.size().height() * scale).ceil() as u32;
                let mut pixmap = tiny_skia_pixmap(width, height).unwrap();
                if white {
                    pixmap.fill(resvg::tiny_skia::Color::WHITE);
                }
                resvg::render(
                    &tree,
                    resvg::tiny_skia::Transform::from_scale(scale, scale),
                    &mut pixmap.as_mut(),
                );
                // On a transparent background, anti-aliased edges are partly transparent and
                // exercise the demultiplication.
                let partly_transparent = pixmap
                    .data()
                    .chunks_exact(4)
                    .any(|p| p[3] != 0 && p[3] != 255);
                assert_eq!(partly_transparent, !white, "{}", design.name);
                let theirs = pixmap.encode_png().unwrap();
                let ours = encode_png(pixmap.clone()).unwrap();
                // Decoding premultiplies again; compared as booleans, a failing assert_eq! on
                // pixels would print megabytes.
                let same_pixels = resvg::tiny_skia::Pixmap::decode_png(&theirs)
                    .unwrap()
                    .data()
                    == resvg::tiny_skia::Pixmap::decode_png(&ours).unwrap().data();
                assert!(
                    same_pixels,
                    "{}: PNG pixels differ from tiny-skia's at scale {scale}",
                    design.name
                );
            }
        }
    }
}
