//! `dalgo config show`: every setting dalgo reads, where each comes
//! from, masked.

use super::*;

/// A setting dalgo reads: its name, whether its value is secret, and its
/// default in words (what `dalgo --help` and the README say).
pub(super) const KNOWN: &[(&str, bool, &str)] = &[
    ("DATABASE_URL", false, "local socket, database dalgo"),
    ("DBHOST", false, "-"),
    ("DBPORT", false, "5432"),
    ("DBNAME", false, "dalgo"),
    ("DBUSER", false, "$PGUSER, else the OS user"),
    ("DBPASSWORD", true, "-"),
    ("PGSSLMODE", false, "prefer"),
    ("DALGO_DB_CONNECT_TIMEOUT", false, "5"),
    ("DALGO_DB_STATEMENT_TIMEOUT", false, "120"),
    ("DALGO_DB_LOCK_TIMEOUT", false, "30"),
    ("DALGO_DB_IDLE_TIMEOUT", false, "60"),
    ("DALGO_DB_KEEPALIVE", false, "30"),
    ("DALGO_OUTPUT", false, "table"),
    ("DALGO_NO_INPUT", false, "prompt on a terminal"),
    ("DALGO_ACTOR", false, "$SUDO_USER, else $USER"),
    ("DALGO_ORG", false, "-"),
    ("DALGO_SECRETS_BACKEND", false, "dir"),
    ("AWS_REGION", false, "the AWS profile's (for DALGO_SECRETS_BACKEND=aws)"),
    ("AWS_PROFILE", false, "default"),
    ("AWS_ENDPOINT_URL", false, "AWS's own"),
    ("AWS_ACCESS_KEY_ID", false, "the AWS SDK's credential chain"),
    ("AWS_SECRET_ACCESS_KEY", true, "-"),
    ("AWS_SESSION_TOKEN", true, "-"),
    ("DALGO_AWS_TIMEOUT", false, "30"),
    ("DEV_SECRETS_DIR", false, "~/.local/share/dalgo/secrets"),
    ("CLIENTDBT_ROOT", false, "~/.local/share/dalgo/clientdbt"),
    ("DBT_EXECUTABLE", false, "-"),
    ("DBT_VENV", false, "-"),
    ("DALGO_CHILD_ENV", false, "-"),
    ("DALGO_SANDBOX", false, "auto"),
    ("DALGO_SANDBOX_READ", false, "-"),
    ("DALGO_GIT_TIMEOUT", false, "600"),
    ("DALGO_TENANT_USER", false, "- (dalgo's own user)"),
    ("AIRBYTE_SERVER_HOST", false, "- (no Airbyte)"),
    ("AIRBYTE_SERVER_PORT", false, "8000"),
    ("AIRBYTE_SERVER_APIVER", false, "v1"),
    ("AIRBYTE_USE_SSL", false, "false"),
    ("AIRBYTE_API_TOKEN", true, "-"),
    ("AIRBYTE_API_TOKEN_FILE", false, "-"),
    ("AIRBYTE_USERNAME", false, "-"),
    ("AIRBYTE_PASSWORD", true, "-"),
    ("AIRBYTE_PASSWORD_FILE", false, "-"),
    ("AIRBYTE_CLIENT_ID", false, "-"),
    ("AIRBYTE_CLIENT_SECRET", true, "-"),
    ("AIRBYTE_CLIENT_SECRET_FILE", false, "-"),
    ("AIRBYTE_TIMEOUT", false, "30"),
    ("AIRBYTE_CHECK_TIMEOUT", false, "60"),
    ("AIRBYTE_DISCOVER_TIMEOUT", false, "600"),
    ("AIRBYTE_RETRIES", false, "3"),
    ("PREFECT_API_URL", false, "- (no Prefect)"),
    ("PREFECT_API_KEY", true, "-"),
    ("PREFECT_HTTP_TIMEOUT", false, "30"),
    ("PREFECT_RETRIES", false, "3"),
    ("PREFECT_WORKER_POOL_NAME", false, "default"),
    ("PREFECT_EKS_WORKER_POOL_NAME", false, "-"),
    ("DALGO_PREFECT_ENTRYPOINT", false, DEFAULT_ENTRYPOINT),
    ("DALGO_PREFECT_PULL_STEPS", false, "a git clone of prefect-proxy"),
    ("PREFECT_AIRBYTE_TASKS_TIMEOUT_SECS", false, "15"),
];

