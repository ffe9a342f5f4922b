//! Confinement of tenant code: what a dbt project (its packages and
//! macros) or git on a tenant's repository may reach on the platform's
//! machine.
//!
//! The model, enforced by the kernel through Linux Landlock (applied in the
//! child between fork and exec, so dalgo itself is never confined):
//! - read, write and execute: the org's own directory
//!   (`CLIENTDBT_ROOT/<slug>`, holding its clone, its `profiles.yml` and its
//!   temporary directory) and a project the operator placed elsewhere with
//!   `dbt setup --local`; `/dev/shm` (Python's semaphores) and the harmless
//!   devices (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`,
//!   `/dev/urandom`, `/dev/tty`);
//! - read and execute only: the toolchain (`/usr`, `/bin`, `/sbin`, `/lib*`,
//!   `/etc`, `/proc`, `/sys`, dbt's virtualenv and the Python it was made
//!   from), git's askpass helper, a local repository the operator named as
//!   the org's remote, and what `DALGO_SANDBOX_READ` lists;
//! - nothing else: not other orgs' directories, not the secrets store, not
//!   dalgo's configuration, not `/tmp`, not the platform user's home.
//!
//! Landlock also keeps the child from signalling or tracing processes
//! outside its sandbox (dalgo, other orgs' runs). Every child also runs as
//! PID 1 of a PID namespace of its own when the kernel allows one, so
//! nothing it starts outlives it (see `process`); a confined child also
//! gets a mount namespace of its own, in which:
//! - `/proc` is a fresh procfs of its PID namespace: it sees its own
//!   processes and no other (not dalgo's, whose `/proc/<pid>/environ`
//!   holds `DATABASE_URL`; not other orgs' runs);
//! - dalgo's own places are covered by an empty read-only tmpfs: the Unix
//!   socket directory of dalgo's database (and PostgreSQL's usual ones,
//!   `/run/postgresql`, `/var/run/postgresql`), and the secrets store's
//!   directory. Landlock does not govern connecting to a Unix socket, so
//!   without this a tenant's `psql` reaches dalgo's database. The one
//!   exception is a socket directory the org's own warehouse is reached
//!   through, which its dbt needs (see `Jail::reveal`): such an org reaches
//!   that PostgreSQL server, and only the server's authentication keeps it
//!   from dalgo's database there. TCP is not confined: a server that trusts
//!   loopback connections is open to any local process.
//!
//! When dalgo runs as root and `DALGO_TENANT_USER` names an unprivileged
//! user, tenant code runs as that user (as CI runners run jobs): dalgo
//! hands the org's writable places to it before each child starts, and the
//! child drops root after setting up its namespaces. Without it, tenant
//! code runs as dalgo's own user, confined by Landlock alone.
//!
//! `DALGO_SANDBOX`: `auto` (the default) confines where the kernel can and
//! says once where it cannot; `require` refuses to run tenant code
//! unconfined (78); `off` runs it unconfined.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

use landlock::{
    ABI, Access, AccessFs, CompatLevel, Compatible, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, path_beneath_rules,
};
use serde::Serialize;

use crate::error::{Error, Result};

string_enum! {
    /// `DALGO_SANDBOX`: whether tenant code must, may or must not be confined.
    pub enum SandboxMode {
        /// Refuse to run tenant code where the kernel cannot confine it.
        Require => "require",
        /// Confine where the kernel can; say once where it cannot.
        Auto => "auto",
        /// Never confine (the operator's explicit choice).
        Off => "off",
    }
}

/// The devices any program may use: none of them holds anything.
const DEVICES: [&str; 7] =
    ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/shm"];

/// The system's programs, libraries and settings, read-only.
const SYSTEM: [&str; 10] = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc", "/sys"];

/// git's global configuration, in the org's directory (its `HOME`).
const GIT_CONFIG: &str = ".gitconfig";

/// PostgreSQL's usual socket directories, covered whatever dalgo connects through.
const PG_SOCKET_DIRS: [&str; 2] = ["/run/postgresql", "/var/run/postgresql"];

/// What one child may reach: see the module's documentation.
#[derive(Debug, Clone)]
pub(crate) struct Jail {
    mode: SandboxMode,
    write: Vec<PathBuf>,
    read: Vec<PathBuf>,
    /// dalgo's own places, covered in the child's mount namespace.
    hide: Vec<PathBuf>,
    /// The org's directory: the child's `HOME`.
    home: PathBuf,
    /// The user tenant code runs as, when dalgo is root.
    tenant: Option<TenantUser>,
}

