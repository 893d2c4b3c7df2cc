//! Password hashes made by another system, as Auth0's bulk user import takes
//! them: `password_hash` (bcrypt) and `custom_password_hash` (`argon2`,
//! `bcrypt`, `hmac`, `ldap`, `md4`, `md5`, `sha1`, `sha256`, `sha512`,
//! `pbkdf2`, `scrypt`, with Auth0's `hash`/`salt`/`password` encodings and salt
//! positions). Such a hash is checked at sign-in with its own algorithm until
//! the first successful sign-in replaces it with argon2id (`passwords`).
//!
//! Invariants:
//! - a hash is validated whole when it is imported (every value decoded, every
//!   parameter in range), so sign-in never meets a malformed one, and it is
//!   stored decoded, under the prefix [`PREFIX`];
//! - its cost is bounded ([`MAX_BCRYPT_COST`] and the others): a stored hash
//!   cannot make one sign-in take more than about a second of CPU or 256 MiB;
//! - the comparison of the computed and the stored hash is constant-time.
//!
//! How each algorithm combines password and salt follows Auth0's documentation
//! (checked against its published examples, see the tests): the plain digests
//! hash `salt ‖ password` (`prefix`, the default) or `password ‖ salt`; `hmac`
//! keys the MAC with `hash.key` over the (salted) password; `ldap` is RFC 2307
//! `{SCHEME}base64(digest ‖ salt)`; `pbkdf2` is a PHC string
//! `$pbkdf2-<digest>$i=<iterations>,l=<length>$<salt>$<hash>`; `scrypt` takes
//! the salt as its own parameter, `cost` being N.

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Stored foreign hashes start with this (never a PHC identifier of ours).
pub const PREFIX: &str = "$import$";

/// bcrypt's work factor is at most this (2^15 rounds, about 2 s here).
pub const MAX_BCRYPT_COST: u32 = 15;
/// PBKDF2 iterations are at most this.
pub const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// argon2 and scrypt may use at most this much memory (KiB).
pub const MAX_MEMORY_KIB: u64 = 256 * 1024;
/// argon2 passes are at most this.
pub const MAX_ARGON2_PASSES: u32 = 16;
/// A derived key or digest is at most this long (bytes).
pub const MAX_OUTPUT: usize = 1024;

/// Auth0's `custom_password_hash.algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Argon2,
    Bcrypt,
    Hmac,
    Ldap,
    Md4,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Pbkdf2,
    Scrypt,
}

impl Algorithm {
    pub const ALL: [Algorithm; 11] = [
        Self::Argon2,
        Self::Bcrypt,
        Self::Hmac,
        Self::Ldap,
        Self::Md4,
        Self::Md5,
        Self::Sha1,
        Self::Sha256,
        Self::Sha512,
        Self::Pbkdf2,
        Self::Scrypt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Argon2 => "argon2",
            Self::Bcrypt => "bcrypt",
            Self::Hmac => "hmac",
            Self::Ldap => "ldap",
            Self::Md4 => "md4",
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
            Self::Pbkdf2 => "pbkdf2",
            Self::Scrypt => "scrypt",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A message digest, as Auth0's `hash.digest` (hmac) and the `pbkdf2-<digest>`
/// identifier name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Digest {
    Md4,
    Md5,
    Ripemd160,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Whirlpool,
}

/// Runs `$body` with `$D` bound to the RustCrypto type of `$digest`.
macro_rules! with_digest {
    ($digest:expr, $D:ident => $body:expr) => {
        match $digest {
            Digest::Md4 => {
                type $D = md4::Md4;
                $body
            }
            Digest::Md5 => {
                type $D = md5::Md5;
                $body
            }
            Digest::Ripemd160 => {
                type $D = ripemd::Ripemd160;
                $body
            }
            Digest::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            Digest::Sha224 => {
                type $D = sha2::Sha224;
                $body
            }
            Digest::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
            Digest::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
            Digest::Sha512 => {
                type $D = sha2::Sha512;
                $body
            }
            Digest::Whirlpool => {
                type $D = whirlpool::Whirlpool;
                $body
            }
        }
    };
}

impl Digest {
    /// Auth0's `hash.digest` values (hmac).
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "md4" => Self::Md4,
            "md5" => Self::Md5,
            "ripemd160" => Self::Ripemd160,
            "sha1" => Self::Sha1,
            "sha224" => Self::Sha224,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            "whirlpool" => Self::Whirlpool,
            _ => return None,
        })
    }

    /// The digest names of Auth0's pbkdf2 list (OpenSSL's names and their
    /// `RSA-`/`WithRSAEncryption` aliases). `mdc2` is on Auth0's list but in
    /// no maintained implementation: refused.
    fn parse_openssl(s: &str) -> Option<Self> {
        let s = s.strip_prefix("RSA-").unwrap_or(s);
        let s = s
            .strip_suffix("WithRSAEncryption")
            .or_else(|| s.strip_suffix("WithRSA"))
            .unwrap_or(s);
        let s = s.strip_prefix("ssl3-").unwrap_or(s);
        match s.to_ascii_lowercase().as_str() {
            "sha1-2" => Some(Self::Sha1),
            "ripemd" | "rmd160" | "ripemd160" => Some(Self::Ripemd160),
            other => Self::parse(other),
        }
    }

    fn output_len(self) -> usize {
        with_digest!(self, D => <D as sha2::Digest>::output_size())
    }

    fn hash(self, parts: &[&[u8]]) -> Vec<u8> {
        use sha2::Digest as _;
        with_digest!(self, D => {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        })
    }

    fn hmac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        use hmac::Mac as _;
        with_digest!(self, D => {
            let Ok(mut mac) = hmac::SimpleHmac::<D>::new_from_slice(key) else {
                return Vec::new();
            };
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        })
    }

    fn pbkdf2(self, password: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        with_digest!(self, D => {
            // Any key length is valid for HMAC: this cannot fail.
            let _ = pbkdf2::pbkdf2::<hmac::SimpleHmac<D>>(password, salt, rounds, out);
        })
    }
}

