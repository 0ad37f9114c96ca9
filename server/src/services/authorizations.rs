//! Authorizations: the server's side of [`Authorizations`], health checks on demand and
//! by the scheduler, and the credential a job's runner fetches.
//!
//! Secrets are sealed by the vault before they touch the database and opened only to check the
//! credential or to hand it to the job that uses it; no page or answer carries them.

use crate::services::audit::{received, Actor, Principal, Source};
use crate::services::Services;
use crate::store::authorizations::{self as store, CheckOutcome, NewRecord, Stored};
use crate::store::jobs;
use crate::store::new_id;
use crate::store::versions::Versioned;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portcullis_app::services::RequestMeta;
use portcullis_app::services::{AuthorizationQuery, Authorizations, Caller, NewAuthorization};
use portcullis_core::actions::Action;
use portcullis_core::authorizations::{check_label, split_config};
use portcullis_core::health::{answer_summary, echo_forms, plan, CHECK_EVERY_MS, CHECK_LEASE_MS};
use portcullis_core::ids::{AuthorizationId, TenantId};
use portcullis_core::jobs::{blocked_delete, deletion_blockers};
use portcullis_core::metrics::{buckets, check_window, hour_of, Bucket, Granularity};
use portcullis_core::people::check_description;
use portcullis_core::providers::{self, masked, methods_for, validate, JobType, MethodKind};
use portcullis_core::wire::{AuthorizationRow, AuthorizationSummary, Page};
use portcullis_core::Problem;
use std::collections::BTreeMap;

/// How many due checks one scheduler tick claims.
const CHECKS_PER_TICK: u32 = 20;

/// The scheduler, as the activity log names it.
fn scheduler() -> Principal {
    Principal {
        id: "system".to_owned(),
        name: "Health check scheduler".to_owned(),
        email: None,
    }
}

/// What a sealed value is bound to: its tenant and record.
fn seal_context(tenant: &TenantId, id: &AuthorizationId) -> String {
    format!("{tenant}/{id}")
}

impl Services {
    /// The authorization's whole configuration: shown settings plus opened secrets.
    pub(crate) fn open_config(
        &self,
        tenant: &TenantId,
        stored: &Stored,
    ) -> Result<BTreeMap<String, String>, Problem> {
        let bytes = self
            .vault
            .open_sealed(&seal_context(tenant, &stored.row.id), &stored.sealed)
            .map_err(|e| {
                tracing::error!(error = %e, authorization = %stored.row.id, "cannot open secrets");
                Problem::internal()
            })?;
        let secrets: BTreeMap<String, String> =
            serde_json::from_slice(&bytes).map_err(|_| Problem::internal())?;
        let mut config = stored.settings.clone();
        config.extend(secrets);
        Ok(config)
    }

    /// Seals `secrets` for the authorization `id` of `tenant`.
    pub(crate) fn seal(
        &self,
        tenant: &TenantId,
        id: &AuthorizationId,
        secrets: &BTreeMap<String, String>,
    ) -> Result<String, Problem> {
        let json = serde_json::to_vec(secrets).map_err(|_| Problem::internal())?;
        self.vault
            .seal(&seal_context(tenant, id), &json)
            .map_err(Problem::from)
    }

    /// An authorization of `tenant`, or 404.
    pub(crate) async fn stored_authorization(
        &self,
        tenant: &TenantId,
        id: &AuthorizationId,
    ) -> Result<Stored, Problem> {
        let mut conn = self.db.conn().await?;
        store::find(&mut conn, tenant, id)
            .await?
            .ok_or_else(|| Problem::not_found("authorization"))
    }

    async fn summary(
        &self,
        tenant: &TenantId,
        id: &AuthorizationId,
        can_manage: bool,
    ) -> Result<AuthorizationSummary, Problem> {
        let stored = self.stored_authorization(tenant, id).await?;
        let (_, method) = providers::method(&stored.row.provider, &stored.row.method)?;
        let config = self.open_config(tenant, &stored)?;
        let experiences = jobs::experiences(&self.db.pool, tenant, Some(id))
            .await?
            .into_iter()
            .filter(|e| e.active)
            .collect();
        Ok(AuthorizationSummary {
            method_name: method.name.to_owned(),
            oauth_pending: method.kind == MethodKind::OAuth && !config.contains_key("access_token"),
            config: masked(method, &config),
            checked_at: stored.checked_at,
            answer: stored.answer,
            experiences,
            can_manage,
            version: stored.version,
            row: stored.row,
        })
    }

