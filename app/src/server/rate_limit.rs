//! Fixed-window counters kept in this process's memory.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter { limit, window, buckets: Mutex::new(HashMap::new()) }
    }

    /// Counts one event for `key`; `Err(seconds until the window ends)` once over the limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("rate limiter lock");
        if buckets.len() > 50_000 {
            buckets.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = buckets.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return Err(self.retry_after(entry.0, now));
        }
        entry.1 += 1;
        Ok(())
    }

    /// `Err(retry after)` when `key` has used its whole allowance; counts nothing.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let buckets = self.buckets.lock().expect("rate limiter lock");
        match buckets.get(key) {
            Some((start, count)) if now.duration_since(*start) < self.window && *count >= self.limit => {
                Err(self.retry_after(*start, now))
            }
            _ => Ok(()),
        }
    }

    fn retry_after(&self, start: Instant, now: Instant) -> u64 {
        (self.window.saturating_sub(now.duration_since(start))).as_secs().max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_then_refuses() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.hit("a").is_ok());
        }
        let retry = limiter.hit("a").unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(limiter.check("a").is_err());
        assert!(limiter.hit("b").is_ok(), "keys are independent");
    }

    #[test]
    fn window_resets() {
        let limiter = RateLimiter::new(1, Duration::from_millis(30));
        assert!(limiter.hit("a").is_ok());
        assert!(limiter.hit("a").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limiter.hit("a").is_ok());
    }
}
