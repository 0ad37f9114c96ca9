//! Every REST operation under `/api/v1` and the permission that guards it.
//!
//! One list feeds the server's OpenAPI document, the README's permission table and the tests
//! that prove each of the 25 permissions guards a real operation, so the three cannot drift
//! apart: a route missing here is missing from the document, and a permission without an
//! operation fails a test.

use crate::apps::Permission;
use crate::apps::Permission as P;

/// One operation of the REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `GET`, `POST`, `PATCH` or `PUT`.
    pub method: &'static str,
    /// The path under `/api/v1`, with `{name}` parameters.
    pub path: &'static str,
    /// The OpenAPI `operationId`.
    pub id: &'static str,
    pub summary: &'static str,
    /// What a bot token must hold; `None` for `/health` and `/me`.
    pub permission: Option<Permission>,
    /// The schema name of the JSON body, for writes.
    pub body: Option<&'static str>,
    /// Whether the answer is a keyset list (`?limit=&after=`, `{"items", "next"}`).
    pub list: bool,
    /// Whether the operation reads a date window (`?from=&to=`).
    pub window: bool,
}

const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    permission: Option<Permission>,
) -> Operation {
    Operation {
        method,
        path,
        id,
        summary,
        permission,
        body: None,
        list: false,
        window: false,
    }
}

const fn list(mut o: Operation) -> Operation {
    o.list = true;
    o
}

const fn window(mut o: Operation) -> Operation {
    o.window = true;
    o
}

const fn body(mut o: Operation, schema: &'static str) -> Operation {
    o.body = Some(schema);
    o
}

