//! One module per subcommand.

pub mod apply;
pub mod catalog;
pub mod check;
pub mod cost;
pub mod cost_diff;
pub mod credentials;
pub mod destroy;
pub mod export;
pub mod fmt;
pub mod link;
pub mod migrate;
pub mod new;
pub mod plan;
pub mod prices;
pub mod refresh;
