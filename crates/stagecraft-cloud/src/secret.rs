//! A token held in memory only as long as needed.

use std::fmt;

use zeroize::Zeroizing;

/// An API token or secret key. It cannot be serialized or displayed, prints `<redacted>` under
/// `Debug`, and its bytes are wiped from memory when it is dropped, so it cannot reach a file,
/// a log line or the UI by accident. Read it only where it goes on the wire, with [`Secret::expose`].
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a token, trimming surrounding whitespace (a pasted token often ends in a newline).
    pub fn new(value: impl Into<String>) -> Self {
        let mut value: String = value.into();
        let trimmed = value.trim();
        if trimmed.len() != value.len() {
            let owned = trimmed.to_owned();
            // Wipe the untrimmed copy before it is dropped.
            zeroize::Zeroize::zeroize(&mut value);
            value = owned;
        }
        Self(Zeroizing::new(value))
    }

    /// The token itself. Call this only to put it on the wire or into the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty (after trimming).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-token");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(
            format!("{:?}", Some(&secret)),
            "Some(<redacted>)",
            "nested Debug must redact too"
        );
    }

    #[test]
    fn trims_pasted_whitespace() {
        assert_eq!(Secret::new("  abc\n").expose(), "abc");
        assert!(Secret::new(" \n").is_empty());
    }
}
