use super::*;

#[test]
fn a_virtualenv_brings_the_python_it_was_made_from() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyvenv.cfg"), "home = /opt/py/3.11/bin\nversion = 3.11\n").unwrap();
    let paths = toolchain(dir.path());
    assert!(paths.contains(&dir.path().to_path_buf()));
    assert!(paths.contains(&PathBuf::from("/opt/py/3.11")), "{paths:?}");
}

/// The kernel's wall: a child confined to org b reads and writes b's
/// files, and cannot read org a's, nor write beside them.
#[tokio::test]
async fn a_confined_child_reaches_its_org_and_nothing_else() {
    let root = tempfile::tempdir().unwrap();
    for org in ["a", "b"] {
        std::fs::create_dir(root.path().join(org)).unwrap();
        std::fs::write(root.path().join(org).join("profiles.yml"), format!("password: {org}-secret\n")).unwrap();
    }
    let jail = Jail::for_org(SandboxMode::Require, &[], &[], &[], &root.path().join("b"));
    let sh = async |script: String| {
        let mut cmd = tokio::process::Command::new("/bin/sh");
        cmd.args(["-c", &script]);
        crate::process::output(&mut cmd, &jail.prepare().unwrap()).await.unwrap()
    };
    let own =
        sh(format!("cat {}/b/profiles.yml && echo x > {}/b/new", root.path().display(), root.path().display())).await;
    assert!(own.status.success(), "{}", String::from_utf8_lossy(&own.stderr));
    assert_eq!(String::from_utf8_lossy(&own.stdout), "password: b-secret\n");
    let other = sh(format!("cat {}/a/profiles.yml", root.path().display())).await;
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("Permission denied"));
    assert!(!String::from_utf8_lossy(&other.stdout).contains("a-secret"));
    let beside = sh(format!("echo x > {}/planted; ls {}", root.path().display(), root.path().display())).await;
    assert!(!beside.status.success());
    assert!(!root.path().join("planted").exists());
}

/// The process boundary: a confined child sees its own processes in
/// /proc and nobody's environment but its own (not this process's), and
/// dalgo's places are empty to it, even where Landlock would let it read.
#[tokio::test]
async fn a_confined_child_sees_no_other_process_and_none_of_dalgos_places() {
    let root = tempfile::tempdir().unwrap();
    let (org, secrets) = (root.path().join("b"), root.path().join("secrets"));
    std::fs::create_dir_all(&org).unwrap();
    std::fs::create_dir_all(&secrets).unwrap();
    std::fs::write(secrets.join("warehouseCreds-a-1"), "a-secret").unwrap();
    let jail =
        Jail::for_org(SandboxMode::Require, std::slice::from_ref(&secrets), &[], std::slice::from_ref(&secrets), &org);
    let script = format!(
        "ls -d /proc/[0-9]* | wc -l; cat /proc/[0-9]*/environ | tr '\\0' '\\n' | grep -c CARGO; \
             ls -A {} | wc -l; ls -A /run/postgresql 2>/dev/null | wc -l; echo $$",
        secrets.display()
    );
    let mut cmd = tokio::process::Command::new("/bin/sh");
    cmd.args(["-c", &script]).env_clear().env("PATH", "/usr/bin:/bin");
    let out = crate::process::output(&mut cmd, &jail.prepare().unwrap()).await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    // sh, and the pipeline's ls or cat: a handful of its own, not the host's hundreds.
    let processes: usize = lines[0].parse().unwrap();
    assert!((1..=4).contains(&processes), "the child sees {processes} processes: {text}");
    assert_eq!(lines[4], "1", "the child is not PID 1 of its own /proc: {text}");
    assert_eq!(lines[1], "0", "the child read an environment of dalgo's: {text}");
    assert_eq!(lines[2], "0", "the secrets directory is visible: {text}");
    assert_eq!(lines[3], "0", "PostgreSQL's socket directory is visible: {text}");
    assert!(std::fs::read_to_string(secrets.join("warehouseCreds-a-1")).is_ok(), "the cover reached the host");
}

#[test]
fn off_prepares_nothing() {
    let jail =
        Jail { mode: SandboxMode::Off, write: vec![], read: vec![], hide: vec![], home: PathBuf::new(), tenant: None };
    assert!(jail.prepare().unwrap().landlock_fd().is_none());
}
