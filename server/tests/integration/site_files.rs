//! The console's own files: a release build's content-hashed files are kept by browsers for a
//! year and sent as the precompressed copy the browser accepts; the page naming them is never
//! stored; unhashed files are revalidated; nothing beside the site is served.

use crate::harness::{services_over, HOST};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_server::store::Db;
use portcullis_server::web;

const WASM: &str = "kR0dE3f9Qm2Zt7Hx1Yb4Aw";
const JS: &str = "Jb2xq8Vn0c-PZ5fYt4Ul1g";
const CSS: &str = "c5s_Tz9R1n2mQ4wE6yU8iA";

/// A site as `scripts/build.sh` leaves it (hashed names, brotli and gzip copies, the hash list)
/// in `site/` of the returned folder, beside a file that is not the site's.
fn release_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("outside.txt"), "beside the site").expect("outside file");
    let site = dir.path().join("site");
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    let write = |name: &str, bytes: &[u8]| std::fs::write(pkg.join(name), bytes).expect("write");
    write(&format!("portcullis.{WASM}.wasm"), b"\0asm plain");
    write(&format!("portcullis.{WASM}.wasm.br"), b"brotli copy");
    write(&format!("portcullis.{WASM}.wasm.gz"), b"gzip copy");
    write(&format!("portcullis.{JS}.js"), b"export default 1;");
    write(&format!("portcullis.{CSS}.css"), b"body{}");
    write("portcullis.css", b"body{}");
    std::fs::write(
        site.join(web::assets::HASH_FILE),
        format!("js: {JS}\nwasm: {WASM}\ncss: {CSS}\n"),
    )
    .expect("hash list");
    dir
}

async fn get(
    router: &axum::Router,
    path: &str,
    accept: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let req = Request::get(path)
        .header(header::HOST, HOST)
        .header(header::ACCEPT_ENCODING, accept)
        .body(Body::empty())
        .expect("request");
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .expect("answer");
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn hashed_files_are_kept_a_year_and_sent_precompressed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::open(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("t.db").display()
    ))
    .await
    .expect("open sqlite");
    let folder = release_site();
    let mut options = web::leptos_options(HOST.parse().expect("addr"));
    options.site_root = folder
        .path()
        .join("site")
        .to_string_lossy()
        .into_owned()
        .into();
    web::assets::use_hashed_names(&mut options);
    assert!(
        options.hash_files,
        "the hash list is found at the site's root"
    );
    let router = web::app(services_over(&db, Default::default()), options);

    let wasm = format!("/pkg/portcullis.{WASM}.wasm");
    let (status, headers, body) = get(&router, &wasm, "br, gzip").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], web::assets::IMMUTABLE);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(
        body, "brotli copy",
        "the copy made at build time, not one made per request"
    );
    let (_, headers, body) = get(&router, &wasm, "gzip").await;
    assert_eq!(
        (
            headers[header::CONTENT_ENCODING].to_str().ok(),
            body.as_str()
        ),
        (Some("gzip"), "gzip copy")
    );
    let (_, headers, body) = get(&router, &wasm, "identity").await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, "\0asm plain");

    // A hashed name that is not there is not remembered for a year.
    let (status, headers, _) =
        get(&router, "/pkg/portcullis.AAAAAAAAAAAAAAAAAAAAAA.wasm", "br").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(headers[header::CACHE_CONTROL], web::assets::IMMUTABLE);
    // An unhashed file may be kept but is checked again on each use.
    let (status, headers, _) = get(&router, "/pkg/portcullis.css", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], web::assets::REVALIDATE);

    // An anonymous client asking past the site's root gets nothing of what lies beside it.
    for path in [
        "/pkg/../../outside.txt",
        "/pkg/%2e%2e/%2e%2e/outside.txt",
        "/pkg/..%2f..%2foutside.txt",
        "/..%2foutside.txt",
    ] {
        let (status, _, body) = get(&router, path, "br, gzip").await;
        assert!(
            !body.contains("beside the site"),
            "{path} answered {status} with a file outside the site"
        );
        assert_ne!(status, StatusCode::OK, "{path}");
    }

    // The page names the hashed files and is itself never stored.
    let (status, headers, page) = get(&router, "/signin", "identity").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    for name in [
        format!("portcullis.{WASM}.wasm"),
        format!("portcullis.{JS}.js"),
        format!("portcullis.{CSS}.css"),
    ] {
        assert!(
            page.contains(&format!("/pkg/{name}")),
            "the page names {name}"
        );
    }
}
