//! Background work below the requests: threads that hash passwords or work bulk jobs lower
//! their own CPU priority, so the threads serving agents' pages get a busy CPU first.

/// How much less CPU such a thread gets than a request thread when both want it.
pub const BACKGROUND_NICENESS: i32 = 10;

/// Lowers the calling thread's priority; threads it starts afterwards inherit it.
#[cfg(target_os = "linux")]
pub fn lower_this_thread() {
    // On Linux each thread has its own nice value, and PRIO_PROCESS with id 0 names the
    // calling thread. Raising one's own niceness needs no privilege; if it fails, the work
    // simply runs at normal priority.
    // SAFETY: setpriority only reads its integer arguments.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, BACKGROUND_NICENESS);
    }
}

#[cfg(not(target_os = "linux"))]
pub fn lower_this_thread() {}
