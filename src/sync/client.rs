//! The platform's HTTP side (`platform-api.md`): one `reqwest` client with
//! the contract's rules — HTTPS only (plain HTTP only to a loopback
//! address), the system's roots plus an optional configured CA, bearer
//! token and kiosk id on every request, timeouts on everything — and every
//! answer sorted into what the sync must do about it.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use zeroize::Zeroizing;

use crate::store::sync::Feed;

/// Why the platform could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("[platform] url {0:?} is not a valid URL")]
    BadUrl(String),
    #[error("[platform] url {0:?}: plain http:// is allowed only to a loopback address; use https://")]
    PlainHttp(String),
    #[error("[platform] ca_file {path}: {error}")]
    CaFile { path: String, error: String },
    #[error("the HTTP client cannot start: {0}")]
    Client(String),
}

/// A request that did not get a usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// 401/403: stop sending until the configuration changes.
    #[error("the platform refused this kiosk's token (HTTP {0})")]
    Unauthorized(u16),
    /// 429/503 with `Retry-After`.
    #[error("the platform asked to wait {0:?}")]
    RetryAfter(Duration),
    /// Timeouts, resets, 5xx, broken bodies: try again later.
    #[error("{0}")]
    Transient(String),
}

/// What a feed request brought.
#[derive(Debug)]
pub enum FeedAnswer {
    Page {
        body: Vec<u8>,
        etag: Option<String>,
    },
    /// 304 to `If-None-Match`.
    NotModified,
    /// 410: the cursor is unknown; start a fresh snapshot.
    Gone,
}

/// What a submission got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitAnswer {
    /// 2xx: the answer's body.
    Acknowledged(String),
    /// 409 or another 4xx: permanent for this item.
    Refused { status: u16, code: Option<String>, message: String, body: String },
}

#[derive(Clone)]
pub struct Platform {
    client: reqwest::Client,
    base: String,
    token: Zeroizing<String>,
    kiosk_id: String,
}

/// Checks `url` is https, or http to a loopback host.
pub fn check_url(url: &str) -> Result<reqwest::Url, SetupError> {
    let u = reqwest::Url::parse(url).map_err(|_| SetupError::BadUrl(url.to_string()))?;
    match u.scheme() {
        "https" => Ok(u),
        "http" => {
            let loopback = match u.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(a)) => IpAddr::V4(a).is_loopback(),
                Some(url::Host::Ipv6(a)) => IpAddr::V6(a).is_loopback(),
                None => false,
            };
            if loopback { Ok(u) } else { Err(SetupError::PlainHttp(url.to_string())) }
        }
        _ => Err(SetupError::BadUrl(url.to_string())),
    }
}

impl Platform {
    /// The platform of the configuration, or `None` without a `url`.
    pub fn new(cfg: &crate::config::Platform) -> Result<Option<Platform>, SetupError> {
        Platform::with_timeout(cfg, Duration::from_secs(30))
    }

