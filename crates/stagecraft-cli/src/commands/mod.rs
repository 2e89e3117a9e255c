//! One module per subcommand.

pub mod catalog;
pub mod check;
pub mod fmt;
pub mod migrate;
pub mod new;
