//! Child processes dalgo runs (dbt, git): where their output goes,
//! the sandbox they run in, that nothing of them outlives dalgo, and their
//! exit code.
//!
//! Nothing outlives dalgo: each child starts in a process group of its own
//! (stopped as a whole) with `PR_SET_PDEATHSIG`, so it dies with dalgo even
//! when dalgo is SIGKILLed. That signal reaches the direct child only, so
//! where the kernel allows it (root, or unprivileged user namespaces) the
//! child also runs as PID 1 of a PID namespace of its own, behind a
//! supervisor that does nothing but wait for it: when the supervisor dies
//! (with dalgo, or stopped), PID 1 gets SIGKILL, and the kernel kills every
//! process left in its namespace, git's remote helpers and dbt's own children
//! included, whatever process group or session they moved to. A subreaper
//! could not do this: it dies with dalgo too.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

pub(crate) use crate::sandbox::Confinement;
#[cfg(target_os = "linux")]
use crate::sandbox::IdMaps;

/// Where a child's standard output goes.
#[derive(Clone, Copy, Default)]
pub enum ChildStdout<'a> {
    /// This process's standard output, as the child's own (the default).
    #[default]
    Inherit,
    /// This process's standard error, leaving standard output to a result
    /// the caller writes itself (a JSON summary).
    Stderr,
    /// Each line of standard output and standard error, as it comes, to a
    /// sink (a worker sends them to Prefect's logs).
    Lines(&'a dyn Fn(&str)),
}

impl std::fmt::Debug for ChildStdout<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChildStdout::Inherit => "Inherit",
            ChildStdout::Stderr => "Stderr",
            ChildStdout::Lines(_) => "Lines",
        })
    }
}

/// Runs `cmd` to its end and returns its exit code (128 + the signal when a
/// signal ended it). The child runs in a process group of its own: when the
/// returned future is dropped (the run was stopped), the whole group is
/// killed, so the shell's own children go too. The child receives SIGTERM
/// when dalgo dies.
/// `jail`, when confined, is the sandbox the child runs in.
pub(crate) async fn exit_code(
    cmd: &mut tokio::process::Command,
    out: ChildStdout<'_>,
    jail: &Confinement,
) -> std::io::Result<i32> {
    contain(cmd, jail);
    match out {
        ChildStdout::Inherit => cmd.stdout(Stdio::inherit()),
        ChildStdout::Stderr => cmd.stdout(std::io::stderr()),
        ChildStdout::Lines(_) => cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null()),
    };
    let mut child = cmd.spawn()?;
    let group = Group(child.id());
    if let ChildStdout::Lines(sink) = out {
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        tokio::join!(lines(stdout, sink), lines(stderr, sink));
    }
    let status = child.wait().await?;
    group.disarm();
    Ok(code(status))
}

/// Runs `cmd` to its end and returns what it wrote, its standard input
/// closed. Stopped like [`exit_code`]: dropping the future kills the child's
/// whole process group (git and its remote helpers).
pub(crate) async fn output(
    cmd: &mut tokio::process::Command,
    jail: &Confinement,
) -> std::io::Result<std::process::Output> {
    contain(cmd, jail);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn()?;
    let group = Group(child.id());
    let out = child.wait_with_output().await?;
    group.disarm();
    Ok(out)
}

/// The child in a process group of its own, killed when its `Child` is
/// dropped and sent SIGTERM when dalgo dies, in its PID namespace and its
/// sandbox.
fn contain(cmd: &mut tokio::process::Command, jail: &Confinement) {
    cmd.kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    before_exec(cmd, jail);
}

/// Kills a child's process group when dropped before [`Group::disarm`],
/// and returns once the child has exited: whoever stopped it may then say
/// so (a dbt run recorded `interrupted` frees the org for the next run)
/// without the killed process still running beside the next one. The wait
/// is bounded ([`EXIT_WAIT`]): a process the kernel cannot end (stuck in
/// uninterruptible I/O) does not hold the caller's thread for ever.
struct Group(Option<u32>);

/// The longest a stop waits for the killed processes to be gone.
#[cfg(target_os = "linux")]
const EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Group {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(pid) = self.0.and_then(|p| i32::try_from(p).ok()) {
            // The child and its own children (PID 1 of its namespace), held
            // before the kill so that their exit can be awaited.
            let held: Vec<PidFd> = PidFd::open(pid).into_iter().chain(children_of(pid)).collect();
            // SAFETY: kill has no memory effects; the group is the child's own.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            let deadline = std::time::Instant::now() + EXIT_WAIT;
            for process in held {
                process.wait_exited(deadline);
            }
        }
    }
}

