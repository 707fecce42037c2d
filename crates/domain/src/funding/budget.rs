//! Running totals of a child's (or a cohort's) funding requests, and what is
//! left of an allowance.

use super::request::FundingStatus;
use crate::Pence;

/// Sums of requests by where they are. Sums saturate rather than overflow.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Asked for and not yet decided: submitted, or sent back for more
    /// information (the money is still being asked for, so it still counts
    /// against the allowance).
    pub requested: Pence,
    /// What the Virtual School agreed to pay, paid or not.
    pub approved: Pence,
    /// What has been paid (also in `approved`).
    pub paid: Pence,
    /// What was asked for and declined.
    pub declined: Pence,
    /// Requests added, drafts included.
    pub count: u32,
}

impl Totals {
    /// Adds a request for `amount` that is at `status`. `approved` is the
    /// amount the Virtual School agreed to, when it differs from `amount`
    /// (a part-approval); without it an approval is of the whole amount.
    /// Drafts add to the count only: nothing has been asked for yet.
    pub fn add(&mut self, status: FundingStatus, amount: Pence, approved: Option<Pence>) {
        self.count = self.count.saturating_add(1);
        let agreed = approved.unwrap_or(amount);
        match status {
            FundingStatus::Draft => {}
            FundingStatus::Submitted | FundingStatus::MoreInformation => {
                self.requested = plus(self.requested, amount);
            }
            FundingStatus::Approved | FundingStatus::PartApproved => {
                self.approved = plus(self.approved, agreed);
            }
            FundingStatus::Paid => {
                self.approved = plus(self.approved, agreed);
                self.paid = plus(self.paid, agreed);
            }
            FundingStatus::Declined => self.declined = plus(self.declined, amount),
        }
    }

    /// Adds another set of totals, such as another child's.
    pub fn merge(&mut self, other: Totals) {
        self.requested = plus(self.requested, other.requested);
        self.approved = plus(self.approved, other.approved);
        self.paid = plus(self.paid, other.paid);
        self.declined = plus(self.declined, other.declined);
        self.count = self.count.saturating_add(other.count);
    }

    /// What is left of `allowance` once everything approved and everything
    /// still being asked for is taken off. Negative when the requests go
    /// over the allowance, so a page can say by how much; see
    /// [`Totals::over`].
    pub fn remaining(&self, allowance: Pence) -> Pence {
        let committed = plus(self.approved, self.requested);
        Pence::from_pence(allowance.pence().saturating_sub(committed.pence()))
    }

    /// Whether approved and pending requests add up to more than `allowance`.
    pub fn over(&self, allowance: Pence) -> bool {
        self.remaining(allowance) < Pence::ZERO
    }
}

fn plus(a: Pence, b: Pence) -> Pence {
    Pence::from_pence(a.pence().saturating_add(b.pence()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use FundingStatus::*;

    fn p(pence: i64) -> Pence {
        Pence::from_pence(pence)
    }

    #[test]
    fn each_status_lands_in_its_sum() {
        let mut totals = Totals::default();
        totals.add(Draft, p(1), None);
        totals.add(Submitted, p(10), None);
        totals.add(MoreInformation, p(20), None);
        totals.add(Approved, p(100), None);
        totals.add(PartApproved, p(1_000), Some(p(400)));
        totals.add(Paid, p(5_000), Some(p(3_000)));
        totals.add(Paid, p(7), None);
        totals.add(Declined, p(50_000), None);
        assert_eq!(
            totals,
            Totals {
                requested: p(30),
                approved: p(100 + 400 + 3_000 + 7),
                paid: p(3_007),
                declined: p(50_000),
                count: 8,
            }
        );
    }

    #[test]
    fn what_is_left_of_an_allowance() {
        let mut totals = Totals::default();
        let allowance = p(87_668);
        assert_eq!(totals.remaining(allowance), allowance);
        totals.add(Approved, p(50_000), None);
        totals.add(Submitted, p(20_000), None);
        totals.add(Declined, p(80_000), None);
        totals.add(Draft, p(80_000), None);
        assert_eq!(totals.remaining(allowance), p(17_668));
        assert!(!totals.over(allowance));
        totals.add(Paid, p(17_668), None);
        assert_eq!(totals.remaining(allowance), Pence::ZERO);
        assert!(!totals.over(allowance));
        totals.add(Submitted, p(1), None);
        assert_eq!(totals.remaining(allowance), p(-1));
        assert!(totals.over(allowance));
    }

    #[test]
    fn totals_merge_and_saturate() {
        let mut a = Totals::default();
        a.add(Submitted, p(10), None);
        a.add(Paid, p(5), None);
        let mut b = Totals::default();
        b.add(Declined, p(3), None);
        b.add(Approved, p(i64::MAX), None);
        a.merge(b);
        assert_eq!(a.requested, p(10));
        assert_eq!(a.approved, p(i64::MAX));
        assert_eq!(a.paid, p(5));
        assert_eq!(a.declined, p(3));
        assert_eq!(a.count, 4);
        assert_eq!(a.remaining(p(i64::MIN)), p(i64::MIN));
    }
}
