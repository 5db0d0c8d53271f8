//! Where the token signing keys come from: PEM files named in the settings, or, for
//! the zero-set-up default, one key generated on first start and kept in the data
//! directory (owner-only permissions) so tokens survive restarts.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use waymark_http::auth::{SigningKeys, generate_ed25519_pem};

use crate::settings::Settings;

/// The generated key's file name inside the data directory.
const GENERATED_KEY_FILE: &str = "jwt-signing-key.pem";

/// Why the signing keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// A configured key file could not be read.
    #[error("cannot read the signing key {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The generated key could not be written.
    #[error("cannot write a new signing key to {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A key is not a usable Ed25519 key.
    #[error("signing keys ({files}): {source}")]
    Invalid {
        /// The files, in order.
        files: String,
        /// Why.
        source: waymark_http::auth::KeyError,
    },
}

/// Loads the configured keys, or the generated one (making it if needed).
///
/// # Errors
/// [`SigningKeyError`] naming the file that could not be read, written or used.
pub fn load_signing_keys(settings: &Settings) -> Result<SigningKeys, SigningKeyError> {
    let files = if settings.jwt_key_files.is_empty() {
        let generated = settings.data_dir.join(GENERATED_KEY_FILE);
        ensure_generated_key(&generated)?;
        vec![generated]
    } else {
        settings.jwt_key_files.clone()
    };
    let pems = files
        .iter()
        .map(|path| {
            std::fs::read_to_string(path)
                .map_err(|source| SigningKeyError::Read { path: path.clone(), source })
        })
        .collect::<Result<Vec<_>, _>>()?;
    SigningKeys::from_pems(&pems).map_err(|source| SigningKeyError::Invalid {
        files: files.iter().map(|path| path.display().to_string()).collect::<Vec<_>>().join(", "),
        source,
    })
}

/// Writes a new key to `path` unless one is there. The key is written to a
/// temporary file in the same directory and then linked into place, which fails if
/// another process got there first: so concurrent first starts end with one
/// complete key, and a crash mid-write never leaves an empty or partial key file.
fn ensure_generated_key(path: &Path) -> Result<(), SigningKeyError> {
    if path.exists() {
        return Ok(());
    }
    let write_error = |source| SigningKeyError::Write { path: path.to_owned(), source };
    let directory = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(directory).map_err(write_error)?;
    let pem = generate_ed25519_pem()
        .map_err(|error| write_error(std::io::Error::other(error.to_string())))?;
    let temporary = directory.join(format!(".{GENERATED_KEY_FILE}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(pem.as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new token signing key");
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(write_error(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_owner_only_and_reused() {
        let directory = std::env::temp_dir().join(format!("waymark-keys-{}", uuid::Uuid::now_v7()));
        let settings = Settings { data_dir: directory.clone(), ..Settings::default() };
        let first = load_signing_keys(&settings).expect("generates");
        let second = load_signing_keys(&settings).expect("reuses");
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(directory.join(GENERATED_KEY_FILE))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(directory);
    }
}
