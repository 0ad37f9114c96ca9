//! All SQL lives here, one file per kind of record. Every query on tenant data names its tenant.
//!
//! The database connection: SQLite by default, PostgreSQL for many replicas; migrations embedded.
//!
//! Both backends are driven through sqlx's `Any` driver with one set of queries. The schemas
//! are kept in two migration folders because triggers and a few types differ between them.
//! Times are stored as UTC milliseconds (BIGINT), which both backends and `Any` handle alike.

use chrono::{DateTime, TimeZone, Utc};
use portcullis_core::ids::IdError;
use portcullis_core::Problem;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections and what is behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The SQLite file, for readers that open their own connection (the activity download).
    pub sqlite_file: Option<std::path::PathBuf>,
    /// PostgreSQL's native pool, for what the Any driver cannot do (COPY, for the activity
    /// download). Connects lazily, so a replica that never downloads holds no extra connection.
    pub pg: Option<sqlx::PgPool>,
    /// SQLite's read-only connections for the reads every API call makes (`store::reads`).
    pub reader: Option<std::sync::Arc<crate::store::sqlite::reader::SqliteReader>>,
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnknownScheme,
    #[error("could not open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("after migrating, {0} rows reference records that do not exist")]
    Dangling(usize),
}

impl Db {
    /// Opens the database at `url` (creating a SQLite file if needed) and applies migrations.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnknownScheme);
        };
        let options = AnyConnectOptions::from_str(url).map_err(DbError::Connect)?;
        let pool = AnyPoolOptions::new()
            // SQLite allows one writer at a time; a few connections serve readers, and the busy
            // timeout queues writers instead of failing them.
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(DbError::Connect)?;
        let sqlite_file = (backend == Backend::Sqlite).then(|| sqlite_file_of(url));
        let pg = match backend {
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_lazy(url)
                    .map_err(DbError::Connect)?,
            ),
            Backend::Sqlite => None,
        };
        let reader = sqlite_file
            .clone()
            .map(crate::store::sqlite::reader::SqliteReader::open);
        let db = Db {
            pool,
            backend,
            sqlite_file,
            pg,
            reader,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Begins a transaction that writes.
    ///
    /// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so concurrent writers wait
    /// their turn under the busy timeout. A deferred transaction that reads first holds a read
    /// snapshot it cannot upgrade once another writer has committed, and SQLite answers "database
    /// is locked" at once instead of waiting.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        let tx = match self.backend {
            #[allow(clippy::disallowed_methods)]
            Backend::Postgres => self.pool.begin().await?,
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
        };
        Ok(Tx(tx))
    }

    /// A connection from the pool, for reads that must see one state (or take a row once)
    /// outside a write transaction.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Applies the migrations embedded in the binary that have not run yet.
    ///
    /// On SQLite they run on one connection with foreign keys off, as SQLite advises for schema
    /// changes: a table can only lose a constraint by being rebuilt, and dropping the old copy
    /// with foreign keys on would first delete, cascading, every row that references it. The
    /// references are checked once the migrations are done.
    pub async fn migrate(&self) -> Result<(), DbError> {
        if self.backend == Backend::Postgres {
            return self
                .migrator()
                .run(&self.pool)
                .await
                .map_err(DbError::Migrate);
        }
        let mut conn = self.pool.acquire().await.map_err(DbError::Connect)?;
        conn.execute("PRAGMA foreign_keys = OFF")
            .await
            .map_err(DbError::Connect)?;
        let ran = self.migrator().run(&mut *conn).await;
        let dangling = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *conn)
            .await
            .map_err(DbError::Connect)?
            .len();
        conn.execute("PRAGMA foreign_keys = ON")
            .await
            .map_err(DbError::Connect)?;
        ran.map_err(DbError::Migrate)?;
        if dangling > 0 {
            return Err(DbError::Dangling(dangling));
        }
        Ok(())
    }

    /// The migrations embedded in the binary for this backend.
    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// How many migrations embedded in this binary the database has not applied (successfully):
    /// zero when its schema is current. A replica started before `portcullis migrate` ran, or
    /// whose database was restored from an older backup, answers more.
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let applied: std::collections::HashSet<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect();
        Ok(self
            .migrator()
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .filter(|m| !applied.contains(&m.version))
            .count())
    }
}

/// A new time-ordered id of any kind (`UserId::from_bytes`, …).
pub fn new_id<T>(make: fn([u8; 16]) -> T) -> T {
    make(uuid::Uuid::now_v7().into_bytes())
}

/// The file a `sqlite://path?options` (or `sqlite:path`) URL names.
fn sqlite_file_of(url: &str) -> std::path::PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// A time as stored: UTC milliseconds.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time back as a `DateTime`.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A write transaction from [`Db::write`]: a connection to run statements on, committed with
/// the store's error (dropped without a commit, it rolls back).
pub struct Tx(sqlx::Transaction<'static, sqlx::Any>);

impl Tx {
    /// Makes every change of the transaction visible at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.0
    }
}

/// A storage failure. Services and handlers pass it on with `?`; what a client sees of it is
/// decided once, in `From<StoreError> for Problem`, which logs the details.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct StoreError(#[from] pub sqlx::Error);

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        problem(e.0)
    }
}

/// Turns a storage failure into what the client may see; the details go to the log.
pub fn problem(e: sqlx::Error) -> Problem {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            tracing::error!(error = %e, "database unavailable");
            Problem::unavailable()
        }
        other => {
            tracing::error!(error = %other, "database error");
            Problem::internal()
        }
    }
}

/// Reads a stored id, refusing a corrupted one rather than carrying it on.
pub fn stored_id<T>(s: String, parse: fn(&str) -> Result<T, IdError>) -> Result<T, StoreError> {
    Ok(parse(&s).map_err(|e| sqlx::Error::Decode(Box::new(e)))?)
}

pub mod access;
pub mod activity;
pub mod activity_export;
pub mod apps;
pub mod authorizations;
pub mod boards;
pub mod campaigns;
pub mod columns;
pub mod demo;
pub mod domains;
pub mod id_pages;
pub mod installs;
pub mod invitations;
pub mod jobs;
pub mod keyset;
pub mod memo;
pub mod oauth_states;
pub mod outbox;
pub mod overview;
pub mod people;
pub mod rate_counters;

pub mod reads;
pub mod sealed;
pub mod sessions;
pub mod setup;
pub mod sqlite;
pub mod sso;
pub mod tenants;
pub mod users;
pub mod versions;

/// Whether the database answers (for health checks).
pub async fn ping(pool: &sqlx::AnyPool) -> Result<(), StoreError> {
    Ok(sqlx::query("SELECT 1").execute(pool).await.map(|_| ())?)
}
