//! git for dbt repositories. An access token reaches git only through the
//! environment of the one git process that needs it (answered by an askpass
//! helper), so it never lands in `.git/config`, a remote URL, the process
//! list, or output.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::config::{ChildEnv, DbtConfig};
use crate::error::{Error, ErrorKind, OrWarn, Result};
use crate::sandbox::Jail;

/// Asks nothing of the user; answers git's questions from the environment.
const ASKPASS: &str = "#!/bin/sh\ncase \"$1\" in\n  Username*) printf '%s\\n' x-access-token ;;\n  *) printf '%s\\n' \"$DALGO_GIT_TOKEN\" ;;\nesac\n";

/// A repository URL without credentials. URLs carrying a password or token
/// are refused: the token must come from a file or stdin.
pub fn clean_url(url: &str) -> Result<String> {
    let url = url.trim();
    if url.is_empty() {
        return Err(invalid_url(url, "it is empty"));
    }
    if url.len() > MAX_URL_BYTES {
        return Err(invalid_url(&shortened(url), "it is longer than 2048 bytes"));
    }
    if url.chars().any(char::is_control) {
        return Err(invalid_url(&url.escape_debug().to_string(), "it holds a control character (a line break?)"));
    }
    // git's other transports run programs (`ext::`) or are not for code (`ftp://`).
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    let allowed = matches!(scheme.as_deref(), None | Some("https" | "http" | "ssh" | "git" | "file"));
    if !allowed || url.contains("::") {
        return Err(invalid_url(
            url,
            "dalgo clones over https://, ssh:// (or git@host:path), git://, or from a path or file:// URL on this machine",
        ));
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority = rest.split('/').next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && (userinfo.contains(':') || scheme.starts_with("http"))
        {
            return Err(invalid_url(
                "<redacted>",
                "it carries credentials; give the URL without them and the token with --token-file or --token-stdin",
            ));
        }
    }
    check_host(url)?;
    Ok(url.to_string())
}

/// A long URL's first 40 characters, for a message.
fn shortened(url: &str) -> String {
    format!("{}…", url.chars().take(40).collect::<String>())
}

/// The longest repository URL dalgo takes: a git host's are far shorter.
const MAX_URL_BYTES: usize = 2048;

/// The longest host name DNS allows.
const MAX_HOST_BYTES: usize = 253;

/// A URL's host (or a path) that git would take for an option (`-o…`, as
/// `ssh://-oProxyCommand=…` asks), or longer than DNS allows, is refused
/// before git sees it.
fn check_host(url: &str) -> Result<()> {
    let host = match url.split_once("://") {
        Some((_, rest)) => {
            let authority = rest.split('/').next().unwrap_or_default();
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            host.strip_prefix('[').unwrap_or_else(|| host.split(':').next().unwrap_or_default())
        }
        // `git@host:path`, or a path on this machine.
        None => url.split_once(':').map_or(url, |(before, _)| before.rsplit('@').next().unwrap_or(before)),
    };
    if host.starts_with('-') || url.starts_with('-') {
        return Err(invalid_url(url, "its host or path starts with '-', which git would take for an option"));
    }
    if host.len() > MAX_HOST_BYTES {
        return Err(invalid_url(&shortened(url), "its host is longer than 253 characters"));
    }
    Ok(())
}

/// A branch name as `git check-ref-format --branch` takes it, checked
/// before any clone or fetch: 65 for one git would refuse, or read as an
/// option, or that would reach it with a line break.
pub fn check_branch(branch: &str) -> Result<&str> {
    let fail = |reason: &str| {
        let given = format!("{:?}", branch);
        Err(Error::InvalidGitSource { what: "branch name", given, reason: reason.to_string() })
    };
    if branch.is_empty() || branch.len() > 255 {
        return fail("it must be 1 to 255 bytes");
    }
    if branch.chars().any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c)) {
        return fail("it holds a space, a control character or one of ~ ^ : ? * [ \\");
    }
    if branch.starts_with('-') || branch.starts_with('/') || branch.ends_with('/') {
        return fail("it starts with '-' or '/', or ends with '/'");
    }
    if branch.contains("..") || branch.contains("//") || branch.contains("@{") || branch == "@" {
        return fail("it holds '..', '//' or '@{', or is '@'");
    }
    if branch.ends_with('.') || branch.ends_with(".lock") || branch.split('/').any(|part| part.starts_with('.')) {
        return fail("a part of it starts with '.', or it ends with '.' or '.lock'");
    }
    Ok(branch)
}

