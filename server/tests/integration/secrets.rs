//! The master key's lifecycle: a rotation re-seals every kind of sealed value (SSO client
//! secrets too) and never writes an old value over one that changed meanwhile; a server whose
//! key opens nothing stored refuses to start, saying what to do.

use crate::authorizations::create;
use crate::fake_oidc::FakeOidc;
use crate::harness::{test_vault, ADMIN, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::SaveSsoProvider;
use portcullis_server::crypto::vault::Vault;
use portcullis_server::services::key_rotation::{check, require_openable, rotate};
use portcullis_server::store::sealed::{all, swap, SEALED_COLUMNS};
use serde_json::json;

on_both_backends! {
    /// Rotating to a new key re-seals authorization and SSO secrets, each value still opens
    /// for its own record, and the old key can then be dropped.
    async fn a_rotation_reseals_every_kind_of_secret(app) {
        let owner = app.sign_in(OWNER_A).await;
        create(&app, &owner, "http_api", "bearer", "Rotated",
            json!({"base_url": "https://api.example.com/ok", "token": "planted-token-7731"})).await;
        let fake = FakeOidc::start().await;
        let admin = app.sign_in(ADMIN).await;
        let saved = app.call::<SaveSsoProvider>(Some(&admin), &[
            ("issuer", &fake.url), ("client_id", "console"), ("client_secret", "planted-client-secret-5512"),
            ("groups_claim", "groups"), ("domains", "acme.example"), ("version", "0"),
        ]).await;
        assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);

        let old = test_vault();
        let rotating = Vault::from_keys([43; 32], &[[42; 32]]);
        let done = rotate(&app.db, &rotating).await.unwrap();
        assert!(done.resealed >= 2, "{done:?}");
        assert_eq!(done.changed_meanwhile, 0);
        let new_only = Vault::from_keys([43; 32], &[]);
        let counts = check(&app.db, &new_only).await.unwrap();
        assert!(counts.iter().all(|c| c.opens && c.key_id == new_only.key_id()), "{counts:?}");
        assert!(counts.iter().any(|c| c.label == "SSO client secrets"), "{counts:?}");
        for column in SEALED_COLUMNS {
            for value in all(&app.db.pool, column).await.unwrap() {
                let context = (column.context)(&value.keys);
                assert!(new_only.open_sealed(&context, &value.sealed).is_ok(), "{} does not open", column.label);
            }
        }
        // The old key alone no longer opens what is stored, and a server holding only it
        // refuses to start rather than run with every secret unreadable.
        let refused = require_openable(&app.db, &old).await.unwrap_err();
        assert!(refused.contains("cannot open") && refused.contains("PORTCULLIS_MASTER_KEY"), "{refused}");
        assert!(require_openable(&app.db, &new_only).await.is_ok());
        let again = rotate(&app.db, &new_only).await.unwrap();
        assert_eq!(again.resealed, 0, "a second run re-sealed current values");
    }

    /// A value changed after a rotation read it (a tenant saved a new secret) is not
    /// overwritten with the re-sealed old one.
    async fn a_rotation_never_overwrites_a_value_that_changed(app) {
        let owner = app.sign_in(OWNER_A).await;
        create(&app, &owner, "http_api", "bearer", "Changing",
            json!({"base_url": "https://api.example.com/ok", "token": "first-token-1111"})).await;
        let column = &SEALED_COLUMNS[0];
        let read = all(&app.db.pool, column).await.unwrap();
        let value = read.iter().find(|v| !v.sealed.is_empty()).unwrap();
        let changed = format!("{}-changed", value.sealed);
        let mut conn = app.db.pool.acquire().await.unwrap();
        let stale_copy = portcullis_server::store::sealed::SealedValue { keys: value.keys.clone(), sealed: value.sealed.clone() };
        assert!(swap(&mut conn, column, &stale_copy, &changed).await.unwrap(), "the first swap applies");
        assert!(!swap(&mut conn, column, &stale_copy, "resealed-old").await.unwrap(), "a stale swap applied");
        let now = all(&app.db.pool, column).await.unwrap();
        assert!(now.iter().any(|v| v.sealed == changed), "the changed value was overwritten");
    }
}
