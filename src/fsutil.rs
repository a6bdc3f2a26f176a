//! Files in and out. Reading: the one bounded reader every file the tool reads goes through
//! (regular files only, never blocking on a FIFO, never more than [`MAX_FILE_BYTES`]). Writing:
//! a temporary file in the same folder renamed over the target, so a failure never leaves a
//! partial file; `--output` paths are checked first, so a device, FIFO, folder or read-only file
//! is refused rather than replaced.

use crate::protocol::{Error, Result};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The most the tool reads of any one file: sf's files, journals and payloads are far smaller.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a path is when it is not a regular file (`None` for a regular file).
fn special_kind(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

fn refuse_special(meta: &Metadata) -> io::Result<()> {
    match special_kind(meta) {
        None => Ok(()),
        Some(kind) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is {kind}, not a regular file"),
        )),
    }
}

/// Reads a whole file, the one way the tool reads any file: only a regular file (a FIFO, a
/// device such as /dev/zero, a folder or a socket is refused, and a FIFO is never waited on), and
/// at most [`MAX_FILE_BYTES`]. Errors keep their kind (`NotFound` stays `NotFound`) so callers
/// can tell a missing file from a bad one.
pub fn read_bounded(path: &Path) -> io::Result<Vec<u8>> {
    refuse_special(&std::fs::metadata(path)?)?;
    let mut options = OpenOptions::new();
    options.read(true);
    // Should the path become a FIFO between the check and the open, the open does not wait
    // for a writer; the check below then refuses what was opened.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file: File = options.open(path)?;
    let meta = file.metadata()?;
    refuse_special(&meta)?;
    // Sized from the file's length (a hint only: the file may grow or shrink meanwhile), so a
    // small file is read in one call rather than in doubling steps from 32 bytes.
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it is larger than {} MiB, more than this tool ever reads",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(bytes)
}

