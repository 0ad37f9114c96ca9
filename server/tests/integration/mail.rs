//! Welcome mail goes out over SMTP when a server is configured, here a fake one on
//! loopback that speaks just enough SMTP to accept a message.

use crate::harness::{loopback_fakes, ADMIN};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::AddUser;
use portcullis_server::integrations::mail::Mailer;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions on a loopback port and keeps every message's DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            store
                                .lock()
                                .expect("lock")
                                .push(data.take().unwrap_or_default());
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

on_both_backends! {
    /// A welcome message is claimed, sent once with its link, and marked sent; a second pass
    /// sends nothing more.
    async fn welcome_mail_is_delivered_once(app) {
        let (port, received) = fake_smtp().await;
        let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Portcullis <no-reply@acme.example>", loopback_fakes()).expect("mailer");
        let admin = app.sign_in(ADMIN).await;
        let policy = app.directory_id(&admin, "policies", "Viewer").await;
        let group = app.directory_id(&admin, "groups", "All resource groups").await;
        let r = app.call::<AddUser>(Some(&admin), &[("name", "Mia Mail"), ("email", "mia@acme.example"), ("policy_id", &policy), ("group_id", &group), ("send_welcome", "true")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        assert_eq!(mailer.deliver_pending(&app.db).await.expect("deliver"), 1);
        let messages = received.lock().expect("lock").clone();
        assert_eq!(messages.len(), 1);
        assert!(messages[0].contains("mia@acme.example"), "{}", messages[0]);
        assert!(messages[0].contains("/welcome?token="), "{}", messages[0]);
        assert_eq!(app.count("outbox", "to_email = 'mia@acme.example' AND sent_at IS NOT NULL AND body = ''").await, 1, "a delivered link stays in the outbox");
        assert_eq!(mailer.deliver_pending(&app.db).await.expect("deliver"), 0);
        assert_eq!(received.lock().expect("lock").len(), 1);
    }

    /// An unreachable server releases the claim and counts the attempt, with the error kept.
    async fn failed_delivery_is_retried_later(app) {
        let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Portcullis <no-reply@acme.example>", loopback_fakes()).expect("mailer");
        let admin = app.sign_in(ADMIN).await;
        let policy = app.directory_id(&admin, "policies", "Viewer").await;
        let group = app.directory_id(&admin, "groups", "All resource groups").await;
        app.call::<AddUser>(Some(&admin), &[("name", "Nils Net"), ("email", "nils@acme.example"), ("policy_id", &policy), ("group_id", &group), ("send_welcome", "true")]).await;
        assert_eq!(mailer.deliver_pending(&app.db).await.expect("deliver"), 0);
        assert_eq!(app.count("outbox", "to_email = 'nils@acme.example' AND sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL").await, 1);
    }

    /// Under the default egress policy a relay on the server's own network is not contacted:
    /// the message waits with a last error that tells the operator what to open.
    async fn a_relay_the_policy_closes_is_not_contacted(app) {
        let (port, received) = fake_smtp().await;
        let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Portcullis <no-reply@acme.example>",
            portcullis_server::integrations::egress::Egress::public_only()).expect("mailer");
        let admin = app.sign_in(ADMIN).await;
        let policy = app.directory_id(&admin, "policies", "Viewer").await;
        let group = app.directory_id(&admin, "groups", "All resource groups").await;
        app.call::<AddUser>(Some(&admin), &[("name", "Pia Policy"), ("email", "pia@acme.example"), ("policy_id", &policy), ("group_id", &group), ("send_welcome", "true")]).await;
        assert_eq!(mailer.deliver_pending(&app.db).await.expect("deliver"), 0);
        assert!(received.lock().expect("lock").is_empty(), "the relay was contacted");
        assert_eq!(app.count("outbox", "to_email = 'pia@acme.example' AND sent_at IS NULL AND last_error LIKE '%PORTCULLIS_EGRESS_ALLOW%'").await, 1);
    }
}
