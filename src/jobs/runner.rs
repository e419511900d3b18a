//! The job runner every instance starts with `serve`: a few threads that claim the next chunk
//! of any running bulk job, work it, and move on; when no job waits, they finish mass invites
//! whose sender stopped and send the invitation reminders that are due. Jobs go on without the agent's tab, and an instance that dies leaves
//! its claims to run out, for another instance (or itself, restarted) to take over.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::chunk::{self, ChunkOutcome, JobContext};
use super::claim::{self, Claim};
use crate::invitations::{lease, mass_invite, reminders};

/// How often an idle runner looks for jobs started on another instance; jobs started on this
/// one wake it at once.
const IDLE_POLL: Duration = Duration::from_secs(1);
/// Reminders are counted in days: a look a minute is soon enough.
const REMINDER_POLL: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Signal {
    stop: AtomicBool,
    /// Counts wake-ups, so a wake between a look and a wait is not missed.
    woken: Mutex<u64>,
    changed: Condvar,
}

impl Signal {
    fn wake(&self) {
        if let Ok(mut woken) = self.woken.lock() {
            *woken = woken.wrapping_add(1);
        }
        self.changed.notify_all();
    }

    fn seen(&self) -> u64 {
        self.woken.lock().map_or(0, |woken| *woken)
    }

    /// Sleeps up to `timeout`, unless woken since `seen` or told to stop.
    fn wait(&self, seen: u64, timeout: Duration) {
        let Ok(woken) = self.woken.lock() else { return };
        let _ = self.changed.wait_timeout_while(woken, timeout, |woken| {
            *woken == seen && !self.stop.load(Ordering::Relaxed)
        });
    }
}

/// Tells this instance's runner that a job was started or resumed here.
#[derive(Clone, Default)]
pub struct JobWaker(Arc<Signal>);

impl JobWaker {
    pub fn wake(&self) {
        self.0.wake();
    }
}

pub struct JobRunner {
    signal: Arc<Signal>,
    threads: Vec<JoinHandle<()>>,
}

impl JobRunner {
    /// Starts `workers` threads (none when 0: this instance serves pages only).
    pub fn start(context: JobContext, workers: usize) -> JobRunner {
        let signal = Arc::new(Signal::default());
        let threads = (0..workers)
            .filter_map(|n| {
                let (context, signal) = (context.clone(), signal.clone());
                std::thread::Builder::new()
                    .name(format!("job-runner-{n}"))
                    .spawn(move || run(&context, &signal))
                    .map_err(|error| tracing::error!(%error, "could not start a job runner"))
                    .ok()
            })
            .collect();
        JobRunner { signal, threads }
    }

    pub fn waker(&self) -> JobWaker {
        JobWaker(self.signal.clone())
    }

    /// Stops taking chunks and waits for the ones in hand to be recorded.
    pub fn stop(mut self) {
        self.signal.stop.store(true, Ordering::Relaxed);
        self.signal.wake();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for JobRunner {
    /// An application dropped without `stop` (a test's runtime ending) still stops its runner.
    fn drop(&mut self) {
        self.signal.stop.store(true, Ordering::Relaxed);
        self.signal.wake();
    }
}

fn run(context: &JobContext, signal: &Signal) {
    // Agents' pages come first: a job takes the CPU they leave (its send threads inherit this).
    crate::priority::lower_this_thread();
    let mut reminders_due_at = Instant::now();
    while !signal.stop.load(Ordering::Relaxed) {
        let seen = signal.seen();
        match on_a_connection(context, |conn| claim::claim_next(conn, context.lease)) {
            Ok(Some(claim)) => work_holding_claim(context, &claim),
            Ok(None) => {
                if finish_an_abandoned_mass_invite(context) {
                    continue;
                }
                if Instant::now() >= reminders_due_at {
                    send_due_reminders(context);
                    reminders_due_at = Instant::now() + REMINDER_POLL;
                }
                signal.wait(seen, IDLE_POLL);
            }
            Err(error) => {
                tracing::warn!(%error, "the job runner could not look for work");
                signal.wait(seen, IDLE_POLL);
            }
        }
    }
}

/// Takes over a mass invite whose sender stopped (its instance died mid-send) and finishes
/// it; false when there was none.
fn finish_an_abandoned_mass_invite(context: &JobContext) -> bool {
    match on_a_connection(context, |conn| {
        mass_invite::claim_abandoned(conn, context.lease)
    }) {
        Ok(Some(claim)) => {
            let id = claim.id;
            match mass_invite::work(&context.inviter, &claim, context.lease) {
                Ok(()) => tracing::info!(mass_invite = id, "took over and finished a mass invite"),
                Err(error) => tracing::warn!(%error, mass_invite = id, "a mass invite failed"),
            }
            true
        }
        Ok(None) => false,
        Err(error) => {
            tracing::warn!(%error, "the job runner could not look for mass invites");
            false
        }
    }
}

fn send_due_reminders(context: &JobContext) {
    match reminders::send_due(&context.inviter, crate::db::now()) {
        Ok(0) => {}
        Ok(sent) => {
            metrics::counter!("portico_invitation_reminders_total").increment(sent as u64);
            tracing::info!(sent, "sent invitation reminders")
        }
        Err(error) => tracing::warn!(%error, "could not send invitation reminders"),
    }
}

/// Works the chunk while renewing the claim, so a slow SMTP server does not let another
/// instance take over a chunk that is still being sent.
fn work_holding_claim(context: &JobContext, claim: &Claim) {
    let job_id = claim.job.id;
    let renew = || {
        let mut conn = context
            .inviter
            .pool
            .get()
            .map_err(|error| error.to_string())?;
        claim::renew(&mut conn, claim, context.lease).map_err(|error| error.to_string())
    };
    let outcome = lease::holding(context.lease, renew, || chunk::work(context, claim));
    let worked = match &outcome {
        Ok(_) => "worked",
        Err(_) => "failed",
    };
    metrics::counter!("portico_bulk_job_chunks_total", "outcome" => worked).increment(1);
    match outcome {
        Ok(ChunkOutcome::Finished) => tracing::info!(job_id, "bulk job done"),
        Ok(ChunkOutcome::StoppedAtQuota) => {
            tracing::info!(job_id, "bulk job paused at the daily invitation quota")
        }
        Ok(ChunkOutcome::AccountGone) => {
            tracing::info!(job_id, "bulk job cancelled: its account was deleted")
        }
        Ok(ChunkOutcome::Worked | ChunkOutcome::ClaimLost) => {}
        // The claim is left to run out, so the chunk is tried again after the lease.
        Err(error) => tracing::warn!(%error, job_id, "a bulk job's chunk failed"),
    }
}

/// Runs `work` on a pooled connection; either's error as text, for the log.
fn on_a_connection<T>(
    context: &JobContext,
    work: impl FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<T>,
) -> Result<T, String> {
    let mut conn = context
        .inviter
        .pool
        .get()
        .map_err(|error| error.to_string())?;
    work(&mut conn).map_err(|error| error.to_string())
}
