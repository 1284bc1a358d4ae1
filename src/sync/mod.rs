//! Platform sync (`platform-api.md`; docs/sync.md): pull the postings and
//! courses feeds page by page, send the outbox, and say how it went.
//!
//! - [`client`]: HTTP with the contract's rules, answers sorted into what
//!   to do next.
//! - [`feed`]: page envelopes and applying a page.
//! - [`plan`]: the pure decisions (backoff, what a failure means).
//! - [`sync_once`]: one round — both feeds to the end, then every due
//!   outbox item — used by `kiosk sync --once` and the background loop.
//!
//! Every page is applied with its cursor in one transaction; a snapshot
//! after `410 Gone` is staged and replaces the cache in one transaction when
//! its last page arrived. An outbox item is committed before it is sent,
//! sent with its stable `Idempotency-Key`, and leaves the pending state
//! only acknowledged (its full ID number then replaced by a keyed hash and
//! the masked form) or refused for good.

pub mod bodies;
pub mod client;
pub mod feed;
pub mod plan;
pub mod worker;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use self::client::{Failure, FeedAnswer, Platform, SubmitAnswer};
use self::feed::{Applied, apply_page, parse_page};
use crate::clock::Clock;
use crate::privacy::DeviceKey;
use crate::store::sync::Feed;
use crate::store::{Store, StoreError};

/// Items asked for per feed page.
pub const PAGE_LIMIT: u32 = 1000;
/// Outbox items sent per round at most.
const OUTBOX_BATCH: usize = 200;
/// Records removed per transaction when a finished snapshot sweeps out
/// what it no longer holds: short transactions, so the kiosk's own writes
/// (an application, a count) never wait long.
const SWEEP_CHUNK: usize = 1000;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: u64,
    pub applied: Applied,
    pub not_modified: u64,
    /// A snapshot replaced the cache (after `410 Gone`).
    pub snapshots: u64,
    /// Feeds that reached `more: false` (or `304 Not Modified`) this round.
    pub feeds_complete: Vec<Feed>,
    pub sent: u64,
    pub refused: u64,
    pub retry_later: u64,
    /// Due outbox items not tried because the round stopped early.
    pub unattempted: u64,
    /// The platform answered at least once.
    pub reached: bool,
    /// 401/403: sending stopped until the configuration changes.
    pub unauthorized: bool,
    pub errors: Vec<String>,
    /// The platform's clock, from the last `Date` header.
    pub server_date: Option<DateTime<FixedOffset>>,
}

impl Summary {
    /// Every feed reached its end and every due item was tried.
    pub fn complete(&self) -> bool {
        Feed::ALL.iter().all(|f| self.feeds_complete.contains(f))
            && self.unattempted == 0
            && !self.unauthorized
    }
}

/// What a round works with besides the platform.
pub struct Context<'a> {
    pub clock: &'a dyn Clock,
    pub device_key: &'a DeviceKey,
    /// Wait out a `Retry-After` up to this long within the round and go on
    /// (`kiosk sync --once`); `ZERO`: leave it to the next round (the
    /// background loop plans it).
    pub wait_retry_after: Duration,
    /// Send every pending item now, even one whose retry time has not come
    /// (`kiosk sync --once`: a technician's "now").
    pub all_pending: bool,
}

/// The sync's database connection, for async code: each call runs on
/// tokio's blocking pool, never on an async worker thread, so a long
/// SQLite write cannot stall the runtime's other tasks.
#[derive(Clone)]
pub struct SyncStore(Arc<Mutex<Store>>);

impl SyncStore {
    pub fn new(store: Store) -> SyncStore {
        SyncStore(Arc::new(Mutex::new(store)))
    }

    /// The shared store, to take back when the caller is done.
    pub fn into_inner(self) -> Arc<Mutex<Store>> {
        self.0
    }

    /// Runs `f` with the store on the blocking pool. A panic inside is
    /// passed on (the task's supervisor restarts the task).
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Store) -> T + Send + 'static) -> T {
        let store = self.0.clone();
        let job =
            tokio::task::spawn_blocking(move || f(&mut store.lock().unwrap_or_else(|p| p.into_inner())));
        match job.await {
            Ok(t) => t,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => std::panic::resume_unwind(Box::new(format!("the store call was cancelled: {e}"))),
        }
    }
}

/// One round: both feeds until `more` is false, then the due outbox items.
pub async fn sync_once(store: &SyncStore, p: &Platform, cx: &Context<'_>) -> Summary {
    let mut s = Summary::default();
    let mut waited = Duration::ZERO;
    for feed in Feed::ALL {
        match pull(store, p, feed, cx, &mut s, &mut waited).await {
            Ok(()) => s.feeds_complete.push(feed),
            Err(e) => s.errors.push(format!("{}: {e}", feed.code())),
        }
        if s.unauthorized {
            return s;
        }
    }
    if let Err(e) = flush_outbox(store, p, cx, &mut s, &mut waited).await {
        s.errors.push(format!("outbox: {e}"));
    }
    s
}

