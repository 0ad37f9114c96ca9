//! Demo authorizations for Acme Retail (`serve --demo`): one per kind of provider, with jobs in
//! every status, an imported experience, and sixty days of request counts for the charts.
//!
//! Made like the wizard makes them (core validates, the vault seals, each creation recorded by
//! the demo loader). Health starts Unknown and is found by the scheduler's real checks; the
//! "Console health probe" points at this console's own health endpoint, so it turns Healthy
//! without the Internet. Tests do not load this, so their counts stay their own.

use crate::services::audit::Principal;
use crate::services::audit::{Actor, Source};
use crate::services::Services;
use crate::store::authorizations::{self as store, NewRecord};
use crate::store::jobs::{self, NewJob};
use crate::store::new_id;
use crate::store::{tenants, users};
use chrono::{Duration, Utc};
use portcullis_core::authorizations::split_config;
use portcullis_core::email::Email;
use portcullis_core::ids::{AuthorizationId, ExperienceId, JobId};
use portcullis_core::jobs::JobStatus;
use portcullis_core::metrics::hour_of;
use portcullis_core::providers::{self, validate, JobType};
use portcullis_core::Problem;
use std::collections::BTreeMap;

/// A demo service-account key: the right shape, a key no one can use.
const DEMO_KEY: &str = r#"{"type": "service_account", "client_email": "importer@acme-events.iam.gserviceaccount.com", "private_key": "-----BEGIN PRIVATE KEY-----\ndemo\n-----END PRIVATE KEY-----\n"}"#;

struct DemoAuthorization {
    label: &'static str,
    description: &'static str,
    provider: &'static str,
    method: &'static str,
    config: Vec<(&'static str, String)>,
    jobs: &'static [(&'static str, JobType, JobStatus)],
    /// Requests on a busy hour, for the chart.
    busy_hour: u64,
}

fn catalog(public_url: &str) -> Vec<DemoAuthorization> {
    let s = |v: &str| v.to_owned();
    vec![
        DemoAuthorization {
            label: "Newsletter sending",
            description: "Production SendGrid account for the weekly newsletter",
            provider: "sendgrid",
            method: "api_key",
            config: vec![("api_key", s("SG.demo-acme-newsletter-key"))],
            jobs: &[
                ("Weekly newsletter", JobType::SendEmail, JobStatus::Running),
                ("Contact sync", JobType::SyncContacts, JobStatus::Sleeping),
            ],
            busy_hour: 40,
        },
        DemoAuthorization {
            label: "Event stream",
            description: "Clickstream from the web shop via Cloud Pub/Sub",
            provider: "google_cloud",
            method: "service_account",
            config: vec![
                ("project_id", s("acme-events")),
                ("service_account_key", s(DEMO_KEY)),
            ],
            jobs: &[(
                "Clickstream import",
                JobType::ImportPubSub,
                JobStatus::Paused,
            )],
            busy_hour: 90,
        },
        DemoAuthorization {
            label: "Ads audiences",
            description: "Custom Audiences for retargeting",
            provider: "facebook",
            method: "oauth",
            config: vec![
                ("app_id", s("1234567890")),
                ("app_secret", s("0123456789abcdef0123456789abcdef")),
            ],
            jobs: &[],
            busy_hour: 0,
        },
        DemoAuthorization {
            label: "Warehouse",
            description: "Read-only replica of the order database",
            provider: "postgresql",
            method: "connection_url",
            config: vec![(
                "url",
                s("postgres://reader:demo-password@warehouse.acme.example/analytics"),
            )],
            jobs: &[("Orders import", JobType::ImportTable, JobStatus::Completed)],
            busy_hour: 12,
        },
        DemoAuthorization {
            label: "Lifecycle messaging",
            description: "Iterable (US data center)",
            provider: "iterable",
            method: "api_key",
            config: vec![
                ("api_key", s("0123456789abcdef0123456789abcdef")),
                ("region", s("us")),
            ],
            jobs: &[("Loyalty sync", JobType::SyncUsers, JobStatus::Failed)],
            busy_hour: 25,
        },
        DemoAuthorization {
            label: "Console health probe",
            description: "Generic HTTP API pointed at this console's own health endpoint",
            provider: "http_api",
            method: "bearer",
            config: vec![
                (
                    "base_url",
                    format!("{}/api/v1/health", public_url.trim_end_matches('/')),
                ),
                ("token", s("demo-probe-token")),
            ],
            jobs: &[("Webhook relay", JobType::SendWebhook, JobStatus::Sleeping)],
            busy_hour: 6,
        },
    ]
}

