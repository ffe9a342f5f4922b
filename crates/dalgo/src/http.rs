//! The one HTTP transport the Airbyte and Prefect clients share: timeouts,
//! retries (only for calls safe to repeat), error mapping to exit classes,
//! and error text that never carries a credential (they travel in headers
//! only). Each client adds its auth and its paths.

use std::time::Duration;

use rand::Rng;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::error::{Error, Failure, Result};

/// Idle pooled connections are dropped after this, below the keep-alive of
/// the servers dalgo talks to (uvicorn, which serves Prefect, closes idle
/// connections after 5 s), so a request is never sent on a connection the
/// server is closing at that moment.
const POOL_IDLE: Duration = Duration::from_secs(3);

/// The service behind a transport, for its messages and its error bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Airbyte,
    Prefect,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Airbyte => "Airbyte",
            Service::Prefect => "Prefect",
        }
    }

    pub(crate) fn error(self, failure: Failure, status: Option<u16>, message: String) -> Error {
        match self {
            Service::Airbyte => Error::Airbyte { failure, status, message },
            Service::Prefect => Error::Prefect { failure, status, message },
        }
    }

    /// The service's own message (Airbyte's `message` with its validation
    /// errors, Prefect's `detail`), mapped to an exit class.
    pub(crate) fn http_error(self, path: &str, status: StatusCode, text: &str) -> Error {
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let mut message = match body.get("message").or_else(|| body.get("detail")) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => text.chars().take(300).collect::<String>().trim().to_string(),
        };
        if let Some(errors) = body.get("validationErrors").and_then(Value::as_array) {
            let details: Vec<String> = errors
                .iter()
                .map(|e| {
                    let path = e.get("propertyPath").and_then(Value::as_str).unwrap_or("?");
                    let msg = e.get("message").and_then(Value::as_str).unwrap_or("invalid");
                    format!("{path}: {msg}")
                })
                .collect();
            if !details.is_empty() {
                message = format!("{message} ({})", details.join("; "));
            }
        }
        let failure = match (status.as_u16(), self) {
            (401 | 403, _) => Failure::Unauthorised,
            (404, _) => Failure::NotFound,
            // Airbyte's 409 is "a sync is already running": try again later.
            (409, Service::Airbyte) => Failure::Busy,
            (409, Service::Prefect) => Failure::Conflict,
            (400 | 422, _) => Failure::Rejected,
            (s, _) if s >= 500 => Failure::ServerError,
            _ => Failure::Unexpected,
        };
        self.error(failure, Some(status.as_u16()), format!("{} {path} ({status}): {message}", self.name()))
    }
}

/// One request.
pub(crate) struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub body: Option<&'a Value>,
    /// The `Authorization` header's value.
    pub auth: Option<&'a SecretString>,
    /// Safe to repeat: retried on transient failures.
    pub safe: bool,
    pub timeout: Duration,
}

/// An HTTP client for one server of one service.
pub(crate) struct Transport {
    http: reqwest::Client,
    service: Service,
    base_url: String,
    /// The server as messages name it, without the API path.
    server: String,
    retries: u32,
}

impl Transport {
    pub(crate) fn new(service: Service, base_url: &str, server: &str, timeout: Duration, retries: u32) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .pool_idle_timeout(POOL_IDLE)
            .user_agent(concat!("dalgo/", env!("CARGO_PKG_VERSION")));
        if !base_url.starts_with("https:") {
            // Plain HTTP: the system's root certificates (a hundred files and
            // more) are not read; no https URL is ever asked of this client.
            builder = builder.tls_certs_only(std::iter::empty());
        }
        let http = builder.build().map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport { http, service, base_url: base_url.to_string(), server: server.to_string(), retries })
    }

    /// Sends a request and returns the JSON answer (`Null` for an empty one).
    /// A safe request is retried with backoff and jitter after a connection
    /// failure, a reset or closed connection, or a 502/503/504, all within
    /// one deadline: the request's timeout bounds the whole call, retries
    /// included, so a server that hangs costs the timeout once.
    pub(crate) async fn send(&self, req: Request<'_>) -> Result<Value> {
        let url = format!("{}{}", self.base_url, req.path);
        let deadline = tokio::time::Instant::now() + req.timeout;
        let mut attempt = 0;
        loop {
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            let mut r = self.http.request(req.method.clone(), &url).timeout(remaining);
            if let Some(auth) = req.auth {
                r = r.header(reqwest::header::AUTHORIZATION, auth.expose_secret());
            }
            if let Some(b) = req.body {
                r = r.json(b);
            }
            let service = self.service.name().to_ascii_lowercase();
            tracing::debug!(method = %req.method, path = req.path, attempt, "{service} request");
            let started = std::time::Instant::now();
            let outcome = r.send().await;
            let took = started.elapsed().as_secs_f64() * 1000.0;
            match &outcome {
                Ok(resp) => tracing::info!(
                    "{service} {} {} -> {} in {took:.1} ms",
                    req.method,
                    req.path,
                    resp.status().as_u16()
                ),
                Err(e) => tracing::info!("{service} {} {} -> {} in {took:.1} ms", req.method, req.path, root_cause(e)),
            }
            let pause = backoff(attempt + 1);
            if req.safe
                && attempt < self.retries
                && is_transient(&outcome)
                && tokio::time::Instant::now() + pause < deadline
            {
                attempt += 1;
                tokio::time::sleep(pause).await;
                continue;
            }
            return match outcome {
                Err(e) => Err(self.transport_error(req.path, &e, req.timeout)),
                Ok(resp) => self.read(req.path, resp).await,
            };
        }
    }

    fn transport_error(&self, path: &str, e: &reqwest::Error, timeout: Duration) -> Error {
        let name = self.service.name();
        if e.is_timeout() {
            let message = format!("{name} at {} did not answer {path} within {timeout:?}", self.server);
            self.service.error(Failure::ServerError, None, message)
        } else {
            let message = format!("cannot reach {name} at {}: {}", self.server, root_cause(e));
            self.service.error(Failure::Unreachable, None, message)
        }
    }

    async fn read(&self, path: &str, resp: reqwest::Response) -> Result<Value> {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(self.service.http_error(path, status, &text));
        }
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| {
            let message = format!("{}'s answer to {path} is not JSON: {e}", self.service.name());
            self.service.error(Failure::Unexpected, Some(status.as_u16()), message)
        })
    }
}

