//! The icons drawn in exports, one per catalogue `icon` name: simple line drawings on a 24x24
//! grid, stroked with `currentColor`-free explicit attributes so resvg, svg2pdf and browsers
//! render them the same. Drawn for Stagecraft (no icon font, no external files).

/// SVG markup (paths, circles, rects) of an icon on a 24x24 grid, or `None` for a name the
/// exports do not know (drawn as [`FALLBACK`]).
pub fn icon(name: &str) -> Option<&'static str> {
    Some(match name {
        "users" => concat!(
            r#"<circle cx="9" cy="8" r="3.5"/>"#,
            r#"<path d="M3 20c0-3.6 2.7-6 6-6s6 2.4 6 6"/>"#,
            r#"<circle cx="17" cy="9" r="2.5"/>"#,
            r#"<path d="M16 14.1c2.9.3 5 2.5 5 5.9"/>"#
        ),
        "globe" => concat!(
            r#"<circle cx="12" cy="12" r="9"/>"#,
            r#"<ellipse cx="12" cy="12" rx="4" ry="9"/>"#,
            r#"<path d="M3 12h18M4.6 7.5h14.8M4.6 16.5h14.8"/>"#
        ),
        "cloud-lightning" => concat!(
            r#"<path d="M7 17.5H6.5a4 4 0 0 1-.3-8a6 6 0 0 1 11.4 1.6a3.3 3.3 0 0 1 .4 6.4"/>"#,
            r#"<path d="M12.5 12l-2.5 4h4l-2.5 4"/>"#
        ),
        "split" => concat!(
            r#"<path d="M3 12h6l6-6h5M9 12h11M9 12l6 6h5"/>"#,
            r#"<path d="M18 4l2 2l-2 2M18 10l2 2l-2 2M18 16l2 2l-2 2"/>"#
        ),
        "shield-arrow" => concat!(
            r#"<path d="M12 3l7 3v5.5c0 4.3-2.9 7.7-7 9.5c-4.1-1.8-7-5.2-7-9.5V6z"/>"#,
            r#"<path d="M8.5 12h7M13 9.5l2.5 2.5l-2.5 2.5"/>"#
        ),
        "server" => concat!(
            r#"<rect x="4" y="4" width="16" height="7" rx="1.5"/>"#,
            r#"<rect x="4" y="13" width="16" height="7" rx="1.5"/>"#,
            r#"<path d="M7.5 7.5h1M7.5 16.5h1M12 7.5h4.5M12 16.5h4.5"/>"#
        ),
        "cog" => concat!(
            r#"<circle cx="12" cy="12" r="3"/>"#,
            r#"<circle cx="12" cy="12" r="6.5"/>"#,
            r#"<path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1"/>"#
        ),
        "layers" => concat!(
            r#"<path d="M12 3.5l8.5 4.5l-8.5 4.5l-8.5-4.5z"/>"#,
            r#"<path d="M3.5 12l8.5 4.5l8.5-4.5M3.5 16l8.5 4.5l8.5-4.5"/>"#
        ),
        "database" => concat!(
            r#"<ellipse cx="12" cy="5.5" rx="7" ry="2.5"/>"#,
            r#"<path d="M5 5.5v13c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5v-13"/>"#,
            r#"<path d="M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5"/>"#
        ),
        "database-server" => concat!(
            r#"<ellipse cx="12" cy="4.5" rx="6" ry="2"/>"#,
            r#"<path d="M6 4.5v6c0 1.1 2.7 2 6 2s6-.9 6-2v-6"/>"#,
            r#"<rect x="4" y="15" width="16" height="6" rx="1.5"/>"#,
            r#"<path d="M7.5 18h1M12 18h4.5"/>"#
        ),
        "zap" => r#"<path d="M13.5 2.5L5 13.5h6.5l-1 8l8.5-11h-6.5z"/>"#,
        "archive" => concat!(
            r#"<rect x="3" y="4" width="18" height="5" rx="1"/>"#,
            r#"<path d="M5 9v10.5h14V9M10 13h4"/>"#
        ),
        "hard-drive" => concat!(
            r#"<rect x="3" y="13" width="18" height="7" rx="1.5"/>"#,
            r#"<path d="M5.5 13L8.5 4.5h7l3 8.5M7 16.5h1M10.5 16.5h1"/>"#
        ),
        "brick-wall" => concat!(
            r#"<rect x="3" y="4" width="18" height="16" rx="1"/>"#,
            r#"<path d="M3 9.3h18M3 14.7h18M9 4v5.3M15 4v5.3M6 9.3v5.4M12 9.3v5.4M18 9.3v5.4M9 14.7V20M15 14.7V20"/>"#
        ),
        "lock" => concat!(
            r#"<rect x="5" y="11" width="14" height="9.5" rx="1.5"/>"#,
            r#"<path d="M8 11V7.5a4 4 0 0 1 8 0V11M12 14.5v2.5"/>"#
        ),
        "history" => concat!(
            r#"<path d="M4 12a8 8 0 1 0 2.4-5.7L4 8.7"/>"#,
            r#"<path d="M4 4v4.7h4.7M12 7.5V12l3 2"/>"#
        ),
        "activity" => r#"<path d="M3 12h4l3-7l4 14l3-7h4"/>"#,
        _ => return None,
    })
}

/// Drawn for an icon name the exports do not know: a box with a question mark.
pub const FALLBACK: &str = concat!(
    r#"<rect x="4" y="4" width="16" height="16" rx="2"/>"#,
    r#"<path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 16.5v.5"/>"#
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_icon_is_drawn() {
        for spec in &stagecraft_model::catalog().kinds {
            assert!(
                icon(&spec.icon).is_some(),
                "catalogue icon `{}` of {:?} has no drawing",
                spec.icon,
                spec.kind
            );
        }
    }
}
