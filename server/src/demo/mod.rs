//! Demo data: the multi-brand tenant, a second tenant and an agency that owns both.
//!
//! Acme Retail has a global analytics team on *All resource groups* and one owner per brand,
//! each on a custom group that holds only their brand's database.

pub mod authorizations;
pub mod platform;

use crate::crypto::secrets::hash_password;
use crate::services::audit::Principal;
use crate::services::provision::{create_tenant, NewTenant};
use crate::store::access::{self, NewAssignment, NewDatabase};
use crate::store::demo as demo_store;
use crate::store::StoreError;
use crate::store::{domains, tenants, users};
use crate::store::{new_id, Db};
use chrono::Utc;
use portcullis_core::email::Email;
use portcullis_core::ids::{AgencyId, DatabaseId, ResourceGroupId, UserId};
use portcullis_core::password::Password;
use portcullis_core::people::RequestStatus;
use portcullis_core::Problem;
use serde_json::json;
use sqlx::AnyConnection;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "portcullis-demo-2026";
/// The tenant whose presence means the demo was loaded already.
pub const DEMO_TENANT: &str = "Acme Retail";

/// The demo's allowlisted email domains.
pub const ALLOWED_DOMAINS: &[&str] = &[
    "acme.example",
    "globex.example",
    "orbit.example",
    "portcullis.dev",
];

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

/// Loads the demo unless it is there already; returns whether it loaded anything. The demo's
/// accounts share a published password, so it goes only into a database that is empty or that
/// the demo made (its marker): never into one that holds real people.
pub async fn load(db: &Db) -> Result<bool, Problem> {
    if tenants::exists_named(&db.pool, DEMO_TENANT).await? && demo_store::marked(&db.pool).await? {
        return Ok(false);
    }
    if !demo_store::is_empty(&db.pool).await? {
        return Err(Problem::new(
            portcullis_core::ProblemKind::Conflict,
            "database_not_empty",
            "the demo loads only into an empty database or one the demo made, and this one holds \
             other data; point DATABASE_URL at a new database to try the demo",
        ));
    }
    let hash = hash_password(&Password::new(DEMO_PASSWORD)).await?;
    let mut tx = db.write().await?;
    demo_store::mark(&mut tx, Utc::now()).await?;
    seed(&mut tx, &hash).await?;
    tx.commit().await?;
    Ok(true)
}

async fn seed(conn: &mut AnyConnection, password_hash: &str) -> Result<(), StoreError> {
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
    crate::demo::platform::seed(conn, &agency, &acme.id, now).await?;

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

    // Only allowlisted domains may be added or sign in.
    for domain in ALLOWED_DOMAINS {
        domains::allow(&mut *conn, domain, None, now).await?;
    }

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

    // Each tenant's own domain is approved for its SSO provider, as an operator would.
    let olivia = user(0)?;
    for (tenant, domain) in [(&acme.id, "acme.example"), (&globex.id, "globex.example")] {
        let id = format!("dreq_{}", uuid::Uuid::now_v7().simple());
        domains::insert_request(
            conn,
            domains::NewRequest {
                id: &id,
                tenant: Some(tenant),
                domain,
                reason: "the tenant's own email domain",
                by: &olivia,
                now,
            },
        )
        .await?;
        domains::decide_request(conn, &id, RequestStatus::Approved, &olivia, now).await?;
    }
    Ok(())
}

async fn assign(
    conn: &mut AnyConnection,
    tenant: &NewTenant,
    user: &UserId,
    policy: &str,
    group: &ResourceGroupId,
) -> Result<(), StoreError> {
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
) -> Result<(), StoreError> {
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
    for (position, cells) in demo_rows(name).into_iter().enumerate() {
        let (customer, order, segment) = cells;
        let position = i64::try_from(position).unwrap_or_default();
        access::insert_row(&mut *conn, &id, "Customer_360", position, &customer).await?;
        access::insert_row(&mut *conn, &id, "Unified_Transactions", position, &order).await?;
        access::insert_row(&mut *conn, &id, "Segment_Membership", position, &segment).await?;
    }
    Ok(())
}

/// Realistic, made-up rows for one database: customers, their orders and segments. The data
/// is derived from the database name so each brand has its own customers.
fn demo_rows(database: &str) -> Vec<(Vec<String>, Vec<String>, Vec<String>)> {
    const GIVEN: &[&str] = &[
        "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Isla", "Lucas", "Mila", "Owen", "Nina",
        "Hugo", "Lena", "Theo", "Ruby", "Felix", "Clara", "Jonah", "Iris", "Marco",
    ];
    const SURNAMES: &[&str] = &[
        "Alvarez", "Brennan", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
        "Jensen", "Kowalski", "Laurent", "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi",
        "Schmidt", "Tanaka",
    ];
    const CITIES: &[(&str, &str)] = &[
        ("Seattle", "WA"),
        ("Portland", "OR"),
        ("Austin", "TX"),
        ("Denver", "CO"),
        ("Chicago", "IL"),
        ("Boston", "MA"),
    ];
    const SEGMENTS: &[&str] = &[
        "High value",
        "Lapsed 90 days",
        "New this month",
        "Loyalty gold",
    ];
    let brand = database
        .split_whitespace()
        .next()
        .unwrap_or("brand")
        .to_lowercase();
    let seed = database.bytes().map(usize::from).sum::<usize>();
    (0..20)
        .map(|i| {
            let k = i + seed;
            let given = GIVEN.get(k % GIVEN.len()).copied().unwrap_or("Ava");
            let surname = SURNAMES
                .get((k * 7) % SURNAMES.len())
                .copied()
                .unwrap_or("Chen");
            let (city, state) = CITIES
                .get(k % CITIES.len())
                .copied()
                .unwrap_or(("Seattle", "WA"));
            let id = format!("{brand}-{:05}", 1000 + i * 37);
            let email = format!(
                "{}.{}@example.com",
                given.to_lowercase(),
                surname.to_lowercase()
            );
            let customer = vec![
                id.clone(),
                given.to_owned(),
                surname.to_owned(),
                email.clone(),
                format!("+1 206 555 {:04}", (k * 131) % 10_000),
                city.to_owned(),
                state.to_owned(),
                format!("{}.{:02}", 80 + (k * 53) % 2400, (k * 17) % 100),
            ];
            let order = vec![
                format!("ord-{:06}", 500_000 + k * 11),
                id.clone(),
                format!(
                    "2026-{:02}-{:02}T{:02}:{:02}:00Z",
                    1 + i % 11,
                    1 + (k % 27),
                    8 + i % 12,
                    (k * 7) % 60
                ),
                format!("{}.{:02}", 12 + (k * 29) % 300, (k * 13) % 100),
                format!("store-{:03}", 100 + k % 40),
            ];
            let segment = vec![
                SEGMENTS
                    .get(k % SEGMENTS.len())
                    .copied()
                    .unwrap_or("High value")
                    .to_owned(),
                id,
                email,
            ];
            (customer, order, segment)
        })
        .collect()
}

/// Whether the database holds the demo's accounts (and their published password).
pub async fn holds_demo(db: &Db) -> Result<bool, Problem> {
    Ok(demo_store::marked(&db.pool).await?)
}
