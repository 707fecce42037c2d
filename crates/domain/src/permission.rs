//! The permission table: who may do what to a child's records.
//!
//! Access follows the relationship, not the role alone (DOMAIN.md, "Who is
//! involved"). Every handler asks [`allowed`] with the person's role in the
//! LA they are acting in, the action, and how they stand to that child; the
//! service works out the [`Relationship`] from allocations, placements and
//! grants. Actions that concern the authority rather than one child go
//! through [`may`].
//!
//! Some rows are narrowed later by finer checks that this table cannot see:
//! which pages a careers adviser contributes to, what part of the PEP an LA
//! lets carers see, whether a PEP is locked by its sign-off.

use crate::code::serde_via_code;
use crate::role::Role;

/// How a person stands to one child, judged within the LA they are acting
/// in. A child looked after by another LA is [`Relationship::Unrelated`]
/// there, even when placed at the person's school: the person sees that
/// child by acting in the other LA, if it gives them access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relationship {
    /// Virtual School staff (head, officer, administrator) of the LA that
    /// looks after the child.
    SameAuthority,
    /// Currently allocated to the child (social worker, designated teacher
    /// or professional, IRO, careers adviser), the allocation's from/to
    /// dates covering today.
    Allocated,
    /// Designated teacher or professional at the school or setting where
    /// the child is currently placed.
    SchoolStaff,
    /// Manages a social worker currently allocated to the child.
    TeamManager,
    /// A carer (or parent) the social worker or VS has granted access to
    /// this child.
    Carer,
    /// The young person's own record.
    Own,
    /// None of the above.
    Unrelated,
}

impl Relationship {
    pub const ALL: [Relationship; 7] = [
        Relationship::SameAuthority,
        Relationship::Allocated,
        Relationship::SchoolStaff,
        Relationship::TeamManager,
        Relationship::Carer,
        Relationship::Own,
        Relationship::Unrelated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Relationship::SameAuthority => "same_authority",
            Relationship::Allocated => "allocated",
            Relationship::SchoolStaff => "school_staff",
            Relationship::TeamManager => "team_manager",
            Relationship::Carer => "carer",
            Relationship::Own => "own",
            Relationship::Unrelated => "unrelated",
        }
    }

    pub fn from_code(code: &str) -> Option<Relationship> {
        Relationship::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The roles that can stand in this relationship to a child. Any other
    /// role paired with it is refused by [`allowed`]. Every role can be
    /// [`Relationship::Unrelated`], which grants nothing.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Relationship::SameAuthority => &[Role::VsHead, Role::VsOfficer, Role::VsAdmin],
            Relationship::Allocated => &[
                Role::SocialWorker,
                Role::DesignatedTeacher,
                Role::DesignatedProfessional,
                Role::Iro,
                Role::CareersAdviser,
            ],
            Relationship::SchoolStaff => &[Role::DesignatedTeacher, Role::DesignatedProfessional],
            Relationship::TeamManager => &[Role::TeamManager],
            Relationship::Carer => &[Role::Carer],
            Relationship::Own => &[Role::YoungPerson],
            Relationship::Unrelated => &Role::ALL,
        }
    }

    /// Whether a person with `role` can stand in this relationship.
    pub fn possible_for(self, role: Role) -> bool {
        self.roles().contains(&role)
    }

    /// How a person acting in `role` stands to a child, from the facts the
    /// store found: whether the child is of the authority they act in, is
    /// allocated to them in that role, is placed at the school they act
    /// for, and is allocated to a social worker in their team.
    pub fn from_facts(
        role: Role,
        same_authority: bool,
        allocated: bool,
        at_their_school: bool,
        in_their_team: bool,
    ) -> Self {
        if !same_authority {
            return Relationship::Unrelated;
        }
        match role {
            Role::VsHead | Role::VsOfficer | Role::VsAdmin => Relationship::SameAuthority,
            Role::Carer if allocated => Relationship::Carer,
            Role::YoungPerson if allocated => Relationship::Own,
            Role::TeamManager if in_their_team => Relationship::TeamManager,
            Role::Carer | Role::YoungPerson | Role::TeamManager => Relationship::Unrelated,
            _ if allocated => Relationship::Allocated,
            Role::DesignatedTeacher | Role::DesignatedProfessional if at_their_school => {
                Relationship::SchoolStaff
            }
            _ => Relationship::Unrelated,
        }
    }
}

