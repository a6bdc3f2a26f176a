//! The refreshed org: opening it for work (session), what it says about itself (facts), its
//! users, and the CPQ tenant it points at.

pub mod facts;
pub mod session;
pub mod tenant;
pub mod users;