/// Where the salt goes (Auth0's `salt.position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    Prefix,
    Suffix,
}

/// How the typed password becomes bytes (Auth0's `password.encoding`, which
/// are Node.js buffer encodings: `ascii`, `latin1` and `binary` keep the low
/// byte of each UTF-16 unit; `ucs2` is `utf16le`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PasswordEncoding {
    #[default]
    Utf8,
    Utf16le,
    Latin1,
}

impl PasswordEncoding {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "utf8" => Self::Utf8,
            "utf16le" | "ucs2" => Self::Utf16le,
            "latin1" | "binary" | "ascii" => Self::Latin1,
            _ => return None,
        })
    }

    fn bytes(self, password: &str) -> Vec<u8> {
        match self {
            Self::Utf8 => password.as_bytes().to_vec(),
            Self::Utf16le => password.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Self::Latin1 => password.encode_utf16().map(|u| (u & 0xff) as u8).collect(),
        }
    }
}

/// Auth0's `hash.encoding`, `salt.encoding` and `hash.key.encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Base64,
    Hex,
    Utf8,
}

impl Encoding {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "base64" => Self::Base64,
            "hex" => Self::Hex,
            "utf8" => Self::Utf8,
            _ => return None,
        })
    }

    /// Hex in either case; base64 standard or URL-safe, padded or not (Auth0
    /// accepts both).
    fn decode(self, value: &str) -> Option<Vec<u8>> {
        match self {
            Self::Utf8 => Some(value.as_bytes().to_vec()),
            Self::Hex => decode_hex(value),
            Self::Base64 => decode_base64(value),
        }
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

const FORGIVING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let standard: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    FORGIVING.decode(standard).ok()
}

/// Bytes kept in the stored form, as base64.
mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

/// A salt and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Salt {
    #[serde(with = "b64")]
    value: Vec<u8>,
    position: Position,
}

impl Salt {
    fn apply(salt: Option<&Salt>, password: Vec<u8>) -> Vec<u8> {
        match salt {
            None => password,
            Some(s) if s.position == Position::Prefix => [s.value.as_slice(), &password].concat(),
            Some(s) => [password.as_slice(), &s.value].concat(),
        }
    }
}

/// A validated foreign hash, decoded: what is stored (after [`PREFIX`]) and
/// checked at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "lowercase")]
pub enum ImportedHash {
    /// A PHC string of argon2i, argon2d or argon2id.
    Argon2 { phc: String },
    /// A `$2a$`, `$2b$` or `$2y$` string; the salt (if any) is added to the
    /// password first, within bcrypt's 72 bytes.
    Bcrypt {
        mcf: String,
        salt: Option<Salt>,
        password: PasswordEncoding,
    },
    /// `hash = HMAC-digest(key, salted password)`.
    Hmac {
        digest: Digest,
        #[serde(with = "b64")]
        key: Vec<u8>,
        #[serde(with = "b64")]
        hash: Vec<u8>,
        salt: Option<Salt>,
        password: PasswordEncoding,
    },
    /// RFC 2307: `digest(password ‖ salt) ‖ salt`, the salt empty if unsalted.
    Ldap {
        digest: Digest,
        #[serde(with = "b64")]
        hash: Vec<u8>,
        #[serde(with = "b64")]
        salt: Vec<u8>,
        password: PasswordEncoding,
    },
    /// `md4`, `md5`, `sha1`, `sha256`, `sha512` of the salted password.
    Digest {
        digest: Digest,
        #[serde(with = "b64")]
        hash: Vec<u8>,
        salt: Option<Salt>,
        password: PasswordEncoding,
    },
    Pbkdf2 {
        digest: Digest,
        iterations: u32,
        #[serde(with = "b64")]
        salt: Vec<u8>,
        #[serde(with = "b64")]
        hash: Vec<u8>,
        password: PasswordEncoding,
    },
    Scrypt {
        log_n: u8,
        r: u32,
        p: u32,
        #[serde(with = "b64")]
        salt: Vec<u8>,
        #[serde(with = "b64")]
        hash: Vec<u8>,
        password: PasswordEncoding,
    },
}

