//! Pure decisions of the sync: how long to wait before trying an item
//! again, and what is kept of a submission once the platform has it.

use std::time::Duration;

use super::client::Failure;

/// First retry after a transient failure; doubles per attempt.
pub const BACKOFF_BASE: Duration = Duration::from_secs(10);
/// Longest wait between attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30 * 60);

/// How long to wait after `failure` on an item tried `attempts` times
/// before. `jitter` in [0, 1) spreads a fleet's retries: ±25 %.
pub fn retry_delay(failure: &Failure, attempts: u32, jitter: f64) -> Duration {
    match failure {
        // The platform said how long; no jitter below it.
        Failure::RetryAfter(d) => *d,
        _ => {
            let exp = BACKOFF_BASE.as_secs_f64() * 2f64.powi(attempts.min(20) as i32);
            let capped = exp.min(BACKOFF_CAP.as_secs_f64());
            Duration::from_secs_f64(capped * (0.75 + 0.5 * jitter.clamp(0.0, 1.0)))
        }
    }
}

/// What the last round found, for planning the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundResult {
    pub reached: bool,
    pub unauthorized: bool,
    /// Any transient failure (a page or an item to try again).
    pub had_errors: bool,
}

/// How long to wait before the next round. Named cases in the tests:
/// - normally the configured interval;
/// - sooner when an outbox item falls due before that (a retry time, or
///   an application made a moment ago: `next_due` ≤ now);
/// - after a refused token, ten intervals: nothing will work until the
///   configuration changes, but a platform-side fix is noticed;
/// - never less than 2 s, so a stream of due items cannot spin the loop.
pub fn next_round(now: i64, interval: Duration, last: RoundResult, next_due: Option<i64>) -> Duration {
    const FLOOR: Duration = Duration::from_secs(2);
    if last.unauthorized {
        return interval * 10;
    }
    let mut wait = interval;
    if let Some(due) = next_due {
        let until = Duration::from_secs(due.saturating_sub(now).max(0) as u64);
        wait = wait.min(until);
    }
    wait.max(FLOOR)
}

/// The offset (seconds) to add to the local clock when it is implausible —
/// earlier than this build was made, or earlier than the newest posting
/// seen — taken from the platform's `Date` header; `None` when the local
/// clock is believable.
pub fn clock_offset(
    local: chrono::DateTime<chrono::FixedOffset>,
    server: chrono::DateTime<chrono::FixedOffset>,
    floor_epoch: i64,
) -> Option<i64> {
    (local.timestamp() < floor_epoch).then(|| server.timestamp() - local.timestamp())
}

/// The build time as seconds (see `build.rs`).
pub fn build_epoch() -> i64 {
    crate::BUILD_EPOCH.parse().unwrap_or(0)
}

/// The body kept after the platform answered: every full ID number
/// (`applicant.id_number`, or `id_number` of a worker registration) replaced
/// by `id_hash` (HMAC-SHA-256 under the device key, as for duplicates) and
/// `id_masked`. A body that is not JSON is replaced entirely.
pub fn scrub(body: &str, device_key: &crate::privacy::DeviceKey) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) else {
        return "{}".to_string();
    };
    fn fix(obj: &mut serde_json::Map<String, serde_json::Value>, key: &crate::privacy::DeviceKey) {
        if let Some(serde_json::Value::String(id)) = obj.remove("id_number") {
            let card_type = obj.get("card_type").and_then(|c| c.as_str()).unwrap_or("resident").to_string();
            obj.insert("id_hash".into(), key.person_hash(&card_type, &id).into());
            obj.insert("id_masked".into(), crate::domain::card::mask(&id).into());
            let mut id = id;
            zeroize::Zeroize::zeroize(&mut id);
        }
    }
    if let Some(obj) = v.as_object_mut() {
        fix(obj, device_key);
        if let Some(serde_json::Value::Object(a)) = obj.get_mut("applicant") {
            fix(a, device_key);
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let t = Failure::Transient("timed out".into());
        assert_eq!(retry_delay(&t, 0, 0.5), Duration::from_secs(10));
        assert_eq!(retry_delay(&t, 3, 0.5), Duration::from_secs(80));
        assert_eq!(retry_delay(&t, 30, 0.5), BACKOFF_CAP, "capped");
        assert_eq!(retry_delay(&t, 0, 0.0), Duration::from_secs_f64(7.5));
        assert_eq!(retry_delay(&t, 0, 0.999_999).as_secs(), 12);
        let r = Failure::RetryAfter(Duration::from_secs(42));
        assert_eq!(retry_delay(&r, 5, 0.9), Duration::from_secs(42), "the platform's wait, exactly");
    }

    #[test]
    fn the_next_round() {
        let i = Duration::from_secs(60);
        let ok = RoundResult { reached: true, unauthorized: false, had_errors: false };
        // Nothing queued: the interval.
        assert_eq!(next_round(1000, i, ok, None), i);
        // An item due in 15 s (a retry): then.
        assert_eq!(next_round(1000, i, ok, Some(1015)), Duration::from_secs(15));
        // An item due later than the interval: the interval.
        assert_eq!(next_round(1000, i, ok, Some(5000)), i);
        // An application just made (due now): as soon as allowed.
        assert_eq!(next_round(1000, i, ok, Some(1000)), Duration::from_secs(2));
        assert_eq!(next_round(1000, i, ok, Some(10)), Duration::from_secs(2), "overdue");
        // Offline: the interval still (the items' own backoff decides).
        let offline = RoundResult { reached: false, unauthorized: false, had_errors: true };
        assert_eq!(next_round(1000, i, offline, Some(1300)), i);
        // A refused token: ten intervals, whatever is due.
        let refused = RoundResult { reached: true, unauthorized: true, had_errors: true };
        assert_eq!(next_round(1000, i, refused, Some(1000)), i * 10);
    }

    #[test]
    fn an_implausible_clock_takes_the_platforms() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
        let floor = t("2026-11-01T00:00:00Z").timestamp();
        // A Pi that booted without network believes it is 1970.
        assert_eq!(
            clock_offset(t("1970-01-01T00:00:10Z"), t("2026-11-23T01:00:10Z"), floor),
            Some(t("2026-11-23T01:00:00Z").timestamp())
        );
        assert_eq!(
            clock_offset(t("2026-11-23T01:00:00Z"), t("2026-11-23T01:00:07Z"), floor),
            None,
            "believable"
        );
        assert!(build_epoch() > floor, "the build time is known");
    }

    #[test]
    fn scrubbing_leaves_no_full_number() {
        let body = r#"{"posting_id":"P1","applicant":{"id_number":"350206196803121233","name":"王建国","card_type":"resident"},"station_id":"s"}"#;
        let k = crate::privacy::DeviceKey::from_bytes([9; 32]);
        let out = scrub(body, &k);
        assert!(!out.contains("350206196803121233"), "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["applicant"]["id_masked"], "3502**********1233");
        assert_eq!(v["applicant"]["id_hash"], k.person_hash("resident", "350206196803121233"));
        assert_eq!(v["posting_id"], "P1");
        let worker = scrub(r#"{"id_number":"11010519491231002X","name":"x"}"#, &k);
        assert!(worker.contains("1101**********002X") && !worker.contains("11010519491231002X"));
        assert_eq!(scrub("not json 350206196803121233", &k), "{}");
    }
}
