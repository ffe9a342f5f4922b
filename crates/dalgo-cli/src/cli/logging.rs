//! Logs on stderr: `-v` info with each database and HTTP call timed, `-vv`
//! debug (sqlx's statements with their SQL), `-vvv` trace; `RUST_LOG` overrides.

use std::io::Write;

use super::GlobalArgs;

/// Logs go to stderr; `-v` raises the level, `RUST_LOG` overrides it.
pub fn init_logging(g: &GlobalArgs) {
    let level = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // sqlx logs every statement (and "slow statement" warnings with their
        // SQL): only from -vv on.
        .unwrap_or_else(|_| {
            let sqlx = if g.verbose >= 2 { level } else { "error" };
            tracing_subscriber::EnvFilter::new(format!("{level},sqlx={sqlx}"))
        });
    let ansi = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal()
    };
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{Layer, filter};
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi).with_filter(filter);
    // -v: one line per database statement with its time (sqlx's own lines, with the SQL, come from -vv).
    let timings = (g.verbose == 1 && std::env::var_os("RUST_LOG").is_none()).then(|| {
        StatementTimings.with_filter(filter::Targets::new().with_target("sqlx::query", tracing::Level::DEBUG))
    });
    tracing_subscriber::registry().with(fmt).with(timings).init();
}

/// A log layer writing one line per database statement sqlx reports: its
/// summary, rows and time (`-v`; the full SQL is sqlx's own line at `-vv`).
pub struct StatementTimings;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementTimings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        #[derive(Default)]
        struct Fields {
            summary: String,
            rows: u64,
            secs: f64,
        }
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, f: &tracing::field::Field, v: &str) {
                if f.name() == "summary" {
                    self.summary = v.to_string();
                }
            }
            fn record_u64(&mut self, f: &tracing::field::Field, v: u64) {
                if matches!(f.name(), "rows_returned" | "rows_affected") {
                    self.rows += v;
                }
            }
            fn record_f64(&mut self, f: &tracing::field::Field, v: f64) {
                if f.name() == "elapsed_secs" {
                    self.secs = v;
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ");
        let _ = writeln!(
            std::io::stderr(),
            "{now}  INFO dalgo::db: {} ({} rows) in {:.1} ms",
            f.summary,
            f.rows,
            f.secs * 1000.0
        );
    }
}