/// Why a hash was refused: a JSON-schema-like kind, the property's path
/// (`custom_password_hash.hash.encoding`) and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub path: String,
    pub message: String,
}

/// The kinds of [`Refusal`], which the import reports with Auth0's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// A required property is missing.
    Required,
    /// A property of the wrong JSON type.
    Type,
    /// A value outside its enumeration (an unknown algorithm, encoding...).
    Enum,
    /// A value that does not decode or parse (bad hex, a malformed PHC string).
    Format,
    /// A property not allowed here (a salt for argon2).
    NotAllowed,
    /// A parameter out of range (a cost too high for sign-in to afford).
    Range,
}

fn refuse(kind: RefusalKind, path: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        kind,
        path: path.to_string(),
        message: message.into(),
    }
}

const ROOT: &str = "custom_password_hash";

/// Reads one object of the custom hash, refusing unknown properties.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, path: String, allowed: &[&str]) -> Result<Self, Refusal> {
        let Value::Object(map) = v else {
            return Err(refuse(
                RefusalKind::Type,
                &path,
                format!("Expected type object but found type {}", json_type(v)),
            ));
        };
        if let Some(extra) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(refuse(
                RefusalKind::NotAllowed,
                &path,
                format!("Additional properties not allowed: {extra}"),
            ));
        }
        Ok(Self { map, path })
    }

    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(refuse(
                RefusalKind::Type,
                &self.at(key),
                format!("Expected type string but found type {}", json_type(v)),
            )),
        }
    }

    fn required_str(&self, key: &str) -> Result<&'a str, Refusal> {
        self.str(key)?.ok_or_else(|| {
            refuse(
                RefusalKind::Required,
                &self.path,
                format!("Missing required property: {key}"),
            )
        })
    }

    fn int(&self, key: &str) -> Result<Option<u64>, Refusal> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                refuse(
                    RefusalKind::Type,
                    &self.at(key),
                    format!("Expected a positive integer but found {v}"),
                )
            }),
        }
    }

    fn enumerated<T>(
        &self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<T>, Refusal> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| {
                refuse(
                    RefusalKind::Enum,
                    &self.at(key),
                    format!("No enum match for: \"{s}\" (one of {allowed})"),
                )
            }),
        }
    }
}

/// The JSON-schema name of a value's type (as validation messages say it).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn not_allowed(alg: Algorithm, path: String, what: &str) -> Refusal {
    refuse(
        RefusalKind::NotAllowed,
        &path,
        format!("{what} is not allowed when algorithm is {}", alg.as_str()),
    )
}

/// The `salt` object: `value` decoded with its `encoding` (default `utf8`),
/// `position` (default `prefix`).
fn salt(v: &Value, path: String) -> Result<Salt, Refusal> {
    let o = Obj::new(v, path, &["value", "encoding", "position"])?;
    let raw = o.required_str("value")?;
    let encoding = o
        .enumerated("encoding", Encoding::parse, "base64, hex, utf8")?
        .unwrap_or(Encoding::Utf8);
    let value = encoding.decode(raw).ok_or_else(|| {
        refuse(
            RefusalKind::Format,
            &o.at("value"),
            format!("salt.value is not valid {encoding:?}").to_lowercase(),
        )
    })?;
    let position = o
        .enumerated(
            "position",
            |s| match s {
                "prefix" => Some(Position::Prefix),
                "suffix" => Some(Position::Suffix),
                _ => None,
            },
            "prefix, suffix",
        )?
        .unwrap_or(Position::Prefix);
    Ok(Salt { value, position })
}

/// The `password_hash` property of an imported user: a bcrypt string.
pub fn from_password_hash(value: &str) -> Result<ImportedHash, Refusal> {
    let mcf = bcrypt_string(value, "password_hash")?;
    Ok(ImportedHash::Bcrypt {
        mcf,
        salt: None,
        password: PasswordEncoding::Utf8,
    })
}

fn bcrypt_string(value: &str, path: &str) -> Result<String, Refusal> {
    // Auth0: `$2a$`, `$2b$` and `$2y$`; `$2$` and `$2x$` are not supported.
    let ok_prefix = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| value.starts_with(p));
    let parsed = value.parse::<bcrypt::HashParts>();
    match (ok_prefix, parsed) {
        (true, Ok(parts)) if parts.get_cost() <= MAX_BCRYPT_COST => Ok(value.to_string()),
        (true, Ok(parts)) => Err(refuse(
            RefusalKind::Range,
            path,
            format!(
                "bcrypt cost {} is above the {MAX_BCRYPT_COST} this server accepts",
                parts.get_cost()
            ),
        )),
        _ => Err(refuse(
            RefusalKind::Format,
            path,
            "String does not match pattern ^\\$2[aby]\\$[0-9]{2}\\$[./A-Za-z0-9]{53}$",
        )),
    }
}