serde_via_code!(Relationship, "relationship");

/// Something a person does to one child's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// The child's overview page: name, school, current PEP and its status
    /// (carers and young people see a limited version).
    ViewChildOverview,
    /// The full profile, including care and health details.
    ViewChildRecord,
    /// Change the child's profile: personal, care and school information.
    EditChildProfile,
    /// Read a PEP (carers: the summary the LA allows).
    ViewPep,
    /// The education sections (DT/DP; the careers adviser's 14-19 plan).
    EditPepEducationSections,
    /// Essential information: personal, care, health and wellbeing (SW).
    EditPepCareSections,
    /// The child's views: the young person, with support from their carer,
    /// social worker or designated teacher.
    EditChildViews,
    /// The parent/carer views.
    EditCarerViews,
    /// The final sign-off that locks the PEP (DT/DP).
    SignOffPep,
    /// "Mark completed" for one's own part (SW, DT/DP, YP).
    MarkPartComplete,
    /// Grade a signed-off PEP or return it for improvement (VS).
    QualityAssurePep,
    /// Allocate or end the allocation of SW, DT/DP, IRO, careers adviser.
    ManageAllocations,
    /// Give a carer access to this child (an invitation).
    GrantCarerAccess,
    /// Who changed and who viewed the child's records.
    ViewChildAuditLog,
    /// Send a message about this child to the people working with them.
    MessageAboutChild,
    /// Ask the Virtual School for funding (PP+) for a target and submit
    /// the request (DT/DP; the VS may write one for a school).
    RequestFunding,
    /// Arrange, move or cancel the PEP meeting and invite people to it
    /// (SW, DT/DP, the VS).
    ArrangeMeeting,
    /// Download everything held about the child, for a subject access
    /// request or when they leave care (the VS administrator).
    ExportChildRecords,
}

