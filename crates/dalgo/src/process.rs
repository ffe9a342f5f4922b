//! Child processes dalgo runs (dbt, shell tasks): where their output goes,
//! that they die with dalgo, and their exit code.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

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
pub(crate) async fn exit_code(cmd: &mut tokio::process::Command, out: ChildStdout<'_>) -> std::io::Result<i32> {
    cmd.kill_on_drop(true);
    die_with_parent(cmd);
    #[cfg(unix)]
    cmd.process_group(0);
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

/// Kills a child's process group when dropped before [`Group::disarm`].
struct Group(Option<u32>);

impl Group {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(pid) = self.0.and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: kill has no memory effects; the group is the child's own.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
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

/// Makes the child receive SIGTERM when dalgo dies. Without it a dalgo killed
/// mid-run (SIGKILL, OOM killer) frees the org's lock while its dbt goes on
/// writing to the project, and the next run collides with it. The signal is
/// tied to the thread that forks; tokio forks on a runtime thread, which lives
/// as long as the runtime.
#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut tokio::process::Command) {
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and calls only
    // prctl, getppid and errno access, which are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // dalgo died between fork and prctl: the signal will never come.
            if libc::getppid() as u32 != parent {
                return Err(std::io::Error::other("dalgo exited before the child started"));
            }
            Ok(())
        });
    }
}

/// Elsewhere a killed dalgo leaves its children running until they finish.
#[cfg(not(target_os = "linux"))]
fn die_with_parent(_: &mut tokio::process::Command) {}
