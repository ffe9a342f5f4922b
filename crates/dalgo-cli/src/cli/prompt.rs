//! Interaction: passwords from their sources, confirmations. Prompts appear
//! only on a terminal and never with `--no-input`.

use std::io::{IsTerminal, Read};

use secrecy::SecretString;

use super::Context;
use super::output::{CliError, emit};
use dalgo::ErrorKind;

/// Where a password may come from, in order of precedence.
pub struct PasswordSources {
    /// A positional argument, kept for compatibility with Dalgo's command.
    pub positional: Option<String>,
    pub stdin: bool,
}

/// The password from the first source that has one. `needed` says whether
/// a new user will be created; only then is the user prompted, and only
/// then is a missing password an error.
pub fn password(ctx: &Context, sources: PasswordSources, needed: bool) -> anyhow::Result<Option<SecretString>> {
    if let Some(pw) = sources.positional {
        ctx.warn("a password given as an argument is visible to other users of this machine; prefer --password-stdin");
        return Ok(Some(SecretString::from(pw)));
    }
    if sources.stdin {
        return Ok(Some(read_stdin_password()?));
    }
    if let Some(pw) = std::env::var("PASSWORD").ok().filter(|p| !p.is_empty()) {
        return Ok(Some(SecretString::from(pw)));
    }
    if !needed {
        return Ok(None);
    }
    if ctx.interactive() {
        let pw = dialoguer::Password::new()
            .with_prompt("Password for the new user")
            .with_confirmation("Repeat the password", "the passwords do not match")
            .interact()?;
        return Ok(Some(SecretString::from(pw)));
    }
    Err(CliError::usage(
        format!("a password is needed for the new user and {}", why_not_asked(ctx)),
        "pass it with --password-stdin (e.g. `printf %s \"$PW\" | dalgo … --password-stdin`) or the PASSWORD environment variable",
    )
    .into())
}

/// A new user's password, hashed, if the user does not exist yet (only then
/// is one required or asked for), and whether a password was given at all.
pub async fn new_user_password(
    ctx: &Context,
    dalgo: &dalgo::ops::Dalgo,
    email: &dalgo::model::user::Email,
    sources: PasswordSources,
) -> anyhow::Result<(Option<dalgo::model::user::PasswordHash>, bool)> {
    let needed = !dalgo.users().exists(email).await?;
    let password = password(ctx, sources, needed)?;
    let hash = match (&password, needed) {
        (Some(pw), true) => Some(dalgo::model::user::PasswordHash::new(pw)?),
        _ => None,
    };
    Ok((hash, password.is_some()))
}

/// Reads the password from stdin, at most [`MAX_PASSWORD_BYTES`] (and a
/// line end): nothing past that is read, so `/dev/zero` ends at once (65).
fn read_stdin_password() -> anyhow::Result<SecretString> {
    use dalgo::model::user::MAX_PASSWORD_BYTES;
    let mut bytes = Vec::new();
    std::io::stdin().lock().take(MAX_PASSWORD_BYTES as u64 + 3).read_to_end(&mut bytes)?;
    let too_long = || CliError::new(ErrorKind::InvalidInput, "the password read from stdin is longer than 4096 bytes");
    if bytes.len() > MAX_PASSWORD_BYTES + 2 {
        return Err(too_long().into());
    }
    let s = String::from_utf8(bytes)
        .map_err(|_| CliError::new(ErrorKind::InvalidInput, "the password read from stdin is not UTF-8 text"))?;
    let pw = s.strip_suffix('\n').map(|p| p.strip_suffix('\r').unwrap_or(p)).unwrap_or(&s);
    if pw.is_empty() {
        return Err(CliError::new(ErrorKind::InvalidInput, "the password read from stdin is empty").into());
    }
    Ok(SecretString::from(pw.to_string()))
}

/// The options of every destructive command. The command first finds its
/// target (a missing one is 67 before anything is asked), then calls
/// [`Guard::proceed`].
#[derive(Debug, clap::Args)]
pub struct Guard {
    /// Check the target and say what would be done; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation (needed when not at a terminal)
    #[arg(short, long)]
    pub yes: bool,
}

impl Guard {
    /// Whether to go ahead with `action` ("delete connection …"): on a dry
    /// run it is reported (`{"dry_run": true, "would": …}` in JSON) and the
    /// answer is no; otherwise it is confirmed as [`confirm`] does.
    pub fn proceed(&self, ctx: &Context, action: &str) -> anyhow::Result<bool> {
        if self.dry_run {
            let body = serde_json::json!({ "dry_run": true, "would": action });
            emit(ctx.printer.format, &body, |out| writeln!(out, "would {action} (dry run: nothing was changed)"))?;
            return Ok(false);
        }
        self.confirm(ctx, action)?;
        Ok(true)
    }

    /// Confirms `action` unless this is a dry run, for commands whose
    /// library call does the dry run itself.
    pub fn confirm(&self, ctx: &Context, action: &str) -> anyhow::Result<()> {
        if self.dry_run { Ok(()) } else { confirm(ctx, self.yes, &format!("{action}?")) }
    }
}

/// Goes ahead with a destructive action only with `--yes` or a "y" typed at a terminal.
pub fn confirm(ctx: &Context, yes: bool, question: &str) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !ctx.interactive() {
        return Err(CliError::usage(
            format!("refusing to proceed without confirmation: {question}"),
            "pass --yes to confirm when not at a terminal",
        )
        .into());
    }
    if dialoguer::Confirm::new().with_prompt(question).default(false).interact()? {
        Ok(())
    } else {
        Err(CliError::new(ErrorKind::Failure, "aborted; nothing was changed").into())
    }
}

/// A secret typed at the terminal without echo; with `--no-input`, a usage
/// error with `hint`.
pub fn hidden(ctx: &Context, label: &str, hint: &str) -> anyhow::Result<String> {
    if !ctx.interactive() {
        return Err(CliError::usage(format!("the {label} is needed and {}", why_not_asked(ctx)), hint).into());
    }
    Ok(dialoguer::Password::new().with_prompt(label).interact()?)
}

/// Why nobody was asked: `--no-input`, or no terminal.
fn why_not_asked(ctx: &Context) -> &'static str {
    if ctx.no_input { "prompting is off (--no-input)" } else { "there is no terminal to ask on" }
}

/// Whether stdin is a terminal a person can answer on.
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}