/// `DALGO_TENANT_USER`: an unprivileged user of this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

impl TenantUser {
    /// The user `value` names (a name or a uid) in /etc/passwd; root is refused.
    pub fn find(value: &str) -> Result<TenantUser> {
        let bad = |why: String| Error::Config(format!("DALGO_TENANT_USER={value:?}: {why}"));
        let passwd =
            std::fs::read_to_string("/etc/passwd").map_err(|e| bad(format!("cannot read /etc/passwd: {e}")))?;
        let user = passwd
            .lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split(':').collect();
                let (uid, gid) = (f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?);
                Some(TenantUser { name: f.first()?.to_string(), uid, gid })
            })
            .find(|u| u.name == value || u.uid.to_string() == value)
            .ok_or_else(|| bad("no such user in /etc/passwd".into()))?;
        if user.uid == 0 || user.gid == 0 {
            return Err(bad("tenant code must not run as root".into()));
        }
        Ok(user)
    }
}

impl Jail {
    /// The sandbox of a child run for the org whose directory is `org_dir`:
    /// that directory writable, the system, the toolchains of `executables`
    /// (a venv or a dbt binary) and `read` (the operator's
    /// `DALGO_SANDBOX_READ`) readable. [`crate::config::DbtConfig::jail`]
    /// fills these in from the configuration.
    pub(crate) fn for_org(
        mode: SandboxMode,
        read: &[PathBuf],
        executables: &[&Path],
        hide: &[PathBuf],
        org_dir: &Path,
    ) -> Jail {
        let mut readable: Vec<PathBuf> = SYSTEM.iter().map(PathBuf::from).collect();
        readable.extend(read.iter().cloned());
        for exe in executables {
            readable.extend(toolchain(exe));
        }
        let mut write: Vec<PathBuf> = DEVICES.iter().map(PathBuf::from).collect();
        write.push(org_dir.to_path_buf());
        let mut hide = hide.to_vec();
        hide.extend(PG_SOCKET_DIRS.iter().map(PathBuf::from));
        Jail { mode, write, read: readable, hide, home: org_dir.to_path_buf(), tenant: None }
    }

