//! Loading signing keys at start: the key-encryption key, generating the first keys
//! on an empty database, and opening every published key.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::keys::{Alg, GeneratedKey, KeyEncryptionKey, KeyState, SigningKey, generate};
use portcullis_store::{NewSigningKey, TenantStore};

use crate::config::{Config, parse_secret_key};

/// The tenant's published keys, opened and ready: per algorithm in use, one
/// current and one next key, and any previous ones.
#[derive(Debug)]
pub struct KeySet {
    keys: Vec<SigningKey>,
}

impl KeySet {
    /// Signs `claims` with the current key of `alg` (the current RS256 key if
    /// this node has none of `alg`: an algorithm is validated when an API or
    /// application chooses it, and its keys are made then).
    pub fn sign<C: serde::Serialize>(&self, alg: portcullis_core::keys::Alg, claims: &C) -> String {
        let key = self.current_for(alg).unwrap_or_else(|| self.current());
        portcullis_core::jose::sign(key, claims)
    }

    /// As [`Self::sign`], with the header `typ: at+jwt` (RFC 9068 §2.1).
    pub fn sign_at_jwt<C: serde::Serialize>(
        &self,
        alg: portcullis_core::keys::Alg,
        claims: &C,
    ) -> String {
        let key = self.current_for(alg).unwrap_or_else(|| self.current());
        portcullis_core::jose::sign_at_jwt(key, claims)
    }

    /// The RS256 key that signs now (Auth0's default algorithm).
    pub fn current(&self) -> &SigningKey {
        self.current_for(Alg::Rs256)
            .expect("load_keys guarantees a current RS256 key")
    }

    /// The key that signs now with `alg`, if the tenant has keys for it.
    pub fn current_for(&self, alg: Alg) -> Option<&SigningKey> {
        self.keys
            .iter()
            .find(|k| k.alg == alg && k.state == KeyState::Current)
    }

    /// The RS256 key that signs after the next rotation (already published).
    pub fn next(&self) -> Option<&SigningKey> {
        self.next_for(Alg::Rs256)
    }

    pub fn next_for(&self, alg: Alg) -> Option<&SigningKey> {
        self.keys
            .iter()
            .find(|k| k.alg == alg && k.state == KeyState::Next)
    }

    /// The algorithms the tenant has keys for.
    pub fn algorithms(&self) -> Vec<Alg> {
        Alg::ALL
            .into_iter()
            .filter(|a| self.current_for(*a).is_some())
            .collect()
    }

    /// A published key (next, current or previous) by `kid`.
    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Current first, then next, then previous ones: the JWKS order (RS256
    /// first within each state).
    pub fn published(&self) -> impl Iterator<Item = &SigningKey> {
        let rank = |s: KeyState| match s {
            KeyState::Current => 0,
            KeyState::Next => 1,
            _ => 2,
        };
        let mut v: Vec<&SigningKey> = self.keys.iter().collect();
        v.sort_by_key(|k| (rank(k.state), k.alg != Alg::Rs256));
        v.into_iter()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("cannot read or create the key-encryption key at {path}: {source}")]
    KekFile {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the key-encryption key file {0} is corrupt: it must hold 32 bytes as 64 hex characters"
    )]
    KekCorrupt(String),
    #[error(transparent)]
    Key(#[from] portcullis_core::keys::KeyError),
    #[error("storage: {0}")]
    Store(#[from] portcullis_store::StoreError),
    #[error("the database has no current signing key")]
    NoCurrentKey,
    #[error(
        "the key-encryption key {path} is missing, but the database already holds keys sealed with it: restore secret.key beside the database (it is not in database backups), or set PORTCULLIS_SECRET_KEY to its value; a new key would make every stored signing key unreadable"
    )]
    KekMissing { path: String },
}

