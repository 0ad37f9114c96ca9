//! Browser-only actions, called from event handlers and effects (which never run on the server).

use leptos::prelude::window;

/// Loads `path` as a fresh page, so every part of the app sees the new session or tenant.
pub fn hard_navigate(path: &str) {
    let _ = window().location().set_href(path);
}

/// Reloads the current page.
pub fn reload() {
    let _ = window().location().reload();
}

/// The elements under `root` that match `selector`, in document order.
pub fn elements_in(root: &web_sys::Element, selector: &str) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// The element that has focus, if it is an HTML element.
pub fn focused() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    leptos::prelude::document()
        .active_element()?
        .dyn_into()
        .ok()
}

/// Marks the page as working once the routed page has hydrated, for end-to-end tests and the
/// first-click benchmark to tell a live page from a server-rendered one. Called by each routed
/// page rather than by the app, which hydrates before a page loaded on demand does.
pub fn mark_hydrated() {
    use leptos::prelude::*;
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Renders its children only in the browser, after hydration. For lists that load per
/// keystroke or per click: a suspense nested in an already-suspended page hydrates badly, and
/// nothing is gained by rendering such a list on the server.
#[leptos::component]
pub fn ClientOnly(children: leptos::children::ChildrenFn) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let mounted = RwSignal::new(false);
    // Effects run only in the browser, once the page is hydrated.
    Effect::new(move |_| mounted.set(true));
    move || mounted.get().then(|| children())
}

/// Puts `text` on the clipboard; false when the browser offers no clipboard (an insecure page).
pub fn copy_text(text: &str) -> bool {
    use wasm_bindgen::JsCast;
    let navigator = window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return false;
    };
    write.call1(&clipboard, &text.into()).is_ok()
}

/// A Unix-millisecond time as the viewer's local date and time (`2026-11-24 05:26:12`).
pub fn local_time(millis: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// Today in the viewer's time zone, moved by `days`, as `yyyy-mm-dd` (for date inputs).
pub fn local_date(days: i32) -> String {
    let now = js_sys::Date::now();
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        now + f64::from(days) * 86_400_000.0,
    ));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// The viewer's offset from UTC, as `UTC+01:00`.
pub fn local_offset() -> String {
    // JavaScript gives minutes *behind* UTC: -60 for UTC+01:00.
    let behind = js_sys::Date::new_0().get_timezone_offset() as i32;
    let ahead = -behind;
    let sign = if ahead < 0 { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", ahead.abs() / 60, ahead.abs() % 60)
}

/// The start of a `yyyy-mm-dd` day in the viewer's time zone, plus `days`, as Unix ms.
pub fn local_day_start(date: &str, days: u32) -> Option<i64> {
    let mut parts = date.split('-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    let d = js_sys::Date::new_with_year_month_day(
        year,
        month.checked_sub(1)? as i32,
        (day + days) as i32,
    );
    let ms = d.get_time();
    ms.is_finite().then_some(ms as i64)
}

/// Progress of a download: bytes and rows so far, and the rows expected if the server said.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DownloadProgress {
    pub rows: u64,
    pub total: Option<u64>,
}

/// Posts to `url` and reads the answer as a stream, reporting rows as they arrive, then saves it under the name the
/// server gives in `Content-Disposition`. Errors carry the server's message.
pub async fn download_with_progress(
    url: &str,
    on_progress: impl Fn(DownloadProgress),
) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |what: &str| format!("the download failed ({what}); try again");
    // A POST: the download is recorded, so it goes through the same-origin guard.
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| failed("network"))?
        .dyn_into()
        .map_err(|_| failed("response"))?;
    let headers = response.headers();
    if !response.ok() {
        let text = match response.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        return Err(text
            .and_then(|t| problem_message(&t))
            .unwrap_or_else(|| failed(&format!("status {}", response.status()))));
    }
    let total = headers
        .get("x-total-rows")
        .ok()
        .flatten()
        .and_then(|t| t.parse().ok());
    let name = headers
        .get("content-disposition")
        .ok()
        .flatten()
        .and_then(|d| {
            d.split("filename=\"")
                .nth(1)
                .map(|n| n.trim_end_matches('"').to_owned())
        })
        .unwrap_or_else(|| "events.csv".to_owned());
    let body = response.body().ok_or_else(|| failed("empty body"))?;
    let reader: web_sys::ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(|_| failed("reader"))?;
    let chunks = js_sys::Array::new();
    let mut lines: u64 = 0;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|_| failed("connection lost"))?;
        let done = js_sys::Reflect::get(&step, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let Ok(value) = js_sys::Reflect::get(&step, &"value".into()) else {
            break;
        };
        let bytes = js_sys::Uint8Array::new(&value);
        lines += bytes.to_vec().iter().filter(|b| **b == b'\n').count() as u64;
        // Rows end in newlines; the header line is not a row.
        on_progress(DownloadProgress {
            rows: lines.saturating_sub(1),
            total,
        });
        chunks.push(&bytes);
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&chunks, &options)
        .map_err(|_| failed("saving"))?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| failed("saving"))?;
    let document = window().document().ok_or_else(|| failed("page"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failed("page"))?
        .dyn_into()
        .map_err(|_| failed("page"))?;
    anchor.set_href(&href);
    anchor.set_download(&name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(())
}

/// The message of an API error envelope (`{"error": {"message": …}}`).
fn problem_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v["error"]["message"].as_str().map(str::to_owned)
}
