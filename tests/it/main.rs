//! One integration test binary (faster to build than many): the real `logik-refresh` binary
//! against the org emulator, the real sf CLI, and the committed schemas.

mod case;
mod color;
mod common;
mod completions;
mod doctor;
mod doctor_steps;
mod faults;
mod flags_dir;
mod guided;
mod help;
mod hostile;
mod hostile_files;
mod hygiene;
mod inspect;
mod languages;
mod one_writer;
mod org_wait;
mod packaging;
mod post_refresh;
mod protocol;
mod real_org;
mod real_sf;
mod run;
mod sandboxes;
mod schemas;
mod secrets;
mod sf_plugin;
mod snapshot_languages;
mod step_call;
mod steps;
mod tenant_urls;
mod terminal;
mod text_output;
mod token_renewal;
mod trace;
