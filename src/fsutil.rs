//! Writing files so that a failure never leaves a partial one: write a temporary file in the
//! same folder, then rename it over the target.

use crate::protocol::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically; `private` makes the file mode 600 (for anything
/// sensitive) before any byte is written.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| {
        Error::new(
            "WriteError",
            format!("Could not write {}: {e}", path.display()),
        )
    };
    let mut file = tempfile::Builder::new()
        .prefix(".logik-refresh-")
        .tempfile_in(dir)
        .map_err(fail)?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    #[cfg(not(unix))]
    let _ = private;
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Creates a folder (and its parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}