    /// Checks one authorization against its provider and stores the outcome; the check counts
    /// as one request, and a change of health is recorded. `on_demand` checks (a
    /// person pressed "check now") are recorded even when the health stays the same.
    pub async fn run_check(
        &self,
        actor: &Actor<'_>,
        id: &AuthorizationId,
        on_demand: bool,
    ) -> Result<(), Problem> {
        let stored = self.stored_authorization(actor.in_tenant()?, id).await?;
        let (provider, method) = providers::method(&stored.row.provider, &stored.row.method)?;
        let config = self.open_config(actor.in_tenant()?, &stored)?;
        let now = Utc::now();
        let check = plan(
            provider,
            method.kind,
            &config,
            self.checker.base_for(provider.code),
            now.timestamp_millis(),
        );
        let secrets: Vec<&str> = config
            .iter()
            .filter(|(k, _)| !stored.settings.contains_key(*k))
            .map(|(_, v)| v.as_str())
            .collect();
        let echoes = echo_forms(&secrets, &check);
        let (health, raw) = self.checker.run(check, now.timestamp()).await;
        crate::metrics::health_checked(health.code());
        let answer = answer_summary(&raw, &echoes.iter().map(String::as_str).collect::<Vec<_>>());
        let checked_at = Utc::now();
        let mut tx = self.db.write().await?;
        let outcome = CheckOutcome {
            health,
            answer: &answer,
            checked_at,
            next_check_at: checked_at + Duration::milliseconds(CHECK_EVERY_MS),
        };
        if !store::record_check(&mut tx, actor.in_tenant()?, id, &outcome).await? {
            // Deleted while the provider was asked: nothing to record.
            return Ok(());
        }
        // Only one replica checks an authorization at a time (the lease), so the health read
        // before the check is the one this check replaces.
        let before = stored.row.health;
        store::count_request(&mut tx, id, hour_of(checked_at)).await?;
        if before != health {
            let name = format!(
                "{}: {} (was {})",
                stored.row.label,
                health.label(),
                before.label()
            );
            actor
                .record(&mut tx, "authorization/health", (id.as_str(), &name))
                .await?;
        } else if on_demand {
            let name = format!("{}: {}", stored.row.label, health.label());
            actor
                .record(&mut tx, "authorization/check", (id.as_str(), &name))
                .await?;
        }
        Ok(tx.commit().await?)
    }

    /// One scheduler tick: claims due checks (each runs on one replica only) and runs them.
    /// Answers how many this replica ran.
    pub async fn run_due_checks(&self, now: DateTime<Utc>) -> Result<usize, Problem> {
        let lease = now + Duration::milliseconds(CHECK_LEASE_MS);
        let claimed = store::claim_due(&self.db.pool, now, lease, CHECKS_PER_TICK).await?;
        for (tenant, id) in &claimed {
            let actor = Actor {
                tenant: Some(tenant),
                principal: scheduler(),
                source: Source::Scheduler,
                origin_ip: None,
                now: Utc::now(),
            };
            if let Err(p) = self.run_check(&actor, id, false).await {
                tracing::warn!(authorization = %id, problem = %p, "scheduled check failed");
            }
        }
        Ok(claimed.len())
    }

    /// Every `every` until the process ends: refreshes OAuth tokens about to expire, then
    /// runs due health checks.
    pub fn spawn_scheduler(self, every: std::time::Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let refreshed = self.refresh_due_tokens(Utc::now()).await;
                crate::metrics::scheduler_ran("token_refresh", refreshed.is_ok());
                if let Err(p) = refreshed {
                    tracing::warn!(problem = %p, "token refresh tick failed");
                }
                let checked = self.run_due_checks(Utc::now()).await;
                crate::metrics::scheduler_ran("health_checks", checked.is_ok());
                if let Err(p) = checked {
                    tracing::warn!(problem = %p, "health check scheduler tick failed");
                }
            }
        });
    }
}

#[async_trait]
impl Authorizations for Services {
    async fn list_authorizations(
        &self,
        caller: &Caller,
        query: AuthorizationQuery,
    ) -> Result<Page<AuthorizationRow>, Problem> {
        let checked = self
            .require(caller, Action::ViewAuthorizations, None)
            .await?;
        Ok(store::list(&self.db.pool, checked.tenant(), &query).await?)
    }

    async fn authorization(
        &self,
        caller: &Caller,
        id: AuthorizationId,
    ) -> Result<AuthorizationSummary, Problem> {
        let checked = self
            .require(caller, Action::ViewAuthorizations, None)
            .await?;
        let can_manage = checked
            .decide(caller, Action::ManageAuthorizations, None)
            .allowed;
        self.summary(checked.tenant(), &id, can_manage).await
    }

