//! People, access and Customer 360: the server's side of [`People`].
//!
//! Every method first decides through core (`TenantAccess::decide`) for the caller's current
//! tenant, then reads or changes storage; every change writes its activity records in the same
//! transaction.

use crate::crypto::secrets::{hash_password, new_token, token_hash};
use crate::services::audit::{received, Actor, Principal, Source};
use crate::services::{new_session, open_session, Services, SessionTenant};
use crate::store::access::{self, NewAssignment};
use crate::store::new_id;
use crate::store::versions::Versioned;
use crate::store::{domains, installs, invitations, people, tenants, users};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portcullis_app::services::{
    Caller, NewSession, NewUserRequest, People, RequestMeta, UserQuery,
};
use portcullis_core::actions::Action;
use portcullis_core::decide::{AccessSnapshot, Assignment, Decision, Resource, TenantAccess};
use portcullis_core::email::Email;
use portcullis_core::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::password::{check_new_password, Password};
use portcullis_core::people::{
    check_description, check_domain, check_name, check_reason, domain_allowed, AssignmentPair,
    RequestStatus, WELCOME_LINK_HOURS,
};
use portcullis_core::pii::{has_pii, preview};
use portcullis_core::wire::{
    AddedUser, Customer360, DomainRequestRow, OutboxMessage, Page, PeopleDirectory, TablePreview,
    UserRow,
};
use portcullis_core::{Blocker, Problem, ProblemKind};
use sqlx::AnyConnection;

/// Rows a table preview shows.
const PREVIEW_ROWS: i64 = 25;

/// What one access check found: the tenant it was made in, the caller's access data, and
/// that data indexed once for every decision the request makes.
pub(crate) struct Checked {
    tenant: TenantId,
    snapshot: AccessSnapshot,
    index: TenantAccess,
}

fn no_tenant() -> Problem {
    Problem::forbidden(
        "no_tenant",
        "you are not working in a tenant; pick one in the tenant switcher",
    )
}

fn operators_only() -> Problem {
    Problem::forbidden("operators_only", "only platform operators may do this")
}

impl Services {
    /// The caller's current tenant and their access data in it.
    pub(crate) async fn access_of(&self, caller: &Caller) -> Result<Checked, Problem> {
        let tenant = caller.viewer.current.clone().ok_or_else(no_tenant)?;
        self.access_in(caller, tenant).await
    }

    /// The caller's access data in `tenant`, which need not be the one they work in.
    async fn access_in(&self, caller: &Caller, tenant: TenantId) -> Result<Checked, Problem> {
        let v = &caller.viewer;
        let mut snapshot = access::snapshot(&self.db.pool, &tenant, Some(&v.user_id)).await?;
        if v.operator {
            snapshot.operators.push(v.user_id.clone());
        }
        let index = snapshot.index();
        Ok(Checked {
            tenant,
            snapshot,
            index,
        })
    }

    /// Decides `action` on the tenant (or one of its databases) for the caller; refuses with
    /// core's reason.
    pub(crate) async fn require(
        &self,
        caller: &Caller,
        action: Action,
        database: Option<&DatabaseId>,
    ) -> Result<Checked, Problem> {
        let checked = self.access_of(caller).await?;
        checked.decide(caller, action, database).into_result()?;
        Ok(checked)
    }

