//! Airbyte's and Prefect's settings, with Dalgo's variable names.

use super::*;

/// Refuses a setting that is not an http(s) URL with a host (78), rather
/// than failing later as an unreachable service (69).
pub(super) fn http_url(name: &str, value: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(value).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    match parsed {
        Some(_) => Ok(()),
        None => Err(Error::Config(format!("{name} must make an http(s) URL with a host, not {value:?}"))),
    }
}

/// Airbyte's settings, with Dalgo's variable names. Each secret may also come
/// from a file named by `<NAME>_FILE`, for cron and containers.
pub(super) fn airbyte_from<'a>(lookup: &impl Fn(&str) -> Option<&'a str>) -> Result<Option<AirbyteConfig>> {
    let Some(host) = lookup("AIRBYTE_SERVER_HOST") else { return Ok(None) };
    let port = lookup("AIRBYTE_SERVER_PORT").unwrap_or("8000");
    port.parse::<u16>()
        .map_err(|_| Error::Config(format!("AIRBYTE_SERVER_PORT must be a port number, not {port:?}")))?;
    let apiver = lookup("AIRBYTE_SERVER_APIVER").unwrap_or("v1");
    if apiver.is_empty()
        || apiver.starts_with('.')
        || !apiver.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(Error::Config(format!("AIRBYTE_SERVER_APIVER must be a version such as v1, not {apiver:?}")));
    }
    let scheme = if parse_bool("AIRBYTE_USE_SSL", lookup("AIRBYTE_USE_SSL"))? { "https" } else { "http" };
    http_url("AIRBYTE_SERVER_HOST", &format!("{scheme}://{host}:{port}/"))?;
    let secret = |name: &str| -> Result<Option<secrecy::SecretString>> {
        let value = match (lookup(name), lookup(&format!("{name}_FILE"))) {
            (Some(v), _) => v.to_string(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .map_err(|e| Error::Config(format!("{name}_FILE {path}: {e}")))?,
            (None, None) => return Ok(None),
        };
        // A stray CR or LF (a file saved on Windows, a copied line) would end up in a header: refused, not sent.
        if value.chars().any(char::is_control) {
            return Err(Error::Config(format!("{name} holds a control character (a line break?): remove it")));
        }
        Ok(Some(value.into()))
    };
    let auth = if let (Some(id), Some(sec)) = (lookup("AIRBYTE_CLIENT_ID"), secret("AIRBYTE_CLIENT_SECRET")?) {
        AirbyteAuth::ClientCredentials { client_id: id.to_string(), client_secret: sec }
    } else if let Some(token) = secret("AIRBYTE_API_TOKEN")? {
        AirbyteAuth::BasicToken(token)
    } else if let (Some(user), Some(pw)) = (lookup("AIRBYTE_USERNAME"), secret("AIRBYTE_PASSWORD")?) {
        AirbyteAuth::Basic { username: user.to_string(), password: pw }
    } else {
        AirbyteAuth::None
    };
    let secs = |key: &str, default: u64| match lookup(key) {
        Some(v) => parse_seconds(key, v),
        None => Ok(Duration::from_secs(default)),
    };
    let retries = match lookup("AIRBYTE_RETRIES") {
        Some(v) => {
            v.parse().map_err(|_| Error::Config(format!("AIRBYTE_RETRIES must be a whole number, not {v:?}")))?
        }
        None => 3,
    };
    Ok(Some(AirbyteConfig {
        base_url: format!("{scheme}://{host}:{port}/api/{apiver}"),
        auth,
        timeout: secs("AIRBYTE_TIMEOUT", 30)?,
        check_timeout: secs("AIRBYTE_CHECK_TIMEOUT", 60)?,
        discover_timeout: secs("AIRBYTE_DISCOVER_TIMEOUT", 600)?,
        retries,
    }))
}

/// Prefect's settings: `PREFECT_API_URL` (a Prefect server's `/api`),
/// `PREFECT_API_KEY`, Dalgo's pool variables, and the deployment shape.
pub(super) fn prefect_from<'a>(lookup: &impl Fn(&str) -> Option<&'a str>) -> Result<Option<PrefectConfig>> {
    let Some(url) = lookup("PREFECT_API_URL") else { return Ok(None) };
    http_url("PREFECT_API_URL", url)?;
    let timeout = match lookup("PREFECT_HTTP_TIMEOUT") {
        Some(v) => parse_seconds("PREFECT_HTTP_TIMEOUT", v)?,
        None => Duration::from_secs(30),
    };
    let pull_steps = match lookup("DALGO_PREFECT_PULL_STEPS") {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Error::Config(format!("DALGO_PREFECT_PULL_STEPS must be a JSON list of pull steps: {e}")))?,
        None => serde_json::json!([{ "prefect.deployments.steps.git_clone": {
            "repository": "https://github.com/DalgoT4D/prefect-proxy.git", "branch": "main" } }]),
    };
    let airbyte_task_timeout = lookup("PREFECT_AIRBYTE_TASKS_TIMEOUT_SECS").and_then(|v| v.parse().ok()).unwrap_or(15);
    Ok(Some(PrefectConfig {
        api_url: url.trim_end_matches('/').to_string(),
        api_key: lookup("PREFECT_API_KEY").map(|k| k.to_string().into()),
        timeout,
        retries: match lookup("PREFECT_RETRIES") {
            Some(v) => {
                v.parse().map_err(|_| Error::Config(format!("PREFECT_RETRIES must be a whole number, not {v:?}")))?
            }
            None => 3,
        },
        worker_pool: lookup("PREFECT_WORKER_POOL_NAME").unwrap_or("default").to_string(),
        eks_worker_pool: lookup("PREFECT_EKS_WORKER_POOL_NAME").map(String::from),
        entrypoint: lookup("DALGO_PREFECT_ENTRYPOINT").unwrap_or(DEFAULT_ENTRYPOINT).to_string(),
        pull_steps,
        airbyte_task_timeout,
    }))
}
