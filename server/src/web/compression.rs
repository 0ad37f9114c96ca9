//! Pages and the console's own files go out compressed (brotli, else gzip) to a browser that
//! accepts it: the wasm bundle is most of a first load, and shrinks to about a third.
//!
//! Only those: JSON answers stay as they are, since some carry a secret beside text the caller
//! chose (a new token beside its name), which is what compression-size attacks read; and the
//! activity CSV stays a plain stream, so each chunk reaches the browser as it is written and
//! the download's progress keeps moving.

use axum::http::header::CONTENT_TYPE;
use axum::http::Response;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Content types worth compressing: pages, scripts, styles, the wasm bundle and icons.
const COMPRESSIBLE: [&str; 6] = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/wasm",
    "image/svg+xml",
];

/// Answers whose content type is one of [`COMPRESSIBLE`].
#[derive(Clone, Copy, Debug)]
pub struct Compressible;

impl Predicate for Compressible {
    fn should_compress<B>(&self, response: &Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| COMPRESSIBLE.iter().any(|t| v.starts_with(t)))
    }
}

/// The compression every answer passes through. Brotli quality 5 (and gzip level 5) compress
/// the bundle within a few tens of milliseconds at close to the best ratio; brotli's default
/// (11) takes seconds for a bundle this size.
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(5))
        .compress_when(SizeAbove::new(1024).and(Compressible))
}
