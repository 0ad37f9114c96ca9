//! Reading the activity log: the list behind the Activity page, and the record a download
//! leaves before its first byte.

use crate::services::audit::{Principal, Source};
use crate::services::Services;
use crate::store::activity::{count, list};
use crate::store::activity::{record, NewEvent};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
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
    /// Lets `caller` download the events `filter` picks: checks the permission, records the
    /// download (the people, emails and addresses in the log leave the platform, and a download
    /// that cannot be recorded does not start) and counts the rows, the record included.
    pub async fn begin_download(
        &self,
        caller: &Caller,
        filter: &ActivityFilter,
        meta: &RequestMeta,
        now: DateTime<Utc>,
    ) -> Result<(TenantId, i64), Problem> {
        let checked = self.require(caller, Action::DownloadActivity, None).await?;
        let tenant = checked.tenant().clone();
        let mut tx = self.db.write().await?;
        record(
            &mut tx,
            NewEvent {
                tenant_id: Some(&tenant),
                event_type: "activity/download",
                happened_at: now,
                principal: &Principal::of(&caller.viewer),
                source: Source::Console.code(),
                object_id: Some(tenant.as_str()),
                object_name: Some(&describe(filter)),
                origin_ip: meta.origin_ip.as_deref(),
            },
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
