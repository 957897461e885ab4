/**
 * The app frame: sidebar navigation and the current view. Only areas that work are listed.
 * The last view and the theme persist through the backend's preferences store.
 */
import { type ReactElement, useCallback, useEffect, useState } from "react";
import { useAppInfo, usePreferences, useSavePreferences } from "../api/queries";
import { ActivityView } from "../features/activity/ActivityView";
import { DriftView } from "../features/drift/DriftView";
import { OrgsView } from "../features/orgs/OrgsView";
import { SettingsView } from "../features/settings/SettingsView";
import { SnapshotsView } from "../features/snapshots/SnapshotsView";
import { ActivityIcon, CloudIcon, DatabaseIcon, DiffIcon, LogoMark, SettingsIcon } from "./icons";
import { StoreErrorScreen } from "./StoreErrorScreen";
import { useApplyTheme } from "./theme";

type View = {
  id: string;
  label: string;
  icon: ReactElement;
  render: () => ReactElement;
};

export const views: View[] = [
  { id: "orgs", label: "Orgs", icon: <CloudIcon />, render: () => <OrgsView /> },
  { id: "snapshots", label: "Snapshots", icon: <DatabaseIcon />, render: () => <SnapshotsView /> },
  { id: "drift", label: "Drift", icon: <DiffIcon />, render: () => <DriftView /> },
  { id: "activity", label: "Activity", icon: <ActivityIcon />, render: () => <ActivityView /> },
  { id: "settings", label: "Settings", icon: <SettingsIcon />, render: () => <SettingsView /> },
];

const DEFAULT_VIEW = "orgs";

export function App() {
  const info = useAppInfo();
  const prefs = usePreferences();
  const save = useSavePreferences();
  const [current, setCurrent] = useState<string | null>(null);
  useApplyTheme(prefs.data?.theme ?? "system");

  useEffect(() => {
    if (current === null && prefs.data) {
      const last = prefs.data.lastView;
      setCurrent(views.some((v) => v.id === last) ? (last as string) : DEFAULT_VIEW);
    }
  }, [current, prefs.data]);

  const navigate = useCallback(
    (id: string) => {
      setCurrent(id);
      if (prefs.data) save.mutate({ ...prefs.data, lastView: id });
    },
    [prefs.data, save],
  );

  // Ctrl/Cmd + 1..9 switches views.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      const index = Number.parseInt(event.key, 10) - 1;
      const view = views[index];
      if (view) {
        event.preventDefault();
        navigate(view.id);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

  if (info.data?.storeError) {
    return <StoreErrorScreen error={info.data.storeError} dataDir={info.data.dataDir} />;
  }
  const active = views.find((v) => v.id === (current ?? DEFAULT_VIEW)) ?? views[0];

  return (
    <div className="frame">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <LogoMark />
          <span>Orgfleet</span>
        </div>
        <ul>
          {views.map((view, index) => (
            <li key={view.id}>
              <button
                type="button"
                className={view.id === active?.id ? "nav-item nav-item-active" : "nav-item"}
                aria-current={view.id === active?.id ? "page" : undefined}
                onClick={() => navigate(view.id)}
                title={`${view.label} (Ctrl+${index + 1})`}
              >
                {view.icon}
                <span>{view.label}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">{info.data ? `v${info.data.version}` : ""}</div>
      </nav>
      <main className="content">{active?.render()}</main>
    </div>
  );
}
