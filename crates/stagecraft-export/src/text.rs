//! Small text utilities shared by every writer: XML escaping, stable number formatting, and a
//! width estimate for the embedded DejaVu Sans (good enough to size labels and truncate names;
//! exact shaping happens later in resvg/svg2pdf with the same font).

use std::borrow::Cow;

/// Escapes text for XML content and attribute values (`& < > " '`).
pub fn xml_escape(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// Formats a coordinate with at most two decimals and no trailing zeros, so output bytes do not
/// depend on float noise (`120`, `120.5`, never `120.50000001` or `-0`).
pub fn num(value: f64) -> String {
    let hundredths = (value * 100.0).round();
    // Integer arithmetic for every coordinate a drawing can have: `format!("{:.2}")` is exact
    // but slow, and a large PNG writes millions of numbers. Same text as the general path below.
    if hundredths.abs() < 1e15 {
        let hundredths = hundredths as i64;
        if hundredths == 0 {
            return "0".to_owned();
        }
        let sign = if hundredths < 0 { "-" } else { "" };
        let (whole, cents) = (
            hundredths.unsigned_abs() / 100,
            hundredths.unsigned_abs() % 100,
        );
        return match cents {
            0 => format!("{sign}{whole}"),
            c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
            c => format!("{sign}{whole}.{c:02}"),
        };
    }
    let rounded = (value * 100.0).round() / 100.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

/// Approximate advance width of `text` in DejaVu Sans at `size` px (bold is ~10% wider).
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | ' ' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.38,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.92,
            'A'..='Z' => 0.7,
            '0'..='9' => 0.64,
            c if c.is_ascii() => 0.6,
            _ => 0.8,
        })
        .sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// `text` cut to fit `max_width` px with an ellipsis, or unchanged when it fits.
pub fn fit(text: &str, max_width: f64, size: f64, bold: bool) -> String {
    if text_width(text, size, bold) <= max_width {
        return text.to_owned();
    }
    let ellipsis_width = text_width("…", size, bold);
    let mut out = String::new();
    for c in text.chars() {
        let mut candidate = out.clone();
        candidate.push(c);
        if text_width(&candidate, size, bold) + ellipsis_width > max_width {
            break;
        }
        out = candidate;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_xml_special_character() {
        assert_eq!(
            xml_escape(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(120.0), "120");
        assert_eq!(num(120.5), "120.5");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(-12.345), "-12.35");
    }

    /// The integer fast path writes exactly what the general `{:.2}` formatting writes.
    #[test]
    fn the_fast_path_writes_what_exact_formatting_writes() {
        fn exact(value: f64) -> String {
            let rounded = (value * 100.0).round() / 100.0;
            let rounded = if rounded == 0.0 { 0.0 } else { rounded };
            let text = format!("{rounded:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        let mut value = -5000.0f64;
        while value < 5000.0 {
            for v in [value, value + 0.005, value - 0.005, value + 1e-9] {
                assert_eq!(num(v), exact(v), "{v}");
            }
            value += 0.37;
        }
        for v in [
            0.0,
            -0.0,
            0.004,
            -0.004,
            0.005,
            -0.005,
            123456789.125,
            1e20,
            f64::NAN,
        ] {
            assert_eq!(num(v), exact(v), "{v}");
        }
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_and_short_text_kept() {
        assert_eq!(fit("app", 100.0, 12.0, false), "app");
        let cut = fit("a-very-long-component-name-indeed", 80.0, 12.0, false);
        assert!(cut.ends_with('…') && cut.len() < 33, "{cut}");
        assert!(text_width(&cut, 12.0, false) <= 80.0);
    }
}
