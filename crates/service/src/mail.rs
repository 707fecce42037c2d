//! Sending e-mail: the transports (SMTP for real, `.eml` files for the demo
//! and development) and the messages the service sends.

pub mod messages;

use std::path::PathBuf;

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use openpep_store::outbox::OutboxEmail;

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Writes each message as an `.eml` file in a folder.
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

impl std::fmt::Debug for Mailer {
    // Never print the SMTP URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp { .. } => f.write_str("Mailer::Smtp"),
            Mailer::Files { dir, .. } => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the sender address is not valid: {0}")]
    From(String),
    #[error("the SMTP URL is not valid: {0}")]
    Url(String),
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
}

impl Mailer {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…` or
    /// `smtp://localhost:1025` (lettre's URL form), or `file:` for a folder
    /// of `.eml` files (`file:` alone means `default_dir`).
    pub fn from_url(url: &str, from: &str, default_dir: PathBuf) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|e| MailError::From(format!("{e}")))?;
        if let Some(path) = url.strip_prefix("file:") {
            let path = path.trim_start_matches("//");
            let dir = if path.is_empty() { default_dir } else { PathBuf::from(path) };
            return Ok(Mailer::Files { dir, from });
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(Mailer::Smtp { transport, from })
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp { from, .. } | Mailer::Files { from, .. } => from,
        }
    }

    /// Delivers one message from the outbox.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), MailError> {
        let to: Mailbox = email.to_address.parse().map_err(|e| MailError::Build(format!("{e}")))?;
        let builder = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!("<{}@openpep>", email.id)));
        let message = match &email.calendar {
            None => builder.header(ContentType::TEXT_PLAIN).body(email.body_text.clone()),
            Some(ics) => builder.multipart(with_invitation(&email.body_text, ics)?),
        }
        .map_err(|e| MailError::Build(e.to_string()))?;
        match self {
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Delivery(e.to_string())),
            Mailer::Files { dir, .. } => {
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| MailError::Delivery(e.to_string()))?;
                let path = dir.join(format!("{}.eml", email.id));
                tokio::fs::write(path, message.formatted())
                    .await
                    .map_err(|e| MailError::Delivery(e.to_string()))
            }
        }
    }
}

/// The text with the invitation as a `text/calendar` attachment whose
/// `method` matches the calendar's (Outlook reads it from the header).
fn with_invitation(body: &str, ics: &str) -> Result<MultiPart, MailError> {
    let method = if ics.contains("\r\nMETHOD:CANCEL\r\n") { "CANCEL" } else { "REQUEST" };
    let kind = ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
        .map_err(|e| MailError::Build(e.to_string()))?;
    Ok(MultiPart::mixed()
        .singlepart(SinglePart::plain(body.to_owned()))
        .singlepart(Attachment::new("invite.ics".to_owned()).body(ics.to_owned(), kind)))
}

impl crate::Services {
    /// The newest e-mails (all, or to one address), for the demo mailbox.
    pub async fn demo_mailbox(
        &self,
        to: Option<&str>,
    ) -> Result<Vec<OutboxEmail>, crate::ServiceError> {
        Ok(openpep_store::outbox::recent(&self.db, to, 50).await?)
    }
}
