//! Label text turned into glyph outlines here, once per glyph, for the PNG. usvg's own text
//! layout re-reads the font for every glyph of every label, which was a third of the time of a
//! 1,000-component PNG; shaping with the same engine (rustybuzz) and the same embedded DejaVu
//! Sans, then reusing each glyph's outline, draws the same letters for a fraction of the work.
//! The SVG and PDF exports keep real `<text>` (searchable, selectable); only the picture that is
//! rasterised gets outlines.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use rustybuzz::ttf_parser::{GlyphId, OutlineBuilder};
use rustybuzz::{Direction, Face, Script, ShapePlan, UnicodeBuffer};

use crate::raster::{DEJAVU_SANS, DEJAVU_SANS_BOLD};
use crate::text::num;

fn face(bold: bool) -> &'static Face<'static> {
    static REGULAR: OnceLock<Face<'static>> = OnceLock::new();
    static BOLD: OnceLock<Face<'static>> = OnceLock::new();
    let (cell, data) = if bold {
        (&BOLD, DEJAVU_SANS_BOLD)
    } else {
        (&REGULAR, DEJAVU_SANS)
    };
    cell.get_or_init(|| Face::from_slice(data, 0).expect("the embedded DejaVu Sans parses"))
}

/// One glyph's outline in font units (y up): where it starts and the rest as relative path
/// commands, so it can be placed anywhere by writing only its first point.
struct Outline {
    start: (f32, f32),
    rest: String,
}

/// Collects a glyph outline as relative SVG path commands.
#[derive(Default)]
struct RelativePath {
    start: Option<(f32, f32)>,
    rest: String,
    current: (f32, f32),
    subpath_start: (f32, f32),
}

impl RelativePath {
    fn point(&mut self, x: f32, y: f32) {
        let _ = write!(
            self.rest,
            "{} {} ",
            num(f64::from(x - self.current.0)),
            num(f64::from(y - self.current.1))
        );
    }
}

impl OutlineBuilder for RelativePath {
    fn move_to(&mut self, x: f32, y: f32) {
        if self.start.is_none() {
            self.start = Some((x, y));
        } else {
            self.rest.push('m');
            self.point(x, y);
        }
        self.current = (x, y);
        self.subpath_start = (x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.rest.push('l');
        self.point(x, y);
        self.current = (x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.rest.push('q');
        self.point(x1, y1);
        self.point(x, y);
        self.current = (x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.rest.push('c');
        self.point(x1, y1);
        self.point(x2, y2);
        self.point(x, y);
        self.current = (x, y);
    }
    fn close(&mut self) {
        self.rest.push('z');
        self.current = self.subpath_start;
    }
}

/// A shaped label: each glyph with its position in font units, and the total advance.
struct Shaped {
    glyphs: Vec<(u16, i32, i32)>,
    advance: i32,
}

/// Writes labels as filled outline paths, remembering each glyph's outline, each shaping plan
/// (slow to build) and each shaped label (kinds, sizes and badges repeat on every node).
#[derive(Default)]
pub(crate) struct GlyphWriter {
    outlines: HashMap<(bool, u16), Option<Outline>>,
    plans: HashMap<(bool, Direction, Script), ShapePlan>,
    shaped: HashMap<(bool, String), Shaped>,
}

/// Where and how a label is drawn.
pub(crate) struct Placement<'a> {
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub bold: bool,
    pub middle: bool,
    /// `None` inherits the fill of the enclosing group.
    pub fill: Option<&'a str>,
}

impl GlyphWriter {
    /// Appends `text` at `at` as one `<path>` (nothing for text without visible glyphs).
    pub(crate) fn write(&mut self, svg: &mut String, text: &str, at: &Placement<'_>) {
        let face = face(at.bold);
        let key = (at.bold, text.to_owned());
        if !self.shaped.contains_key(&key) {
            let mut buffer = UnicodeBuffer::new();
            buffer.push_str(text);
            buffer.guess_segment_properties();
            let plan = self
                .plans
                .entry((at.bold, buffer.direction(), buffer.script()))
                .or_insert_with(|| {
                    ShapePlan::new(face, buffer.direction(), Some(buffer.script()), None, &[])
                });
            let glyphs = rustybuzz::shape_with_plan(face, plan, buffer);
            let mut pen = 0;
            let mut placed = Vec::with_capacity(glyphs.len());
            for (info, pos) in glyphs.glyph_infos().iter().zip(glyphs.glyph_positions()) {
                placed.push((info.glyph_id as u16, pen + pos.x_offset, pos.y_offset));
                pen += pos.x_advance;
            }
            self.shaped.insert(
                key.clone(),
                Shaped {
                    glyphs: placed,
                    advance: pen,
                },
            );
        }
        let shaped = &self.shaped[&key];
        let mut d = String::new();
        for &(id, gx, gy) in &shaped.glyphs {
            let outline = self.outlines.entry((at.bold, id)).or_insert_with(|| {
                let mut path = RelativePath::default();
                face.outline_glyph(GlyphId(id), &mut path)?;
                Some(Outline {
                    start: path.start?,
                    rest: path.rest,
                })
            });
            if let Some(outline) = outline {
                let _ = write!(
                    d,
                    "M{} {} {}",
                    num(f64::from(gx) + f64::from(outline.start.0)),
                    num(f64::from(gy) + f64::from(outline.start.1)),
                    outline.rest
                );
            }
        }
        if d.is_empty() {
            return;
        }
        let scale = at.size / f64::from(face.units_per_em());
        let x = if at.middle {
            at.x - f64::from(shaped.advance) * scale / 2.0
        } else {
            at.x
        };
        let _ = write!(
            svg,
            r#"<path transform="matrix({scale} 0 0 {neg} {x} {y})""#,
            neg = -scale,
            x = num(x),
            y = num(at.y),
        );
        if let Some(fill) = at.fill {
            let _ = write!(svg, r#" fill="{fill}""#);
        }
        let _ = write!(svg, r#" d="{}"/>"#, d.trim_end());
    }
}
