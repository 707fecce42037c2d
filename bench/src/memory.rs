//! The server's resident memory, sampled each second while the load runs,
//! and a line saying which machine the figures came from.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Resident memory over the run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Memory {
    /// (seconds since the start, resident kB).
    pub samples: Vec<(f64, u64)>,
    pub max_kb: u64,
}

impl Memory {
    /// The mean of the samples between `from` and `to` seconds.
    pub fn mean_between(&self, from: f64, to: f64) -> Option<f64> {
        let within: Vec<u64> =
            self.samples.iter().filter(|(t, _)| *t >= from && *t < to).map(|(_, kb)| *kb).collect();
        (!within.is_empty()).then(|| within.iter().sum::<u64>() as f64 / within.len() as f64)
    }
}

pub struct Sampler {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<Memory>>,
}

/// Starts sampling process `pid` (nothing when there is none).
pub fn sample(pid: Option<u32>) -> Sampler {
    let (stop, mut stopped) = watch::channel(false);
    let task = pid.map(|pid| {
        tokio::spawn(async move {
            let started = Instant::now();
            let mut memory = Memory::default();
            loop {
                if let Some(kb) = resident_kb(pid) {
                    memory.samples.push((started.elapsed().as_secs_f64(), kb));
                    memory.max_kb = memory.max_kb.max(kb);
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stopped.changed() => break,
                }
            }
            memory
        })
    });
    Sampler { stop, task }
}

impl Sampler {
    pub async fn finish(self) -> Memory {
        let _ = self.stop.send(true);
        match self.task {
            Some(task) => task.await.unwrap_or_default(),
            None => Memory::default(),
        }
    }
}

/// VmRSS of a process, from /proc (Linux).
pub fn resident_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// "AMD EPYC … (2 cores), 7.7 GB memory, Linux 6.x".
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_owned();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{model} ({cores} cores), {:.1} GB memory, Linux {}",
        memory_kb as f64 / 1_048_576.0,
        kernel.trim()
    )
}
