//! Measuring a running OpenPEP server: virtual users signed in as the
//! demo's people ([`vu`]), their deadline-week journeys ([`journeys`]), the
//! load, scale and batch runs and their report. The `openpep-bench` binary runs
//! them; the resilience tests drive servers with the same users.

pub mod accounts;
pub mod batch;
pub mod html;
pub mod journeys;
pub mod load;
pub mod memory;
pub mod report;
pub mod run;
pub mod scale;
pub mod settle;
pub mod stats;
pub mod vu;
