/**
 * Saves a file the core made (`FileDownload`: an export, an import report) through the
 * webview's own download: the bytes come back with the answer and become a Blob, so
 * the core never writes to a path the window names.
 */
import type { FileDownload } from "../api/generated/FileDownload";

export function fileBlob(f: FileDownload): Blob {
  const bytes = Uint8Array.from(atob(f.content_base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: f.mime });
}

export function saveFile(f: FileDownload): void {
  const url = URL.createObjectURL(fileBlob(f));
  const a = document.createElement("a");
  a.href = url;
  a.download = f.file_name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: some webviews read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
