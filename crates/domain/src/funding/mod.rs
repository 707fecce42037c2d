//! Pupil Premium Plus and the other funding a Virtual School gives through
//! targets: the authority's policy ([`policy`]), requests and decisions
//! ([`request`]) and running totals against an allowance ([`budget`]).

pub mod budget;
pub mod policy;
pub mod request;

pub use budget::Totals;
pub use policy::{
    Consideration, FundingCategory, FundingPolicy, FundingSource, Post16Funding, YearRate,
    check_category, check_rate, check_source,
};
pub use request::{
    CheckedRequest, Decision, DecisionInput, DecisionKind, FundingStatus, RequestContext,
    RequestInput, check_decision, check_request,
};
