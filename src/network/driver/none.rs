//! `--network none`: a namespace of its own with only `lo`, which the
//! runtime brings up; nothing else to wire.

use super::{DriverError, NetworkDriver, Sockets, Undo};

pub struct NoNetwork;

impl NetworkDriver for NoNetwork {
    fn network(&self) -> &str {
        "none"
    }

    fn validate(&self, _: &mut Sockets) -> Result<(), DriverError> {
        Ok(())
    }

    fn setup(&self, _: &mut Sockets, _: &mut Vec<Undo>) -> Result<(), DriverError> {
        Ok(())
    }
}