#[derive(Debug, thiserror::Error)]
enum RoundError {
    #[error(transparent)]
    Failure(#[from] Failure),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Page(#[from] feed::PageError),
    #[error("the platform answered 410 Gone to a fresh snapshot")]
    GoneTwice,
}

/// Longest a round waits out `Retry-After`s in all (`kiosk sync --once`).
const MAX_WAITING: Duration = Duration::from_secs(120);

/// Whether to wait out `f` within the round: a short `Retry-After`, when
/// the caller allows it and the round has not waited too long already.
async fn waited_out(f: &Failure, cx: &Context<'_>, waited: &mut Duration) -> bool {
    match f {
        Failure::RetryAfter(d) if *d <= cx.wait_retry_after && *waited + *d <= MAX_WAITING => {
            tracing::info!("the platform asked to wait {d:?}; waiting");
            tokio::time::sleep(*d).await;
            *waited += *d;
            true
        }
        _ => false,
    }
}

async fn pull(
    store: &SyncStore,
    p: &Platform,
    feed: Feed,
    cx: &Context<'_>,
    s: &mut Summary,
    waited: &mut Duration,
) -> Result<(), RoundError> {
    let state = store.run(move |st| st.feed_state(feed)).await?;
    let mut cursor = state.cursor;
    let mut etag = state.etag;
    // `Some(n)`: a snapshot after 410 is being staged; n pages so far.
    let mut staging: Option<u32> = None;
    loop {
        let answer = p.feed(feed, cursor.as_deref(), etag.as_deref(), PAGE_LIMIT).await;
        let (answer, date) = match answer {
            Ok(a) => a,
            Err(Failure::Unauthorized(c)) => {
                s.unauthorized = true;
                s.reached = true;
                return Err(Failure::Unauthorized(c).into());
            }
            Err(e) => {
                if matches!(e, Failure::RetryAfter(_)) {
                    s.reached = true;
                }
                if waited_out(&e, cx, waited).await {
                    continue;
                }
                return Err(e.into());
            }
        };
        s.reached = true;
        s.server_date = date.or(s.server_date);
        let (body, new_etag) = match answer {
            FeedAnswer::NotModified => {
                s.not_modified += 1;
                return Ok(());
            }
            FeedAnswer::Gone if staging.is_some() => return Err(RoundError::GoneTwice),
            FeedAnswer::Gone => {
                tracing::warn!(
                    "{} feed: cursor unknown to the platform; fetching a fresh snapshot",
                    feed.code()
                );
                store.run(move |st| st.write(|tx| tx.clear_staging(feed))).await?;
                staging = Some(0);
                cursor = None;
                etag = None;
                continue;
            }
            FeedAnswer::Page { body, etag } => (body, etag),
        };
        // The envelope is checked before anything is written.
        let page = parse_page(&body)?;
        s.pages += 1;
        let now = cx.clock.wall();
        let (more, next) = (page.more, page.cursor.clone());
        match &mut staging {
            Some(seq) => {
                let n = *seq;
                store.run(move |st| st.write(|tx| tx.stage_page(feed, n, &body))).await?;
                *seq += 1;
                if !more {
                    let applied = replace_with_snapshot(store, feed, &next, new_etag.clone(), cx).await?;
                    s.applied.add(&applied);
                    s.snapshots += 1;
                }
            }
            None => {
                let (c, e) = (next.clone(), new_etag.clone());
                let applied = store
                    .run(move |st| {
                        st.write(|tx| -> Result<Applied, RoundError> {
                            let a = apply_page(tx, feed, &page, now)?;
                            tx.set_feed_cursor(feed, Some(&c), e.as_deref(), now.timestamp())?;
                            Ok(a)
                        })
                    })
                    .await?;
                s.applied.add(&applied);
            }
        }
        if !more {
            return Ok(());
        }
        cursor = Some(next);
        etag = new_etag;
    }
}

/// A complete snapshot (every page staged) becomes the cache: each staged
/// page is applied in its own short transaction, then the records the
/// snapshot no longer holds are removed in chunks, then the cursor is set
/// and the staging cleared. Workers never see a cache emptied for the
/// swap, and the kiosk's own writes wait at most one chunk, however large
/// the snapshot. After a crash half-way the old cursor is still in place:
/// the next round gets `410` again and starts a fresh snapshot, whose
/// upserts are idempotent and whose sweep removes what this one left.
async fn replace_with_snapshot(
    store: &SyncStore,
    feed: Feed,
    cursor: &str,
    etag: Option<String>,
    cx: &Context<'_>,
) -> Result<Applied, RoundError> {
    let seqs = store.run(move |st| st.staged_seqs(feed)).await?;
    let mut applied = Applied::default();
    let mut kept: HashSet<String> = HashSet::new();
    for seq in seqs {
        let now = cx.clock.wall();
        let (a, ids) = store
            .run(move |st| -> Result<(Applied, Vec<String>), RoundError> {
                let body = st.staged_page(feed, seq)?.unwrap_or_default();
                let page = parse_page(&body)?;
                let ids = feed::identifiers(&page);
                let a = st.write(|tx| apply_page(tx, feed, &page, now))?;
                Ok((a, ids))
            })
            .await?;
        applied.add(&a);
        kept.extend(ids);
    }
    let stale: Vec<String> = store
        .run(move |st| st.feed_identifiers(feed))
        .await?
        .into_iter()
        .filter(|id| !kept.contains(id))
        .collect();
    for chunk in stale.chunks(SWEEP_CHUNK) {
        let chunk = chunk.to_vec();
        let removed = store
            .run(move |st| {
                st.write(|tx| -> Result<u64, StoreError> {
                    let mut n = 0;
                    for id in &chunk {
                        n += u64::from(crate::import::remove(tx, feed, id)?);
                    }
                    Ok(n)
                })
            })
            .await?;
        applied.removed += removed;
    }
    let (cursor, stamp) = (cursor.to_string(), cx.clock.wall().timestamp());
    store
        .run(move |st| {
            st.write(|tx| {
                tx.set_feed_cursor(feed, Some(&cursor), etag.as_deref(), stamp)?;
                tx.clear_staging(feed)
            })
        })
        .await?;
    Ok(applied)
}

async fn flush_outbox(
    store: &SyncStore,
    p: &Platform,
    cx: &Context<'_>,
    s: &mut Summary,
    waited: &mut Duration,
) -> Result<(), RoundError> {
    let (at, limit) = match cx.all_pending {
        true => (i64::MAX, usize::MAX >> 1),
        false => (cx.clock.wall().timestamp(), OUTBOX_BATCH),
    };
    // Service statistics go out as submissions too (`POST /api/v1/events`):
    // queued in the outbox first, so a lost answer is sent again with the
    // same key and an event is never counted twice or lost.
    let now = cx.clock.wall().timestamp();
    store
        .run(move |st| {
            while st.queue_events(&uuid::Uuid::new_v4().to_string(), now)?
                == crate::store::staff::EVENTS_BATCH
            {}
            Ok::<_, StoreError>(())
        })
        .await?;
    let due = store.run(move |st| st.outbox_due(at, limit)).await?;
    // Each item leaves this count once its answer is handled; what stays
    // was not tried (the round stopped early).
    s.unattempted = due.len() as u64;
    for item in due {
        let answer = loop {
            let a = p.submit(&item.kind, &item.idempotency_key, &item.body).await;
            match &a {
                Err(f @ Failure::RetryAfter(_)) if waited_out(f, cx, waited).await => continue,
                _ => break a,
            }
        };
        let now = cx.clock.wall().timestamp();
        let scrubbed = plan::scrub(&item.body, cx.device_key);
        let id = item.id;
        match answer {
            Ok((SubmitAnswer::Acknowledged(resp), date)) => {
                s.reached = true;
                s.server_date = date.or(s.server_date);
                store.run(move |st| st.write(|tx| tx.outbox_acknowledge(id, &resp, &scrubbed, now))).await?;
                s.sent += 1;
                s.unattempted -= 1;
            }
            Ok((SubmitAnswer::Refused { status, code, message, body }, _)) => {
                s.reached = true;
                let error = format!(
                    "HTTP {status}: {}",
                    if message.is_empty() { code.as_deref().unwrap_or("") } else { &message }
                );
                store
                    .run(move |st| {
                        st.write(|tx| {
                            tx.outbox_fail(id, code.as_deref(), &error, Some(&body), &scrubbed, now)
                        })
                    })
                    .await?;
                s.refused += 1;
                s.unattempted -= 1;
            }
            Err(Failure::Unauthorized(c)) => {
                s.reached = true;
                s.unauthorized = true;
                return Err(Failure::Unauthorized(c).into());
            }
            Err(f) => {
                if matches!(f, Failure::RetryAfter(_)) {
                    s.reached = true;
                }
                let wait = plan::retry_delay(&f, item.attempts, rand::random::<f64>());
                let error = f.to_string();
                store
                    .run(move |st| st.write(|tx| tx.outbox_retry(id, now + wait.as_secs() as i64, &error)))
                    .await?;
                s.retry_later += 1;
                s.unattempted -= 1;
                // The platform is unwell or unreachable: leave the rest for later.
                return Err(f.into());
            }
        }
    }
    Ok(())
}