/// Loads the demo authorizations unless Acme has some already; answers whether it did.
pub async fn load(services: &Services, public_url: &str) -> Result<bool, Problem> {
    let pool = &services.db.pool;
    let Some(tenant) = tenants::id_named(pool, crate::demo::DEMO_TENANT).await? else {
        return Ok(false);
    };
    let existing = store::list(
        pool,
        &tenant,
        &portcullis_app::services::AuthorizationQuery {
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    if !existing.items.is_empty() {
        return Ok(false);
    }
    let email = Email::parse("owner.a@acme.example").map_err(|_| Problem::internal())?;
    let owner = users::by_email(pool, &email)
        .await?
        .ok_or_else(Problem::internal)?;
    let actor = Actor {
        tenant: Some(&tenant),
        principal: Principal {
            id: "system".into(),
            name: "Demo loader".into(),
            email: None,
        },
        source: Source::Demo,
        origin_ip: None,
        now: Utc::now(),
    };
    let now = Utc::now();
    let mut tx = services.db.write().await?;
    for (n, demo) in catalog(public_url).into_iter().enumerate() {
        let (provider, method) = providers::method(demo.provider, demo.method)?;
        let config: BTreeMap<String, String> = demo
            .config
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let config = split_config(method, validate(method, &config)?);
        let id = new_id(AuthorizationId::from_bytes);
        let created = now - Duration::days(60 - n as i64 * 7);
        store::insert(
            &mut tx,
            NewRecord {
                id: &id,
                tenant: &tenant,
                provider: provider.code,
                provider_name: provider.name,
                method: method.code,
                label: demo.label,
                description: demo.description,
                settings: &config.settings,
                sealed: &services.seal(&tenant, &id, &config.secrets)?,
                created_by: (&owner.id, &owner.name),
                now: created,
            },
        )
        .await?;
        actor
            .record(&mut tx, "authorization/create", (id.as_str(), demo.label))
            .await?;
        for (name, job_type, status) in demo.jobs {
            let job = new_id(JobId::from_bytes);
            jobs::insert(
                &mut tx,
                NewJob {
                    id: &job,
                    tenant: &tenant,
                    authorization: &id,
                    name,
                    job_type: *job_type,
                    runner: None,
                    created_by: &owner.id,
                    now: created + Duration::hours(2),
                },
            )
            .await?;
            if *status != JobStatus::Sleeping {
                jobs::set_status(
                    &mut tx,
                    &tenant,
                    &job,
                    JobStatus::Sleeping,
                    *status,
                    demo_report(*status),
                    now,
                )
                .await?;
            }
        }
        if demo.label == "Lifecycle messaging" {
            let exp = new_id(ExperienceId::from_bytes);
            jobs::insert_experience(&mut tx, &tenant, &exp, &id, "Spring sale banner", now).await?;
        }
        // Sixty days of traffic: a daily rhythm, quieter weekends, a little noise.
        for hour in 0..(60 * 24) {
            let at = hour_of(now - Duration::hours(hour));
            let local = (at.timestamp() / 3600 % 24) as u64;
            let day_shape = if (8..20).contains(&local) { 3 } else { 1 };
            let noise = (hour as u64 * 2_654_435_761 + n as u64 * 97) % 7;
            let requests = demo.busy_hour * day_shape / 3 + noise * demo.busy_hour / 20;
            if requests > 0 {
                store::set_requests(&mut tx, &id, at, requests).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// What a demo job's runner last reported, as a real runner would word it.
fn demo_report(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Running => "Sending batch 3 of 8",
        JobStatus::Paused => "Paused before the next run",
        JobStatus::Completed => "Finished: every record was sent",
        JobStatus::Failed => "The provider refused the credential (401 Unauthorized)",
        JobStatus::Sleeping => "Waiting for the next run",
    }
}
