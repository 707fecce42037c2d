//! "Your messages": messages about a child between the people who may see
//! them, and OpenPEP's notifications. An e-mail says a message is waiting;
//! it never carries the message.

use chrono::{DateTime, Utc};
use openpep_domain::messages::{self, MessageKind};
use openpep_domain::{Action, Role};
use openpep_store::children::Child;
use openpep_store::messages::{self as message_rows, Contact, MessageRow, NewMessage, ThreadRow};
use openpep_store::{Page, PageRequest, StoreError, Tx, audit};
use serde_json::json;
use uuid::Uuid;

use crate::invitations::FormError;
use crate::mail::messages::{Content, for_inbox, message_waiting};
use crate::{Actor, FieldErrors, ServiceError, Services};

pub const THREADS_PER_PAGE: u32 = 25;

/// Someone a message may go to, as the form lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: Uuid,
    pub name: String,
    email: String,
    /// Their roles with the child, in words ("Social worker").
    pub roles: Vec<&'static str>,
    pub virtual_school: bool,
}

/// The people a message about the child may go to: each once, the writer
/// left out, those working with the child before the Virtual School.
fn recipients(contacts: Vec<Contact>, me: Uuid) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = Vec::new();
    for c in contacts.into_iter().filter(|c| c.user_id != me) {
        let Some(role) = Role::from_code(&c.role) else { continue };
        match out.iter_mut().find(|r| r.user_id == c.user_id) {
            Some(r) => {
                if !r.roles.contains(&role.label()) {
                    r.roles.push(role.label());
                }
                r.virtual_school &= role.is_virtual_school();
            }
            None => out.push(Recipient {
                user_id: c.user_id,
                name: c.display_name,
                email: c.email,
                roles: vec![role.label()],
                virtual_school: role.is_virtual_school(),
            }),
        }
    }
    out.sort_by_key(|r| (r.virtual_school, r.name.to_lowercase()));
    out
}

/// A thread as its reader sees it.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub kind: MessageKind,
    pub subject: String,
    /// The child it is about, when the reader may still see them.
    pub child: Option<Child>,
    /// False: about a child the reader no longer works with; nothing of
    /// it is shown.
    pub visible: bool,
    pub messages: Vec<MessageRow>,
    /// Everyone in the conversation, by name.
    pub people: Vec<String>,
    pub may_reply: bool,
    /// Something in it was unread when it was loaded.
    pub unread: bool,
    /// How many of its messages this opening marked read.
    pub newly_read: u64,
}

/// Where a notification leads, and whom it is about.
#[derive(Debug, Clone)]
pub(crate) struct About {
    pub child_id: Uuid,
    pub path: String,
}

/// Puts a notification e-mail's words in the inbox of the authority's
/// member with that address, if there is one (others only get the e-mail).
pub(crate) async fn notify(
    tx: &mut Tx,
    la_id: Uuid,
    email: &str,
    content: &Content,
    about: &About,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(kind) = MessageKind::from_code(content.kind) else { return Ok(()) };
    let Some(user) = message_rows::member_with_email(tx, la_id, email).await? else {
        return Ok(());
    };
    let id = Uuid::now_v7();
    let body = for_inbox(&content.body);
    let message = NewMessage {
        id,
        la_id,
        thread_id: id,
        child_id: Some(about.child_id),
        sender_id: None,
        kind: kind.code(),
        subject: &content.subject,
        body: &body,
        link: Some(&about.path),
        sent_at: now,
    };
    message_rows::insert(tx, &message, &[user]).await
}

/// Sends a notification e-mail and puts it in the person's inbox.
pub(crate) async fn tell(
    tx: &mut Tx,
    la_id: Uuid,
    email: &str,
    content: Content,
    about: &About,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    notify(tx, la_id, email, &content, about, now).await?;
    crate::auth::queue_mail(tx, Some(la_id), email, content, now).await
}

impl Services {
    pub async fn inbox(&self, actor: &Actor, page: u32) -> Result<Page<ThreadRow>, ServiceError> {
        let request = PageRequest::new(page, THREADS_PER_PAGE);
        let today = self.clock.today();
        Ok(message_rows::inbox(&self.db, &actor.scope(), actor.user_id, today, request).await?)
    }

