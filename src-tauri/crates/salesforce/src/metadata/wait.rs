//! Polling a retrieve or a deploy to the end, as Salesforce's own tools do (metadata-soap.md
//! §7): start at `interval`, back off to `max_interval`, give up after `timeout`, stop early
//! on cancellation. A retrieve is polled without the zip and fetched once at the end,
//! because the server deletes the zip after the first call that returns it.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::{DeployResult, Metadata, RetrieveRequest, RetrieveResult};
use crate::error::{Error, Result};

/// How to poll an asynchronous Metadata job.
#[derive(Debug, Clone, PartialEq)]
pub struct Poll {
    pub interval: Duration,
    pub max_interval: Duration,
    pub timeout: Duration,
}

impl Default for Poll {
    /// Salesforce CLI's behaviour: from 1 s up to 10 s between polls, 60 minutes in all.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

impl Poll {
    async fn pause(
        &self,
        delay: &mut Duration,
        started: Instant,
        cancel: &CancellationToken,
        what: &'static str,
        id: &str,
    ) -> Result<()> {
        if started.elapsed() >= self.timeout {
            return Err(Error::JobTimedOut {
                what,
                id: id.to_owned(),
                waited: started.elapsed(),
            });
        }
        tokio::select! {
            _ = cancel.cancelled() => Err(Error::WaitCancelled { what, id: id.to_owned() }),
            _ = tokio::time::sleep(*delay) => {
                *delay = (*delay * 3 / 2).min(self.max_interval);
                Ok(())
            }
        }
    }
}

impl Metadata<'_> {
    /// Starts a retrieve and waits for it; the result carries the zip bytes.
    pub async fn retrieve_and_wait(
        &self,
        request: &RetrieveRequest,
        poll: &Poll,
        cancel: &CancellationToken,
    ) -> Result<RetrieveResult> {
        let started = Instant::now();
        let job = self.retrieve(request).await?;
        let mut delay = poll.interval;
        loop {
            let status = self.check_retrieve_status(&job.id, false).await?;
            if status.done {
                return self.check_retrieve_status(&job.id, true).await;
            }
            poll.pause(&mut delay, started, cancel, "Retrieve", &job.id)
                .await?;
        }
    }

    /// Polls a deploy (with details) until it is done, reporting each status to `progress`.
    pub async fn wait_for_deploy(
        &self,
        id: &str,
        poll: &Poll,
        cancel: &CancellationToken,
        mut progress: impl FnMut(&DeployResult) + Send,
    ) -> Result<DeployResult> {
        let started = Instant::now();
        let mut delay = poll.interval;
        loop {
            let status = self.check_deploy_status(id, true).await?;
            progress(&status);
            if status.done {
                return Ok(status);
            }
            poll.pause(&mut delay, started, cancel, "Deploy", id)
                .await?;
        }
    }
}