    /// The caller as the records of one request name them, in `tenant`'s log.
    fn audit<'a>(
        &self,
        caller: &Caller,
        tenant: Option<&'a TenantId>,
        meta: &'a RequestMeta,
    ) -> Actor<'a> {
        Actor {
            tenant,
            principal: Principal::of(&caller.viewer),
            source: Source::Console,
            origin_ip: meta.origin_ip.as_deref(),
            now: received(meta),
        }
    }

    /// A member of the caller's tenant, or 404 (a person of another tenant is not revealed).
    async fn member(&self, tenant: &TenantId, user: &UserId) -> Result<users::UserRecord, Problem> {
        let pool = &self.db.pool;
        if !people::is_member(pool, tenant, user).await? {
            return Err(Problem::not_found("user"));
        }
        users::by_id(pool, user)
            .await?
            .ok_or_else(|| Problem::not_found("user"))
    }

    /// A welcome message with a one-time set-password link, kept in the outbox.
    async fn welcome(
        &self,
        conn: &mut AnyConnection,
        user: &UserId,
        email: &Email,
        tenant_name: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Problem> {
        let token = new_token();
        let link_hash = token_hash(&token);
        let expires = now + Duration::hours(WELCOME_LINK_HOURS);
        people::insert_password_link(conn, &link_hash, user, now, expires).await?;
        let link = format!(
            "{}/welcome?token={token}",
            self.public_url.trim_end_matches('/')
        );
        let body = format!(
            "{by} added you to {tenant_name} on Portcullis.\n\nSet your password here (the link works once, for {WELCOME_LINK_HOURS} hours):\n{link}\n"
        );
        Ok(domains::queue_mail(
            conn,
            domains::NewMail {
                id: &new_token(),
                to: email.as_str(),
                subject: &format!("Welcome to {tenant_name} on Portcullis"),
                body: &body,
                link_hash: Some(&link_hash),
                now,
            },
        )
        .await?)
    }
}

impl Checked {
    /// The tenant the check was made in.
    pub(crate) fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// Core's decision for the caller on the tenant, or on one of its databases.
    pub(crate) fn decide(
        &self,
        caller: &Caller,
        action: Action,
        database: Option<&DatabaseId>,
    ) -> Decision {
        self.index
            .decide(&caller.viewer.user_id, action, &self.resource(database))
    }

    /// The tenant, or one of its databases, as core names what a decision is about.
    fn resource(&self, database: Option<&DatabaseId>) -> Resource {
        match database {
            Some(db) => Resource::Database {
                tenant: self.tenant.clone(),
                database: db.clone(),
            },
            None => Resource::Tenant {
                tenant: self.tenant.clone(),
            },
        }
    }

    /// Whether the caller may do `action` on each of `databases`, decided at once (core's
    /// `decide_many`, which overlaps the index's cache misses across a long list).
    pub(crate) fn allowed_on_each<'d>(
        &self,
        caller: &Caller,
        action: Action,
        databases: impl IntoIterator<Item = &'d DatabaseId>,
    ) -> Vec<bool> {
        let resources: Vec<Resource> = databases
            .into_iter()
            .map(|db| self.resource(Some(db)))
            .collect();
        let user = &caller.viewer.user_id;
        self.index
            .decide_many(resources.iter().map(|r| (user, action, r)))
            .map(|d| d.allowed)
            .collect()
    }

    /// The policy and group named by an assignment, both of this tenant, or a problem naming
    /// the field.
    pub(crate) fn pair_names(
        &self,
        policy: &PolicyId,
        group: &ResourceGroupId,
    ) -> Result<(String, String), Problem> {
        let policy = self
            .snapshot
            .policies
            .iter()
            .find(|p| &p.id == policy)
            .ok_or_else(|| {
                Problem::invalid("policy", "unknown_policy", "choose a policy of this tenant")
            })?;
        let group = self
            .snapshot
            .groups
            .iter()
            .find(|g| &g.id == group)
            .ok_or_else(|| {
                Problem::invalid(
                    "resource_group",
                    "unknown_resource_group",
                    "choose a resource group of this tenant",
                )
            })?;
        Ok((policy.name.clone(), group.name.clone()))
    }
}

#[async_trait]
impl People for Services {
    async fn directory(&self, caller: &Caller) -> Result<PeopleDirectory, Problem> {
        let checked = self.require(caller, Action::ViewUsers, None).await?;
        let pool = &self.db.pool;
        Ok(PeopleDirectory {
            policies: access::policies(pool, &checked.tenant).await?,
            groups: access::groups(pool, &checked.tenant).await?,
            domains: domains::allowlist(pool).await?,
            access: checked.snapshot,
            me: caller.viewer.user_id.clone(),
        })
    }