/// [`read_bounded`], as UTF-8 text (`InvalidData` when it is not).
pub fn read_bounded_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bounded(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// [`read_bounded_text`] of a file that may not be there: `None` when the path, or a folder on
/// it, does not exist (sf writes its files only once it has something to keep).
pub fn read_bounded_text_if_present(path: &Path) -> io::Result<Option<String>> {
    match read_bounded_text(path) {
        Ok(text) => Ok(Some(text)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Where `--output` goes: stdout for `-`, else a file checked by [`output_target`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    Stdout,
    File(PathBuf),
}

/// Checks an `--output` path before any work is done: `-` is stdout; a new path, or an existing
/// regular file this user may write, is accepted (through a symbolic link, its target is
/// written); a device, FIFO, folder, socket or read-only file is refused (exit 2), never replaced.
pub fn output_target(path: &Path) -> Result<OutputTarget> {
    if path.as_os_str() == "-" {
        return Ok(OutputTarget::Stdout);
    }
    checked_target(
        path,
        "OutputPathError",
        "--output",
        "Give --output a new file name, or - for standard output.",
    )
    .map(OutputTarget::File)
}

/// Checks a file a command rewrites in place (`config init`'s project file) as `--output` is
/// checked: a new path, or an existing regular file this user may write (through a symbolic
/// link, its target); anything else is refused (exit 2) before any work. Returns the file to
/// write.
pub fn writable_file(path: &Path, what: &str) -> Result<PathBuf> {
    checked_target(
        path,
        "FilePathError",
        what,
        "Make the file writable (or point the command at another with --config), then run this again.",
    )
}

/// Writes a file checked with [`writable_file`] (checked again here: the path may have changed
/// since) atomically, through a symbolic link to its target; an existing file keeps its
/// permissions, a new one gets the usual 644.
pub fn write_file(path: &Path, bytes: &[u8], what: &str) -> Result<()> {
    let target = writable_file(path, what)?;
    let mode = std::fs::metadata(&target).ok().map(|m| m.permissions());
    #[cfg(unix)]
    let mode = mode.or_else(|| {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    });
    write_atomic_with(&target, bytes, mode)
}

fn checked_target(path: &Path, name: &str, what: &str, action: &str) -> Result<PathBuf> {
    let shown = path.display().to_string();
    let refuse = |why: String| {
        Error::input(
            name,
            format!("{what} {shown}: {why}; {what} writes only to a new file or an existing regular file you may write."),
        )
        .with_action(action)
        .with_data(serde_json::json!({ "path": shown }))
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(path.into()),
        Err(e) => return Err(refuse(format!("cannot check it ({e})"))),
    };
    if let Some(kind) = special_kind(&meta) {
        return Err(refuse(format!("it is {kind}")));
    }
    if meta.permissions().readonly() || !may_write(path) {
        return Err(refuse("the file is read-only".into()));
    }
    std::fs::canonicalize(path).map_err(|e| refuse(format!("cannot resolve it ({e})")))
}

/// Whether this user may write the file (access(2); root may write any).
fn may_write(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: access(2) reads a NUL-terminated path and touches no memory of ours.
        unsafe { libc::access(c_path.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Writes a command's `--output` (checked with [`output_target`], and checked again here: the
/// path may have changed since). Returns false for stdout: the caller prints the bytes. An
/// existing file keeps its permissions.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<bool> {
    match output_target(path)? {
        OutputTarget::Stdout => Ok(false),
        OutputTarget::File(target) => {
            let mode = std::fs::metadata(&target).ok().map(|m| m.permissions());
            write_atomic_with(&target, bytes, mode)?;
            Ok(true)
        }
    }
}

/// Writes `bytes` to `path` atomically; `private` makes the file mode 600 (for anything
/// sensitive) before any byte is written.
pub fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    #[cfg(unix)]
    let permissions = private.then(|| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o600)
    });
    #[cfg(not(unix))]
    let permissions = {
        let _ = private;
        None
    };
    write_atomic_with(path, bytes, permissions)
}

/// Replaces an existing file atomically, keeping its mode (for a file of another program's,
/// such as sf's auth file).
pub fn write_atomic_keeping_mode(path: &Path, bytes: &[u8]) -> Result<()> {
    let permissions = std::fs::metadata(path)
        .map(|m| m.permissions())
        .map_err(|e| {
            Error::new(
                "WriteError",
                format!("Could not write {}: {e}", path.display()),
            )
        })?;
    write_atomic_with(path, bytes, Some(permissions))
}

fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let fail = |e: io::Error| {
        Error::new(
            "WriteError",
            format!("Could not write {}: {e}", path.display()),
        )
    };
    let mut file = tempfile::Builder::new()
        .prefix(".logik-refresh-")
        .tempfile_in(dir)
        .map_err(fail)?;
    if let Some(permissions) = permissions {
        file.as_file().set_permissions(permissions).map_err(fail)?;
    }
    file.write_all(bytes).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Creates a folder (and its parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
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

/// Where the tool keeps state: `LOGIK_REFRESH_STATE_DIR`, else the platform's state folder
/// (`$XDG_STATE_HOME` or `~/.local/state` on Linux, Application Support on macOS,
/// `%LOCALAPPDATA%` on Windows), in a `logik-refresh` folder.
pub fn state_dir() -> Result<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("LOGIK_REFRESH_STATE_DIR") {
        return Ok(dir);
    }
    let base = if cfg!(windows) {
        env("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_STATE_HOME").or_else(|| env("HOME").map(|h| h.join(".local/state")))
    };
    base.map(|b| b.join("logik-refresh")).ok_or_else(|| {
        Error::new(
            "NoStateDirError",
            "No place for the journal: HOME is not set.",
        )
        .with_action("Set LOGIK_REFRESH_STATE_DIR to a private folder.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_only_and_only_so_much() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}").unwrap();
        assert_eq!(read_bounded_text(&file).unwrap(), "{}");
        let missing = read_bounded(&dir.path().join("none")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let folder = read_bounded(dir.path()).unwrap_err();
        assert!(folder.to_string().contains("a folder"), "{folder}");
        #[cfg(unix)]
        {
            let zero = read_bounded(Path::new("/dev/zero")).unwrap_err();
            assert!(zero.to_string().contains("a device"), "{zero}");
        }
        let big = dir.path().join("big");
        File::create(&big)
            .unwrap()
            .set_len(MAX_FILE_BYTES + 1)
            .unwrap();
        let too_big = read_bounded(&big).unwrap_err();
        assert_eq!(too_big.kind(), io::ErrorKind::FileTooLarge);
    }
}
