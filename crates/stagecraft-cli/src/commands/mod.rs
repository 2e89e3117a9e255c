//! One module per subcommand.

pub mod catalog;
pub mod check;
pub mod cost;
pub mod cost_diff;
pub mod fmt;
pub mod migrate;
pub mod new;
