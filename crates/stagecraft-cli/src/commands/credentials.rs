//! `stagecraft credentials set|test|delete|status PROVIDER [--account A]`: provider API tokens
//! in the OS keyring. `set` reads the token from standard input (piped) or a prompt, never from
//! the command line, where it would land in shell history and `ps`.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use serde_json::json;
use stagecraft_cloud::credentials::{
    credential_status, delete_credentials, read_credentials, set_credentials, CredentialKey,
};
use stagecraft_cloud::{base_url, verify_token, ClientConfig, Secret};
use stagecraft_model::Provider;

use crate::output::{Failure, Output};
use crate::EXIT_PROBLEMS;

/// A provider on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum ProviderArg {
    Hetzner,
    Digitalocean,
    Aws,
}

impl From<ProviderArg> for Provider {
    fn from(arg: ProviderArg) -> Self {
        match arg {
            ProviderArg::Hetzner => Provider::Hetzner,
            ProviderArg::Digitalocean => Provider::Digitalocean,
            ProviderArg::Aws => Provider::Aws,
        }
    }
}

#[derive(Subcommand)]
pub enum CredentialsCommand {
    /// Store an API token (read from standard input or a prompt that does not echo). For AWS,
    /// the access key as ACCESS_KEY_ID:SECRET_ACCESS_KEY.
    Set {
        #[arg(value_enum)]
        provider: ProviderArg,
        /// Account name, for several projects at one provider.
        #[arg(long)]
        account: Option<String>,
    },
    /// Check the stored token with a cheap authenticated API call.
    Test {
        #[arg(value_enum)]
        provider: ProviderArg,
        #[arg(long)]
        account: Option<String>,
    },
    /// Remove the stored token.
    Delete {
        #[arg(value_enum)]
        provider: ProviderArg,
        #[arg(long)]
        account: Option<String>,
    },
    /// Say whether a token is stored (never shows it).
    Status {
        #[arg(value_enum)]
        provider: ProviderArg,
        #[arg(long)]
        account: Option<String>,
    },
}

/// What to paste for `provider`: AWS takes an access key pair, the others one API token.
fn token_form(provider: Provider) -> &'static str {
    match provider {
        Provider::Aws => "the access key as ACCESS_KEY_ID:SECRET_ACCESS_KEY",
        _ => "the API token",
    }
}

fn read_token(provider: Provider) -> Result<Secret, Failure> {
    let stdin = std::io::stdin();
    let form = token_form(provider);
    let text = if stdin.is_terminal() {
        // Read from the terminal with echo off: the token never shows on screen or in scrollback.
        rpassword::prompt_password(format!("Paste {form} and press Enter (not shown): "))
            .map_err(|e| Failure::Usage(format!("cannot read the token: {e}")))?
    } else {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text).map_err(|e| {
            Failure::Usage(format!("cannot read the token from standard input: {e}"))
        })?;
        text
    };
    let token = Secret::new(text);
    if token.is_empty() {
        return Err(Failure::Usage(format!(
            "nothing given: pipe {form} on standard input or paste it at the prompt"
        )));
    }
    Ok(token)
}

pub fn run(out: &Output, command: &CredentialsCommand) -> Result<ExitCode, Failure> {
    let usage = |e: stagecraft_cloud::CredentialError| Failure::Usage(e.to_string());
    match command {
        CredentialsCommand::Set { provider, account } => {
            let key = CredentialKey::new((*provider).into(), account.as_deref());
            let token = read_token((*provider).into())?;
            set_credentials(&key, &token).map_err(usage)?;
            out.print(&json!({ "ok": true, "provider": key.provider, "account": key.account, "hasCredentials": true }), || {
                format!("Stored the token for {key} in the OS keyring.")
            });
            Ok(ExitCode::SUCCESS)
        }
        CredentialsCommand::Status { provider, account } => {
            let key = CredentialKey::new((*provider).into(), account.as_deref());
            let status = credential_status(&key).map_err(usage)?;
            out.print(&status, || {
                if status.has_credentials {
                    format!("A token is stored for {key}.")
                } else {
                    format!("No token stored for {key}.")
                }
            });
            Ok(ExitCode::SUCCESS)
        }
        CredentialsCommand::Delete { provider, account } => {
            let key = CredentialKey::new((*provider).into(), account.as_deref());
            let removed = delete_credentials(&key).map_err(usage)?;
            out.print(&json!({ "ok": true, "removed": removed }), || {
                if removed {
                    format!("Removed the token for {key}.")
                } else {
                    format!("No token was stored for {key}.")
                }
            });
            Ok(ExitCode::SUCCESS)
        }
        CredentialsCommand::Test { provider, account } => {
            let provider: Provider = (*provider).into();
            let key = CredentialKey::new(provider, account.as_deref());
            let token = read_credentials(&key).map_err(usage)?;
            let result = stagecraft_cloud::block_on(verify_token(
                provider,
                ClientConfig::new(base_url(provider)),
                token,
            ));
            match result {
                Ok(()) => {
                    out.print(&json!({ "ok": true, "provider": provider }), || {
                        format!("{} accepted the token for {key}.", provider.label())
                    });
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => {
                    out.print(&json!({ "ok": false, "error": error }), || {
                        format!("The token for {key} does not work: {error}")
                    });
                    Ok(ExitCode::from(EXIT_PROBLEMS))
                }
            }
        }
    }
}
