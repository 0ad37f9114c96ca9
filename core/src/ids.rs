//! Typed, prefixed, time-ordered ids (`usr_01jd…`).
//!
//! The body is 16 bytes (a UUIDv7 made by the server: 48 bits of milliseconds, then random bits)
//! written in Crockford base32, lower case, 26 characters, so ids sort by creation time as text
//! and a person who copies one can tell from the prefix what it names. Core never makes the
//! bytes itself (that needs a clock and randomness); it only formats and checks them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const BODY_LEN: usize = 26;

/// Why a string is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected an id starting with `{expected}_`")]
    WrongPrefix { expected: &'static str },
    #[error("an id body has exactly 26 characters")]
    WrongLength,
    #[error("an id body uses only the characters 0-9 and a-z without i, l, o and u")]
    BadCharacter,
    #[error("an id body starts with a digit from 0 to 7")]
    Overflow,
}

/// Encodes 16 bytes as 26 Crockford base32 characters (the first carries the top 3 bits).
pub fn encode_body(bytes: [u8; 16]) -> String {
    let mut n = u128::from_be_bytes(bytes);
    let mut out = [0u8; BODY_LEN];
    for slot in out.iter_mut().rev() {
        // INVARIANT: `n & 31` is below 32, the alphabet's length.
        *slot = ALPHABET.get((n & 31) as usize).copied().unwrap_or(b'0');
        n >>= 5;
    }
    out.iter().map(|&b| b as char).collect()
}

/// Decodes a 26-character body back to its 16 bytes.
pub fn decode_body(body: &str) -> Result<[u8; 16], IdError> {
    if body.len() != BODY_LEN {
        return Err(IdError::WrongLength);
    }
    let mut n: u128 = 0;
    for (i, c) in body.bytes().enumerate() {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .ok_or(IdError::BadCharacter)? as u128;
        if i == 0 && v > 7 {
            return Err(IdError::Overflow);
        }
        n = (n << 5) | v;
    }
    Ok(n.to_be_bytes())
}

macro_rules! define_ids {
    ($($(#[$doc:meta])* $name:ident => $prefix:literal),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Makes the id from 16 bytes (the server passes a fresh UUIDv7).
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                $name(format!("{}_{}", $prefix, encode_body(bytes)))
            }

            /// Checks that `s` is an id of this kind.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                let body = s
                    .strip_prefix($prefix)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .ok_or(IdError::WrongPrefix { expected: $prefix })?;
                decode_body(body)?;
                Ok($name(s.to_owned()))
            }

            /// The id as text, as stored and sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

define_ids! {
    /// A tenant (an account, in application permission names).
    TenantId => "tnt",
    /// An agency that owns tenants.
    AgencyId => "agc",
    /// A person who signs in.
    UserId => "usr",
    /// A named set of actions.
    PolicyId => "pol",
    /// A resource group (the built-in *All resource groups* or a custom one).
    ResourceGroupId => "rg",
    /// A Customer 360 database.
    DatabaseId => "db",
    /// A stored credential for a third-party tool.
    AuthorizationId => "auth",
    /// A job that uses an authorization.
    JobId => "job",
    /// An experience imported from a third-party tool; it may hold an authorization.
    ExperienceId => "exp",
    /// An application.
    AppId => "app",
    /// A bot token.
    TokenId => "tok",
    /// An installation of an app on a tenant or an agency.
    InstallId => "ins",
    /// An activity event.
    EventId => "evt",
    /// A campaign in an account.
    CampaignId => "cmp",
    /// A post or photo in an account.
    ContentId => "cnt",
    /// A data feed of an account.
    FeedId => "feed",
    /// A default creative of an account.
    CreativeId => "crv",
    /// A board (screen) of an agency.
    BoardId => "brd",
    /// A campaign pull of an agency.
    PullId => "pull",
    /// A lightning device of an agency.
    DeviceId => "dev",
}
