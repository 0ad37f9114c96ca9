//! Applications and bot tokens: the server's side of [`Apps`], and how a REST call's
//! bot token is authenticated.
//!
//! Apps belong to the developer who made them: another person's app answers 404. Changes are
//! recorded in the developer's current tenant (the platform's log when they are in none).

use crate::crypto::secrets::{new_token, token_hash};
use crate::services::audit::received;
use crate::services::audit::Actor;
use crate::services::Services;
use crate::store::apps::{self, NewApp, NewTokenRow, StoredBot};
use crate::store::new_id;
use crate::store::reads::Snapshot;
use crate::store::versions::Versioned;
use crate::store::{installs, tenants};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portcullis_app::services::{Apps, Caller, RequestMeta};
use portcullis_core::actions::Action;
use portcullis_core::apps::MAX_TOKENS_PER_APP;
use portcullis_core::apps::{check_requests, parse_authorization, PermissionRequest, TOKEN_PREFIX};
use portcullis_core::apps::{consent_list, pending_approval, Install, Permission, Target};
use portcullis_core::ids::{AgencyId, InstallId};
use portcullis_core::ids::{AppId, TokenId};
use portcullis_core::people::{check_description, check_name};
use portcullis_core::wire::{AppRow, Consent, InstallRow, NewToken, TokenRow};
use portcullis_core::Problem;
use portcullis_core::ProblemKind;
use std::collections::BTreeSet;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// How an install's record names what it granted: `App: perm, perm`.
fn granted_name(app_name: &str, granted: &[Permission]) -> String {
    let codes: Vec<&str> = granted.iter().map(|p| p.code()).collect();
    format!("{app_name}: {}", codes.join(", "))
}

impl Services {
    /// Where the caller installs: an agency they administer, or else their current tenant
    /// (which needs `manage_apps`). An agency they do not administer answers 404.
    async fn install_target(
        &self,
        caller: &Caller,
        agency: Option<AgencyId>,
    ) -> Result<(Target, String), Problem> {
        match agency {
            Some(agency) => self
                .my_agencies(caller)
                .await?
                .into_iter()
                .find(|(a, _)| a == &agency)
                .map(|(a, name)| (Target::Agency(a), name))
                .ok_or_else(|| Problem::not_found("agency")),
            None => match self.require(caller, Action::ManageApps, None).await {
                Ok(checked) => {
                    let name = caller
                        .viewer
                        .current_tenant()
                        .map(|t| t.name.clone())
                        .unwrap_or_default();
                    Ok((Target::Tenant(checked.tenant().clone()), name))
                }
                // Someone who administers agencies but may not install here (an agency's
                // staff, often in no tenant at all) installs on their first agency.
                Err(refused) => match self.my_agencies(caller).await?.into_iter().next() {
                    Some((a, name)) => Ok((Target::Agency(a), name)),
                    None => Err(refused),
                },
            },
        }
    }

    /// The agencies the caller administers; none for a session a tenant's identity provider
    /// opened, which vouches for the person in that tenant only.
    async fn my_agencies(&self, caller: &Caller) -> Result<Vec<(AgencyId, String)>, Problem> {
        if caller.viewer.through_sso {
            return Ok(Vec::new());
        }
        Ok(tenants::agencies_of(&self.db.pool, &caller.viewer.user_id).await?)
    }

    /// An install the caller may manage: on their current tenant (`manage_apps`) or on an
    /// agency they administer; else 404.
    async fn managed_install(
        &self,
        caller: &Caller,
        install: &InstallId,
    ) -> Result<(Target, installs::InstallRecord), Problem> {
        let mut targets: Vec<Target> = Vec::new();
        if let Ok(checked) = self.require(caller, Action::ManageApps, None).await {
            targets.push(Target::Tenant(checked.tenant().clone()));
        }
        for (agency, _) in self.my_agencies(caller).await? {
            targets.push(Target::Agency(agency));
        }
        for target in targets {
            if let Some(found) = installs::find(&self.db.pool, &target, install).await? {
                return Ok((target, found));
            }
        }
        Err(Problem::not_found("install"))
    }

    /// What an installed app asks for now, and which of that awaits the installer's approval.
    async fn requests_of(
        &self,
        target: &Target,
        found: &installs::InstallRecord,
    ) -> Result<(Vec<PermissionRequest>, BTreeSet<Permission>), Problem> {
        let requested = apps::permissions(&self.db.pool, &found.app).await?;
        let current: BTreeSet<Permission> = requested.iter().map(|r| r.permission).collect();
        let install = Install {
            id: found.id.clone(),
            target: target.clone(),
            granted: found.granted.clone(),
        };
        let pending = pending_approval(&install, &current);
        Ok((requested, pending))
    }

