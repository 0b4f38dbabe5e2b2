"""The one catalogue of what salesperf says, in English and Dutch, by subject: each module
holds a `MESSAGES` dict, and `salesperf.i18n.messages` joins them under one lookup, `t`."""
