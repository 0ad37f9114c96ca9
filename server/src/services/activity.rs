//! Reading the activity log: the list behind the Activity page, and the record a download
//! leaves before its first byte.

use crate::services::audit::Actor;
use crate::services::people::Checked;
use crate::services::Services;
use crate::store::activity::{count, list};
use async_trait::async_trait;
use portcullis_app::services::{Activity, ActivityQuery, Caller, RequestMeta};
use portcullis_core::actions::Action;
use portcullis_core::audit::{csv_time, ActivityFilter};
use portcullis_core::ids::TenantId;
use portcullis_core::people::page_limit;
use portcullis_core::wire::{EventRow, Page};
use portcullis_core::Problem;

#[async_trait]
impl Activity for Services {
    async fn list_activity(
        &self,
        caller: &Caller,
        query: ActivityQuery,
    ) -> Result<Page<EventRow>, Problem> {
        let checked = self.require(caller, Action::ViewActivity, None).await?;
        let query = ActivityQuery {
            limit: page_limit(Some(query.limit))?,
            ..query
        };
        Ok(list(&self.db.pool, checked.tenant(), &query).await?)
    }
}

impl Services {
    /// Whether `caller` may download the current tenant's activity log: checked before the
    /// download's filters are read, so a refusal says only that.
    pub(crate) async fn may_download(&self, caller: &Caller) -> Result<Checked, Problem> {
        self.require(caller, Action::DownloadActivity, None).await
    }

    /// Starts the download `checked` allowed: records it (the people, emails and addresses in
    /// the log leave the platform, and a download that cannot be recorded does not start) and
    /// counts the rows, the record included.
    pub(crate) async fn begin_download(
        &self,
        caller: &Caller,
        checked: Checked,
        filter: &ActivityFilter,
        meta: &RequestMeta,
    ) -> Result<(TenantId, i64), Problem> {
        let tenant = checked.tenant().clone();
        let actor = Actor::person(&tenant, caller, meta);
        let mut tx = self.db.write().await?;
        actor
            .record(
                &mut tx,
                "activity/download",
                (tenant.as_str(), &describe(filter)),
            )
            .await?;
        tx.commit().await?;
        let total = count(&self.db.pool, &tenant, filter).await?;
        Ok((tenant, total))
    }
}

/// The download's object name: what was downloaded, in words.
fn describe(filter: &ActivityFilter) -> String {
    let mut parts = vec!["activity log".to_owned()];
    if let Some(user) = &filter.user {
        parts.push(format!("user {user}"));
    }
    if let Some(action) = &filter.action {
        parts.push(format!("action {action}"));
    }
    if let Some(from) = filter.from_ms {
        parts.push(format!("from {}", csv_time(from)));
    }
    if let Some(to) = filter.to_ms {
        parts.push(format!("until {}", csv_time(to)));
    }
    parts.join(", ")
}
