//! The console's own files: where the build left them, what they are called, and how long a
//! browser may keep them.
//!
//! A release build names every file under `/pkg/` after a hash of its contents and lists the
//! hashes in `hash.txt` at the site's root. Such a name never changes meaning, so the browser
//! keeps the file for a year without asking again; a new build brings new names, which the page
//! (never stored, see the guard) points at. Icons are kept a day; a development build's
//! unhashed bundle is revalidated on each use.

use axum::http::StatusCode;
use leptos::prelude::LeptosOptions;
use std::path::{Path, PathBuf};

/// The build's list of content hashes, at the root of the site it describes.
pub const HASH_FILE: &str = "hash.txt";

/// How long a browser keeps a content-hashed file: a year, unasked.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A development build's bundle, whose names do not change with its contents: kept, but
/// checked on each use.
pub const REVALIDATE: &str = "no-cache";
/// Icons: kept a day, so a repeat visit does not fetch them again.
pub const ICONS: &str = "public, max-age=86400";

/// Points Leptos at the build's hash list when the site has one, so pages name the hashed files.
///
/// Leptos resolves the list against the executable's folder; an absolute path sends it to the
/// site instead, wherever the binary was built or installed.
pub fn use_hashed_names(options: &mut LeptosOptions) {
    let list = absolute(Path::new(options.site_root.as_ref())).join(HASH_FILE);
    options.hash_files = list.is_file();
    if options.hash_files {
        options.hash_file = list.to_string_lossy().into_owned().into();
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The stylesheet's address as pages name it: its content-hashed name when the site has a
/// hash list (read once, when the app is built), else its plain name.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
    let hash = options
        .hash_files
        .then(|| std::fs::read_to_string(options.hash_file.as_ref()).ok())
        .flatten()
        .and_then(|list| {
            list.lines()
                .find_map(|line| line.trim().strip_prefix("css:"))
                .map(|hash| hash.trim().to_owned())
        });
    match hash {
        Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
        None => format!("/{pkg}/{name}.css"),
    }
}

/// One of the site's files (the bundle, styles, icons) rather than a page or an API call, by
/// what its path says about how long it may be kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteFile {
    /// `/pkg/name.<hash>.ext`: the name changes whenever the contents do.
    Hashed,
    /// A `/pkg/` file without a hash: a development build's.
    Unhashed,
    /// The icons.
    Icon,
}

impl SiteFile {
    pub fn of(path: &str) -> Option<SiteFile> {
        match path.strip_prefix("/pkg/") {
            Some(name) if is_content_hashed(name) => Some(SiteFile::Hashed),
            Some(_) => Some(SiteFile::Unhashed),
            None => matches!(path, "/favicon.svg" | "/favicon.ico").then_some(SiteFile::Icon),
        }
    }

    /// The `Cache-Control` the file goes out with: immutable when its name carries its
    /// contents' hash and it was found, a day for icons, else revalidated on each use.
    pub fn cache_control(self, status: StatusCode) -> &'static str {
        match self {
            _ if !status.is_success() => REVALIDATE,
            SiteFile::Hashed => IMMUTABLE,
            SiteFile::Unhashed => REVALIDATE,
            SiteFile::Icon => ICONS,
        }
    }
}

/// `name.<hash>.ext`, the hash being 22 characters of unpadded base64url (an MD5). The split
/// loader's placeholder name, 22 underscores, is not a hash.
fn is_content_hashed(name: &str) -> bool {
    name.split('.').any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && part.bytes().any(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_control(path: &str, status: StatusCode) -> &'static str {
        SiteFile::of(path).map_or("not a site file", |file| file.cache_control(status))
    }

    #[test]
    fn only_found_hashed_bundle_files_are_immutable() {
        let hashed = "/pkg/portcullis.kR0dE3f9Qm2Zt7Hx1Yb4Aw.wasm";
        assert_eq!(cache_control(hashed, StatusCode::OK), IMMUTABLE);
        assert_eq!(cache_control(hashed, StatusCode::NOT_FOUND), REVALIDATE);
        assert_eq!(
            cache_control("/pkg/portcullis.wasm", StatusCode::OK),
            REVALIDATE
        );
        assert_eq!(
            cache_control(
                "/pkg/__wasm_split.______________________.js",
                StatusCode::OK
            ),
            REVALIDATE
        );
        assert_eq!(cache_control("/favicon.svg", StatusCode::OK), ICONS);
    }
}
