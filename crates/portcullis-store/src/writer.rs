//! The one writer of a SQLite database, with group commit.
//!
//! SQLite lets one connection write at a time. With writes spread over a pool,
//! the others sleep in SQLite's busy handler (1, 2, 5, 10 … 100 ms between
//! tries) and every commit is its own fsync (`synchronous = FULL`). Here every
//! write of the process goes through one connection instead: an operation runs
//! inside a savepoint of the open batch transaction, and a committer task
//! commits the batch once, one fsync for every operation that queued
//! meanwhile, before any of them is answered. Reads stay on the pool (WAL).
//!
//! Invariants:
//! - A successful operation returns only after its batch committed; if the
//!   commit fails, every operation of the batch gets the error (none of them
//!   was stored). A response never precedes the commit of what it reports.
//! - An operation is all or nothing: its savepoint is rolled back when it fails,
//!   or when its caller goes away mid-way, and it never takes its neighbours
//!   in the batch with it.
//! - The lock is tokio's FIFO mutex, so operations run, and batches form, in
//!   arrival order; at most [`MAX_QUEUED`] operations wait for it (back-pressure
//!   instead of unbounded memory).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use sqlx::SqliteConnection;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, Semaphore, oneshot};

use crate::{StoreError, StoreResult};

/// Operations allowed to wait for the writer at once.
pub const MAX_QUEUED: usize = 4096;

struct State {
    conn: SqliteConnection,
    /// A batch transaction is open.
    open: bool,
    /// An operation's opening round trip was sent and has not answered.
    starting: bool,
    /// An operation's savepoint is open (its caller may have gone away).
    in_op: bool,
    /// The last operation's savepoint is still on the stack: released by the
    /// next operation in the same round trip that opens its own, or by the
    /// commit (one hop per operation saved).
    savepoint: bool,
    /// The callers of the open batch's operations, answered at its commit.
    waiters: Vec<oneshot::Sender<StoreResult<()>>>,
}

/// Counters for `/metrics`.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Batches committed.
    pub batches: AtomicU64,
    /// Operations committed (so `operations / batches` is the mean batch size).
    pub operations: AtomicU64,
    /// Batches whose commit failed.
    pub failed_commits: AtomicU64,
    /// Microseconds operations waited for the writer, summed.
    pub waited_micros: AtomicU64,
    /// Microseconds spent committing (the fsync), summed over batches.
    pub commit_micros: AtomicU64,
}

pub struct Writer {
    state: Arc<Mutex<State>>,
    commit: Arc<Notify>,
    queue: Semaphore,
    pub stats: Arc<WriterStats>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // The committer holds only a weak reference: wake it so it sees the
        // state gone and ends.
        self.commit.notify_one();
    }
}

impl Writer {
    /// Takes `conn` as the database's only writing connection and starts its
    /// committer.
    pub fn start(conn: SqliteConnection) -> Self {
        let state = Arc::new(Mutex::new(State {
            conn,
            open: false,
            starting: false,
            in_op: false,
            savepoint: false,
            waiters: Vec::new(),
        }));
        let commit = Arc::new(Notify::new());
        let stats = Arc::new(WriterStats::default());
        tokio::spawn(committer(
            Arc::downgrade(&state),
            commit.clone(),
            stats.clone(),
        ));
        Self {
            state,
            commit,
            queue: Semaphore::new(MAX_QUEUED),
            stats,
        }
    }

