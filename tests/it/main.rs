//! One integration test binary (faster to build than many): the real `logik-refresh` binary
//! against the org emulator, the real sf CLI, and the committed schemas.

mod case;
mod common;
mod doctor;
mod faults;
mod guided;
mod hygiene;
mod inspect;
mod org_wait;
mod protocol;
mod real_sf;
mod run;
mod schemas;
mod secrets;
mod steps;
mod tenant_urls;
