//! Chasing late PEPs: once a day, at the authority's cadence, each social
//! worker and designated teacher responsible for a PEP that is overdue or
//! due soon gets one digest e-mail (never one a child); every run and
//! digest is kept for the dashboard.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use openpep_domain::chasing::{Chase, chase};
use openpep_domain::{AuthorityAction, PepStatus, Role};
use openpep_store::audit::AuditEvent;
use openpep_store::reminders::{self, ChasedRow, NewRun, RunRow};
use openpep_store::{Json, audit, peps};
use serde_json::json;
use uuid::Uuid;

use crate::mail::messages;
use crate::pep_editing::pep_path;
use crate::{Actor, ServiceError, Services};

/// A person's counts in one digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Digest {
    email: String,
    overdue: usize,
    due_soon: usize,
}

/// Each responsible person's digest, from the PEPs chased on `today`.
fn digests(rows: &[ChasedRow], today: chrono::NaiveDate, days: u32) -> BTreeMap<Uuid, Digest> {
    let mut out: BTreeMap<Uuid, Digest> = BTreeMap::new();
    let mut counted = std::collections::HashSet::new();
    for row in rows {
        let status = PepStatus::from_code(&row.status).unwrap_or(PepStatus::Draft);
        let Some(state) = chase(status, row.due_on, today, days) else { continue };
        // One person may hold two roles for a child: each PEP counts once.
        if !counted.insert((row.user_id, row.pep_id)) {
            continue;
        }
        let digest = out.entry(row.user_id).or_default();
        digest.email = row.email.clone();
        match state {
            Chase::Overdue(_) => digest.overdue += 1,
            Chase::DueSoon(_) => digest.due_soon += 1,
        }
    }
    out
}

impl Services {
    /// The nightly job: each authority whose cadence sends today, once.
    /// How many digests were queued.
    pub async fn send_pep_reminders(&self) -> Result<usize, ServiceError> {
        let today = self.clock.today();
        let mut sent = 0;
        for la_id in openpep_store::authorities::ids(&self.db).await? {
            let (settings, _) = self.authority_settings(la_id).await?;
            if settings.reminder_cadence.sends_on(today) {
                let run = nightly_run(la_id, today, self.clock.now());
                sent += self.send_digests(run, settings.reminder_days_before).await?;
            }
        }
        Ok(sent)
    }

    /// The digests the nightly job sent on the authority's last reminder
    /// day before today, so a new demo's mailbox shows one.
    pub(crate) async fn send_last_digests(&self, la_id: Uuid) -> Result<usize, ServiceError> {
        let today = self.clock.today();
        let (settings, _) = self.authority_settings(la_id).await?;
        let Some(day) = (1..=14)
            .map(|back| today - chrono::TimeDelta::days(back))
            .find(|day| settings.reminder_cadence.sends_on(*day))
        else {
            return Ok(0);
        };
        let at = day.and_hms_opt(6, 0, 0).unwrap_or_default().and_utc();
        self.send_digests(nightly_run(la_id, day, at), settings.reminder_days_before).await
    }

    /// The nightly digests: each links to the person's learners, soonest
    /// due first. How many were queued (none when the run was made).
    async fn send_digests(&self, run: NewRun, days: u32) -> Result<usize, ServiceError> {
        let link = format!("{}/learners?sort=due", self.public_url);
        Ok(self.remind(run, days, &link).await?.unwrap_or(0))
    }

