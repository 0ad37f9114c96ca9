//! Deciding in the browser: the page holds the caller's access data and asks core's very
//! `decide` what to offer, so a button the server would refuse is never shown as if it worked.

use portcullis_core::actions::Action;
use portcullis_core::decide::{AccessSnapshot, Decision, Resource};
use portcullis_core::ids::{DatabaseId, UserId};

/// The caller's access in the current tenant, ready to decide.
#[derive(Debug, Clone)]
pub struct Access {
    snapshot: AccessSnapshot,
    me: UserId,
}

impl Access {
    pub fn new(snapshot: AccessSnapshot, me: UserId) -> Access {
        Access { snapshot, me }
    }

    /// The decision on the tenant as a whole.
    pub fn tenant(&self, action: Action) -> Decision {
        let resource = Resource::Tenant {
            tenant: self.snapshot.tenant.clone(),
        };
        self.snapshot.index().decide(&self.me, action, &resource)
    }

    /// The decision on one database.
    pub fn database(&self, action: Action, database: &DatabaseId) -> Decision {
        let resource = Resource::Database {
            tenant: self.snapshot.tenant.clone(),
            database: database.clone(),
        };
        self.snapshot.index().decide(&self.me, action, &resource)
    }

    /// Whether the caller is this person.
    pub fn is_me(&self, user: &UserId) -> bool {
        &self.me == user
    }
}
