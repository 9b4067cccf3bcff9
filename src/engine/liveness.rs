//! Is a recorded process still the one we started? Every engine module
//! that looks at a container's process asks here (a pid alone is not
//! enough: it is compared with the start time recorded with it).

use crate::error::{Error, Result};
use crate::state::container::ContainerStore;

/// Is `pid` alive and the same process (start time) we recorded?
pub fn process_alive(pid: i32, start_time: u64) -> bool {
    if pid <= 0 {
        return false;
    }
    match crate::monitor::proc_start_time(pid) {
        Some(t) => start_time == 0 || t == start_time,
        None => false,
    }
}

/// The pid and start time of the running container `name` (for
/// `container:` modes).
pub fn running_pid(store: &ContainerStore, name: &str) -> Result<(i32, u64)> {
    let id = store
        .find(name)?
        .ok_or_else(|| Error::NotFound(format!("No such container: {name}")))?;
    let st = store.load_state(&id)?;
    if !st.is_running() || !process_alive(st.pid, st.pid_start_time) {
        return Err(Error::Conflict(format!(
            "cannot join the namespaces of container {name}: it is not running"
        )));
    }
    Ok((st.pid, st.pid_start_time))
}
