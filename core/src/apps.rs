//! Applications and their bots: the permission catalog exactly as the seed lists it, its
//! common combinations, what an app must say when it asks for a permission, how a bot token's
//! credentials are read, and the bot's decision rule:
//! *granted at install ∩ the app's current permissions, where it is installed*, with
//! `agency.updateDeleteAllAgencyAccounts` reaching every tenant the agency owns.

use crate::ids::{AgencyId, InstallId, TenantId};
use crate::Problem;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a permission applies: inside an advertiser account (a tenant) or an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PermissionScope {
    Account,
    Agency,
}

macro_rules! permissions {
    ($($variant:ident => $code:literal, $scope:ident, $description:literal;)*) => {
        /// One of the seed's 25 application permissions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
        #[serde(into = "String", try_from = "String")]
        pub enum Permission { $(#[strum(serialize = $code)] $variant,)* }

        impl Permission {
            /// Every permission, in the seed's order.
            pub const ALL: &'static [Permission] = <Permission as strum::VariantArray>::VARIANTS;

            /// The code the seed and the API use (`account.viewCampaigns`).
            pub fn code(self) -> &'static str {
                self.into()
            }

            /// The seed's description.
            pub fn description(self) -> &'static str {
                match self { $(Permission::$variant => $description,)* }
            }

            /// Account or agency.
            pub fn scope(self) -> PermissionScope {
                match self { $(Permission::$variant => PermissionScope::$scope,)* }
            }
        }
    };
}

permissions! {
    AccountCreateCampaigns => "account.createCampaigns", Account, "Can create campaigns for this account";
    AccountCreateChildAccounts => "account.createChildAccounts", Account, "Can create child accounts under this account";
    AccountCreateContent => "account.createContent", Account, "Can add posts / photos, etc. to this account";
    AccountCreateFeeds => "account.createFeeds", Account, "Can create data sources for this account";
    AccountEditCampaigns => "account.editCampaigns", Account, "Can edit campaigns for this account";
    AccountView => "account.view", Account, "A user can view this account";
    AccountViewAnalytics => "account.viewAnalytics", Account, "Can view analytics for this account";
    AccountViewCampaigns => "account.viewCampaigns", Account, "Can view campaigns for this account";
    AccountViewContent => "account.viewContent", Account, "Can view data for this account";
    AccountViewDefaultCreative => "account.viewDefaultCreative", Account, "Can view default creatives for this account";
    AccountViewFeeds => "account.viewFeeds", Account, "Can view data sources for this account";
    AgencyCanApproveAds => "agency.canApproveAds", Agency, "Can approve ads for this operator";
    AgencyCanEditBoards => "agency.canEditBoards", Agency, "Can edit boards for this operator";
    AgencyCanSetBoardImages => "agency.canSetBoardImages", Agency, "Can set board images for this operators screens";
    AgencyCreateAccounts => "agency.createAccounts", Agency, "Can create accounts attached to this operator";
    AgencyCreateCampaigns => "agency.createCampaigns", Agency, "Can create campaigns attached to boards for this operator";
    AgencyPublishAnalytics => "agency.publishAnalytics", Agency, "Can publish stats for this operator and its boards";
    AgencyPullCampaigns => "agency.pullCampaigns", Agency, "Can execute a campaign pull against this operators boards";
    AgencyUpdateDeleteAllAgencyAccounts => "agency.updateDeleteAllAgencyAccounts", Agency, "Complete permissions to all accounts that are owned by this agency including update, creating content, delete and other operations";
    AgencyView => "agency.view", Agency, "Can view basic details about this operator";
    AgencyViewAccounts => "agency.viewAccounts", Agency, "Can view accounts that belong to this operator";
    AgencyViewAnalytics => "agency.viewAnalytics", Agency, "Can view stats for this operator and its boards";
    AgencyViewBoards => "agency.viewBoards", Agency, "Can view the list of boards for this operator";
    AgencyViewCampaigns => "agency.viewCampaigns", Agency, "Can view campaigns attached to boards for this operator";
    AgencyViewLightningDevices => "agency.viewLightningDevices", Agency, "Can view the list of lightning devices for this operator";
}

