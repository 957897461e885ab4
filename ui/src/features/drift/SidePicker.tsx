/**
 * Chooses one side of a comparison: any stored snapshot (grouped by org, newest first;
 * imports as baselines), a connected org as it is now (a fresh snapshot is taken when the
 * comparison starts), or a project folder / package zip on disk, read in place.
 */
import { useState } from "react";
import type { DriftSide } from "../../bindings/DriftSide";
import type { OrgRecord } from "../../bindings/OrgRecord";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { sideKey } from "./driftModel";

const FOLDER = "folder";

/** A side as picked: a stored side, or an org to snapshot afresh first. */
export type Pick = DriftSide | { kind: "org"; orgId: number };

export function pickKey(pick: Pick): string {
  return pick.kind === "org" ? `org:${pick.orgId}` : sideKey(pick);
}

type Props = {
  label: string;
  value: Pick | null;
  onChange: (side: Pick | null) => void;
  snapshots: SnapshotRecord[];
  orgs: OrgRecord[];
  /** Offer each connected org "as it is now" (a fresh snapshot). */
  offerFresh?: boolean;
};

export function SidePicker({ label, value, onChange, snapshots, orgs, offerFresh }: Props) {
  const [folderMode, setFolderMode] = useState(value?.kind === "folder");
  const groups = groupSnapshots(snapshots, orgs);
  const selectValue = folderMode ? FOLDER : value ? pickKey(value) : "";
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
            const [kind, raw] = v.split(":");
            const id = Number(raw);
            if (!Number.isFinite(id)) onChange(null);
            else if (kind === "org") onChange({ kind: "org", orgId: id });
            else onChange({ kind: "snapshot", snapshotId: id });
          }}
        >
          <option value="" disabled>
            Choose a snapshot…
          </option>
          {offerFresh && orgs.length > 0 && (
            <optgroup label="Connected orgs, as they are now">
              {orgs.map((o) => (
                <option key={o.id} value={`org:${o.id}`}>
                  {o.alias} · take a fresh snapshot
                </option>
              ))}
            </optgroup>
          )}
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