    async fn list_users(
        &self,
        caller: &Caller,
        query: UserQuery,
    ) -> Result<Page<UserRow>, Problem> {
        let checked = self.require(caller, Action::ViewUsers, None).await?;
        Ok(people::list(&self.db.pool, &checked.tenant, &query).await?)
    }

    async fn add_user(
        &self,
        caller: &Caller,
        new: NewUserRequest,
        meta: RequestMeta,
    ) -> Result<AddedUser, Problem> {
        let checked = self.require(caller, Action::ManageUsers, None).await?;
        let (policy_name, group_name) = checked.pair_names(&new.policy, &new.group)?;
        let pool = &self.db.pool;
        let allowlist = domains::allowlist(pool).await?;
        domain_allowed(&new.email, allowlist.iter().map(String::as_str))?;
        let tenant = &checked.tenant;
        let audit = self.audit(caller, Some(tenant), &meta);
        let tenant_name = caller
            .viewer
            .current_tenant()
            .map(|t| t.name.clone())
            .unwrap_or_default();

        let mut tx = self.db.write().await?;
        let existing = users::by_email(&mut *tx, &new.email).await?;
        let (user, created) = match existing {
            Some(u) if people::is_member(&mut *tx, tenant, &u.id).await? => {
                return Err(Problem::new(
                    ProblemKind::Conflict,
                    "already_member",
                    format!(
                        "{} is already a user of this tenant; edit them instead",
                        u.email
                    ),
                )
                .with_field("email"));
            }
            Some(u) => {
                // Someone with an account elsewhere is invited, never attached: they join when
                // they accept, and nothing about their account (their password) changes.
                let invited = invitations::insert(
                    &mut tx,
                    invitations::NewInvitation {
                        tenant,
                        user: &u.id,
                        policy: &new.policy,
                        group: &new.group,
                        by: &caller.viewer.user_id,
                        now: audit.now,
                    },
                )
                .await?;
                if !invited {
                    return Err(Problem::new(
                        ProblemKind::Conflict,
                        "already_invited",
                        format!("{} is invited already; they join when they accept", u.email),
                    )
                    .with_field("email"));
                }
                // A removal is lifted when they accept, not before.
                let offered = format!("{}: {policy_name} on {group_name}", u.email);
                audit
                    .record(&mut tx, "user/invite", (u.id.as_str(), &offered))
                    .await?;
                if new.send_welcome {
                    let body = format!(
                        "{} invited you to {tenant_name} on Portcullis as {policy_name} on {group_name}.\n\nSign in to accept or decline.\n{}\n",
                        audit.principal.name,
                        self.public_url.trim_end_matches('/')
                    );
                    domains::queue_mail(
                        &mut tx,
                        domains::NewMail {
                            id: &new_token(),
                            to: &u.email,
                            subject: &format!("You are invited to {tenant_name} on Portcullis"),
                            body: &body,
                            link_hash: None,
                            now: audit.now,
                        },
                    )
                    .await?;
                }
                tx.commit().await?;
                return Ok(AddedUser {
                    id: u.id,
                    invited: true,
                });
            }
            None => {
                let id = new_id(UserId::from_bytes);
                users::insert(
                    &mut *tx,
                    users::NewUser {
                        id: &id,
                        email: &new.email,
                        name: &new.name,
                        password_hash: None,
                        operator: false,
                        created_at: audit.now,
                    },
                )
                .await?;
                let record = users::UserRecord {
                    id,
                    email: new.email.to_string(),
                    name: new.name.clone(),
                    password_hash: None,
                    operator: false,
                    last_tenant_id: None,
                };
                (record, true)
            }
        };
        tenants::add_member(&mut *tx, tenant, &user.id, audit.now).await?;
        // Adding a person again is how a tenant re-admits someone it removed.
        people::readmit(&mut tx, tenant, &user.email).await?;
        access::insert_assignment(
            &mut *tx,
            NewAssignment {
                tenant,
                user: &user.id,
                policy: &new.policy,
                resource_group: &new.group,
                source: "manual",
            },
            audit.now,
        )
        .await?;
        let event = if created {
            "user/create"
        } else {
            "user/add_to_tenant"
        };
        audit
            .record(&mut tx, event, (user.id.as_str(), &user.email))
            .await?;
        audit
            .record_grant(
                &mut tx,
                &Principal::of_user(&user),
                &format!("{policy_name} on {group_name}"),
                &new.policy,
            )
            .await?;
        if new.send_welcome {
            self.welcome(
                &mut tx,
                &user.id,
                &new.email,
                &tenant_name,
                &audit.principal.name,
                audit.now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(AddedUser {
            id: user.id,
            invited: false,
        })
    }

    async fn edit_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        name: String,
        assignments: Vec<AssignmentPair>,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageUsers, None).await?;
        let tenant = &checked.tenant;
        let target = self.member(tenant, &user).await?;
        let mut named = Vec::new();
        for (p, g) in &assignments {
            let (pn, gn) = checked.pair_names(p, g)?;
            named.push((p.clone(), g.clone(), format!("{pn} on {gn}")));
        }
        let current = people::assignments_of(&self.db.pool, tenant, std::slice::from_ref(&user))
            .await?
            .remove(&user)
            .unwrap_or_default();
        // No one edits away their own right to manage users: that would lock the tenant out.
        if user == caller.viewer.user_id {
            let mut after = checked.snapshot.clone();
            after.assignments = assignments
                .iter()
                .map(|(p, g)| Assignment {
                    user: user.clone(),
                    policy: p.clone(),
                    group: g.clone(),
                })
                .collect();
            after.operators.clear();
            let resource = Resource::Tenant {
                tenant: tenant.clone(),
            };
            if !after
                .index()
                .decide(&user, Action::ManageUsers, &resource)
                .allowed
                && !caller.viewer.operator
            {
                return Err(Problem::new(
                    ProblemKind::Conflict,
                    "would_lock_out",
                    "you would lose the right to manage users; keep a policy that allows it, or ask another User Administrator",
                )
                .with_field("assignments"));
            }
        }
        let audit = self.audit(caller, Some(tenant), &meta);
        let whom = Principal::of_user(&target);
        let mut tx = self
            .db
            .edit(Versioned::User, &user, &tenant, version)
            .await?;
        if name != target.name {
            people::rename(&mut tx, &user, &name).await?;
            audit
                .record(
                    &mut tx,
                    "user/update",
                    (user.as_str(), &format!("{} renamed to {name}", target.name)),
                )
                .await?;
        }
        people::clear_manual_assignments(&mut tx, tenant, &user).await?;
        for old in &current {
            if !assignments.contains(&(old.policy_id.clone(), old.group_id.clone())) {
                audit
                    .record(
                        &mut tx,
                        "policy/revoke",
                        (
                            user.as_str(),
                            &format!("{} on {} from {}", old.policy, old.group, whom.label()),
                        ),
                    )
                    .await?;
            }
        }
        for (p, g, label) in &named {
            access::insert_assignment(
                &mut *tx,
                NewAssignment {
                    tenant,
                    user: &user,
                    policy: p,
                    resource_group: g,
                    source: "manual",
                },
                audit.now,
            )
            .await?;
            if !current
                .iter()
                .any(|c| &c.policy_id == p && &c.group_id == g)
            {
                audit.record_grant(&mut tx, &whom, label, p).await?;
            }
        }
        Ok(tx.commit().await?)
    }