/// Decodes a JSON answer into `T`, or says it was not what was expected.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(service: Service, path: &str, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        service.error(Failure::Unexpected, None, format!("unexpected answer from {} {path}: {e}", service.name()))
    })
}

/// Exponential backoff with jitter: about 200 ms, 400 ms, 800 ms … capped at
/// 5 s, each between half and all of that, so retrying clients spread out.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(5)).min(5_000);
    let jitter = rand::rng().random_range(0..=base / 2);
    Duration::from_millis(base / 2 + jitter)
}

/// The innermost cause of an error ("Connection refused (os error 111)").
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Whether the connection broke under the request: reset, closed, or the
/// answer cut short (a keep-alive connection the server was closing).
fn connection_broke(e: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        if c.to_string().contains("connection closed before message completed") {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Whether a request's outcome is a transient failure worth retrying (when
/// the call is safe to repeat): no connection, a broken one, no answer in
/// time, or a gateway that did not get an answer (502, 503, 504).
pub(crate) fn is_transient(outcome: &Result<reqwest::Response, reqwest::Error>) -> bool {
    match outcome {
        Err(e) => e.is_connect() || e.is_timeout() || connection_broke(e),
        Ok(resp) => matches!(resp.status().as_u16(), 502..=504),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        for attempt in 1..10 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_millis(5_000), "{d:?}");
            assert!(d >= Duration::from_millis(100), "{d:?}");
        }
    }

    #[test]
    fn errors_carry_the_services_message_and_class() {
        let e = Service::Airbyte.http_error(
            "/sources/create",
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"message":"bad","validationErrors":[{"propertyPath":"name","message":"must not be null"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("bad (name: must not be null)"), "{e}");
        let sync = r#"{"message":"A sync is already running for: x"}"#;
        assert_eq!(
            Service::Airbyte.http_error("/connections/sync", StatusCode::CONFLICT, sync).kind(),
            ErrorKind::TempFail
        );
        assert_eq!(Service::Airbyte.http_error("/x", StatusCode::UNAUTHORIZED, "").kind(), ErrorKind::PermissionDenied);
        assert_eq!(Service::Airbyte.http_error("/x", StatusCode::BAD_GATEWAY, "oops").kind(), ErrorKind::TempFail);

        let e = Service::Prefect.http_error(
            "/deployments/",
            StatusCode::NOT_FOUND,
            r#"{"detail":"Work pool \"nope\" not found."}"#,
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(matches!(e, Error::Prefect { failure: Failure::NotFound, status: Some(404), .. }));
        assert!(e.to_string().contains("Work pool \"nope\" not found."));
        let conflict = Service::Prefect.http_error("/x", StatusCode::CONFLICT, "{}");
        assert!(matches!(conflict, Error::Prefect { failure: Failure::Conflict, .. }));
        assert_eq!(conflict.kind(), ErrorKind::InvalidInput);
        let busy = Service::Airbyte.http_error("/connections/sync", StatusCode::CONFLICT, "{}");
        assert!(matches!(busy, Error::Airbyte { failure: Failure::Busy, .. }), "a sync already running: {busy:?}");
    }
}
