pub mod check;
pub mod info;
pub mod version;