    /// The installs on `target`, named `target_name`, as the Apps page lists them.
    async fn install_rows(
        &self,
        target: &Target,
        target_name: &str,
    ) -> Result<Vec<InstallRow>, Problem> {
        let mut out = Vec::new();
        for i in installs::of_target(&self.db.pool, target).await? {
            let (requested, pending) = self.requests_of(target, &i).await?;
            out.push(InstallRow {
                pending: requested
                    .into_iter()
                    .filter(|r| pending.contains(&r.permission))
                    .collect(),
                id: i.id,
                app_name: i.app_name,
                target_name: target_name.to_owned(),
                granted: i.granted.into_iter().collect(),
                installed_by: i.installed_by,
                created_at: i.created_at,
                suspended: i.suspended,
            });
        }
        Ok(out)
    }

    /// The caller's app, or 404 (another person's app is not revealed).
    async fn own_app(&self, caller: &Caller, app: &AppId) -> Result<(), Problem> {
        developer(caller)?;
        if apps::is_owner(&self.db.pool, &caller.viewer.user_id, app).await? {
            Ok(())
        } else {
            Err(Problem::not_found("app"))
        }
    }
}

#[async_trait]
impl Apps for Services {
    async fn my_apps(&self, caller: &Caller) -> Result<Vec<AppRow>, Problem> {
        Ok(apps::owned_by(&self.db.pool, &caller.viewer.user_id).await?)
    }

    async fn create_app(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        requests: Vec<PermissionRequest>,
        meta: RequestMeta,
    ) -> Result<AppId, Problem> {
        developer(caller)?;
        let name = check_name("name", &name)?;
        let description = check_description(&description)?;
        let requests = check_requests(&requests)?;
        let id = new_id(AppId::from_bytes);
        let now = received(&meta);
        let mut tx = self.db.write().await?;
        apps::insert(
            &mut tx,
            NewApp {
                id: &id,
                owner: &caller.viewer.user_id,
                name: &name,
                description: &description,
                now,
            },
        )
        .await?;
        apps::replace_permissions(&mut tx, &id, &requests, now).await?;
        Actor::caller(caller, &meta)
            .record(&mut tx, "app/create", (id.as_str(), &name))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn set_app_permissions(
        &self,
        caller: &Caller,
        app: AppId,
        version: i64,
        requests: Vec<PermissionRequest>,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        self.own_app(caller, &app).await?;
        let requests = check_requests(&requests)?;
        let codes: Vec<&str> = requests.iter().map(|r| r.permission.code()).collect();
        let mut tx = self
            .db
            .edit(Versioned::App, &app, &caller.viewer.user_id, version)
            .await?;
        apps::replace_permissions(&mut tx, &app, &requests, received(&meta)).await?;
        let summary = if codes.is_empty() {
            "no permissions".to_owned()
        } else {
            codes.join(", ")
        };
        Actor::caller(caller, &meta)
            .record(&mut tx, "app/update_permissions", (app.as_str(), &summary))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn create_token(
        &self,
        caller: &Caller,
        app: AppId,
        name: String,
        meta: RequestMeta,
    ) -> Result<NewToken, Problem> {
        self.own_app(caller, &app).await?;
        let name = check_name("name", &name)?;
        let id = new_id(TokenId::from_bytes);
        // The public half identifies the token in requests and lists; the secret is 256 random
        // bits of which only the SHA-256 is kept.
        let public_token = format!("{TOKEN_PREFIX}{}", &new_token()[..32]);
        let secret = new_token();
        let now = received(&meta);
        let mut tx = self.db.write().await?;
        let active = apps::active_tokens_locked(&mut tx, &app).await?;
        if active >= i64::from(MAX_TOKENS_PER_APP) {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "too_many_tokens",
                format!(
                    "an app may hold {MAX_TOKENS_PER_APP} active tokens; revoke one it no longer uses first"
                ),
            )
            .with_field("name"));
        }
        apps::insert_token(
            &mut tx,
            NewTokenRow {
                id: &id,
                app: &app,
                name: &name,
                public_token: &public_token,
                secret_hash: &token_hash(&secret),
                created_by: &caller.viewer.user_id,
                now,
            },
        )
        .await?;
        Actor::caller(caller, &meta)
            .record(
                &mut tx,
                "token/create",
                (id.as_str(), &format!("{name} ({public_token})")),
            )
            .await?;
        tx.commit().await?;
        Ok(NewToken {
            token: TokenRow {
                id,
                name,
                public_token,
                created_at: now,
                last_used: None,
                revoked: None,
            },
            secret,
        })
    }

