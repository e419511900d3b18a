//! Work held under a lease: a bulk job's chunk or a mass invite is claimed for a while and the
//! claim renewed while it is worked, so a slow mail server does not let another instance take
//! over work still in hand, and a dead instance's claim runs out for another to take over.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// Runs `work` while a second thread calls `renew` every third of `lease`, until `work` ends
/// or `renew` answers that the claim was lost.
pub fn holding<T>(
    lease: chrono::Duration,
    renew: impl Fn() -> Result<bool, String> + Sync,
    work: impl FnOnce() -> T,
) -> T {
    let renew_every = (lease / 3)
        .to_std()
        .unwrap_or(Duration::from_secs(1))
        .max(Duration::from_millis(100));
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let renew = &renew;
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(renew_every) {
                match renew() {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(error) => tracing::warn!(%error, "could not renew a claim"),
                }
            }
        });
        let outcome = work();
        let _ = done.send(());
        outcome
    })
}
