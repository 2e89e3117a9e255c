//! # stagecraft
//!
//! The headless face of Stagecraft: everything the app does, for terminals and CI.
//!
//! Exit codes (stable, scripts rely on them):
//! - 0: success, nothing to report;
//! - 1: the design has problems (a broken file, or findings at error level);
//! - 2: usage error, or a file could not be read or written.
//!
//! Every command takes `--json` and then prints one JSON document on stdout instead of text.

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::output::Output;

#[derive(Parser)]
#[command(
    name = "stagecraft",
    version,
    about = "Design, validate, price and provision cloud infrastructure",
    after_help = "Exit codes: 0 ok, 1 the design has problems, 2 usage or IO error."
)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new design file, blank or from a stage template.
    New {
        /// The file to create (refuses to overwrite an existing file).
        file: PathBuf,
        /// Start from a stage template.
        #[arg(long, value_enum)]
        template: Option<TemplateArg>,
        /// Name of the design (defaults to the file name, or the template's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Check a design file against the rules and report its problems.
    Check {
        file: PathBuf,
        /// Judge against this stage instead of the design's target stage.
        #[arg(long, value_enum)]
        target_stage: Option<commands::check::StageArg>,
        /// Print SARIF 2.1.0 (for code review tools) instead of text or JSON.
        #[arg(long)]
        sarif: bool,
    },
    /// Rewrite a design file in canonical form, atomically (keeps `<file>.bak`).
    Fmt {
        file: PathBuf,
        /// Do not write: exit 1 if the file is not in canonical form.
        #[arg(long)]
        check: bool,
    },
    /// Upgrade a design file written by an older Stagecraft to the current schema version.
    Migrate { file: PathBuf },
    /// List the component catalogue: kinds, ports and how each provider offers them.
    Catalog {
        /// Only this kind (for example `app_server`).
        #[arg(long)]
        kind: Option<String>,
    },
    /// Print the JSON Schema of design files.
    Schema,
    /// Estimate the monthly cost of a design, move it onto one provider, or compare all three.
    Cost(commands::cost::CostArgs),
    /// Show how the monthly cost changes between two designs (or two Git revisions, `REV:path`).
    CostDiff(commands::cost_diff::CostDiffArgs),
    /// Refresh prices from a provider's API, or show which price catalogue is in use.
    #[command(subcommand)]
    Prices(commands::prices::PricesCommand),
    /// Store, check or remove provider API tokens in the OS keyring.
    #[command(subcommand)]
    Credentials(commands::credentials::CredentialsCommand),
    /// Show what apply would create, change and delete at the providers, and why.
    Plan(commands::plan::CloudArgs),
    /// Create and change resources so the providers match the design.
    Apply {
        #[command(flatten)]
        args: commands::plan::CloudArgs,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Delete everything this design created, and nothing else.
    Destroy {
        #[command(flatten)]
        args: commands::plan::CloudArgs,
        /// Do not ask for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Compare what exists with the design and the journal; report drift.
    Refresh(commands::plan::CloudArgs),
    /// Link WireGuard tunnels: apply until done, then exchange the servers' public keys over SSH.
    Link(commands::link::LinkArgs),
    /// Export the design: picture, review report, Terraform, Compose, Mermaid or draw.io.
    Export(commands::export::ExportArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum TemplateArg {
    Mvp,
    Growth,
    Scale,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let out = Output::new(cli.json);
    let result = match cli.command {
        Command::New {
            file,
            template,
            name,
        } => commands::new::run(&out, &file, template.map(TemplateArg::slug), name),
        Command::Check {
            file,
            target_stage,
            sarif,
        } => commands::check::run(&out, &file, target_stage.map(Into::into), sarif),
        Command::Fmt { file, check } => commands::fmt::run(&out, &file, check),
        Command::Migrate { file } => commands::migrate::run(&out, &file),
        Command::Catalog { kind } => commands::catalog::run(&out, kind.as_deref()),
        Command::Schema => commands::catalog::schema(&out),
        Command::Cost(args) => commands::cost::run(&out, &args),
        Command::CostDiff(args) => commands::cost_diff::run(&out, &args),
        Command::Prices(command) => commands::prices::run(&out, &command),
        Command::Credentials(command) => commands::credentials::run(&out, &command),
        Command::Plan(args) => commands::plan::run(&out, &args),
        Command::Apply { args, auto_approve } => commands::apply::run(&out, &args, auto_approve),
        Command::Destroy { args, auto_approve } => {
            commands::destroy::run(&out, &args, auto_approve)
        }
        Command::Refresh(args) => commands::refresh::run(&out, &args),
        Command::Link(args) => commands::link::run(&out, &args),
        Command::Export(args) => commands::export::run(&out, &args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => out.fail(&failure),
    }
}

impl TemplateArg {
    fn slug(self) -> &'static str {
        match self {
            TemplateArg::Mvp => "mvp",
            TemplateArg::Growth => "growth",
            TemplateArg::Scale => "scale",
        }
    }
}

/// Exit code for a run that found problems in the design.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code for usage and IO errors.
pub const EXIT_USAGE: u8 = 2;
