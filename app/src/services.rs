//! The boundary between server functions and the server (server build only).
//!
//! Server functions are public HTTP endpoints. Each one reads the caller from the request,
//! checks it, and then hands over to a [`Console`] the server provides through Leptos context.
//! `app` holds no SQL and no storage types: everything behind this trait lives in `server`.

use crate::model::{
    Customer360, DomainRequestRow, OutboxMessage, Page, PeopleDirectory, TablePreview,
    TenantOverview, UserRow,
};
use async_trait::async_trait;
use portcullis_core::email::Email;
use portcullis_core::ids::TenantId;
use portcullis_core::ids::{DatabaseId, ResourceGroupId, UserId};
use portcullis_core::password::Password;
use portcullis_core::people::AssignmentPair;
use portcullis_core::tenancy::Viewer;
pub use portcullis_core::wire::{ActivityQuery, AuthorizationQuery, JobQuery, UserQuery};
use portcullis_core::Problem;
use std::sync::Arc;

/// Facts about the request that services record (origin IP for the activity log).
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The client's address as the server sees it (or from a trusted proxy's header).
    pub origin_ip: Option<String>,
    pub user_agent: Option<String>,
    /// When the server received the request: the one clock read its decisions and records
    /// share. `None` for calls that did not come through the server's HTTP layer.
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A session just created: the raw token goes into the cookie, only its hash is stored.
#[derive(Clone)]
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("max_age_secs", &self.max_age_secs)
            .finish_non_exhaustive()
    }
}

/// A signed-in caller: who, and through which session.
#[derive(Debug, Clone)]
pub struct Caller {
    pub viewer: Viewer,
    /// Hash of the session token, to end or update this session.
    pub session_hash: String,
}