/// The key-encryption key: `PORTCULLIS_SECRET_KEY`, or `<data dir>/secret.key`
/// (created with mode 0600 on first start).
///
/// `existing`: the database already has a tenant, so its keys are sealed with
/// some key-encryption key. Then a missing file is an error (a restore that
/// forgot `secret.key`), never a reason to make a new one.
pub fn load_kek(config: &Config, existing: bool) -> Result<KeyEncryptionKey, KeyringError> {
    if let Some(k) = &config.secret_key {
        // Validated when the configuration was resolved.
        let bytes = parse_secret_key(k.expose())
            .map_err(|_| KeyringError::KekCorrupt("PORTCULLIS_SECRET_KEY".into()))?;
        return Ok(KeyEncryptionKey::from_bytes(&bytes)?);
    }
    let path = config.data_dir.join("secret.key");
    let io = |source| KeyringError::KekFile {
        path: path.display().to_string(),
        source,
    };
    let hex = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && existing => {
            return Err(KeyringError::KekMissing {
                path: path.display().to_string(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hex = portcullis_core::random::hex(32);
            write_private_file(&path, format!("{hex}\n").as_bytes()).map_err(io)?;
            hex
        }
        Err(e) => return Err(io(e)),
    };
    let bytes = parse_secret_key(hex.trim())
        .map_err(|_| KeyringError::KekCorrupt(path.display().to_string()))?;
    Ok(KeyEncryptionKey::from_bytes(&bytes)?)
}

/// Writes a file readable by its owner only (0600), failing if it exists.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

fn year_of(now: i64) -> i32 {
    // Good to within a day, which is all a certificate's validity start needs.
    1970 + (now / 31_556_952) as i32
}

fn new_key<'a>(alg: Alg, g: &'a GeneratedKey, certificate: &'a str) -> NewSigningKey<'a> {
    NewSigningKey {
        kid: &g.kid,
        alg: alg.as_str(),
        sealed_private_key: &g.sealed_private_key,
        certificate,
    }
}

/// Generates a current and a next key for `alg` if the tenant has none (the
/// first start for RS256; the first API or application that asks for another
/// algorithm). Several nodes may race; one wins and the others re-read.
pub async fn ensure_alg(
    store: &TenantStore,
    kek: &KeyEncryptionKey,
    issuer: &str,
    alg: Alg,
    now: i64,
) -> Result<bool, KeyringError> {
    let stored = store.list_signing_keys().await?;
    if stored.iter().any(|k| k.alg == alg.as_str()) {
        return Ok(false);
    }
    let cn = format!("Portcullis signing key for {issuer}");
    let a = generate(alg, kek, &cn, year_of(now))?;
    let b = generate(alg, kek, &cn, year_of(now))?;
    let (ca, cb) = (
        STANDARD.encode(&a.certificate_der),
        STANDARD.encode(&b.certificate_der),
    );
    Ok(store
        .insert_initial_signing_keys(now, new_key(alg, &a, &ca), new_key(alg, &b, &cb))
        .await?)
}

/// Opens every stored signing key with `kek` (nothing is created).
pub async fn open_stored_keys(
    store: &TenantStore,
    kek: &KeyEncryptionKey,
) -> Result<Vec<SigningKey>, KeyringError> {
    let stored = store.list_signing_keys().await?;
    let mut keys = Vec::with_capacity(stored.len());
    for s in &stored {
        let (Some(state), Some(alg)) = (KeyState::parse(&s.state), Alg::parse(&s.alg)) else {
            continue;
        };
        let cert = STANDARD
            .decode(&s.certificate)
            .map_err(|_| portcullis_core::keys::KeyError::BadKey(s.kid.clone()))?;
        keys.push(SigningKey::open_alg(
            kek,
            &s.kid,
            alg,
            state,
            &s.sealed_private_key,
            &cert,
        )?);
    }
    Ok(keys)
}

/// Opens the tenant's keys, generating a current and a next RS256 key on first
/// start.
pub async fn load_keys(
    store: &TenantStore,
    kek: &KeyEncryptionKey,
    issuer: &str,
    now: i64,
) -> Result<KeySet, KeyringError> {
    ensure_alg(store, kek, issuer, Alg::Rs256, now).await?;
    let set = KeySet {
        keys: open_stored_keys(store, kek).await?,
    };
    if set.current_for(Alg::Rs256).is_none() {
        return Err(KeyringError::NoCurrentKey);
    }
    Ok(set)
}

/// Auth0's `POST /api/v2/keys/signing/rotate`: for every algorithm in use, the
/// next key (published since the last rotation, so every verifier already has
/// it) starts signing, the current key becomes previous and stays published, and
/// a new next key is generated. Of several concurrent rotations exactly one wins
/// (RS256 decides); the others get `Ok(false)`.
pub async fn rotate(
    store: &TenantStore,
    kek: &KeyEncryptionKey,
    issuer: &str,
    keys: &KeySet,
    now: i64,
) -> Result<bool, KeyringError> {
    let cn = format!("Portcullis signing key for {issuer}");
    let mut algs = keys.algorithms();
    algs.sort_by_key(|a| *a != Alg::Rs256);
    for alg in algs {
        let (Some(current), Some(next)) = (keys.current_for(alg), keys.next_for(alg)) else {
            continue;
        };
        let g = generate(alg, kek, &cn, year_of(now))?;
        let cert = STANDARD.encode(&g.certificate_der);
        let rotated = store
            .rotate_signing_keys(&current.kid, &next.kid, new_key(alg, &g, &cert), now)
            .await?;
        if !rotated && alg == Alg::Rs256 {
            return Ok(false);
        }
    }
    Ok(true)
}
