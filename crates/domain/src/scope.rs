//! Which children a signed-in person may see, in the membership (role in an
//! authority) they are acting in.

use uuid::Uuid;

use crate::role::Role;

/// Every child of the authority, or only those on the person's caseload in
/// the role they act in: the children allocated to them in that role and,
/// for a designated teacher or professional, the children currently placed
/// at their school. Another role the same person holds grants nothing here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildScope {
    Authority { la_id: Uuid },
    Caseload { la_id: Uuid, user_id: Uuid, role: Role, school_id: Option<Uuid> },
}

impl ChildScope {
    pub fn for_member(
        la_id: Uuid,
        user_id: Uuid,
        role: Role,
        school_id: Option<Uuid>,
    ) -> ChildScope {
        if role.sees_whole_authority() {
            return ChildScope::Authority { la_id };
        }
        let school_id = school_id.filter(|_| role.works_at_a_school());
        ChildScope::Caseload { la_id, user_id, role, school_id }
    }

    pub fn la_id(&self) -> Uuid {
        match *self {
            ChildScope::Authority { la_id } | ChildScope::Caseload { la_id, .. } => la_id,
        }
    }

    /// The user whose caseload limits the scope, if any.
    pub fn caseload_of(&self) -> Option<Uuid> {
        match *self {
            ChildScope::Authority { .. } => None,
            ChildScope::Caseload { user_id, .. } => Some(user_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_school_sees_the_authority_others_their_caseload() {
        let (la, user, school) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        for role in Role::ALL {
            let scope = ChildScope::for_member(la, user, role, Some(school));
            assert_eq!(scope.la_id(), la);
            if role.sees_whole_authority() {
                assert_eq!(scope, ChildScope::Authority { la_id: la });
                assert_eq!(scope.caseload_of(), None);
            } else {
                let school_id = role.works_at_a_school().then_some(school);
                assert_eq!(
                    scope,
                    ChildScope::Caseload { la_id: la, user_id: user, role, school_id }
                );
                assert_eq!(scope.caseload_of(), Some(user));
            }
        }
    }

    #[test]
    fn only_school_staff_keep_their_school() {
        let scope =
            ChildScope::for_member(Uuid::nil(), Uuid::nil(), Role::SocialWorker, Some(Uuid::nil()));
        assert!(matches!(scope, ChildScope::Caseload { school_id: None, .. }));
        let scope = ChildScope::for_member(
            Uuid::nil(),
            Uuid::nil(),
            Role::DesignatedProfessional,
            Some(Uuid::nil()),
        );
        assert!(matches!(scope, ChildScope::Caseload { school_id: Some(_), .. }));
    }
}
