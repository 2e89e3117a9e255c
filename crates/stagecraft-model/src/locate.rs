//! Finds where a value sits in the source text, so problems found after parsing (a duplicate id,
//! a dangling reference) still point at a line and column.

use crate::error::Position;

/// Line and column (1-based, columns counted in characters) of a byte offset in `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// Offsets of every JSON string literal equal to `value` that is the value of member `key`
/// (`"key": "value"`). Ids hold no characters that JSON escapes, so a plain search is exact.
pub fn find_member_values(text: &str, key: &str, value: &str) -> Vec<usize> {
    let quoted = format!("\"{value}\"");
    let quoted_key = format!("\"{key}\"");
    text.match_indices(&quoted)
        .map(|(offset, _)| offset)
        .filter(|&offset| {
            let before = text[..offset].trim_end();
            before
                .strip_suffix(':')
                .map(str::trim_end)
                .is_some_and(|b| b.ends_with(&quoted_key))
        })
        .collect()
}

/// Offset of the first JSON string literal equal to `value`, wherever it is.
pub fn find_string(text: &str, value: &str) -> Option<usize> {
    text.find(&format!("\"{value}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "{\n  \"a\": \"é\",\n  \"b\": 1\n}";
        let offset = text.find("\"b\"").unwrap();
        assert_eq!(position_of(text, offset), Position { line: 3, column: 3 });
        let offset = text.find('é').unwrap() + 'é'.len_utf8();
        assert_eq!(
            position_of(text, offset),
            Position {
                line: 2,
                column: 10
            }
        );
    }

    #[test]
    fn member_values_match_only_their_key() {
        let text = r#"{"id": "cmp_a", "from": "cmp_a", "x": {"id" : "cmp_a"}}"#;
        assert_eq!(find_member_values(text, "id", "cmp_a").len(), 2);
        assert_eq!(find_member_values(text, "from", "cmp_a").len(), 1);
        assert!(find_member_values(text, "to", "cmp_a").is_empty());
    }
}
