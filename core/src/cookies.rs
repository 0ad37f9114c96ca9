//! The console's cookies: their names and attributes, and reading one back from `Cookie`
//! headers. Server functions and the server's own routes set and read them alike.

/// Name of the session cookie over plain HTTP (local use, tests).
pub const SESSION_COOKIE: &str = "portcullis_session";
/// Name of the session cookie behind TLS: the `__Host-` prefix pins it to this host and path.
pub const SECURE_SESSION_COOKIE: &str = "__Host-portcullis_session";

/// The session cookie's name: with `Secure`, the `__Host-` prefix pins it to this host.
pub fn session_cookie_name(secure_cookies: bool) -> &'static str {
    if secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The `Set-Cookie` value of a session cookie: HttpOnly, SameSite=Lax, `Secure` behind TLS.
pub fn session_cookie(secure_cookies: bool, value: &str, max_age: i64) -> String {
    let secure = if secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        session_cookie_name(secure_cookies)
    )
}

/// The cookie that binds an SSO sign-in to the browser that started it (the `__Secure-` prefix
/// behind TLS; `__Host-` would need `Path=/`, and only the callback should see it).
pub fn sso_binding_cookie_name(secure_cookies: bool) -> &'static str {
    if secure_cookies {
        "__Secure-portcullis_sso"
    } else {
        "portcullis_sso"
    }
}

/// The `Set-Cookie` value of the SSO binding cookie: only the callback path sees it, and it
/// lives as long as a started sign-in.
pub fn sso_binding_cookie(secure_cookies: bool, value: &str, max_age: i64) -> String {
    let secure = if secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/sso/callback; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        sso_binding_cookie_name(secure_cookies)
    )
}

/// The value of cookie `name` in the values of a request's `Cookie` headers, if any.
pub fn value_in<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<String> {
    headers
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_others_and_across_headers() {
        let headers = ["a=1; portcullis_session=abc", "b=2"];
        assert_eq!(value_in(headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(value_in(headers, "b").as_deref(), Some("2"));
        assert_eq!(value_in(headers, "portcullis"), None);
    }
}
