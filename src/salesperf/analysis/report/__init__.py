"""The manager's weekly report: one team (and its sub-teams) in one ISO week, from the other
analyses (`model`), its words (`text`) and its stuck deals (`stuck`)."""
