//! Standard base64 (RFC 4648 with `+` and `/`): HTTP Basic credentials in both directions.
//!
//! A thin wrapper over the `base64` crate that fixes one lenient reading for every caller:
//! padding is optional (any run of trailing `=` is dropped) and stray low bits in the last
//! character are ignored, as clients that send Basic credentials are not all strict.

use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Standard base64 with padding.
pub fn encode(input: &[u8]) -> String {
    ENGINE.encode(input)
}

/// Standard base64 (with or without padding), or `None`.
pub fn decode(input: &str) -> Option<Vec<u8>> {
    ENGINE.decode(input.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    // A panic in a test is its failure report.
    #![allow(clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0u8..=255).collect();
        for n in 0..40 {
            assert_eq!(decode(&encode(&data[..n])).as_deref(), Some(&data[..n]));
        }
        assert_eq!(encode(b"ann:hunter2"), "YW5uOmh1bnRlcjI=");
    }
}
