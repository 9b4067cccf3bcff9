//! `--network host`: the container stays in the host's namespace (the
//! runtime does not make one), so there is nothing to wire.

use super::{DriverError, NetworkDriver, Sockets, Undo};

pub struct Host;

impl NetworkDriver for Host {
    fn network(&self) -> &str {
        "host"
    }

    fn validate(&self, _: &mut Sockets) -> Result<(), DriverError> {
        Ok(())
    }

    fn setup(&self, _: &mut Sockets, _: &mut Vec<Undo>) -> Result<(), DriverError> {
        Ok(())
    }
}
