/** Characters of a dossier ID a screen or page facing others shows: the end the citizen knows. */
export const DOSSIER_SHOWN_CHARS = 4;

/**
 * A dossier ID as shown where others may read it (the kiosk facing the queue, a citizen's page
 * read over a shoulder): its last four characters after an ellipsis.
 */
export function maskedDossier(id: string): string {
  return id.length <= DOSSIER_SHOWN_CHARS ? id : `…${id.slice(-DOSSIER_SHOWN_CHARS)}`;
}
