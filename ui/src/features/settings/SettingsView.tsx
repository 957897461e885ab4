/** Settings: appearance and where Orgfleet keeps its data. */
import type { Theme } from "../../bindings/Theme";
import { useAppInfo, usePreferences, useSavePreferences } from "../../api/queries";

const themes: { id: Theme; label: string }[] = [
  { id: "system", label: "System" },
  { id: "light", label: "Light" },
  { id: "dark", label: "Dark" },
];

export function SettingsView() {
  const prefs = usePreferences();
  const save = useSavePreferences();
  const info = useAppInfo();
  const current = prefs.data?.theme ?? "system";

  return (
    <section className="view" aria-labelledby="settings-title">
      <header className="view-header">
        <div>
          <h1 id="settings-title">Settings</h1>
          <p className="view-subtitle">Appearance and local data. Changes apply at once.</p>
        </div>
      </header>

      <div className="card">
        <h2>Appearance</h2>
        <div className="field">
          <span className="field-label" id="theme-label">
            Theme
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
            {themes.map((t) => (
              <label
                key={t.id}
                className={current === t.id ? "segment segment-selected" : "segment"}
              >
                <input
                  type="radio"
                  name="theme"
                  value={t.id}
                  checked={current === t.id}
                  onChange={() => prefs.data && save.mutate({ ...prefs.data, theme: t.id })}
                />
                {t.label}
              </label>
            ))}
          </div>
        </div>
        {save.error && (
          <p className="job-error" role="alert">
            {save.error.message}
          </p>
        )}
      </div>

      <div className="card">
        <h2>Local data</h2>
        <p className="muted">
          Orgfleet is local-first: snapshots, history and settings stay on this machine. Set
          ORGFLEET_HOME to keep them elsewhere.
        </p>
        <dl className="facts">
          <dt>Data folder</dt>
          <dd>
            <code>{info.data?.dataDir ?? "…"}</code>
          </dd>
          <dt>Database</dt>
          <dd>
            <code>{info.data?.databasePath || "not open"}</code>
          </dd>
          <dt>Credentials</dt>
          <dd>
            {info.data === undefined ? (
              "…"
            ) : "Ok" in info.data.secretStore ? (
              `Kept in ${info.data.secretStore.Ok}`
            ) : (
              <span className="form-error">{info.data.secretStore.Err.message}</span>
            )}
          </dd>
          <dt>Version</dt>
          <dd>{info.data?.version ?? "…"}</dd>
        </dl>
      </div>
    </section>
  );
}
