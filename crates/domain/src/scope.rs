//! Which children a member of staff may see.

use uuid::Uuid;

use crate::role::Role;

/// The children a signed-in user may list: every child of the LA, or only
/// those on their caseload (the children they currently work with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildScope {
    Authority { la_id: Uuid },
    Caseload { la_id: Uuid, user_id: Uuid },
}

impl ChildScope {
    pub fn for_member(la_id: Uuid, user_id: Uuid, role: Role) -> ChildScope {
        if role.sees_whole_authority() {
            ChildScope::Authority { la_id }
        } else {
            ChildScope::Caseload { la_id, user_id }
        }
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
        let (la, user) = (Uuid::from_u128(1), Uuid::from_u128(2));
        for role in Role::ALL {
            let scope = ChildScope::for_member(la, user, role);
            assert_eq!(scope.la_id(), la);
            if role.sees_whole_authority() {
                assert_eq!(scope, ChildScope::Authority { la_id: la });
                assert_eq!(scope.caseload_of(), None);
            } else {
                assert_eq!(
                    scope,
                    ChildScope::Caseload {
                        la_id: la,
                        user_id: user
                    }
                );
                assert_eq!(scope.caseload_of(), Some(user));
            }
        }
    }
}
