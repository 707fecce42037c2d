//! Pupil Premium Plus and the other funding a Virtual School gives through
//! targets: the authority's policy ([`policy`]), requests and decisions
//! ([`request`]) and running totals against an allowance ([`budget`]).

pub mod budget;
pub mod policy;
pub mod request;

pub use budget::Totals;
pub use policy::{
    Consideration, FundingCategory, FundingPolicy, FundingSource, Post16Funding, YearRate,
    check_category, check_rate,
};
pub use request::{
    CheckedRequest, Decision, DecisionInput, DecisionKind, FundingStatus, RequestContext,
    RequestInput, check_decision, check_request,
};

use crate::pages::Problems;
use crate::pages::input::Reader;
use crate::{MoneyError, Pence};

/// How to read an amount typed in pounds into a form's field.
struct Pounds<'a> {
    /// The field's name, for its problems.
    field: &'a str,
    /// How messages about the amount start: "Cap", "Yearly rate".
    what: &'a str,
    /// What to say when the field is left empty; `None` when it may be.
    missing: Option<&'a str>,
    /// The amount must be more than £0, not only £0 or more.
    positive: bool,
}

impl Pounds<'_> {
    /// The amount in `text`, or `None` when it is left empty or is wrong;
    /// what is wrong is added to `problems`.
    fn read(&self, problems: &mut Problems, text: &str) -> Option<Pence> {
        match self.check(text) {
            Ok(amount) => amount,
            Err(message) => {
                problems.add(self.field, message);
                None
            }
        }
    }

    /// As [`Pounds::read`], for the field as sent in a form.
    fn read_field(&self, r: &mut Reader) -> Option<Pence> {
        let text = r.raw(self.field);
        self.read(&mut r.problems, text)
    }

    fn check(&self, text: &str) -> Result<Option<Pence>, String> {
        let not_positive = || format!("{} must be more than £0", self.what);
        match Pence::parse_pounds(text) {
            Ok(amount) if self.positive && amount <= Pence::ZERO => Err(not_positive()),
            Ok(amount) => Ok(Some(amount)),
            Err(MoneyError::Empty) => self.missing.map_or(Ok(None), |m| Err(m.to_owned())),
            Err(MoneyError::Negative) if self.positive => Err(not_positive()),
            // MoneyError's messages are about an "Amount".
            Err(error) => Err(error.to_string().replacen("Amount", self.what, 1)),
        }
    }
}
