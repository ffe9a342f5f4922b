//! Child processes dalgo runs (dbt, git, shell tasks): where their output goes,
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
    contain(cmd);
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
pub(crate) async fn output(cmd: &mut tokio::process::Command) -> std::io::Result<std::process::Output> {
    contain(cmd);
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn()?;
    let group = Group(child.id());
    let out = child.wait_with_output().await?;
    group.disarm();
    Ok(out)
}

/// The child in a process group of its own, killed when its `Child` is
/// dropped and sent SIGTERM when dalgo dies.
fn contain(cmd: &mut tokio::process::Command) {
    cmd.kill_on_drop(true);
    die_with_parent(cmd);
    #[cfg(unix)]
    cmd.process_group(0);
}

/// Kills a child's process group when dropped before [`Group::disarm`],
/// and returns only once the child has exited: whoever stopped it may then
/// say so (a dbt run recorded `interrupted` frees the org for the next run)
/// without the killed process still running beside the next one.
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
            wait_exited(pid);
        }
    }
}

/// Blocks until the child `pid` has exited (SIGKILLed, that takes a few
/// milliseconds: the time to free its memory), leaving it to be reaped by
/// its `Child`. An error (it was reaped already) means it is gone.
#[cfg(target_os = "linux")]
fn wait_exited(pid: i32) {
    let Ok(id) = libc::id_t::try_from(pid) else { return };
    loop {
        // SAFETY: waitid writes only the siginfo it is given; WNOWAIT leaves
        // the child a zombie for tokio to reap.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT) };
        if rc == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            return;
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
        let script = "import os, time; b = bytearray(400_000_000); print(os.getpid(), flush=True); time.sleep(60)";
        let mut cmd = tokio::process::Command::new("python3");
        cmd.args(["-c", script]);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let sink = move |line: &str| {
            let _ = tx.send(line.to_string());
        };
        let pid = {
            let run = exit_code(&mut cmd, ChildStdout::Lines(&sink));
            tokio::select! {
                code = run => panic!("the child ended on its own: {code:?}"),
                pid = rx.recv() => pid.expect("the child's pid"),
            }
        };
        let after = state(&pid);
        assert!(matches!(after, None | Some('Z' | 'X')), "the child is still {after:?} after being stopped");
    }
}
