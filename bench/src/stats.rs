//! What the virtual users saw: every request's time by route, and what
//! went wrong.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// 409: someone else saved first (the user is shown both versions).
    Conflict,
    /// 422: the server refused what was typed, with its reasons.
    Invalid,
    /// A 5xx, an unexpected 4xx or no response at all.
    Error,
}

#[derive(Default)]
struct Samples {
    micros: Vec<u32>,
    conflicts: u64,
    invalid: u64,
    errors: u64,
}

/// Latencies by route, shared by every virtual user.
#[derive(Default)]
pub struct Recorder {
    routes: Mutex<BTreeMap<&'static str, Samples>>,
}

impl Recorder {
    pub fn record(&self, route: &'static str, took: Duration, outcome: Outcome) {
        let micros = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let samples = routes.entry(route).or_default();
        samples.micros.push(micros);
        match outcome {
            Outcome::Ok => {}
            Outcome::Conflict => samples.conflicts += 1,
            Outcome::Invalid => samples.invalid += 1,
            Outcome::Error => samples.errors += 1,
        }
    }

    /// Forgets everything recorded (after a warm-up).
    pub fn clear(&self) {
        self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// Each route's figures over `seconds` of load.
    pub fn summary(&self, seconds: f64) -> Vec<RouteStats> {
        let mut routes = self.routes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        routes
            .iter_mut()
            .map(|(route, samples)| {
                samples.micros.sort_unstable();
                let at = |q: f64| {
                    let n = samples.micros.len();
                    if n == 0 {
                        return 0.0;
                    }
                    let index = ((n as f64 * q).ceil() as usize).clamp(1, n) - 1;
                    f64::from(samples.micros[index]) / 1000.0
                };
                RouteStats {
                    route: (*route).to_owned(),
                    requests: samples.micros.len() as u64,
                    per_second: samples.micros.len() as f64 / seconds.max(0.001),
                    p50_ms: at(0.50),
                    p95_ms: at(0.95),
                    p99_ms: at(0.99),
                    max_ms: at(1.0),
                    conflicts: samples.conflicts,
                    invalid: samples.invalid,
                    errors: samples.errors,
                }
            })
            .collect()
    }
}

/// One route's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouteStats {
    pub route: String,
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub conflicts: u64,
    pub invalid: u64,
    pub errors: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let recorder = Recorder::default();
        for ms in 1..=100u64 {
            recorder.record("GET /x", Duration::from_millis(ms), Outcome::Ok);
        }
        recorder.record("GET /x", Duration::from_millis(5), Outcome::Error);
        let stats = &recorder.summary(10.0)[0];
        assert_eq!(stats.requests, 101);
        assert_eq!(stats.errors, 1);
        assert!((stats.per_second - 10.1).abs() < 1e-9);
        assert_eq!((stats.p50_ms, stats.p99_ms, stats.max_ms), (50.0, 99.0, 100.0));
    }
}