/// A process's children, each as a pidfd (which stays valid however the
/// process is reaped, and reports its exit).
#[cfg(target_os = "linux")]
fn children_of(pid: i32) -> Vec<PidFd> {
    let list = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    list.split_whitespace().filter_map(|p| p.parse::<i32>().ok()).filter_map(PidFd::open).collect()
}

#[cfg(target_os = "linux")]
struct PidFd(std::os::fd::OwnedFd);

#[cfg(target_os = "linux")]
impl PidFd {
    fn open(pid: i32) -> Option<PidFd> {
        use std::os::fd::FromRawFd;
        // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
        // SAFETY: the descriptor was just opened and is owned by nothing else.
        Some(PidFd(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
    }

    /// Blocks until the process has exited (SIGKILLed, that takes a few
    /// milliseconds: the time to free its memory; a zombie has exited, and
    /// is left for its `Child` to reap), or until `deadline`.
    fn wait_exited(self, deadline: std::time::Instant) {
        use std::os::fd::AsRawFd;
        let mut poll = libc::pollfd { fd: self.0.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
            // SAFETY: poll reads and writes only the one pollfd it is given.
            let rc = unsafe { libc::poll(&mut poll, 1, ms) };
            if rc >= 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return;
            }
        }
    }
}

async fn lines(from: Option<impl AsyncRead + Unpin>, sink: &dyn Fn(&str)) {
    let Some(from) = from else { return };
    let mut lines = BufReader::new(from).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        sink(&line);
    }
}

fn code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    status.code().unwrap_or(1)
}

