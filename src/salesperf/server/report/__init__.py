"""The weekly report as documents and mail: its HTML and PDF (`render`), sent to each manager
over SMTP (`mail`), on the server's own schedule (`schedule`)."""
