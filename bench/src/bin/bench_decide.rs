//! The decision benchmark: time per decision of core's `decide` for a
//! tenant of 10,000 users, 50 policies, 200 resource groups and 2,000 databases, beside the same
//! rules written for cedar-policy and for casbin, measured in the same run; core again at ten
//! times the data. Cedar is also the differential oracle: every query's answer must agree.
//!
//! `bench-decide [--smoke]`: smoke shrinks the tenant and the samples so CI only proves the
//! bench still runs and still agrees. Built only with the `bench-comparators` feature.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark that cannot build its inputs has nothing to report; it stops"
)]

use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, EntityUid, PolicySet, Request,
};
use portcullis_core::actions::{Action, Scope};
use portcullis_core::decide::{AccessSnapshot, Resource, TenantAccess};
use portcullis_core::synthetic::{queries, tenant_of, Query, Rng, Shape};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

fn main() {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let (shape, n_queries, casbin_sample, rounds) = if smoke {
        (
            Shape {
                users: 500,
                policies: 10,
                groups: 20,
                databases: 100,
                assignments: 750,
            },
            2_000,
            20,
            1,
        )
    } else {
        (Shape::BENCH, 10_000, 10, 20)
    };
    let mut rng = Rng::new(2026);
    let snap = tenant_of(&mut rng, 1, shape);
    let qs = queries(&mut rng, &snap, shape.users, n_queries);
    println!(
        "decision bench: {} users, {} policies, {} groups, {} databases, {} assignments; {} queries{}",
        shape.users,
        shape.policies,
        shape.groups,
        shape.databases,
        snap.assignments.len(),
        qs.len(),
        if smoke { " (smoke)" } else { "" }
    );

    let access = snap.index();
    let core_ns = time_core(&access, &qs, rounds);
    let allowed = qs
        .iter()
        .filter(|(u, a, r)| access.decide(u, *a, r).allowed)
        .count();
    println!(
        "core decide:   {core_ns:>12.1} ns/decision ({allowed} of {} allowed)",
        qs.len()
    );

    let cedar = CedarModel::build(&snap);
    let mut disagree = 0;
    for (u, a, r) in &qs {
        if cedar.allowed(u, *a, r) != access.decide(u, *a, r).allowed {
            disagree += 1;
        }
    }
    let cedar_ns = time_per(&qs, rounds.min(3), |(u, a, r)| cedar.allowed(u, *a, r));
    println!(
        "cedar-policy:  {cedar_ns:>12.1} ns/decision  core is {:.0}x faster; oracle agreement {}/{} ({:.2}%)",
        cedar_ns / core_ns,
        qs.len() - disagree,
        qs.len(),
        100.0 * (qs.len() - disagree) as f64 / qs.len() as f64
    );

    let big_shape = shape.times(10);
    let mut rng = Rng::new(2027);
    let big = tenant_of(&mut rng, 2, big_shape);
    let big_qs = queries(&mut rng, &big, big_shape.users, n_queries);
    let big_access = big.index();
    let big_ns = time_core(&big_access, &big_qs, rounds);
    println!(
        "core at 10x:   {big_ns:>12.1} ns/decision  ({} users, {} databases): {:.2}x the time at 1x",
        big_shape.users,
        big_shape.databases,
        big_ns / core_ns
    );
    // The same queries through `decide_many`, which overlaps the index's cache misses.
    let many_ns = time_core_many(&access, &qs, rounds);
    let big_many_ns = time_core_many(&big_access, &big_qs, rounds);
    println!("core many:     {many_ns:>12.1} ns/decision  (decide_many, 1x)");
    println!(
        "core many 10x: {big_many_ns:>12.1} ns/decision  (decide_many): {:.2}x the time at 1x",
        big_many_ns / many_ns
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let casbin = runtime.block_on(casbin_model(&snap));
    let sample = &qs[..casbin_sample.min(qs.len())];
    let mut casbin_disagree = 0;
    let start = Instant::now();
    for (u, a, r) in sample {
        let got = casbin_allowed(&casbin, u, *a, r);
        if got != access.decide(u, *a, r).allowed {
            casbin_disagree += 1;
        }
    }
    let casbin_ns = start.elapsed().as_nanos() as f64 / sample.len() as f64;
    println!(
        "casbin:        {casbin_ns:>12.1} ns/decision  core is {:.0}x faster ({} queries sampled, {} disagree)",
        casbin_ns / core_ns,
        sample.len(),
        casbin_disagree
    );

    if disagree != 0 || casbin_disagree != 0 {
        eprintln!("the comparators disagree with core on {disagree} (cedar) and {casbin_disagree} (casbin) queries");
        std::process::exit(1);
    }
}

/// Nanoseconds per call of `f` over every query, best of `rounds` passes.
fn time_per(qs: &[Query], rounds: usize, f: impl Fn(&Query) -> bool) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        for q in qs {
            black_box(f(black_box(q)));
        }
        best = best.min(start.elapsed().as_nanos() as f64 / qs.len() as f64);
    }
    best
}

