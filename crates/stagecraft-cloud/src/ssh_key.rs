//! The SSH public key installed on every server: checked before it is used or remembered, so a
//! private key pasted or picked by mistake is refused (and never stored, sent or logged).

/// Key types providers accept, as the first word of an OpenSSH public key line.
const KEY_TYPES: [&str; 7] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Why a text is not a usable SSH public key. The messages never quote the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshKeyError {
    #[error("this is a PRIVATE key; Stagecraft needs the public key (the .pub file next to it, one line starting with ssh-ed25519 or ssh-rsa). The private key was not stored or sent anywhere")]
    PrivateKey,
    #[error("the SSH public key is empty")]
    Empty,
    #[error("an SSH public key is one line: <type> <key> [comment]")]
    MultipleLines,
    #[error("not an SSH public key: it must start with one of {}", KEY_TYPES.join(", "))]
    UnknownType,
    #[error("the key part of the SSH public key is not valid base64")]
    BadKey,
}

/// Whether `text` looks like a private key in any common format (OpenSSH, PEM, PKCS#8, PuTTY).
pub fn looks_private(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains("PRIVATE KEY") || upper.contains("PUTTY-USER-KEY-FILE")
}

/// The public key line of `text`, trimmed, when it is one OpenSSH public key.
///
/// # Errors
/// [`SshKeyError::PrivateKey`] for anything that looks like a private key; the other variants
/// for text that is not a public key line.
pub fn parse_public_key(text: &str) -> Result<String, SshKeyError> {
    if looks_private(text) {
        return Err(SshKeyError::PrivateKey);
    }
    let line = text.trim();
    if line.is_empty() {
        return Err(SshKeyError::Empty);
    }
    if line.lines().count() > 1 {
        return Err(SshKeyError::MultipleLines);
    }
    let mut words = line.split_whitespace();
    let kind = words.next().unwrap_or_default();
    if !KEY_TYPES.contains(&kind) {
        return Err(SshKeyError::UnknownType);
    }
    let key = words.next().unwrap_or_default();
    let base64 = key.len() >= 16
        && key.len().is_multiple_of(4)
        && key
            .trim_end_matches('=')
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if !base64 {
        return Err(SshKeyError::BadKey);
    }
    Ok(line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGj0YkD2x7tTqv0mUc1H0f5i8mLQ1a2b3c4d5e6f7g8h me@laptop";

    #[test]
    fn accepts_a_public_key_line() {
        assert_eq!(parse_public_key(&format!("  {PUBLIC}\n")).unwrap(), PUBLIC);
    }

    #[test]
    fn refuses_private_keys_of_every_common_format() {
        for text in [
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----",
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----",
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
        ] {
            let error = parse_public_key(text).unwrap_err();
            assert_eq!(error, SshKeyError::PrivateKey, "{text}");
            assert!(error.to_string().contains("PRIVATE key"));
            assert!(!error.to_string().contains("MII"), "the message never quotes the key");
        }
    }

    #[test]
    fn refuses_text_that_is_not_a_key() {
        assert_eq!(parse_public_key("  "), Err(SshKeyError::Empty));
        assert_eq!(
            parse_public_key("hello world"),
            Err(SshKeyError::UnknownType)
        );
        assert_eq!(
            parse_public_key("ssh-ed25519 not*base64*at*all"),
            Err(SshKeyError::BadKey)
        );
        assert_eq!(
            parse_public_key(&format!("{PUBLIC}\n{PUBLIC}")),
            Err(SshKeyError::MultipleLines)
        );
    }
}
