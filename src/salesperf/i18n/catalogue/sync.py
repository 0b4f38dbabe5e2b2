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
    "nav.sync": _t("CRM sync", "CRM-synchronisatie"),
    "sync.page.from_import": _t(
        "read HubSpot, Pipedrive or Salesforce directly, on a schedule, instead of files",
        "lees HubSpot, Pipedrive of Salesforce rechtstreeks, volgens schema, in plaats van bestanden",
    ),
    "access.admin.sync": _t(
        "only an administrator may connect and sync CRMs",
        "alleen een beheerder mag CRM's verbinden en synchroniseren",
    ),
    "sync.page.title": _t("CRM sync", "CRM-synchronisatie"),
    "sync.page.intro": _t(
        "Connect a CRM to read its deals, stages, activities and owners into salesperf, through "
        "the same checks as a file import. Credentials are stored encrypted and never shown again.",
        "Verbind een CRM om de deals, fasen, activiteiten en eigenaren in salesperf in te lezen, "
        "met dezelfde controles als een bestandsimport. Gegevens worden versleuteld bewaard en "
        "nooit meer getoond.",
    ),
    "sync.page.none": _t(
        "No CRM connector is installed.", "Er is geen CRM-koppeling geïnstalleerd."
    ),
    "sync.page.no_key": _t(
        "Connections cannot be stored until SALESPERF_SECRET_KEY holds a key: make one with "
        'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" '
        "and restart the server.",
        "Verbindingen kunnen pas worden bewaard als SALESPERF_SECRET_KEY een sleutel bevat: maak er "
        'een met python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())" en start de server opnieuw.',
    ),
    "sync.page.scheduler_off": _t(
        "SALESPERF_SYNC_SCHEDULE is off: this server syncs only when asked.",
        "SALESPERF_SYNC_SCHEDULE staat uit: deze server synchroniseert alleen op verzoek.",
    ),
    "sync.page.connected": _t(
        "Connected: {shown} (saved {date} by {user})",
        "Verbonden: {shown} (bewaard {date} door {user})",
    ),
    "sync.page.not_connected": _t(
        "Not connected (a sync uses the environment's credentials, if set).",
        "Niet verbonden (een synchronisatie gebruikt de gegevens uit de omgeving, als die er zijn).",
    ),
    "sync.page.scopes": _t("The token needs: {scopes}", "Het token heeft nodig: {scopes}"),
    "sync.page.keep": _t("stored; leave blank to keep", "bewaard; leeg laten om te houden"),
    "sync.page.env": _t("(or the environment variable {env})", "(of de omgevingsvariabele {env})"),
    "sync.page.schedule": _t("Sync every (minutes)", "Synchroniseer elke (minuten)"),
    "sync.page.schedule_hint": _t(
        "blank: not by itself; 5 to 10080", "leeg: niet vanzelf; 5 tot 10080"
    ),
    "sync.page.schedule_save": _t("Save schedule", "Schema bewaren"),
    "sync.page.connect": _t("Save connection", "Verbinding bewaren"),
    "sync.page.every": _t(
        "Synced every {minutes} minutes.", "Wordt elke {minutes} minuten gesynchroniseerd."
    ),
    "sync.page.off": _t("Not synced by itself.", "Wordt niet vanzelf gesynchroniseerd."),
    "sync.page.now": _t("Sync now", "Nu synchroniseren"),
    "sync.page.disconnect": _t("Disconnect", "Verbinding verbreken"),
    "sync.page.running": _t(
        "Syncing since {time} (started by {by}): {rows} rows read so far.",
        "Bezig sinds {time} (gestart door {by}): tot nu toe {rows} rijen gelezen.",
    ),
    "sync.page.job_failed": _t(
        "The last sync failed: {error}", "De laatste synchronisatie is mislukt: {error}"
    ),
    "sync.page.webhook": _t("Webhook address:", "Webhookadres:"),
    "sync.page.runs": _t("Last run per object", "Laatste run per object"),
    "sync.page.started": _t("Started", "Gestart"),
    "sync.page.no_runs": _t("Not synced yet.", "Nog niet gesynchroniseerd."),
    "sync.page.rejects": _t("rejected rows of import {id}", "afgewezen rijen van import {id}"),
    "sync.page.error": _t("Failed: {error}", "Mislukt: {error}"),
    "sync.done.saved": _t(
        "The connection of {crm} is saved.", "De verbinding met {crm} is bewaard."
    ),
    "sync.done.schedule": _t("The schedule of {crm} is saved.", "Het schema van {crm} is bewaard."),
    "sync.done.started": _t(
        "A sync of {crm} has started; reload the page to follow it.",
        "Een synchronisatie van {crm} is gestart; laad de pagina opnieuw om die te volgen.",
    ),
    "sync.done.removed": _t(
        "The connection of {crm} is removed; what was synced stays.",
        "De verbinding met {crm} is verwijderd; wat al gesynchroniseerd is, blijft.",
    ),
}
