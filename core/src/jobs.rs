//! Jobs and imported experiences: their statuses, who may move a
//! job from one status to another, and what stands in the way of deleting an authorization.

use crate::providers::{JobType, Method};
use crate::{Blocker, Problem, ProblemKind};

/// Where a job is in its life.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum JobStatus {
    /// Working now.
    Running,
    /// Waiting for its next run.
    Sleeping,
    /// Stopped by a person; runs again only when resumed.
    Paused,
    Completed,
    Failed,
}

impl JobStatus {
    /// Every status, in declaration order.
    pub const ALL: &'static [JobStatus] = <JobStatus as strum::VariantArray>::VARIANTS;

    /// The stored and wire code (`running`, …).
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The status named by `code`, or a problem naming `field`.
    pub fn parse(field: &str, code: &str) -> Result<JobStatus, Problem> {
        code.parse().map_err(|_| {
            Problem::invalid(
                field,
                "unknown_status",
                format!(
                    "{} is not a job status; use running, sleeping, paused, completed or failed",
                    crate::error::echo(code)
                ),
            )
        })
    }

    /// An authorization cannot be deleted while a job using it is running, sleeping
    /// or paused (a paused job is expected to run again).
    pub fn holds_authorization(self) -> bool {
        matches!(
            self,
            JobStatus::Running | JobStatus::Sleeping | JobStatus::Paused
        )
    }
}

/// Something a person or a job runner asks to do to a job's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// A person pauses a running or sleeping job.
    Pause,
    /// A person resumes a paused job: it sleeps until its runner picks it up.
    Resume,
    /// The job's runner reports where the job is. A runner cannot undo a person's pause, and a
    /// finished job stays finished.
    Report(JobStatus),
}

/// The status after `change`, or a conflict saying why the job cannot make that move.
pub fn next_status(from: JobStatus, change: StatusChange) -> Result<JobStatus, Problem> {
    use JobStatus::*;
    let refuse = |why: String| Err(Problem::new(ProblemKind::Conflict, "status_conflict", why));
    match change {
        StatusChange::Pause => match from {
            Running | Sleeping => Ok(Paused),
            other => refuse(format!(
                "a {} job cannot be paused; only running or sleeping jobs can",
                other.code()
            )),
        },
        StatusChange::Resume => match from {
            Paused => Ok(Sleeping),
            other => refuse(format!(
                "a {} job cannot be resumed; only paused jobs can",
                other.code()
            )),
        },
        StatusChange::Report(to) => match from {
            Paused => refuse("the job is paused; a person must resume it first".to_owned()),
            Completed | Failed => refuse(format!(
                "the job has {} and reports nothing more",
                if from == Completed {
                    "completed"
                } else {
                    "failed"
                }
            )),
            Running | Sleeping if to == Paused => refuse("only a person pauses a job".to_owned()),
            Running | Sleeping => Ok(to),
        },
    }
}

/// A job may be deleted unless it is running: pause it first, so its runner stops cleanly.
pub fn check_job_delete(status: JobStatus) -> Result<(), Problem> {
    if status == JobStatus::Running {
        Err(Problem::new(
            ProblemKind::Conflict,
            "job_running",
            "the job is running; pause it before deleting it",
        ))
    } else {
        Ok(())
    }
}

/// A job's name: 1 to 100 characters on one line.
pub fn check_job_name(name: &str) -> Result<String, Problem> {
    crate::people::check_name("name", name)
}

/// The method must support the job's type (only one Google method imports from Pub/Sub).
pub fn check_job_type(method: &Method, job: JobType) -> Result<(), Problem> {
    if method.jobs.contains(&job) {
        Ok(())
    } else {
        Err(Problem::invalid(
            "authorization",
            "unsupported_job_type",
            format!(
                "an authorization made with {} cannot run {}",
                method.name,
                job.label()
            ),
        ))
    }
}

/// A job as the delete guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRef {
    pub id: String,
    pub name: String,
    pub status: JobStatus,
}

