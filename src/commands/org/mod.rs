//! `org` topic: facts about the org.

pub mod inspect;
pub mod wait;
