//! The users of a tenant, their assignments, and the users list. Every query names
//! its tenant, except deleting a person, which by definition reaches every tenant.

use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::people::UserSort;
use portcullis_core::wire::UserQuery;
use portcullis_core::wire::{AssignmentView, Page, UserRow};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row};

/// The expression a sort orders by; both backends accept each one.
fn sort_expr(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Name => "LOWER(u.name)",
        UserSort::Email => "u.email",
        UserSort::Policy => {
            "COALESCE((SELECT MIN(p.name) FROM assignments a JOIN policies p ON p.id = a.policy_id \
             WHERE a.tenant_id = m.tenant_id AND a.user_id = u.id), '')"
        }
        UserSort::LastLogin => "COALESCE(u.last_login_at, 0)",
    }
}

/// A cursor is the sort value of the last row and its id; the id breaks ties so that no row is
/// skipped or repeated between pages.
fn split_cursor(cursor: &str) -> Option<(&str, &str)> {
    cursor.rsplit_once('|')
}

/// One page of a tenant's users, with keyset pagination (never OFFSET).
pub async fn list(
    pool: &AnyPool,
    tenant: &TenantId,
    q: &UserQuery,
) -> Result<Page<UserRow>, StoreError> {
    let expr = sort_expr(q.sort);
    let (cmp, dir) = if q.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let cursor = q.after.as_deref().and_then(split_cursor);
    let keyset = if cursor.is_some() {
        format!("AND ({expr}, u.id) {cmp} ($3, $4)")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT u.id, u.name, u.email, u.last_login_at, u.version, {expr} AS sort_value \
         FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = $1 AND ($2 = '' OR LOWER(u.name) LIKE $2 OR u.email LIKE $2) {keyset} \
         ORDER BY sort_value {dir}, u.id {dir} LIMIT {}",
        q.limit + 1
    );
    let search = if q.search.trim().is_empty() {
        String::new()
    } else {
        format!(
            "%{}%",
            q.search.trim().to_lowercase().replace(['%', '_'], "")
        )
    };
    let mut query = sqlx::query(&sql).bind(tenant.as_str()).bind(search);
    if let Some((value, id)) = cursor {
        query = if q.sort == UserSort::LastLogin {
            query.bind(value.parse::<i64>().unwrap_or_default())
        } else {
            query.bind(value.to_owned())
        };
        query = query.bind(id.to_owned());
    }
    let rows = query.fetch_all(pool).await?;
    let more = rows.len() > q.limit as usize;
    let mut items = Vec::new();
    let mut last_cursor = None;
    for r in rows.iter().take(q.limit as usize) {
        let id = stored_id(r.try_get("id")?, UserId::parse)?;
        let sort_value = if q.sort == UserSort::LastLogin {
            r.try_get::<i64, _>("sort_value")?.to_string()
        } else {
            r.try_get::<String, _>("sort_value")?
        };
        last_cursor = Some(format!("{sort_value}|{id}"));
        items.push(UserRow {
            id,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            last_login: r
                .try_get::<Option<i64>, _>("last_login_at")?
                .map(from_millis),
            assignments: Vec::new(),
            version: r.try_get("version")?,
        });
    }
    let ids: Vec<UserId> = items.iter().map(|u| u.id.clone()).collect();
    let mut assignments = assignments_of(pool, tenant, &ids).await?;
    for user in &mut items {
        user.assignments = assignments.remove(&user.id).unwrap_or_default();
    }
    Ok(Page {
        items,
        next: if more { last_cursor } else { None },
    })
}

