//! Dashboards kept for a short while on each app node. A dashboard reads
//! every PEP of every child in scope; in deadline week officers open and
//! refresh the same authority's dashboard all day, so each node works one
//! out at most once a minute for each view and filter, and the page says
//! when its figures were worked out. Working one out holds thousands of
//! rows, so only as many are worked out at once as the node has cores, and
//! people asking for the same view wait for the one being worked out.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::dashboard::Dashboard;

/// Views kept at most: the oldest goes first.
const MAX_KEPT: usize = 256;

pub(crate) struct DashboardCache {
    keep_for: Duration,
    kept: Mutex<HashMap<String, (Instant, Arc<Dashboard>)>>,
    /// One lock per view being worked out.
    working: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Turns to work one out.
    turns: Arc<tokio::sync::Semaphore>,
}

/// The right to work out a view: the view's lock and a turn.
pub(crate) struct Turn {
    _view: Option<tokio::sync::OwnedMutexGuard<()>>,
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl DashboardCache {
    /// Keeps each dashboard for `keep_for` (zero: not at all).
    pub(crate) fn new(keep_for: Duration) -> Self {
        let cores = crate::cores();
        Self {
            keep_for,
            kept: Mutex::default(),
            working: Mutex::default(),
            turns: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }

    /// Forgets the authority's views (keys start with its id): the
    /// Virtual School acted on its dashboard and should see the result.
    pub(crate) fn forget_authority(&self, la_id: uuid::Uuid) {
        let prefix = format!("{la_id}|");
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|key, _| !key.starts_with(&prefix));
    }

    /// Waits until no one else is working out `key` and a turn is free.
    pub(crate) async fn turn(&self, key: &str) -> Turn {
        let view = if self.keep_for.is_zero() {
            None
        } else {
            let lock = {
                let mut working = self.working.lock().unwrap_or_else(PoisonError::into_inner);
                working.retain(|_, lock| Arc::strong_count(lock) > 1);
                working.entry(key.to_owned()).or_default().clone()
            };
            Some(lock.lock_owned().await)
        };
        let turn = self.turns.clone().acquire_owned().await.ok();
        Turn { _view: view, _turn: turn }
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

        let la = uuid::Uuid::now_v7();
        cache.put(format!("{la}|view"), dashboard(2));
        cache.forget_authority(uuid::Uuid::now_v7());
        assert!(cache.get(&format!("{la}|view")).is_some(), "another authority's views stay");
        cache.forget_authority(la);
        assert!(cache.get(&format!("{la}|view")).is_none());
        assert!(cache.get("view 1").is_some());

        let off = DashboardCache::new(Duration::ZERO);
        off.put("a".into(), dashboard(1));
        assert!(off.get("a").is_none());
        let brief = DashboardCache::new(Duration::from_millis(1));
        brief.put("a".into(), dashboard(1));
        std::thread::sleep(Duration::from_millis(5));
        assert!(brief.get("a").is_none(), "gone after its time");
    }

    #[tokio::test]
    async fn one_person_works_out_a_view_while_others_wait_for_it() {
        let cache = Arc::new(DashboardCache::new(Duration::from_secs(60)));
        let first = cache.turn("a").await;
        let waiting = {
            let cache = cache.clone();
            tokio::spawn(async move {
                let _turn = cache.turn("a").await;
                cache.get("a").map(|d| d.children)
            })
        };
        // Another view is not held up by this one.
        drop(cache.turn("b").await);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the second waits for the first");
        cache.put("a".into(), dashboard(7));
        drop(first);
        assert_eq!(waiting.await.unwrap(), Some(7), "and then finds it worked out");
    }
}
