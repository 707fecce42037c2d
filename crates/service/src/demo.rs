//! The demo authority: a believable, entirely invented local authority with
//! its schools, people and children, made deterministically from a seed so
//! that every demo (and every benchmark) shows the same data.

mod history;
mod leavers;
mod meetings;
mod messages;
mod names;
mod pages;
mod quality;
mod targets;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use openpep_domain::pages::{DocumentKind, Fields};
use openpep_domain::settings::AuthoritySettings;
use openpep_domain::sign_off::Part;
use openpep_domain::targets::form::term_ends;
use openpep_domain::template::{
    ChildFacts, Page as TemplatePage, PageKind, PepTemplate, QuestionKind,
};
use openpep_domain::{AcademicYear, NcYear, PepStatus, Phase, Role, Term, Uln, Upn};
use openpep_store::audit::{self, AuditEvent};
use openpep_store::authorities::{self, LocalAuthority};
use openpep_store::bulk::Bulk;
use openpep_store::children::{self, Child};
use openpep_store::documents::{self, Document};
use openpep_store::pep_pages::{self, PageWrite};
use openpep_store::peps::{self, Pep};
use openpep_store::placements::{self, CareEpisode, ChildWorker, SchoolPlacement};
use openpep_store::schools::{self, School};
use openpep_store::users::{self, Membership, User};
use openpep_store::{Json, Tx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use uuid::Uuid;

use crate::pep_creation::due_within_timescale;
use crate::pep_templates::ensure_template;
use crate::{ServiceError, Services, auth, pep_editing};

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

#[derive(Debug, Clone, Copy)]
pub struct DemoOptions {
    pub seed: u64,
    pub authorities: u32,
    /// Children in all, shared among the authorities (the first ones take
    /// one more when they do not share evenly).
    pub children: u32,
    /// Academic years of earlier PEPs, before last term's (0: none).
    pub years: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { seed: 2026, authorities: 1, children: 300, years: 0 }
    }
}

/// One account to show on the console.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub email: String,
    pub name: String,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub authorities: Vec<String>,
    /// Children in care.
    pub children: u32,
    /// Children who left care in the earlier years (none without them).
    pub leavers: u32,
    /// Every PEP made, earlier years' included.
    pub peps: u64,
    /// Rows written in bulk (the earlier years).
    pub bulk_rows: u64,
    pub schools: u32,
    pub users: u32,
    /// The first authority's accounts, one or two of each role.
    pub accounts: Vec<DemoAccount>,
}

/// Ids that are valid UUIDv7 yet depend only on the seed.
struct Ids {
    rng: StdRng,
    millis: u64,
}

impl Ids {
    fn next(&mut self) -> Uuid {
        self.millis += 1;
        let random: [u8; 10] = self.rng.random();
        uuid::Builder::from_unix_timestamp_millis(self.millis, &random).into_uuid()
    }
}

struct Generator {
    rng: StdRng,
    ids: Ids,
    now: DateTime<Utc>,
    today: NaiveDate,
    year: AcademicYear,
    password_hash: String,
    urn: i32,
    users: u32,
    schools: u32,
    /// The authority's PEP template (its id and pages).
    template: Option<(Uuid, std::sync::Arc<PepTemplate>)>,
    /// The default settings, whose term dates give the PEP deadlines.
    settings: AuthoritySettings,
    /// Whether the first social worker has a child at the listed DT's school.
    shared_child_placed: bool,
    /// And a second, whose meeting has taken place and awaits its
    /// confirmation, record and sign-off (the browser journey's whole cycle).
    cycle_child_placed: bool,
    /// Where the support plans the demo uploads go.
    files: std::sync::Arc<dyn crate::files::FileStore>,
    /// Academic years of earlier PEPs to make (`DemoOptions::years`).
    years: u32,
    /// The earlier years' rows, waiting to be written.
    bulk: Bulk,
    peps: u64,
}

struct AuthoritySchools {
    early_years: Vec<School>,
    primary: Vec<School>,
    secondary: Vec<School>,
    special: Vec<School>,
    college: Vec<School>,
}

impl AuthoritySchools {
    fn all(&self) -> impl Iterator<Item = &School> {
        self.early_years
            .iter()
            .chain(&self.primary)
            .chain(&self.secondary)
            .chain(&self.special)
            .chain(&self.college)
    }
}

struct People {
    social_workers: Vec<User>,
    iros: Vec<User>,
    carer: User,
    young_person: User,
    /// A Virtual School officer, who decides funding requests.
    officer: Uuid,
    /// The Virtual School's administrator, who records payments.
    admin: Uuid,
    /// The designated teacher or professional of each school, by school id.
    school_staff: Vec<(Uuid, User)>,
}

impl Services {
    /// Whether any authority exists yet (the demo is made only once).
    pub async fn has_data(&self) -> Result<bool, ServiceError> {
        Ok(authorities::count(&self.db).await? > 0)
    }

    pub async fn generate_demo(&self, options: DemoOptions) -> Result<DemoSummary, ServiceError> {
        let now = self.clock.now();
        let password_hash = auth::hash_password(DEMO_PASSWORD)?;
        let mut rng = StdRng::seed_from_u64(options.seed);
        let ids = Ids { rng: StdRng::seed_from_u64(rng.random()), millis: 1_700_000_000_000 };
        let today = self.clock.today();
        let mut generator = Generator {
            rng,
            ids,
            now,
            today,
            year: AcademicYear::containing(today),
            password_hash,
            urn: 990_000,
            users: 0,
            schools: 0,
            template: None,
            settings: AuthoritySettings::default(),
            files: self.files.clone(),
            shared_child_placed: false,
            cycle_child_placed: false,
            years: options.years,
            bulk: Bulk::new(),
            peps: 0,
        };
        let mut summary = DemoSummary {
            authorities: Vec::new(),
            children: 0,
            leavers: 0,
            peps: 0,
            bulk_rows: 0,
            schools: 0,
            users: 0,
            accounts: Vec::new(),
        };
        let authorities = options.authorities.max(1);
        for index in 0..authorities {
            let children =
                options.children / authorities + u32::from(index < options.children % authorities);
            let mut tx = self.db.begin().await?;
            let (la, accounts) = generator.authority(&mut tx, index, children).await?;
            tx.commit().await?;
            self.send_last_digests(la.id).await?;
            if index == 0 {
                summary.accounts = accounts;
            }
            summary.authorities.push(la.name);
            summary.children += children;
            summary.leavers += leavers::count(children, options.years);
        }
        summary.peps = generator.peps;
        summary.bulk_rows = generator.bulk.written();
        summary.schools = generator.schools;
        summary.users = generator.users;
        Ok(summary)
    }
}

