//! `stagecraft cost-diff OLD NEW`: how the monthly cost changes between two designs. Either side
//! may be `REV:path`, read with `git show` (two Git revisions of one file), so a pull request can
//! show its cost change.

use std::path::Path;
use std::process::ExitCode;

use stagecraft_model::{load_file, load_str, revision, Design};
use stagecraft_pricing::diff_with;

use crate::commands::cost::{load_prices, options, CurrencyArg};
use crate::output::{Failure, Output};

#[derive(Debug, Clone, clap::Args)]
pub struct CostDiffArgs {
    /// The old design: a file, or `REV:path` read from Git (`main:infra/app.stagecraft.json`).
    pub old: String,
    /// The new design: a file, or `REV:path`.
    pub new: String,
    /// Print Markdown fit for a pull-request comment.
    #[arg(long)]
    pub markdown: bool,
    #[arg(long, default_value_t = 730)]
    pub hours: u32,
    #[arg(long, value_enum)]
    pub currency: Option<CurrencyArg>,
    #[arg(long, value_name = "PERCENT")]
    pub vat: Option<String>,
    #[arg(long, value_name = "RATE", default_value = "1.17")]
    pub usd_per_eur: String,
    /// Which prices: `stored` (default), `embedded`, or a catalogue FILE (see `stagecraft cost`).
    #[arg(long, value_name = "stored|embedded|FILE")]
    pub prices: Option<String>,
}

/// Loads a design from a file, or from Git when the argument is `REV:path` and no such file
/// exists.
pub(crate) fn load(arg: &str) -> Result<Design, Failure> {
    if !revision::names_revision(arg) {
        return Ok(load_file(Path::new(arg))?.design);
    }
    let text = revision::read_at_revision(arg).map_err(Failure::Usage)?;
    Ok(load_str(&text, arg)?.design)
}

pub fn run(out: &Output, args: &CostDiffArgs) -> Result<ExitCode, Failure> {
    if out.json && args.markdown {
        return Err(Failure::Usage("choose one of --json and --markdown".into()));
    }
    let options = options(
        args.hours,
        args.currency,
        args.vat.as_deref(),
        &args.usd_per_eur,
    )?;
    let prices = load_prices(args.prices.as_deref())?;
    let catalogs = prices.layers();
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let diff = diff_with(&old, &new, &options, &catalogs);
    if args.markdown {
        print!("{}", diff.to_markdown());
    } else {
        out.print(&diff, || diff.to_text());
    }
    Ok(ExitCode::SUCCESS)
}