    /// What every child's environment says of its own world, whatever the
    /// operator's: `HOME` is the org's directory, and git reads no system
    /// configuration and, as its global one, the file dalgo writes there
    /// (see [`Jail::prepare`]), never the operator's `~/.gitconfig`
    /// (unreadable in the sandbox, it used to stop every git command).
    pub(crate) fn own_env(&self) -> [(&'static str, std::ffi::OsString); 3] {
        [
            ("HOME", self.home.clone().into_os_string()),
            ("GIT_CONFIG_GLOBAL", self.home.join(GIT_CONFIG).into_os_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ]
    }

    /// git's configuration in the org's directory, as dalgo sets it: git
    /// trusts the repositories it can reach (`safe.directory`), which in the
    /// sandbox are the org's own and the remote the operator named, whoever
    /// owns them (the tenant's user, root, the operator). Rewritten before
    /// each child: what the tenant left there does not last.
    fn write_git_config(&self) -> Result<()> {
        if !self.home.is_dir() {
            return Ok(());
        }
        let path = self.home.join(GIT_CONFIG);
        std::fs::write(&path, "[safe]\n\tdirectory = *\n").map_err(|source| Error::Files {
            action: "write",
            path,
            source,
        })
    }

    /// Tenant code runs as `user` when dalgo is root (otherwise it cannot
    /// change user, and runs as dalgo's).
    pub(crate) fn run_as(mut self, user: Option<TenantUser>) -> Jail {
        // SAFETY: geteuid only reads the process's credentials.
        self.tenant = user.filter(|_| unsafe { libc::geteuid() } == 0);
        self
    }

    /// Gives the org's writable places (not the shared devices) to the
    /// tenant's user, where another owns them: what dalgo wrote there since
    /// (a profile, a temporary directory) becomes the tenant's to read. The
    /// directory each lies in (`CLIENTDBT_ROOT`) gets the bit that lets
    /// others pass through it, and no other: they can reach, not list.
    fn hand_over(&self, tenant: &TenantUser) -> Result<()> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mut todo: Vec<PathBuf> =
            self.write.iter().filter(|p| !DEVICES.iter().any(|d| Path::new(d) == *p)).cloned().collect();
        for parent in todo.iter().filter_map(|p| p.parent()) {
            let Ok(meta) = std::fs::metadata(parent) else { continue };
            if meta.mode() & 0o001 == 0 {
                std::fs::set_permissions(parent, std::fs::Permissions::from_mode((meta.mode() & 0o7777) | 0o001))
                    .map_err(|source| Error::Files {
                        action: "open a way through",
                        path: parent.to_path_buf(),
                        source,
                    })?;
            }
        }
        while let Some(path) = todo.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
            if meta.uid() != tenant.uid || meta.gid() != tenant.gid {
                std::os::unix::fs::lchown(&path, Some(tenant.uid), Some(tenant.gid))
                    .map_err(|source| Error::Files { action: "hand over", path: path.clone(), source })?;
            }
            if meta.is_dir() {
                let entries = std::fs::read_dir(&path).map_err(|source| Error::Files {
                    action: "read",
                    path: path.clone(),
                    source,
                })?;
                todo.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        }
        Ok(())
    }

    /// `path` left visible: the socket directory an org's own warehouse is
    /// reached through.
    pub(crate) fn reveal(mut self, path: &Path) -> Jail {
        let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.hide.retain(|h| h != path && h.canonicalize().ok().as_deref() != Some(real.as_path()));
        self
    }

    /// The places to cover, as the child mounts over them: each that
    /// exists, once, unless the org's own files lie beneath it.
    fn covered(&self) -> Vec<(std::ffi::CString, bool)> {
        use std::os::unix::ffi::OsStrExt;
        let mut seen: Vec<PathBuf> = Vec::new();
        let mut out = Vec::new();
        for path in &self.hide {
            let Ok(real) = path.canonicalize() else { continue };
            let needed = self.write.iter().any(|p| p.starts_with(&real) || p.starts_with(path));
            if needed || seen.contains(&real) {
                continue;
            }
            let Ok(c) = std::ffi::CString::new(real.as_os_str().as_bytes()) else { continue };
            out.push((c, real.is_dir()));
            seen.push(real);
        }
        out
    }

    /// `path` (and what lies beneath) also readable.
    pub(crate) fn read(mut self, path: impl Into<PathBuf>) -> Jail {
        self.read.push(path.into());
        self
    }

    /// `path` (and what lies beneath) also writable.
    pub(crate) fn write(mut self, path: impl Into<PathBuf>) -> Jail {
        self.write.push(path.into());
        self
    }

    /// The Landlock ruleset, built here in dalgo (which it does not
    /// restrict) for the child to apply before exec, once git's
    /// configuration is written and the org's places are handed to the
    /// tenant's user. `None`: run unconfined
    /// (`off`, or `auto` on a kernel without Landlock, said once).
    pub(crate) fn prepare(&self) -> Result<Confinement> {
        self.write_git_config()?;
        if self.mode == SandboxMode::Off {
            return Ok(Confinement::none());
        }
        let tenant = self.tenant.as_ref().map(|t| (t.uid, t.gid));
        let isolation =
            Isolation { cover: self.covered(), required: self.mode == SandboxMode::Require, proc_access: 0, tenant };
        let unavailable = |reason: String| -> Result<Confinement> {
            if self.mode == SandboxMode::Require {
                return Err(Error::SandboxUnavailable(reason));
            }
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                tracing::warn!("tenant code runs unconfined: {reason} (DALGO_SANDBOX=require refuses to run it)")
            });
            Ok(Confinement::none())
        };
        if let Err(reason) = landlock() {
            return unavailable(reason.clone());
        }
        match self.ruleset() {
            Ok(Some(fd)) => {
                if let Some(t) = &self.tenant {
                    self.hand_over(t)?;
                }
                // The rule for the child's own /proc, added once it is mounted
                // (rules hold the inodes they were made on: the host's /proc is not the child's).
                let abi = ABI::from(landlock().as_ref().copied().unwrap_or(1));
                let proc_access = (AccessFs::from_read(abi) & AccessFs::from_all(abi)).bits();
                Ok(Confinement { landlock: Some(fd), isolation: Some(Isolation { proc_access, ..isolation }) })
            }
            Ok(None) => unavailable("the kernel enforces no Landlock ruleset".into()),
            Err(e) => unavailable(format!("cannot build the Landlock ruleset: {e}")),
        }
    }

    fn ruleset(&self) -> std::result::Result<Option<OwnedFd>, landlock::RulesetError> {
        let abi = ABI::V6;
        let created = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(AccessFs::from_all(abi))?
            .scope(Scope::from_all(abi))?
            .create()?
            .add_rules(path_beneath_rules(&self.read, AccessFs::from_read(abi)))?
            .add_rules(path_beneath_rules(&self.write, AccessFs::from_all(abi)))?;
        Ok(created.into())
    }
}

