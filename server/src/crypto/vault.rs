//! Sealing authorization secrets at rest; they are never sent back to a browser or client.
//!
//! ChaCha20-Poly1305 under a 256-bit master key, a fresh random 96-bit nonce per seal, and the
//! owning row's tenant and id as associated data, so a sealed value copied onto another row or
//! into another tenant does not open. A sealed value reads `v1.<key id>.<nonce hex>.<ciphertext
//! hex>`; the key id (the first 8 bytes of the key's SHA-256) says which key opens it, so keys
//! can be rotated: start with the new `PORTCULLIS_MASTER_KEY` and the old one in
//! `PORTCULLIS_PREVIOUS_MASTER_KEYS`, run `portcullis secrets rotate`, then drop the old key.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use portcullis_core::Problem;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Why the vault cannot be opened or a value cannot be unsealed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{0} must be 64 hexadecimal characters (a 256-bit key); make one with `openssl rand -hex 32`")]
    BadKey(&'static str),
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "a sealed value was made with key {0}, which is neither the master key nor a previous one"
    )]
    UnknownKey(String),
    #[error("a sealed value is damaged or belongs to another record")]
    Damaged,
    #[error("the cipher refused to seal a value")]
    Seal,
    #[error(
        "the key file {0} is missing, and the database holds sealed secrets a new key would not open: \
         restore the file, or set PORTCULLIS_MASTER_KEY to the key they were sealed with"
    )]
    KeyFileMissing(String),
}

struct SealingKey {
    id: String,
    cipher: ChaCha20Poly1305,
}

impl SealingKey {
    fn new(bytes: [u8; 32]) -> SealingKey {
        let digest = Sha256::digest(bytes);
        SealingKey {
            id: hex::encode(&digest[..8]),
            cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
        }
    }
}

/// The master key (seals and opens) and any previous keys (open only, during a rotation).
pub struct Vault {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("key_id", &self.current.id)
            .finish_non_exhaustive()
    }
}

/// The default key file, beside the default SQLite database.
pub const DEFAULT_KEY_FILE: &str = "portcullis.key";

impl Vault {
    /// A vault over raw keys.
    pub fn from_keys(current: [u8; 32], previous: &[[u8; 32]]) -> Vault {
        Vault {
            current: SealingKey::new(current),
            previous: previous.iter().copied().map(SealingKey::new).collect(),
        }
    }

    /// `master` (hex) when set, else the key in `key_file`, created with a fresh random key
    /// (mode 0600) when missing and `may_create` (nothing is sealed yet: a new key loses
    /// nothing). Several replicas must share one key: set it in the environment for them
    /// rather than relying on each one's file.
    pub fn open(
        master: Option<&str>,
        previous: Option<&str>,
        key_file: &Path,
        may_create: bool,
    ) -> Result<Vault, VaultError> {
        let current = match master {
            Some(hex_key) => parse_key(hex_key, "PORTCULLIS_MASTER_KEY")?,
            None => key_from_file(key_file, may_create)?,
        };
        let previous = previous
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| parse_key(k, "PORTCULLIS_PREVIOUS_MASTER_KEYS"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Vault::from_keys(current, &previous))
    }

    /// The id of the key that seals now.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plaintext` for the record `context` names (tenant and id).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<String, VaultError> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        // The cipher refuses only inputs over 256 GiB; should it ever refuse, storing an empty
        // ciphertext would silently lose the secret, so the caller gets the error instead.
        let sealed = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .map_err(|_| VaultError::Seal)?;
        Ok(format!(
            "v1.{}.{}.{}",
            self.current.id,
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// Opens a value sealed for `context` by the master key or a previous one.
    pub fn open_sealed(&self, context: &str, sealed: &str) -> Result<Vec<u8>, VaultError> {
        let mut parts = sealed.split('.');
        let (Some("v1"), Some(key_id), Some(nonce), Some(body), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(VaultError::Damaged);
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| VaultError::UnknownKey(key_id.to_owned()))?;
        let nonce = hex::decode(nonce)
            .ok()
            .filter(|n| n.len() == 12)
            .ok_or(VaultError::Damaged)?;
        let body = hex::decode(body).map_err(|_| VaultError::Damaged)?;
        key.cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Damaged)
    }

    /// Whether this vault holds the key with id `key_id` (current or previous).
    pub fn holds(&self, key_id: &str) -> bool {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .any(|k| k.id == key_id)
    }

    /// Whether `sealed` was made by an older key (a rotation still has to re-seal it).
    pub fn is_stale(&self, sealed: &str) -> bool {
        sealed.split('.').nth(1) != Some(self.current.id.as_str())
    }
}

/// A vault error in a request is the server's fault: the cause goes to the log, and the caller
/// is told only that something failed inside.
impl From<VaultError> for Problem {
    fn from(e: VaultError) -> Problem {
        tracing::error!(error = %e, "vault");
        Problem::internal()
    }
}

fn parse_key(text: &str, name: &'static str) -> Result<[u8; 32], VaultError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut key).map_err(|_| VaultError::BadKey(name))?;
    Ok(key)
}

fn key_from_file(path: &Path, may_create: bool) -> Result<[u8; 32], VaultError> {
    let fail = |source| VaultError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(&text, "the key file"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !may_create => {
            Err(VaultError::KeyFileMissing(path.display().to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            write_private(path, &hex::encode(key)).map_err(fail)?;
            Ok(key)
        }
        Err(e) => Err(fail(e)),
    }
}

/// Creates `path` readable by its owner only; refuses to overwrite (another replica may have
/// just made it, and its key is the one to use).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_open_only_for_their_record_and_key() {
        let vault = Vault::from_keys([7; 32], &[]);
        let sealed = vault.seal("tnt_a/auth_1", b"SG.secret").unwrap();
        assert!(!sealed.contains("SG.secret"));
        assert_eq!(
            vault.open_sealed("tnt_a/auth_1", &sealed).ok().as_deref(),
            Some(&b"SG.secret"[..])
        );
        assert!(matches!(
            vault.open_sealed("tnt_b/auth_1", &sealed),
            Err(VaultError::Damaged)
        ));
        let other = Vault::from_keys([8; 32], &[]);
        assert!(matches!(
            other.open_sealed("tnt_a/auth_1", &sealed),
            Err(VaultError::UnknownKey(_))
        ));
        let rotated = Vault::from_keys([8; 32], &[[7; 32]]);
        assert!(rotated.open_sealed("tnt_a/auth_1", &sealed).is_ok());
        assert!(rotated.is_stale(&sealed));
    }

    #[test]
    fn a_key_file_is_made_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("vault-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("k.key");
        let _ = std::fs::remove_file(&path);
        assert!(matches!(
            Vault::open(None, None, &path, false),
            Err(VaultError::KeyFileMissing(_))
        ));
        assert!(
            !path.exists(),
            "a key was made although secrets need the old one"
        );
        let a = Vault::open(None, None, &path, true).map(|v| v.key_id().to_owned());
        let b = Vault::open(None, None, &path, false).map(|v| v.key_id().to_owned());
        assert!(a.is_ok());
        assert_eq!(a.ok(), b.ok());
        assert!(Vault::open(Some("abc"), None, &path, true).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