    async fn delete_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageUsers, None).await?;
        let target = self.member(&checked.tenant, &user).await?;
        if user == caller.viewer.user_id {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "cannot_delete_self",
                "you cannot delete yourself; ask another User Administrator",
            ));
        }
        if target.operator {
            return Err(Problem::forbidden(
                "operator_account",
                "platform operators are managed by the platform, not by a tenant",
            ));
        }
        // Deleting reaches every tenant the person belongs to, so it needs the right to manage
        // users in each of them; otherwise removing them from this tenant is the way. A session
        // that may not enter a tenant (one opened by another tenant's identity provider) has no
        // say there. The tenants are judged before the write lock is taken, since judging reads
        // through the pool, and read again in the deletion's transaction: if they changed
        // meanwhile, the deletion is refused as made from a stale view.
        let theirs = {
            let mut conn = self.db.conn().await?;
            sorted(people::tenants_of(&mut conn, &user).await?)
        };
        for other in theirs.iter().filter(|t| *t != &checked.tenant) {
            let enterable = caller.viewer.tenants.iter().any(|t| &t.id == other);
            let allowed = enterable
                && self
                    .access_in(caller, other.clone())
                    .await?
                    .decide(caller, Action::ManageUsers, None)
                    .allowed;
            if !allowed {
                return Err(Problem::forbidden(
                    "belongs_elsewhere",
                    format!(
                        "{} also belongs to tenants you do not administer; revoke their access to this tenant instead",
                        target.email
                    ),
                ));
            }
        }
        let mut tx = self
            .db
            .edit(Versioned::User, &user, &checked.tenant, version)
            .await?;
        if sorted(people::tenants_of(&mut tx, &user).await?) != theirs {
            return Err(Problem::stale("person"));
        }
        // Their apps go with them, and so do those apps' installs: each tenant that loses one
        // records it.
        for (install, tenant, app_name) in installs::of_owner(&mut tx, &user).await? {
            let audit = self.audit(caller, tenant.as_ref(), &meta);
            let why = format!("{app_name}: its owner {} was deleted", target.email);
            audit
                .record(&mut tx, "install/delete", (install.as_str(), &why))
                .await?;
        }
        // Deletion reaches every tenant, so every tenant's log says so.
        for tenant in theirs {
            let audit = self.audit(caller, Some(&tenant), &meta);
            audit
                .record(&mut tx, "user/delete", (user.as_str(), &target.email))
                .await?;
            people::exclude(&mut tx, &tenant, &target.email, audit.now).await?;
        }
        people::delete(&mut tx, &user).await?;
        Ok(tx.commit().await?)
    }

    async fn revoke_user(
        &self,
        caller: &Caller,
        user: UserId,
        version: i64,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageUsers, None).await?;
        let tenant = &checked.tenant;
        let target = self.member(tenant, &user).await?;
        if user == caller.viewer.user_id {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "cannot_revoke_self",
                "you cannot revoke your own access; ask another User Administrator",
            ));
        }
        let audit = self.audit(caller, Some(tenant), &meta);
        let mut tx = self
            .db
            .edit(Versioned::User, &user, &tenant, version)
            .await?;
        people::revoke(&mut tx, tenant, &user).await?;
        people::exclude(&mut tx, tenant, &target.email, audit.now).await?;
        // Their apps act here only as long as they belong here themselves.
        let reason = format!("{} no longer has access to this tenant", target.email);
        for (install, app_name) in
            installs::suspend_owned_by(&mut tx, tenant, &user, &reason).await?
        {
            audit
                .record(
                    &mut tx,
                    "install/suspend",
                    (install.as_str(), &format!("{app_name}: {reason}")),
                )
                .await?;
        }
        audit
            .record(
                &mut tx,
                "user/revoke_tenant_access",
                (user.as_str(), &target.email),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    async fn create_group(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        meta: RequestMeta,
    ) -> Result<ResourceGroupId, Problem> {
        let checked = self
            .require(caller, Action::ManageResourceGroups, None)
            .await?;
        let name = check_name("name", &name)?;
        let description = check_description(&description)?;
        if checked
            .snapshot
            .groups
            .iter()
            .any(|g| g.name.eq_ignore_ascii_case(&name))
        {
            return Err(Problem::invalid(
                "name",
                "name_taken",
                format!("this tenant already has a resource group called {name}"),
            ));
        }
        let tenant = &checked.tenant;
        let audit = self.audit(caller, Some(tenant), &meta);
        let id = new_id(ResourceGroupId::from_bytes);
        let mut tx = self.db.write().await?;
        access::insert_resource_group(&mut *tx, &id, tenant, &name, &description, false, audit.now)
            .await?;
        audit
            .record(&mut tx, "resource_group/create", (id.as_str(), &name))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn create_policy(
        &self,
        caller: &Caller,
        name: String,
        description: String,
        actions: std::collections::BTreeSet<Action>,
        meta: RequestMeta,
    ) -> Result<PolicyId, Problem> {
        let checked = self.require(caller, Action::ManagePolicies, None).await?;
        let name = check_name("name", &name)?;
        let description = check_description(&description)?;
        if checked
            .snapshot
            .policies
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&name))
        {
            return Err(Problem::invalid(
                "name",
                "name_taken",
                format!("this tenant already has a policy called {name}"),
            ));
        }
        let codes: Vec<&str> = actions.iter().map(|a| a.code()).collect();
        let tenant = &checked.tenant;
        let audit = self.audit(caller, Some(tenant), &meta);
        let id = new_id(PolicyId::from_bytes);
        let mut tx = self.db.write().await?;
        let policy = access::NewPolicy {
            id: &id,
            tenant,
            name: &name,
            description: &description,
            builtin: false,
            actions: &codes.join(" "),
        };
        access::insert_policy(&mut *tx, policy, audit.now).await?;
        audit
            .record(
                &mut tx,
                "policy/create",
                (id.as_str(), &format!("{name}: {}", codes.join(", "))),
            )
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn delete_group(
        &self,
        caller: &Caller,
        group: ResourceGroupId,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self
            .require(caller, Action::ManageResourceGroups, None)
            .await?;
        let tenant = &checked.tenant;
        let Some(found) = checked.snapshot.groups.iter().find(|g| g.id == group) else {
            return Err(Problem::not_found("resource group"));
        };
        if found.all {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "builtin_group",
                "All resource groups is built in and cannot be deleted",
            ));
        }
        let mut blockers: Vec<Blocker> = checked
            .snapshot
            .databases
            .iter()
            .filter(|d| d.group.as_ref() == Some(&group))
            .map(|d| Blocker {
                kind: "database".into(),
                id: d.id.to_string(),
                name: d.name.clone(),
            })
            .collect();
        // The caller's snapshot holds only their own assignments: read everyone's here.
        let everyone = access::snapshot(&self.db.pool, tenant, None).await?;
        let mut holders: Vec<UserId> = everyone
            .assignments
            .iter()
            .filter(|a| a.group == group)
            .map(|a| a.user.clone())
            .collect();
        holders.dedup();
        for (user, views) in people::assignments_of(&self.db.pool, tenant, &holders).await? {
            let name = views.first().map(|v| v.policy.clone()).unwrap_or_default();
            let email = users::by_id(&self.db.pool, &user)
                .await?
                .map(|u| u.email)
                .unwrap_or_default();
            blockers.push(Blocker {
                kind: "user".into(),
                id: user.to_string(),
                name: format!("{email} ({name})"),
            });
        }
        if !blockers.is_empty() {
            let mut p = Problem::new(
                ProblemKind::Conflict,
                "group_in_use",
                format!(
                    "{} is still in use by {} database(s) and user(s); move them to another group first",
                    found.name,
                    blockers.len()
                ),
            );
            p.blockers = blockers;
            return Err(p);
        }
        let audit = self.audit(caller, Some(tenant), &meta);
        let mut tx = self.db.write().await?;
        access::delete_group(&mut tx, tenant, &group).await?;
        audit
            .record(
                &mut tx,
                "resource_group/delete",
                (group.as_str(), &found.name),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    async fn request_domain(
        &self,
        caller: &Caller,
        domain: String,
        reason: String,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self.require(caller, Action::ManageUsers, None).await?;
        let domain = check_domain(&domain)?;
        let reason = check_reason(&reason)?;
        let pool = &self.db.pool;
        if domains::is_allowed(pool, &domain).await? {
            return Err(Problem::invalid(
                "domain",
                "domain_already_allowed",
                format!("{domain} is already allowed; add the user directly"),
            ));
        }
        let audit = self.audit(caller, Some(&checked.tenant), &meta);
        let id = format!("dreq_{}", new_token().get(..26).unwrap_or_default());
        let mut tx = self.db.write().await?;
        domains::insert_request(
            &mut tx,
            domains::NewRequest {
                id: &id,
                tenant: Some(&checked.tenant),
                domain: &domain,
                reason: &reason,
                by: &caller.viewer.user_id,
                now: audit.now,
            },
        )
        .await?;
        audit
            .record(&mut tx, "domain/request", (&id, &domain))
            .await?;
        Ok(tx.commit().await?)
    }

    async fn domain_requests(&self, caller: &Caller) -> Result<Vec<DomainRequestRow>, Problem> {
        let pool = &self.db.pool;
        if caller.viewer.operator {
            Ok(domains::all_requests(pool).await?)
        } else {
            // Which tenant's provider claims a domain is the operators' to see.
            let mut mine = domains::requests_by(pool, &caller.viewer.user_id).await?;
            for r in &mut mine {
                r.sso_claimed_by = None;
            }
            Ok(mine)
        }
    }

    async fn review_domain(
        &self,
        caller: &Caller,
        request: String,
        approve: bool,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        if !caller.viewer.operator {
            return Err(operators_only());
        }
        let status = if approve {
            RequestStatus::Approved
        } else {
            RequestStatus::Rejected
        };
        let now = received(&meta);
        let mut tx = self.db.write().await?;
        let Some((domain, tenant)) =
            domains::decide_request(&mut tx, &request, status, &caller.viewer.user_id, now).await?
        else {
            return Err(Problem::new(
                ProblemKind::Conflict,
                "request_not_pending",
                "this request was already decided or does not exist",
            ));
        };
        if approve {
            domains::allow(&mut tx, &domain, Some(&caller.viewer.user_id), now).await?;
        }
        // The requester's tenant log shows the outcome as well as the platform log.
        let audit = self.audit(caller, tenant.as_ref(), &meta);
        let event = if approve {
            "domain/approve"
        } else {
            "domain/reject"
        };
        audit.record(&mut tx, event, (&request, &domain)).await?;
        Ok(tx.commit().await?)
    }

    async fn outbox(&self, caller: &Caller) -> Result<Vec<OutboxMessage>, Problem> {
        if !caller.viewer.operator {
            return Err(operators_only());
        }
        Ok(domains::outbox(&self.db.pool, 100).await?)
    }

    async fn set_password(
        &self,
        token: String,
        password: Password,
        meta: RequestMeta,
    ) -> Result<NewSession, Problem> {
        let now = received(&meta);
        let invalid_link = || {
            Problem::invalid(
                "token",
                "link_invalid",
                "this link was already used or has expired; ask your administrator to send a new welcome email",
            )
        };
        let mut tx = self.db.write().await?;
        let link_hash = token_hash(&token);
        let user_id = people::claim_password_link(&mut tx, &link_hash, now)
            .await?
            .ok_or_else(invalid_link)?;
        domains::forget_link(&mut tx, &link_hash).await?;
        let user = users::by_id(&mut *tx, &user_id)
            .await?
            .ok_or_else(invalid_link)?;
        let email = Email::parse(&user.email).map_err(|_| Problem::internal())?;
        // The claim rolls back with the transaction if the password breaks a rule.
        check_new_password(password.expose(), Some(&email))
            .map_err(|e| e.into_problem("password"))?;
        let hash = hash_password(&password).await?;
        people::set_password_hash(&mut tx, &user_id, &hash).await?;
        let tenant = user.last_tenant_id.clone();
        let audit = Actor {
            tenant: tenant.as_ref(),
            principal: Principal::of_user(&user),
            source: Source::Console,
            origin_ip: meta.origin_ip.as_deref(),
            now,
        };
        audit
            .record(&mut tx, "password/set", (user_id.as_str(), &user.email))
            .await?;
        let token =
            open_session(&mut tx, &user_id, SessionTenant::Starts(None), &meta, now).await?;
        tx.commit().await?;
        Ok(new_session(token))
    }

    async fn customer_360(&self, caller: &Caller) -> Result<Customer360, Problem> {
        let checked = self.access_of(caller).await?;
        let pool = &self.db.pool;
        let all = access::databases(pool, &checked.tenant).await?;
        let visible =
            checked.allowed_on_each(caller, Action::ViewDatabase, all.iter().map(|d| &d.id));
        let databases = all
            .into_iter()
            .zip(visible)
            .filter_map(|(d, visible)| visible.then_some(d))
            .collect();
        let groups = access::groups(pool, &checked.tenant)
            .await?
            .into_iter()
            .filter(|g| !g.builtin)
            .collect();
        Ok(Customer360 {
            databases,
            groups,
            access: checked.snapshot,
            me: caller.viewer.user_id.clone(),
        })
    }

    async fn change_database_group(
        &self,
        caller: &Caller,
        database: DatabaseId,
        version: i64,
        group: Option<ResourceGroupId>,
        meta: RequestMeta,
    ) -> Result<(), Problem> {
        let checked = self
            .require(caller, Action::ChangeDatabasePermissions, Some(&database))
            .await?;
        let group_name = match &group {
            None => "All resource groups only".to_owned(),
            Some(g) => checked
                .snapshot
                .groups
                .iter()
                .find(|x| &x.id == g && !x.all)
                .map(|x| x.name.clone())
                .ok_or_else(|| {
                    Problem::invalid(
                        "resource_group",
                        "unknown_resource_group",
                        "choose a custom resource group of this tenant",
                    )
                })?,
        };
        let db_name = checked
            .snapshot
            .databases
            .iter()
            .find(|d| d.id == database)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let tenant = &checked.tenant;
        let audit = self.audit(caller, Some(tenant), &meta);
        let mut tx = self
            .db
            .edit(Versioned::Database, &database, &tenant, version)
            .await?;
        access::set_database_group(&mut tx, tenant, &database, group.as_ref()).await?;
        audit
            .record(
                &mut tx,
                "database/change_permissions",
                (database.as_str(), &format!("{db_name} → {group_name}")),
            )
            .await?;
        Ok(tx.commit().await?)
    }

    async fn preview_table(
        &self,
        caller: &Caller,
        database: DatabaseId,
        table: String,
        unmask: bool,
        meta: RequestMeta,
    ) -> Result<TablePreview, Problem> {
        let checked = self
            .require(caller, Action::ViewTables, Some(&database))
            .await?;
        let tenant = &checked.tenant;
        let (columns, rows) = access::table(&self.db.pool, tenant, &database, &table, PREVIEW_ROWS)
            .await?
            .ok_or_else(|| Problem::not_found("table"))?;
        let db_name = checked
            .snapshot
            .databases
            .iter()
            .find(|d| d.id == database)
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let pii = checked.decide(caller, Action::ViewPii, Some(&database));
        let show = unmask && pii.allowed && has_pii(&columns);
        let masked = if !has_pii(&columns) || show {
            None
        } else if pii.allowed {
            Some("PII is hidden until you choose to show it; showing it is recorded in the activity log".to_owned())
        } else {
            Some(format!("PII is masked: {}", pii.reason.explain()))
        };
        if show {
            // Every view of unmasked PII is recorded, in its own transaction with nothing else.
            let audit = self.audit(caller, Some(tenant), &meta);
            let mut tx = self.db.write().await?;
            audit
                .record(
                    &mut tx,
                    "pii/view",
                    (database.as_str(), &format!("{db_name}.{table}")),
                )
                .await?;
            tx.commit().await?;
        }
        Ok(TablePreview {
            database: db_name,
            rows: preview(&columns, &rows, show),
            columns,
            table,
            masked,
        })
    }

    async fn sources(&self, caller: &Caller) -> Result<Decision, Problem> {
        let checked = self.access_of(caller).await?;
        Ok(checked.decide(caller, Action::OpenSources, None))
    }
}

/// Tenants in one order, to compare two readings of a person's memberships.
fn sorted(mut tenants: Vec<TenantId>) -> Vec<TenantId> {
    tenants.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    tenants
}