fn time_core(access: &TenantAccess, qs: &[Query], rounds: usize) -> f64 {
    time_per(qs, rounds, |(u, a, r)| access.decide(u, *a, r).allowed)
}

/// Nanoseconds per decision of `decide_many` over every query, best of `rounds` passes.
fn time_core_many(access: &TenantAccess, qs: &[Query], rounds: usize) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        let allowed = access
            .decide_many(black_box(qs).iter().map(|(u, a, r)| (u, *a, r)))
            .filter(|d| d.allowed)
            .count();
        black_box(allowed);
        best = best.min(start.elapsed().as_nanos() as f64 / qs.len() as f64);
    }
    best
}

/// The same rules as Cedar policies, in the encoding Cedar evaluates fastest: a fixed set of
/// policies (one or two per action, none per tenant record), with the tenant's data as entity
/// hierarchy. A person is `in` each (policy, group) grant they hold; a grant is `in` one
/// permission entity per action of its policy, keyed by where it applies: `a|any` (tenant-wide
/// actions), `a|all` (on *All resource groups*) or `a|<group>` (a custom group's databases). A
/// database points at its group's permission for each database action. Membership is a
/// `forbid` unless the person is `in` the tenant.
struct CedarModel {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    tenant: String,
}

fn uid(kind: &str, id: &str) -> Value {
    json!({"type": kind, "id": id})
}

fn perm_key(action: Action, group: &str, all: bool) -> Option<String> {
    match (action.scope(), all) {
        (Scope::Tenant, _) => Some(format!("{}|any", action.code())),
        (_, true) => Some(format!("{}|all", action.code())),
        (Scope::Database, false) => Some(format!("{}|{group}", action.code())),
        (Scope::AllData, false) => None,
    }
}

impl CedarModel {
    fn build(snap: &AccessSnapshot) -> CedarModel {
        let tenant = snap.tenant.to_string();
        let groups: BTreeMap<String, bool> = snap
            .groups
            .iter()
            .map(|g| (g.id.to_string(), g.all))
            .collect();
        let policies: BTreeMap<String, &BTreeSet<Action>> = snap
            .policies
            .iter()
            .map(|p| (p.id.to_string(), &p.actions))
            .collect();
        let members: BTreeSet<String> = snap.members.iter().map(ToString::to_string).collect();
        let mut by_user: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut grants: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut perms: BTreeSet<String> = BTreeSet::new();
        for a in &snap.assignments {
            let (p, g) = (a.policy.to_string(), a.group.to_string());
            let key = format!("{p}|{g}");
            by_user
                .entry(a.user.to_string())
                .or_default()
                .push(uid("Grant", &key));
            if grants.contains_key(&key) {
                continue;
            }
            let all = groups.get(&g).copied().unwrap_or(false);
            let parents: Vec<Value> = policies
                .get(&p)
                .map(|actions| {
                    actions
                        .iter()
                        .filter_map(|act| perm_key(*act, &g, all))
                        .inspect(|k| {
                            perms.insert(k.clone());
                        })
                        .map(|k| uid("Perm", &k))
                        .collect()
                })
                .unwrap_or_default();
            grants.insert(key, parents);
        }
        let mut entities = vec![json!({"uid": uid("Tenant", &tenant), "attrs": {}, "parents": []})];
        for k in &perms {
            entities.push(json!({"uid": uid("Perm", k), "attrs": {}, "parents": []}));
        }
        for (k, parents) in &grants {
            entities.push(json!({"uid": uid("Grant", k), "attrs": {}, "parents": parents}));
        }
        let people: BTreeSet<String> = members
            .iter()
            .cloned()
            .chain(by_user.keys().cloned())
            .collect();
        for u in people {
            let mut parents = by_user.get(&u).cloned().unwrap_or_default();
            if members.contains(&u) {
                parents.push(uid("Tenant", &tenant));
            }
            entities.push(json!({"uid": uid("User", &u), "attrs": {}, "parents": parents}));
        }
        for d in &snap.databases {
            let mut attrs = serde_json::Map::new();
            if let Some(g) = &d.group {
                for act in Action::ALL.iter().filter(|a| a.scope() == Scope::Database) {
                    attrs.insert(
                        act.code().to_owned(),
                        json!({"__entity": uid("Perm", &format!("{}|{g}", act.code()))}),
                    );
                }
            }
            entities.push(
                json!({"uid": uid("Database", d.id.as_str()), "attrs": attrs, "parents": []}),
            );
        }
        let mut text = format!(
            "forbid(principal, action, resource) unless {{ principal in Tenant::\"{tenant}\" }};\n"
        );
        for act in Action::ALL {
            let c = act.code();
            match act.scope() {
                Scope::Tenant => text.push_str(&format!(
                    "permit(principal in Perm::\"{c}|any\", action == Action::\"{c}\", resource is Tenant);\n"
                )),
                Scope::Database => text.push_str(&format!(
                    "permit(principal in Perm::\"{c}|all\", action == Action::\"{c}\", resource);\n\
                     permit(principal, action == Action::\"{c}\", resource is Database) when {{ resource has {c} && principal in resource.{c} }};\n"
                )),
                Scope::AllData => text.push_str(&format!(
                    "permit(principal in Perm::\"{c}|all\", action == Action::\"{c}\", resource);\n"
                )),
            }
        }
        CedarModel {
            authorizer: Authorizer::new(),
            policies: PolicySet::from_str(&text).expect("cedar policies parse"),
            entities: Entities::from_json_value(Value::Array(entities), None)
                .expect("cedar entities load"),
            tenant,
        }
    }