/// What the child does between fork and exec, in this order: receive
/// SIGTERM when dalgo dies (without it a dalgo killed mid-run frees the org's
/// lock while its dbt goes on writing to the project); move into a PID
/// namespace of its own behind a supervisor (see the module's
/// documentation); apply its Landlock sandbox. Everything here is a plain
/// system call on values prepared before the fork: the child of a threaded
/// process may not allocate.
#[cfg(target_os = "linux")]
fn before_exec(cmd: &mut tokio::process::Command, jail: &Confinement) {
    let parent = std::process::id();
    let landlock = jail.landlock_fd();
    let isolation = jail.isolation();
    let ids = IdMaps::new();
    // SAFETY: the closure runs in the forked child before exec and makes
    // only async-signal-safe system calls (prctl, getppid, unshare, open,
    // write, close, fork, mount, waitpid, _exit, syscall) on prepared values.
    unsafe {
        cmd.pre_exec(move || {
            die_with_parent(libc::SIGTERM)?;
            // dalgo died between fork and prctl: the signal will never come.
            if libc::getppid() as u32 != parent {
                return Err(std::io::Error::other("dalgo exited before the child started"));
            }
            let required = isolation.as_ref().is_some_and(|i| i.required);
            let mut death = libc::SIGTERM;
            if ids.own_namespaces() {
                match libc::fork() {
                    -1 => return Err(std::io::Error::last_os_error()),
                    0 => {
                        death = libc::SIGKILL;
                        die_with_parent(death)?;
                        if let Some(iso) = &isolation
                            && !isolate(iso, landlock)
                            && required
                        {
                            return Err(std::io::Error::last_os_error());
                        }
                    }
                    pid => supervise(pid, parent),
                }
            } else if required {
                return Err(std::io::Error::from_raw_os_error(libc::EPERM));
            }
            if let Some((uid, gid)) = isolation.as_ref().and_then(|i| i.tenant) {
                if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // A change of user clears the parent-death signal: set it again.
                die_with_parent(death)?;
            }
            if let Some(fd) = landlock
                && (libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
                    || libc::syscall(libc::SYS_landlock_restrict_self, fd, 0) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// In the child, PID 1 of its new PID namespace and alone in its mount
/// namespace: mounts stay in this namespace, `/proc` is a procfs of this
/// PID namespace (its processes and no other, readable under the child's
/// Landlock ruleset `landlock`), and each covered place is an empty
/// read-only tmpfs (a directory) or `/dev/null` (a file). False, with errno
/// set, at the first that fails.
#[cfg(target_os = "linux")]
unsafe fn isolate(iso: &crate::sandbox::Isolation, landlock: Option<libc::c_int>) -> bool {
    let none = std::ptr::null::<libc::c_char>();
    let quiet = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    // SAFETY: mount takes C strings that outlive the calls, and null where it allows.
    unsafe {
        if libc::mount(none, c"/".as_ptr(), none, libc::MS_REC | libc::MS_PRIVATE, std::ptr::null()) != 0
            || libc::mount(c"proc".as_ptr(), c"/proc".as_ptr(), c"proc".as_ptr(), quiet, std::ptr::null()) != 0
        {
            return false;
        }
        if let Some(ruleset) = landlock
            && !allow_beneath(ruleset, c"/proc", iso.proc_access)
        {
            return false;
        }
        for (path, dir) in &iso.cover {
            let rc = if *dir {
                let opts = c"size=4k,mode=000";
                libc::mount(
                    c"tmpfs".as_ptr(),
                    path.as_ptr(),
                    c"tmpfs".as_ptr(),
                    quiet | libc::MS_RDONLY,
                    opts.as_ptr().cast(),
                )
            } else {
                libc::mount(c"/dev/null".as_ptr(), path.as_ptr(), none, libc::MS_BIND, std::ptr::null())
            };
            if rc != 0 {
                return false;
            }
        }
        true
    }
}

/// Landlock's `struct landlock_path_beneath_attr` (packed, as the kernel has it).
#[cfg(target_os = "linux")]
#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: libc::c_int,
}

/// Adds to `ruleset` a rule giving `access` beneath `path`, as it is now
/// (in the child's mount namespace). System calls only.
#[cfg(target_os = "linux")]
unsafe fn allow_beneath(ruleset: libc::c_int, path: &std::ffi::CStr, access: u64) -> bool {
    const LANDLOCK_RULE_PATH_BENEATH: libc::c_long = 1;
    // SAFETY: open, the Landlock call on a struct that outlives it, and close.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let rule = PathBeneath { allowed_access: access, parent_fd: fd };
        let rc = libc::syscall(
            libc::SYS_landlock_add_rule,
            ruleset,
            LANDLOCK_RULE_PATH_BENEATH,
            std::ptr::from_ref(&rule),
            0u32,
        );
        libc::close(fd);
        rc == 0
    }
}

/// Elsewhere a killed dalgo leaves its children running until they finish,
/// and nothing is confined.
#[cfg(not(target_os = "linux"))]
fn before_exec(_: &mut tokio::process::Command, _: &Confinement) {}

#[cfg(target_os = "linux")]
unsafe fn die_with_parent(signal: libc::c_int) -> std::io::Result<()> {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number only.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The supervisor: the forked child's parent, in dalgo's PID namespace,
/// doing nothing but wait for it and exit as it did (128 + the signal for a
/// signal). It closes every descriptor first, so that the child's output
/// pipes and the spawn's error pipe end with the child. Killed (stopped by
/// dalgo, or by its death signal), its child gets SIGKILL and the whole
/// namespace goes with it.
#[cfg(target_os = "linux")]
fn supervise(pid: libc::pid_t, dalgo: u32) -> ! {
    // SAFETY: prctl, getppid, kill, close_range, waitpid and _exit are
    // async-signal-safe and touch only this process and its child.
    unsafe {
        // dalgo's own signal handlers were inherited and never go away (no
        // exec): a SIGTERM would be handled, not end the supervisor. SIGKILL is.
        if die_with_parent(libc::SIGKILL).is_err() || libc::getppid() as u32 != dalgo {
            libc::kill(pid, libc::SIGKILL);
            libc::_exit(137);
        }
        libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32);
        let mut status = 0;
        while libc::waitpid(pid, &mut status, 0) < 0 {
            if *libc::__errno_location() != libc::EINTR {
                libc::_exit(1);
            }
        }
        if libc::WIFEXITED(status) {
            libc::_exit(libc::WEXITSTATUS(status))
        }
        libc::_exit(128 + libc::WTERMSIG(status))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The state letter of a process in /proc (None once reaped).
    fn state(pid: &str) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(") ").next()?.chars().next()
    }

    /// A child stopped mid-run has exited by the time the stopping is over:
    /// a zombie or gone, never still running. It holds 400 MB so that its
    /// exit takes a while after the signal.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_child_has_exited_when_the_stop_returns() {
        // Its pid as dalgo sees it (inside its own PID namespace it is 1).
        let script =
            "import os, time; b = bytearray(400_000_000); print(os.readlink('/proc/self'), flush=True); time.sleep(60)";
        let mut cmd = tokio::process::Command::new("python3");
        cmd.args(["-c", script]);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = move |line: &str| {
            let _ = tx.send(line.to_string());
        };
        let pid = {
            let none = Confinement::none();
            let run = exit_code(&mut cmd, ChildStdout::Lines(&sink), &none);
            tokio::select! {
                code = run => panic!("the child ended on its own: {code:?}"),
                pid = rx.recv() => pid.expect("the child's pid"),
            }
        };
        let after = state(&pid);
        assert!(matches!(after, None | Some('Z' | 'X')), "the child is still {after:?} after being stopped");
    }
}