impl Permission {
    /// The permission a code names, or a problem naming `field` and the rule.
    pub fn parse(field: &str, code: &str) -> Result<Permission, Problem> {
        code.trim().parse().map_err(|_| {
            Problem::invalid(
                field,
                "unknown_permission",
                format!("{} is not a permission; use one of the catalog's 25 codes, such as account.viewCampaigns", crate::error::echo(code)),
            )
        })
    }
}

impl From<Permission> for String {
    fn from(p: Permission) -> String {
        p.code().to_owned()
    }
}

impl TryFrom<String> for Permission {
    type Error = String;
    fn try_from(code: String) -> Result<Permission, String> {
        Permission::parse("permission", &code).map_err(|p| p.message)
    }
}

/// One of the seed's common permission combinations, offered as a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// Each permission with the seed's one-line reason, used as the request's "why".
    pub permissions: &'static [(Permission, &'static str)],
}

/// The seed's four common combinations.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "Analytics Dashboard App",
        permissions: &[
            (
                Permission::AccountViewAnalytics,
                "View campaign performance data",
            ),
            (
                Permission::AccountViewCampaigns,
                "Access campaign information",
            ),
        ],
    },
    Preset {
        name: "Creative Management App",
        permissions: &[
            (Permission::AccountViewContent, "View existing creatives"),
            (
                Permission::AccountCreateContent,
                "Create and edit creatives",
            ),
        ],
    },
    Preset {
        name: "Campaign Automation App",
        permissions: &[
            (Permission::AccountViewCampaigns, "View campaign details"),
            (Permission::AccountCreateCampaigns, "Create new campaigns"),
            (Permission::AccountEditCampaigns, "Modify campaign settings"),
            (Permission::AccountCreateContent, "Post ads to campaigns"),
        ],
    },
    Preset {
        name: "Operator Management App",
        permissions: &[
            (Permission::AgencyViewBoards, "View screen inventory"),
            (Permission::AgencyViewAccounts, "See connected accounts"),
            (Permission::AgencyCanApproveAds, "Approve ads for display"),
        ],
    },
];

/// The longest reason an app may give for one permission.
pub const WHY_MAX_CHARS: usize = 300;

/// A permission an app asks for, and why: every requested permission carries its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRequest {
    pub permission: Permission,
    pub why: String,
}

/// Checks an app's requested permissions: each at most once, each with a reason of 3 to 300
/// characters. Problems name the field `why.<code>` so the form can show them beside the box.
pub fn check_requests(requests: &[PermissionRequest]) -> Result<Vec<PermissionRequest>, Problem> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let field = format!("why.{}", r.permission.code());
        if !seen.insert(r.permission) {
            return Err(Problem::invalid(
                field,
                "duplicate_permission",
                format!("{} is asked for twice", r.permission.code()),
            ));
        }
        let why = r.why.trim();
        let chars = why.chars().count();
        if !(3..=WHY_MAX_CHARS).contains(&chars) || why.chars().any(char::is_control) {
            return Err(Problem::invalid(
                field,
                "why_required",
                format!(
                    "say in 3 to {WHY_MAX_CHARS} characters, on one line, why the app needs {}",
                    r.permission.code()
                ),
            ));
        }
        out.push(PermissionRequest {
            permission: r.permission,
            why: why.to_owned(),
        });
    }
    Ok(out)
}

/// Reads the permissions form field: one `code: why` per line (blank lines ignored), then
/// [`check_requests`].
pub fn parse_request_lines(text: &str) -> Result<Vec<PermissionRequest>, Problem> {
    let mut requests = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (code, why) = line.split_once(':').ok_or_else(|| {
            Problem::invalid(
                "permissions",
                "why_required",
                format!(
                    "write {} as permission: why the app needs it",
                    crate::error::echo(line)
                ),
            )
        })?;
        requests.push(PermissionRequest {
            permission: Permission::parse("permissions", code)?,
            why: why.to_owned(),
        });
    }
    check_requests(&requests)
}