/// The operations, account routes first, then agency routes, then the job runner's.
pub const OPERATIONS: &[Operation] = &[
    op(
        "GET",
        "/health",
        "health",
        "Whether this replica reaches its database and its schema is current",
        None,
    ),
    op("GET", "/me", "me", "The calling token and its app", None),
    op(
        "GET",
        "/accounts/{account_id}",
        "getAccount",
        "An account the app is installed on",
        Some(P::AccountView),
    ),
    list(op(
        "GET",
        "/accounts/{account_id}/campaigns",
        "listCampaigns",
        "The account's campaigns",
        Some(P::AccountViewCampaigns),
    )),
    body(
        op(
            "POST",
            "/accounts/{account_id}/campaigns",
            "createCampaign",
            "Create a campaign",
            Some(P::AccountCreateCampaigns),
        ),
        "NewCampaign",
    ),
    body(
        op(
            "PATCH",
            "/accounts/{account_id}/campaigns/{campaign_id}",
            "updateCampaign",
            "Change a campaign's name, status, dates or budget",
            Some(P::AccountEditCampaigns),
        ),
        "CampaignPatch",
    ),
    body(
        op(
            "POST",
            "/accounts/{account_id}/children",
            "createChildAccount",
            "Create a child account under the account",
            Some(P::AccountCreateChildAccounts),
        ),
        "NewAccount",
    ),
    list(op(
        "GET",
        "/accounts/{account_id}/content",
        "listContent",
        "The account's posts and photos",
        Some(P::AccountViewContent),
    )),
    body(
        op(
            "POST",
            "/accounts/{account_id}/content",
            "createContent",
            "Add a post or a photo",
            Some(P::AccountCreateContent),
        ),
        "NewContent",
    ),
    list(op(
        "GET",
        "/accounts/{account_id}/feeds",
        "listFeeds",
        "The account's data feeds",
        Some(P::AccountViewFeeds),
    )),
    body(
        op(
            "POST",
            "/accounts/{account_id}/feeds",
            "createFeed",
            "Add a data feed",
            Some(P::AccountCreateFeeds),
        ),
        "NewFeed",
    ),
    window(op(
        "GET",
        "/accounts/{account_id}/analytics",
        "getAnalytics",
        "Campaign performance by day, with totals",
        Some(P::AccountViewAnalytics),
    )),
    list(op(
        "GET",
        "/accounts/{account_id}/default-creatives",
        "listDefaultCreatives",
        "The account's default creatives",
        Some(P::AccountViewDefaultCreative),
    )),
    op(
        "GET",
        "/agencies/{agency_id}",
        "getAgency",
        "An agency the app is installed on",
        Some(P::AgencyView),
    ),
    list(op(
        "GET",
        "/agencies/{agency_id}/accounts",
        "listAgencyAccounts",
        "The accounts the agency owns",
        Some(P::AgencyViewAccounts),
    )),
    body(
        op(
            "POST",
            "/agencies/{agency_id}/accounts",
            "createAgencyAccount",
            "Create an account owned by the agency",
            Some(P::AgencyCreateAccounts),
        ),
        "NewAccount",
    ),
    body(
        op(
            "PATCH",
            "/agencies/{agency_id}/accounts/{account_id}",
            "renameAgencyAccount",
            "Rename an account the agency owns",
            Some(P::AgencyUpdateDeleteAllAgencyAccounts),
        ),
        "NewAccount",
    ),
    list(op(
        "GET",
        "/agencies/{agency_id}/boards",
        "listBoards",
        "The agency's boards (screens)",
        Some(P::AgencyViewBoards),
    )),
    body(
        op(
            "PATCH",
            "/agencies/{agency_id}/boards/{board_id}",
            "updateBoard",
            "Change a board's name or location",
            Some(P::AgencyCanEditBoards),
        ),
        "BoardPatch",
    ),
    body(
        op(
            "PUT",
            "/agencies/{agency_id}/boards/{board_id}/image",
            "setBoardImage",
            "Set the image a board shows between campaigns",
            Some(P::AgencyCanSetBoardImages),
        ),
        "BoardImage",
    ),
    list(op(
        "GET",
        "/agencies/{agency_id}/campaigns",
        "listAgencyCampaigns",
        "Campaigns placed on the agency's boards, with their approvals",
        Some(P::AgencyViewCampaigns),
    )),
    body(
        op(
            "POST",
            "/agencies/{agency_id}/campaigns",
            "createAgencyCampaign",
            "Create a campaign for an agency account and place it on boards",
            Some(P::AgencyCreateCampaigns),
        ),
        "NewAgencyCampaign",
    ),
    body(
        op(
            "POST",
            "/agencies/{agency_id}/ad-approvals",
            "decideAd",
            "Approve or reject a campaign on a board",
            Some(P::AgencyCanApproveAds),
        ),
        "AdDecision",
    ),
    op(
        "POST",
        "/agencies/{agency_id}/campaign-pulls",
        "pullCampaigns",
        "What every board plays now",
        Some(P::AgencyPullCampaigns),
    ),
    body(
        op(
            "POST",
            "/agencies/{agency_id}/stats",
            "publishStats",
            "Publish a board's figures for a day",
            Some(P::AgencyPublishAnalytics),
        ),
        "StatsReport",
    ),
    window(op(
        "GET",
        "/agencies/{agency_id}/stats",
        "getAgencyStats",
        "Published board figures by day",
        Some(P::AgencyViewAnalytics),
    )),
    list(op(
        "GET",
        "/agencies/{agency_id}/lightning-devices",
        "listLightningDevices",
        "The agency's lightning devices",
        Some(P::AgencyViewLightningDevices),
    )),
    op(
        "GET",
        "/jobs/{job_id}/credential",
        "getJobCredential",
        "A running job's credential, for its runner",
        Some(P::AccountViewFeeds),
    ),
    body(
        op(
            "POST",
            "/jobs/{job_id}/status",
            "reportJobStatus",
            "A runner reports its job's status",
            Some(P::AccountCreateFeeds),
        ),
        "StatusReport",
    ),
];

/// The README's table: each permission, in catalog order, with the operations it guards.
pub fn permission_table() -> String {
    let mut out = String::from("| Permission | Operations |\n|---|---|\n");
    for p in Permission::ALL {
        let ops: Vec<String> = OPERATIONS
            .iter()
            .filter(|o| o.permission == Some(*p))
            .map(|o| format!("`{} /api/v1{}`", o.method, o.path))
            .collect();
        out.push_str(&format!("| `{}` | {} |\n", p.code(), ops.join("<br>")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_permission_guards_an_operation() {
        let guarded: BTreeSet<Permission> =
            OPERATIONS.iter().filter_map(|o| o.permission).collect();
        let all: BTreeSet<Permission> = Permission::ALL.iter().copied().collect();
        assert_eq!(guarded, all);
        assert_eq!(all.len(), 25);
    }

    #[test]
    fn operations_are_unique() {
        let ids: BTreeSet<&str> = OPERATIONS.iter().map(|o| o.id).collect();
        let routes: BTreeSet<(&str, &str)> =
            OPERATIONS.iter().map(|o| (o.method, o.path)).collect();
        assert_eq!(ids.len(), OPERATIONS.len());
        assert_eq!(routes.len(), OPERATIONS.len());
    }

    #[test]
    fn the_table_names_every_permission_once() {
        let table = permission_table();
        for p in Permission::ALL {
            assert_eq!(table.matches(&format!("| `{}` |", p.code())).count(), 1);
        }
    }
}