impl Generator {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        pick(&mut self.rng, items)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        date_between(&mut self.rng, from, to)
    }

    async fn authority(
        &mut self,
        tx: &mut Tx,
        index: u32,
        children: u32,
    ) -> Result<(LocalAuthority, Vec<DemoAccount>), ServiceError> {
        let place = names::AUTHORITIES[index as usize % names::AUTHORITIES.len()];
        let round = index as usize / names::AUTHORITIES.len();
        let name = if round == 0 {
            format!("{place} Council")
        } else {
            format!("{place} {} Council", round + 1)
        };
        let code = format!("{:03}", 990 - index % 990);
        let la = LocalAuthority { id: self.ids.next(), code, name, created_at: self.now };
        authorities::insert(tx, &la).await?;
        let (template_id, template) = ensure_template(tx, la.id, self.now).await?;
        // Shared, not copied, by each of the authority's PEPs.
        self.template = Some((template_id, std::sync::Arc::new(template)));
        let schools = self.schools(tx, &la).await?;
        let (people, accounts) = self.people(tx, &la, &schools).await?;
        for n in 0..children {
            self.child(tx, &la, &schools, &people, n).await?;
            self.bulk.flush_if_full(tx).await?;
        }
        // Those who left care in the earlier years keep their PEPs.
        for n in 0..leavers::count(children, self.years) {
            self.leaver(tx, &la, &schools, &people, n).await?;
            self.bulk.flush_if_full(tx).await?;
        }
        self.bulk.flush(tx).await?;
        audit::record(
            tx,
            &AuditEvent {
                id: self.ids.next(),
                la_id: Some(la.id),
                actor_user_id: None,
                action: "demo.generated".into(),
                entity_type: "local_authority".into(),
                entity_id: Some(la.id),
                child_id: None,
                details: Json(json!({ "children": children })),
                request_id: None,
                occurred_at: self.now,
            },
        )
        .await?;
        Ok((la, accounts))
    }

    async fn school(
        &mut self,
        tx: &mut Tx,
        la_code: &str,
        name: String,
        phase: &str,
        establishment_type: &str,
    ) -> Result<School, ServiceError> {
        self.urn += 1;
        self.schools += 1;
        let ofsted = *self.pick(&["Outstanding", "Good", "Good", "Good", "Requires improvement"]);
        let school = School {
            id: self.ids.next(),
            urn: self.urn,
            laestab: Some(format!("{la_code}{:04}", 2000 + self.urn % 5000)),
            name,
            phase: phase.into(),
            establishment_type: establishment_type.into(),
            la_code: la_code.into(),
            postcode: Some(format!("ZZ{} {}AA", self.urn % 90 + 1, self.urn % 9 + 1)),
            ofsted_rating: Some(ofsted.into()),
            ofsted_inspected_on: Some(self.date_between(
                self.today - TimeDelta::days(365 * 4),
                self.today - TimeDelta::days(30),
            )),
            is_open: true,
            created_at: self.now,
            updated_at: self.now,
        };
        schools::insert(tx, &school).await?;
        Ok(school)
    }

    async fn schools(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
    ) -> Result<AuthoritySchools, ServiceError> {
        let neighbour = format!("{:03}", la.code.parse::<u32>().unwrap_or(990) % 900 + 50);
        let mut places =
            names::PLACES.iter().cycle().skip(self.rng.random_range(0..names::PLACES.len()));
        let mut next_place = || places.next().copied().unwrap_or("Greenway");
        let mut s = AuthoritySchools {
            early_years: Vec::new(),
            primary: Vec::new(),
            secondary: Vec::new(),
            special: Vec::new(),
            college: Vec::new(),
        };
        for i in 0..2 {
            let name = format!("{} Nursery and Children's Centre", next_place());
            let kind = if i == 0 { "Local authority nursery school" } else { "Private nursery" };
            s.early_years.push(self.school(tx, &la.code, name, "Nursery", kind).await?);
        }
        for i in 0..10 {
            let code = if i < 8 { la.code.clone() } else { neighbour.clone() };
            let kind =
                *self.pick(&["Community school", "Academy converter", "Voluntary aided school"]);
            let name = format!("{} Primary School", next_place());
            s.primary.push(self.school(tx, &code, name, "Primary", kind).await?);
        }
        for i in 0..5 {
            let code = if i < 3 { la.code.clone() } else { neighbour.clone() };
            let name = if i % 2 == 0 {
                format!("{} Academy", next_place())
            } else {
                format!("{} High School", next_place())
            };
            s.secondary
                .push(self.school(tx, &code, name, "Secondary", "Academy sponsor led").await?);
        }
        for i in 0..2 {
            let code = if i == 0 { la.code.clone() } else { neighbour.clone() };
            let name = format!("{} School", next_place());
            s.special.push(
                self.school(tx, &code, name, "All-through", "Community special school").await?,
            );
        }
        let name = format!("{} College", next_place());
        s.college.push(self.school(tx, &la.code, name, "16 plus", "Further education").await?);
        Ok(s)
    }

    async fn user(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
        role: Role,
        email: String,
        school: Option<&School>,
    ) -> Result<User, ServiceError> {
        let display_name =
            format!("{} {}", self.pick(names::ADULT_FORENAMES), self.pick(names::SURNAMES));
        let user = User {
            id: self.ids.next(),
            email,
            display_name,
            password_hash: Some(self.password_hash.clone()),
            email_verified_at: Some(self.now),
            is_active: true,
            last_signed_in_at: None,
            created_at: self.now,
            updated_at: self.now,
            totp_secret: None,
            totp_last_step: None,
            last_membership_id: None,
        };
        users::insert(tx, &user).await?;
        let membership = Membership {
            id: self.ids.next(),
            user_id: user.id,
            la_id: la.id,
            role: role.code().into(),
            school_id: school.map(|s| s.id),
            created_at: self.now,
            ended_at: None,
        };
        users::insert_membership(tx, &membership).await?;
        self.users += 1;
        Ok(user)
    }

    /// Makes `count` people in one role, named `<prefix><n>@domain` (or
    /// `<prefix>@domain` for one), and lists the first as a demo account.
    #[allow(clippy::too_many_arguments)]
    async fn staff(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
        role: Role,
        prefix: &str,
        count: u32,
        note: &str,
        accounts: &mut Vec<DemoAccount>,
    ) -> Result<Vec<User>, ServiceError> {
        let domain = format!("{}.example", slug(&la.name));
        let mut people = Vec::new();
        for n in 1..=count {
            let email = if count == 1 {
                format!("{prefix}@{domain}")
            } else {
                format!("{prefix}{n}@{domain}")
            };
            people.push(self.user(tx, la, role, email, None).await?);
        }
        if let Some(first) = people.first() {
            accounts.push(demo_account(role, first, note));
        }
        Ok(people)
    }

    async fn people(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
        schools: &AuthoritySchools,
    ) -> Result<(People, Vec<DemoAccount>), ServiceError> {
        let whole_la = "sees every child in the authority";
        let mut accounts = Vec::new();
        let a = &mut accounts;
        self.staff(tx, la, Role::VsHead, "vs.head", 1, whole_la, a).await?;
        let officers = self.staff(tx, la, Role::VsOfficer, "vs.officer", 3, whole_la, a).await?;
        let admin = self
            .staff(tx, la, Role::VsAdmin, "vs.admin", 1, "manages schools, users and settings", a)
            .await?;
        let manager = self
            .staff(tx, la, Role::TeamManager, "team.manager", 1, "sees their team's caseloads", a)
            .await?;
        let social_workers =
            self.staff(tx, la, Role::SocialWorker, "sw", 8, "sees their own caseload", a).await?;
        // The team manager oversees the first four social workers.
        if let Some(manager) = manager.first() {
            for sw in social_workers.iter().take(4) {
                openpep_store::teams::add(tx, la.id, manager.id, sw.id, self.now).await?;
            }
        }
        let iros = self.staff(tx, la, Role::Iro, "iro", 2, "the children they review", a).await?;
        self.staff(tx, la, Role::CareersAdviser, "careers", 1, "", a).await?;
        let carer = self.staff(tx, la, Role::Carer, "carer", 1, "one child", a).await?;
        let young_person =
            self.staff(tx, la, Role::YoungPerson, "young.person", 1, "their own record", a).await?;

        // A designated teacher (or, at the college, professional) per school;
        // the demo lists one secondary DT and the DP.
        let domain = format!("{}.example", slug(&la.name));
        let mut school_staff = Vec::new();
        let mut shown_dt = false;
        for school in schools.all() {
            let (role, prefix) = staff_role(school);
            let email = format!("{prefix}.{}@{domain}", slug(&school.name));
            let user = self.user(tx, la, role, email, Some(school)).await?;
            let shown =
                role == Role::DesignatedProfessional || (!shown_dt && school.phase == "Secondary");
            if shown {
                accounts.push(demo_account(role, &user, &format!("children at {}", school.name)));
                shown_dt |= role == Role::DesignatedTeacher;
            }
            school_staff.push((school.id, user));
        }
        let first = |mut people: Vec<User>| {
            people.pop().ok_or_else(|| ServiceError::Internal("no user".into()))
        };
        let people = People {
            social_workers,
            iros,
            carer: first(carer)?,
            young_person: first(young_person)?,
            officer: first(officers)?.id,
            admin: first(admin)?.id,
            school_staff,
        };
        Ok((people, accounts))
    }

    fn upn(&mut self, la_code: &str) -> Option<String> {
        let body: String =
            (0..9).map(|_| char::from(b'0' + self.rng.random_range(0..10u8))).collect();
        // The check letter is whichever of the 23 makes the UPN valid.
        "ABCDEFGHJKLMNPQRTUVWXYZ"
            .chars()
            .map(|check| format!("{check}{la_code}{body}"))
            .find(|candidate| Upn::parse(candidate).is_ok())
    }

    fn uln(&mut self) -> Option<String> {
        let body = self.rng.random_range(100_000_000u32..1_000_000_000);
        (0..10).map(|check| format!("{body}{check}")).find(|c| Uln::parse(c).is_ok())
    }

    async fn child(
        &mut self,
        tx: &mut Tx,
        la: &LocalAuthority,
        schools: &AuthoritySchools,
        people: &People,
        n: u32,
    ) -> Result<(), ServiceError> {
        let today = self.today;
        let date_of_birth = self.date_between(
            today - TimeDelta::days(365 * 18 + 100),
            today - TimeDelta::days(365 * 2 + 30),
        );
        let nc = NcYear::for_child(date_of_birth, self.year);
        let female = self.chance(0.45);
        let forename = if female {
            *self.pick(names::GIRL_FORENAMES)
        } else {
            *self.pick(names::BOY_FORENAMES)
        };
        let age_years = (today - date_of_birth).num_days() / 365;
        let entered_care_on = self.date_between(
            (today - TimeDelta::days(365 * age_years.min(9)))
                .max(date_of_birth + TimeDelta::days(1)),
            today - TimeDelta::days(20),
        );
        let legal_status =
            *self.pick(&["C2", "C2", "C2", "C2", "C2", "C2", "V2", "V2", "C1", "E1"]);
        let (upn, upn_unknown_reason) = if nc.value() < 0 {
            (None, Some("UN1".to_string()))
        } else if self.chance(0.02) {
            (None, Some("UN4".to_string()))
        } else {
            (self.upn(&la.code), None)
        };
        let vs_priority = match self.rng.random_range(0..10) {
            0 => Some("red".to_string()),
            1 | 2 => Some("amber".to_string()),
            _ => None,
        };
        let id = self.ids.next();
        // From the id, not the random stream, like the carers below.
        let sen_provision = match id.as_u128() % 100 {
            0..=11 => Some("K".to_string()),
            12..=15 => Some("E".to_string()),
            _ => None,
        };
        let mut child = Child {
            id,
            la_id: la.id,
            forename: forename.into(),
            surname: (*self.pick(names::SURNAMES)).into(),
            preferred_name: None,
            date_of_birth,
            gender: if female { "female" } else { "male" }.into(),
            ethnicity: Some((*self.pick(names::ETHNICITIES)).into()),
            sen_provision,
            upn,
            upn_unknown_reason,
            uln: if nc.value() >= 12 { self.uln() } else { None },
            legal_status: Some(legal_status.into()),
            entered_care_on: Some(entered_care_on),
            left_care_on: None,
            vs_priority,
            la_child_id: Some(format!("C{}", 100_001 + n)),
            version: 1,
            created_at: self.now,
            updated_at: self.now,
        };
        children::insert(tx, &child).await?;

        let placement_type = *self.pick(&["U1", "U4", "U4", "U4", "U5", "U6", "K2", "R1", "P1"]);
        // Carers' names and towns come from the child's id, not the random
        // stream, so that adding them left every other choice as it was.
        let key = child.id.as_u128() as usize;
        let (provider, carer): (String, Option<String>) = match placement_type {
            "K2" => ("Children's home".to_string(), None),
            "R1" => ("Residential care home".to_string(), None),
            "P1" => ("Placed with parents".to_string(), None),
            _ => {
                let surname = self.pick(names::SURNAMES);
                let forename = names::ADULT_FORENAMES[key % names::ADULT_FORENAMES.len()];
                (format!("{surname} family (foster carers)"), Some(format!("{forename} {surname}")))
            }
        };
        let lives_in_la = self.chance(0.75);
        let lives_in = if lives_in_la {
            names::PLACES[(key / 7) % names::PLACES.len()].to_string()
        } else {
            let others: Vec<_> =
                names::AUTHORITIES.iter().filter(|a| !la.name.starts_with(**a)).collect();
            format!("{} area", others[(key / 11) % others.len()])
        };
        placements::insert_care_episode(
            tx,
            &CareEpisode {
                id: self.ids.next(),
                la_id: la.id,
                child_id: child.id,
                started_on: entered_care_on,
                ended_on: None,
                legal_status: legal_status.into(),
                placement_type: placement_type.into(),
                placement_provider: Some(provider),
                carer_name: carer.clone(),
                lives_in: Some(lives_in),
                lives_in_la,
                reason_new: None,
                reason_ended: None,
                placement_urn: None,
                created_at: self.now,
            },
        )
        .await?;

        let worker = |user: &User, role: Role, from: NaiveDate, ids: &mut Ids, now| ChildWorker {
            id: ids.next(),
            la_id: la.id,
            child_id: child.id,
            user_id: user.id,
            role: role.code().into(),
            started_on: from,
            ended_on: None,
            created_at: now,
        };
        let sw = &people.social_workers[n as usize % people.social_workers.len()];
        placements::insert_child_worker(
            tx,
            &worker(sw, Role::SocialWorker, entered_care_on, &mut self.ids, self.now),
        )
        .await?;
        if n.is_multiple_of(2) {
            let iro = &people.iros[(n as usize / 2) % people.iros.len()];
            placements::insert_child_worker(
                tx,
                &worker(iro, Role::Iro, entered_care_on, &mut self.ids, self.now),
            )
            .await?;
        }

        let mut school_id = None;
        let mut special = false;
        let mut place = self.school_for(nc, schools);
        let mut shared = false;
        let mut cycle = false;
        // The first social worker's first secondary pupil goes to the school
        // whose designated teacher the demo lists, so that the two demo
        // accounts share a child (the browser journeys rely on it). The
        // draw above is still made: nothing else moves.
        let first_sw = (n as usize).is_multiple_of(people.social_workers.len());
        if first_sw
            && !self.shared_child_placed
            && place.is_some_and(|s| s.phase == "Secondary" && !schools.special.contains(s))
        {
            place = schools.secondary.first();
            self.shared_child_placed = true;
            shared = true;
        } else if first_sw
            && self.shared_child_placed
            && !self.cycle_child_placed
            && place.is_some_and(|s| s.phase == "Secondary" && !schools.special.contains(s))
        {
            place = schools.secondary.first();
            self.cycle_child_placed = true;
            cycle = true;
        }
        if let Some(school) = place {
            school_id = Some(school.id);
            special = schools.special.iter().any(|s| s.id == school.id);
            if special && child.sen_provision.as_deref() != Some("E") {
                // Children at special schools have an EHC plan.
                child.sen_provision = Some("E".to_string());
                children::set_sen_provision(tx, la.id, child.id, Some("E"), self.now).await?;
            }
            let phase_start =
                self.year.start() - TimeDelta::days(365 * i64::from(self.rng.random_range(0..3u8)));
            let started_on = phase_start.max(entered_care_on.min(self.year.start()));
            if self.chance(0.2) && started_on > date_of_birth + TimeDelta::days(365 * 4) {
                let previous = self.school_for(nc, schools).unwrap_or(school);
                let prev_start = (started_on - TimeDelta::days(400))
                    .max(date_of_birth + TimeDelta::days(365 * 4));
                placements::insert_school_placement(
                    tx,
                    &SchoolPlacement {
                        id: self.ids.next(),
                        la_id: la.id,
                        child_id: child.id,
                        school_id: previous.id,
                        started_on: prev_start,
                        ended_on: Some(started_on),
                        reason_ended: Some("Change of care placement".into()),
                        created_at: self.now,
                    },
                )
                .await?;
            }
            placements::insert_school_placement(
                tx,
                &SchoolPlacement {
                    id: self.ids.next(),
                    la_id: la.id,
                    child_id: child.id,
                    school_id: school.id,
                    started_on,
                    ended_on: None,
                    reason_ended: None,
                    created_at: self.now,
                },
            )
            .await?;
            if let Some((_, staff)) = people.school_staff.iter().find(|(id, _)| *id == school.id) {
                let (role, _) = staff_role(school);
                placements::insert_child_worker(
                    tx,
                    &worker(staff, role, started_on, &mut self.ids, self.now),
                )
                .await?;
            }
        }
        // The carer's and the young person's accounts each reach one child.
        if n == 0 {
            placements::insert_child_worker(
                tx,
                &worker(&people.carer, Role::Carer, entered_care_on, &mut self.ids, self.now),
            )
            .await?;
        }
        if n == 1 {
            placements::insert_child_worker(
                tx,
                &worker(
                    &people.young_person,
                    Role::YoungPerson,
                    entered_care_on,
                    &mut self.ids,
                    self.now,
                ),
            )
            .await?;
        }
        let teacher_user = school_id
            .and_then(|id| people.school_staff.iter().find(|(s, _)| *s == id))
            .map(|(_, staff)| staff);
        let teacher = teacher_user.map(|staff| staff.id);
        let mut invitees =
            vec![(sw.id, sw.display_name.clone(), sw.email.clone(), "social_worker")];
        if let Some(t) = teacher_user {
            let who = (t.id, t.display_name.clone(), t.email.clone(), "designated_teacher");
            invitees.push(who);
        }
        let school_name =
            school_id.and_then(|id| schools.all().find(|s| s.id == id)).map(|s| s.name.clone());
        let author = Author {
            school_id,
            social_worker: sw.id,
            teacher,
            special,
            school_name,
            carer,
            shared,
            cycle,
            officer: people.officer,
            admin: people.admin,
            invitees,
        };
        let until = self.peps(tx, &child, entered_care_on, &author).await?;
        if self.years > 0 {
            self.peps += self.history(&child, entered_care_on, &author, until);
        }
        if let (true, Some(teacher)) = (cycle, teacher) {
            let circle = messages::Circle {
                la_id: la.id,
                child_id: child.id,
                social_worker: sw.id,
                teacher,
                officer: people.officer,
            };
            messages::conversation(tx, &mut self.ids, &circle, self.now).await?;
        }
        Ok(())
    }

    fn school_for<'a>(&mut self, nc: NcYear, s: &'a AuthoritySchools) -> Option<&'a School> {
        school_for(&mut self.rng, nc, s)
    }

    async fn peps(
        &mut self,
        tx: &mut Tx,
        child: &Child,
        entered_care_on: NaiveDate,
        author: &Author,
    ) -> Result<(AcademicYear, Term), ServiceError> {
        let term = Term::containing(self.today);
        let (prev_year, prev_term) = match term {
            Term::Autumn => (self.year.previous(), Term::Summer),
            Term::Spring => (self.year, Term::Autumn),
            Term::Summer => (self.year, Term::Spring),
        };
        let prev_due = deadline(&self.settings, prev_year, prev_term);
        let mut earlier = Vec::new();
        if entered_care_on < prev_due - TimeDelta::days(40) {
            let status =
                if self.chance(0.8) { PepStatus::QualityAssured } else { PepStatus::SignedOff };
            // The shared child's last PEP waits for quality assurance: the
            // browser journey grades it.
            let status = if author.shared { PepStatus::SignedOff } else { status };
            let signed = prev_due - TimeDelta::days(self.rng.random_range(1..20));
            let trigger = peps::termly_trigger(prev_year.0, prev_term.code());
            let pep = DemoPep {
                year: prev_year,
                term: prev_term,
                reason: "termly",
                trigger,
                status,
                due_on: prev_due,
                signed_on: Some(signed),
                current: false,
            };
            earlier = self.pep(tx, child, &pep, author, &[]).await?;
            self.peps += 1;
        }
        let (reason, due, trigger) = if entered_care_on > self.today - TimeDelta::days(60) {
            let due = due_within_timescale(&self.settings, entered_care_on);
            ("initial", due, format!("initial:{entered_care_on}"))
        } else {
            // Two draws that once made placement-change PEPs for children
            // who had not moved; still drawn, so every other invented
            // detail stays as it was. A real move makes one (`change_school`).
            if self.chance(0.04) {
                self.rng.random_range(1..15i64);
            }
            let due = deadline(&self.settings, self.year, term);
            ("termly", due, peps::termly_trigger(self.year.0, term.code()))
        };
        let status = match self.rng.random_range(0..20) {
            0..=5 => PepStatus::Draft,
            6..=12 => PepStatus::InProgress,
            13..=15 => PepStatus::MeetingHeld,
            16..=17 => PepStatus::AwaitingSignOff,
            _ => PepStatus::SignedOff,
        };
        // The cycle child's meeting has taken place: confirming it is the
        // browser journey's first step.
        let status = match (author.shared, author.cycle) {
            (true, _) | (_, true) => PepStatus::InProgress,
            _ => status,
        };
        let signed = status.is_complete().then(|| self.today - TimeDelta::days(2));
        let pep = DemoPep {
            year: self.year,
            term,
            reason,
            trigger,
            status,
            due_on: due,
            signed_on: signed,
            current: true,
        };
        self.pep(tx, child, &pep, author, &earlier).await?;
        self.peps += 1;
        Ok((prev_year, prev_term))
    }

    /// A PEP past its meeting has its next meeting agreed (about a term
    /// on, at the same time); a signed-off one, who signed it.
    fn signed(&self, mut pep: Pep, p: &DemoPep, author: &Author) -> Pep {
        if matches!(p.status, PepStatus::AwaitingSignOff) || p.status.is_complete() {
            pep.next_meeting_at = pep.meeting_at.map(|at| at + TimeDelta::days(91));
        }
        if p.status.is_complete() {
            pep.signed_off_by = author.teacher;
        }
        pep
    }

    /// Each part marked by its writer once the PEP awaits sign-off; the
    /// PDF of this term's signed-off PEPs queued for the worker.
    async fn mark_parts(
        &mut self,
        tx: &mut Tx,
        pep: &Pep,
        p: &DemoPep,
        author: &Author,
    ) -> Result<(), ServiceError> {
        if !(matches!(p.status, PepStatus::AwaitingSignOff) || p.status.is_complete()) {
            return Ok(());
        }
        let at = pep.meeting_at.map_or(self.now, |m| m + TimeDelta::days(1));
        let school = author.teacher.unwrap_or(author.social_worker);
        for (part, by) in [(Part::SocialWorker, author.social_worker), (Part::School, school)] {
            openpep_store::sign_off::mark(tx, pep.la_id, pep.id, part.code(), by, at).await?;
        }
        if p.current && p.status.is_complete() {
            openpep_store::archives::queue(
                tx,
                (pep.la_id, pep.child_id, pep.id),
                "signed_off",
                self.now,
            )
            .await?;
        }
        Ok(())
    }

    async fn pep(
        &mut self,
        tx: &mut Tx,
        child: &Child,
        p: &DemoPep,
        author: &Author,
        previous: &[targets::Written],
    ) -> Result<Vec<targets::Written>, ServiceError> {
        let meeting_at = match p.status {
            PepStatus::InProgress if author.cycle && p.current => {
                self.today.and_hms_opt(10, 0, 0).map(|t| t.and_utc() - TimeDelta::days(3))
            }
            PepStatus::Draft | PepStatus::InProgress => None,
            _ => p
                .signed_on
                .unwrap_or(self.today)
                .and_hms_opt(10, 0, 0)
                .map(|t| t.and_utc() - TimeDelta::days(3)),
        };
        let Some((template_id, template)) = self.template.clone() else {
            return Err(ServiceError::Internal("demo authority has no template".into()));
        };
        let pep = Pep {
            id: self.ids.next(),
            la_id: child.la_id,
            child_id: child.id,
            academic_year: p.year.0,
            term: p.term.code().into(),
            reason: p.reason.into(),
            status: p.status.code().into(),
            due_on: p.due_on,
            meeting_at,
            signed_off_at: p.signed_on.and_then(|d| d.and_hms_opt(16, 0, 0)).map(|t| t.and_utc()),
            version: 1,
            created_at: self.now,
            updated_at: self.now,
            trigger_key: Some(p.trigger.clone()),
            template_id: Some(template_id),
            school_id: author.school_id,
            next_meeting_at: None,
            signed_off_by: None,
        };
        let pep = self.signed(pep, p, author);
        peps::create(tx, &pep).await?;
        self.mark_parts(tx, &pep, p, author).await?;
        // Pages: all of a finished PEP, some of one under way, none of a draft.
        let share = match p.status {
            PepStatus::Draft => 0.0,
            PepStatus::InProgress => 0.4,
            PepStatus::MeetingHeld | PepStatus::AwaitingSignOff => 0.8,
            _ => 1.0,
        };
        let nc = NcYear::for_child(child.date_of_birth, p.year);
        let facts = ChildFacts {
            special_school: author.special,
            sen: matches!(child.sen_provision.as_deref(), Some("K" | "E")),
            ..ChildFacts::in_year(nc)
        };
        let term = self.settings.term_dates(p.year, p.term).ok().copied();
        let term_start = term.map_or(p.year.start(), |t| t.starts_on);
        let last_day = term.map_or(p.due_on, |t| t.ends_on).min(p.due_on);
        let sample = pages::Sample {
            nc,
            special: author.special,
            sen: child.sen_provision.as_deref(),
            initial: p.reason == "initial",
            term_start,
            figures_to: last_day.min(self.today - TimeDelta::days(3)).max(term_start),
            school: author.school_name.as_deref(),
            carer: author.carer.as_deref(),
            // The cycle child's record is the browser journey's to write.
            held: share >= 0.8 && !(author.cycle && p.current),
            people: author
                .invitees
                .iter()
                .map(|(_, name, _, role)| (name.clone(), *role))
                .collect(),
        };
        // The pages draw from the PEP's own stream: the template can
        // change without moving the rest of the demo.
        let mut rng = StdRng::seed_from_u64(pep.id.as_u128() as u64);
        let mut written: Vec<(PageKind, Fields)> = Vec::new();
        for (_, _, page) in template.pages() {
            if !page.applies_to(&facts) || !rng.random_bool(share) {
                continue;
            }
            if page.kind == PageKind::Sen {
                self.upload_plan(tx, child, pep.id, author).await?;
            }
            let (answers, fields) = self.page_answers(&mut rng, page, &sample, p);
            if let Some(fields) = fields {
                written.push((page.kind, fields));
            }
            let completed = share >= 1.0 || rng.random_bool(0.6);
            // The targets page is complete once the meeting agreed them.
            let completed = match page.kind {
                PageKind::Targets => share >= 0.8,
                _ => completed,
            };
            let write = PageWrite {
                la_id: child.la_id,
                pep_id: pep.id,
                page_key: &page.key,
                expected_version: 0,
                status: if completed { "completed" } else { "in_progress" },
                answers: &answers,
                by: author.of(page),
                now: self.now,
            };
            pep_pages::save(tx, &write, self.ids.next()).await?;
        }
        if p.status == PepStatus::QualityAssured
            && let Some(signed_at) = pep.signed_off_at
        {
            let rag = written
                .iter()
                .find(|(kind, _)| *kind == PageKind::Attainment)
                .and_then(|(_, fields)| openpep_domain::pages::attainment::overall(fields))
                .filter(|_| p.reason != "initial");
            quality::grade(tx, &mut rng, &pep, author.officer, rag, signed_at).await?;
        }
        if p.current && p.status == PepStatus::InProgress && !author.shared && !author.cycle {
            meetings::arrange(tx, &pep, author, self.today, self.now, self.ids.millis).await?;
        }
        if p.current && author.cycle {
            meetings::held(tx, &pep, author, self.now, self.ids.millis).await?;
        }
        let has_targets = template
            .pages()
            .any(|(_, _, page)| page.kind == PageKind::Targets && page.applies_to(&facts));
        if !has_targets || author.shared && p.current {
            // The shared child's targets are the browser journey's to write.
            return Ok(Vec::new());
        }
        let written_fields = |kind| written.iter().find(|(k, _)| *k == kind).map(|(_, f)| f);
        let prompts = openpep_domain::pages::prompts(openpep_domain::pages::PromptSources {
            attendance: written_fields(PageKind::Attendance),
            sdq: written_fields(PageKind::Sdq),
            attainment: written_fields(PageKind::Attainment),
            sdq_threshold: self.settings.sdq_threshold,
        });
        let settings = &self.settings;
        let plan = targets::Plan {
            child,
            pep: &pep,
            status: p.status,
            phase: nc.phase(),
            prompts,
            term_ends: term_ends(p.year, p.term, |y, t| {
                settings.term_dates(y, t).ok().map(|d| d.ends_on)
            }),
            previous,
            current: p.current,
            hands: targets::Hands {
                writer: author.teacher.unwrap_or(author.social_worker),
                officer: author.officer,
                admin: author.admin,
            },
            now: self.now,
        };
        targets::write(tx, &plan, self.ids.millis).await
    }

    /// A page's answers as the demo writes them: a typed page's sample as
    /// its form would check it (and those fields), else notes.
    fn page_answers(
        &self,
        rng: &mut StdRng,
        page: &TemplatePage,
        sample: &pages::Sample<'_>,
        p: &DemoPep,
    ) -> (serde_json::Value, Option<Fields>) {
        match pages::sample(rng, page.kind, sample) {
            Some(fields) => {
                let ctx = self.page_context(page, sample, p);
                let fields = match openpep_domain::pages::check(page.kind, &fields, &ctx, false) {
                    Some(Ok(checked)) => checked,
                    _ => fields,
                };
                (pep_editing::to_value(fields.clone()), Some(fields))
            }
            None => (sample_answers(rng, page), None),
        }
    }

    fn page_context(
        &self,
        page: &TemplatePage,
        s: &pages::Sample<'_>,
        p: &DemoPep,
    ) -> openpep_domain::pages::PageContext {
        openpep_domain::pages::PageContext {
            nc_year: s.nc,
            special_school: s.special,
            initial: s.initial,
            academic_year: p.year,
            term: p.term,
            term_dates: self.settings.term_dates(p.year, p.term).ok().copied(),
            today: self.today,
            sdq_threshold: self.settings.sdq_threshold,
            previous: None,
            earlier_this_year: Vec::new(),
            add_entry: None,
            questions: page.questions.clone(),
            school_history: Vec::new(),
            documents: Vec::new(),
        }
    }

    /// The child's SEN support plan or EHC plan, as a small PDF.
    async fn upload_plan(
        &mut self,
        tx: &mut Tx,
        child: &Child,
        pep_id: Uuid,
        author: &Author,
    ) -> Result<(), ServiceError> {
        let (kind, title) = match child.sen_provision.as_deref() {
            Some("E") => (DocumentKind::EhcPlan, "Education, health and care plan"),
            _ => (DocumentKind::SupportPlan, "SEN support plan"),
        };
        let id = self.ids.next();
        let bytes = pages::plan_pdf(title);
        let storage_key = format!("{}/{id}", child.la_id);
        self.files
            .put(&storage_key, &bytes)
            .await
            .map_err(|e| ServiceError::Internal(format!("storing a demo document: {e}")))?;
        let document = Document {
            id,
            la_id: child.la_id,
            child_id: child.id,
            pep_id: Some(pep_id),
            kind: kind.code().to_owned(),
            title: title.to_owned(),
            file_name: format!("{}.pdf", title.to_lowercase().replace([' ', ','], "-")),
            content_type: "application/pdf".to_owned(),
            size_bytes: bytes.len() as i64,
            sha256: crate::sessions::sha256_hex(&bytes),
            storage_key,
            uploaded_by: author.teacher.unwrap_or(author.social_worker),
            uploaded_at: self.now,
        };
        documents::insert(tx, &document).await?;
        Ok(())
    }
}

