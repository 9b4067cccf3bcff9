pub mod info;
pub mod version;
