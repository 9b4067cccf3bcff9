//! Registry accounts and lookups: `login`, `logout`, `search`.

pub mod login;
pub mod logout;
pub mod search;
