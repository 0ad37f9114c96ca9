//! Jobs and imported experiences: the server's side of [`Jobs`], and what a job's
//! runner does through the REST API: fetch its credential, report its status.

use crate::services::audit::{received, Actor};
use crate::services::Services;
use crate::store::authorizations as auth_store;
use crate::store::installs;
use crate::store::jobs::{self as store, NewJob};
use crate::store::new_id;
use async_trait::async_trait;
use chrono::Utc;
use portcullis_app::services::{Caller, JobQuery, Jobs, RequestMeta};
use portcullis_core::actions::Action;
use portcullis_core::apps::Target;
use portcullis_core::ids::{AppId, AuthorizationId, ExperienceId, JobId, TenantId};
use portcullis_core::jobs::{check_job_delete, check_job_name, check_job_type, next_status};
use portcullis_core::jobs::{JobStatus, StatusChange};
use portcullis_core::metrics::hour_of;
use portcullis_core::people::check_description;
use portcullis_core::providers::{self, JobType};
use portcullis_core::wire::{ExperienceRow, JobRow, Page};
use portcullis_core::{Problem, ProblemKind};
use std::collections::BTreeMap;

/// What a job's runner receives: the job and its authorization's whole configuration.
#[derive(serde::Serialize)]
pub struct Credential {
    pub job_id: JobId,
    pub authorization_id: AuthorizationId,
    pub provider: String,
    pub method: String,
    pub config: BTreeMap<String, String>,
}

/// Names the configuration's keys only: its values are the credential.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("job_id", &self.job_id)
            .field("authorization_id", &self.authorization_id)
            .field("provider", &self.provider)
            .field("method", &self.method)
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Services {
    /// A job of the tenant, or 404.
    async fn job_of(&self, tenant: &TenantId, id: &JobId) -> Result<JobRow, Problem> {
        let mut conn = self.db.conn().await?;
        store::find(&mut conn, tenant, id)
            .await?
            .ok_or_else(|| Problem::not_found("job"))
    }

    /// Hands a job's credential to its runner: refused unless the job may run (running
    /// or sleeping); counted as a request of the authorization and recorded, in one
    /// transaction, before the secret leaves.
    pub async fn fetch_credential(
        &self,
        actor: &Actor<'_>,
        job: &JobId,
    ) -> Result<Credential, Problem> {
        let found = self.job_of(actor.in_tenant()?, job).await?;
        if !matches!(found.status, JobStatus::Running | JobStatus::Sleeping) {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "job_not_runnable",
                format!(
                    "the job is {}; only a running or sleeping job gets its credential",
                    found.status.code()
                ),
            ));
        }
        let (authorization, _) = found.authorization.ok_or_else(|| {
            Problem::new(
                ProblemKind::Conflict,
                "no_authorization",
                "the job's authorization was deleted",
            )
        })?;
        let stored = self
            .stored_authorization(actor.in_tenant()?, &authorization)
            .await?;
        let config = self.open_config(actor.in_tenant()?, &stored)?;
        let mut tx = self.db.write().await?;
        auth_store::count_request(&mut tx, &authorization, hour_of(Utc::now())).await?;
        let name = format!("{} for job {}", stored.row.label, found.name);
        actor
            .record(
                &mut tx,
                "authorization/fetch",
                (authorization.as_str(), &name),
            )
            .await?;
        tx.commit().await?;
        Ok(Credential {
            job_id: found.id,
            authorization_id: authorization,
            provider: stored.row.provider,
            method: stored.row.method,
            config,
        })
    }

    /// What making a job or importing an experience starts with: `manage_jobs`, a valid name,
    /// and an authorization of the caller's tenant (404 naming the field otherwise).
    async fn job_prologue(
        &self,
        caller: &Caller,
        name: &str,
        authorization: &AuthorizationId,
    ) -> Result<
        (
            crate::services::people::Checked,
            String,
            crate::store::authorizations::Stored,
        ),
        Problem,
    > {
        let checked = self.require(caller, Action::ManageJobs, None).await?;
        let name = check_job_name(name)?;
        let stored = self
            .stored_authorization(checked.tenant(), authorization)
            .await
            .map_err(|p| p.with_field("authorization"))?;
        Ok((checked, name, stored))
    }

    /// A runner's report of where its job is.
    pub async fn report_status(
        &self,
        actor: &Actor<'_>,
        job: &JobId,
        status: JobStatus,
        detail: &str,
    ) -> Result<JobRow, Problem> {
        let detail = check_description(detail).map_err(|p| p.with_field("detail"))?;
        let found = self.job_of(actor.in_tenant()?, job).await?;
        let to = next_status(found.status, StatusChange::Report(status))?;
        self.move_job(actor, &found, to, &detail, "job/report")
            .await?;
        self.job_of(actor.in_tenant()?, job).await
    }

    /// Moves a job from its current status to `to`, recorded as `event_type`; a concurrent
    /// change wins and this one is refused.
    async fn move_job(
        &self,
        actor: &Actor<'_>,
        job: &JobRow,
        to: JobStatus,
        detail: &str,
        event_type: &str,
    ) -> Result<(), Problem> {
        let mut tx = self.db.write().await?;
        let moved = store::set_status(
            &mut tx,
            actor.in_tenant()?,
            &job.id,
            job.status,
            to,
            detail,
            Utc::now(),
        )
        .await?;
        if !moved {
            return Err(changed_meanwhile());
        }
        let name = format!("{}: {} → {}", job.name, job.status.code(), to.code());
        actor
            .record(&mut tx, event_type, (job.id.as_str(), &name))
            .await?;
        Ok(tx.commit().await?)
    }
}

