//! The HTTP transport to Airbyte's Config API: auth, timeouts, retries and
//! error mapping. Credentials go in headers only, never in URLs or messages.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::{AirbyteAuth, AirbyteConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{backoff, is_transient, root_cause};

/// How a call may be treated when it fails in transit.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call {
    /// A read, or a write that is safe to repeat (a delete, a sync's status):
    /// retried on connection errors and 502/503/504.
    Safe,
    /// A create or trigger: never blindly repeated.
    Once,
}

/// Which timeout applies.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait {
    Normal,
    Check,
    Discover,
}

/// A client for one Airbyte server.
pub struct Client {
    http: reqwest::Client,
    cfg: AirbyteConfig,
    bearer: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    token: SecretString,
    expires: Option<tokio::time::Instant>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("airbyte::Client").field("cfg", &self.cfg).finish()
    }
}

impl Client {
    pub fn new(cfg: &AirbyteConfig) -> Result<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(cfg.timeout))
            .user_agent(concat!("dalgo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { http, cfg: cfg.clone(), bearer: Mutex::new(None) })
    }

    pub fn base_url(&self) -> &str {
        &self.cfg.base_url
    }

    /// POSTs `body` to `path` (e.g. `/sources/get`) and decodes the answer.
    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &Value,
        call: Call,
        wait: Wait,
    ) -> Result<T> {
        let value = self.send(reqwest::Method::POST, path, Some(body), call, wait).await?;
        decode(path, value)
    }

    /// POSTs where Airbyte answers 204 No Content.
    pub(crate) async fn post_empty(&self, path: &str, body: &Value, call: Call) -> Result<()> {
        self.send(reqwest::Method::POST, path, Some(body), call, Wait::Normal).await.map(|_| ())
    }

    /// GETs a path (health, instance configuration).
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let value = self.send(reqwest::Method::GET, path, None, Call::Safe, Wait::Normal).await?;
        decode(path, value)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        call: Call,
        wait: Wait,
    ) -> Result<Value> {
        let timeout = match wait {
            Wait::Normal => self.cfg.timeout,
            Wait::Check => self.cfg.check_timeout,
            Wait::Discover => self.cfg.discover_timeout,
        };
        let url = format!("{}{path}", self.cfg.base_url);
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            let mut req = self.http.request(method.clone(), &url).timeout(timeout);
            if let Some(auth) = self.authorization().await? {
                req = req.header(reqwest::header::AUTHORIZATION, auth.expose_secret());
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            tracing::debug!(path, attempt, "airbyte request");
            let outcome = req.send().await;
            let unauthorized = outcome.as_ref().is_ok_and(|r| r.status() == StatusCode::UNAUTHORIZED);
            if unauthorized && !renewed && self.renewable() {
                // A bearer token may expire early: fetch a new one, once.
                renewed = true;
                *self.bearer.lock().await = None;
                continue;
            }
            if matches!(call, Call::Safe) && attempt < self.cfg.retries && is_transient(&outcome) {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
                continue;
            }
            return match outcome {
                Err(e) => Err(self.transport_error(path, &e, timeout)),
                Ok(resp) => read_response(path, resp).await,
            };
        }
    }

    fn renewable(&self) -> bool {
        matches!(self.cfg.auth, AirbyteAuth::ClientCredentials { .. })
    }

    fn transport_error(&self, path: &str, e: &reqwest::Error, timeout: Duration) -> Error {
        let server = self.cfg.base_url.split("/api/").next().unwrap_or(&self.cfg.base_url).to_string();
        if e.is_timeout() {
            Error::Airbyte {
                kind: ErrorKind::TempFail,
                status: None,
                message: format!("Airbyte at {server} did not answer {path} within {timeout:?}"),
            }
        } else {
            Error::Airbyte {
                kind: ErrorKind::Unavailable,
                status: None,
                message: format!("cannot reach Airbyte at {server}: {}", root_cause(e)),
            }
        }
    }

    /// The Authorization header value, fetching a bearer token when needed.
    async fn authorization(&self) -> Result<Option<SecretString>> {
        match &self.cfg.auth {
            AirbyteAuth::None => Ok(None),
            AirbyteAuth::BasicToken(t) => Ok(Some(format!("Basic {}", t.expose_secret()).into())),
            AirbyteAuth::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose_secret());
                Ok(Some(format!("Basic {}", STANDARD.encode(raw)).into()))
            }
            AirbyteAuth::ClientCredentials { client_id, client_secret } => {
                let mut cached = self.bearer.lock().await;
                let fresh = cached.as_ref().is_some_and(|c| c.expires.is_none_or(|t| tokio::time::Instant::now() < t));
                if !fresh {
                    *cached = Some(self.fetch_token(client_id, client_secret).await?);
                }
                Ok(cached.as_ref().map(|c| format!("Bearer {}", c.token.expose_secret()).into()))
            }
        }
    }

    async fn fetch_token(&self, client_id: &str, client_secret: &SecretString) -> Result<CachedToken> {
        let url = format!("{}/applications/token", self.cfg.base_url);
        let body = serde_json::json!({
            "client_id": client_id, "client_secret": client_secret.expose_secret(), "grant_type": "client_credentials",
        });
        let resp = self
            .http
            .post(&url)
            .timeout(self.cfg.timeout)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.transport_error("/applications/token", &e, self.cfg.timeout))?;
        let value = read_response("/applications/token", resp).await?;
        let token = value.get("access_token").and_then(Value::as_str).ok_or_else(|| Error::Airbyte {
            kind: ErrorKind::PermissionDenied,
            status: None,
            message: "Airbyte's /applications/token answered without an access_token".into(),
        })?;
        // Renew a little early so a token never expires mid-request.
        let expires = value
            .get("expires_in")
            .and_then(Value::as_u64)
            .map(|s| tokio::time::Instant::now() + Duration::from_secs(s.saturating_sub(10).max(1)));
        Ok(CachedToken { token: token.to_string().into(), expires })
    }
}

