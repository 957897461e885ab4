/**
 * TanStack Query hooks over `api`: backend state is cached here and updated by backend
 * events (job changes arrive over a Channel and are written straight into the cache).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ConnectRequest } from "../bindings/ConnectRequest";
import type { JobRecord } from "../bindings/JobRecord";
import type { OrgSettings } from "../bindings/OrgSettings";
import type { Preferences } from "../bindings/Preferences";
import { api } from "./ipc";

export const keys = {
  appInfo: ["app-info"] as const,
  orgs: ["orgs"] as const,
  jobs: ["jobs"] as const,
  prefs: ["prefs"] as const,
  snapshots: ["snapshots"] as const,
  driftRules: ["drift-rules"] as const,
  /** Everything computed from comparisons: invalidated when ignore rules change. */
  drift: ["drift"] as const,
};

/** Replaces (or adds) a job in a newest-first list. */
export function upsertJob(jobs: JobRecord[] | undefined, job: JobRecord): JobRecord[] {
  const list = jobs ?? [];
  const index = list.findIndex((j) => j.id === job.id);
  if (index === -1) return [job, ...list].sort((a, b) => b.id - a.id);
  const next = list.slice();
  next[index] = job;
  return next;
}

const isFinal = (job: JobRecord) => job.status !== "queued" && job.status !== "running";

/**
 * A refetched job list reconciled with what live events already wrote: a refetch that was
 * answered before a fast job finished must not turn its "succeeded" back into "running" (no
 * later event would correct it). Per job, a final row beats a running one and more progress
 * beats less; jobs only the cache knows (started after the fetch) are kept.
 */
export function mergeJobs(cached: JobRecord[] | undefined, fetched: JobRecord[]): JobRecord[] {
  const live = new Map((cached ?? []).map((j) => [j.id, j]));
  const merged = fetched.map((job) => {
    const seen = live.get(job.id);
    live.delete(job.id);
    if (!seen) return job;
    if (isFinal(seen) !== isFinal(job)) return isFinal(seen) ? seen : job;
    return seen.progressDone > job.progressDone ? seen : job;
  });
  const newer = [...live.values()].filter((j) => j.id > (fetched[0]?.id ?? 0));
  return [...newer, ...merged].sort((a, b) => b.id - a.id);
}

export function useAppInfo() {
  return useQuery({ queryKey: keys.appInfo, queryFn: api.appInfo, staleTime: Infinity });
}

/** Jobs, newest first, kept live by the backend's job events. */
export function useJobs() {
  const client = useQueryClient();
  useEffect(() => {
    api
      .jobsWatch((event) => {
        client.setQueryData<JobRecord[]>(keys.jobs, (jobs) => upsertJob(jobs, event.job));
      })
      .catch(() => {
        // Without live events the list still refreshes on focus and after actions.
      });
  }, [client]);
  return useQuery({
    queryKey: keys.jobs,
    queryFn: async () =>
      mergeJobs(client.getQueryData<JobRecord[]>(keys.jobs), await api.jobsList(500)),
  });
}

/** One job, kept live like the list (undefined until it shows up, or when `id` is not set). */
export function useJob(id: number | null | undefined): JobRecord | undefined {
  const jobs = useJobs();
  return id === null || id === undefined ? undefined : jobs.data?.find((j) => j.id === id);
}

export function useStartStoreCheck() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.storeCheckStart,
    onSettled: () => client.invalidateQueries({ queryKey: keys.jobs }),
  });
}

export function useCancelJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.jobCancel,
    onSettled: () => client.invalidateQueries({ queryKey: keys.jobs }),
  });
}

export function usePreferences() {
  return useQuery({ queryKey: keys.prefs, queryFn: api.prefsGet, staleTime: Infinity });
}

export function useSavePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (prefs: Preferences) => api.prefsSet(prefs),
    onMutate: (prefs) => client.setQueryData(keys.prefs, prefs),
  });
}

export function useOrgs() {
  return useQuery({ queryKey: keys.orgs, queryFn: api.orgsList });
}

export function useUpdateOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, settings }: { id: number; settings: OrgSettings }) =>
      api.orgUpdate(id, settings),
    onSettled: () => client.invalidateQueries({ queryKey: keys.orgs }),
  });
}

export function useConnectOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: ConnectRequest) => api.orgConnect(request),
    onSettled: () => client.invalidateQueries({ queryKey: keys.jobs }),
  });
}

export function useCheckOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.orgCheck(id),
    onSettled: () => client.invalidateQueries({ queryKey: keys.orgs }),
  });
}

export function useDisconnectOrg() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, confirmAlias }: { id: number; confirmAlias: string | null }) =>
      api.orgDisconnect(id, confirmAlias),
    onSettled: () => client.invalidateQueries({ queryKey: keys.orgs }),
  });
}

export function useSnapshots() {
  return useQuery({ queryKey: keys.snapshots, queryFn: api.snapshotsList });
}

export function useDriftRules() {
  return useQuery({ queryKey: keys.driftRules, queryFn: api.driftRulesList });
}

/** Rules change what every comparison shows: refetch the rules and all drift results. */
function useInvalidateDrift() {
  const client = useQueryClient();
  return () => {
    client.invalidateQueries({ queryKey: keys.driftRules });
    client.invalidateQueries({ queryKey: keys.drift });
  };
}

export function useAddDriftRule() {
  const invalidate = useInvalidateDrift();
  return useMutation({ mutationFn: api.driftRuleAdd, onSettled: invalidate });
}

export function useDeleteDriftRule() {
  const invalidate = useInvalidateDrift();
  return useMutation({ mutationFn: api.driftRuleDelete, onSettled: invalidate });
}