impl Action {
    pub const ALL: [Action; 18] = [
        Action::ViewChildOverview,
        Action::ViewChildRecord,
        Action::EditChildProfile,
        Action::ViewPep,
        Action::EditPepEducationSections,
        Action::EditPepCareSections,
        Action::EditChildViews,
        Action::EditCarerViews,
        Action::SignOffPep,
        Action::MarkPartComplete,
        Action::QualityAssurePep,
        Action::ManageAllocations,
        Action::GrantCarerAccess,
        Action::ViewChildAuditLog,
        Action::MessageAboutChild,
        Action::RequestFunding,
        Action::ArrangeMeeting,
        Action::ExportChildRecords,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::ViewChildOverview => "view_child_overview",
            Action::ViewChildRecord => "view_child_record",
            Action::EditChildProfile => "edit_child_profile",
            Action::ViewPep => "view_pep",
            Action::EditPepEducationSections => "edit_pep_education_sections",
            Action::EditPepCareSections => "edit_pep_care_sections",
            Action::EditChildViews => "edit_child_views",
            Action::EditCarerViews => "edit_carer_views",
            Action::SignOffPep => "sign_off_pep",
            Action::MarkPartComplete => "mark_part_complete",
            Action::QualityAssurePep => "quality_assure_pep",
            Action::ManageAllocations => "manage_allocations",
            Action::GrantCarerAccess => "grant_carer_access",
            Action::ViewChildAuditLog => "view_child_audit_log",
            Action::MessageAboutChild => "message_about_child",
            Action::RequestFunding => "request_funding",
            Action::ArrangeMeeting => "arrange_meeting",
            Action::ExportChildRecords => "export_child_records",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Whether the action only reads the child's records: such actions are
    /// written to the access log ("who viewed"), the others to the change
    /// log.
    pub fn is_view(self) -> bool {
        matches!(
            self,
            Action::ViewChildOverview
                | Action::ViewChildRecord
                | Action::ViewPep
                | Action::ViewChildAuditLog
        )
    }
}

serde_via_code!(Action, "action");

/// May a person with `role`, standing in `relationship` to a child, do
/// `action` to that child's records?
///
/// This `match` is the table: one row per role and the relationship it can
/// have, listing what that row allows. Anything not listed is refused,
/// including every [`Relationship::Unrelated`] row and any role paired with a
/// relationship it cannot have (a carer as school staff).
pub fn allowed(role: Role, action: Action, relationship: Relationship) -> bool {
    use Action::*;
    use Relationship as R;

    match (role, relationship) {
        // The Virtual School sees its whole LA, sets up profiles, grades
        // PEPs and decides who works with each child.
        (Role::VsHead | Role::VsOfficer, R::SameAuthority) => matches!(
            action,
            ViewChildOverview
                | ViewChildRecord
                | EditChildProfile
                | ViewPep
                | QualityAssurePep
                | ManageAllocations
                | GrantCarerAccess
                | ViewChildAuditLog
                | MessageAboutChild
                | RequestFunding
                | ArrangeMeeting
        ),
        // The VS administrator manages profiles and access, but does not
        // grade PEPs: that is the head's and officers' judgement.
        (Role::VsAdmin, R::SameAuthority) => matches!(
            action,
            ViewChildOverview
                | ViewChildRecord
                | EditChildProfile
                | ViewPep
                | ManageAllocations
                | GrantCarerAccess
                | ViewChildAuditLog
                | MessageAboutChild
                | ExportChildRecords
        ),
        // The social worker leads the PEP: section A, supporting the
        // child's views, bringing the carer in.
        (Role::SocialWorker, R::Allocated) => matches!(
            action,
            ViewChildOverview
                | ViewChildRecord
                | ViewPep
                | EditPepCareSections
                | EditChildViews
                | MarkPartComplete
                | GrantCarerAccess
                | MessageAboutChild
                | ArrangeMeeting
        ),
        // The designated teacher or professional: education sections,
        // supporting the child's views, the final sign-off.
        (Role::DesignatedTeacher | Role::DesignatedProfessional, R::Allocated | R::SchoolStaff) => {
            matches!(
                action,
                ViewChildOverview
                    | ViewChildRecord
                    | ViewPep
                    | EditPepEducationSections
                    | EditChildViews
                    | SignOffPep
                    | MarkPartComplete
                    | MessageAboutChild
                    | RequestFunding
                    | ArrangeMeeting
            )
        }
        // The IRO reads the PEPs of the children they review.
        (Role::Iro, R::Allocated) => {
            matches!(action, ViewChildOverview | ViewChildRecord | ViewPep | MessageAboutChild)
        }
        // A team manager reads their team's caseloads.
        (Role::TeamManager, R::TeamManager) => {
            matches!(action, ViewChildOverview | ViewChildRecord | ViewPep)
        }
        // The careers adviser contributes the 14-19 plan (an education
        // page; the page-level check narrows it to that page).
        (Role::CareersAdviser, R::Allocated) => {
            matches!(action, ViewChildOverview | ViewPep | EditPepEducationSections)
        }
        // A carer with access: the child's PEP summary and the views.
        (Role::Carer, R::Carer) => matches!(
            action,
            ViewChildOverview | ViewPep | EditCarerViews | EditChildViews | MessageAboutChild
        ),
        // The young person: their own PEP and their own views.
        (Role::YoungPerson, R::Own) => matches!(
            action,
            ViewChildOverview | ViewPep | EditChildViews | MarkPartComplete | MessageAboutChild
        ),
        _ => false,
    }
}

/// The actions `role` may do in `relationship`, in [`Action::ALL`] order:
/// for showing only the links a person can follow.
pub fn allowed_actions(role: Role, relationship: Relationship) -> impl Iterator<Item = Action> {
    Action::ALL.into_iter().filter(move |&action| allowed(role, action, relationship))
}

/// Something a person does in an LA that concerns no one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthorityAction {
    /// Invite a person by email with a role in the LA.
    InvitePeople,
    /// Deactivate people and change their roles.
    ManagePeople,
    /// Unlock an account locked after failed sign-ins.
    UnlockAccounts,
    /// The people list.
    ViewPeople,
    /// Reports over the whole cohort (overdue PEPs, QA grades, funding).
    ViewAuthorityReports,
    /// Notices and guidance for everyone in the LA.
    PostNotices,
    /// The LA's settings: terms, deadlines, grades, schools.
    ManageSettings,
    /// Open a term's PEPs for every eligible child (delegation).
    DelegatePeps,
    /// Upload a new version of the LA's PEP template.
    ManageTemplates,
    /// Approve, part-approve or decline funding requests, or ask for more.
    DecideFunding,
    /// Record that approved funding has been paid.
    PayFunding,
    /// Work through the quality assurance queue and give PEPs to officers.
    QualityAssurePeps,
    /// Remind those responsible for a late PEP, now.
    ChasePeps,
    /// Import children, care episodes, schools and attendance from files.
    ImportData,
    /// Download a term's signed-off PEPs and the cohort's data in bulk.
    ExportData,
    /// Review the records kept past their retention date.
    ReviewRetention,
    /// Make and revoke the authority's API tokens.
    ManageApiTokens,
}