    /// As [`Platform::new`], with `timeout` for a whole request (tests use
    /// short ones to exercise a stalled server quickly).
    pub fn with_timeout(
        cfg: &crate::config::Platform,
        timeout: Duration,
    ) -> Result<Option<Platform>, SetupError> {
        if cfg.url.trim().is_empty() {
            return Ok(None);
        }
        let base = check_url(cfg.url.trim())?;
        let mut b = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .user_agent(concat!("gig-kiosk/", env!("CARGO_PKG_VERSION")));
        if !cfg.ca_file.trim().is_empty() {
            let path = cfg.ca_file.trim();
            let pem = std::fs::read(path)
                .map_err(|e| SetupError::CaFile { path: path.into(), error: e.to_string() })?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| SetupError::CaFile { path: path.into(), error: e.to_string() })?;
            b = b.add_root_certificate(cert);
        }
        let client = b.build().map_err(|e| SetupError::Client(e.to_string()))?;
        Ok(Some(Platform {
            client,
            base: base.as_str().trim_end_matches('/').to_string(),
            token: Zeroizing::new(cfg.token.clone()),
            kiosk_id: cfg.kiosk_id.clone(),
        }))
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token.as_str())
            .header("X-Kiosk-Id", &self.kiosk_id)
    }

    /// One page of a feed.
    pub async fn feed(
        &self,
        feed: Feed,
        cursor: Option<&str>,
        etag: Option<&str>,
        limit: u32,
    ) -> Result<(FeedAnswer, Option<DateTime<FixedOffset>>), Failure> {
        let mut q: Vec<(&str, String)> = vec![("limit", limit.to_string())];
        if let Some(c) = cursor {
            q.push(("cursor", c.to_string()));
        }
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/{}", self.base, feed.code()), &q)
            .map_err(|e| Failure::Transient(format!("bad feed URL: {e}")))?;
        let mut r =
            self.client.get(url).bearer_auth(self.token.as_str()).header("X-Kiosk-Id", &self.kiosk_id);
        if let Some(e) = etag {
            r = r.header(reqwest::header::IF_NONE_MATCH, e);
        }
        let resp = r.send().await.map_err(transient)?;
        let date = server_date(&resp);
        let status = resp.status().as_u16();
        let etag =
            resp.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_string);
        match status {
            200 => {
                let body = resp.bytes().await.map_err(transient)?.to_vec();
                Ok((FeedAnswer::Page { body, etag }, date))
            }
            304 => Ok((FeedAnswer::NotModified, date)),
            410 => Ok((FeedAnswer::Gone, date)),
            _ => Err(failure(status, &resp)),
        }
    }

    /// Sends one outbox item with its idempotency key.
    pub async fn submit(
        &self,
        kind: &str,
        key: &str,
        body: &str,
    ) -> Result<(SubmitAnswer, Option<DateTime<FixedOffset>>), Failure> {
        let path = match kind {
            "application" => "/api/v1/applications",
            "worker" => "/api/v1/workers",
            "enrolment" => "/api/v1/enrolments",
            "posting" => "/api/v1/postings",
            "events" => "/api/v1/events",
            other => return Err(Failure::Transient(format!("unknown outbox kind {other:?}"))),
        };
        let resp = self
            .request(reqwest::Method::POST, path)
            .header("Idempotency-Key", key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(transient)?;
        let date = server_date(&resp);
        let status = resp.status().as_u16();
        match status {
            200..=299 => Ok((SubmitAnswer::Acknowledged(resp.text().await.map_err(transient)?), date)),
            401 | 403 | 429 | 503 | 500..=599 => Err(failure(status, &resp)),
            400..=499 => {
                let body = resp.text().await.map_err(transient)?;
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                Ok((
                    SubmitAnswer::Refused {
                        status,
                        code: v["error"].as_str().map(str::to_string),
                        message: v["message"].as_str().unwrap_or("").chars().take(200).collect(),
                        body,
                    },
                    date,
                ))
            }
            _ => Err(Failure::Transient(format!("unexpected HTTP {status}"))),
        }
    }
}

fn transient(e: reqwest::Error) -> Failure {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "request failed"
    };
    // Without the URL: it is known, and a query could carry a cursor.
    Failure::Transient(format!("{what}: {}", e.without_url()))
}

/// The failure for a status that is neither success nor a per-item refusal.
fn failure(status: u16, resp: &reqwest::Response) -> Failure {
    match status {
        401 | 403 => Failure::Unauthorized(status),
        429 | 503 => match resp.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()) {
            // An HTTP date is the platform's, compared with the real clock
            // (not `--now`): it is about when to ask again.
            Some(v) => Failure::RetryAfter(retry_after(v, Utc::now()).unwrap_or(Duration::from_secs(60))),
            None => Failure::Transient(format!("HTTP {status} without Retry-After")),
        },
        _ => Failure::Transient(format!("HTTP {status}")),
    }
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn retry_after(v: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = v.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s.min(24 * 3600)));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?;
    Some(
        (at.with_timezone(&Utc) - now).to_std().unwrap_or(Duration::ZERO).min(Duration::from_secs(24 * 3600)),
    )
}

fn server_date(resp: &reqwest::Response) -> Option<DateTime<FixedOffset>> {
    let v = resp.headers().get(reqwest::header::DATE)?.to_str().ok()?;
    DateTime::parse_from_rfc2822(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_url("https://jobs.example.gov.cn").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost:8080/").is_ok());
        assert!(check_url("http://[::1]:9000").is_ok());
        assert!(matches!(check_url("http://jobs.example.gov.cn"), Err(SetupError::PlainHttp(_))));
        assert!(matches!(check_url("http://10.0.0.2"), Err(SetupError::PlainHttp(_))));
        assert!(matches!(check_url("ftp://x"), Err(SetupError::BadUrl(_))));
        assert!(matches!(check_url("not a url"), Err(SetupError::BadUrl(_))));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T01:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("Mon, 23 Nov 2026 01:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Mon, 23 Nov 2026 00:59:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }
}