/// An imported experience as the delete guard sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperienceRef {
    pub id: String,
    pub name: String,
    pub active: bool,
}

/// What stands in the way of deleting an authorization: every job holding it and every
/// active imported experience using it. Empty means it may go.
pub fn deletion_blockers(jobs: &[JobRef], experiences: &[ExperienceRef]) -> Vec<Blocker> {
    let jobs = jobs
        .iter()
        .filter(|j| j.status.holds_authorization())
        .map(|j| Blocker {
            kind: "job".to_owned(),
            id: j.id.clone(),
            name: format!("{} ({})", j.name, j.status.code()),
        });
    let experiences = experiences.iter().filter(|e| e.active).map(|e| Blocker {
        kind: "experience".to_owned(),
        id: e.id.clone(),
        name: e.name.clone(),
    });
    jobs.chain(experiences).collect()
}

/// The refusal of a delete that `blockers` stand in the way of, listing them (API.md: 409 with
/// `blockers`).
pub fn blocked_delete(blockers: Vec<Blocker>) -> Problem {
    let count = |kind: &str, one: &str, many: &str| {
        let n = blockers.iter().filter(|b| b.kind == kind).count();
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    let holders: Vec<String> = [
        count("job", "job", "jobs"),
        count("experience", "imported experience", "imported experiences"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut p = Problem::new(
        ProblemKind::Conflict,
        "authorization_in_use",
        format!(
            "the authorization is still used by {}; delete or finish them first",
            holders.join(" and ")
        ),
    );
    p.blockers = blockers;
    p
}

/// Columns the jobs tables sort by.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum JobSort {
    Name,
    Type,
    Status,
    #[default]
    Created,
}

impl JobSort {
    /// The sort named by a request (`name`, `type`, `status`, `created`).
    pub fn parse(input: &str) -> Result<JobSort, Problem> {
        if input.is_empty() {
            return Ok(JobSort::Created);
        }
        input.parse().map_err(|_| {
            Problem::invalid(
                "sort",
                "unknown_sort",
                format!(
                    "cannot sort jobs by {}; use name, type, status or created",
                    crate::error::echo(input)
                ),
            )
        })
    }

    /// The code `parse` reads.
    pub fn code(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;

    #[test]
    fn people_pause_and_resume_runners_report() {
        assert_eq!(next_status(Running, StatusChange::Pause).ok(), Some(Paused));
        assert_eq!(
            next_status(Paused, StatusChange::Resume).ok(),
            Some(Sleeping)
        );
        assert!(next_status(Completed, StatusChange::Pause).is_err());
        assert!(next_status(Paused, StatusChange::Report(Running)).is_err());
        assert!(next_status(Running, StatusChange::Report(Paused)).is_err());
        assert!(next_status(Failed, StatusChange::Report(Running)).is_err());
        assert_eq!(
            next_status(Sleeping, StatusChange::Report(Completed)).ok(),
            Some(Completed)
        );
    }

    #[test]
    fn only_live_jobs_and_active_experiences_block_a_delete() {
        let job = |id: &str, status| JobRef {
            id: id.to_owned(),
            name: id.to_owned(),
            status,
        };
        let jobs = [
            job("a", Running),
            job("b", Sleeping),
            job("c", Paused),
            job("d", Completed),
            job("e", Failed),
        ];
        let experiences = [
            ExperienceRef {
                id: "x".to_owned(),
                name: "x".to_owned(),
                active: true,
            },
            ExperienceRef {
                id: "y".to_owned(),
                name: "y".to_owned(),
                active: false,
            },
        ];
        let ids: Vec<String> = deletion_blockers(&jobs, &experiences)
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, ["a", "b", "c", "x"]);
        assert!(deletion_blockers(&jobs[3..], &experiences[1..]).is_empty());
        assert!(check_job_delete(Running).is_err());
        assert!(check_job_delete(Paused).is_ok());
    }
}
