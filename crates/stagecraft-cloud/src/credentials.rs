//! Provider credentials in the OS keyring (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows). Entries are stored under service [`KEYRING_SERVICE`] and user
//! `<provider>:<account>`, the convention shared by the whole project.
//!
//! Keyring calls block (a D-Bus round trip, tens of milliseconds): call them off any UI thread.
//! Nothing here returns a token across IPC: the UI learns only [`CredentialStatus`].

use serde::Serialize;
use stagecraft_model::Provider;

use crate::secret::Secret;

/// Keyring service name for every Stagecraft entry.
pub const KEYRING_SERVICE: &str = "stagecraft";
/// Account name used when the user does not give one.
pub const DEFAULT_ACCOUNT: &str = "default";

/// Which credentials: a provider and an account name (several projects per provider).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, specta::Type)]
pub struct CredentialKey {
    pub provider: Provider,
    pub account: String,
}

impl CredentialKey {
    /// The key for `provider` and `account` (`None` means [`DEFAULT_ACCOUNT`]).
    pub fn new(provider: Provider, account: Option<&str>) -> Self {
        Self {
            provider,
            account: account.unwrap_or(DEFAULT_ACCOUNT).to_owned(),
        }
    }

    /// The keyring user name, `<provider>:<account>`.
    pub fn keyring_user(&self) -> String {
        format!("{}:{}", self.provider.slug(), self.account)
    }
}

impl std::fmt::Display for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} account `{}`", self.provider.slug(), self.account)
    }
}

/// What the UI may know about stored credentials: whether they exist, never their value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    pub provider: Provider,
    pub account: String,
    pub has_credentials: bool,
}

/// Why a keyring operation failed. The messages say what to do; none contains a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum CredentialError {
    /// No keyring service could be reached (no Secret Service on the session bus).
    #[error("no OS keyring is available ({0}); on Linux start a Secret Service such as gnome-keyring in a D-Bus session")]
    KeyringUnavailable(String),
    /// The keyring exists but is locked or refused access.
    #[error("the OS keyring is locked or refused access ({0}); unlock it and try again")]
    KeyringLocked(String),
    /// No credentials are stored for this provider and account.
    #[error("no credentials stored for {0}; store them with `stagecraft credentials set`")]
    Missing(CredentialKey),
    /// The token given is empty or not usable for this provider.
    #[error("{0}")]
    Invalid(String),
    /// Any other keyring failure.
    #[error("the OS keyring failed: {0}")]
    Keyring(String),
}

fn map_keyring_error(key: &CredentialKey, error: keyring::Error) -> CredentialError {
    match error {
        keyring::Error::NoEntry => CredentialError::Missing(key.clone()),
        keyring::Error::NoStorageAccess(e) => CredentialError::KeyringLocked(e.to_string()),
        keyring::Error::NoDefaultStore => {
            CredentialError::KeyringUnavailable("no default credential store".into())
        }
        keyring::Error::PlatformFailure(e) => {
            let text = e.to_string();
            // zbus reports a missing Secret Service or session bus as a platform failure.
            let lower = text.to_lowercase();
            if lower.contains("locked") || lower.contains("prompt") || lower.contains("dismiss") {
                CredentialError::KeyringLocked(text)
            } else {
                CredentialError::KeyringUnavailable(text)
            }
        }
        other => CredentialError::Keyring(other.to_string()),
    }
}

fn entry(key: &CredentialKey) -> Result<keyring::Entry, CredentialError> {
    if let Err(error) = keyring::Entry::store_status() {
        return Err(CredentialError::KeyringUnavailable(error.to_string()));
    }
    keyring::Entry::new(KEYRING_SERVICE, &key.keyring_user()).map_err(|e| map_keyring_error(key, e))
}

/// Stores (or replaces) the token for `key`.
///
/// # Errors
/// [`CredentialError::Invalid`] for an empty token; keyring errors as mapped above.
pub fn set_credentials(key: &CredentialKey, token: &Secret) -> Result<(), CredentialError> {
    if token.is_empty() {
        return Err(CredentialError::Invalid("the token is empty".into()));
    }
    if key.provider == Provider::Unassigned {
        return Err(CredentialError::Invalid(
            "credentials belong to a real provider (hetzner, digitalocean or aws)".into(),
        ));
    }
    entry(key)?
        .set_password(token.expose())
        .map_err(|e| map_keyring_error(key, e))
}

/// Reads the token for `key`. Only provider clients should call this.
///
/// # Errors
/// [`CredentialError::Missing`] when nothing is stored; keyring errors otherwise.
pub fn read_credentials(key: &CredentialKey) -> Result<Secret, CredentialError> {
    entry(key)?
        .get_password()
        .map(Secret::new)
        .map_err(|e| map_keyring_error(key, e))
}

/// Removes the token for `key`. Returns whether something was removed.
///
/// # Errors
/// Keyring errors other than "no entry".
pub fn delete_credentials(key: &CredentialKey) -> Result<bool, CredentialError> {
    match entry(key)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(map_keyring_error(key, e)),
    }
}

/// Whether a token is stored for `key`, as the UI may learn it.
///
/// # Errors
/// Keyring errors (unavailable, locked); a missing entry is `has_credentials: false`.
pub fn credential_status(key: &CredentialKey) -> Result<CredentialStatus, CredentialError> {
    let has_credentials = match read_credentials(key) {
        Ok(_) => true,
        Err(CredentialError::Missing(_)) => false,
        Err(e) => return Err(e),
    };
    Ok(CredentialStatus {
        provider: key.provider,
        account: key.account.clone(),
        has_credentials,
    })
}

/// Shorthand for [`credential_status`]`.has_credentials`.
///
/// # Errors
/// As [`credential_status`].
pub fn has_credentials(key: &CredentialKey) -> Result<bool, CredentialError> {
    credential_status(key).map(|s| s.has_credentials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_user_follows_project_convention() {
        let key = CredentialKey::new(Provider::Hetzner, None);
        assert_eq!(key.keyring_user(), "hetzner:default");
        let key = CredentialKey::new(Provider::Digitalocean, Some("prod"));
        assert_eq!(key.keyring_user(), "digitalocean:prod");
    }

    #[test]
    fn missing_message_names_provider_and_fix() {
        let err = CredentialError::Missing(CredentialKey::new(Provider::Aws, Some("ci")));
        let text = err.to_string();
        assert!(text.contains("aws") && text.contains("`ci`") && text.contains("credentials set"));
    }
}
