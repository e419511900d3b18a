//! Password hashing on its own threads at nice 10, below the threads serving requests: an
//! argon2 hash is ~12 ms of a core, and on two cores registrations would otherwise slow the
//! agents' pages. Target: P6, the list's p99 beside registrations.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug, thiserror::Error)]
#[error("the password hashing threads are not available")]
pub struct HashingUnavailable;

#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    #[error(transparent)]
    Unavailable(#[from] HashingUnavailable),
    #[error(transparent)]
    Hash(#[from] super::password::HashError),
}

/// Runs `work` on a hashing thread and waits for it without holding up the async worker.
pub async fn off_the_workers<T, F>(work: F) -> Result<T, HashingUnavailable>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        // The asker may have gone (a closed connection); nothing is left to do then.
        let _ = reply.send(work());
    });
    jobs().send(job).map_err(|_| HashingUnavailable)?;
    answer.await.map_err(|_| HashingUnavailable)
}

/// A new password's argon2 hash, made on a hashing thread.
pub async fn hash_new_password(
    password: crate::domain::NewPassword,
) -> Result<String, HashingError> {
    Ok(off_the_workers(move || super::password::hash_password(password.expose())).await??)
}

fn jobs() -> &'static Sender<Job> {
    static JOBS: OnceLock<Sender<Job>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(2, |count| count.get());
        for number in 0..threads {
            let receiver = receiver.clone();
            // A thread that cannot start leaves the others; with none, asks fail cleanly.
            let _ = std::thread::Builder::new()
                .name(format!("password-hashing-{number}"))
                .spawn(move || work_through(&receiver));
        }
        sender
    })
}

fn work_through(receiver: &Mutex<Receiver<Job>>) {
    crate::priority::lower_this_thread();
    loop {
        let next = receiver
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .recv();
        let Ok(job) = next else { return };
        // A panicking job drops its reply (the asker gets HashingUnavailable); the thread
        // stays for the next one.
        let _ = panic::catch_unwind(AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn work_runs_and_answers_even_after_a_panicking_job() {
        let failed = off_the_workers(|| -> u32 { panic!("a job that fails") }).await;
        assert!(failed.is_err());
        let answers =
            futures_util::future::join_all((0..8).map(|n| off_the_workers(move || n * 2)))
                .await
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .expect("every job answers");
        assert_eq!(answers, [0, 2, 4, 6, 8, 10, 12, 14]);
    }

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn hashing_threads_run_at_a_lower_priority() {
        // SAFETY: getpriority only reads its integer arguments.
        let niceness = off_the_workers(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) })
            .await
            .expect("the job answers");
        assert!(
            niceness >= crate::priority::BACKGROUND_NICENESS,
            "niceness {niceness}"
        );
    }
}
