//! The design file named on the command line: `stagecraft-desktop [FILE]`.

use std::ffi::OsString;
use std::path::Path;

/// The file to open at start, made absolute against the working folder so the UI can show it
/// and save back to it whatever folder it runs in. Tauri state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartupFile(pub Option<String>);

impl StartupFile {
    /// The first argument that is not an option (options start with `-`; WebKit and the test
    /// driver may add some). `args` excludes the program name.
    pub fn from_args(args: impl IntoIterator<Item = OsString>, cwd: Option<&Path>) -> Self {
        let file = args
            .into_iter()
            .find(|a| !a.to_string_lossy().starts_with('-'))
            .map(|arg| {
                let path = Path::new(&arg);
                match cwd {
                    Some(cwd) if path.is_relative() => cwd.join(path),
                    _ => path.to_path_buf(),
                }
            })
            .map(|p| p.to_string_lossy().into_owned());
        Self(file)
    }
}