    /// One run for the authority: a digest to each person responsible
    /// (`None`: the run was already made today).
    async fn remind(
        &self,
        run: NewRun,
        days: u32,
        link: &str,
    ) -> Result<Option<usize>, ServiceError> {
        let today = run.run_on;
        let until = today + chrono::TimeDelta::days(i64::from(days));
        let mut tx = self.db.begin().await?;
        // The run's row first: a second node, a second pass today or a
        // second click finds it and sends nothing.
        let Some(run_id) = reminders::start_run(&mut tx, run).await? else {
            return Ok(None);
        };
        let rows = reminders::chased(&mut tx, run.la_id, (today, until), run.pep_id).await?;
        let digests = digests(&rows, today, days);
        let mut peps = std::collections::HashSet::new();
        peps.extend(rows.iter().map(|r| r.pep_id));
        for (user_id, d) in &digests {
            let content = messages::pep_reminder(d.overdue, d.due_soon, days, link);
            crate::auth::queue_mail(&mut tx, Some(run.la_id), &d.email, content, run.at).await?;
            let (overdue, due_soon) = (d.overdue as i64, d.due_soon as i64);
            reminders::record_sent(
                &mut tx,
                (run.la_id, run_id, *user_id),
                overdue,
                due_soon,
                run.at,
            )
            .await?;
        }
        if digests.is_empty() && run.pep_id.is_some() {
            // Nobody to chase: keep no run, so the button can be tried again.
            return Ok(Some(0));
        }
        let people = digests.len() as i64;
        reminders::finish_run(&mut tx, run_id, people, peps.len() as i64).await?;
        let child_id = match run.pep_id {
            Some(pep) => rows.iter().find(|r| r.pep_id == pep).map(|r| r.child_id),
            None => None,
        };
        let event = AuditEvent {
            id: Uuid::now_v7(),
            la_id: Some(run.la_id),
            actor_user_id: run.by,
            action: "reminders.sent".into(),
            entity_type: "reminder_run".into(),
            entity_id: Some(run_id),
            child_id,
            details: Json(json!({ "kind": run.kind, "people": people, "peps": peps.len() })),
            request_id: None,
            occurred_at: run.at,
        };
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(digests.len()))
    }

    /// The Virtual School chases one PEP now: its social worker and
    /// designated teacher each get a reminder, at most once a day.
    pub async fn remind_about(
        &self,
        actor: &Actor,
        pep_id: Uuid,
    ) -> Result<Reminded, ServiceError> {
        self.authorise(actor, AuthorityAction::ChasePeps)?;
        let pep = peps::get(&self.db, actor.la_id, pep_id).await?;
        let status = PepStatus::from_code(&pep.status).unwrap_or(PepStatus::Draft);
        let today = self.clock.today();
        // The same window as the digest, so the reminder reads the same.
        let (settings, _) = self.authority_settings(actor.la_id).await?;
        let days = settings.reminder_days_before;
        if chase(status, pep.due_on, today, days).is_none() {
            return Ok(Reminded::NotLate);
        }
        let run = NewRun {
            la_id: actor.la_id,
            run_on: today,
            kind: "by_hand",
            pep_id: Some(pep_id),
            by: Some(actor.user_id),
            at: self.clock.now(),
        };
        let link = format!("{}{}", self.public_url, pep_path(pep.child_id, pep.id));
        Ok(match self.remind(run, days, &link).await? {
            None => Reminded::AlreadyToday,
            Some(0) => Reminded::NobodyResponsible,
            Some(people) => {
                // The dashboard the chase was sent from lists reminders sent.
                self.dashboards.forget_authority(actor.la_id);
                Reminded::Sent(people)
            }
        })
    }

    /// For the overdue list: who is responsible for each open PEP due by
    /// today, and when the Virtual School last chased it by hand.
    pub async fn chasing(&self, actor: &Actor) -> Result<Chasing, ServiceError> {
        self.authorise(actor, AuthorityAction::ViewAuthorityReports)?;
        let last_reminded =
            reminders::last_reminded(&self.db, actor.la_id).await?.into_iter().collect();
        Ok(Chasing {
            responsible: self.responsible_names(actor.la_id, self.clock.today()).await?,
            last_reminded,
            runs: reminders::runs(&self.db, actor.la_id, 10).await?,
            may_chase: openpep_domain::may(actor.role, AuthorityAction::ChasePeps),
        })
    }

    /// "Name (social worker); Name (designated teacher)" for each of the
    /// authority's open PEPs past its deadline.
    pub(crate) async fn responsible_names(
        &self,
        la_id: Uuid,
        today: NaiveDate,
    ) -> Result<HashMap<Uuid, String>, ServiceError> {
        let rows = reminders::responsible(&self.db, la_id, today, today).await?;
        let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
        for row in rows {
            let role = Role::from_code(&row.role).map_or("", Role::label).to_lowercase();
            let who = format!("{} ({role})", row.display_name);
            let people = out.entry(row.pep_id).or_default();
            if !people.contains(&who) {
                people.push(who);
            }
        }
        Ok(out.into_iter().map(|(k, v)| (k, v.join("; "))).collect())
    }
}

/// The nightly job's run for `day`.
fn nightly_run(la_id: Uuid, day: NaiveDate, at: DateTime<Utc>) -> NewRun {
    NewRun { la_id, run_on: day, kind: "schedule", pep_id: None, by: None, at }
}

/// What came of chasing a PEP by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminded {
    /// How many people were reminded.
    Sent(usize),
    AlreadyToday,
    /// No social worker or designated teacher who can sign in.
    NobodyResponsible,
    /// Complete, or not yet overdue or due soon: nothing to chase.
    NotLate,
}

/// The overdue list's chasing: who to chase and what was sent.
#[derive(Debug, Clone, Default)]
pub struct Chasing {
    /// Who is responsible for each late PEP, in words.
    pub responsible: HashMap<Uuid, String>,
    pub last_reminded: HashMap<Uuid, DateTime<Utc>>,
    pub runs: Vec<RunRow>,
    pub may_chase: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(pep: u128, user: u128, status: &str, due: u32) -> ChasedRow {
        ChasedRow {
            pep_id: Uuid::from_u128(pep),
            status: status.into(),
            due_on: NaiveDate::from_ymd_opt(2026, 11, due).unwrap(),
            user_id: Uuid::from_u128(user),
            email: format!("person{user}@example.org"),
            display_name: format!("Person {user}"),
            child_id: Uuid::from_u128(pep + 100),
            role: "social_worker".into(),
        }
    }

    #[test]
    fn one_digest_a_person_counting_each_pep_once() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let rows = [
            row(1, 7, "in_progress", 20),
            row(1, 7, "in_progress", 20),
            row(2, 7, "draft", 30),
            row(2, 8, "draft", 30),
            row(3, 8, "signed_off", 1),
        ];
        let d = digests(&rows, today, 10);
        assert_eq!(d.len(), 2);
        let first = &d[&Uuid::from_u128(7)];
        assert_eq!((first.overdue, first.due_soon), (1, 1));
        let second = &d[&Uuid::from_u128(8)];
        assert_eq!((second.overdue, second.due_soon), (0, 1));
    }
}