    /// The child, if the actor may message about them, and who they may
    /// message.
    pub async fn message_recipients(
        &self,
        actor: &Actor,
        child_id: Uuid,
    ) -> Result<(Child, Vec<Recipient>), ServiceError> {
        let child = self.child_for(actor, child_id, Action::MessageAboutChild).await?;
        let today = self.clock.today();
        let contacts = message_rows::contacts_for_child(&self.db, child.la_id, child.id, today);
        Ok((child, recipients(contacts.await?, actor.user_id)))
    }

    /// Sends a new message about the child; the thread's id.
    pub async fn send_message(
        &self,
        actor: &Actor,
        child_id: Uuid,
        to: &[String],
        subject: &str,
        body: &str,
    ) -> Result<Uuid, FormError> {
        let (child, people) = self.message_recipients(actor, child_id).await?;
        let may: Vec<Uuid> = people.iter().map(|p| p.user_id).collect();
        let checked = messages::check_new(to, subject, body, &may)
            .map_err(|p| FormError::Invalid(FieldErrors::from_problems(p)))?;
        let to: Vec<&Recipient> =
            people.iter().filter(|p| checked.to.contains(&p.user_id)).collect();
        let id = Uuid::now_v7();
        let message = NewMessage {
            id,
            la_id: child.la_id,
            thread_id: id,
            child_id: Some(child.id),
            sender_id: Some(actor.user_id),
            kind: MessageKind::Message.code(),
            subject: &checked.subject,
            body: &checked.body,
            link: None,
            sent_at: self.clock.now(),
        };
        self.deliver(actor, &child, &message, &to, "message.sent").await?;
        Ok(id)
    }

