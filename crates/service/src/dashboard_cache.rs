//! Dashboards kept for a short while on each app node. A dashboard reads
//! every PEP of every child in scope; in deadline week officers open and
//! refresh the same authority's dashboard all day, so each node works one
//! out at most once a minute for each view and filter, and the page says
//! when its figures were worked out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::dashboard::Dashboard;

/// Views kept at most: the oldest goes first.
const MAX_KEPT: usize = 256;

pub(crate) struct DashboardCache {
    keep_for: Duration,
    kept: Mutex<HashMap<String, (Instant, Arc<Dashboard>)>>,
}

impl DashboardCache {
    /// Keeps each dashboard for `keep_for` (zero: not at all).
    pub(crate) fn new(keep_for: Duration) -> Self {
        Self { keep_for, kept: Mutex::default() }
    }

    pub(crate) fn get(&self, key: &str) -> Option<Arc<Dashboard>> {
        if self.keep_for.is_zero() {
            return None;
        }
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(key).filter(|(at, _)| at.elapsed() < self.keep_for).map(|(_, d)| d.clone())
    }

    pub(crate) fn put(&self, key: String, dashboard: Arc<Dashboard>) {
        if self.keep_for.is_zero() {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|_, (at, _)| at.elapsed() < self.keep_for);
        if kept.len() >= MAX_KEPT
            && let Some(oldest) = kept.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone())
        {
            kept.remove(&oldest);
        }
        kept.insert(key, (Instant::now(), dashboard));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::DashboardView;

    fn dashboard(children: usize) -> Arc<Dashboard> {
        Arc::new(Dashboard {
            view: DashboardView::Authority,
            errors: Default::default(),
            options: Default::default(),
            term_label: String::new(),
            children,
            tables: Vec::new(),
            may_chase: false,
            worked_out_at: chrono::DateTime::UNIX_EPOCH,
        })
    }

    #[test]
    fn keeps_a_view_for_its_time_and_the_newest_views_when_full() {
        let cache = DashboardCache::new(Duration::from_secs(60));
        assert!(cache.get("a").is_none());
        cache.put("a".into(), dashboard(1));
        assert_eq!(cache.get("a").map(|d| d.children), Some(1));
        for i in 0..MAX_KEPT {
            cache.put(format!("view {i}"), dashboard(i));
        }
        assert!(cache.get("a").is_none(), "the oldest went");
        assert_eq!(cache.get("view 0").map(|d| d.children), Some(0));

        let off = DashboardCache::new(Duration::ZERO);
        off.put("a".into(), dashboard(1));
        assert!(off.get("a").is_none());
        let brief = DashboardCache::new(Duration::from_millis(1));
        brief.put("a".into(), dashboard(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(brief.get("a").is_none(), "gone after its time");
    }
}