    async fn create_authorization(
        &self,
        caller: &Caller,
        new: NewAuthorization,
        meta: RequestMeta,
    ) -> Result<AuthorizationId, Problem> {
        let checked = self
            .require(caller, Action::ManageAuthorizations, None)
            .await?;
        let tenant = checked.tenant();
        let (provider, method) = providers::method(&new.provider, &new.method)?;
        let label = check_label(&new.label)?;
        let description = check_description(&new.description)?;
        let config = split_config(method, validate(method, &new.config)?);
        let id = new_id(AuthorizationId::from_bytes);
        let sealed = self.seal(tenant, &id, &config.secrets)?;
        let actor = Actor::person(tenant, caller, &meta);
        let mut tx = self.db.write().await?;
        store::insert(
            &mut tx,
            NewRecord {
                id: &id,
                tenant,
                provider: provider.code,
                provider_name: provider.name,
                method: method.code,
                label: &label,
                description: &description,
                settings: &config.settings,
                sealed: &sealed,
                created_by: (&caller.viewer.user_id, &caller.viewer.name),
                now: received(&meta),
            },
        )
        .await?;
        let name = format!("{label} ({} {})", provider.name, method.name);
        actor
            .record(&mut tx, "authorization/create", (id.as_str(), &name))
            .await?;
        tx.commit().await?;
        // The first check is due at once; whichever replica's scheduler claims it runs it.
        Ok(id)
    }

    async fn edit_authorization(
        &self,
        caller: &Caller,
        id: AuthorizationId,
        version: i64,
        label: String,
        description: String,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self
            .require(caller, Action::ManageAuthorizations, None)
            .await?;
        let label = check_label(&label)?;
        let description = check_description(&description)?;
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self
            .db
            .edit(Versioned::Authorization, &id, actor.in_tenant()?, version)
            .await?;
        if !store::relabel(
            &mut tx,
            actor.in_tenant()?,
            &id,
            &label,
            &description,
            received(&meta),
        )
        .await?
        {
            return Err(Problem::not_found("authorization"));
        }
        actor
            .record(&mut tx, "authorization/edit", (id.as_str(), &label))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn delete_authorization(
        &self,
        caller: &Caller,
        id: AuthorizationId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self
            .require(caller, Action::ManageAuthorizations, None)
            .await?;
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self
            .db
            .edit(Versioned::Authorization, &id, actor.in_tenant()?, version)
            .await?;
        let stored = store::find(&mut tx, actor.in_tenant()?, &id)
            .await?
            .ok_or_else(|| Problem::not_found("authorization"))?;
        let (held_by, used_by) = jobs::holders(&mut tx, actor.in_tenant()?, &id).await?;
        let blockers = deletion_blockers(&held_by, &used_by);
        if !blockers.is_empty() {
            return Err(blocked_delete(blockers));
        }
        store::delete(&mut tx, actor.in_tenant()?, &id).await?;
        actor
            .record(
                &mut tx,
                "authorization/delete",
                (id.as_str(), &stored.row.label),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    async fn check_authorization(
        &self,
        caller: &Caller,
        id: AuthorizationId,
        meta: RequestMeta,
    ) -> Result<AuthorizationSummary, Problem> {
        let checked = self
            .require(caller, Action::ManageAuthorizations, None)
            .await?;
        let actor = Actor::person(checked.tenant(), caller, &meta);
        self.run_check(&actor, &id, true).await?;
        self.summary(checked.tenant(), &id, true).await
    }

    async fn authorization_metrics(
        &self,
        caller: &Caller,
        id: AuthorizationId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        step: Granularity,
    ) -> Result<Vec<Bucket>, Problem> {
        let checked = self
            .require(caller, Action::ViewAuthorizations, None)
            .await?;
        check_window(from, to, step)?;
        self.stored_authorization(checked.tenant(), &id).await?;
        let hourly = store::hourly(&self.db.pool, checked.tenant(), &id, from, to).await?;
        buckets(&hourly, from, to, step)
    }

    async fn authorizations_for_job(
        &self,
        caller: &Caller,
        job_type: JobType,
    ) -> Result<Vec<AuthorizationRow>, Problem> {
        let checked = self
            .require(caller, Action::ViewAuthorizations, None)
            .await?;
        let methods: Vec<(&str, &str)> = methods_for(job_type)
            .map(|(p, m)| (p.code, m.code))
            .collect();
        Ok(store::with_methods(&self.db.pool, checked.tenant(), &methods).await?)
    }

    async fn start_oauth(&self, caller: &Caller, id: AuthorizationId) -> Result<String, Problem> {
        let checked = self
            .require(caller, Action::ManageAuthorizations, None)
            .await?;
        self.oauth_authorize_url(checked.tenant(), &id, &caller.viewer.user_id)
            .await
    }
}