/// The assignments of `users` in `tenant`, by user.
pub async fn assignments_of(
    pool: &AnyPool,
    tenant: &TenantId,
    users: &[UserId],
) -> Result<std::collections::HashMap<UserId, Vec<AssignmentView>>, StoreError> {
    let mut out: std::collections::HashMap<UserId, Vec<AssignmentView>> =
        std::collections::HashMap::new();
    if users.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (0..users.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT a.user_id, p.id AS policy_id, p.name AS policy, g.id AS group_id, g.name AS group_name \
         FROM assignments a \
         JOIN policies p ON p.id = a.policy_id AND p.tenant_id = a.tenant_id \
         JOIN resource_groups g ON g.id = a.resource_group_id AND g.tenant_id = a.tenant_id \
         WHERE a.tenant_id = $1 AND a.user_id IN ({}) ORDER BY p.name, g.name",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(tenant.as_str());
    for u in users {
        query = query.bind(u.as_str());
    }
    for r in query.fetch_all(pool).await? {
        let user = stored_id(r.try_get("user_id")?, UserId::parse)?;
        out.entry(user).or_default().push(AssignmentView {
            policy_id: stored_id(r.try_get("policy_id")?, PolicyId::parse)?,
            policy: r.try_get("policy")?,
            group_id: stored_id(r.try_get("group_id")?, ResourceGroupId::parse)?,
            group: r.try_get("group_name")?,
        });
    }
    Ok(out)
}

/// Whether `user` is a member of `tenant`.
pub async fn is_member<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    tenant: &TenantId,
    user: &UserId,
) -> Result<bool, StoreError> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_one(ex)
            .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Renames a person.
pub async fn rename(conn: &mut AnyConnection, user: &UserId, name: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(user.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes every manual assignment of a person in one tenant (SSO-made ones stay with SSO).
pub async fn clear_manual_assignments(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<(), StoreError> {
    sqlx::query(
        "DELETE FROM assignments WHERE tenant_id = $1 AND user_id = $2 AND source = 'manual'",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a person from one tenant: membership, assignments, and sessions working in it.
pub async fn revoke(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM assignments WHERE tenant_id = $1 AND user_id = $2",
        "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2",
        "DELETE FROM sessions WHERE sso_tenant_id = $1 AND user_id = $2",
        "UPDATE sessions SET tenant_id = NULL WHERE tenant_id = $1 AND user_id = $2",
        "UPDATE users SET last_tenant_id = NULL WHERE last_tenant_id = $1 AND id = $2",
    ] {
        sqlx::query(sql)
            .bind(tenant.as_str())
            .bind(user.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The tenants a person is a member of (to record a deletion in each tenant's log).
pub async fn tenants_of(
    conn: &mut AnyConnection,
    user: &UserId,
) -> Result<Vec<TenantId>, StoreError> {
    let rows = sqlx::query("SELECT tenant_id FROM memberships WHERE user_id = $1")
        .bind(user.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| stored_id(r.try_get("tenant_id")?, TenantId::parse))
        .collect()
}

/// Deletes a person everywhere; memberships, assignments, sessions and links cascade.
pub async fn delete(conn: &mut AnyConnection, user: &UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Stores a one-time set-password link (only the token's hash).
pub async fn insert_password_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    user: &UserId,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO password_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user.as_str())
    .bind(to_millis(now))
    .bind(to_millis(expires))
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses a set-password link once: the user it belongs to, if it was live and unused. The
/// conditional UPDATE makes two concurrent uses impossible.
pub async fn claim_password_link(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, StoreError> {
    let claimed = sqlx::query(
        "UPDATE password_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(to_millis(now))
    .bind(token_hash)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT user_id FROM password_links WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_one(conn)
        .await?;
    Ok(Some(stored_id(row.try_get("user_id")?, UserId::parse)?))
}

/// Sets a person's password hash.
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user: &UserId,
    hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps a removed person out of the tenant's SSO until the tenant re-admits them.
pub async fn exclude(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tenant_exclusions (tenant_id, email, excluded_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, email) DO UPDATE SET excluded_at = excluded.excluded_at",
    )
    .bind(tenant.as_str())
    .bind(email)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the tenant removed this address and has not re-admitted it.
pub async fn is_excluded(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    email: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM tenant_exclusions WHERE tenant_id = $1 AND email = $2")
            .bind(tenant.as_str())
            .bind(email)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Lifts a removal: the tenant re-admitted the person.
pub async fn readmit(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    email: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM tenant_exclusions WHERE tenant_id = $1 AND email = $2")
        .bind(tenant.as_str())
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}
