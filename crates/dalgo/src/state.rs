//! Prefect's state types, a value shared by the error type, the Prefect
//! client, pipelines and the worker; below all of them, so the error type
//! does not depend on an HTTP client.

string_enum! {
    /// Prefect's state types.
    pub enum StateType {
        Scheduled => "SCHEDULED",
        Pending => "PENDING",
        Running => "RUNNING",
        Completed => "COMPLETED",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
        Crashed => "CRASHED",
        Paused => "PAUSED",
        Cancelling => "CANCELLING",
        /// None given, or one this dalgo does not know.
        Unknown => "UNKNOWN",
    }
}

/// Prefect's final state types.
pub const FINAL_STATES: [StateType; 4] =
    [StateType::Completed, StateType::Failed, StateType::Crashed, StateType::Cancelled];

impl StateType {
    /// Whether a run in this state has ended.
    pub fn is_final(self) -> bool {
        FINAL_STATES.contains(&self)
    }
}
