/** Turns a failed call into words for the user, chosen by the error's stable code. */
import { CommandError, toCommandError } from "../api/transport";
import { catalog, type MessageKey, type Translate } from "../i18n/translate";

export function errorText(t: Translate, err: unknown): string {
  const e = err instanceof CommandError ? err : toCommandError("?", err);
  // The web server answers a missing/wrong token with `forbidden`; say how to fix it.
  if (e.code === "forbidden" && /token/i.test(e.message)) return t("error.token");
  const key = `error.${e.code}`;
  // A code newer than this UI's catalog still gets a sentence, with its message.
  const known = key in catalog("zh-CN") ? (key as MessageKey) : "error.internal";
  return t(known, { message: e.message });
}
