//! The rules and checked values of the PEP domain.
//!
//! Nothing here does I/O or reads the clock: where a rule depends on the
//! date, today's date is a parameter.

mod code;
#[cfg(test)]
mod fuzz;

pub mod attendance_csv;
pub mod calendar;
pub mod chasing;
pub mod completeness;
pub mod dashboard;
pub mod date_of_birth;
pub mod email;
pub mod ethnicity;
pub mod funding;
pub mod gias;
pub mod la_csv;
pub mod legal_status;
pub mod meeting;
pub mod messages;
pub mod money;
pub mod notices;
pub mod pages;
pub mod password;
pub mod pep;
pub mod pep_cycle;
pub mod permission;
pub mod placement_type;
pub mod quality;
pub mod role;
pub mod school_year;
pub mod scope;
pub mod search;
pub mod settings;
pub mod sign_off;
pub mod ssda903;
pub mod targets;
pub mod template;
pub mod term_dates;
pub mod uln;
pub mod upload;
pub mod upn;
pub mod vs_involvement;

pub use calendar::WorkingDayCalendar;
pub use date_of_birth::{DateError, DateOfBirth, DatePart};
pub use email::{Email, EmailError};
pub use legal_status::LegalStatus;
pub use money::{MoneyError, Pence};
pub use password::{NewPassword, PasswordError};
pub use pep::{PepStatus, Term};
pub use permission::{Action, AuthorityAction, Relationship, allowed, may};
pub use role::Role;
pub use school_year::{AcademicYear, AcademicYearError, KeyStage, NcYear, Phase};
pub use scope::ChildScope;
pub use uln::{Uln, UlnError};
pub use upn::{UnknownUpnReason, Upn, UpnError};