/// The form field [`parse_request_lines`] reads, for these requests.
pub fn request_lines(requests: &[PermissionRequest]) -> String {
    requests
        .iter()
        .map(|r| format!("{}: {}", r.permission.code(), r.why))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The public part of every bot token starts with this (shared/API.md).
pub const TOKEN_PREFIX: &str = "pct_";

/// A bot's credentials as presented: the public token and the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

fn bad_credentials(why: &str) -> Problem {
    Problem::unauthenticated(format!(
        "{why}; send Authorization: Bearer <token>:<secret> (or HTTP Basic with the same pair)"
    ))
}

/// Reads `Authorization: Bearer <token>:<secret>` or `Basic base64(<token>:<secret>)`.
pub fn parse_authorization(header: &str) -> Result<Credentials, Problem> {
    let header = header.trim();
    let (scheme, value) = header
        .split_once(' ')
        .ok_or_else(|| bad_credentials("the Authorization header has no scheme"))?;
    // Schemes are case-insensitive (RFC 9110), compared without lower-casing a copy: every
    // API call passes here.
    let pair = if scheme.eq_ignore_ascii_case("bearer") {
        value.trim().to_owned()
    } else if scheme.eq_ignore_ascii_case("basic") {
        crate::base64::decode(value.trim())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| bad_credentials("the Basic credentials are not valid base64 text"))?
    } else {
        return Err(bad_credentials("only Bearer and Basic are accepted"));
    };
    let (token, secret) = pair
        .split_once(':')
        .ok_or_else(|| bad_credentials("the credentials lack the :<secret> part"))?;
    if !token.starts_with(TOKEN_PREFIX) || secret.is_empty() {
        return Err(bad_credentials("that is not a Portcullis bot token"));
    }
    Ok(Credentials {
        token: token.to_owned(),
        secret: secret.to_owned(),
    })
}

/// Requests one bot token may make per minute, across every replica.
pub const BOT_REQUESTS_PER_MINUTE: u32 = 600;
/// How many tokens' allowances all of one app's tokens together may use per minute: minting
/// tokens does not multiply an app's allowance past this.
pub const APP_ALLOWANCE_IN_TOKENS: u32 = 5;
/// Calls with an invalid token one client address may make per minute; past it, its calls are
/// refused before any token is looked up.
pub const INVALID_CALLS_PER_ADDRESS_MINUTE: u32 = 120;
/// Active (unrevoked) tokens one app may hold.
pub const MAX_TOKENS_PER_APP: u32 = 25;

/// What a minute's allowance is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Token,
    App,
    /// Calls with invalid tokens from one client address.
    Address,
}

/// One counter's use of the current minute, as one replica sees it: the total every replica
/// had reported when it last asked the database, plus its own calls not reported yet. Reporting
/// in batches keeps a write off most calls; a limit is overshot by at most one batch per
/// replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateWindow {
    start_ms: i64,
    shared: u32,
    /// Calls in a report that has not come back yet: counted, and never reported twice.
    pending: u32,
    unsynced: u32,
}

/// Calls a replica counts before reporting them: a fiftieth of the limit, so small limits
/// (and tests) are exact.
pub fn sync_batch(limit: u32) -> u32 {
    (limit / 50).max(1)
}

impl RateWindow {
    /// Counts a call at `now_ms`, or refuses it with a 429 that says when the next window opens
    /// (whole seconds, rounded up). `Ok(true)` asks the caller to report the unreported calls
    /// now: the window's first call (to learn what other replicas counted) or a full batch.
    pub fn admit(&mut self, now_ms: i64, limit: u32, what: Limited) -> Result<bool, Problem> {
        let start = now_ms.div_euclid(60_000) * 60_000;
        if start != self.start_ms {
            *self = RateWindow {
                start_ms: start,
                ..RateWindow::default()
            };
        }
        if self.used() >= limit {
            return Err(self.refusal(now_ms, limit, what));
        }
        self.unsynced += 1;
        let first = self.shared == 0 && self.pending == 0 && self.unsynced == 1;
        Ok(first || self.unsynced >= sync_batch(limit))
    }

