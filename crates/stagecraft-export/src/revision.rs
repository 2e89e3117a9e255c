//! The last committed version of a design file, read from Git, so a review report can say what
//! changed since the last commit without the user exporting an old copy by hand.
//!
//! The reading lives in `stagecraft_model::revision`, shared with the CLI's `REV:path`
//! arguments (`stagecraft cost-diff`, `stagecraft export --previous`).

pub use stagecraft_model::revision::{last_committed, CommittedVersion};
