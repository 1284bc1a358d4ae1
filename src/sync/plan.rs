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

/// The body kept after the platform answered: every full ID number
/// (`applicant.id_number`, or `id_number` of a worker registration) replaced
/// by `id_hash` (HMAC-SHA-256 under the device key, as for duplicates) and
/// `id_masked`. A body that is not JSON is replaced entirely.
pub fn scrub(body: &str, device_key: &[u8]) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(body) else {
        return "{}".to_string();
    };
    fn fix(obj: &mut serde_json::Map<String, serde_json::Value>, key: &[u8]) {
        if let Some(serde_json::Value::String(id)) = obj.remove("id_number") {
            let card_type = obj.get("card_type").and_then(|c| c.as_str()).unwrap_or("resident").to_string();
            obj.insert("id_hash".into(), crate::app::core::person_hash(key, &card_type, &id).into());
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
    fn scrubbing_leaves_no_full_number() {
        let body = r#"{"posting_id":"P1","applicant":{"id_number":"350206196803121233","name":"王建国","card_type":"resident"},"station_id":"s"}"#;
        let out = scrub(body, b"k");
        assert!(!out.contains("350206196803121233"), "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["applicant"]["id_masked"], "3502**********1233");
        assert_eq!(
            v["applicant"]["id_hash"],
            crate::app::core::person_hash(b"k", "resident", "350206196803121233")
        );
        assert_eq!(v["posting_id"], "P1");
        let worker = scrub(r#"{"id_number":"11010519491231002X","name":"x"}"#, b"k");
        assert!(worker.contains("1101**********002X") && !worker.contains("11010519491231002X"));
        assert_eq!(scrub("not json 350206196803121233", b"k"), "{}");
    }
}
