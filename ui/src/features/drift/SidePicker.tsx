/**
 * Chooses one side of a comparison: any stored snapshot (grouped by org, newest first;
 * imports as baselines) or a project folder / package zip on disk, read in place.
 */
import { useState } from "react";
import type { DriftSide } from "../../bindings/DriftSide";
import type { OrgRecord } from "../../bindings/OrgRecord";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { sideKey } from "./driftModel";

const FOLDER = "folder";

type Props = {
  label: string;
  value: DriftSide | null;
  onChange: (side: DriftSide | null) => void;
  snapshots: SnapshotRecord[];
  orgs: OrgRecord[];
};

export function SidePicker({ label, value, onChange, snapshots, orgs }: Props) {
  const [folderMode, setFolderMode] = useState(value?.kind === "folder");
  const groups = groupSnapshots(snapshots, orgs);
  const selectValue = folderMode ? FOLDER : value ? sideKey(value) : "";
  return (
    <div className="side-picker">
      <label className="side-picker-label">
        <span>{label}</span>
        <select
          aria-label={label}
          value={selectValue}
          onChange={(e) => {
            const v = e.target.value;
            if (v === FOLDER) {
              setFolderMode(true);
              onChange(value?.kind === "folder" ? value : null);
              return;
            }
            setFolderMode(false);
            const id = Number(v.replace("snapshot:", ""));
            onChange(Number.isFinite(id) && v ? { kind: "snapshot", snapshotId: id } : null);
          }}
        >
          <option value="" disabled>
            Choose a snapshot…
          </option>
          {groups.map((g) => (
            <optgroup key={g.label} label={g.label}>
              {g.snapshots.map((s, i) => (
                <option key={s.id} value={`snapshot:${s.id}`}>
                  {optionText(s, g.org, i === 0)}
                </option>
              ))}
            </optgroup>
          ))}
          <option value={FOLDER}>Project folder or zip on disk…</option>
        </select>
      </label>
      {folderMode && (
        <input
          className="side-picker-path"
          aria-label={`${label} folder`}
          placeholder="/home/me/projects/acme (sfdx project, mdapi folder or zip)"
          spellCheck={false}
          value={value?.kind === "folder" ? value.path : ""}
          onChange={(e) =>
            onChange(e.target.value.trim() ? { kind: "folder", path: e.target.value } : null)
          }
        />
      )}
    </div>
  );
}

type Group = { label: string; org: OrgRecord | undefined; snapshots: SnapshotRecord[] };

function groupSnapshots(snapshots: SnapshotRecord[], orgs: OrgRecord[]): Group[] {
  const byOrg = new Map<string, Group>();
  const sorted = [...snapshots].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  for (const s of sorted) {
    const source = s.source;
    const org = source.kind === "org" ? orgs.find((o) => o.id === source.orgRowId) : undefined;
    const label = org ? `${org.alias} (${org.kind})` : source.kind === "org" ? s.label : "Imports";
    const group = byOrg.get(label) ?? { label, org, snapshots: [] };
    group.snapshots.push(s);
    byOrg.set(label, group);
  }
  return [...byOrg.values()];
}

function optionText(s: SnapshotRecord, org: OrgRecord | undefined, newest: boolean): string {
  const when = new Date(s.createdAt).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
  const name = org ? org.alias : s.label;
  const count = `${s.componentCount.toLocaleString()} components`;
  return `${name} · ${when}${newest && org ? " (latest)" : ""} · ${count}`;
}