    /// Starts a report: the unreported calls become pending until [`RateWindow::synced`], so
    /// calls admitted meanwhile start the next batch instead of reporting these again.
    pub fn begin_report(&mut self) -> u32 {
        let reported = self.unsynced;
        self.pending += reported;
        self.unsynced = 0;
        reported
    }

    /// The 429 for a spent allowance: it says when the next window opens (whole seconds,
    /// rounded up).
    pub fn refusal(&self, now_ms: i64, limit: u32, what: Limited) -> Problem {
        let wait_ms = self.start_ms + 60_000 - now_ms;
        let message = match what {
            Limited::Token => format!(
                "this token made its {limit} requests for this minute; try again when the minute turns"
            ),
            Limited::App => format!(
                "this app's tokens made their {limit} requests for this minute together; try again when the minute turns"
            ),
            Limited::Address => format!(
                "{limit} calls with an invalid token came from your network this minute; try again when the minute turns"
            ),
        };
        let mut p = Problem::new(crate::ProblemKind::RateLimited, "rate_limited", message);
        p.retry_after_secs = Some(u64::try_from((wait_ms + 999) / 1_000).unwrap_or(60).max(1));
        p
    }

    /// Whether the allowance is spent at `now_ms` (checked before any work is done).
    pub fn spent(&self, now_ms: i64, limit: u32) -> bool {
        !self.stale(now_ms) && self.used() >= limit
    }

    /// The database's total after `reported` of this replica's calls were added to it, for
    /// the window that started at `window_ms`.
    pub fn synced(&mut self, window_ms: i64, reported: u32, total: u32) {
        if window_ms == self.start_ms {
            self.pending = self.pending.saturating_sub(reported);
            // Reports may come back out of order: the largest total is the latest.
            self.shared = self.shared.max(total);
        }
    }

    /// The minute this window counts (its first millisecond).
    pub fn start_ms(&self) -> i64 {
        self.start_ms
    }

    fn used(&self) -> u32 {
        self.shared
            .saturating_add(self.pending)
            .saturating_add(self.unsynced)
    }

    /// Whether the window has ended by `now_ms` (a stale entry that may be dropped).
    pub fn stale(&self, now_ms: i64) -> bool {
        now_ms - self.start_ms >= 60_000
    }
}

/// Where an app is installed, or what a bot acts on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    Tenant(TenantId),
    Agency(AgencyId),
}

/// An installation of the bot's app, with what its installer allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Install {
    pub id: InstallId,
    pub target: Target,
    /// Permissions the installer allowed on the consent screen (or on a later re-approval).
    pub granted: BTreeSet<Permission>,
}

/// Everything a bot decision needs: the app's current permissions, its installs, and which
/// tenants each agency owns (for `agency.updateDeleteAllAgencyAccounts`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BotAccess {
    pub app_permissions: BTreeSet<Permission>,
    pub installs: Vec<Install>,
    pub agency_tenants: Vec<(AgencyId, TenantId)>,
}

/// Why a bot may or may not do something, so every refusal can say what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BotReason {
    /// The install on the target granted it and the app still asks for it.
    Granted { install: InstallId },
    /// The agency that owns the tenant installed the app with full account rights.
    ViaAgency {
        install: InstallId,
        agency: AgencyId,
    },
    /// The app is not installed where the bot tried to act.
    NotInstalled,
    /// Account permissions apply to tenants, agency permissions to agencies.
    WrongScope,
    /// The app asks for the permission but the installer has not approved it yet.
    AwaitingApproval,
    /// The installer allowed it once, but the app no longer asks for it.
    NoLongerRequested,
    /// Neither granted nor asked for.
    NotGranted,
}