    fn allowed(
        &self,
        user: &portcullis_core::ids::UserId,
        action: Action,
        resource: &Resource,
    ) -> bool {
        let principal = EntityUid::from_str(&format!("User::\"{user}\"")).expect("principal");
        let act = EntityUid::from_str(&format!("Action::\"{}\"", action.code())).expect("action");
        let res = match resource {
            Resource::Tenant { .. } => format!("Tenant::\"{}\"", self.tenant),
            Resource::Database { database, .. } => format!("Database::\"{database}\""),
        };
        let res = EntityUid::from_str(&res).expect("resource");
        let request = Request::new(principal, act, res, Context::empty(), None).expect("request");
        self.authorizer
            .is_authorized(&request, &self.policies, &self.entities)
            .decision()
            == CedarDecision::Allow
    }
}

/// The same rules for casbin: RBAC where a person has the role of each grant they hold, and a
/// second role graph puts each database in its custom group and in `all`; a grant's policy lines
/// name the actions of its policy on `tenant`, on its group, or (on *All*) on `all`.
async fn casbin_model(snap: &AccessSnapshot) -> casbin::Enforcer {
    use casbin::prelude::*;
    let model = DefaultModel::from_str(
        "[request_definition]\nr = sub, obj, act\n\
         [policy_definition]\np = sub, obj, act\n\
         [role_definition]\ng = _, _\ng2 = _, _\n\
         [policy_effect]\ne = some(where (p.eft == allow))\n\
         [matchers]\nm = g(r.sub, p.sub) && g2(r.obj, p.obj) && r.act == p.act\n",
    )
    .await
    .expect("casbin model");
    let mut e = Enforcer::new(model, MemoryAdapter::default())
        .await
        .expect("enforcer");
    let groups: BTreeMap<String, bool> = snap
        .groups
        .iter()
        .map(|g| (g.id.to_string(), g.all))
        .collect();
    let members: BTreeSet<String> = snap.members.iter().map(ToString::to_string).collect();
    let mut lines: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut roles = Vec::new();
    for a in &snap.assignments {
        let (u, p, g) = (
            a.user.to_string(),
            a.policy.to_string(),
            a.group.to_string(),
        );
        if !members.contains(&u) {
            continue;
        }
        let grant = format!("{p}|{g}");
        roles.push(vec![u, grant.clone()]);
        let all = groups.get(&g).copied().unwrap_or(false);
        let actions = snap
            .policies
            .iter()
            .find(|x| x.id == a.policy)
            .map(|x| &x.actions);
        for act in actions.into_iter().flatten() {
            let obj = match (act.scope(), all) {
                (Scope::Tenant, _) => "tenant".to_owned(),
                (_, true) => "all".to_owned(),
                (Scope::Database, false) => g.clone(),
                (Scope::AllData, false) => continue,
            };
            lines.insert(vec![grant.clone(), obj, act.code().to_owned()]);
        }
    }
    let mut places = vec![vec!["tenant".to_owned(), "all".to_owned()]];
    for d in &snap.databases {
        places.push(vec![d.id.to_string(), "all".to_owned()]);
        if let Some(g) = &d.group {
            places.push(vec![d.id.to_string(), g.to_string()]);
        }
    }
    e.add_policies(lines.into_iter().collect())
        .await
        .expect("policies");
    e.add_grouping_policies(roles).await.expect("roles");
    e.add_named_grouping_policies("g2", places)
        .await
        .expect("places");
    e
}

fn casbin_allowed(
    e: &casbin::Enforcer,
    user: &portcullis_core::ids::UserId,
    action: Action,
    resource: &Resource,
) -> bool {
    use casbin::CoreApi;
    let obj = match resource {
        Resource::Tenant { .. } => "tenant".to_owned(),
        Resource::Database { database, .. } => database.to_string(),
    };
    e.enforce((user.to_string(), obj, action.code().to_owned()))
        .expect("enforce")
}