/// The URL with the token in it, as Dalgo's workers take it from the
/// `<slug>-git-pull-url` Prefect Secret (`git pull <url>`):
/// `https://oauth2:<token>@host/path`, also for `git@host:path` remotes.
/// Other URLs (file, local paths) need no token and are returned as they are.
pub fn authenticated_url(url: &str, token: &SecretString) -> SecretString {
    let with_token = |host_and_path: &str| format!("https://oauth2:{}@{host_and_path}", token.expose_secret());
    let url = url.trim();
    let out = if let Some(rest) = url.strip_prefix("https://") {
        with_token(rest)
    } else if let Some((host, path)) = url.strip_prefix("git@").and_then(|r| r.split_once(':')) {
        with_token(&format!("{host}/{path}"))
    } else {
        url.to_string()
    };
    out.into()
}

/// The path of a repository on this machine: a `file://` URL or an absolute path.
fn local_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("file://").unwrap_or(url);
    path.starts_with('/').then(|| PathBuf::from(path))
}

fn invalid_url(url: &str, reason: &str) -> Error {
    Error::InvalidGitSource { what: "repository URL", given: url.to_string(), reason: reason.to_string() }
}

/// A transfer slower than this many bytes a second for
/// [`LOW_SPEED_SECS`] is stopped (unless the operator's `GIT_HTTP_LOW_SPEED_*` say otherwise).
const LOW_SPEED_BYTES: &str = "1000";
const LOW_SPEED_SECS: &str = "60";

/// Runs git from the child environment in the org's sandbox, with the token
/// (if any) available to its askpass helper only, within `DALGO_GIT_TIMEOUT`.
/// Dropping the future kills git (and its remote helpers).
async fn git(g: &Git<'_>, dir: Option<&Path>, args: &[&str], token: Option<&SecretString>) -> Result<String> {
    remove_stale_helpers(&std::env::temp_dir());
    let prefix = format!("{ASKPASS_PREFIX}{}-", std::process::id());
    let helper = tempfile::Builder::new().prefix(&prefix).tempdir().map_err(io)?;
    let askpass = write_askpass(helper.path())?;
    let jail = g.jail.clone().read(helper.path()).prepare()?;
    let mut cmd = tokio::process::Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args).env_clear().envs(g.env.vars()).envs(g.jail.own_env());
    cmd.env("GIT_TERMINAL_PROMPT", "0").env("GIT_ASKPASS", &askpass);
    for (name, default) in [("GIT_HTTP_LOW_SPEED_LIMIT", LOW_SPEED_BYTES), ("GIT_HTTP_LOW_SPEED_TIME", LOW_SPEED_SECS)]
    {
        if !g.env.vars().any(|(k, _)| k == name) {
            cmd.env(name, default);
        }
    }
    if let Some(t) = token {
        cmd.env("DALGO_GIT_TOKEN", t.expose_secret());
    }
    let verb = args.first().copied().unwrap_or_default();
    let run = crate::process::output(&mut cmd, &jail);
    let out = tokio::time::timeout(g.timeout, run)
        .await
        .map_err(|_| Error::GitTimedOut { step: format!("git {verb}"), limit: g.timeout })?
        .map_err(|e| Error::Git { kind: ErrorKind::Config, message: format!("cannot run git: {e}"), detail: None })?;
    let redact = |s: &[u8]| {
        let text = String::from_utf8_lossy(s).trim().to_string();
        match token {
            Some(t) if !t.expose_secret().is_empty() => text.replace(t.expose_secret(), "********"),
            _ => text,
        }
    };
    if out.status.success() {
        Ok(redact(&out.stdout))
    } else {
        let text = redact(&out.stderr);
        let (main, detail) = fold(&text);
        let message = format!("git {verb}: {main}");
        Err(Error::Git { kind: classify(&text), message, detail })
    }
}

/// git's several lines of complaint as one line (its `fatal:` or `error:`
/// line, else the first) and the others, joined, as a hint.
fn fold(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let main = lines.iter().position(|l| l.starts_with("fatal:") || l.starts_with("error:")).unwrap_or(0);
    let Some(first) = lines.get(main) else { return ("failed".into(), None) };
    let message = first.trim_start_matches("fatal:").trim_start_matches("error:").trim().to_string();
    let rest: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != main).map(|(_, l)| *l).collect();
    (message, (!rest.is_empty()).then(|| rest.join("; ")))
}