/// The directories a dbt virtualenv (or a dbt binary's directory) runs
/// from: itself, and the Python installation its `pyvenv.cfg` names.
fn toolchain(path: &Path) -> Vec<PathBuf> {
    let dir = if path.is_file() { path.parent().and_then(Path::parent).unwrap_or(path) } else { path };
    let mut out = vec![dir.to_path_buf()];
    if let Ok(real) = dir.canonicalize() {
        out.push(real);
    }
    let cfg = std::fs::read_to_string(dir.join("pyvenv.cfg")).unwrap_or_default();
    for line in cfg.lines() {
        if let Some(("home", value)) = line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            // `home` is the base interpreter's bin directory: its prefix holds the standard library.
            let home = PathBuf::from(value);
            out.push(home.parent().map(Path::to_path_buf).unwrap_or(home));
        }
    }
    out
}

/// A prepared sandbox for one child: the Landlock ruleset's descriptor and
/// its mount namespace's cover, or none.
#[derive(Debug, Default)]
pub(crate) struct Confinement {
    landlock: Option<OwnedFd>,
    isolation: Option<Isolation>,
}

/// What a confined child's mount namespace holds: a fresh `/proc`, and
/// these places covered (each a directory, or a file). With `required`
/// (`DALGO_SANDBOX=require`) a child that cannot have them does not run.
#[derive(Debug, Clone)]
pub(crate) struct Isolation {
    pub(crate) cover: Vec<(std::ffi::CString, bool)>,
    pub(crate) required: bool,
    /// The Landlock access the child's own `/proc` gets (read).
    pub(crate) proc_access: u64,
    /// The uid and gid the child runs as (`DALGO_TENANT_USER`, dalgo root).
    pub(crate) tenant: Option<(u32, u32)>,
}

impl Confinement {
    /// No confinement (dalgo's own helpers, tests).
    pub(crate) fn none() -> Confinement {
        Confinement::default()
    }

    /// The ruleset's descriptor, for the child to apply.
    pub(crate) fn landlock_fd(&self) -> Option<std::os::fd::RawFd> {
        use std::os::fd::AsRawFd;
        self.landlock.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// The child's mount namespace, when it is confined.
    pub(crate) fn isolation(&self) -> Option<Isolation> {
        self.isolation.clone()
    }
}

/// Whether this machine confines tenant code, for `dalgo config show`.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxStatus {
    /// `DALGO_SANDBOX` as configured.
    pub mode: SandboxMode,
    /// The kernel's Landlock ABI version, when it offers Landlock.
    pub landlock_abi: Option<i32>,
    /// Whether dbt and git run confined.
    pub confined: bool,
    /// Whether children get a PID namespace of their own, so that nothing
    /// they start outlives them.
    pub pid_namespace: bool,
    /// Whether confined children get a mount namespace of their own: a
    /// `/proc` that shows only their own processes, and dalgo's database
    /// socket directory and secrets directory covered.
    pub private_proc: bool,
    /// The places covered in a confined child's world (those that exist here).
    pub hidden: Vec<String>,
    /// The user tenant code runs as: `DALGO_TENANT_USER` when dalgo is
    /// root, else dalgo's own (`None`).
    pub tenant_user: Option<TenantUser>,
    /// Whether dalgo runs as root (tenant code as root, unless
    /// `DALGO_TENANT_USER` says otherwise).
    pub root: bool,
    /// Why not, when something is missing.
    pub reason: Option<String>,
}

/// The kernel's Landlock ABI, asked once.
fn landlock() -> &'static std::result::Result<i32, String> {
    static ABI: OnceLock<std::result::Result<i32, String>> = OnceLock::new();
    ABI.get_or_init(landlock_abi)
}

