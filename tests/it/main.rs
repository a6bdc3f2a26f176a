//! One integration test binary (faster to build than many): the real `logik-refresh` binary
//! against the org emulator, the real sf CLI, and the committed schemas.

mod common;
mod guided;
mod inspect;
mod protocol;
mod real_sf;
mod schemas;
mod tenant_urls;
