/**
 * The one module that talks to the Rust side. Every other module calls `api.*`, never
 * `invoke`, so the command names, argument shapes and error mapping live in one place.
 */
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "../bindings/AppInfo";
import type { ConnectRequest } from "../bindings/ConnectRequest";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { IpcError } from "../bindings/IpcError";
import type { JobEvent } from "../bindings/JobEvent";
import type { JobRecord } from "../bindings/JobRecord";
import type { OrgRecord } from "../bindings/OrgRecord";
import type { OrgSettings } from "../bindings/OrgSettings";
import type { Preferences } from "../bindings/Preferences";
import type { SfCliOrg } from "../bindings/SfCliOrg";
import type { ComponentEntry } from "../bindings/ComponentEntry";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { GcReport } from "../bindings/GcReport";
import type { SnapshotFile } from "../bindings/SnapshotFile";
import type { SnapshotRecord } from "../bindings/SnapshotRecord";
import type { ComponentRef } from "../bindings/ComponentRef";
import type { DriftComponentView } from "../bindings/DriftComponentView";
import type { DriftReport } from "../bindings/DriftReport";
import type { DriftRule } from "../bindings/DriftRule";
import type { DriftSide } from "../bindings/DriftSide";
import type { MatrixReport } from "../bindings/MatrixReport";
import type { NewDriftRule } from "../bindings/NewDriftRule";
import type { ReportFormat } from "../bindings/ReportFormat";

/** An error from the backend, with the closed set of codes the UI branches on. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | null;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "ApiError";
    this.code = error.code;
    this.detail = error.detail;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    "code" in value &&
    "message" in value &&
    typeof (value as { message: unknown }).message === "string"
  );
}

/** Converts whatever `invoke` rejected with into an ApiError. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (isIpcError(raw)) return new ApiError(raw);
  const message = typeof raw === "string" ? raw : raw instanceof Error ? raw.message : String(raw);
  return new ApiError({ code: "internal", message, detail: null });
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    throw toApiError(raw);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  jobsList: (limit?: number) => call<JobRecord[]>("jobs_list", { limit: limit ?? null }),
  /** Streams every job change until the window reloads; returns once subscribed. */
  jobsWatch: (onEvent: (event: JobEvent) => void) => {
    const channel = new Channel<JobEvent>();
    channel.onmessage = onEvent;
    return call<void>("jobs_watch", { onEvent: channel });
  },
  jobCancel: (id: number) => call<void>("job_cancel", { id }),
  storeCheckStart: () => call<number>("store_check_start"),
  prefsGet: () => call<Preferences>("prefs_get"),
  prefsSet: (prefs: Preferences) => call<void>("prefs_set", { prefs }),
  orgsList: () => call<OrgRecord[]>("orgs_list"),
  orgUpdate: (id: number, settings: OrgSettings) => call<OrgRecord>("org_update", { id, settings }),
  /** Starts connecting an org; returns the job id (a web login waits for the browser). */
  orgConnect: (request: ConnectRequest) => call<number>("org_connect", { request }),
  snapshotsList: () => call<SnapshotRecord[]>("snapshots_list"),
  /** Starts one snapshot job per org; returns the job ids. */
  snapshotTake: (orgIds: number[]) => call<number[]>("snapshot_take", { orgIds }),
  /** Starts importing a project or zip as a snapshot; returns the job id (result: SnapshotRecord). */
  snapshotImport: (path: string) => call<number>("snapshot_import", { path }),
  snapshotComponents: (id: number) => call<ComponentEntry[]>("snapshot_components", { id }),
  snapshotFile: (id: number, typeName: string, fullName: string) =>
    call<SnapshotFile[]>("snapshot_file", { id, typeName, fullName }),
  snapshotExport: (id: number, dest: string, format: ExportFormat) =>
    call<string>("snapshot_export", { id, dest, format }),
  snapshotDelete: (id: number) => call<GcReport>("snapshot_delete", { id }),
  driftCompare: (left: DriftSide, right: DriftSide) =>
    call<DriftReport>("drift_compare", { left, right }),
  /** One component's semantic diff and its files on both sides. */
  driftComponent: (
    left: DriftSide,
    right: DriftSide,
    typeName: string,
    fullName: string,
    showReordered: boolean,
  ) =>
    call<DriftComponentView>("drift_component", {
      left,
      right,
      typeName,
      fullName,
      showReordered,
    }),
  driftMatrix: (baseline: DriftSide, snapshotIds: number[]) =>
    call<MatrixReport>("drift_matrix", { baseline, snapshotIds }),
  /** Snapshots both orgs afresh and compares them; returns the job id (result: OrgComparison). */
  driftCompareOrgs: (leftOrgId: number, rightOrgId: number) =>
    call<number>("drift_compare_orgs", { leftOrgId, rightOrgId }),
  driftRulesList: () => call<DriftRule[]>("drift_rules_list"),
  driftRuleAdd: (rule: NewDriftRule) => call<DriftRule>("drift_rule_add", { rule }),
  driftRuleDelete: (id: number) => call<void>("drift_rule_delete", { id }),
  driftReportSave: (left: DriftSide, right: DriftSide, format: ReportFormat, dest: string) =>
    call<string>("drift_report_save", { left, right, format, dest }),
  driftPackageXml: (components: ComponentRef[], apiVersion: string | null) =>
    call<string>("drift_package_xml", { components, apiVersion }),
  driftPackageXmlSave: (components: ComponentRef[], apiVersion: string | null, dest: string) =>
    call<string>("drift_package_xml_save", { components, apiVersion, dest }),
  sfCliOrgs: () => call<SfCliOrg[]>("sf_cli_orgs"),
  orgCheck: (id: number) => call<OrgRecord>("org_check", { id }),
  orgDisconnect: (id: number, confirmAlias: string | null) =>
    call<void>("org_disconnect", { id, confirmAlias }),
};

export type Api = typeof api;
