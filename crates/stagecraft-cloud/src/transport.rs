//! The HTTP core every provider client shares: bearer auth, timeouts, cancellation, the
//! provider's rate-limit headers, and retries with exponential backoff and full jitter.
//!
//! Retry rules (why they differ by request): a 429 or a `locked` / `rate_limit_exceeded` answer
//! means the provider did nothing, so any request is retried. A 5xx or a timeout may hide a
//! request that was carried out, so only idempotent requests (GET, PUT, DELETE) are retried here;
//! for a create the error is returned with [`ProviderError::maybe_processed`] set, and the
//! caller looks the resource up by its labels before trying again, so nothing is created twice.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;
use stagecraft_model::Provider;
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::secret::Secret;

/// What went wrong talking to a provider, as the UI and CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
#[error("{provider:?} {kind:?}{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
pub struct ProviderError {
    pub provider: Provider,
    pub kind: ProviderErrorKind,
    /// HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The provider's error code (`locked`, `uniqueness_error`, `AuthFailure`...).
    pub code: Option<String>,
    pub message: String,
    /// Trying again later may succeed.
    pub retryable: bool,
    /// The request may have been carried out although no success was seen (5xx or timeout on a
    /// create): look before creating again.
    pub maybe_processed: bool,
}

/// Broad classes of provider failure; the UI switches on these, never on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ProviderErrorKind {
    /// The token was refused (401/403).
    Unauthorized,
    NotFound,
    /// A name or resource conflict (409, `uniqueness_error`).
    Conflict,
    /// The provider rejected the request as invalid (400/422).
    InvalidRequest,
    /// Rate limited and out of retries.
    RateLimited,
    /// The provider failed (5xx) and out of retries.
    ServerError,
    Timeout,
    /// Could not connect.
    Network,
    /// An asynchronous action ended in error.
    ActionFailed,
    /// The answer did not have the expected shape.
    UnexpectedResponse,
    /// The operation was cancelled by the user.
    Cancelled,
    /// The operation is not supported by this client yet.
    Unsupported,
}

impl ProviderError {
    /// An error of `kind` with a message and no HTTP details.
    pub fn new(provider: Provider, kind: ProviderErrorKind, message: impl Into<String>) -> Self {
        Self {
            provider,
            kind,
            status: None,
            code: None,
            message: message.into(),
            retryable: false,
            maybe_processed: false,
        }
    }
}

/// How hard to try, and how long to wait.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff; doubles each attempt, with full jitter.
    pub base_delay: Duration,
    /// Longest single wait (also caps Retry-After).
    pub max_delay: Duration,
    /// Timeout of one HTTP exchange.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Where and how a client talks to its provider.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL without a trailing slash (`https://api.hetzner.cloud/v1`; tests use a local peer).
    pub base_url: String,
    pub retry: RetryPolicy,
    /// Interval between polls of an asynchronous action.
    pub poll_interval: Duration,
    /// Give up waiting for one action after this long.
    pub action_timeout: Duration,
    /// Cancels every request and wait of this client.
    pub cancel: CancellationToken,
}

impl ClientConfig {
    /// Defaults for `base_url`: production timings, a fresh cancellation token.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            retry: RetryPolicy::default(),
            poll_interval: Duration::from_secs(1),
            action_timeout: Duration::from_secs(600),
            cancel: CancellationToken::new(),
        }
    }
}

/// How a provider spells its rate-limit headers and error bodies.
pub(crate) trait Dialect: Send + Sync {
    fn provider(&self) -> Provider;
    /// `(code, message)` from an error body.
    fn error_of(&self, body: &Value) -> (Option<String>, Option<String>);
    /// Error codes meaning "nothing was done, try again later".
    fn retryable_code(&self, code: &str) -> bool;
}

/// One provider's HTTP connection, shared by all tasks of an apply.
pub(crate) struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
    token: Secret,
    dialect: Box<dyn Dialect>,
    calls: AtomicU64,
    /// Set when the provider said the hourly budget is spent: wait until then.
    blocked_until: Mutex<Option<Instant>>,
}