/// Validates Auth0's `custom_password_hash` object completely.
pub fn parse(v: &Value) -> Result<ImportedHash, Refusal> {
    let top = Obj::new(
        v,
        ROOT.into(),
        &[
            "algorithm",
            "hash",
            "salt",
            "password",
            "keylen",
            "cost",
            "blockSize",
            "parallelization",
        ],
    )?;
    let names = Algorithm::ALL.map(Algorithm::as_str).join(", ");
    let alg = top
        .enumerated("algorithm", Algorithm::parse, &names)?
        .ok_or_else(|| {
            refuse(
                RefusalKind::Required,
                ROOT,
                "Missing required property: algorithm",
            )
        })?;
    let Some(hash_v) = top.get("hash") else {
        return Err(refuse(
            RefusalKind::Required,
            ROOT,
            "Missing required property: hash",
        ));
    };
    let hash = Obj::new(
        hash_v,
        top.at("hash"),
        &["value", "encoding", "digest", "key"],
    )?;
    let value = hash.required_str("value")?;
    let encoding = hash.enumerated("encoding", Encoding::parse, "base64, hex, utf8")?;
    let salt = top
        .get("salt")
        .map(|s| salt(s, top.at("salt")))
        .transpose()?;
    let password = match top.get("password") {
        None => PasswordEncoding::Utf8,
        Some(p) => {
            let o = Obj::new(p, top.at("password"), &["encoding"])?;
            o.enumerated(
                "encoding",
                PasswordEncoding::parse,
                "ascii, utf8, utf16le, ucs2, latin1, binary",
            )?
            .unwrap_or_default()
        }
    };
    if alg != Algorithm::Hmac {
        for key in ["digest", "key"] {
            if hash.get(key).is_some() {
                return Err(not_allowed(alg, hash.at(key), &format!("hash.{key}")));
            }
        }
    }
    if alg != Algorithm::Scrypt {
        for key in ["keylen", "cost", "blockSize", "parallelization"] {
            if top.get(key).is_some() {
                return Err(not_allowed(alg, top.at(key), key));
            }
        }
    }
    let utf8_only = |enc: Option<Encoding>| match enc {
        None | Some(Encoding::Utf8) => Ok(()),
        Some(_) => Err(refuse(
            RefusalKind::Enum,
            &hash.at("encoding"),
            format!(
                "hash.encoding must be utf8 when algorithm is {}",
                alg.as_str()
            ),
        )),
    };
    let binary = |enc: Option<Encoding>| -> Result<Vec<u8>, Refusal> {
        let enc = match enc {
            Some(e @ (Encoding::Hex | Encoding::Base64)) => e,
            _ => {
                return Err(refuse(
                    RefusalKind::Enum,
                    &hash.at("encoding"),
                    format!(
                        "hash.encoding must be hex or base64 when algorithm is {}",
                        alg.as_str()
                    ),
                ));
            }
        };
        let bytes = enc.decode(value).ok_or_else(|| {
            refuse(
                RefusalKind::Format,
                &hash.at("value"),
                format!("hash.value is not valid {enc:?}").to_lowercase(),
            )
        })?;
        if bytes.is_empty() || bytes.len() > MAX_OUTPUT {
            return Err(refuse(
                RefusalKind::Format,
                &hash.at("value"),
                "hash.value is empty or too long",
            ));
        }
        Ok(bytes)
    };
    let no_salt = |salt: &Option<Salt>| match salt {
        Some(_) => Err(not_allowed(alg, top.at("salt"), "salt")),
        None => Ok(()),
    };
    let digest_hash = |digest: Digest, salt: Option<Salt>| -> Result<ImportedHash, Refusal> {
        let bytes = binary(encoding)?;
        if bytes.len() != digest.output_len() {
            return Err(refuse(
                RefusalKind::Format,
                &hash.at("value"),
                format!(
                    "hash.value decodes to {} bytes; a {} digest has {}",
                    bytes.len(),
                    alg.as_str(),
                    digest.output_len()
                ),
            ));
        }
        Ok(ImportedHash::Digest {
            digest,
            hash: bytes,
            salt,
            password,
        })
    };
    match alg {
        Algorithm::Md4 => digest_hash(Digest::Md4, salt),
        Algorithm::Md5 => digest_hash(Digest::Md5, salt),
        Algorithm::Sha1 => digest_hash(Digest::Sha1, salt),
        Algorithm::Sha256 => digest_hash(Digest::Sha256, salt),
        Algorithm::Sha512 => digest_hash(Digest::Sha512, salt),
        Algorithm::Bcrypt => {
            utf8_only(encoding)?;
            let mcf = bcrypt_string(value, &hash.at("value"))?;
            Ok(ImportedHash::Bcrypt {
                mcf,
                salt,
                password,
            })
        }
        Algorithm::Argon2 => {
            utf8_only(encoding)?;
            no_salt(&salt)?;
            check_argon2(value, &hash.at("value"))?;
            Ok(ImportedHash::Argon2 {
                phc: value.to_string(),
            })
        }
        Algorithm::Hmac => {
            let digest = hash
                .enumerated(
                    "digest",
                    Digest::parse,
                    "md4, md5, ripemd160, sha1, sha224, sha256, sha384, sha512, whirlpool",
                )?
                .ok_or_else(|| {
                    refuse(
                        RefusalKind::Required,
                        &hash.path,
                        "Missing required property: digest",
                    )
                })?;
            let Some(key_v) = hash.get("key") else {
                return Err(refuse(
                    RefusalKind::Required,
                    &hash.path,
                    "Missing required property: key",
                ));
            };
            let key_o = Obj::new(key_v, hash.at("key"), &["value", "encoding"])?;
            let key_raw = key_o.required_str("value")?;
            let key_enc = key_o
                .enumerated("encoding", Encoding::parse, "base64, hex, utf8")?
                .unwrap_or(Encoding::Utf8);
            let key = key_enc.decode(key_raw).ok_or_else(|| {
                refuse(
                    RefusalKind::Format,
                    &key_o.at("value"),
                    format!("hash.key.value is not valid {key_enc:?}").to_lowercase(),
                )
            })?;
            let bytes = binary(encoding)?;
            if bytes.len() != digest.output_len() {
                return Err(refuse(
                    RefusalKind::Format,
                    &hash.at("value"),
                    format!(
                        "hash.value decodes to {} bytes; an HMAC with {digest:?} has {}",
                        bytes.len(),
                        digest.output_len()
                    )
                    .to_lowercase(),
                ));
            }
            Ok(ImportedHash::Hmac {
                digest,
                key,
                hash: bytes,
                salt,
                password,
            })
        }
        Algorithm::Ldap => {
            utf8_only(encoding)?;
            no_salt(&salt)?;
            let (digest, hash_bytes, salt_bytes) = parse_ldap(value, &hash.at("value"))?;
            Ok(ImportedHash::Ldap {
                digest,
                hash: hash_bytes,
                salt: salt_bytes,
                password,
            })
        }
        Algorithm::Pbkdf2 => {
            utf8_only(encoding)?;
            no_salt(&salt)?;
            let (digest, iterations, salt_bytes, hash_bytes) =
                parse_pbkdf2(value, &hash.at("value"))?;
            Ok(ImportedHash::Pbkdf2 {
                digest,
                iterations,
                salt: salt_bytes,
                hash: hash_bytes,
                password,
            })
        }
        Algorithm::Scrypt => {
            let bytes = binary(encoding)?;
            let keylen = top.int("keylen")?.ok_or_else(|| {
                refuse(
                    RefusalKind::Required,
                    ROOT,
                    "Missing required property: keylen",
                )
            })?;
            if keylen as usize != bytes.len() {
                return Err(refuse(
                    RefusalKind::Format,
                    &top.at("keylen"),
                    format!(
                        "keylen is {keylen} but hash.value decodes to {} bytes",
                        bytes.len()
                    ),
                ));
            }
            let cost = top.int("cost")?.unwrap_or(16_384);
            let r = top.int("blockSize")?.unwrap_or(8);
            let p = top.int("parallelization")?.unwrap_or(1);
            if cost < 2 || !cost.is_power_of_two() {
                return Err(refuse(
                    RefusalKind::Range,
                    &top.at("cost"),
                    "cost must be a power of two greater than 1",
                ));
            }
            let memory_kib = 128 * cost.saturating_mul(r) / 1024;
            if r == 0 || p == 0 || r > 64 || p > 64 || memory_kib > MAX_MEMORY_KIB {
                return Err(refuse(
                    RefusalKind::Range,
                    ROOT,
                    format!(
                        "scrypt parameters out of range (blockSize and parallelization 1 to 64, at most {} MiB)",
                        MAX_MEMORY_KIB / 1024
                    ),
                ));
            }
            if let Some(s) = &salt
                && s.position == Position::Suffix
            {
                return Err(not_allowed(
                    alg,
                    top.at("salt.position"),
                    "salt.position suffix",
                ));
            }
            Ok(ImportedHash::Scrypt {
                log_n: cost.trailing_zeros() as u8,
                r: r as u32,
                p: p as u32,
                salt: salt.map(|s| s.value).unwrap_or_default(),
                hash: bytes,
                password,
            })
        }
    }
}