fn classify(message: &str) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    if m.contains("authentication failed") || m.contains("could not read username") || m.contains("permission denied") {
        ErrorKind::PermissionDenied
    } else if m.contains("could not resolve host")
        || m.contains("connection refused")
        || m.contains("couldn't connect")
        || m.contains("failed to connect")
        || m.contains("timed out")
    {
        ErrorKind::Unavailable
    } else if m.contains("not found")
        || m.contains("does not exist")
        || m.contains("does not appear to be a git repository")
    {
        ErrorKind::NotFound
    } else {
        ErrorKind::Failure
    }
}

fn write_askpass(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("askpass.sh");
    std::fs::write(&path, ASKPASS).map_err(io)?;
    // It holds no secret (the token is in git's environment): git may run
    // as the tenant's own user (DALGO_TENANT_USER), which must run it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711)).map_err(io)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    }
    Ok(path)
}

/// Askpass helper directories are `dalgo-askpass-<pid>-<random>`.
const ASKPASS_PREFIX: &str = "dalgo-askpass-";

/// Removes the askpass directories of dalgo processes that no longer run (a
/// killed dalgo cannot remove its own). Best effort: errors are ignored.
fn remove_stale_helpers(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(ASKPASS_PREFIX))
            .and_then(|rest| rest.split_once('-').and_then(|(pid, _)| pid.parse::<u32>().ok()))
        else {
            continue;
        };
        if !process_exists(pid) {
            std::fs::remove_dir_all(entry.path()).or_warn(format_args!("remove {}", entry.path().display()));
        }
    }
}

#[cfg(target_os = "linux")]
fn process_exists(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Without /proc, a helper is left to its owner (or the temp cleaner).
#[cfg(not(target_os = "linux"))]
fn process_exists(_: u32) -> bool {
    true
}

fn io(e: std::io::Error) -> Error {
    Error::Git { kind: ErrorKind::Failure, message: e.to_string(), detail: None }
}

/// git for one org: run with the child environment ([`ChildEnv`]),
/// confined to the org's directory, within `DALGO_GIT_TIMEOUT`.
#[derive(Debug, Clone)]
pub struct Git<'a> {
    env: &'a ChildEnv,
    jail: Jail,
    timeout: std::time::Duration,
}

impl<'a> Git<'a> {
    /// git for the org whose files live in `org_dir`.
    pub fn new(cfg: &'a DbtConfig, org_dir: &Path) -> Git<'a> {
        Git { env: &cfg.child_env, jail: cfg.jail(org_dir), timeout: cfg.git_timeout }
    }

    /// Clones `url` (at `branch`, else its default branch) into `dest`.
    /// A repository on this machine (the operator's `file://` or absolute
    /// URL) is readable to this clone's git, and to nothing else.
    pub async fn clone(
        &self,
        url: &str,
        branch: Option<&str>,
        dest: &Path,
        token: Option<&SecretString>,
    ) -> Result<()> {
        let dest_str = dest.to_str().ok_or_else(|| io(std::io::ErrorKind::InvalidInput.into()))?;
        let mut args = vec!["clone", "--quiet"];
        if let Some(b) = branch {
            args.extend(["--branch", b]);
        }
        args.extend(["--", url, dest_str]);
        let mut g = self.clone_with_remote(url);
        g.jail = g.jail.write(dest);
        git(&g, None, &args, token).await.map(|_| ())
    }

    fn clone_with_remote(&self, url: &str) -> Git<'a> {
        let mut g = Git { env: self.env, jail: self.jail.clone(), timeout: self.timeout };
        if let Some(path) = local_path(url) {
            g.jail = g.jail.read(path);
        }
        g
    }

    /// Fetches and fast-forwards the checkout to `origin/<branch>`.
    pub async fn pull(&self, dir: &Path, branch: &str, token: Option<&SecretString>) -> Result<String> {
        let remote = self.origin_url(dir).await.unwrap_or_default();
        let g = self.clone_with_remote(&remote).dir_writable(dir);
        git(&g, Some(dir), &["fetch", "--quiet", "origin", branch], token).await?;
        git(&g, Some(dir), &["checkout", "--quiet", branch], None).await?;
        git(&g, Some(dir), &["merge", "--ff-only", "--quiet", &format!("origin/{branch}")], None).await?;
        self.head_commit(dir).await
    }

