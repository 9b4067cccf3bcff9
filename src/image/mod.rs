//! Images: references, the registry client, the blob and layer store,
//! pulling, layer unpacking and archives.
pub mod archive;
pub mod auth;
pub mod auth_store;
pub mod build;
pub mod changes;
pub mod changes_full;
pub mod layer;
pub mod newlayer;
pub mod pull;
pub mod reference;
pub mod registry;
pub mod store;
pub mod treetar;
pub mod types;
pub mod vfs;
