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

pub mod client;
pub mod feed;
pub mod plan;
pub mod worker;

use chrono::{DateTime, FixedOffset};

use self::client::{Failure, FeedAnswer, Platform, SubmitAnswer};
use self::feed::{Applied, apply_page, parse_page};
use crate::store::Store;
use crate::store::sync::Feed;

/// Items asked for per feed page.
pub const PAGE_LIMIT: u32 = 1000;
/// Outbox items sent per round at most.
const OUTBOX_BATCH: usize = 200;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: u64,
    pub applied: Applied,
    pub not_modified: u64,
    /// A snapshot replaced the cache (after `410 Gone`).
    pub snapshots: u64,
    pub sent: u64,
    pub refused: u64,
    pub retry_later: u64,
    /// The platform answered at least once.
    pub reached: bool,
    /// 401/403: sending stopped until the configuration changes.
    pub unauthorized: bool,
    pub errors: Vec<String>,
    /// The platform's clock, from the last `Date` header.
    pub server_date: Option<DateTime<FixedOffset>>,
}

/// Where the wall clock comes from and the device key for scrubbing.
pub struct Context<'a> {
    pub now: &'a (dyn Fn() -> DateTime<FixedOffset> + Sync),
    pub device_key: &'a [u8],
}

/// One round: both feeds until `more` is false, then the due outbox items.
pub async fn sync_once(store: &mut Store, p: &Platform, cx: &Context<'_>) -> Summary {
    let mut s = Summary::default();
    for feed in Feed::ALL {
        if let Err(e) = pull(store, p, feed, cx, &mut s).await {
            s.errors.push(format!("{}: {e}", feed.code()));
        }
        if s.unauthorized {
            return s;
        }
    }
    if let Err(e) = flush_outbox(store, p, cx, &mut s).await {
        s.errors.push(format!("outbox: {e}"));
    }
    s
}

#[derive(Debug, thiserror::Error)]
enum RoundError {
    #[error(transparent)]
    Failure(#[from] Failure),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Page(#[from] feed::PageError),
    #[error("the platform answered 410 Gone to a fresh snapshot")]
    GoneTwice,
}

async fn pull(
    store: &mut Store,
    p: &Platform,
    feed: Feed,
    cx: &Context<'_>,
    s: &mut Summary,
) -> Result<(), RoundError> {
    let state = store.feed_state(feed)?;
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
            Err(e) => return Err(e.into()),
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
                store.write(|tx| tx.clear_staging(feed))?;
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
        let now = (cx.now)();
        match &mut staging {
            Some(seq) => {
                store.write(|tx| tx.stage_page(feed, *seq, &body))?;
                *seq += 1;
                if !page.more {
                    let applied = store.write(|tx| -> Result<Applied, RoundError> {
                        tx.clear_feed_records(feed)?;
                        let mut a = Applied::default();
                        for staged in tx.staged_pages(feed)? {
                            a.add(&apply_page(tx, feed, &parse_page(&staged)?, now)?);
                        }
                        tx.set_feed_cursor(feed, Some(&page.cursor), new_etag.as_deref(), now.timestamp())?;
                        tx.clear_staging(feed)?;
                        Ok(a)
                    })?;
                    s.applied.add(&applied);
                    s.snapshots += 1;
                }
            }
            None => {
                let applied = store.write(|tx| -> Result<Applied, RoundError> {
                    let a = apply_page(tx, feed, &page, now)?;
                    tx.set_feed_cursor(feed, Some(&page.cursor), new_etag.as_deref(), now.timestamp())?;
                    Ok(a)
                })?;
                s.applied.add(&applied);
            }
        }
        if !page.more {
            return Ok(());
        }
        cursor = Some(page.cursor);
        etag = new_etag;
    }
}

async fn flush_outbox(
    store: &mut Store,
    p: &Platform,
    cx: &Context<'_>,
    s: &mut Summary,
) -> Result<(), RoundError> {
    let due = store.outbox_due((cx.now)().timestamp(), OUTBOX_BATCH)?;
    for item in due {
        let answer = p.submit(&item.kind, &item.idempotency_key, &item.body).await;
        let now = (cx.now)().timestamp();
        match answer {
            Ok((SubmitAnswer::Acknowledged(resp), date)) => {
                s.reached = true;
                s.server_date = date.or(s.server_date);
                let scrubbed = plan::scrub(&item.body, cx.device_key);
                store.write(|tx| tx.outbox_acknowledge(item.id, &resp, &scrubbed, now))?;
                s.sent += 1;
            }
            Ok((SubmitAnswer::Refused { status, code, message, body }, _)) => {
                s.reached = true;
                let scrubbed = plan::scrub(&item.body, cx.device_key);
                let error = format!(
                    "HTTP {status}: {}",
                    if message.is_empty() { code.as_deref().unwrap_or("") } else { &message }
                );
                store.write(|tx| {
                    tx.outbox_fail(item.id, code.as_deref(), &error, Some(&body), &scrubbed, now)
                })?;
                s.refused += 1;
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
                store.write(|tx| tx.outbox_retry(item.id, now + wait.as_secs() as i64, &f.to_string()))?;
                s.retry_later += 1;
                // The platform is unwell or unreachable: leave the rest for later.
                return Err(f.into());
            }
        }
    }
    Ok(())
}
