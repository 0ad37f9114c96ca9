//! OAuth methods: where each provider's consent and token endpoints are, and when a
//! stored access token must be refreshed. The server runs the authorization-code flow with PKCE.

use std::collections::BTreeMap;

/// A provider's authorization-code endpoints and the scopes a job needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub scopes: &'static [&'static str],
}

/// The endpoints of `provider`'s OAuth method; `base` (from `PORTCULLIS_PROVIDER_URLS`)
/// replaces the provider's hosts so that tests run against a local fake. Salesforce lives on
/// the customer's own instance URL.
pub fn endpoints(
    provider: &str,
    config: &BTreeMap<String, String>,
    base: Option<&str>,
) -> Option<Endpoints> {
    let base = base.map(|b| b.trim_end_matches('/').to_owned());
    let at = |default: &str, path: &str| format!("{}{path}", base.as_deref().unwrap_or(default));
    match provider {
        "facebook" => Some(Endpoints {
            authorize_url: at("https://www.facebook.com", "/v19.0/dialog/oauth"),
            token_url: at("https://graph.facebook.com", "/v19.0/oauth/access_token"),
            scopes: &["ads_management", "business_management"],
        }),
        "google_cloud" => Some(Endpoints {
            authorize_url: at("https://accounts.google.com", "/o/oauth2/v2/auth"),
            token_url: at("https://oauth2.googleapis.com", "/token"),
            scopes: &["https://www.googleapis.com/auth/bigquery"],
        }),
        "salesforce" => {
            let instance = config.get("instance_url")?.trim_end_matches('/').to_owned();
            let root = base.unwrap_or(instance);
            Some(Endpoints {
                authorize_url: format!("{root}/services/oauth2/authorize"),
                token_url: format!("{root}/services/oauth2/token"),
                scopes: &["api", "refresh_token"],
            })
        }
        _ => None,
    }
}

/// How long before its expiry an access token is refreshed.
pub const REFRESH_BEFORE_MS: i64 = 10 * 60 * 1000;
/// How long a started consent may take before its state is refused.
pub const CONSENT_VALID_MS: i64 = 10 * 60 * 1000;

/// Whether a token expiring at `expires_at_ms` must be refreshed at `now_ms`.
pub fn needs_refresh(expires_at_ms: Option<i64>, now_ms: i64) -> bool {
    expires_at_ms.is_some_and(|at| at - REFRESH_BEFORE_MS <= now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_uses_the_instance_and_overrides_replace_hosts() {
        let mut config = BTreeMap::new();
        config.insert(
            "instance_url".to_owned(),
            "https://acme.my.salesforce.com/".to_owned(),
        );
        let e = endpoints("salesforce", &config, None);
        assert_eq!(
            e.map(|e| e.token_url),
            Some("https://acme.my.salesforce.com/services/oauth2/token".to_owned())
        );
        let f = endpoints("facebook", &config, Some("http://127.0.0.1:9/"));
        assert_eq!(
            f.map(|e| e.authorize_url),
            Some("http://127.0.0.1:9/v19.0/dialog/oauth".to_owned())
        );
        assert!(endpoints("sendgrid", &config, None).is_none());
    }

    #[test]
    fn refreshes_ten_minutes_ahead() {
        assert!(!needs_refresh(None, 0));
        assert!(!needs_refresh(Some(REFRESH_BEFORE_MS + 1), 0));
        assert!(needs_refresh(Some(REFRESH_BEFORE_MS), 0));
    }
}
