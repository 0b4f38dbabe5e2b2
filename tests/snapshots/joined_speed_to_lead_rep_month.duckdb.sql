SELECT
  "t34"."_key" AS "rep_id",
  "t34"."_period" AS "period_start",
  "t34"."speed_to_lead_h"
FROM (
  SELECT
    "t33"."_key",
    "t33"."_period",
    MAX("t33"."speed_to_lead_h") AS "speed_to_lead_h",
    MAX("t33"."leads") AS "leads",
    MAX("t33"."leads_touched") AS "leads_touched",
    MAX("t33"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t27"."_key",
        "t27"."_period",
        CAST(NULL AS DOUBLE) AS "speed_to_lead_h",
        CAST(NULL AS DOUBLE) AS "leads",
        CAST(NULL AS DOUBLE) AS "leads_touched",
        "t27"."working_days"
      FROM (
        SELECT
          "t25"."_key",
          "t25"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t23"."rep_id",
            "t23"."date",
            "t23"."rep_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t23"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t18"."rep_id",
              "t18"."date"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t10"."rep_id",
                  "t10"."start_date",
                  "t10"."end_date",
                  "t11"."date"
                FROM (
                  SELECT
                    "t2"."rep_id",
                    "t2"."start_date",
                    "t2"."end_date"
                  FROM "reps" AS "t2"
                ) AS "t10"
                CROSS JOIN (
                  SELECT
                    *
                  FROM "memtable" AS "t3"
                ) AS "t11"
              ) AS "t13"
              WHERE
                (
                  (
                    "t13"."start_date" IS NULL
                  ) OR (
                    "t13"."date" >= "t13"."start_date"
                  )
                )
                AND (
                  (
                    "t13"."end_date" IS NULL
                  ) OR (
                    "t13"."date" <= "t13"."end_date"
                  )
                )
            ) AS "t18"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t1"
            ) AS "t9"
              ON "t18"."rep_id" = "t9"."rep_id" AND "t18"."date" = "t9"."date"
          ) AS "t23"
        ) AS "t25"
        GROUP BY
          1,
          2
      ) AS "t27"
    ) AS "t29"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t30"."_key",
          "t30"."_period",
          "t30"."speed_to_lead_h",
          CAST(NULL AS DOUBLE) AS "leads",
          "t30"."leads_touched",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t28"."_key",
            "t28"."_period",
            QUANTILE_CONT(
              CAST(DATE_DIFF('SECOND', "t28"."_created_at", "t28"."_touch_at") AS DOUBLE) / 3600.0,
              0.5
            ) AS "speed_to_lead_h",
            CAST(COUNT(*) AS DOUBLE) AS "leads_touched"
          FROM (
            SELECT
              "t26"."lead_id",
              "t26"."created_at",
              "t26"."source",
              "t26"."rep_id",
              "t26"."account_id",
              "t26"."qualified_at",
              "t26"."deal_id",
              "t26"."first_touch_at",
              "t26"."_local",
              "t26"."_created_at",
              "t26"."_touch_at",
              CAST(DATE_TRUNC('MONTH', "t26"."_local") AS DATE) AS "_period",
              "t26"."rep_id" AS "_key"
            FROM (
              SELECT
                "t21"."lead_id",
                "t21"."created_at",
                "t21"."source",
                "t21"."rep_id",
                "t21"."account_id",
                "t21"."qualified_at",
                "t21"."deal_id",
                "t21"."first_touch_at",
                CASE
                  WHEN "t21"."created_at" = (
                    DATE_TRUNC('DAY', "t21"."created_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t21"."created_at")
                  ELSE "t21"."created_at" + TO_SECONDS(
                    CASE
                      WHEN "t21"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                END AS "_local",
                CASE
                  WHEN "t21"."created_at" = (
                    DATE_TRUNC('DAY', "t21"."created_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t21"."created_at") - TO_SECONDS(
                    CASE
                      WHEN "t21"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                  ELSE "t21"."created_at"
                END AS "_created_at",
                CASE
                  WHEN "t21"."first_touch_at" = (
                    DATE_TRUNC('DAY', "t21"."first_touch_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t21"."first_touch_at") - TO_SECONDS(
                    CASE
                      WHEN "t21"."first_touch_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                  ELSE "t21"."first_touch_at"
                END AS "_touch_at"
              FROM (
                SELECT
                  "t20".*
                  EXCLUDE ("_lid")
                FROM (
                  SELECT
                    "t5"."lead_id",
                    "t5"."created_at",
                    "t5"."source",
                    "t5"."rep_id",
                    "t5"."account_id",
                    "t5"."qualified_at",
                    "t5"."deal_id",
                    "t16"."_lid",
                    "t16"."first_touch_at"
                  FROM "leads" AS "t5"
                  INNER JOIN (
                    SELECT
                      "t12"."lead_id" AS "_lid",
                      MIN("t12"."occurred_at") AS "first_touch_at"
                    FROM (
                      SELECT
                        *
                      FROM "activities" AS "t4"
                      WHERE
                        "t4"."lead_id" IS NOT NULL
                    ) AS "t12"
                    GROUP BY
                      1
                  ) AS "t16"
                    ON "t5"."lead_id" = "t16"."_lid"
                ) AS "t20"
              ) AS "t21"
              WHERE
                "t21"."created_at" IS NOT NULL
            ) AS "t26"
            WHERE
              "t26"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
              AND "t26"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
          ) AS "t28"
          GROUP BY
            1,
            2
        ) AS "t30"
      ) AS "t31"
      UNION ALL
      SELECT
        *
      FROM (
        SELECT
          "t22"."_key",
          "t22"."_period",
          CAST(NULL AS DOUBLE) AS "speed_to_lead_h",
          "t22"."leads",
          CAST(NULL AS DOUBLE) AS "leads_touched",
          CAST(NULL AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t19"."_key",
            "t19"."_period",
            CAST(COUNT(*) AS DOUBLE) AS "leads"
          FROM (
            SELECT
              "t15"."lead_id",
              "t15"."created_at",
              "t15"."source",
              "t15"."rep_id",
              "t15"."account_id",
              "t15"."qualified_at",
              "t15"."deal_id",
              "t15"."_local",
              CAST(DATE_TRUNC('MONTH', "t15"."_local") AS DATE) AS "_period",
              "t15"."rep_id" AS "_key"
            FROM (
              SELECT
                "t0"."lead_id",
                "t0"."created_at",
                "t0"."source",
                "t0"."rep_id",
                "t0"."account_id",
                "t0"."qualified_at",
                "t0"."deal_id",
                CASE
                  WHEN "t0"."created_at" = (
                    DATE_TRUNC('DAY', "t0"."created_at") + INTERVAL '43200314159' MICROSECOND
                  )
                  THEN DATE_TRUNC('DAY', "t0"."created_at")
                  ELSE "t0"."created_at" + TO_SECONDS(
                    CASE
                      WHEN "t0"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                      THEN 3600
                      ELSE 7200
                    END
                  )
                END AS "_local"
              FROM "leads" AS "t0"
              WHERE
                "t0"."created_at" IS NOT NULL
            ) AS "t15"
            WHERE
              "t15"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
              AND "t15"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
          ) AS "t19"
          GROUP BY
            1,
            2
        ) AS "t22"
      ) AS "t24"
    ) AS "t32"
  ) AS "t33"
  GROUP BY
    1,
    2
) AS "t34"
WHERE
  "t34"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t34"."_key" ASC,
  "t34"."_period" ASC
