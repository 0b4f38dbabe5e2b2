"""CRM sync: deals, stages, activities and owners read from a CRM's REST API into the canonical
tables, incrementally, through the same checks, rejects and upserts as a file import.

Each CRM is a `Connector` (`salesperf.sync.hubspot`, `.pipedrive`, `.salesforce`): it lists its
objects and reads them page by page as rows shaped like that CRM's records, mapped by a preset
(`salesperf/ingest/presets/<crm>-api-*.toml`) exactly as an export file would be. `run.sync`
imports each page as it arrives; the page's cursor is written in the import's own log entry, in
the import's transaction, so a sync stopped half-way repeats nothing and loses nothing.
"""