fn check_argon2(value: &str, path: &str) -> Result<(), Refusal> {
    use argon2::password_hash::phc::PasswordHash;
    let bad = || {
        refuse(
            RefusalKind::Format,
            path,
            "hash.value must be an argon2 PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)",
        )
    };
    let parsed = PasswordHash::new(value).map_err(|_| bad())?;
    argon2::Algorithm::try_from(parsed.algorithm.as_str()).map_err(|_| bad())?;
    let params = argon2::Params::try_from(&parsed).map_err(|_| bad())?;
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(bad());
    }
    if u64::from(params.m_cost()) > MAX_MEMORY_KIB || params.t_cost() > MAX_ARGON2_PASSES {
        return Err(refuse(
            RefusalKind::Range,
            path,
            format!(
                "argon2 parameters above what this server accepts (m ≤ {MAX_MEMORY_KIB}, t ≤ {MAX_ARGON2_PASSES})"
            ),
        ));
    }
    Ok(())
}

/// RFC 2307 §5.3 `{SCHEME}base64`: `MD5`, `SMD5`, `SHA` (SHA-1), `SSHA` and
/// `SHA256`/`SHA384`/`SHA512` with their salted `S` forms; the salt follows
/// the digest. `{CRYPT}` is not supported (as at Auth0).
fn parse_ldap(value: &str, path: &str) -> Result<(Digest, Vec<u8>, Vec<u8>), Refusal> {
    let bad = |m: &str| refuse(RefusalKind::Format, path, m);
    let rest = value
        .strip_prefix('{')
        .ok_or_else(|| bad("hash.value must be {SCHEME}base64 (RFC 2307)"))?;
    let (scheme, b64) = rest
        .split_once('}')
        .ok_or_else(|| bad("hash.value must be {SCHEME}base64 (RFC 2307)"))?;
    let scheme = scheme.to_ascii_uppercase();
    let (salted, digest) = match scheme.as_str() {
        "MD5" => (false, Digest::Md5),
        "SMD5" => (true, Digest::Md5),
        "SHA" | "SHA1" => (false, Digest::Sha1),
        "SSHA" | "SSHA1" => (true, Digest::Sha1),
        "SHA256" => (false, Digest::Sha256),
        "SSHA256" => (true, Digest::Sha256),
        "SHA384" => (false, Digest::Sha384),
        "SSHA384" => (true, Digest::Sha384),
        "SHA512" => (false, Digest::Sha512),
        "SSHA512" => (true, Digest::Sha512),
        _ => {
            return Err(bad(
                "the scheme must be one of MD5, SMD5, SHA, SSHA, SHA256, SSHA256, SHA384, SSHA384, SHA512, SSHA512",
            ));
        }
    };
    let blob = decode_base64(b64).ok_or_else(|| bad("hash.value is not valid base64"))?;
    let n = digest.output_len();
    let ok = if salted {
        blob.len() > n && blob.len() <= n + MAX_OUTPUT
    } else {
        blob.len() == n
    };
    if !ok {
        return Err(bad(&format!(
            "{{{scheme}}} needs a {n}-byte digest{}",
            if salted { " and a salt" } else { "" }
        )));
    }
    let (hash, salt) = blob.split_at(n);
    Ok((digest, hash.to_vec(), salt.to_vec()))
}

