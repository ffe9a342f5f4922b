//! Per-org PostgreSQL session advisory locks, each held on a connection of
//! its own: however dalgo ends (error, Ctrl-C, SIGKILL, a lost link), the
//! session ends and PostgreSQL releases the lock, so a lock never outlives
//! its holder.

use sqlx::{Connection, PgConnection};

use crate::db::{Db, Within};
use crate::error::Result;
use crate::org::Org;

/// What a lock serialises for one org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockClass {
    /// dbt runs, git pulls, and every change to the org's dbt files.
    Dbt,
    /// Operations that span systems (warehouse set, dbt setup and teardown,
    /// pipeline create and update, org delete): one at a time per org, so an
    /// operation's clean-up of versions left by a killed one never races a
    /// live one.
    Ops,
    /// Applying a document, from its plan to its last change: one at a time
    /// per slug (the org may not exist yet), so a second apply plans against
    /// what the first did.
    Apply,
}

impl LockClass {
    fn key(self) -> i32 {
        match self {
            LockClass::Dbt => 0x0064_6274,   // "dbt"
            LockClass::Ops => 0x006f_7073,   // "ops"
            LockClass::Apply => 0x0061_7070, // "app"
        }
    }
}

/// A held lock; release it with [`OrgLock::release`] (dropping it also ends
/// the session, a little later).
pub(crate) struct OrgLock {
    conn: PgConnection,
}

impl OrgLock {
    /// Takes the org's lock of `class` if it is free; `None` when another
    /// session holds it.
    pub(crate) async fn try_acquire(db: &Db, class: LockClass, org: &Org) -> Result<Result<OrgLock, PgConnection>> {
        Self::try_key(db, class, org_key(org)).await
    }

    async fn try_key(db: &Db, class: LockClass, key: i32) -> Result<Result<OrgLock, PgConnection>> {
        let mut conn = db.pool().acquire().await?.detach();
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(class.key())
            .bind(key)
            .fetch_one(&mut conn)
            .within()
            .await?;
        Ok(if got { Ok(OrgLock { conn }) } else { Err(conn) })
    }

    /// Waits for the lock on a connection [`OrgLock::try_acquire`] returned.
    /// The wait is as long as the holder's work: the session's statement and
    /// lock time limits are lifted for it and restored once it is held.
    pub(crate) async fn wait(conn: PgConnection, class: LockClass, org: &Org) -> Result<OrgLock> {
        Self::wait_key(conn, class, org_key(org)).await
    }

    async fn wait_key(mut conn: PgConnection, class: LockClass, key: i32) -> Result<OrgLock> {
        crate::db::lift_limits(&mut conn).await?;
        // Waits as long as the holder works: no deadline.
        sqlx::query("SELECT pg_advisory_lock($1, $2)").bind(class.key()).bind(key).execute(&mut conn).await?;
        sqlx::raw_sql("RESET statement_timeout; RESET lock_timeout").execute(&mut conn).within().await?;
        Ok(OrgLock { conn })
    }

    /// Takes the lock, waiting for a holder to finish.
    pub(crate) async fn acquire(db: &Db, class: LockClass, org: &Org) -> Result<OrgLock> {
        Self::acquire_key(db, class, org_key(org)).await
    }

    /// Takes the [`LockClass::Apply`] lock of the org `slug` names, made or
    /// not, waiting for a holder to finish.
    pub(crate) async fn acquire_slug(db: &Db, slug: &str) -> Result<OrgLock> {
        Self::acquire_key(db, LockClass::Apply, slug_key(slug)).await
    }

    async fn acquire_key(db: &Db, class: LockClass, key: i32) -> Result<OrgLock> {
        match Self::try_key(db, class, key).await? {
            Ok(lock) => Ok(lock),
            Err(conn) => Self::wait_key(conn, class, key).await,
        }
    }

    /// The lock's own session, for statements that must run on it.
    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// Ends the session, which releases the lock.
    pub(crate) async fn release(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}

fn org_key(org: &Org) -> i32 {
    (org.id & 0x7fff_ffff) as i32
}

/// A slug's key: FNV-1a, stable across runs and machines (two slugs that
/// share one only wait for each other).
fn slug_key(slug: &str) -> i32 {
    let hash = slug.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    i32::from_ne_bytes(hash.to_ne_bytes())
}
