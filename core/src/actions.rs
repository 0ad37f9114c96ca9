//! The action catalog: everything a person can do in the console, and how far each reaches.

use serde::{Deserialize, Serialize};

/// Where an action applies, which decides what an assignment must reach to grant it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Tenant-wide administration: any assignment whose policy holds the action grants it.
    Tenant,
    /// One database: the assignment's resource group must reach it.
    Database,
    /// All the tenant's data: only an assignment on *All resource groups* grants it.
    AllData,
}

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $scope:ident, $label:literal;)*) => {
        /// One thing a person may or may not do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every action, in catalog order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// Stable machine code (`manage_users`).
            pub fn code(self) -> &'static str {
                match self { $(Action::$variant => $code,)* }
            }

            /// How far the action reaches.
            pub fn scope(self) -> Scope {
                match self { $(Action::$variant => Scope::$scope,)* }
            }

            /// What a person reads in the UI.
            pub fn label(self) -> &'static str {
                match self { $(Action::$variant => $label,)* }
            }

            /// The action with this code.
            pub fn from_code(code: &str) -> Option<Action> {
                match code { $($code => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    ViewUsers => "view_users", Tenant, "view users";
    ManageUsers => "manage_users", Tenant, "add, edit and remove users";
    ManagePolicies => "manage_policies", Tenant, "manage policies";
    ManageResourceGroups => "manage_resource_groups", Tenant, "manage resource groups";
    ManageSso => "manage_sso", Tenant, "manage SSO and group mappings";
    ViewActivity => "view_activity", Tenant, "view the activity log";
    DownloadActivity => "download_activity", Tenant, "download the activity log";
    ViewAuthorizations => "view_authorizations", Tenant, "view authorizations";
    ManageAuthorizations => "manage_authorizations", Tenant, "create, edit and delete authorizations";
    ViewJobs => "view_jobs", Tenant, "view jobs";
    ManageJobs => "manage_jobs", Tenant, "create and run jobs";
    ViewApps => "view_apps", Tenant, "view installed apps";
    ManageApps => "manage_apps", Tenant, "install and uninstall apps";
    ViewDatabase => "view_database", Database, "view the database";
    ViewTables => "view_tables", Database, "view the database's tables";
    ConfigureExports => "configure_exports", Database, "configure database exports";
    BuildSegments => "build_segments", Database, "build segments and queries";
    DesignCampaigns => "design_campaigns", Database, "design campaigns";
    SendToDestinations => "send_to_destinations", Database, "send results to destinations";
    ViewPii => "view_pii", AllData, "see personally identifiable information";
    ExportPii => "export_pii", AllData, "export rows that hold PII";
    OpenSources => "open_sources", AllData, "open the Sources area";
    ManageDatabases => "manage_databases", AllData, "add and edit databases";
    ChangeDatabasePermissions => "change_database_permissions", AllData, "change a database's resource group";
    QueryAllData => "query_all_data", AllData, "run queries over all of the tenant's data";
}

/// The actions of each built-in policy, by policy name.
pub fn builtin_policy_actions(name: &str) -> &'static [Action] {
    use Action::*;
    match name {
        "User Administrator" => &[
            ViewUsers,
            ManageUsers,
            ManagePolicies,
            ManageResourceGroups,
            ManageSso,
            ViewActivity,
            DownloadActivity,
            ViewApps,
            ManageApps,
            ViewAuthorizations,
            ViewJobs,
            ViewDatabase,
            ViewTables,
        ],
        "Data Administrator" => &[
            ViewDatabase,
            ViewTables,
            ConfigureExports,
            BuildSegments,
            DesignCampaigns,
            SendToDestinations,
            ViewPii,
            ExportPii,
            OpenSources,
            ManageDatabases,
            ChangeDatabasePermissions,
            QueryAllData,
            ViewAuthorizations,
            ManageAuthorizations,
            ViewJobs,
            ManageJobs,
        ],
        "Analyst" => &[
            ViewDatabase,
            ViewTables,
            ConfigureExports,
            BuildSegments,
            DesignCampaigns,
            SendToDestinations,
            QueryAllData,
            ViewPii,
            ViewJobs,
            ViewAuthorizations,
        ],
        "Viewer" => &[
            ViewDatabase,
            ViewTables,
            ViewJobs,
            ViewAuthorizations,
            ViewUsers,
        ],
        _ => &[],
    }
}
