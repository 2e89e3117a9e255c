//! How commands talk to the person or script that ran them: text on stdout for people, one JSON
//! document with `--json`, and errors on stderr (or as JSON) with the documented exit code.

use std::process::ExitCode;

use serde::Serialize;
use serde_json::json;
use stagecraft_model::{LoadError, LoadProblem};

use crate::{EXIT_PROBLEMS, EXIT_USAGE};

pub struct Output {
    pub json: bool,
}

/// Why a command stopped.
pub enum Failure {
    /// The design file is broken: exit 1 with its problems.
    Design(LoadError),
    /// A file could not be read or written, or the arguments make no sense: exit 2.
    Usage(String),
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Self {
        // A file that cannot be opened at all is an IO error, not a problem of the design.
        if error.kind() == stagecraft_model::LoadErrorKind::Io {
            Failure::Usage(error.to_string())
        } else {
            Failure::Design(error)
        }
    }
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    /// Prints a result: `value` as JSON with `--json`, otherwise the text `human` builds.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value)
                    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
            );
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }

    pub fn fail(&self, failure: &Failure) -> ExitCode {
        match failure {
            Failure::Design(error) => {
                if self.json {
                    println!("{}", problems_json(&error.problems));
                } else {
                    for problem in &error.problems {
                        eprintln!("error: {problem}");
                    }
                }
                ExitCode::from(EXIT_PROBLEMS)
            }
            Failure::Usage(message) => {
                if self.json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(
                            &json!({"ok": false, "error": {"kind": "usage", "message": message}})
                        )
                        .unwrap_or_default()
                    );
                } else {
                    eprintln!("error: {message}");
                }
                ExitCode::from(EXIT_USAGE)
            }
        }
    }
}

pub fn problems_json(problems: &[LoadProblem]) -> String {
    serde_json::to_string_pretty(&json!({"ok": false, "problems": problems})).unwrap_or_default()
}