    async fn consent(
        &self,
        caller: &Caller,
        app: AppId,
        agency: Option<AgencyId>,
    ) -> Result<Consent, Problem> {
        let (target, target_name) = self.install_target(caller, agency).await?;
        let pool = &self.db.pool;
        let (app_name, description, developer) = apps::public_face(pool, &app)
            .await?
            .ok_or_else(|| Problem::not_found("app"))?;
        let requested = apps::permissions(pool, &app).await?;
        let applies: BTreeSet<Permission> = requested.iter().map(|r| r.permission).collect();
        let listed = consent_list(&applies, &target);
        Ok(Consent {
            installed: installs::is_installed(pool, &target, &app).await?,
            grants: requested
                .into_iter()
                .filter(|r| listed.contains(&r.permission))
                .collect(),
            target_name,
            agency_id: match &target {
                Target::Agency(a) => Some(a.clone()),
                Target::Tenant(_) => None,
            },
            tenant_installable: self.require(caller, Action::ManageApps, None).await.is_ok(),
            agencies: self.my_agencies(caller).await?,
            app_id: app,
            app_name,
            description,
            developer,
        })
    }

    async fn install(
        &self,
        caller: &Caller,
        app: AppId,
        agency: Option<AgencyId>,
        meta: RequestMeta,
    ) -> Result<InstallId, Problem> {
        let consent = self.consent(caller, app.clone(), agency.clone()).await?;
        if consent.installed {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "already_installed",
                format!(
                    "{} is already installed on {}",
                    consent.app_name, consent.target_name
                ),
            ));
        }
        // Where consent looked (and checked the caller may install): its agency, or else the
        // current tenant. Not worked out again.
        let target = match consent.agency_id.clone() {
            Some(a) => Target::Agency(a),
            None => Target::Tenant(
                caller
                    .viewer
                    .current
                    .clone()
                    .ok_or_else(|| Problem::not_found("tenant"))?,
            ),
        };
        let id = new_id(InstallId::from_bytes);
        let granted: Vec<Permission> = consent.grants.iter().map(|r| r.permission).collect();
        let mut tx = self.db.write().await?;
        installs::insert(
            &mut tx,
            &id,
            &app,
            &target,
            &caller.viewer.user_id,
            received(&meta),
        )
        .await?;
        installs::grant(&mut tx, &id, &granted).await?;
        let name = format!(
            "{} on {}",
            granted_name(&consent.app_name, &granted),
            consent.target_name
        );
        Actor::caller(caller, &meta)
            .record(&mut tx, "install/create", (id.as_str(), &name))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn installs(&self, caller: &Caller) -> Result<Vec<InstallRow>, Problem> {
        let agencies = self.my_agencies(caller).await?;
        let mut out = match self.require(caller, Action::ViewApps, None).await {
            Ok(checked) => {
                let tenant_name = caller
                    .viewer
                    .current_tenant()
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                self.install_rows(&Target::Tenant(checked.tenant().clone()), &tenant_name)
                    .await?
            }
            // An agency's staff see their agencies' installs without tenant access.
            Err(_) if !agencies.is_empty() => Vec::new(),
            Err(refused) => return Err(refused),
        };
        for (agency, name) in agencies {
            out.extend(
                self.install_rows(&Target::Agency(agency), &format!("{name} (agency)"))
                    .await?,
            );
        }
        Ok(out)
    }

    async fn approve_install(
        &self,
        caller: &Caller,
        install: InstallId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let (target, found) = self.managed_install(caller, &install).await?;
        let (_, pending) = self.requests_of(&target, &found).await?;
        let pending: Vec<Permission> = pending.into_iter().collect();
        let suspended = found.suspended.is_some();
        if !suspended && pending.is_empty() {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "nothing_pending",
                "this app asks for nothing new",
            ));
        }
        let mut tx = self.db.write().await?;
        // Re-approving a suspended install resumes it with what it was granted.
        let (event, name) = if suspended {
            installs::resume(&mut tx, &target, &install).await?;
            ("install/resume", found.app_name.clone())
        } else {
            installs::grant(&mut tx, &install, &pending).await?;
            ("install/approve", granted_name(&found.app_name, &pending))
        };
        Actor::caller(caller, &meta)
            .record(&mut tx, event, (install.as_str(), &name))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn uninstall(
        &self,
        caller: &Caller,
        install: InstallId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let (target, found) = self.managed_install(caller, &install).await?;
        let mut tx = self.db.write().await?;
        installs::delete(&mut tx, &target, &install).await?;
        Actor::caller(caller, &meta)
            .record(
                &mut tx,
                "install/delete",
                (install.as_str(), &found.app_name),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    async fn revoke_token(
        &self,
        caller: &Caller,
        token: TokenId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        developer(caller)?;
        let (row, _) = apps::owned_token(&self.db.pool, &caller.viewer.user_id, &token)
            .await?
            .ok_or_else(|| Problem::not_found("token"))?;
        let mut tx = self.db.write().await?;
        if !apps::revoke(&mut tx, &token, received(&meta)).await? {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "already_revoked",
                "this token is already revoked",
            ));
        }
        Actor::caller(caller, &meta)
            .record(
                &mut tx,
                "token/revoke",
                (
                    token.as_str(),
                    &format!("{} ({})", row.name, row.public_token),
                ),
            )
            .await?;
        Ok(tx.commit().await?)
    }
}