    /// Runs `op` on the writing connection, atomically, and returns its
    /// outcome once the batch it joined is committed. `op` answers its value
    /// and whether to keep what it wrote (`false`: rolled back). Every outcome,
    /// a refusal or an error included, waits for the commit: it may rest on
    /// what earlier operations of the batch wrote, and if that commit fails the
    /// caller learns that instead.
    pub async fn run<T>(
        &self,
        op: impl AsyncFnOnce(&mut SqliteConnection) -> StoreResult<(T, bool)>,
    ) -> StoreResult<T> {
        let _queued = self
            .queue
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        let asked = std::time::Instant::now();
        let mut held = Held {
            guard: Some(self.state.clone().lock_owned().await),
            commit: self.commit.clone(),
        };
        self.stats
            .waited_micros
            .fetch_add(asked.elapsed().as_micros() as u64, Ordering::Relaxed);
        let st = held.state();
        resync(st).await;
        // One round trip opens the operation: the batch if none is open
        // (IMMEDIATE: the write lock is taken now, so no statement of the batch
        // meets SQLITE_BUSY half-way), the previous operation's savepoint
        // released, this one's opened.
        let start = match (st.open, st.savepoint) {
            (false, _) => "BEGIN IMMEDIATE; SAVEPOINT op",
            (true, true) => "RELEASE op; SAVEPOINT op",
            (true, false) => "SAVEPOINT op",
        };
        // Until the round trip answers, what ran of it is unknown.
        st.starting = true;
        let started = sqlx::raw_sql(start).execute(&mut st.conn).await;
        st.starting = false;
        if let Err(e) = started {
            let e = StoreError::from(e);
            if st.open {
                // Half-way through the batch: end it rather than guess.
                abort(st, e.clone()).await;
            } else {
                // Nothing was open: a read-only file or a full disk refuses
                // the BEGIN itself; nothing to undo.
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut st.conn).await;
            }
            held.release();
            return Err(e);
        }
        st.open = true;
        st.savepoint = true;
        st.in_op = true;
        let result = op(&mut st.conn).await;
        if !matches!(result, Ok((_, true))) {
            // The savepoint stays on the stack (released by the next one).
            if let Err(e) = sqlx::raw_sql("ROLLBACK TO op").execute(&mut st.conn).await {
                // The transaction is in a state we cannot reason about: end
                // it, and with it everything batched so far.
                abort(st, StoreError::from(e)).await;
                held.release();
                return Err(StoreError::Unavailable(
                    "the database could not apply the write".into(),
                ));
            }
        }
        st.in_op = false;
        let (tx, rx) = oneshot::channel();
        st.waiters.push(tx);
        held.release();
        self.commit.notify_one();
        match rx.await {
            Ok(Ok(())) => result.map(|(v, _)| v),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(StoreError::Unavailable("the writer has stopped".into())),
        }
    }

    /// Commits the batch in progress, if any (at shutdown). The commit runs in
    /// its own task, so it completes even if this call is abandoned.
    pub async fn close(&self) {
        let (state, stats) = (self.state.clone(), self.stats.clone());
        let _ = tokio::spawn(async move {
            let mut st = state.lock().await;
            resync(&mut st).await;
            if st.open {
                finish(&mut st, &stats).await;
            }
        })
        .await;
    }
}

/// The writer's lock while an operation runs. Dropped mid-way (the request was
/// cancelled), it rolls the operation back before anyone else may write; if no
/// task can be spawned for that, the next holder of the lock does it
/// (`resync`).
struct Held {
    guard: Option<OwnedMutexGuard<State>>,
    commit: Arc<Notify>,
}

impl Held {
    fn state(&mut self) -> &mut State {
        // Some from construction until `release`, which consumes the use.
        self.guard.as_deref_mut().expect("held until released")
    }

    fn release(&mut self) {
        self.guard = None;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        let commit = self.commit.clone();
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        rt.spawn(async move {
            resync(&mut guard).await;
            drop(guard);
            commit.notify_one();
        });
    }
}

/// Brings the connection back to a known state after an operation was
/// abandoned mid-way: its own writes are rolled back; if even its opening
/// round trip was cut short (so what the stack holds is unknown), the whole
/// batch is ended and its callers told, rather than guessing.
async fn resync(st: &mut State) {
    if st.starting {
        st.starting = false;
        st.in_op = false;
        abort(
            st,
            StoreError::Unavailable("a write was interrupted; retry".into()),
        )
        .await;
    } else if st.in_op {
        st.in_op = false;
        if let Err(e) = sqlx::raw_sql("ROLLBACK TO op").execute(&mut st.conn).await {
            abort(st, StoreError::from(e)).await;
        }
    }
}

/// Rolls the whole batch back and tells its callers.
async fn abort(st: &mut State, e: StoreError) {
    tracing::error!(error = %e, "a write batch failed and was rolled back");
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut st.conn).await;
    st.open = false;
    st.in_op = false;
    st.savepoint = false;
    for w in st.waiters.drain(..) {
        let _ = w.send(Err(e.clone()));
    }
}

/// Commits the open batch and answers its callers.
async fn finish(st: &mut State, stats: &WriterStats) {
    let n = st.waiters.len() as u64;
    let started = std::time::Instant::now();
    let committed = sqlx::raw_sql("COMMIT").execute(&mut st.conn).await;
    stats
        .commit_micros
        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
    match committed {
        Ok(_) => {
            // COMMIT ends the savepoints still on the stack with the batch.
            st.open = false;
            st.savepoint = false;
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.operations.fetch_add(n, Ordering::Relaxed);
            for w in st.waiters.drain(..) {
                let _ = w.send(Ok(()));
            }
        }
        Err(e) => {
            // A full disk or a read-only file: nothing of the batch is stored,
            // every caller learns it, and the next batch tries again.
            stats.failed_commits.fetch_add(1, Ordering::Relaxed);
            let e = match StoreError::from(e) {
                StoreError::Internal(d) => StoreError::Unavailable(d),
                other => other,
            };
            abort(st, e).await;
        }
    }
}

/// Commits whenever operations are waiting. It asks for the lock after being
/// woken, so it queues behind the operations already waiting, and they join
/// the batch it then commits: one fsync for all of them.
async fn committer(state: Weak<Mutex<State>>, commit: Arc<Notify>, stats: Arc<WriterStats>) {
    loop {
        commit.notified().await;
        let Some(state) = state.upgrade() else {
            return;
        };
        let mut st = state.lock().await;
        resync(&mut st).await;
        if st.open {
            finish(&mut st, &stats).await;
        }
    }
}