/// A bot decision and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotDecision {
    pub allowed: bool,
    pub reason: BotReason,
    pub permission: Permission,
}

impl BotDecision {
    /// The API's answer to a refusal: 404 where the app is not installed (a bot never learns
    /// what exists elsewhere), else 403 naming the missing permission.
    pub fn into_result(self) -> Result<BotReason, Problem> {
        if self.allowed {
            return Ok(self.reason);
        }
        let code = self.permission.code();
        let why = match self.reason {
            BotReason::NotInstalled => return Err(Problem::not_found("resource")),
            BotReason::WrongScope => format!("{code} does not apply to this kind of target"),
            BotReason::AwaitingApproval => {
                format!("the app asks for {code}, but the installer has not approved it yet")
            }
            BotReason::NoLongerRequested => {
                format!("the app no longer asks for {code}; add it back and have the installer approve it")
            }
            _ => format!("this install does not grant {code}"),
        };
        let mut p = Problem::forbidden("missing_permission", why);
        p.missing_permission = Some(code.to_owned());
        Err(p)
    }
}

impl BotAccess {
    /// What a bot of this app may do with `permission` on `target`: what the install granted
    /// ∩ what the app asks for now, where it is installed.
    pub fn decide(&self, permission: Permission, target: &Target) -> BotDecision {
        let decision = |allowed, reason| BotDecision {
            allowed,
            reason,
            permission,
        };
        let effective = |install: &Install, p: Permission| {
            install.granted.contains(&p) && self.app_permissions.contains(&p)
        };
        let scope_fits = scope_matches(permission, target);
        let direct = self.installs.iter().find(|i| &i.target == target);
        if let (true, Some(install)) = (scope_fits, direct) {
            if effective(install, permission) {
                return decision(
                    true,
                    BotReason::Granted {
                        install: install.id.clone(),
                    },
                );
            }
        }
        if let (PermissionScope::Account, Target::Tenant(tenant)) = (permission.scope(), target) {
            let via = self.installs.iter().find_map(|i| match &i.target {
                Target::Agency(agency)
                    if effective(i, Permission::AgencyUpdateDeleteAllAgencyAccounts)
                        && self
                            .agency_tenants
                            .iter()
                            .any(|(a, t)| a == agency && t == tenant) =>
                {
                    Some((i.id.clone(), agency.clone()))
                }
                _ => None,
            });
            if let Some((install, agency)) = via {
                return decision(true, BotReason::ViaAgency { install, agency });
            }
        }
        let Some(install) = direct else {
            return decision(false, BotReason::NotInstalled);
        };
        if !scope_fits {
            return decision(false, BotReason::WrongScope);
        }
        let reason = match (
            install.granted.contains(&permission),
            self.app_permissions.contains(&permission),
        ) {
            (false, true) => BotReason::AwaitingApproval,
            (true, false) => BotReason::NoLongerRequested,
            _ => BotReason::NotGranted,
        };
        decision(false, reason)
    }
}

/// What an install has not approved yet: the app's current permissions beyond the grant. An
/// app that later asks for more gets it only after the installer approves again.
pub fn pending_approval(
    install: &Install,
    app_permissions: &BTreeSet<Permission>,
) -> BTreeSet<Permission> {
    app_permissions
        .iter()
        .filter(|p| !install.granted.contains(p) && scope_matches(**p, &install.target))
        .copied()
        .collect()
}

/// What the consent screen lists: the app's permissions that apply to the target, exactly
/// what Allow grants.
pub fn consent_list(app_permissions: &BTreeSet<Permission>, target: &Target) -> Vec<Permission> {
    app_permissions
        .iter()
        .filter(|p| scope_matches(**p, target))
        .copied()
        .collect()
}

fn scope_matches(p: Permission, target: &Target) -> bool {
    matches!(
        (p.scope(), target),
        (PermissionScope::Account, Target::Tenant(_))
            | (PermissionScope::Agency, Target::Agency(_))
    )
}