/// `$pbkdf2-<digest>$i=<iterations>,l=<length>$<salt>$<hash>` (B64: base64
/// without padding); `i` defaults to 100000 and `l` to 64, as at Auth0.
fn parse_pbkdf2(value: &str, path: &str) -> Result<(Digest, u32, Vec<u8>, Vec<u8>), Refusal> {
    let bad = |m: &str| refuse(RefusalKind::Format, path, m);
    let shape = "hash.value must be $pbkdf2-<digest>$i=<iterations>,l=<keylen>$<salt>$<hash>";
    let parts: Vec<&str> = value.split('$').collect();
    let [empty, id, rest @ ..] = parts.as_slice() else {
        return Err(bad(shape));
    };
    if !empty.is_empty() {
        return Err(bad(shape));
    }
    let digest_name = id.strip_prefix("pbkdf2-").ok_or_else(|| bad(shape))?;
    let digest = Digest::parse_openssl(digest_name)
        .ok_or_else(|| bad(&format!("pbkdf2 digest {digest_name} is not supported")))?;
    let (params, salt, hash) = match rest {
        [params, salt, hash] => (*params, *salt, *hash),
        [salt, hash] => ("", *salt, *hash),
        _ => return Err(bad(shape)),
    };
    let (mut iterations, mut length) = (100_000u64, 64u64);
    for kv in params.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').ok_or_else(|| bad(shape))?;
        let v: u64 = v.parse().map_err(|_| bad(shape))?;
        match k {
            "i" => iterations = v,
            "l" => length = v,
            _ => return Err(bad(shape)),
        }
    }
    if iterations == 0 || iterations > u64::from(MAX_PBKDF2_ITERATIONS) {
        return Err(refuse(
            RefusalKind::Range,
            path,
            format!("pbkdf2 iterations must be 1 to {MAX_PBKDF2_ITERATIONS}"),
        ));
    }
    let salt = decode_base64(salt).ok_or_else(|| bad("the pbkdf2 salt is not valid base64"))?;
    let hash = decode_base64(hash).ok_or_else(|| bad("the pbkdf2 hash is not valid base64"))?;
    if hash.is_empty() || hash.len() as u64 != length || hash.len() > MAX_OUTPUT {
        return Err(bad(&format!(
            "the pbkdf2 hash has {} bytes but l is {length}",
            hash.len()
        )));
    }
    Ok((digest, iterations as u32, salt, hash))
}

impl ImportedHash {
    /// The stored form: [`PREFIX`] and the decoded hash as JSON.
    pub fn to_stored(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("{PREFIX}{json}")
    }

