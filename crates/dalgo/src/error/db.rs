//! How PostgreSQL's (and sqlx's) errors become dalgo's: a lost connection,
//! a statement past its deadline, a message without sqlx's C source line.

use super::Error;

/// The connection is gone or was never PostgreSQL's: no socket, a reset, a
/// server that does not speak the protocol, or a backend the server
/// terminated (class 08, 57P01..57P03).
pub(super) fn is_connection_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            db.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

/// What a statement that hit the client's deadline ends with (inside
/// sqlx's I/O error); turned into [`Error::DbTimedOut`] naming
/// `DALGO_DB_STATEMENT_TIMEOUT`.
#[derive(Debug)]
pub(crate) struct DeadlinePassed {
    /// The deadline: the statement limit plus `margin`.
    pub(crate) after: std::time::Duration,
    pub(crate) margin: std::time::Duration,
}

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PostgreSQL did not answer within {} s (the statement limit plus {} s); the link may have stalled",
            self.after.as_secs(),
            self.margin.as_secs()
        )
    }
}

impl std::error::Error for DeadlinePassed {}

/// PostgreSQL's message with its SQLSTATE: sqlx's own text adds the line
/// of PostgreSQL's C source that raised it, which means nothing to a user.
pub(super) fn db_text(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(db) => match db.code() {
            Some(code) => format!("{} (SQLSTATE {code})", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        // 42P01 undefined_table: the query ran against a database dalgo never migrated.
        if let Some(db) = e.as_database_error() {
            let constraint = db.constraint().unwrap_or("a constraint").to_string();
            match db.code().as_deref() {
                Some("42P01") => return Error::NotMigrated(db.message().to_string()),
                // What a statement referred to was deleted meanwhile (a concurrent delete).
                Some("23503") => return Error::ConcurrentlyRemoved { constraint },
                Some("23514" | "23502" | "22001") => {
                    return Error::Refused { constraint, message: db.message().to_string() };
                }
                // 55P03 lock_not_available, 57014 query_canceled, 25P03 idle_in_transaction_session_timeout.
                Some(code @ ("55P03" | "57014" | "25P03")) => {
                    let setting = match code {
                        "55P03" => "DALGO_DB_LOCK_TIMEOUT",
                        "57014" => "DALGO_DB_STATEMENT_TIMEOUT",
                        _ => "DALGO_DB_IDLE_TIMEOUT",
                    };
                    return Error::DbTimedOut { setting, message: db.message().to_string() };
                }
                _ => {}
            }
        }
        if let sqlx::Error::Io(io) = &e
            && let Some(passed) = io.get_ref().and_then(|inner| inner.downcast_ref::<DeadlinePassed>())
        {
            return Error::DbTimedOut { setting: "DALGO_DB_STATEMENT_TIMEOUT", message: passed.to_string() };
        }
        Error::Db(e)
    }
}
