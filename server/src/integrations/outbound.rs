//! The HTTP client every outbound request goes through: health checks, OAuth token exchanges,
//! OpenID discovery, key sets and code exchanges. It connects only where the egress policy
//! permits, follows no redirect, gives up after a connect and a total timeout, and reads at most
//! a fixed number of bytes of any answer.

use crate::integrations::egress::{Egress, Refused};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long a connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// What is read of a health check's answer.
pub const CHECK_ANSWER_BYTES: usize = 64 * 1024;
/// What is read of a discovery document, a key set or a token answer.
pub const DOCUMENT_BYTES: usize = 1024 * 1024;

/// The shared client and the policy it connects under.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    egress: Egress,
    timeout: Duration,
}

/// An answer, read up to the caller's cap.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    /// The answer went on past the cap; `body` holds its beginning.
    pub truncated: bool,
}

/// Why no answer came back. Tenants are told only "could not reach" for all but a timeout, so
/// a refused destination reads the same as a closed port.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("no answer within {0} seconds")]
    Timeout(u64),
    #[error("{0}")]
    Transport(String),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(usize),
}

impl Outbound {
    pub fn new(egress: Egress, timeout: Duration) -> Outbound {
        let client = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(egress.clone()))
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .user_agent("Portcullis")
            .build()
            .unwrap_or_default();
        Outbound {
            client,
            egress,
            timeout,
        }
    }

    /// The policy this client connects under (the PostgreSQL provider and mail share it).
    pub fn egress(&self) -> &Egress {
        &self.egress
    }

    /// A request to `url`, to be finished by the caller and given to [`Outbound::send`].
    pub fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` and reads at most `cap` bytes of the answer. What went wrong is logged
    /// in full for operators.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        cap: usize,
    ) -> Result<Answer, Failure> {
        let result = self.exchange(request, cap).await;
        if let Err(failure) = &result {
            tracing::warn!(%failure, "outbound request failed");
        }
        result
    }

    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        cap: usize,
    ) -> Result<Answer, Failure> {
        let request = request.build().map_err(|e| self.failure(&e))?;
        self.egress.check_literal(request.url())?;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| self.failure(&e))?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(&e))? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body,
            truncated,
        })
    }

    fn failure(&self, e: &reqwest::Error) -> Failure {
        if e.is_timeout() {
            return Failure::Timeout(self.timeout.as_secs());
        }
        // The deepest cause, without the URL (which may carry a token in its query).
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut deepest = None;
        while let Some(s) = source {
            deepest = Some(s.to_string());
            source = s.source();
        }
        Failure::Transport(deepest.unwrap_or_else(|| "connection failed".to_owned()))
    }
}

/// OAuth and OpenID Connect requests go through the same policy and caps.
impl<'c> oauth2::AsyncHttpClient<'c> for Outbound {
    type Error = Failure;
    type Future = Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, Failure>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = url::Url::parse(&parts.uri.to_string())
                .map_err(|_| Failure::Transport("the endpoint is not a URL".to_owned()))?;
            let builder = self
                .request(parts.method, url)
                .headers(parts.headers)
                .body(body);
            let answer = self.send(builder, DOCUMENT_BYTES).await?;
            if answer.truncated {
                return Err(Failure::TooLarge(DOCUMENT_BYTES));
            }
            let mut response = oauth2::http::Response::builder().status(answer.status);
            if let Some(headers) = response.headers_mut() {
                *headers = answer.headers;
            }
            response
                .body(answer.body)
                .map_err(|e| Failure::Transport(e.to_string()))
        })
    }
}