impl Transport {
    pub(crate) fn new(
        config: ClientConfig,
        token: Secret,
        dialect: Box<dyn Dialect>,
    ) -> Result<Arc<Self>, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(config.retry.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("stagecraft/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                ProviderError::new(
                    dialect.provider(),
                    ProviderErrorKind::Network,
                    e.to_string(),
                )
            })?;
        Ok(Arc::new(Self {
            http,
            config,
            token,
            dialect,
            calls: AtomicU64::new(0),
            blocked_until: Mutex::new(None),
        }))
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub(crate) fn provider(&self) -> Provider {
        self.dialect.provider()
    }

    /// HTTP requests sent so far, retries included.
    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub(crate) fn error(
        &self,
        kind: ProviderErrorKind,
        message: impl Into<String>,
    ) -> ProviderError {
        ProviderError::new(self.provider(), kind, message)
    }

    /// Sleeps unless cancelled.
    pub(crate) async fn sleep(&self, duration: Duration) -> Result<(), ProviderError> {
        tokio::select! {
            _ = self.config.cancel.cancelled() => Err(self.error(ProviderErrorKind::Cancelled, "cancelled")),
            _ = tokio::time::sleep(duration) => Ok(()),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let retry = &self.config.retry;
        let cap = retry
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(retry.max_delay);
        // Full jitter: spreads the retries of many parallel tasks instead of syncing them.
        let millis = rand::rng().random_range(0..=cap.as_millis().max(1) as u64);
        Duration::from_millis(millis)
    }

    /// Sends one request and decodes its JSON answer (`None` for an empty body), retrying as the
    /// module doc says.
    ///
    /// # Errors
    /// A [`ProviderError`] once retries are spent, at once for non-retryable answers.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, ProviderError> {
        let idempotent = method != Method::POST;
        self.retrying(idempotent, || self.send_once(&method, path, query, body))
            .await
    }

    /// Runs `exchange` (one HTTP request and its classified answer) under the retry rules of the
    /// module doc: the loop every client shares, whatever its wire format or signing. Clients
    /// whose every call is a POST (the AWS Query API) say per call whether it is `idempotent`.
    ///
    /// # Errors
    /// The last error once retries are spent, at once for non-retryable answers.
    pub(crate) async fn retrying<T, F, Fut>(
        &self,
        idempotent: bool,
        mut exchange: F,
    ) -> Result<T, ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, (ProviderError, Option<Duration>)>>,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.wait_for_budget().await?;
            let outcome = exchange().await;
            let last = attempt >= self.config.retry.max_attempts;
            match outcome {
                Ok(value) => return Ok(value),
                Err((mut error, retry_after)) => {
                    let may_retry = error.retryable && (idempotent || !error.maybe_processed);
                    if !may_retry || last {
                        if !idempotent && error.maybe_processed {
                            error.retryable = true;
                        }
                        return Err(error);
                    }
                    let wait = retry_after
                        .map(|d| d.min(self.config.retry.max_delay))
                        .unwrap_or_else(|| self.backoff(attempt));
                    self.sleep(wait).await?;
                }
            }
        }
    }

    /// The shared HTTP client (timeouts and user agent set), for clients that build their own
    /// requests inside [`Transport::retrying`].
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Counts one HTTP request for [`Transport::calls`].
    pub(crate) fn count_call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    async fn wait_for_budget(&self) -> Result<(), ProviderError> {
        let until = *self.blocked_until.lock().await;
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                self.sleep(until - now).await?;
            }
        }
        Ok(())
    }

    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, (ProviderError, Option<Duration>)> {
        let url = format!("{}{}", self.config.base_url, path);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(self.token.expose())
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
        let sent = tokio::select! {
            _ = self.config.cancel.cancelled() => {
                return Err((self.error(ProviderErrorKind::Cancelled, "cancelled"), None));
            }
            sent = request.send() => sent,
        };
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                let timeout = e.is_timeout();
                let mut error = self.error(
                    if timeout {
                        ProviderErrorKind::Timeout
                    } else {
                        ProviderErrorKind::Network
                    },
                    format!("{method} {path}: {}", without_url(&e)),
                );
                error.retryable = true;
                // A connection refused never reached the provider; a timeout may have.
                error.maybe_processed = timeout || !e.is_connect();
                return Err((error, None));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        self.note_rate_limit(&headers).await;
        let text = tokio::select! {
            _ = self.config.cancel.cancelled() => {
                return Err((self.error(ProviderErrorKind::Cancelled, "cancelled"), None));
            }
            text = response.text() => text,
        };
        let text = text.map_err(|e| {
            let mut error = self.error(
                ProviderErrorKind::Network,
                format!("{method} {path}: {}", without_url(&e)),
            );
            error.retryable = true;
            error.maybe_processed = true;
            (error, None)
        })?;
        let value: Option<Value> = if text.trim().is_empty() {
            None
        } else {
            match serde_json::from_str(&text) {
                Ok(v) => Some(v),
                Err(e) if status.is_success() => {
                    return Err((
                        self.error(
                            ProviderErrorKind::UnexpectedResponse,
                            format!("{method} {path}: the answer is not JSON: {e}"),
                        ),
                        None,
                    ))
                }
                Err(_) => None,
            }
        };
        if status.is_success() {
            return Ok(value);
        }
        let (code, message) = value
            .as_ref()
            .map(|v| self.dialect.error_of(v))
            .unwrap_or((None, None));
        let retry_after = retry_after(&headers);
        let code_retryable = code
            .as_deref()
            .is_some_and(|c| self.dialect.retryable_code(c));
        let kind = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ProviderErrorKind::Unauthorized,
            StatusCode::NOT_FOUND => ProviderErrorKind::NotFound,
            StatusCode::CONFLICT if !code_retryable => ProviderErrorKind::Conflict,
            StatusCode::TOO_MANY_REQUESTS => ProviderErrorKind::RateLimited,
            s if s.is_server_error() => ProviderErrorKind::ServerError,
            _ if code_retryable => ProviderErrorKind::RateLimited,
            _ => ProviderErrorKind::InvalidRequest,
        };
        let retryable =
            status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || code_retryable;
        let error = ProviderError {
            provider: self.provider(),
            kind,
            status: Some(status.as_u16()),
            code: code.clone(),
            message: format!(
                "{method} {path}: {}",
                message.unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned())
            ),
            retryable,
            // Only a 5xx leaves the outcome unknown; 429 and `locked` mean nothing was done.
            maybe_processed: status.is_server_error() && !code_retryable,
        };
        Err((error, retry_after))
    }

    async fn note_rate_limit(&self, headers: &HeaderMap) {
        let remaining = header_number(headers, "ratelimit-remaining");
        let reset = header_number(headers, "ratelimit-reset");
        if let (Some(0), Some(reset)) = (remaining, reset) {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            // Hetzner and DigitalOcean send the reset as a UNIX time; small values are seconds.
            let wait = if reset > 1_000_000_000 {
                reset.saturating_sub(now)
            } else {
                reset
            };
            let wait = Duration::from_secs(wait).min(self.config.retry.max_delay);
            *self.blocked_until.lock().await = Some(Instant::now() + wait);
        }
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `Retry-After` in seconds (the HTTP-date form is rare with these APIs and falls back to backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_number(headers, "retry-after").map(Duration::from_secs)
}

/// The error text without the URL: query strings can carry selectors but never tokens; the URL
/// adds nothing the path does not say.
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