    /// The hash of a stored string, if it is an imported one.
    pub fn from_stored(stored: &str) -> Option<Self> {
        serde_json::from_str(stored.strip_prefix(PREFIX)?).ok()
    }

    /// The algorithm Auth0 would name this hash by.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Argon2 { .. } => Algorithm::Argon2,
            Self::Bcrypt { .. } => Algorithm::Bcrypt,
            Self::Hmac { .. } => Algorithm::Hmac,
            Self::Ldap { .. } => Algorithm::Ldap,
            Self::Digest { digest, .. } => match digest {
                Digest::Md4 => Algorithm::Md4,
                Digest::Md5 => Algorithm::Md5,
                Digest::Sha1 => Algorithm::Sha1,
                Digest::Sha256 => Algorithm::Sha256,
                _ => Algorithm::Sha512,
            },
            Self::Pbkdf2 { .. } => Algorithm::Pbkdf2,
            Self::Scrypt { .. } => Algorithm::Scrypt,
        }
    }

    /// Whether `password` is the one this hash was made from (constant-time
    /// comparison). CPU-bound: the caller runs it off the async workers.
    pub fn verify(&self, password: &str) -> bool {
        let computed = match self {
            Self::Argon2 { phc } => return verify_argon2(phc, password.as_bytes()),
            Self::Bcrypt {
                mcf,
                salt,
                password: enc,
            } => {
                let mut input = Salt::apply(salt.as_ref(), enc.bytes(password));
                // bcrypt reads at most 72 bytes (the salt counts, as at Auth0).
                input.truncate(72);
                return bcrypt::verify(&input, mcf).unwrap_or(false);
            }
            Self::Hmac {
                digest,
                key,
                salt,
                password: enc,
                ..
            } => digest.hmac(key, &Salt::apply(salt.as_ref(), enc.bytes(password))),
            Self::Ldap {
                digest,
                salt,
                password: enc,
                ..
            } => digest.hash(&[&enc.bytes(password), salt]),
            Self::Digest {
                digest,
                salt,
                password: enc,
                ..
            } => digest.hash(&[&Salt::apply(salt.as_ref(), enc.bytes(password))]),
            Self::Pbkdf2 {
                digest,
                iterations,
                salt,
                hash,
                password: enc,
            } => {
                let mut out = vec![0u8; hash.len()];
                digest.pbkdf2(&enc.bytes(password), salt, *iterations, &mut out);
                out
            }
            Self::Scrypt {
                log_n,
                r,
                p,
                salt,
                hash,
                password: enc,
            } => {
                let mut out = vec![0u8; hash.len()];
                let Ok(params) = scrypt::Params::new(*log_n, *r, *p, hash.len().max(10)) else {
                    return false;
                };
                if scrypt::scrypt(&enc.bytes(password), salt, &params, &mut out).is_err() {
                    return false;
                }
                out
            }
        };
        let expected = match self {
            Self::Hmac { hash, .. } | Self::Ldap { hash, .. } | Self::Digest { hash, .. } => hash,
            Self::Pbkdf2 { hash, .. } | Self::Scrypt { hash, .. } => hash,
            Self::Argon2 { .. } | Self::Bcrypt { .. } => return false,
        };
        aws_lc_rs::constant_time::verify_slices_are_equal(&computed, expected).is_ok()
    }
}

/// argon2i, argon2d or argon2id with the PHC string's own parameters.
fn verify_argon2(phc: &str, password: &[u8]) -> bool {
    use argon2::password_hash::phc::PasswordHash;
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(alg), Ok(params), Some(salt), Some(expected)) = (
        argon2::Algorithm::try_from(parsed.algorithm.as_str()),
        argon2::Params::try_from(&parsed),
        parsed.salt,
        parsed.hash,
    ) else {
        return false;
    };
    let version = match parsed.version {
        Some(0x10) => argon2::Version::V0x10,
        _ => argon2::Version::V0x13,
    };
    let expected = expected.as_bytes();
    let mut out = vec![0u8; expected.len()];
    argon2::Argon2::new(alg, version, params)
        .hash_password_into(password, &salt, &mut out)
        .is_ok()
        && aws_lc_rs::constant_time::verify_slices_are_equal(&out, expected).is_ok()
}

