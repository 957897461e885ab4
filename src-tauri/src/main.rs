//! The Orgfleet desktop binary.
// Hide the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    orgfleet_app::run();
}
