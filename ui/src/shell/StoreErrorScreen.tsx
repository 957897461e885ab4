/** Shown instead of the app when the local store cannot be opened. */
import type { IpcError } from "../bindings/IpcError";
import { AlertIcon } from "./icons";

const advice: Partial<Record<IpcError["code"], string>> = {
  store_damaged:
    "Quit Orgfleet, move the database file shown below to another folder (keep it: it may be recoverable), and start Orgfleet again with an empty store.",
  store_too_new:
    "This database was written by a newer Orgfleet. Install that version (or newer). Nothing was changed in the file.",
  disk_full: "Free some disk space, then restart Orgfleet.",
};

export function StoreErrorScreen({ error, dataDir }: { error: IpcError; dataDir: string }) {
  return (
    <main className="fatal" role="alert">
      <div className="fatal-card">
        <AlertIcon size={28} />
        <h1>Orgfleet can't open its local store</h1>
        <p>{error.message}</p>
        {advice[error.code] && <p className="fatal-advice">{advice[error.code]}</p>}
        <dl className="facts">
          <dt>Data folder</dt>
          <dd>
            <code>{dataDir}</code>
          </dd>
          {error.detail && (
            <>
              <dt>Detail</dt>
              <dd>
                <code>{error.detail}</code>
              </dd>
            </>
          )}
        </dl>
      </div>
    </main>
  );
}