/// A PEP the demo creates.
struct DemoPep {
    year: AcademicYear,
    term: Term,
    reason: &'static str,
    trigger: String,
    status: PepStatus,
    due_on: NaiveDate,
    signed_on: Option<NaiveDate>,
    /// This term's PEP, not last term's.
    current: bool,
}

/// Who the demo's PEP pages are written for and by.
struct Author {
    school_id: Option<Uuid>,
    social_worker: Uuid,
    /// The school's designated teacher or professional, if it has one.
    teacher: Option<Uuid>,
    special: bool,
    school_name: Option<String>,
    /// The foster carer's name, if the child lives with one.
    carer: Option<String>,
    /// The child the listed social worker and designated teacher share:
    /// their PEP this term is under way, for the browser journeys.
    shared: bool,
    /// Their second child: the meeting held this term, not yet recorded.
    cycle: bool,
    officer: Uuid,
    admin: Uuid,
    /// Who a meeting invites: (user, name, e-mail, `InviteeRole` code).
    invitees: Vec<(Uuid, String, String, &'static str)>,
}

impl Author {
    /// Who saved the page: the school's teacher for the pages the school
    /// owns, otherwise the social worker.
    fn of(&self, page: &TemplatePage) -> Uuid {
        let school_page =
            page.owned_by(Role::DesignatedTeacher) && !page.owned_by(Role::SocialWorker);
        match self.teacher {
            Some(teacher) if school_page => teacher,
            _ => self.social_worker,
        }
    }
}

/// Believable answers to a page's questions (the pages without forms of
/// their own: a note).
fn sample_answers(rng: &mut StdRng, page: &TemplatePage) -> serde_json::Value {
    const SENTENCES: &[&str] = &[
        "Settled well this term and enjoys practical subjects.",
        "Reading has improved; keep daily reading at home with the carer.",
        "Attendance is good. Some anxiety before tests, which the key adult helps with.",
        "Would like more help with maths homework; a weekly tutor session is in place.",
        "Gets on well with friends at lunchtime club and has joined the choir.",
        "The carer and school speak every Friday to share how the week went.",
    ];
    // Notes that fit the typed pages (as many as SENTENCES: one draw each).
    const NOTES: &[(&str, [&str; 6])] = &[
        (
            "personal_details",
            [
                "Prefers to be called by a shortened name at school.",
                "Speaks English at home; no interpreter needed.",
                "Enjoys football and drawing; proud of a recent art certificate.",
                "Has a younger brother in the same placement.",
                "Likes to be told about changes to the day in advance.",
                "Details checked with the carer at the last visit.",
            ],
        ),
        (
            "care_information",
            [
                "Long-term foster placement; settled and stable.",
                "Family time with mum every other Saturday, supervised.",
                "The carer holds delegated authority for school trips.",
                "Placement reviewed at the last looked-after review; no change.",
                "New placement this term; settling in well.",
                "Contact arrangements unchanged since the last PEP.",
            ],
        ),
        (
            "school_information",
            [
                "Good relationships with staff; settled in class.",
                "Key adult is a teaching assistant the child trusts.",
                "Travels to school with the carer; about 15 minutes.",
                "School has a nurture group the child attends on Tuesdays.",
                "Designated teacher meets the child every half term.",
                "No change of school planned.",
            ],
        ),
        (
            "previous_schools",
            [
                "Attended a school in another authority before coming into care.",
                "One earlier move of school, with a change of placement.",
                "Attended a local nursery before starting school.",
                "No previous schools: has attended this school throughout.",
                "Records from the previous school received and checked.",
                "Transferred mid-year after a placement move; transition went smoothly.",
            ],
        ),
    ];
    let notes = NOTES.iter().find(|(key, _)| *key == page.key).map(|(_, n)| n);
    let mut answers = serde_json::Map::new();
    let questions = match page.kind {
        PageKind::FreeText => page.questions.clone(),
        _ => vec![pep_editing::notes_question(page)],
    };
    for q in questions {
        let value = match &q.kind {
            QuestionKind::Text => "Agreed at the meeting".to_owned(),
            QuestionKind::LongText => {
                let i = rng.random_range(0..SENTENCES.len());
                notes.map_or(SENTENCES[i], |n| n[i]).to_owned()
            }
            QuestionKind::YesNo => if rng.random_bool(0.7) { "yes" } else { "no" }.to_owned(),
            QuestionKind::Date => "2026-09-03".to_owned(),
            QuestionKind::Number => rng.random_range(1..10).to_string(),
            QuestionKind::Scale => rng.random_range(3..6).to_string(),
            QuestionKind::Choice(options) => {
                options.get(rng.random_range(0..options.len().max(1))).cloned().unwrap_or_default()
            }
        };
        answers.insert(q.key.clone(), serde_json::Value::String(value));
    }
    serde_json::Value::Object(answers)
}

/// A school or setting for a child in year group `nc`, now and then none.
fn school_for<'a>(rng: &mut StdRng, nc: NcYear, s: &'a AuthoritySchools) -> Option<&'a School> {
    if rng.random_bool(0.02) {
        return None; // no school place: the alert the VS must act on
    }
    let list = match nc.phase() {
        _ if nc.value() >= 1 && nc.value() <= 13 && rng.random_bool(0.08) => &s.special,
        Phase::EarlyYears if nc.value() == 0 => &s.primary,
        Phase::EarlyYears => &s.early_years,
        Phase::Primary => &s.primary,
        Phase::Secondary => &s.secondary,
        Phase::Post16 => &s.college,
    };
    (!list.is_empty()).then(|| pick(rng, list))
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A day from `from` to `to`, both included (`from` if they are the wrong
/// way round).
fn date_between(rng: &mut StdRng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let days = (to - from).num_days().max(0);
    from + TimeDelta::days(rng.random_range(0..=days))
}

fn demo_account(role: Role, user: &User, note: &str) -> DemoAccount {
    DemoAccount {
        role,
        email: user.email.clone(),
        name: user.display_name.clone(),
        note: note.into(),
    }
}

/// The role (and e-mail prefix) of a school's link person.
fn staff_role(school: &School) -> (Role, &'static str) {
    if school.phase == "16 plus" {
        (Role::DesignatedProfessional, "dp")
    } else {
        (Role::DesignatedTeacher, "dt")
    }
}

/// The PEP deadline for a term by the default settings' term dates.
fn deadline(settings: &AuthoritySettings, year: AcademicYear, term: Term) -> NaiveDate {
    if let Some(due) = settings.pep_deadline(year, term) {
        return due;
    }
    let (y, m, d) = match term {
        Term::Autumn => (year.0, 12, 11),
        Term::Spring => (year.0 + 1, 3, 20),
        Term::Summer => (year.0 + 1, 7, 10),
    };
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| year.end())
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if word.eq_ignore_ascii_case("council") {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn slugs_are_email_safe() {
        assert_eq!(slug("Northmere Council"), "northmere");
        assert_eq!(slug("St Anne's C of E Primary School"), "st-anne-s-c-of-e-primary-school");
    }

    #[test]
    fn deadlines_fall_in_their_term() {
        let settings = AuthoritySettings::default();
        let year = AcademicYear(2026);
        // The default settings' dates, and the fallback past them.
        assert_eq!(
            deadline(&settings, year, Term::Autumn),
            NaiveDate::from_ymd_opt(2026, 12, 17).unwrap()
        );
        assert_eq!(deadline(&settings, year, Term::Summer).year(), 2027);
        assert_eq!(
            deadline(&settings, AcademicYear(2040), Term::Spring),
            NaiveDate::from_ymd_opt(2041, 3, 20).unwrap()
        );
    }
}
