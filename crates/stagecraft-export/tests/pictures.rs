//! SVG, PNG and PDF of the three templates: snapshot, determinism, sizes, pages and text.

mod common;

use common::{pdf_pages, png_size, poppler, templates};
use stagecraft_export::{
    render_pdf, render_png, render_png_scaled, render_svg, Background, Paper, PictureOptions,
};

#[test]
fn svg_snapshots() {
    for (slug, design) in templates() {
        let svg = render_svg(&design);
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{slug}: SVG is not XML: {e}"));
        insta::assert_snapshot!(format!("svg_{slug}"), svg);
    }
}

#[test]
fn every_picture_is_deterministic() {
    for (slug, design) in templates() {
        assert_eq!(render_svg(&design), render_svg(&design), "{slug} svg");
        let opts = PictureOptions::default();
        // Compared as booleans: a failing assert_eq! on bytes would print megabytes.
        let same_png = render_png(&design, &opts).unwrap() == render_png(&design, &opts).unwrap();
        assert!(
            same_png,
            "{slug}: the PNG must be the same bytes every time"
        );
        let same_pdf = render_pdf(&design, &opts).unwrap() == render_pdf(&design, &opts).unwrap();
        assert!(
            same_pdf,
            "{slug}: the PDF must be the same bytes every time"
        );
    }
}

#[test]
fn png_is_twice_as_large_at_2x_and_background_is_honoured() {
    for (slug, design) in templates() {
        let svg = render_svg(&design);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let width: f64 = doc
            .root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap();
        let height: f64 = doc
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();

        let one = render_png(&design, &PictureOptions::default()).unwrap();
        let two = render_png(
            &design,
            &PictureOptions {
                scale: 2.0,
                ..PictureOptions::default()
            },
        )
        .unwrap();
        let (w1, h1) = png_size(&one);
        let (w2, h2) = png_size(&two);
        assert_eq!(
            (w1, h1),
            (width.ceil() as u32, height.ceil() as u32),
            "{slug} at 1x is the SVG size"
        );
        assert_eq!(
            (w2, h2),
            ((width * 2.0).ceil() as u32, (height * 2.0).ceil() as u32),
            "{slug} at 2x"
        );

        let transparent = resvg::tiny_skia::Pixmap::decode_png(&one).unwrap();
        assert_eq!(
            transparent.pixel(0, 0).unwrap().alpha(),
            0,
            "{slug}: transparent corner"
        );
        let white = render_png(
            &design,
            &PictureOptions {
                background: Background::White,
                ..PictureOptions::default()
            },
        )
        .unwrap();
        let white = resvg::tiny_skia::Pixmap::decode_png(&white).unwrap();
        let corner = white.pixel(0, 0).unwrap();
        assert_eq!(
            (corner.red(), corner.green(), corner.blue(), corner.alpha()),
            (255, 255, 255, 255),
            "{slug}: white corner"
        );
    }
}

