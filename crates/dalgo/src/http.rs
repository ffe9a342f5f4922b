//! What the HTTP clients (Airbyte, Prefect) share: retry timing and error text.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter: about 200 ms, 400 ms, 800 ms … capped at
/// 5 s, each between half and all of that, so retrying clients spread out.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(5)).min(5_000);
    let jitter = rand::rng().random_range(0..=base / 2);
    Duration::from_millis(base / 2 + jitter)
}

/// The innermost cause of an error ("Connection refused (os error 111)").
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Whether a request's outcome is a transient failure worth retrying (when
/// the call is safe to repeat): no connection, no answer in time, or a
/// gateway that did not get an answer (502, 503, 504).
pub(crate) fn is_transient(outcome: &Result<reqwest::Response, reqwest::Error>) -> bool {
    match outcome {
        Err(e) => e.is_connect() || e.is_timeout(),
        Ok(resp) => matches!(resp.status().as_u16(), 502..=504),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_bounded() {
        for attempt in 1..10 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_millis(5_000), "{d:?}");
            assert!(d >= Duration::from_millis(100), "{d:?}");
        }
    }
}
