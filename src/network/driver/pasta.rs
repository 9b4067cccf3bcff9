//! `--network pasta` (a rootless container's default): a namespace of its
//! own that the container's pasta wires after the spawn
//! (`network::pasta`, started by the monitor's launch); nothing to do here.

use super::{DriverError, NetworkDriver, Sockets, Undo};

pub struct Pasta;

impl NetworkDriver for Pasta {
    fn network(&self) -> &str {
        "pasta"
    }

    fn validate(&self, _: &mut Sockets) -> Result<(), DriverError> {
        Ok(())
    }

    fn setup(&self, _: &mut Sockets, _: &mut Vec<Undo>) -> Result<(), DriverError> {
        Ok(())
    }
}
