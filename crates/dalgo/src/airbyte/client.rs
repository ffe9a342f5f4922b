//! The client of Airbyte's Config API: its auth (Basic, or a bearer token
//! from client credentials, cached and renewed) and call kinds, over the
//! shared transport. Credentials go in headers only, never in URLs or messages.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::{AirbyteAuth, AirbyteConfig};
use crate::error::{Error, Failure, Result};
use crate::http::{Request, Service, Transport, decode};

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
    transport: Transport,
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
        let server = cfg.base_url.split("/api/").next().unwrap_or(&cfg.base_url);
        let transport = Transport::new(Service::Airbyte, &cfg.base_url, server, cfg.timeout, cfg.retries)?;
        Ok(Client { transport, cfg: cfg.clone(), bearer: Mutex::new(None) })
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
        let value = self.send(Method::POST, path, Some(body), call, wait).await?;
        decode(Service::Airbyte, path, value)
    }

    /// POSTs where Airbyte answers 204 No Content.
    pub(crate) async fn post_empty(&self, path: &str, body: &Value, call: Call) -> Result<()> {
        self.send(Method::POST, path, Some(body), call, Wait::Normal).await.map(|_| ())
    }

    /// GETs a path (health, instance configuration).
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let value = self.send(Method::GET, path, None, Call::Safe, Wait::Normal).await?;
        decode(Service::Airbyte, path, value)
    }

    /// Sends with the configured credentials; a bearer token refused with 401
    /// (it may expire early) is fetched anew, once.
    async fn send(&self, method: Method, path: &str, body: Option<&Value>, call: Call, wait: Wait) -> Result<Value> {
        let timeout = match wait {
            Wait::Normal => self.cfg.timeout,
            Wait::Check => self.cfg.check_timeout,
            Wait::Discover => self.cfg.discover_timeout,
        };
        let mut renewed = false;
        loop {
            let auth = self.authorization().await?;
            let req = Request {
                method: method.clone(),
                path,
                body,
                auth: auth.as_ref(),
                safe: matches!(call, Call::Safe),
                timeout,
            };
            match self.transport.send(req).await {
                Err(Error::Airbyte { status: Some(401), .. }) if !renewed && self.renewable() => {
                    renewed = true;
                    *self.bearer.lock().await = None;
                }
                other => return other,
            }
        }
    }

    fn renewable(&self) -> bool {
        matches!(self.cfg.auth, AirbyteAuth::ClientCredentials { .. })
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
        let body = serde_json::json!({
            "client_id": client_id, "client_secret": client_secret.expose_secret(), "grant_type": "client_credentials",
        });
        let req = Request {
            method: Method::POST,
            path: "/applications/token",
            body: Some(&body),
            auth: None,
            safe: false,
            timeout: self.cfg.timeout,
        };
        let value = self.transport.send(req).await?;
        let token = value.get("access_token").and_then(Value::as_str).ok_or_else(|| Error::Airbyte {
            failure: Failure::Unauthorised,
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