    /// A project the operator placed outside the org's directory is the
    /// org's too.
    fn dir_writable(mut self, dir: &Path) -> Git<'a> {
        self.jail = self.jail.write(dir);
        self
    }

    /// The checked-out commit's id.
    pub async fn head_commit(&self, dir: &Path) -> Result<String> {
        git(&Clone::clone(self).dir_writable(dir), Some(dir), &["rev-parse", "HEAD"], None).await
    }

    /// The checked-out branch's name.
    pub async fn current_branch(&self, dir: &Path) -> Result<String> {
        git(&Clone::clone(self).dir_writable(dir), Some(dir), &["rev-parse", "--abbrev-ref", "HEAD"], None).await
    }

    /// The URL of `origin`, if the directory is a clone.
    pub async fn origin_url(&self, dir: &Path) -> Option<String> {
        git(&Clone::clone(self).dir_writable(dir), Some(dir), &["remote", "get-url", "origin"], None).await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_are_refused() {
        assert!(clean_url("https://oauth2:ghp_x@github.com/o/r.git").is_err());
        assert!(clean_url("https://ghp_x@github.com/o/r.git").is_err());
        assert!(!clean_url("https://user:pw@h/r").unwrap_err().to_string().contains("pw"));
        assert_eq!(clean_url(" https://github.com/o/r.git ").unwrap(), "https://github.com/o/r.git");
        assert!(clean_url("ssh://git@github.com/o/r.git").is_ok());
        assert!(clean_url("file:///srv/repo").is_ok());
        assert!(clean_url("/srv/repo").is_ok() && clean_url("git@github.com:o/r.git").is_ok());
        for bad in ["ext::sh -c touch% /tmp/pwned", "ftp://h/r.git", "fd::17", "rsync://h/r"] {
            assert!(matches!(clean_url(bad), Err(Error::InvalidGitSource { what: "repository URL", .. })), "{bad}");
        }
    }

    #[test]
    fn hosts_git_would_take_for_options_and_branches_it_would_refuse_are_refused() {
        for bad in ["ssh://-oProxyCommand=x/r.git", "-u/r", "git@-oProxyCommand=x:r.git", "ssh://git@-x/r"] {
            assert!(matches!(clean_url(bad), Err(Error::InvalidGitSource { what: "repository URL", .. })), "{bad}");
        }
        assert!(clean_url(&format!("https://{}/r.git", "h".repeat(300))).is_err());
        assert!(
            clean_url("ssh://git@git.example:2222/r.git").is_ok() && clean_url("git@host-1.example:o/r.git").is_ok()
        );
        for good in ["main", "release/2.0", "feature-x", "v1.2"] {
            assert!(check_branch(good).is_ok(), "{good}");
        }
        for bad in [
            "", "-f", "a..b", "a b", "a\nb", "a~1", "a^", "a:b", "a?", "a*", "a[", "/a", "a/", "a//b", "a.lock", "a.",
            ".a", "a/.b", "@", "a@{1}",
        ] {
            assert!(matches!(check_branch(bad), Err(Error::InvalidGitSource { what: "branch name", .. })), "{bad:?}");
        }
    }

    #[test]
    fn a_refused_connection_is_unavailable() {
        let m = "fatal: unable to access 'http://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server";
        assert_eq!(classify(m), ErrorKind::Unavailable);
    }

    #[test]
    fn gits_many_lines_become_one_and_a_hint() {
        let (message, hint) = fold(
            "Cloning into '/tmp/x'...\nfatal: '/nonexistent/repo' does not appear to be a git repository\n\
             fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights",
        );
        assert_eq!(message, "'/nonexistent/repo' does not appear to be a git repository");
        assert!(!message.contains('\n'));
        let hint = hint.unwrap();
        assert!(hint.contains("Please make sure") && !hint.contains('\n'), "{hint}");
        assert_eq!(fold(""), ("failed".to_string(), None));
    }

    #[test]
    fn authenticated_urls_carry_the_token_like_dalgos() {
        let t: SecretString = "ghp_x".into();
        let of = |u: &str| authenticated_url(u, &t).expose_secret().to_string();
        assert_eq!(of("https://github.com/o/r.git"), "https://oauth2:ghp_x@github.com/o/r.git");
        assert_eq!(of("git@github.com:o/r.git"), "https://oauth2:ghp_x@github.com/o/r.git");
        assert_eq!(of("file:///srv/r.git"), "file:///srv/r.git");
    }
}
