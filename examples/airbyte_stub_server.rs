//! The test suite's stand-in Airbyte server, runnable on its own for
//! benchmarks and manual trials. It validates every request against
//! tests/specs/airbyte-config-api.yaml.
//!
//!     cargo run --release --example airbyte_stub_server -- --connections 50 --latency-ms 200 --job-ms 2000
//!
//! Prints `<port> <workspace id>` on stdout, then serves on 127.0.0.1 until killed.

#[path = "../tests/support/airbyte_stub.rs"]
mod airbyte_stub;

use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut connections, mut latency, mut job) = (10usize, 0u64, 2000u64);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| usage());
        match flag.as_str() {
            "--connections" => connections = value as usize,
            "--latency-ms" => latency = value,
            "--job-ms" => job = value,
            _ => usage(),
        }
    }
    let stub = airbyte_stub::Stub::start(airbyte_stub::Options {
        latency: Duration::from_millis(latency),
        job_duration: Duration::from_millis(job),
        ..Default::default()
    });
    let workspace = stub.seed_workspace("bench");
    stub.seed_connections(&workspace, connections);
    println!("{} {workspace}", stub.port());
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let violations = stub.violations();
        if !violations.is_empty() {
            eprintln!("spec violations: {violations:?}");
            std::process::exit(1);
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: airbyte_stub_server [--connections N] [--latency-ms MS] [--job-ms MS]");
    std::process::exit(2)
}
