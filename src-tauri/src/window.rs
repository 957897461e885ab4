//! The main window: created from tauri.conf.json at the size the user left it, and
//! remembering its size as the user resizes it.

use tauri::{App, Manager, Runtime, WebviewWindowBuilder, WindowEvent};

use crate::prefs::{self, WindowSize};

pub const MAIN: &str = "main";

/// Creates the main window from its config entry (`create: false` there), restoring its size.
pub fn create_main<R: Runtime>(app: &mut App<R>) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    let handle = app.handle().clone();
    let mut builder = WebviewWindowBuilder::from_config(&handle, &config)?;
    if let Some(size) = prefs::load(&handle).window {
        let width = size.width.max(config.min_width.unwrap_or(0.0));
        let height = size.height.max(config.min_height.unwrap_or(0.0));
        builder = builder.inner_size(width, height);
    }
    let window = builder.build()?;
    let app_handle = handle.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::Resized(physical) = event {
            let Some(window) = app_handle.get_webview_window(MAIN) else {
                return;
            };
            let scale = window.scale_factor().unwrap_or(1.0);
            let logical = physical.to_logical::<f64>(scale);
            if logical.width > 0.0 && logical.height > 0.0 {
                prefs::remember_window_size(
                    &app_handle,
                    WindowSize {
                        width: logical.width.round(),
                        height: logical.height.round(),
                    },
                );
            }
        }
    });
    Ok(())
}