/// Dalgo settings dalgo reads nowhere, and what it does instead.
pub(super) const IGNORED: &[(&str, &str)] = &[
    (
        "USE_AWS_SECRETS_MANAGER",
        "dalgo's secrets store is chosen by DALGO_SECRETS_BACKEND (dir, keyring, or aws for AWS Secrets Manager, as Dalgo's production)",
    ),
    ("PREFECT_PROXY_API_URL", "dalgo calls Prefect's own API at PREFECT_API_URL, not Dalgo's prefect-proxy"),
];

/// One setting as it takes effect.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EffectiveSetting {
    pub name: &'static str,
    /// The value (`********` for a secret, a URL's password masked); `None` when unset.
    pub value: Option<String>,
    pub source: SettingSource,
    /// The default in words, used when unset.
    pub default: &'static str,
}

/// Every setting dalgo reads, where each comes from, and the Dalgo settings
/// set here that dalgo does not use.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    pub settings: Vec<EffectiveSetting>,
    pub warnings: Vec<String>,
    /// The user config file consulted (it may not exist).
    pub config_file: Option<PathBuf>,
    /// The `.env` read, if any: the working directory's, else the nearest
    /// one above it that this user or root owns.
    pub dotenv: Option<PathBuf>,
    /// Whether tenant code (dbt, git) runs confined here.
    pub sandbox: crate::sandbox::SandboxStatus,
}

/// Explains the configuration [`Config::load`] would build, setting by setting.
pub fn explain(overrides: &Overrides) -> Result<Explanation> {
    let layers = read_layers()?;
    let flag = |name: &str| match name {
        "DATABASE_URL" => overrides.database_url.clone(),
        "DALGO_ACTOR" => overrides.actor.clone(),
        _ => None,
    };
    let settings = KNOWN
        .iter()
        .map(|&(name, secret, default)| {
            let found = flag(name)
                .map(|v| (v, SettingSource::Flag))
                .or_else(|| layers.iter().find_map(|l| l.get(name).map(|v| (v.to_string(), l.source))));
            let (value, source) = match found {
                Some((v, source)) => (Some(mask(secret, &v)), source),
                None => (None, SettingSource::Default),
            };
            EffectiveSetting { name, value, source, default }
        })
        .collect();
    let warnings = IGNORED
        .iter()
        .filter_map(|(name, instead)| {
            let layer = layers.iter().find(|l| l.get(name).is_some())?;
            Some(format!("{name} (from {}) is a Dalgo setting dalgo does not use: {instead}", layer.source))
        })
        .collect();
    let hidden = Config::from_layers(overrides, &layers).map(|c| c.dbt.hidden).unwrap_or_default();
    let setting = |name: &str| layers.iter().find_map(|l| l.get(name));
    let tenant = setting("DALGO_TENANT_USER").map(crate::sandbox::TenantUser::find).transpose()?;
    let mode = sandbox_mode(setting("DALGO_SANDBOX"))?;
    let sandbox = crate::sandbox::describe(mode, &hidden, tenant);
    Ok(Explanation { settings, warnings, config_file: config_file_path(), dotenv: dotenv_path(), sandbox })
}

/// A secret as `********`; a URL with its password and its query's secret
/// parameters masked (`?password=`, `?token=`); JSON (the pull steps) with
/// its secret values masked at any depth.
pub(super) fn mask(secret: bool, value: &str) -> String {
    if secret {
        return "********".into();
    }
    if let Ok(json @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) = serde_json::from_str(value) {
        return crate::values::mask_json(&json).to_string();
    }
    let value = match url::password_of(value) {
        Some(pw) if !pw.is_empty() => value.replacen(pw, "********", 1),
        _ => value.to_string(),
    };
    match value.split_once('?') {
        Some((base, query)) => format!("{base}?{}", crate::values::mask_pairs(query)),
        None => value,
    }
}