/// A REST caller authenticated by bot token, with what core decides its calls by.
#[derive(Debug, Clone)]
pub struct Bot {
    pub token: TokenRow,
    pub app: AppId,
    pub app_name: String,
    /// The app's current permissions, its installs and their grants (read with the token).
    pub access: portcullis_core::apps::BotAccess,
}

/// A token as the token check reads it, remembered by the reader connection until the
/// database changes (`store::memo`).
struct KnownToken {
    secret_hash: String,
    bot: Arc<Bot>,
}

/// A token's "last used" is written at most this often.
const TOKEN_TOUCH_EVERY_SECS: i64 = 60;

/// Authenticates `Authorization: Bearer <token>:<secret>` (or Basic): the token must exist,
/// not be revoked, and the secret's SHA-256 must match, compared in constant time. Every
/// failure is the same 401, so a caller cannot tell a wrong secret from an unknown token.
/// The secret is checked on every call, also when the token's record is recalled.
pub async fn authenticate(
    reads: &Snapshot,
    header: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Arc<Bot>, Problem> {
    let credentials = parse_authorization(header.unwrap_or_default())?;
    let refused = || {
        Problem::unauthenticated(
            "the bot token or its secret is not valid, or the token was revoked",
        )
    };
    let known = match reads.recall::<KnownToken>(&credentials.token) {
        Some(known) => known,
        None => {
            let known = Arc::new(
                read_token(reads, &credentials.token)
                    .await?
                    .ok_or_else(refused)?,
            );
            reads.remember(&credentials.token, known.clone());
            known
        }
    };
    let token = &known.bot.token;
    if token.revoked.is_some()
        || !bool::from(
            token_hash(&credentials.secret)
                .as_bytes()
                .ct_eq(known.secret_hash.as_bytes()),
        )
    {
        return Err(refused());
    }
    // "Last used" to the minute: a write on every call would serialize the API on SQLite.
    if token
        .last_used
        .is_none_or(|t| (now - t).num_seconds() >= TOKEN_TOUCH_EVERY_SECS)
    {
        apps::touch(reads.pool(), &token.id, now).await?;
    }
    Ok(known.bot.clone())
}

/// The token whose public half is `public_token`, with its app's access (none for a revoked
/// token, which authenticates nothing).
async fn read_token(reads: &Snapshot, public_token: &str) -> Result<Option<KnownToken>, Problem> {
    let Some(StoredBot {
        token,
        secret_hash,
        app,
        app_name,
    }) = apps::bot_by_public(reads, public_token).await?
    else {
        return Ok(None);
    };
    let access = match token.revoked {
        Some(_) => Default::default(),
        None => installs::access_of_app(reads, &app).await?,
    };
    Ok(Some(KnownToken {
        secret_hash,
        bot: Arc::new(Bot {
            token,
            app,
            app_name,
            access,
        }),
    }))
}

/// Refuses a session a tenant's identity provider opened: a person's apps act wherever they
/// are installed, and that provider vouches for the person in its own tenant only.
fn developer(caller: &Caller) -> Result<(), Problem> {
    if caller.viewer.through_sso {
        return Err(Problem::forbidden(
            "password_sign_in_required",
            "your apps act beyond this tenant; sign in with your password to change them",
        ));
    }
    Ok(())
}
