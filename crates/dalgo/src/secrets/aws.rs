//! The secrets store on AWS Secrets Manager (`DALGO_SECRETS_BACKEND=aws`),
//! as production Dalgo keeps its secrets: the same names, a warehouse's
//! credentials as a JSON object in `SecretString`, a git token as the raw
//! string. Region, credentials and endpoint come the way every AWS tool
//! takes them (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, the
//! standard credential chain), read on first use.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use crate::config::AwsSettings;
use crate::error::{Error, Failure, Result};

/// How long a connection, and a whole call with its retries, may take when
/// `DALGO_AWS_TIMEOUT` does not say.
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A Secrets Manager client, made on first use.
#[derive(Debug, Default)]
pub struct Store {
    settings: AwsSettings,
    client: OnceCell<Client>,
}

/// How a call failed, as far as the store's callers care.
enum Failed {
    NotFound,
    Exists,
    Other(Error),
}

impl Store {
    /// A store with these settings; what they leave unset, the AWS SDK's
    /// chain decides.
    pub fn new(settings: AwsSettings) -> Store {
        Store { settings, client: OnceCell::new() }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async {
                let s = &self.settings;
                // No call waits forever: a silent endpoint ends as unreachable (69).
                let limit = s.timeout.unwrap_or(DEFAULT_TIMEOUT);
                let timeouts = aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(limit)
                    .operation_attempt_timeout(limit)
                    .operation_timeout(limit)
                    .build();
                let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).timeout_config(timeouts);
                if let Some(region) = &s.region {
                    loader = loader.region(aws_config::Region::new(region.clone()));
                }
                if let Some(profile) = &s.profile {
                    loader = loader.profile_name(profile);
                }
                if let Some(url) = &s.endpoint_url {
                    loader = loader.endpoint_url(url);
                }
                if let (Some(id), Some(key)) = (&s.access_key_id, &s.secret_access_key) {
                    let creds = aws_sdk_secretsmanager::config::Credentials::new(
                        id,
                        key,
                        s.session_token.clone(),
                        None,
                        "dalgo",
                    );
                    loader = loader.credentials_provider(creds);
                }
                Client::new(&loader.load().await)
            })
            .await
    }

    pub async fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match self.client().await.get_secret_value().secret_id(name).send().await.map_err(|e| failed(e, "read", name)) {
            Ok(out) => match out.secret_string {
                Some(s) => Ok(Some(SecretString::from(s))),
                None => Err(Error::AwsSecrets {
                    failure: Failure::Unexpected,
                    message: format!("{name} holds binary data, not a string"),
                }),
            },
            Err(Failed::NotFound) => Ok(None),
            Err(Failed::Exists) => unreachable_exists(name),
            Err(Failed::Other(e)) => Err(e),
        }
    }

    /// Creates the secret; one that exists gets the value as its new
    /// current version (Secrets Manager keeps the previous one).
    pub async fn put(&self, name: &str, value: &SecretString) -> Result<()> {
        let client = self.client().await;
        let created = client.create_secret().name(name).secret_string(value.expose_secret()).send().await.map(drop);
        match created.map_err(|e| failed(e, "create", name)) {
            Ok(()) => Ok(()),
            Err(Failed::Exists) => {
                let put = client.put_secret_value().secret_id(name).secret_string(value.expose_secret());
                match put.send().await.map_err(|e| failed(e, "write", name)) {
                    Ok(_) => Ok(()),
                    Err(Failed::Other(e)) => Err(e),
                    Err(_) => Err(Error::AwsSecrets {
                        failure: Failure::Busy,
                        message: format!("{name} changed while written"),
                    }),
                }
            }
            Err(Failed::NotFound) => unreachable_exists(name),
            Err(Failed::Other(e)) => Err(e),
        }
    }

    /// Deletes the secret at once (no recovery window: dalgo deletes only
    /// versions no row names); `false` if there was none.
    pub async fn delete(&self, name: &str) -> Result<bool> {
        let call = self.client().await.delete_secret().secret_id(name).force_delete_without_recovery(true);
        match call.send().await.map_err(|e| failed(e, "delete", name)) {
            Ok(_) => Ok(true),
            Err(Failed::NotFound) => Ok(false),
            Err(Failed::Exists) => unreachable_exists(name),
            Err(Failed::Other(e)) => Err(e),
        }
    }

    /// Every secret's name, page by page.
    pub async fn list(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut pages = self.client().await.list_secrets().into_paginator().send();
        while let Some(page) = pages.next().await {
            match page.map_err(|e| failed(e, "list", "the secrets")) {
                Ok(p) => names.extend(p.secret_list.unwrap_or_default().into_iter().filter_map(|s| s.name)),
                Err(Failed::Other(e)) => return Err(e),
                Err(_) => break,
            }
        }
        names.sort();
        Ok(names)
    }
}

fn unreachable_exists<T>(name: &str) -> Result<T> {
    Err(Error::AwsSecrets {
        failure: Failure::Unexpected,
        message: format!("an answer about {name} that does not fit"),
    })
}

/// Secrets Manager's answer as the store's: no such secret, one that
/// exists, or an error classed as dalgo classes a service's.
fn failed<E, R>(e: SdkError<E, R>, doing: &str, name: &str) -> Failed
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let failure = match &e {
        SdkError::ServiceError(s) => match s.err().code() {
            Some("ResourceNotFoundException") => return Failed::NotFound,
            Some("ResourceExistsException") => return Failed::Exists,
            Some(
                "AccessDeniedException"
                | "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException"
                | "InvalidClientTokenId",
            ) => Failure::Unauthorised,
            Some("InternalServiceError" | "ThrottlingException") => Failure::ServerError,
            _ => Failure::Rejected,
        },
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => Failure::Unreachable,
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => Failure::Unreachable,
        // No region or no credentials: the configuration's fault (78).
        _ => {
            return Failed::Other(Error::Secrets {
                message: format!("AWS Secrets Manager: {}", DisplayErrorContext(&e)),
            });
        }
    };
    let message = format!("cannot {doing} {name}: {}", DisplayErrorContext(&e));
    Failed::Other(Error::AwsSecrets { failure, message })
}
