/** The red banner a view shows when something it needs failed; the message says what to do. */
import { AlertIcon } from "./icons";

export function ErrorBanner({ error }: { error: Error }) {
  return (
    <div className="banner banner-error" role="alert">
      <AlertIcon size={16} /> {error.message}
    </div>
  );
}