async fn read_response(path: &str, resp: reqwest::Response) -> Result<Value> {
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if status.is_success() {
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        return serde_json::from_str(&text).map_err(|e| Error::Airbyte {
            kind: ErrorKind::Failure,
            status: Some(status.as_u16()),
            message: format!("Airbyte's answer to {path} is not JSON: {e}"),
        });
    }
    Err(http_error(path, status, &text))
}

/// Airbyte's own message, with its validation errors, mapped to an exit class.
fn http_error(path: &str, status: StatusCode, text: &str) -> Error {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut message = body
        .get("message")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| text.chars().take(300).collect::<String>().trim().to_string());
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
    let kind = match status.as_u16() {
        400 | 422 => ErrorKind::InvalidInput,
        401 | 403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::TempFail,
        s if s >= 500 => ErrorKind::TempFail,
        _ => ErrorKind::Failure,
    };
    Error::Airbyte { kind, status: Some(status.as_u16()), message: format!("Airbyte {path} ({status}): {message}") }
}

fn decode<T: DeserializeOwned>(path: &str, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Airbyte {
        kind: ErrorKind::Failure,
        status: None,
        message: format!("unexpected answer from Airbyte {path}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_airbytes_message_and_class() {
        let e = http_error(
            "/sources/create",
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"message":"bad","validationErrors":[{"propertyPath":"name","message":"must not be null"}]}"#,
        );
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("bad (name: must not be null)"), "{e}");
        let e =
            http_error("/connections/sync", StatusCode::CONFLICT, r#"{"message":"A sync is already running for: x"}"#);
        assert_eq!(e.kind(), ErrorKind::TempFail);
        assert_eq!(http_error("/x", StatusCode::UNAUTHORIZED, "").kind(), ErrorKind::PermissionDenied);
        assert_eq!(http_error("/x", StatusCode::NOT_FOUND, "{}").kind(), ErrorKind::NotFound);
        assert_eq!(http_error("/x", StatusCode::BAD_GATEWAY, "oops").kind(), ErrorKind::TempFail);
    }
}
