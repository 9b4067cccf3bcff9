pub mod create;
pub mod inspect;
pub mod ps;
pub mod rm;
