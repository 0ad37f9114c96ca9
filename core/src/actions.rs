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
    ($($(#[$doc:meta])* $variant:ident, $scope:ident, $label:literal;)*) => {
        /// One thing a person may or may not do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every action, in catalog order.
            pub const ALL: &'static [Action] = <Action as strum::VariantArray>::VARIANTS;

            /// Stable machine code (`manage_users`).
            pub fn code(self) -> &'static str {
                self.into()
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
                code.parse().ok()
            }
        }
    };
}

actions! {
    ViewUsers, Tenant, "view users";
    ManageUsers, Tenant, "add, edit and remove users";
    ManagePolicies, Tenant, "manage policies";
    ManageResourceGroups, Tenant, "manage resource groups";
    ManageSso, Tenant, "manage SSO and group mappings";
    ViewActivity, Tenant, "view the activity log";
    DownloadActivity, Tenant, "download the activity log";
    ViewAuthorizations, Tenant, "view authorizations";
    ManageAuthorizations, Tenant, "create, edit and delete authorizations";
    ViewJobs, Tenant, "view jobs";
    ManageJobs, Tenant, "create and run jobs";
    ViewApps, Tenant, "view installed apps";
    ManageApps, Tenant, "install and uninstall apps";
    ViewDatabase, Database, "view the database";
    ViewTables, Database, "view the database's tables";
    ConfigureExports, Database, "configure database exports";
    BuildSegments, Database, "build segments and queries";
    DesignCampaigns, Database, "design campaigns";
    SendToDestinations, Database, "send results to destinations";
    ViewPii, AllData, "see personally identifiable information";
    ExportPii, AllData, "export rows that hold PII";
    OpenSources, AllData, "open the Sources area";
    ManageDatabases, AllData, "add and edit databases";
    ChangeDatabasePermissions, AllData, "change a database's resource group";
    QueryAllData, AllData, "run queries over all of the tenant's data";
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