fn changed_meanwhile() -> Problem {
    Problem::new(
        ProblemKind::Conflict,
        "job_changed",
        "the job changed meanwhile; reload it and try again",
    )
}

#[async_trait]
impl Jobs for Services {
    async fn list_jobs(&self, caller: &Caller, query: JobQuery) -> Result<Page<JobRow>, Problem> {
        let checked = self.require(caller, Action::ViewJobs, None).await?;
        if let Some(a) = &query.authorization {
            self.stored_authorization(checked.tenant(), a).await?;
        }
        Ok(store::list(&self.db.pool, checked.tenant(), &query).await?)
    }

    async fn job(&self, caller: &Caller, id: JobId) -> Result<JobRow, Problem> {
        let checked = self.require(caller, Action::ViewJobs, None).await?;
        self.job_of(checked.tenant(), &id).await
    }

    async fn create_job(
        &self,
        caller: &Caller,
        name: String,
        job_type: JobType,
        authorization: AuthorizationId,
        runner: Option<AppId>,
        meta: RequestMeta,
    ) -> Result<JobId, Problem> {
        let (checked, name, stored) = self.job_prologue(caller, &name, &authorization).await?;
        let (_, method) = providers::method(&stored.row.provider, &stored.row.method)?;
        check_job_type(method, job_type)?;
        let target = Target::Tenant(checked.tenant().clone());
        if let Some(app) = &runner {
            let runs_here = installs::of_target(&self.db.pool, &target)
                .await?
                .iter()
                .any(|i| &i.app == app && i.suspended.is_none());
            if !runs_here {
                return Err(Problem::invalid(
                    "runner",
                    "runner_not_installed",
                    "choose an app installed on this tenant to run the job",
                ));
            }
        }
        let id = new_id(JobId::from_bytes);
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self.db.write().await?;
        store::insert(
            &mut tx,
            NewJob {
                id: &id,
                tenant: actor.in_tenant()?,
                authorization: &authorization,
                name: &name,
                job_type,
                runner: runner.as_ref(),
                created_by: &caller.viewer.user_id,
                now: received(&meta),
            },
        )
        .await?;
        let object = format!("{name} ({}, {})", job_type.label(), stored.row.label);
        actor
            .record(&mut tx, "job/create", (id.as_str(), &object))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn job_runners(&self, caller: &Caller) -> Result<Vec<(AppId, String)>, Problem> {
        // Anyone who sees the tenant's jobs may see which apps could run them.
        let checked = self.require(caller, Action::ViewJobs, None).await?;
        let target = Target::Tenant(checked.tenant().clone());
        let mut apps: Vec<(AppId, String)> = installs::of_target(&self.db.pool, &target)
            .await?
            .into_iter()
            .filter(|i| i.suspended.is_none())
            .map(|i| (i.app, i.app_name))
            .collect();
        apps.sort_by_key(|a| a.1.to_lowercase());
        Ok(apps)
    }

    async fn change_job(
        &self,
        caller: &Caller,
        id: JobId,
        change: StatusChange,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageJobs, None).await?;
        let found = self.job_of(checked.tenant(), &id).await?;
        let to = next_status(found.status, change)?;
        let (event, detail) = match change {
            StatusChange::Pause => ("job/pause", format!("paused by {}", caller.viewer.name)),
            StatusChange::Resume => ("job/resume", format!("resumed by {}", caller.viewer.name)),
            StatusChange::Report(_) => ("job/report", String::new()),
        };
        let actor = Actor::person(checked.tenant(), caller, &meta);
        self.move_job(&actor, &found, to, &detail, event).await
    }

    async fn delete_job(
        &self,
        caller: &Caller,
        id: JobId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageJobs, None).await?;
        let found = self.job_of(checked.tenant(), &id).await?;
        check_job_delete(found.status)?;
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self.db.write().await?;
        if !store::delete(&mut tx, actor.in_tenant()?, &id, found.status).await? {
            return Err(changed_meanwhile());
        }
        actor
            .record(&mut tx, "job/delete", (id.as_str(), &found.name))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn experiences(&self, caller: &Caller) -> Result<Vec<ExperienceRow>, Problem> {
        let checked = self.require(caller, Action::ViewJobs, None).await?;
        Ok(store::experiences(&self.db.pool, checked.tenant(), None).await?)
    }

    async fn import_experience(
        &self,
        caller: &Caller,
        name: String,
        authorization: AuthorizationId,
        meta: RequestMeta,
    ) -> Result<ExperienceId, Problem> {
        let (checked, name, stored) = self.job_prologue(caller, &name, &authorization).await?;
        let id = new_id(ExperienceId::from_bytes);
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self.db.write().await?;
        store::insert_experience(
            &mut tx,
            actor.in_tenant()?,
            &id,
            &authorization,
            &name,
            received(&meta),
        )
        .await?;
        let object = format!("{name} ({})", stored.row.label);
        actor
            .record(&mut tx, "experience/import", (id.as_str(), &object))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn retire_experience(
        &self,
        caller: &Caller,
        id: ExperienceId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageJobs, None).await?;
        let actor = Actor::person(checked.tenant(), caller, &meta);
        let mut tx = self.db.write().await?;
        let name = store::retire_experience(&mut tx, actor.in_tenant()?, &id)
            .await?
            .ok_or_else(|| Problem::not_found("active experience"))?;
        actor
            .record(&mut tx, "experience/retire", (id.as_str(), &name))
            .await?;
        Ok(tx.commit().await?)
    }
}