    /// Stores the message, tells by e-mail each recipient with nothing else
    /// unread in the thread, and audits it (who and how many, never what).
    async fn deliver(
        &self,
        actor: &Actor,
        child: &Child,
        message: &NewMessage<'_>,
        to: &[&Recipient],
        action: &str,
    ) -> Result<(), ServiceError> {
        let now = message.sent_at;
        let ids: Vec<Uuid> = to.iter().map(|r| r.user_id).collect();
        let mut tx = self.db.begin().await?;
        let waiting = message_rows::unread_in(&mut tx, child.la_id, message.thread_id).await?;
        message_rows::insert(&mut tx, message, &ids).await?;
        let link = format!("{}/messages/{}", self.public_url, message.thread_id);
        for person in to.iter().filter(|r| !waiting.contains(&r.user_id)) {
            let content = message_waiting(&link);
            crate::auth::queue_mail(&mut tx, Some(child.la_id), &person.email, content, now)
                .await?;
        }
        let details = json!({ "thread": message.thread_id, "recipients": to.len() });
        let event =
            actor.event_about_child(action, ("message", message.id), child.id, details, now);
        audit::record(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The thread, if the actor was sent or sent any of it, opened: what
    /// they were sent is marked read and the view of the child is logged.
    pub async fn message_thread(
        &self,
        actor: &Actor,
        thread_id: Uuid,
    ) -> Result<ThreadView, ServiceError> {
        let mut view = self.thread_view(actor, thread_id).await?;
        // A write only when something was unread (SQLite takes its lock).
        if view.unread {
            let now = self.clock.now();
            let mut tx = self.db.begin().await?;
            let thread = Some(thread_id);
            let n = message_rows::mark_read(&mut tx, actor.la_id, actor.user_id, thread, now);
            view.newly_read = n.await?;
            tx.commit().await?;
        }
        if let Some(child) = &view.child {
            self.record_view(actor, child, "message").await?;
        }
        Ok(view)
    }

    /// The thread as the actor may see it, read-only (to show it again
    /// beside a refused reply). About a child the actor no longer works
    /// with, nothing of it.
    pub async fn thread_view(
        &self,
        actor: &Actor,
        thread_id: Uuid,
    ) -> Result<ThreadView, ServiceError> {
        let rows = message_rows::thread(&self.db, actor.la_id, actor.user_id, thread_id).await?;
        let Some(first) = rows.first() else { return Err(ServiceError::NotFound) };
        let kind = MessageKind::from_code(&first.kind).unwrap_or(MessageKind::Message);
        let unread = rows.iter().any(|m| m.read_at.is_none());
        let hidden = ThreadView {
            kind,
            subject: String::new(),
            child: None,
            visible: false,
            messages: Vec::new(),
            people: Vec::new(),
            may_reply: false,
            unread,
            newly_read: 0,
        };
        let (child, relationship) = match first.child_id {
            None => (None, None),
            Some(child_id) => match self.child_access(actor, child_id).await {
                Ok((child, relationship))
                    if openpep_domain::allowed(
                        actor.role,
                        Action::ViewChildOverview,
                        relationship,
                    ) =>
                {
                    (Some(child), Some(relationship))
                }
                Ok(_) | Err(ServiceError::NotFound) => return Ok(hidden),
                Err(e) => return Err(e),
            },
        };
        let conversation = kind.is_conversation();
        let people = if conversation {
            let people = message_rows::participants(&self.db, actor.la_id, thread_id).await?;
            people.into_iter().map(|p| p.display_name).collect()
        } else {
            Vec::new()
        };
        let may_reply = conversation
            && relationship
                .is_some_and(|r| openpep_domain::allowed(actor.role, Action::MessageAboutChild, r));
        Ok(ThreadView {
            subject: first.subject.clone(),
            visible: true,
            child,
            people,
            may_reply,
            messages: rows,
            ..hidden
        })
    }

    /// Replies to everyone in the conversation who still works with the
    /// child.
    pub async fn reply_to_thread(
        &self,
        actor: &Actor,
        thread_id: Uuid,
        body: &str,
    ) -> Result<(), FormError> {
        let rows = message_rows::thread(&self.db, actor.la_id, actor.user_id, thread_id).await?;
        let Some(first) = rows.first() else { return Err(ServiceError::NotFound.into()) };
        let child_id = first.child_id.ok_or(ServiceError::NotFound)?;
        if !MessageKind::from_code(&first.kind).is_some_and(MessageKind::is_conversation) {
            return Err(ServiceError::NotFound.into());
        }
        let (child, people) = self.message_recipients(actor, child_id).await?;
        let body = messages::check_reply(body)
            .map_err(|p| FormError::Invalid(FieldErrors::from_problems(p)))?;
        let participants = message_rows::participants(&self.db, actor.la_id, thread_id).await?;
        let to: Vec<&Recipient> =
            people.iter().filter(|r| participants.iter().any(|p| p.user_id == r.user_id)).collect();
        if to.is_empty() {
            return Err(FormError::refused(
                "body",
                "Nobody else in this conversation still works with the child. Start a new message from the child's page",
            ));
        }
        let subject = first.subject.clone();
        let message = NewMessage {
            id: Uuid::now_v7(),
            la_id: child.la_id,
            thread_id,
            child_id: Some(child.id),
            sender_id: Some(actor.user_id),
            kind: MessageKind::Message.code(),
            subject: &subject,
            body: &body,
            link: None,
            sent_at: self.clock.now(),
        };
        self.deliver(actor, &child, &message, &to, "message.replied").await?;
        Ok(())
    }

    /// Marks everything in the actor's inbox read; how many were unread.
    pub async fn mark_all_messages_read(&self, actor: &Actor) -> Result<u64, ServiceError> {
        let mut tx = self.db.begin().await?;
        let n =
            message_rows::mark_read(&mut tx, actor.la_id, actor.user_id, None, self.clock.now());
        let n = n.await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: u128, name: &str, role: &str) -> Contact {
        Contact {
            user_id: Uuid::from_u128(id),
            display_name: name.into(),
            email: format!("{id}@example.test"),
            role: role.into(),
        }
    }

    #[test]
    fn each_person_once_without_the_writer_the_virtual_school_last() {
        let contacts = vec![
            contact(1, "Vera Head", "vs_head"),
            contact(2, "Sam Worker", "social_worker"),
            contact(3, "Me Myself", "designated_teacher"),
            contact(4, "Dana Teacher", "designated_teacher"),
            contact(4, "Dana Teacher", "designated_professional"),
            contact(2, "Sam Worker", "social_worker"),
        ];
        let out = recipients(contacts, Uuid::from_u128(3));
        let names: Vec<&str> = out.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Dana Teacher", "Sam Worker", "Vera Head"]);
        assert_eq!(out[0].roles, ["Designated teacher", "Designated professional"]);
        assert!(out[2].virtual_school && !out[0].virtual_school);
    }
}
