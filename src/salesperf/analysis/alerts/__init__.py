"""Alerts a user can switch on: rules on activity, deals, team health and the quadrant, each with
its parameter N (`rules`), judged as of a day inside the user's scope (`core.find_alerts`,
`core.alerts_for_user`); each user's switches are kept in the store (`switches`)."""
