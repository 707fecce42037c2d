//! Children who left care during the earlier years, for the national-scale
//! data set. The children in care today are those who came into care at
//! believable dates, so fewer of them were in care each term further back;
//! the leavers fill those terms, as they did, so that about as many
//! children were in care each term as are today. Each leaver's episode,
//! school place and allocations end on the day they left; their PEPs are
//! earlier PEPs (`history`). Their draws come from their own stream, so the
//! children in care are as they would be without them.

use chrono::TimeDelta;
use openpep_domain::{AcademicYear, NcYear, Role, Term};
use openpep_store::Tx;
use openpep_store::authorities::LocalAuthority;
use openpep_store::children::{self, Child};
use openpep_store::placements::{self, CareEpisode, ChildWorker, SchoolPlacement};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{
    Author, AuthoritySchools, Generator, Ids, People, date_between, names, pick, school_for,
    staff_role,
};
use crate::ServiceError;

/// How many of an authority's `children` in care left care in `years`:
/// a fifth as many again each year keeps each term's count near today's.
pub(super) fn count(children: u32, years: u32) -> u32 {
    children * years / 5
}

/// Why an episode ended (SSDA903's REC): those who turned 18, then others.
const AGED_OUT: &[&str] = &["E5", "E17", "E8"];
const LEFT_YOUNGER: &[&str] = &["E4A", "E4A", "E4A", "E11", "E45", "E41", "E13", "E8"];

impl Generator {
    /// The `n`th child of the authority who left care.
    pub(super) async fn leaver(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
        schools: &AuthoritySchools,
        people: &People,
        n: u32,
    ) -> Result<(), ServiceError> {
        let seed = la.id.as_u128() as u64 ^ (u64::from(n) << 20) ^ 0x6c65_6176;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids = Ids { rng: StdRng::seed_from_u64(seed ^ 0x6964), millis: self.ids.millis };
        let first = AcademicYear(self.year.0 - self.years as i32).start();
        let left_on = date_between(&mut rng, first, self.today - TimeDelta::days(14));
        let aged_out = rng.random_bool(0.35);
        let date_of_birth = if aged_out {
            left_on - TimeDelta::days(6575) // their 18th birthday, near enough
        } else {
            left_on - TimeDelta::days(rng.random_range(3 * 365..18 * 365))
        };
        let entered_care_on = date_between(
            &mut rng,
            (date_of_birth + TimeDelta::days(1)).max(left_on - TimeDelta::days(6 * 365)),
            left_on - TimeDelta::days(60),
        );
        let female = rng.random_bool(0.45);
        let forenames = if female { names::GIRL_FORENAMES } else { names::BOY_FORENAMES };
        let legal_status = *pick(&mut rng, &["C2", "C2", "C2", "C2", "V2", "V2", "C1", "E1"]);
        let reason_ended = *pick(&mut rng, if aged_out { AGED_OUT } else { LEFT_YOUNGER });
        let child = Child {
            id: ids.next(),
            la_id: la.id,
            forename: pick(&mut rng, forenames).to_string(),
            surname: pick(&mut rng, names::SURNAMES).to_string(),
            preferred_name: None,
            date_of_birth,
            gender: if female { "female" } else { "male" }.into(),
            ethnicity: Some(pick(&mut rng, names::ETHNICITIES).to_string()),
            sen_provision: rng.random_bool(0.15).then(|| "K".to_string()),
            // Not recorded: a random one could take a UPN already held.
            upn: None,
            upn_unknown_reason: None,
            uln: None,
            legal_status: Some(legal_status.into()),
            entered_care_on: Some(entered_care_on),
            left_care_on: Some(left_on),
            vs_priority: None,
            la_child_id: Some(format!("L{}", 100_001 + n)),
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        };
        children::insert(tx, &child).await?;
        placements::insert_care_episode(
            tx,
            &CareEpisode {
                id: ids.next(),
                la_id: la.id,
                child_id: child.id,
                started_on: entered_care_on,
                ended_on: Some(left_on),
                legal_status: legal_status.into(),
                placement_type: pick(&mut rng, &["U4", "U4", "U5", "U6", "K2", "P1"]).to_string(),
                placement_provider: None,
                carer_name: None,
                lives_in: None,
                lives_in_la: rng.random_bool(0.75),
                reason_new: Some("S".into()),
                reason_ended: Some(reason_ended.into()),
                placement_urn: None,
                created_at: self.now,
            },
        )
        .await?;

        let sw = &people.social_workers[rng.random_range(0..people.social_workers.len())];
        let worker = |user_id, role: Role, started_on, ids: &mut Ids| ChildWorker {
            id: ids.next(),
            la_id: la.id,
            child_id: child.id,
            user_id,
            role: role.code().into(),
            started_on,
            ended_on: Some(left_on),
            created_at: self.now,
        };
        let allocation = worker(sw.id, Role::SocialWorker, entered_care_on, &mut ids);
        placements::insert_child_worker(tx, &allocation).await?;

        // The school they were at when they left, since they came into care.
        let nc = NcYear::for_child(date_of_birth, AcademicYear::containing(left_on));
        let school = school_for(&mut rng, nc, schools);
        let mut teacher = None;
        if let Some(school) = school {
            let started_on = entered_care_on.max(left_on - TimeDelta::days(3 * 365));
            placements::insert_school_placement(
                tx,
                &SchoolPlacement {
                    id: ids.next(),
                    la_id: la.id,
                    child_id: child.id,
                    school_id: school.id,
                    started_on,
                    ended_on: Some(left_on),
                    reason_ended: Some("Left care".into()),
                    created_at: self.now,
                },
            )
            .await?;
            if let Some((_, staff)) = people.school_staff.iter().find(|(id, _)| *id == school.id) {
                let (role, _) = staff_role(school);
                placements::insert_child_worker(tx, &worker(staff.id, role, started_on, &mut ids))
                    .await?;
                teacher = Some(staff.id);
            }
        }
        let author = Author {
            school_id: school.map(|s| s.id),
            social_worker: sw.id,
            teacher,
            special: school.is_some_and(|s| schools.special.iter().any(|x| x.id == s.id)),
            school_name: school.map(|s| s.name.clone()),
            carer: None,
            shared: false,
            cycle: false,
            officer: people.officer,
            admin: people.admin,
            invitees: Vec::new(),
        };
        let until = (AcademicYear(self.year.0 + 1), Term::Autumn);
        self.peps += self.history(&child, entered_care_on, &author, until);
        Ok(())
    }
}
