"""The reasons a metric can be null that several metrics share (see `declare.NullCase`)."""

from __future__ import annotations

from salesperf.metrics.declare import null_case, zero

NO_ACTIVITY = null_case("no_activities", zero("activities"),
                        "no activity was recorded in the period",
                        "er is in de periode geen activiteit vastgelegd")  # fmt: skip
NO_CLOSED = null_case("no_closed_deals", lambda m: m["deals_won"] + m["deals_lost"] == 0,
                      "no deals were closed in the period", "er is in de periode geen deal gesloten")  # fmt: skip
NO_WIN = null_case("no_won_deals", zero("deals_won"), "no deal was won in the period",
                   "er is in de periode geen deal gewonnen")  # fmt: skip
NO_CALL = null_case("no_calls", zero("calls"), "no call was made in the period",
                    "er is in de periode niet gebeld")  # fmt: skip
NO_CALL_OUTCOME = null_case("no_call_outcome", zero("calls_with_outcome"),
                            "no call has an outcome recorded",
                            "bij geen enkel gesprek is een uitkomst vastgelegd", force=True)  # fmt: skip
NO_MEETING = null_case("no_meetings", zero("meetings_scheduled"),
                       "no meeting or demo was scheduled in the period",
                       "er is in de periode geen afspraak of demo gepland")  # fmt: skip
NO_MEETING_OUTCOME = null_case("no_meeting_outcome", zero("meetings_with_outcome"),
                               "no meeting or demo has an outcome recorded",
                               "bij geen enkele afspraak of demo is een uitkomst vastgelegd",
                               force=True)  # fmt: skip
NO_AMOUNT = null_case("no_amounts", zero("deals_won_with_amount"),
                      "no deal won in the period has an amount recorded",
                      "bij geen enkele in de periode gewonnen deal is een bedrag vastgelegd")  # fmt: skip
NO_WORKING_DAY = null_case("no_working_days", zero("working_days"),
                           "the rep had no working day in the period (not employed, or absent)",
                           "de verkoper had in de periode geen werkdag (niet in dienst, of afwezig)")  # fmt: skip

NO_CSAT = null_case("no_csat_responses", zero("csat_responses"),
                    "no CSAT survey response (1-5 scale) in the period",
                    "geen enquêteantwoord op de CSAT-schaal (1-5) in de periode")  # fmt: skip
NO_NPS = null_case("no_nps_responses", zero("nps_responses"),
                   "no NPS survey response (0-10 scale) in the period",
                   "geen enquêteantwoord op de NPS-schaal (0-10) in de periode")  # fmt: skip
NO_LEAD = null_case("no_leads", zero("leads"), "no lead was created in the period",
                    "er is in de periode geen lead aangemaakt")  # fmt: skip
NO_COHORT_LEAD = null_case("no_leads", zero("cohort_leads"), "no lead was created in the period",
                           "er is in de periode geen lead aangemaakt")  # fmt: skip
NO_TOUCHED_LEAD = null_case("no_touched_leads", lambda m: m["leads_touched"].fill_null(0) == 0,
                            "no lead created in the period has an activity linked to it",
                            "aan geen enkele in de periode aangemaakte lead is een activiteit "
                            "gekoppeld")  # fmt: skip
NO_CUSTOMER = null_case("no_customers_at_start", zero("customers_start"),
                        "there were no customers at the start of the period",
                        "er waren geen klanten aan het begin van de periode")  # fmt: skip
NO_ACCOUNT = null_case("no_accounts", lambda m: m["won_deals_with_account"].fill_null(0) == 0,
                       "no deal won in the period is linked to an account",
                       "geen enkele in de periode gewonnen deal is aan een account gekoppeld",
                       force=True)  # fmt: skip
NO_REVENUE = null_case("no_revenue", zero("revenue_won"), "the deals won in the period have no revenue",
                       "de in de periode gewonnen deals hebben geen omzet")  # fmt: skip
# over the whole store: an input that is not recorded at all
NO_LEAD_LINK = null_case("no_lead_deal_links", lambda m: m["deal_linked_leads"].fill_null(0) == 0,
                         "no lead is linked to a deal", "geen enkele lead is aan een deal gekoppeld",
                         force=True)  # fmt: skip
NO_ACTIVITY_LINK = null_case("no_activity_deal_links",
                             lambda m: m["deal_linked_activities"].fill_null(0) == 0,
                             "no activity is linked to a deal",
                             "geen enkele activiteit is aan een deal gekoppeld", force=True)  # fmt: skip
NO_TYPED_CLOSED = null_case("no_typed_closed_deals", zero("typed_deals_closed"),
                            "no deal closed in the period had an activity of this type",
                            "geen enkele in de periode gesloten deal had een activiteit van dit type")  # fmt: skip
NO_STAGE_ENTRY = null_case("no_stage_entries", zero("stage_entered"),
                           "no deal entered the first stage in the period",
                           "geen enkele deal bereikte de eerste fase in de periode")  # fmt: skip
