use super::explain::mask;
use super::*;

fn layer(pairs: &[(&str, &str)]) -> Layer {
    Layer {
        source: SettingSource::Environment,
        values: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

/// `config show` hid a URL's userinfo password only: a password in the
/// query, a token in Prefect's URL and one inside the pull steps' JSON
/// were printed.
#[test]
fn config_show_masks_secrets_in_queries_and_json() {
    assert_eq!(
        mask(false, "postgres://u@h/db?password=pw1&sslmode=require"),
        "postgres://u@h/db?password=********&sslmode=require"
    );
    assert_eq!(mask(false, "https://p.example/api?token=abc"), "https://p.example/api?token=********");
    assert_eq!(mask(false, "postgres://u:pw2@h/db"), "postgres://u:********@h/db");
    let steps = r#"[{"prefect.deployments.steps.git_clone": {"repository": "r", "access_token": "ghp_x"}}]"#;
    let shown = mask(false, steps);
    assert!(!shown.contains("ghp_x") && shown.contains("\"r\""), "{shown}");
    assert_eq!(mask(false, "plain"), "plain");
}

/// Settings that were read as something else when malformed are refused.
#[test]
fn malformed_booleans_and_counts_are_refused() {
    let with = |pairs: &[(&str, &str)]| Config::from_layers(&Overrides::default(), &[layer(pairs)]);
    let ab = ("AIRBYTE_SERVER_HOST", "ab");
    for bad in
        [vec![ab, ("AIRBYTE_USE_SSL", "maybe")], vec![("PREFECT_API_URL", "http://p/api"), ("PREFECT_RETRIES", "x")]]
    {
        let cfg = with(&bad).unwrap();
        let e = cfg.airbyte.get().err().or_else(|| cfg.prefect.get().err());
        assert!(e.as_ref().is_some_and(|e| e.kind() == crate::error::ErrorKind::Config), "{bad:?}");
        // Said once ("configuration: configuration: …" before).
        let text = e.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(text.matches("configuration:").count(), 1, "{text}");
    }
    assert!(with(&[ab, ("AIRBYTE_USE_SSL", "TRUE")]).unwrap().airbyte.get().is_ok());
}

#[test]
fn flag_beats_every_layer() {
    let o = Overrides { database_url: Some("postgres://a@flaghost/x".into()), actor: None };
    let c = Config::from_layers(&o, &[layer(&[("DATABASE_URL", "postgres://a@envhost/y")])]).unwrap();
    assert_eq!(c.database.target(), "flaghost:5432/x");
}

#[test]
fn first_layer_with_database_settings_decides() {
    let env = layer(&[("DBHOST", "envhost"), ("DBPORT", "6000")]);
    let dotenv = layer(&[("DATABASE_URL", "postgres://a@dotenvhost/y"), ("DBNAME", "z")]);
    let c = Config::from_layers(&Overrides::default(), &[env, dotenv]).unwrap();
    assert_eq!(c.database.target(), "envhost:6000/dalgo");
}

#[test]
fn url_without_database_defaults_to_dalgo() {
    let c = DatabaseConfig::from_url("postgres://u:pw@db.example:5433").unwrap();
    assert_eq!(c.target(), "db.example:5433/dalgo");
    assert!(!format!("{c:?}").contains("pw"));
}

#[test]
fn urls_naming_a_user_are_recognised() {
    assert!(url::names_user("postgres://bob@h/db"));
    assert!(url::names_user("postgres:///db?host=/tmp&user=bob"));
    assert!(!url::names_user("postgres:///db?host=/var/run/postgresql"));
    assert!(!url::names_user("postgres://h:5432/db"));
}

#[test]
fn secrets_and_dbt_paths_follow_dalgo_variables() {
    let l = layer(&[("HOME", "/home/a"), ("DEV_SECRETS_DIR", "/s"), ("DBT_VENV", "/v")]);
    let c = Config::from_layers(&Overrides::default(), &[l]).unwrap();
    assert_eq!(c.secrets, SecretsConfig::Dir("/s".into()));
    assert_eq!(c.dbt.clientdbt_root, Path::new("/home/a/.local/share/dalgo/clientdbt"));
    assert_eq!(c.dbt.venv.as_deref(), Some(Path::new("/v")));
    let bad = layer(&[("DALGO_SECRETS_BACKEND", "vault")]);
    assert!(Config::from_layers(&Overrides::default(), &[bad]).is_err());
}

#[test]
fn airbyte_settings_use_dalgos_names() {
    assert!(Config::from_layers(&Overrides::default(), &[]).unwrap().airbyte.is_unset());
    let l = layer(&[("AIRBYTE_SERVER_HOST", "ab"), ("AIRBYTE_API_TOKEN", "dG9rZW4="), ("AIRBYTE_USE_SSL", "true")]);
    let a = Config::from_layers(&Overrides::default(), &[l]).unwrap().airbyte.get().unwrap().unwrap().clone();
    assert_eq!(a.base_url, "https://ab:8000/api/v1");
    assert!(matches!(a.auth, AirbyteAuth::BasicToken(_)));
    assert!(!format!("{a:?}").contains("dG9rZW4"));
    let l = layer(&[
        ("AIRBYTE_SERVER_HOST", "ab"),
        ("AIRBYTE_CLIENT_ID", "id"),
        ("AIRBYTE_CLIENT_SECRET", "s"),
        ("AIRBYTE_SERVER_PORT", "80"),
        ("AIRBYTE_TIMEOUT", "2.5"),
    ]);
    let a = Config::from_layers(&Overrides::default(), &[l]).unwrap().airbyte.get().unwrap().unwrap().clone();
    assert!(matches!(a.auth, AirbyteAuth::ClientCredentials { .. }));
    assert_eq!(a.timeout, Duration::from_millis(2500));
}

#[test]
fn bad_port_is_a_config_error() {
    let err = Config::from_layers(&Overrides::default(), &[layer(&[("DBPORT", "x")])]).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Config);
}

#[test]
fn actor_prefers_override_then_dalgo_actor_then_sudo_user() {
    let l = layer(&[("USER", "root"), ("SUDO_USER", "asha")]);
    let c = Config::from_layers(&Overrides::default(), &[l]).unwrap();
    assert_eq!(c.actor, "asha");
    let o = Overrides { actor: Some("cron".into()), ..Default::default() };
    assert_eq!(Config::from_layers(&o, &[]).unwrap().actor, "cron");
}
