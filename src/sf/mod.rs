//! sf CLI interop: its JSON, its config and aliases, its auth store.

pub mod aliases;
pub mod authfile;
pub mod authfile_store;
pub mod config;
pub mod connect;
pub mod crypto;
pub mod home;
pub mod intake;
pub mod key_file;
pub mod keychain;
pub mod keychain_programs;
pub mod request;
pub mod runner;
pub mod sf_token;
pub mod target_org;
