//! Demo data: seed 003's multi-brand tenant, a second tenant and an agency that owns both.
//!
//! Acme Retail has a global analytics team on *All resource groups* and one owner per brand,
//! each on a custom group that holds only their brand's database (spec U11).

use crate::activity::Principal;
use crate::db::{new_id, problem, Db};
use crate::provision::{create_tenant, NewTenant};
use crate::secrets::hash_password;
use crate::store::access::{self, NewAssignment, NewDatabase};
use crate::store::{tenants, users};
use chrono::Utc;
use portcullis_core::email::Email;
use portcullis_core::ids::{AgencyId, DatabaseId, ResourceGroupId, UserId};
use portcullis_core::password::Password;
use portcullis_core::Problem;
use serde_json::json;
use sqlx::AnyConnection;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "portcullis-demo-2026";
/// The tenant whose presence means the demo was loaded already.
pub const DEMO_TENANT: &str = "Acme Retail";

/// A demo sign-in, printed at start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub role: &'static str,
}

/// The demo accounts, in the order they are printed.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "operator@portcullis.dev",
        name: "Olivia Operator",
        role: "operator: every tenant",
    },
    DemoAccount {
        email: "admin@acme.example",
        name: "Alex Admin",
        role: "User Administrator on All resource groups, Acme Retail and Globex Foods",
    },
    DemoAccount {
        email: "analytics@acme.example",
        name: "Gina Global",
        role: "Analyst on All resource groups (global analytics team)",
    },
    DemoAccount {
        email: "owner.a@acme.example",
        name: "Nora Northwind",
        role: "Data Administrator on Brand A: Northwind",
    },
    DemoAccount {
        email: "owner.b@acme.example",
        name: "Sam Southwind",
        role: "Data Administrator on Brand B: Southwind",
    },
    DemoAccount {
        email: "admin@globex.example",
        name: "Grace Globex",
        role: "User Administrator, Globex Foods",
    },
    DemoAccount {
        email: "ops@orbit.example",
        name: "Omar Orbit",
        role: "agency member of Orbit Media (no tenant access by itself)",
    },
];

/// Loads the demo unless it is there already; returns whether it loaded anything.
pub async fn load(db: &Db) -> Result<bool, Problem> {
    if tenants::exists_named(&db.pool, DEMO_TENANT)
        .await
        .map_err(problem)?
    {
        return Ok(false);
    }
    let hash = hash_password(&Password::new(DEMO_PASSWORD)).await?;
    let mut tx = db.pool.begin().await.map_err(problem)?;
    seed(&mut tx, &hash).await.map_err(problem)?;
    tx.commit().await.map_err(problem)?;
    Ok(true)
}