impl AuthorityAction {
    pub const ALL: [AuthorityAction; 17] = [
        AuthorityAction::InvitePeople,
        AuthorityAction::ManagePeople,
        AuthorityAction::UnlockAccounts,
        AuthorityAction::ViewPeople,
        AuthorityAction::ViewAuthorityReports,
        AuthorityAction::PostNotices,
        AuthorityAction::ManageSettings,
        AuthorityAction::DelegatePeps,
        AuthorityAction::ManageTemplates,
        AuthorityAction::DecideFunding,
        AuthorityAction::PayFunding,
        AuthorityAction::QualityAssurePeps,
        AuthorityAction::ChasePeps,
        AuthorityAction::ImportData,
        AuthorityAction::ExportData,
        AuthorityAction::ReviewRetention,
        AuthorityAction::ManageApiTokens,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuthorityAction::InvitePeople => "invite_people",
            AuthorityAction::ManagePeople => "manage_people",
            AuthorityAction::UnlockAccounts => "unlock_accounts",
            AuthorityAction::ViewPeople => "view_people",
            AuthorityAction::ViewAuthorityReports => "view_authority_reports",
            AuthorityAction::PostNotices => "post_notices",
            AuthorityAction::ManageSettings => "manage_settings",
            AuthorityAction::DelegatePeps => "delegate_peps",
            AuthorityAction::ManageTemplates => "manage_templates",
            AuthorityAction::DecideFunding => "decide_funding",
            AuthorityAction::PayFunding => "pay_funding",
            AuthorityAction::QualityAssurePeps => "quality_assure_peps",
            AuthorityAction::ChasePeps => "chase_peps",
            AuthorityAction::ImportData => "import_data",
            AuthorityAction::ExportData => "export_data",
            AuthorityAction::ReviewRetention => "review_retention",
            AuthorityAction::ManageApiTokens => "manage_api_tokens",
        }
    }

    pub fn from_code(code: &str) -> Option<AuthorityAction> {
        AuthorityAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

serde_via_code!(AuthorityAction, "authority action");

/// May a person with `role` in an LA do `action` there?
///
/// The VS administrator "manages the LA's settings, schools, users and
/// their access"; the head and officers invite people, see who is who, run
/// the cohort's reports and post notices, and an officer can unlock an
/// account for someone who calls. Nobody outside the Virtual School acts
/// for the authority.
pub fn may(role: Role, action: AuthorityAction) -> bool {
    use AuthorityAction::*;

    match role {
        Role::VsAdmin => matches!(
            action,
            InvitePeople
                | ManagePeople
                | UnlockAccounts
                | ViewPeople
                | ViewAuthorityReports
                | PostNotices
                | ManageSettings
                | DelegatePeps
                | ManageTemplates
                | PayFunding
                | ChasePeps
                | ImportData
                | ExportData
                | ReviewRetention
                | ManageApiTokens
        ),
        Role::VsOfficer => matches!(
            action,
            InvitePeople
                | UnlockAccounts
                | ViewPeople
                | ViewAuthorityReports
                | PostNotices
                | DelegatePeps
                | DecideFunding
                | QualityAssurePeps
                | ChasePeps
                | ExportData
        ),
        Role::VsHead => matches!(
            action,
            InvitePeople
                | ViewPeople
                | ViewAuthorityReports
                | PostNotices
                | DelegatePeps
                | DecideFunding
                | PayFunding
                | QualityAssurePeps
                | ChasePeps
                | ExportData
        ),
        Role::SocialWorker
        | Role::TeamManager
        | Role::DesignatedTeacher
        | Role::DesignatedProfessional
        | Role::Iro
        | Role::CareersAdviser
        | Role::Carer
        | Role::YoungPerson => false,
    }
}

#[cfg(test)]
mod relationship_tests {
    use super::*;

    #[test]
    fn facts_become_relationships() {
        use Relationship as R;
        assert_eq!(R::from_facts(Role::VsOfficer, true, false, false, false), R::SameAuthority);
        assert_eq!(R::from_facts(Role::VsOfficer, false, false, false, false), R::Unrelated);
        assert_eq!(R::from_facts(Role::SocialWorker, true, true, false, false), R::Allocated);
        assert_eq!(R::from_facts(Role::SocialWorker, true, false, true, false), R::Unrelated);
        assert_eq!(
            R::from_facts(Role::DesignatedTeacher, true, false, true, false),
            R::SchoolStaff
        );
        assert_eq!(R::from_facts(Role::DesignatedTeacher, true, true, true, false), R::Allocated);
        assert_eq!(R::from_facts(Role::DesignatedTeacher, false, true, true, false), R::Unrelated);
        assert_eq!(R::from_facts(Role::Carer, true, true, false, false), R::Carer);
        assert_eq!(R::from_facts(Role::YoungPerson, true, true, false, false), R::Own);
        assert_eq!(R::from_facts(Role::YoungPerson, true, false, false, false), R::Unrelated);
        assert_eq!(R::from_facts(Role::TeamManager, true, false, false, false), R::Unrelated);
        assert_eq!(R::from_facts(Role::TeamManager, true, false, false, true), R::TeamManager);
        assert_eq!(R::from_facts(Role::SocialWorker, true, false, false, true), R::Unrelated);
        for role in Role::ALL {
            for facts in 0..16u8 {
                let r = R::from_facts(
                    role,
                    facts & 1 == 1,
                    facts & 2 == 2,
                    facts & 4 == 4,
                    facts & 8 == 8,
                );
                assert!(r.possible_for(role), "{role:?} {r:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use Action::*;
    use Relationship::{
        Allocated, Carer as CarerOf, Own, SameAuthority, SchoolStaff, TeamManager as ManagesSw,
        Unrelated,
    };
    use Role::*;

    /// Every allowed (role, action, relationship), written out by hand.
    /// Anything not here must be refused.
    const EXPECTED: &[(Role, Action, Relationship)] = &[
        // VS head
        (VsHead, ViewChildOverview, SameAuthority),
        (VsHead, ViewChildRecord, SameAuthority),
        (VsHead, EditChildProfile, SameAuthority),
        (VsHead, ViewPep, SameAuthority),
        (VsHead, QualityAssurePep, SameAuthority),
        (VsHead, ManageAllocations, SameAuthority),
        (VsHead, GrantCarerAccess, SameAuthority),
        (VsHead, ViewChildAuditLog, SameAuthority),
        (VsHead, MessageAboutChild, SameAuthority),
        (VsHead, RequestFunding, SameAuthority),
        (VsHead, ArrangeMeeting, SameAuthority),
        // VS officer
        (VsOfficer, ViewChildOverview, SameAuthority),
        (VsOfficer, ViewChildRecord, SameAuthority),
        (VsOfficer, EditChildProfile, SameAuthority),
        (VsOfficer, ViewPep, SameAuthority),
        (VsOfficer, QualityAssurePep, SameAuthority),
        (VsOfficer, ManageAllocations, SameAuthority),
        (VsOfficer, GrantCarerAccess, SameAuthority),
        (VsOfficer, ViewChildAuditLog, SameAuthority),
        (VsOfficer, MessageAboutChild, SameAuthority),
        (VsOfficer, RequestFunding, SameAuthority),
        (VsOfficer, ArrangeMeeting, SameAuthority),
        // VS admin
        (VsAdmin, ViewChildOverview, SameAuthority),
        (VsAdmin, ViewChildRecord, SameAuthority),
        (VsAdmin, EditChildProfile, SameAuthority),
        (VsAdmin, ViewPep, SameAuthority),
        (VsAdmin, ManageAllocations, SameAuthority),
        (VsAdmin, GrantCarerAccess, SameAuthority),
        (VsAdmin, ViewChildAuditLog, SameAuthority),
        (VsAdmin, ExportChildRecords, SameAuthority),
        (VsAdmin, MessageAboutChild, SameAuthority),
        // Social worker
        (SocialWorker, ViewChildOverview, Allocated),
        (SocialWorker, ViewChildRecord, Allocated),
        (SocialWorker, ViewPep, Allocated),
        (SocialWorker, EditPepCareSections, Allocated),
        (SocialWorker, EditChildViews, Allocated),
        (SocialWorker, MarkPartComplete, Allocated),
        (SocialWorker, GrantCarerAccess, Allocated),
        (SocialWorker, MessageAboutChild, Allocated),
        (SocialWorker, ArrangeMeeting, Allocated),
        // Designated teacher, allocated
        (DesignatedTeacher, ViewChildOverview, Allocated),
        (DesignatedTeacher, ViewChildRecord, Allocated),
        (DesignatedTeacher, ViewPep, Allocated),
        (DesignatedTeacher, EditPepEducationSections, Allocated),
        (DesignatedTeacher, EditChildViews, Allocated),
        (DesignatedTeacher, SignOffPep, Allocated),
        (DesignatedTeacher, MarkPartComplete, Allocated),
        (DesignatedTeacher, MessageAboutChild, Allocated),
        (DesignatedTeacher, RequestFunding, Allocated),
        (DesignatedTeacher, ArrangeMeeting, Allocated),
        // Designated teacher at the child's school
        (DesignatedTeacher, ViewChildOverview, SchoolStaff),
        (DesignatedTeacher, ViewChildRecord, SchoolStaff),
        (DesignatedTeacher, ViewPep, SchoolStaff),
        (DesignatedTeacher, EditPepEducationSections, SchoolStaff),
        (DesignatedTeacher, EditChildViews, SchoolStaff),
        (DesignatedTeacher, SignOffPep, SchoolStaff),
        (DesignatedTeacher, MarkPartComplete, SchoolStaff),
        (DesignatedTeacher, MessageAboutChild, SchoolStaff),
        (DesignatedTeacher, RequestFunding, SchoolStaff),
        (DesignatedTeacher, ArrangeMeeting, SchoolStaff),
        // Designated professional, allocated
        (DesignatedProfessional, ViewChildOverview, Allocated),
        (DesignatedProfessional, ViewChildRecord, Allocated),
        (DesignatedProfessional, ViewPep, Allocated),
        (DesignatedProfessional, EditPepEducationSections, Allocated),
        (DesignatedProfessional, EditChildViews, Allocated),
        (DesignatedProfessional, SignOffPep, Allocated),
        (DesignatedProfessional, MarkPartComplete, Allocated),
        (DesignatedProfessional, MessageAboutChild, Allocated),
        (DesignatedProfessional, RequestFunding, Allocated),
        (DesignatedProfessional, ArrangeMeeting, Allocated),
        // Designated professional at the child's setting
        (DesignatedProfessional, ViewChildOverview, SchoolStaff),
        (DesignatedProfessional, ViewChildRecord, SchoolStaff),
        (DesignatedProfessional, ViewPep, SchoolStaff),
        (DesignatedProfessional, EditPepEducationSections, SchoolStaff),
        (DesignatedProfessional, EditChildViews, SchoolStaff),
        (DesignatedProfessional, SignOffPep, SchoolStaff),
        (DesignatedProfessional, MarkPartComplete, SchoolStaff),
        (DesignatedProfessional, MessageAboutChild, SchoolStaff),
        (DesignatedProfessional, RequestFunding, SchoolStaff),
        (DesignatedProfessional, ArrangeMeeting, SchoolStaff),
        // IRO
        (Iro, ViewChildOverview, Allocated),
        (Iro, ViewChildRecord, Allocated),
        (Iro, ViewPep, Allocated),
        (Iro, MessageAboutChild, Allocated),
        // Team manager
        (TeamManager, ViewChildOverview, ManagesSw),
        (TeamManager, ViewChildRecord, ManagesSw),
        (TeamManager, ViewPep, ManagesSw),
        // Careers adviser
        (CareersAdviser, ViewChildOverview, Allocated),
        (CareersAdviser, ViewPep, Allocated),
        (CareersAdviser, EditPepEducationSections, Allocated),
        // Carer
        (Carer, ViewChildOverview, CarerOf),
        (Carer, ViewPep, CarerOf),
        (Carer, EditChildViews, CarerOf),
        (Carer, EditCarerViews, CarerOf),
        (Carer, MessageAboutChild, CarerOf),
        // Young person
        (YoungPerson, ViewChildOverview, Own),
        (YoungPerson, ViewPep, Own),
        (YoungPerson, EditChildViews, Own),
        (YoungPerson, MarkPartComplete, Own),
        (YoungPerson, MessageAboutChild, Own),
    ];

    /// Every allowed (role, authority action), written out by hand.
    const EXPECTED_AUTHORITY: &[(Role, AuthorityAction)] = &[
        (VsHead, AuthorityAction::InvitePeople),
        (VsHead, AuthorityAction::ViewPeople),
        (VsHead, AuthorityAction::ViewAuthorityReports),
        (VsHead, AuthorityAction::PostNotices),
        (VsHead, AuthorityAction::DelegatePeps),
        (VsHead, AuthorityAction::DecideFunding),
        (VsHead, AuthorityAction::PayFunding),
        (VsHead, AuthorityAction::QualityAssurePeps),
        (VsHead, AuthorityAction::ChasePeps),
        (VsHead, AuthorityAction::ExportData),
        (VsOfficer, AuthorityAction::InvitePeople),
        (VsOfficer, AuthorityAction::UnlockAccounts),
        (VsOfficer, AuthorityAction::ViewPeople),
        (VsOfficer, AuthorityAction::ViewAuthorityReports),
        (VsOfficer, AuthorityAction::PostNotices),
        (VsOfficer, AuthorityAction::DelegatePeps),
        (VsOfficer, AuthorityAction::DecideFunding),
        (VsOfficer, AuthorityAction::QualityAssurePeps),
        (VsOfficer, AuthorityAction::ChasePeps),
        (VsOfficer, AuthorityAction::ExportData),
        (VsAdmin, AuthorityAction::InvitePeople),
        (VsAdmin, AuthorityAction::ManagePeople),
        (VsAdmin, AuthorityAction::UnlockAccounts),
        (VsAdmin, AuthorityAction::ViewPeople),
        (VsAdmin, AuthorityAction::ViewAuthorityReports),
        (VsAdmin, AuthorityAction::PostNotices),
        (VsAdmin, AuthorityAction::ManageSettings),
        (VsAdmin, AuthorityAction::DelegatePeps),
        (VsAdmin, AuthorityAction::ManageTemplates),
        (VsAdmin, AuthorityAction::PayFunding),
        (VsAdmin, AuthorityAction::ChasePeps),
        (VsAdmin, AuthorityAction::ImportData),
        (VsAdmin, AuthorityAction::ExportData),
        (VsAdmin, AuthorityAction::ReviewRetention),
        (VsAdmin, AuthorityAction::ManageApiTokens),
    ];

    #[test]
    fn every_cell_of_the_child_table_matches_the_expected_list() {
        let expected: HashSet<_> = EXPECTED.iter().copied().collect();
        assert_eq!(expected.len(), EXPECTED.len(), "duplicate rows");
        let mut checked = 0;
        let mut wrong = Vec::new();
        for role in Role::ALL {
            for action in Action::ALL {
                for relationship in Relationship::ALL {
                    let want = expected.contains(&(role, action, relationship));
                    if allowed(role, action, relationship) != want {
                        wrong.push(format!(
                            "{} {} {}: expected {}",
                            role.code(),
                            action.code(),
                            relationship.code(),
                            want
                        ));
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, Role::ALL.len() * Action::ALL.len() * Relationship::ALL.len());
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_cell_of_the_authority_table_matches_the_expected_list() {
        let expected: HashSet<_> = EXPECTED_AUTHORITY.iter().copied().collect();
        assert_eq!(expected.len(), EXPECTED_AUTHORITY.len(), "duplicate rows");
        for role in Role::ALL {
            for action in AuthorityAction::ALL {
                assert_eq!(
                    may(role, action),
                    expected.contains(&(role, action)),
                    "{} {}",
                    role.code(),
                    action.code()
                );
            }
        }
    }

    #[test]
    fn unrelated_is_never_allowed_anything() {
        for role in Role::ALL {
            assert_eq!(allowed_actions(role, Unrelated).count(), 0, "{role:?}");
        }
    }

    #[test]
    fn a_role_in_a_relationship_it_cannot_have_is_refused() {
        for role in Role::ALL {
            for relationship in Relationship::ALL {
                if !relationship.possible_for(role) {
                    assert_eq!(
                        allowed_actions(role, relationship).count(),
                        0,
                        "{role:?} {relationship:?}"
                    );
                }
            }
        }
        assert!(!allowed(Carer, ViewPep, SchoolStaff));
        assert!(!allowed(VsHead, ViewPep, Allocated));
        assert!(!allowed(SocialWorker, ViewPep, SameAuthority));
    }

    #[test]
    fn every_possible_pairing_but_unrelated_grants_at_least_a_view() {
        for relationship in Relationship::ALL {
            for &role in relationship.roles() {
                assert_eq!(
                    allowed(role, ViewChildOverview, relationship),
                    relationship != Unrelated,
                    "{role:?} {relationship:?}"
                );
            }
        }
    }

    #[test]
    fn a_carer_sees_only_the_child_they_were_granted() {
        for relationship in Relationship::ALL {
            let granted = relationship == CarerOf;
            for action in Action::ALL {
                if allowed(Carer, action, relationship) {
                    assert!(granted, "{action:?} {relationship:?}");
                }
            }
        }
        // Even for that child: not the care and health details, not the
        // professionals' sections, not the audit log.
        for action in [
            ViewChildRecord,
            EditChildProfile,
            EditPepEducationSections,
            EditPepCareSections,
            SignOffPep,
            ViewChildAuditLog,
            GrantCarerAccess,
        ] {
            assert!(!allowed(Carer, action, CarerOf), "{action:?}");
        }
    }

    #[test]
    fn a_young_person_reaches_only_their_own_record() {
        for relationship in Relationship::ALL {
            for action in Action::ALL {
                if allowed(YoungPerson, action, relationship) {
                    assert_eq!(relationship, Own, "{action:?}");
                }
            }
        }
        assert!(!allowed(YoungPerson, ViewChildRecord, Own));
        assert!(!allowed(YoungPerson, EditCarerViews, Own));
        assert!(!allowed(YoungPerson, SignOffPep, Own));
    }

    #[test]
    fn read_only_roles_change_nothing() {
        for (role, relationship) in [(Iro, Allocated), (TeamManager, ManagesSw)] {
            for action in allowed_actions(role, relationship) {
                assert!(action.is_view() || action == MessageAboutChild, "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn only_the_designated_teacher_or_professional_signs_off() {
        for role in Role::ALL {
            for relationship in Relationship::ALL {
                if allowed(role, SignOffPep, relationship) {
                    assert!(matches!(role, DesignatedTeacher | DesignatedProfessional));
                }
            }
        }
    }

    #[test]
    fn only_the_virtual_school_quality_assures_and_sees_the_audit_log() {
        for role in Role::ALL {
            for relationship in Relationship::ALL {
                for action in [QualityAssurePep, ManageAllocations, ViewChildAuditLog] {
                    if allowed(role, action, relationship) {
                        assert!(role.is_virtual_school(), "{role:?} {action:?}");
                        assert_eq!(relationship, SameAuthority);
                    }
                }
            }
        }
    }

    #[test]
    fn only_the_virtual_school_acts_for_the_authority() {
        for role in Role::ALL {
            for action in AuthorityAction::ALL {
                if may(role, action) {
                    assert!(role.is_virtual_school(), "{role:?} {action:?}");
                }
            }
        }
        assert!(may(VsAdmin, AuthorityAction::ManageSettings));
        assert!(!may(VsHead, AuthorityAction::ManageSettings));
        assert!(!may(VsOfficer, AuthorityAction::ManagePeople));
    }

    #[test]
    fn relationship_roles_match_the_table() {
        for relationship in Relationship::ALL {
            for role in Role::ALL {
                assert_eq!(relationship.possible_for(role), relationship.roles().contains(&role));
            }
        }
        // Every role has a relationship that grants something.
        for role in Role::ALL {
            assert!(
                Relationship::ALL.into_iter().any(|r| r != Unrelated && r.possible_for(role)),
                "{role:?}"
            );
        }
    }

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let codes: HashSet<_> = Action::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), Action::ALL.len());
        for action in Action::ALL {
            assert_eq!(Action::from_code(action.code()), Some(action));
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(serde_json::from_str::<Action>(&json).unwrap(), action);
        }
        let codes: HashSet<_> = Relationship::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), Relationship::ALL.len());
        for relationship in Relationship::ALL {
            assert_eq!(Relationship::from_code(relationship.code()), Some(relationship));
        }
        let codes: HashSet<_> = AuthorityAction::ALL.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), AuthorityAction::ALL.len());
        for action in AuthorityAction::ALL {
            assert_eq!(AuthorityAction::from_code(action.code()), Some(action));
        }
        assert_eq!(Action::from_code("ViewPep"), None);
        assert_eq!(serde_json::to_string(&SignOffPep).unwrap(), "\"sign_off_pep\"");
    }
}