/// How `mode` plays out on this machine. Whether PID namespaces can be had
/// is asked of a throwaway child, here only (a child never needs to know:
/// where the kernel refuses one it runs without).
pub fn describe(mode: SandboxMode, hide: &[PathBuf], tenant: Option<TenantUser>) -> SandboxStatus {
    let pid_namespace = pid_namespaces();
    let landlock_abi = landlock().as_ref().ok().copied();
    let confined = mode != SandboxMode::Off && landlock_abi.is_some();
    let private_proc = confined && pid_namespace;
    let jail = Jail::for_org(mode, &[], &[], hide, Path::new("/nonexistent")).run_as(tenant);
    let hidden = if private_proc {
        jail.covered().iter().map(|(c, _)| c.to_string_lossy().into_owned()).collect()
    } else {
        Vec::new()
    };
    let reason = match (landlock(), mode) {
        (_, SandboxMode::Off) => Some("DALGO_SANDBOX=off".to_string()),
        (Err(e), _) => Some(e.clone()),
        (Ok(_), _) if !pid_namespace => Some(
            "no PID or mount namespaces: a child's own children may outlive it, it sees every process in /proc, \
             and it can reach dalgo's database socket"
                .into(),
        ),
        _ => None,
    };
    // SAFETY: geteuid only reads the process's credentials.
    let root = unsafe { libc::geteuid() } == 0;
    let tenant_user = jail.tenant.filter(|_| confined);
    SandboxStatus { mode, landlock_abi, confined, pid_namespace, private_proc, hidden, tenant_user, root, reason }
}

#[cfg(target_os = "linux")]
fn landlock_abi() -> std::result::Result<i32, String> {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and size 0 the call only reports the ABI version.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v >= 1 {
        Ok(i32::try_from(v).unwrap_or(i32::MAX))
    } else {
        Err(format!("the kernel offers no Landlock ({})", std::io::Error::last_os_error()))
    }
}

#[cfg(not(target_os = "linux"))]
fn landlock_abi() -> std::result::Result<i32, String> {
    Err("Landlock is Linux's".into())
}

/// A PID namespace needs CAP_SYS_ADMIN: root has it; anyone else gets it in
/// a user namespace of their own, mapping their own user and group.
#[cfg(target_os = "linux")]
#[derive(Clone, Copy)]
pub(crate) struct IdMaps {
    root: bool,
    uid_map: [u8; 32],
    gid_map: [u8; 32],
}

#[cfg(target_os = "linux")]
impl IdMaps {
    pub(crate) fn new() -> IdMaps {
        // SAFETY: these calls only read the process's credentials.
        let (euid, uid, gid) = unsafe { (libc::geteuid(), libc::getuid(), libc::getgid()) };
        let line = |id: u32| {
            let mut buf = [0u8; 32];
            let text = format!("{id} {id} 1\n");
            buf[..text.len()].copy_from_slice(text.as_bytes());
            buf
        };
        IdMaps { root: euid == 0, uid_map: line(uid), gid_map: line(gid) }
    }

    /// Moves the calling (forked) process's future children into a new PID
    /// namespace, and the process into a mount namespace of its own; false
    /// when the kernel refuses, and the child runs without.
    pub(crate) unsafe fn own_namespaces(&self) -> bool {
        // SAFETY: unshare and the writes below act on this process only.
        unsafe {
            if self.root {
                return libc::unshare(libc::CLONE_NEWPID | libc::CLONE_NEWNS) == 0;
            }
            libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWPID | libc::CLONE_NEWNS) == 0
                && write_file(c"/proc/self/setgroups", b"deny")
                && write_file(c"/proc/self/uid_map", trimmed(&self.uid_map))
                && write_file(c"/proc/self/gid_map", trimmed(&self.gid_map))
        }
    }
}

#[cfg(target_os = "linux")]
fn trimmed(buf: &[u8; 32]) -> &[u8] {
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    &buf[..end]
}

#[cfg(target_os = "linux")]
unsafe fn write_file(path: &std::ffi::CStr, data: &[u8]) -> bool {
    // SAFETY: open, write and close on a path and a buffer that outlive the calls.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let ok = libc::write(fd, data.as_ptr().cast(), data.len()) == data.len() as isize;
        libc::close(fd);
        ok
    }
}

/// Whether a child can get a PID namespace here (asked once, in a throwaway
/// child), for `dalgo config show`.
pub(crate) fn pid_namespaces() -> bool {
    #[cfg(target_os = "linux")]
    {
        let ids = IdMaps::new();
        let mut cmd = std::process::Command::new("/bin/sh");
        use std::process::Stdio;
        cmd.args(["-c", "exit 0"]).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        use std::os::unix::process::CommandExt;
        // SAFETY: as in before_exec: system calls only.
        unsafe {
            cmd.pre_exec(move || if ids.own_namespaces() { Ok(()) } else { Err(std::io::Error::other("no")) });
        }
        cmd.status().is_ok_and(|s| s.success())
    }
    #[cfg(not(target_os = "linux"))]
    false
}

#[cfg(test)]
mod tests;
