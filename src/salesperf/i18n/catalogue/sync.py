"""The words of CRM sync: the command's lines and the settings page (`sync.<name>`)."""

from __future__ import annotations

from salesperf.text import Text

_t = Text

#: CRM sync's strings, by key.
MESSAGES: dict[str, Text] = {
    "sync.object": _t("Object", "Object"),
    "sync.table": _t("Table", "Tabel"),
    "sync.rows_in": _t("Rows in", "Rijen binnen"),
    "sync.inserted": _t("New", "Nieuw"),
    "sync.updated": _t("Changed", "Gewijzigd"),
    "sync.unchanged": _t("Unchanged", "Ongewijzigd"),
    "sync.rejected": _t("Rejected", "Afgewezen"),
    "sync.deleted": _t("Removed", "Verwijderd"),
    "sync.cursor": _t("Cursor", "Cursor"),
    "sync.last_run": _t("Last run", "Laatste run"),
    "sync.status": _t("Status", "Status"),
    "sync.crm": _t("CRM", "CRM"),
    "sync.title": _t("{crm}: synced", "{crm}: gesynchroniseerd"),
    "sync.title_full": _t("{crm}: synced in full", "{crm}: volledig gesynchroniseerd"),
    "sync.title_dry": _t(
        "{crm}: checked (dry run, nothing written)",
        "{crm}: gecontroleerd (proefrun, niets geschreven)",
    ),
    "sync.reading": _t("{crm} {object}: {rows} rows read", "{crm} {object}: {rows} rijen gelezen"),
    "sync.owners": _t(
        "{linked} of the CRM's users linked to reps",
        "{linked} gebruikers van het CRM gekoppeld aan verkopers",
    ),
    "sync.unmatched": _t(
        "{name} ({id}) matches no rep: their records are rejected until you run "
        "salesperf alias add {alias} REP_ID",
        "{name} ({id}) hoort bij geen verkoper: hun records worden afgewezen tot u "
        "salesperf alias add {alias} VERKOPER_ID uitvoert",
    ),
    "sync.rejects": _t("Rejected rows kept in {path}", "Afgewezen rijen bewaard in {path}"),
    "sync.never": _t("No sync has run yet.", "Er is nog niet gesynchroniseerd."),
    "sync.state.ok": _t("done", "klaar"),
    "sync.state.failed": _t("failed", "mislukt"),
    "sync.state.running": _t("running or stopped", "bezig of afgebroken"),
}