/// What the browser app may ask of the server.
#[async_trait]
pub trait Console:
    People + Invitations + Activity + Apps + Authorizations + Jobs + Sso + Send + Sync + 'static
{
    /// Whether session cookies carry `Secure` (behind TLS).
    fn secure_cookies(&self) -> bool;

    /// Checks the password and opens a new session; `replaces` (a session cookie presented at
    /// sign-in) is ended so that a planted session id never becomes a signed-in one.
    async fn sign_in(
        &self,
        email: Email,
        password: Password,
        replaces: Option<String>,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem>;

    /// Ends the session on the server.
    async fn sign_out(&self, caller: &Caller, meta: RequestMeta) -> Result<(), Problem>;

    /// The caller behind a session token, if the session is live.
    async fn caller(&self, session_token: &str) -> Result<Option<Caller>, Problem>;

    /// Moves the session into another tenant the caller may enter.
    async fn switch_tenant(&self, caller: &Caller, tenant: TenantId) -> Result<(), Problem>;

    /// The current tenant at a glance.
    async fn overview(&self, caller: &Caller) -> Result<TenantOverview, Problem>;

    /// Creates the first operator through the one-time setup link and signs them in.
    async fn complete_setup(
        &self,
        setup_token: String,
        name: String,
        email: Email,
        password: Password,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem>;
}

/// How server functions find the server's services.
pub type SharedConsole = Arc<dyn Console>;

/// The activity log: reading it needs `view_activity` in the current tenant.
#[async_trait]
pub trait Activity: Send + Sync {
    /// One page of the current tenant's events.
    async fn list_activity(
        &self,
        caller: &Caller,
        query: ActivityQuery,
    ) -> Result<Page<crate::model::EventRow>, Problem>;
}

/// Applications and bot tokens: a developer's own apps, managed from the Apps page.
/// Someone else's app answers 404.
#[async_trait]
pub trait Apps: Send + Sync {
    /// The caller's applications with their tokens (never a secret).
    async fn my_apps(&self, caller: &Caller) -> Result<Vec<crate::model::AppRow>, Problem>;
    /// Creates an application asking for `requests`, each with its reason.
    async fn create_app(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        requests: Vec<portcullis_core::apps::PermissionRequest>,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::AppId, Problem>;
    /// Replaces what an application asks for.
    async fn set_app_permissions(
        &self,
        caller: &Caller,
        app: portcullis_core::ids::AppId,
        version: i64,
        requests: Vec<portcullis_core::apps::PermissionRequest>,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Makes an authentication token; its secret is in the answer and nowhere else, ever.
    async fn create_token(
        &self,
        caller: &Caller,
        app: portcullis_core::ids::AppId,
        name: String,
        meta: RequestMeta,
    ) -> Result<crate::model::NewToken, Problem>;
    /// What installing `app` on the current tenant would grant (needs `manage_apps`).
    async fn consent(
        &self,
        caller: &Caller,
        app: portcullis_core::ids::AppId,
        agency: Option<portcullis_core::ids::AgencyId>,
    ) -> Result<crate::model::Consent, Problem>;
    /// Installs `app` on the current tenant, or on `agency` if the caller administers it,
    /// granting exactly what the consent screen listed.
    async fn install(
        &self,
        caller: &Caller,
        app: portcullis_core::ids::AppId,
        agency: Option<portcullis_core::ids::AgencyId>,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::InstallId, Problem>;
    /// The apps installed on the current tenant (needs `view_apps`) and on the agencies the
    /// caller administers.
    async fn installs(&self, caller: &Caller) -> Result<Vec<crate::model::InstallRow>, Problem>;
    /// Grants what an installed app asks for beyond its grant.
    async fn approve_install(
        &self,
        caller: &Caller,
        install: portcullis_core::ids::InstallId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Removes an app from the current tenant: its bots lose access at once.
    async fn uninstall(
        &self,
        caller: &Caller,
        install: portcullis_core::ids::InstallId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Revokes a token: its next call is refused.
    async fn revoke_token(
        &self,
        caller: &Caller,
        token: portcullis_core::ids::TokenId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
}

/// A person to add to the current tenant, already checked by core.
#[derive(Debug, Clone)]
pub struct NewUserRequest {
    pub name: String,
    pub email: Email,
    pub policy: portcullis_core::ids::PolicyId,
    pub group: portcullis_core::ids::ResourceGroupId,
    pub send_welcome: bool,
}

/// People, access and Customer 360. Every method decides through core's
/// `TenantAccess::decide` for the caller's current tenant before it reads or changes anything.
#[async_trait]
pub trait People: Send + Sync {
    /// Policies, groups, the domain allowlist and the caller's own access data.
    async fn directory(&self, caller: &Caller) -> Result<PeopleDirectory, Problem>;
    /// One page of the tenant's users.
    async fn list_users(&self, caller: &Caller, query: UserQuery)
        -> Result<Page<UserRow>, Problem>;
    /// Adds a new person to the current tenant, or invites someone who has an account already
    /// (they join when they accept).
    async fn add_user(
        &self,
        caller: &Caller,
        new: NewUserRequest,
        meta: RequestMeta,
    ) -> Result<crate::model::AddedUser, Problem>;
    /// Renames a person and replaces their assignments in the current tenant.
    async fn edit_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        name: String,
        assignments: Vec<AssignmentPair>,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Deletes a person from every tenant.
    async fn delete_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Removes a person from the current tenant only.
    async fn revoke_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Creates a custom resource group.
    async fn create_group(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        meta: RequestMeta,
    ) -> Result<ResourceGroupId, Problem>;
    /// Creates a custom policy: a named set of actions.
    async fn create_policy(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        actions: std::collections::BTreeSet<portcullis_core::actions::Action>,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::PolicyId, Problem>;
    /// Deletes a custom resource group nothing uses.
    async fn delete_group(
        &self,
        caller: &Caller,
        group: ResourceGroupId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Asks operators to allowlist a domain.
    async fn request_domain(
        &self,
        caller: &Caller,
        domain: String,
        reason: String,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// The caller's own requests, or every request for an operator.
    async fn domain_requests(&self, caller: &Caller) -> Result<Vec<DomainRequestRow>, Problem>;
    /// An operator approves (allowlisting the domain) or rejects a request.
    async fn review_domain(
        &self,
        caller: &Caller,
        request: String,
        approve: bool,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Mail kept for lack of SMTP (operators only).
    async fn outbox(&self, caller: &Caller) -> Result<Vec<OutboxMessage>, Problem>;
    /// Sets a password through a welcome link and signs the person in.
    async fn set_password(
        &self,
        token: String,
        password: Password,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem>;
    /// The databases the caller reaches.
    async fn customer_360(&self, caller: &Caller) -> Result<Customer360, Problem>;
    /// Gives a database to one custom group, or to *All resource groups* only (`None`).
    async fn change_database_group(
        &self,
        caller: &Caller,
        database: DatabaseId,
        version: i64,
        group: Option<ResourceGroupId>,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// A table's first rows, PII masked unless the caller may see it and asked to.
    async fn preview_table(
        &self,
        caller: &Caller,
        database: DatabaseId,
        table: String,
        unmask: bool,
        meta: RequestMeta,
    ) -> Result<TablePreview, Problem>;
    /// Whether the caller may open the Sources area (only through an assignment on *All
    /// resource groups*), with the reason.
    async fn sources(&self, caller: &Caller) -> Result<portcullis_core::decide::Decision, Problem>;
}

/// A new authorization as the wizard sends it; core checks it again on the server.
#[derive(Clone)]
pub struct NewAuthorization {
    pub provider: String,
    pub method: String,
    pub label: String,
    pub description: String,
    pub config: std::collections::BTreeMap<String, String>,
}

/// Names the configuration's keys only: its values hold the credential's secrets.
impl std::fmt::Debug for NewAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAuthorization")
            .field("provider", &self.provider)
            .field("method", &self.method)
            .field("label", &self.label)
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Authorizations for third-party tools. Reading needs `view_authorizations`, changing
/// `manage_authorizations`, in the caller's current tenant; another tenant's answers 404.
#[async_trait]
pub trait Authorizations: Send + Sync {
    /// One page of the dashboard.
    async fn list_authorizations(
        &self,
        caller: &Caller,
        query: AuthorizationQuery,
    ) -> Result<Page<crate::model::AuthorizationRow>, Problem>;
    /// The summary page.
    async fn authorization(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
    ) -> Result<crate::model::AuthorizationSummary, Problem>;
    /// Creates one; secrets are sealed before they are stored.
    async fn create_authorization(
        &self,
        caller: &Caller,
        new: NewAuthorization,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::AuthorizationId, Problem>;
    /// Changes the label and description only; the configuration never changes.
    async fn edit_authorization(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
        version: i64,
        label: String,
        description: String,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Deletes one nothing holds; otherwise a conflict listing the blockers.
    async fn delete_authorization(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Checks its health with the provider now.
    async fn check_authorization(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
        meta: RequestMeta,
    ) -> Result<crate::model::AuthorizationSummary, Problem>;
    /// Requests made with it, per step, over a window.
    async fn authorization_metrics(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        step: portcullis_core::metrics::Granularity,
    ) -> Result<Vec<portcullis_core::metrics::Bucket>, Problem>;
    /// The authorizations whose method can run `job_type` (the job wizard's choose step).
    async fn authorizations_for_job(
        &self,
        caller: &Caller,
        job_type: portcullis_core::providers::JobType,
    ) -> Result<Vec<crate::model::AuthorizationRow>, Problem>;
    /// Starts an OAuth method's consent: the provider's authorize URL to send the browser to.
    async fn start_oauth(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::AuthorizationId,
    ) -> Result<String, Problem>;
}

/// Jobs and imported experiences. Reading needs `view_jobs`, changing `manage_jobs`.
#[async_trait]
pub trait Jobs: Send + Sync {
    /// One page of jobs.
    async fn list_jobs(
        &self,
        caller: &Caller,
        query: JobQuery,
    ) -> Result<Page<crate::model::JobRow>, Problem>;
    /// One job.
    async fn job(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::JobId,
    ) -> Result<crate::model::JobRow, Problem>;
    /// Creates a job on an authorization whose method supports its type, run by `runner`, an
    /// app installed on the tenant (or by none yet).
    async fn create_job(
        &self,
        caller: &Caller,
        name: String,
        job_type: portcullis_core::providers::JobType,
        authorization: portcullis_core::ids::AuthorizationId,
        runner: Option<portcullis_core::ids::AppId>,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::JobId, Problem>;
    /// The apps installed on the tenant, which may run its jobs, by name.
    async fn job_runners(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(portcullis_core::ids::AppId, String)>, Problem>;
    /// Pauses or resumes a job.
    async fn change_job(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::JobId,
        change: portcullis_core::jobs::StatusChange,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Deletes a job that is not running.
    async fn delete_job(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::JobId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// The tenant's imported experiences, newest first.
    async fn experiences(
        &self,
        caller: &Caller,
    ) -> Result<Vec<crate::model::ExperienceRow>, Problem>;
    /// Imports an experience that uses an authorization.
    async fn import_experience(
        &self,
        caller: &Caller,
        name: String,
        authorization: portcullis_core::ids::AuthorizationId,
        meta: RequestMeta,
    ) -> Result<portcullis_core::ids::ExperienceId, Problem>;
    /// Retires an experience: it no longer holds its authorization.
    async fn retire_experience(
        &self,
        caller: &Caller,
        id: portcullis_core::ids::ExperienceId,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
}

/// A tenant's identity provider as the settings form sends it; a blank secret keeps the stored one.
#[derive(Clone)]
pub struct SsoProviderInput {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub groups_claim: String,
    /// Email domains whose people sign in through it, separated by commas or spaces.
    pub domains: String,
    /// The version of the setup the edit was made from; 0 when there was none yet.
    pub version: i64,
}

/// Prints everything but the client secret.
impl std::fmt::Debug for SsoProviderInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoProviderInput")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("groups_claim", &self.groups_claim)
            .field("domains", &self.domains)
            .finish_non_exhaustive()
    }
}

/// SSO: settings need `manage_sso` in the current tenant; starting a sign-in is public.
#[async_trait]
pub trait Sso: Send + Sync {
    /// The provider (never its secret), the mappings and the tenant's sign-in link.
    async fn sso_settings(&self, caller: &Caller) -> Result<crate::model::SsoSettings, Problem>;
    /// Saves the provider after reading its discovery document.
    async fn save_sso_provider(
        &self,
        caller: &Caller,
        input: SsoProviderInput,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Maps an IdP group to a (policy, resource group).
    async fn add_sso_mapping(
        &self,
        caller: &Caller,
        mapping: portcullis_core::sso::GroupMapping,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// Removes a mapping; the next sign-in of its people removes what it gave.
    async fn remove_sso_mapping(
        &self,
        caller: &Caller,
        mapping: portcullis_core::sso::GroupMapping,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
    /// A member's assignments by source, for the dry run.
    async fn sso_user_assignments(
        &self,
        caller: &Caller,
        email: Email,
    ) -> Result<crate::model::AssignmentsBySource, Problem>;
    /// Starts an SSO sign-in for a person (by their email's domain) or a tenant (by its sign-in
    /// link); answers the provider's authorize URL and the value that binds the sign-in to the
    /// browser that started it.
    async fn start_sso(
        &self,
        email: Option<Email>,
        tenant: Option<TenantId>,
        meta: RequestMeta,
    ) -> Result<SsoStart, Problem>;
}

/// How long a started SSO sign-in may take, in seconds.
pub const SSO_SIGN_IN_SECS: i64 = 600;

/// Tenants' invitations to the signed-in person, who accepts or declines each.
#[async_trait]
pub trait Invitations: Send + Sync {
    /// The caller's open invitations, newest first.
    async fn invitations(&self, caller: &Caller) -> Result<Vec<crate::model::Invitation>, Problem>;
    /// Accepts (joining the tenant with the access it offered) or declines an invitation.
    async fn answer_invitation(
        &self,
        caller: &Caller,
        tenant: TenantId,
        accept: bool,
        meta: RequestMeta,
    ) -> Result<(), Problem>;
}

/// A started SSO sign-in.
pub struct SsoStart {
    /// The identity provider's page to open.
    pub url: String,
    /// Goes to the browser in an HttpOnly cookie; the callback accepts the state only with it.
    pub browser_binding: String,
}
