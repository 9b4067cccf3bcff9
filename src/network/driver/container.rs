//! `--network container:<id>`: the runtime joins the namespace of another
//! container's process (through an fd, with a start-time check); nothing
//! is wired, and the target must be given by its full id, as the create
//! stores it.

use super::{DriverError, NetworkDriver, Sockets, Undo};

pub struct Joined {
    mode: String,
    target: String,
}

impl Joined {
    pub fn new(target: &str) -> Joined {
        Joined {
            mode: format!("container:{target}"),
            target: target.to_owned(),
        }
    }
}

impl NetworkDriver for Joined {
    fn network(&self) -> &str {
        &self.mode
    }

    fn validate(&self, _: &mut Sockets) -> Result<(), DriverError> {
        if self.target.is_empty() {
            return Err(DriverError::invalid(&self.mode, "no container named"));
        }
        Ok(())
    }

    fn setup(&self, _: &mut Sockets, _: &mut Vec<Undo>) -> Result<(), DriverError> {
        Ok(())
    }
}
