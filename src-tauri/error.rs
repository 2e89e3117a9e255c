//! The one error that crosses IPC. The UI switches on `kind`, never on message text; new kinds
//! are added as variants (the generated bindings then make the UI handle them).

use serde::Serialize;
use stagecraft_model::{LoadErrorKind, LoadProblem};

/// A failed command, as the UI receives it: `{ kind: "invalidDesign", detail: LoadProblem[] }`,
/// `{ kind: "io", detail: string }` or `{ kind: "notFound", detail: string }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum ApiError {
    /// The document cannot be loaded or saved as it is: each problem names the file and, where
    /// known, the line, column and field.
    #[error("the design has {} problem(s)", .0.len())]
    InvalidDesign(Vec<LoadProblem>),
    /// Reading or writing a file failed; the message names the file and the system's reason.
    #[error("{0}")]
    Io(String),
    /// What was asked for does not exist (a file, a template); the message names it.
    #[error("{0}")]
    NotFound(String),
    /// An export could not be rendered or written; the message names the format and the path.
    #[error("{0}")]
    Export(String),
    /// A fix could not be applied to this version of the design (the rules engine says why);
    /// the design is unchanged.
    #[error("{0}")]
    InvalidFix(stagecraft_rules::FixError),
    /// No token is stored in the keyring for this provider and account.
    #[error("no {} credentials stored for account `{account}`", provider.label())]
    CredentialsMissing {
        provider: stagecraft_model::Provider,
        account: String,
    },
    /// No OS keyring could be reached (no Secret Service on the session bus); says what to do.
    #[error("{0}")]
    KeyringUnavailable(String),
    /// The OS keyring is locked or refused access.
    #[error("{0}")]
    KeyringLocked(String),
    /// The keyring refused the credentials (an empty token, an unknown provider).
    #[error("{0}")]
    Credentials(String),
    /// A provider failed: which resource (when one was being changed), why, whether trying again
    /// may help, and what this run had already created (kept and journaled).
    #[error("{}{message}", resource.as_ref().map(|r| format!("{r}: ")).unwrap_or_default())]
    Provider {
        provider: stagecraft_model::Provider,
        reason: stagecraft_cloud::ProviderErrorKind,
        resource: Option<String>,
        message: String,
        retryable: bool,
        created: Vec<String>,
        not_attempted: Vec<String>,
    },
    /// The design has findings at error level; nothing was sent to any provider.
    #[error("the design has {} finding(s) at error level", .0.len())]
    BlockingFindings(Vec<crate::commands::provision::BlockingFinding>),
    /// The design on screen differs from its saved file, which provisioning works on.
    #[error("{0}")]
    UnsavedChanges(String),
    /// Another apply or destroy is running.
    #[error("{0}")]
    Busy(String),
    /// A price refresh was refused (unreachable API, HTTP error, a malformed or partial answer);
    /// the stored prices are unchanged. The message names the endpoint and the problem.
    #[error("{} prices were not refreshed: {message}", provider.label())]
    PriceRefresh {
        provider: stagecraft_model::Provider,
        message: String,
    },
    /// An option of the run is not usable (an admin address that is not a CIDR); the message
    /// names it and the problem. Nothing was sent to any provider.
    #[error("{0}")]
    InvalidOption(String),
    /// Linking WireGuard tunnels stopped: which server (when one was being reached), what kind
    /// of SSH problem, what happened, and what to do about it.
    #[error("{}{message}", server.as_ref().map(|s| format!("{s}: ")).unwrap_or_default())]
    Link {
        server: Option<String>,
        problem: Option<stagecraft_cloud::wireguard::SshProblem>,
        message: String,
        fix: String,
    },
}

impl From<stagecraft_model::LoadError> for ApiError {
    /// A file that could not be read is `Io` (or `NotFound` when it is missing); a file that was
    /// read but is not a usable design is `InvalidDesign` with every problem the loader found.
    fn from(error: stagecraft_model::LoadError) -> Self {
        if error.kind() == LoadErrorKind::Io {
            let message = error.to_string();
            let missing = error
                .problems
                .first()
                .is_some_and(|p| !std::path::Path::new(&p.file).exists());
            if missing {
                ApiError::NotFound(message)
            } else {
                ApiError::Io(message)
            }
        } else {
            ApiError::InvalidDesign(error.problems)
        }
    }
}

impl From<stagecraft_model::SaveError> for ApiError {
    fn from(error: stagecraft_model::SaveError) -> Self {
        ApiError::Io(error.to_string())
    }
}