async fn seed(conn: &mut AnyConnection, password_hash: &str) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let system = Principal {
        id: "system".into(),
        name: "Demo loader".into(),
        email: None,
    };

    let agency = new_id(AgencyId::from_bytes);
    tenants::insert_agency(&mut *conn, &agency, "Orbit Media", now).await?;
    let acme = create_tenant(conn, DEMO_TENANT, Some(&agency), &system, now).await?;
    let globex = create_tenant(conn, "Globex Foods", Some(&agency), &system, now).await?;

    let brand_a = new_id(ResourceGroupId::from_bytes);
    access::insert_resource_group(
        &mut *conn,
        &brand_a,
        &acme.id,
        "Brand A: Northwind",
        "Owners of the Northwind brand",
        false,
        now,
    )
    .await?;
    let brand_b = new_id(ResourceGroupId::from_bytes);
    access::insert_resource_group(
        &mut *conn,
        &brand_b,
        &acme.id,
        "Brand B: Southwind",
        "Owners of the Southwind brand",
        false,
        now,
    )
    .await?;

    add_database(
        conn,
        &acme,
        "Northwind C360",
        "Customer 360 for brand A (Northwind)",
        Some(&brand_a),
    )
    .await?;
    add_database(
        conn,
        &acme,
        "Southwind C360",
        "Customer 360 for brand B (Southwind)",
        Some(&brand_b),
    )
    .await?;
    add_database(
        conn,
        &globex,
        "Globex C360",
        "Customer 360 for Globex Foods",
        None,
    )
    .await?;

    let mut ids = Vec::new();
    for account in ACCOUNTS {
        let id = new_id(UserId::from_bytes);
        let email =
            Email::parse(account.email).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
        users::insert(
            &mut *conn,
            users::NewUser {
                id: &id,
                email: &email,
                name: account.name,
                password_hash: Some(password_hash),
                operator: account.email.ends_with("@portcullis.dev"),
                created_at: now,
            },
        )
        .await?;
        ids.push(id);
    }
    let user = |i: usize| {
        ids.get(i)
            .cloned()
            .ok_or_else(|| sqlx::Error::Protocol("demo account missing".into()))
    };
    let (alex, gina, nora, sam, grace, omar) =
        (user(1)?, user(2)?, user(3)?, user(4)?, user(5)?, user(6)?);

    assign(conn, &acme, &alex, "User Administrator", &acme.all_group).await?;
    assign(
        conn,
        &globex,
        &alex,
        "User Administrator",
        &globex.all_group,
    )
    .await?;
    assign(conn, &acme, &gina, "Analyst", &acme.all_group).await?;
    assign(conn, &acme, &nora, "Data Administrator", &brand_a).await?;
    assign(conn, &acme, &sam, "Data Administrator", &brand_b).await?;
    assign(
        conn,
        &globex,
        &grace,
        "User Administrator",
        &globex.all_group,
    )
    .await?;
    tenants::add_agency_member(&mut *conn, &agency, &omar, now).await?;
    Ok(())
}

async fn assign(
    conn: &mut AnyConnection,
    tenant: &NewTenant,
    user: &UserId,
    policy: &str,
    group: &ResourceGroupId,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let policy = tenant
        .policy(policy)
        .ok_or_else(|| sqlx::Error::Protocol(format!("no built-in policy {policy}")))?;
    // Entry to the tenant comes with the first assignment in it (a no-op for later ones).
    tenants::add_member(&mut *conn, &tenant.id, user, now).await?;
    access::insert_assignment(
        &mut *conn,
        NewAssignment {
            tenant: &tenant.id,
            user,
            policy,
            resource_group: group,
            source: "manual",
        },
        now,
    )
    .await
}

async fn add_database(
    conn: &mut AnyConnection,
    tenant: &NewTenant,
    name: &str,
    description: &str,
    group: Option<&ResourceGroupId>,
) -> Result<(), sqlx::Error> {
    let id = new_id(DatabaseId::from_bytes);
    access::insert_database(
        &mut *conn,
        NewDatabase {
            id: &id,
            tenant: &tenant.id,
            name,
            description,
            resource_group: group,
        },
        Utc::now(),
    )
    .await?;
    let customer = json!([
        {"name": "amperity_id", "type": "string", "pii": false},
        {"name": "given_name", "type": "string", "pii": true},
        {"name": "surname", "type": "string", "pii": true},
        {"name": "email", "type": "string", "pii": true},
        {"name": "phone", "type": "string", "pii": true},
        {"name": "city", "type": "string", "pii": false},
        {"name": "state", "type": "string", "pii": false},
        {"name": "lifetime_value", "type": "decimal", "pii": false}
    ]);
    let transactions = json!([
        {"name": "order_id", "type": "string", "pii": false},
        {"name": "amperity_id", "type": "string", "pii": false},
        {"name": "order_datetime", "type": "datetime", "pii": false},
        {"name": "order_revenue", "type": "decimal", "pii": false},
        {"name": "store_id", "type": "string", "pii": false}
    ]);
    let segments = json!([
        {"name": "segment_name", "type": "string", "pii": false},
        {"name": "amperity_id", "type": "string", "pii": false},
        {"name": "email", "type": "string", "pii": true}
    ]);
    access::insert_table(&mut *conn, &id, "Customer_360", &customer.to_string()).await?;
    access::insert_table(
        &mut *conn,
        &id,
        "Unified_Transactions",
        &transactions.to_string(),
    )
    .await?;
    access::insert_table(&mut *conn, &id, "Segment_Membership", &segments.to_string()).await?;
    Ok(())
}
