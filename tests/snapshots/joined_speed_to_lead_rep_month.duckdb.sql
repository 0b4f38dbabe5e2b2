SELECT
  "t29"."_key" AS "rep_id",
  "t29"."_period" AS "period_start",
  "t29"."speed_to_lead_h"
FROM (
  SELECT
    "t28"."_key",
    "t28"."_period",
    MAX("t28"."speed_to_lead_h") AS "speed_to_lead_h",
    MAX("t28"."working_days") AS "working_days"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t26"."_key",
        "t26"."_period",
        "t26"."speed_to_lead_h",
        CAST(NULL AS DOUBLE) AS "working_days"
      FROM (
        SELECT
          "t24"."_key",
          "t24"."_period",
          QUANTILE_CONT(
            CAST(DATE_DIFF('SECOND', "t24"."_created_at", "t24"."_touch_at") AS DOUBLE) / 3600.0,
            0.5
          ) AS "speed_to_lead_h"
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
            "t21"."_local",
            "t21"."_created_at",
            "t21"."_touch_at",
            CAST(DATE_TRUNC('MONTH', "t21"."_local") AS DATE) AS "_period",
            "t21"."rep_id" AS "_key"
          FROM (
            SELECT
              "t19"."lead_id",
              "t19"."created_at",
              "t19"."source",
              "t19"."rep_id",
              "t19"."account_id",
              "t19"."qualified_at",
              "t19"."deal_id",
              "t19"."first_touch_at",
              CASE
                WHEN "t19"."created_at" = (
                  DATE_TRUNC('DAY', "t19"."created_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t19"."created_at")
                ELSE "t19"."created_at" + TO_SECONDS(
                  CASE
                    WHEN "t19"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                    THEN 3600
                    ELSE 7200
                  END
                )
              END AS "_local",
              CASE
                WHEN "t19"."created_at" = (
                  DATE_TRUNC('DAY', "t19"."created_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t19"."created_at") - TO_SECONDS(
                  CASE
                    WHEN "t19"."created_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                    THEN 3600
                    ELSE 7200
                  END
                )
                ELSE "t19"."created_at"
              END AS "_created_at",
              CASE
                WHEN "t19"."first_touch_at" = (
                  DATE_TRUNC('DAY', "t19"."first_touch_at") + INTERVAL '43200314159' MICROSECOND
                )
                THEN DATE_TRUNC('DAY', "t19"."first_touch_at") - TO_SECONDS(
                  CASE
                    WHEN "t19"."first_touch_at" < MAKE_TIMESTAMP(2025, 3, 30, 1, 0, 0.0)
                    THEN 3600
                    ELSE 7200
                  END
                )
                ELSE "t19"."first_touch_at"
              END AS "_touch_at"
            FROM (
              SELECT
                "t18".*
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
                  "t15"."_lid",
                  "t15"."first_touch_at"
                FROM "leads" AS "t5"
                INNER JOIN (
                  SELECT
                    "t11"."lead_id" AS "_lid",
                    MIN("t11"."occurred_at") AS "first_touch_at"
                  FROM (
                    SELECT
                      *
                    FROM "activities" AS "t3"
                    WHERE
                      "t3"."lead_id" IS NOT NULL
                  ) AS "t11"
                  GROUP BY
                    1
                ) AS "t15"
                  ON "t5"."lead_id" = "t15"."_lid"
              ) AS "t18"
            ) AS "t19"
            WHERE
              "t19"."created_at" IS NOT NULL
          ) AS "t21"
          WHERE
            "t21"."_local" >= MAKE_TIMESTAMP(2025, 1, 1, 0, 0, 0.0)
            AND "t21"."_local" < MAKE_TIMESTAMP(2025, 4, 1, 0, 0, 0.0)
        ) AS "t24"
        GROUP BY
          1,
          2
      ) AS "t26"
    ) AS "t27"
    UNION ALL
    SELECT
      *
    FROM (
      SELECT
        "t23"."_key",
        "t23"."_period",
        CAST(NULL AS DOUBLE) AS "speed_to_lead_h",
        "t23"."working_days"
      FROM (
        SELECT
          "t22"."_key",
          "t22"."_period",
          CAST(COUNT(*) AS DOUBLE) AS "working_days"
        FROM (
          SELECT
            "t20"."rep_id",
            "t20"."date",
            "t20"."rep_id" AS "_key",
            CAST(DATE_TRUNC('MONTH', CAST("t20"."date" AS TIMESTAMP)) AS DATE) AS "_period"
          FROM (
            SELECT
              "t17"."rep_id",
              "t17"."date"
            FROM (
              SELECT
                *
              FROM (
                SELECT
                  "t10"."rep_id",
                  "t10"."start_date",
                  "t10"."end_date",
                  "t12"."date"
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
                  FROM "memtable" AS "t4"
                ) AS "t12"
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
            ) AS "t17"
            ANTI JOIN (
              SELECT
                *
              FROM "absences" AS "t1"
            ) AS "t9"
              ON "t17"."rep_id" = "t9"."rep_id" AND "t17"."date" = "t9"."date"
          ) AS "t20"
        ) AS "t22"
        GROUP BY
          1,
          2
      ) AS "t23"
    ) AS "t25"
  ) AS "t28"
  GROUP BY
    1,
    2
) AS "t29"
WHERE
  "t29"."_period" IN (MAKE_DATE(2025, 1, 1), MAKE_DATE(2025, 2, 1), MAKE_DATE(2025, 3, 1))
ORDER BY
  "t29"."_key" ASC,
  "t29"."_period" ASC