#[test]
fn png_refuses_nonsense_scales() {
    let (_, design) = templates().remove(0);
    for scale in [0.0, -1.0, f32::NAN, 100.0] {
        let err = render_png(
            &design,
            &PictureOptions {
                scale,
                ..PictureOptions::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("scale"), "{err}");
    }
}

#[test]
fn huge_pngs_are_scaled_down_to_the_pixel_cap_and_say_so() {
    let design = stagecraft_model::generate::generated_design(1_000);
    let png = render_png_scaled(
        &design,
        &PictureOptions {
            scale: 2.0,
            ..PictureOptions::default()
        },
    )
    .unwrap();
    let (w, h) = png_size(&png.bytes);
    assert!(
        u64::from(w) * u64::from(h) <= stagecraft_export::MAX_PNG_PIXELS + u64::from(w + h) + 1,
        "{w}x{h}"
    );
    assert!(
        png.scale < 2.0 && png.scale >= 1.0,
        "the scale used is reported: {}",
        png.scale
    );
    let (svg_w, svg_h) = svg_size(&render_svg(&design));
    assert_eq!(
        (w, h),
        (
            (svg_w * f64::from(png.scale)).ceil() as u32,
            (svg_h * f64::from(png.scale)).ceil() as u32
        ),
        "the image is the drawing at the reported scale"
    );
}

/// The 1,000-component design fits under the cap at 1x: a user asking for 1x gets 1x.
#[test]
fn a_thousand_components_at_1x_are_not_scaled_down() {
    let design = stagecraft_model::generate::generated_design(1_000);
    let png = render_png_scaled(&design, &PictureOptions::default()).unwrap();
    assert_eq!(png.scale, 1.0);
    let (svg_w, svg_h) = svg_size(&render_svg(&design));
    assert_eq!(
        png_size(&png.bytes),
        (svg_w.ceil() as u32, svg_h.ceil() as u32)
    );
}

fn svg_size(svg: &str) -> (f64, f64) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let attribute = |name| -> f64 { doc.root_element().attribute(name).unwrap().parse().unwrap() };
    (attribute("width"), attribute("height"))
}

#[test]
fn pdf_is_one_landscape_page_with_searchable_text() {
    for (slug, design) in templates() {
        for paper in [Paper::A4, Paper::Letter] {
            let pdf = render_pdf(
                &design,
                &PictureOptions {
                    paper,
                    ..PictureOptions::default()
                },
            )
            .unwrap();
            assert_eq!(pdf_pages(&pdf), 1, "{slug}");
            let info = poppler("pdfinfo", &pdf, &[]);
            let expected = match paper {
                Paper::A4 => "841.89 x 595.28",
                Paper::Letter => "792 x 612",
            };
            assert!(
                info.contains(expected),
                "{slug} {paper:?}: landscape page, got {info}"
            );
            let text = poppler("pdftotext", &pdf, &[]);
            assert!(
                text.contains(design.name.trim()),
                "{slug}: the title is text in the PDF"
            );
            for component in &design.components {
                // Long names are cut with an ellipsis to fit the box; their start must be there.
                let name: String = component.name.trim().chars().take(12).collect();
                assert!(
                    text.contains(&name),
                    "{slug}: `{name}` must be searchable in the PDF, got:\n{text}"
                );
            }
        }
    }
}

/// The PNG draws labels as glyph outlines of its own; they must land where usvg's text layout
/// puts the same text with the same font: only anti-aliasing noise may differ.
#[test]
fn png_labels_match_usvg_text_layout() {
    for (slug, design) in templates() {
        for scale in [1.0f32, 2.0] {
            let options = PictureOptions {
                scale,
                background: Background::White,
                ..PictureOptions::default()
            };
            let ours =
                resvg::tiny_skia::Pixmap::decode_png(&render_png(&design, &options).unwrap())
                    .unwrap();
            let theirs = stagecraft_export::raster::svg_to_png(
                &render_svg(&design),
                scale,
                Background::White,
            )
            .unwrap();
            let theirs = resvg::tiny_skia::Pixmap::decode_png(&theirs.bytes).unwrap();
            assert_eq!(
                (ours.width(), ours.height()),
                (theirs.width(), theirs.height())
            );
            let far_apart = ours
                .data()
                .chunks_exact(4)
                .zip(theirs.data().chunks_exact(4))
                .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 64))
                .count();
            let differing = ours
                .data()
                .chunks_exact(4)
                .zip(theirs.data().chunks_exact(4))
                .filter(|(a, b)| a != b)
                .count();
            let pixels = (ours.width() * ours.height()) as usize;
            assert_eq!(far_apart, 0, "{slug} at {scale}x: labels moved");
            assert!(
                differing * 1000 < pixels,
                "{slug} at {scale}x: {differing} of {pixels} pixels differ"
            );
        }
    }
}