/// Base64 of standard alphabet with padding (what tests and docs use).
pub fn base64(bytes: &[u8]) -> String {
    general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checks(v: Value, password: &str) -> ImportedHash {
        let h = parse(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"));
        let stored = h.to_stored();
        let back = ImportedHash::from_stored(&stored).expect("the stored form reads back");
        assert_eq!(back, h);
        assert!(back.verify(password), "{v} verifies {password}");
        assert!(!back.verify("wrong"), "{v} refuses a wrong password");
        h
    }

    // The examples of Auth0's documentation (the password of each found by
    // recomputing it with Python's hashlib and argon2-cffi); the bcrypt hash
    // made with Python's bcrypt.
    #[test]
    fn auth0_documented_examples_verify() {
        checks(
            json!({"algorithm":"md5","hash":{"value":"67A1E09BB1F83F5007DC119C14D663AA","encoding":"hex"},"salt":{"value":"salt","position":"prefix"}}),
            "password",
        );
        checks(
            json!({"algorithm":"md4","hash":{"value":"AbuUujgF0pPPkJPSFRTpmA==","encoding":"base64"}}),
            "shh",
        );
        checks(
            json!({"algorithm":"hmac","hash":{"value":"cg7f42jH39/2EaAU4wNd4s2lKIk=","encoding":"base64","digest":"sha1","key":{"value":"736868","encoding":"hex"}}}),
            "test",
        );
        checks(
            json!({"algorithm":"scrypt","hash":{"value":"097f6197e1b41538f723e32aa7a68e8d76227d8e432ce5faa4882a913032db29","encoding":"hex"},"salt":{"value":"abc123"},"keylen":32,"cost":4096}),
            "password",
        );
        checks(
            json!({"algorithm":"bcrypt","hash":{"value":"$2b$10$33N6PPytqVo6c6FgE7LzSuvSNelw2xh8WZPxNWmxllqLuDbNHD3Xi"}}),
            "shh",
        );
    }

    #[test]
    fn salt_position_changes_the_input() {
        let md5 = |p: &[u8]| Digest::Md5.hash(&[p]);
        let suffix = base64(&md5(b"pwSALT"));
        checks(
            json!({"algorithm":"md5","hash":{"value":suffix,"encoding":"base64"},"salt":{"value":"SALT","position":"suffix"}}),
            "pw",
        );
        let v = json!({"algorithm":"md5","hash":{"value":suffix,"encoding":"base64"},"salt":{"value":"SALT"}});
        assert!(!parse(&v).unwrap().verify("pw"), "prefix is the default");
    }

    #[test]
    fn utf16le_password_encoding() {
        let bytes: Vec<u8> = "pässword"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let h = base64(&Digest::Sha1.hash(&[&bytes]));
        checks(
            json!({"algorithm":"sha1","hash":{"value":h,"encoding":"base64"},"password":{"encoding":"ucs2"}}),
            "pässword",
        );
    }

    #[test]
    fn bad_input_is_refused_with_a_path() {
        let cases = [
            (
                json!({"algorithm":"rot13","hash":{"value":"x"}}),
                RefusalKind::Enum,
                "custom_password_hash.algorithm",
            ),
            (
                json!({"algorithm":"md5","hash":{"value":"zz","encoding":"hex"}}),
                RefusalKind::Format,
                "custom_password_hash.hash.value",
            ),
            (
                json!({"algorithm":"md5","hash":{"value":"00"}}),
                RefusalKind::Enum,
                "custom_password_hash.hash.encoding",
            ),
            (
                json!({"algorithm":"argon2","hash":{"value":"$argon2id$v=19$m=65536,t=2,p=1$J6Q/82PCyaNpYKRELJyTZg$m04qRx+WkYJ3mM4nMVvIY9W0xUUzDFyIpMVMNlx2Yos"},"salt":{"value":"x"}}),
                RefusalKind::NotAllowed,
                "custom_password_hash.salt",
            ),
            (
                json!({"algorithm":"bcrypt","hash":{"value":"$2x$10$C9hB01.hc3ZqmNt1Ahd52.ZZ8JzJHtKJuwKk/Dkhgy6ON7M4qWUXG"}}),
                RefusalKind::Format,
                "custom_password_hash.hash.value",
            ),
            (
                json!({"algorithm":"pbkdf2","hash":{"value":"$pbkdf2-sha1$i=99999999,l=20$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAA"}}),
                RefusalKind::Range,
                "custom_password_hash.hash.value",
            ),
            (
                json!({"algorithm":"scrypt","hash":{"value":"00","encoding":"hex"},"keylen":1,"cost":1000}),
                RefusalKind::Range,
                "custom_password_hash.cost",
            ),
            (
                json!({"algorithm":"hmac","hash":{"value":"00","encoding":"hex","digest":"sha1"}}),
                RefusalKind::Required,
                "custom_password_hash.hash",
            ),
            (
                json!({"algorithm":"ldap","hash":{"value":"{CRYPT}abc"}}),
                RefusalKind::Format,
                "custom_password_hash.hash.value",
            ),
            (
                json!({"algorithm":"md5","hash":{"value":"00","encoding":"hex"},"extra":1}),
                RefusalKind::NotAllowed,
                "custom_password_hash",
            ),
        ];
        for (v, kind, path) in cases {
            let e = parse(&v).expect_err(&v.to_string());
            assert_eq!((e.kind, e.path.as_str()), (kind, path), "{v}: {e:?}");
        }
    }

    #[test]
    fn a_stored_string_of_another_kind_is_not_an_imported_hash() {
        assert_eq!(ImportedHash::from_stored("$argon2id$v=19$m=1"), None);
        assert_eq!(ImportedHash::from_stored("$import$not json"), None);
    }
}
