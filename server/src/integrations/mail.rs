//! Delivers the outbox over SMTP when `PORTCULLIS_SMTP_URL` is set. Without it, mail stays
//! in the outbox, where operators read it on the Users page.
//!
//! Any replica may deliver: a message is claimed with a conditional UPDATE before it is sent,
//! so two replicas never send the same message. A failed send releases the claim and counts an
//! attempt; after [`MAX_ATTEMPTS`] the message stays for an operator, with its last error.

use crate::integrations::egress::Egress;
use crate::store::outbox;
use crate::store::Db;
use chrono::Utc;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portcullis_core::Problem;
use std::time::Duration;

/// Sends stop being tried after this many failures.
pub const MAX_ATTEMPTS: i64 = 5;
/// How often the outbox is looked at.
pub const POLL_EVERY: Duration = Duration::from_secs(5);

/// An SMTP connection and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The relay's host and port, checked against `egress` before each delivery round.
    relay: (String, u16),
    egress: Egress,
}

/// Why the mail settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("PORTCULLIS_SMTP_URL is not a usable SMTP URL: {0}")]
    Url(String),
    #[error("PORTCULLIS_MAIL_FROM is not an address like Portcullis <no-reply@example.com>: {0}")]
    From(String),
}

/// What a message's last error says when the egress policy closes the relay's address.
pub const RELAY_REFUSED: &str =
    "the mail server's address is not public; open it with PORTCULLIS_EGRESS_ALLOW";

impl Mailer {
    /// A mailer for `url` (`smtp://`, `smtps://`) sending as `from`, to a relay `egress`
    /// permits.
    pub fn new(url: &str, from: &str, egress: Egress) -> Result<Mailer, MailerError> {
        let parsed = url::Url::parse(url).map_err(|e| MailerError::Url(e.to_string()))?;
        let secure = parsed.scheme() == "smtps";
        let relay = (
            parsed.host_str().unwrap_or_default().to_owned(),
            parsed.port().unwrap_or(if secure { 465 } else { 587 }),
        );
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailerError::From(e.to_string()))?;
        Ok(Mailer {
            transport,
            from,
            relay,
            egress,
        })
    }

    /// Sends what is waiting; returns how many messages went out.
    pub async fn deliver_pending(&self, db: &Db) -> Result<usize, Problem> {
        let pool = &db.pool;
        let waiting = outbox::pending(pool, MAX_ATTEMPTS).await?;
        let mut sent = 0;
        let relay_refused = match self.egress.resolve(&self.relay.0, self.relay.1).await {
            Ok(_) => None,
            Err(refused) => {
                tracing::warn!(%refused, "mail relay refused by the egress policy");
                Some(RELAY_REFUSED.to_owned())
            }
        };
        for message in waiting {
            if !outbox::claim(pool, &message.id, Utc::now()).await? {
                continue; // another replica has it
            }
            let outcome = match &relay_refused {
                Some(why) => Err(why.clone()),
                None => self.send(&message.to, &message.subject, message.body).await,
            };
            match outcome {
                Ok(()) => {
                    outbox::delivered(pool, &message.id).await?;
                    sent += 1;
                }
                Err(error) => {
                    tracing::warn!(%error, message = %message.id, "mail not delivered; will retry");
                    outbox::failed(pool, &message.id, &error).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Delivers the outbox every [`POLL_EVERY`] until the process ends.
    pub fn spawn(self, db: Db) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(POLL_EVERY);
            loop {
                tick.tick().await;
                let delivered = self.deliver_pending(&db).await;
                crate::metrics::scheduler_ran("mail", delivered.is_ok());
                if let Err(p) = delivered {
                    tracing::warn!(problem = %p, "outbox delivery failed");
                }
            }
        })
    }
}
